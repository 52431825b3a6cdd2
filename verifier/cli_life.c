/*
 * cli_life.c: wardgate decommission and wardgate audit (verify, list).
 *
 * audit verify and audit list work through the admin socket, or offline
 * on a store file with --store (opened read-only: the gateway may be
 * running or stopped).
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hex.h"
#include "store.h"

/* ---- decommission ---- */

int
cmd_decommission(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *reply = NULL;
	const char *reason = NULL;
	char path[512], *esc;
	long status = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || reason == NULL || reason[0] == '\0')
		goto usage;
	if ((esc = url_escape(argv[optind])) == NULL) {
		errx_line("decommission: device name too long");
		return WG_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/admin/v1/devices/%s/decommission", esc);
	free(esc);
	req = json_object_new_object();
	json_object_object_add(req, "reason", json_object_new_string(reason));
	ret = admin_call("POST", path, json_object_to_json_string(req), &reply,
	    &status);
	json_object_put(req);
	if (ret != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else {
		struct json_object *dev = json_object_object_get(reply,
		    "device");

		printf("decommissioned: %s (%s) is in segment %s; EK blocked; "
		    "archive sha256 %s\n",
		    json_object_get_string(json_object_object_get(dev, "name")),
		    json_object_get_string(json_object_object_get(dev, "id")),
		    json_object_get_string(json_object_object_get(dev,
		    "segment")),
		    json_object_get_string(json_object_object_get(reply,
		    "archive_sha256")));
	}
	json_object_put(reply);
	return ret;
usage:
	fprintf(stderr, "usage: %s decommission DEVICE --reason TEXT\n",
	    progname);
	return WG_EXIT_ERROR;
}

/* ---- audit ---- */

static void
audit_time(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%" PRId64, t);
}

static void
audit_print_result(int intact, int64_t rows, int64_t bad, const char *msg,
    int64_t head_id, const char *head_hex)
{
	if (intact) {
		printf("audit log intact: %" PRId64 " rows checked", rows);
		if (head_hex != NULL)
			printf("; head row %" PRId64 " sha256 %s", head_id,
			    head_hex);
		putchar('\n');
	} else
		printf("audit log TAMPERED: first bad row %" PRId64 " (%"
		    PRId64 " rows before it check): %s\n", bad,
		    bad > 0 ? bad - 1 : 0, msg);
}

static int
audit_verify_offline(const char *file)
{
	struct store *s = NULL;
	struct wg_diag d;
	uint8_t head[STORE_HASH_LEN];
	char hex[2 * STORE_HASH_LEN + 1];
	int64_t rows = 0, bad = 0, head_id = 0;
	int r, ret;

	wg_diag_clear(&d);
	if ((r = store_open_readonly(file, &s, &d)) != 0) {
		report_diag(&d, r);
		return WG_EXIT_ERROR;
	}
	r = store_audit_verify(s, &rows, &bad, &d);
	if (r == 0) {
		if (store_audit_head(s, &head_id, head, &d) != 0)
			hex[0] = '\0';
		else
			(void)hex_encode(head, sizeof(head), hex, sizeof(hex));
		audit_print_result(1, rows, 0, NULL, head_id,
		    hex[0] != '\0' ? hex : NULL);
		ret = WG_EXIT_OK;
	} else if (r == WG_ERR_FORMAT) {
		audit_print_result(0, 0, bad, d.detail, 0, NULL);
		ret = WG_EXIT_REFUSED;
	} else {
		report_diag(&d, r);
		ret = WG_EXIT_ERROR;
	}
	store_close(s);
	return ret;
}

static int
audit_verify_online(void)
{
	struct json_object *reply = NULL, *v;
	long status = 0;
	int ret, intact;

	ret = admin_call("GET", "/admin/v1/audit/verify", NULL, &reply,
	    &status);
	if (ret != WG_EXIT_OK)
		return ret;
	if (status != 200) {
		ret = admin_error(reply, status);
		json_object_put(reply);
		return ret;
	}
	intact = json_object_object_get_ex(reply, "intact", &v) &&
	    json_object_get_boolean(v);
	audit_print_result(intact,
	    json_object_get_int64(json_object_object_get(reply, "rows")),
	    json_object_get_int64(json_object_object_get(reply, "first_bad")),
	    json_object_get_string(json_object_object_get(reply, "message")),
	    json_object_get_int64(json_object_object_get(reply, "head_id")),
	    json_object_get_string(json_object_object_get(reply,
	    "head_sha256")));
	json_object_put(reply);
	return intact ? WG_EXIT_OK : WG_EXIT_REFUSED;
}

static void
audit_line(int64_t id, const char *at, const char *actor, const char *dev,
    const char *action, const char *before, const char *after,
    const char *detail)
{
	printf("%" PRId64 "\t%s\t%s\t%.16s\t%s\t%s\t%s\t%s\n", id, at, actor,
	    dev != NULL ? dev : "-", action, before != NULL ? before : "-",
	    after != NULL ? after : "-", detail != NULL ? detail : "-");
}

static int
audit_list_cb(const struct store_audit_row *a, void *arg)
{
	char ts[32];

	(void)arg;
	audit_time(a->a.at, ts, sizeof(ts));
	audit_line(a->id, ts, a->a.actor, a->a.device_id, a->a.action,
	    a->a.before, a->a.after, a->a.detail);
	return 0;
}

static int
audit_list_offline(const char *file, const char *device)
{
	struct store *s = NULL;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	if (device != NULL && (strlen(device) != 64 ||
	    !hex_is_lower(device, 64))) {
		errx_line("audit list --store: give the full device id (64 "
		    "lowercase hex digits)");
		return WG_EXIT_ERROR;
	}
	if ((r = store_open_readonly(file, &s, &d)) != 0) {
		report_diag(&d, r);
		return WG_EXIT_ERROR;
	}
	printf("ID\tTIME\tACTOR\tDEVICE\tACTION\tBEFORE\tAFTER\tDETAIL\n");
	if ((r = store_audit_each(s, device, audit_list_cb, NULL, &d)) != 0)
		report_diag(&d, r);
	store_close(s);
	return r == 0 ? WG_EXIT_OK : WG_EXIT_ERROR;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

static int
audit_list_online(const char *device, int json)
{
	struct json_object *reply = NULL, *row;
	char path[512], *esc = NULL;
	long status = 0;
	size_t i, n;
	int ret;

	if (device != NULL && (esc = url_escape(device)) == NULL) {
		errx_line("audit list: device name too long");
		return WG_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/admin/v1/audit%s%s",
	    esc != NULL ? "?device=" : "", esc != NULL ? esc : "");
	free(esc);
	ret = admin_call("GET", path, NULL, &reply, &status);
	if (ret != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else if (json)
		print_json(reply);
	else {
		printf("ID\tTIME\tACTOR\tDEVICE\tACTION\tBEFORE\tAFTER\t"
		    "DETAIL\n");
		n = json_object_array_length(reply);
		for (i = 0; i < n; i++) {
			row = json_object_array_get_idx(reply, i);
			audit_line(json_object_get_int64(json_object_object_get(
			    row, "id")), jstr(row, "at"), jstr(row, "actor"),
			    jstr(row, "device"), jstr(row, "action"),
			    jstr(row, "before"), jstr(row, "after"),
			    jstr(row, "detail"));
		}
	}
	json_object_put(reply);
	return ret;
}

static int
audit_usage(void)
{
	fprintf(stderr, "usage: %s audit verify [--store FILE]\n"
	    "       %s audit list [--json] [--store FILE] [DEVICE]\n",
	    progname, progname);
	return WG_EXIT_ERROR;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *device = NULL;
	int c, json = 0, verify;

	if (argc < 2)
		return audit_usage();
	if (strcmp(argv[1], "verify") == 0)
		verify = 1;
	else if (strcmp(argv[1], "list") == 0)
		verify = 0;
	else
		return audit_usage();
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': file = optarg; break;
		case 'j': json = 1; break;
		default: return audit_usage();
		}
	}
	if (verify) {
		if (optind != argc || json)
			return audit_usage();
		return file != NULL ? audit_verify_offline(file) :
		    audit_verify_online();
	}
	if (optind < argc - 1)
		return audit_usage();
	if (optind == argc - 1)
		device = argv[optind];
	if (file != NULL) {
		if (json)
			return audit_usage();
		return audit_list_offline(file, device);
	}
	return audit_list_online(device, json);
}
