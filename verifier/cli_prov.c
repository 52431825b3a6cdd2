/*
 * cli_prov.c: wardgate device import: a maker's batch of provisioning
 * records, checked here and again by the gateway.
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "cli_prov.h"
#include "file.h"
#include "provfile.h"

/* An integer member of o, or dflt. */
static int64_t
jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

static const char *
jtext(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "?";
	return json_object_get_string(v);
}

/*
 * The gateway's 409 for a batch: each conflict as "line N: column: why",
 * the record index mapped to the line of path it came from. Returns the
 * exit status; anything else is admin_error()'s.
 */
static int
import_conflicts(const char *path, const struct provfile *pf,
    struct json_object *reply, long status)
{
	struct json_object *a, *c, *v;
	int64_t n, idx;
	size_t i, len;
	int hint = 0;

	if (status != 409 || !json_object_object_get_ex(reply, "conflicts",
	    &a) || !json_object_is_type(a, json_type_array))
		return admin_error(reply, status);
	len = json_object_array_length(a);
	n = jint(reply, "n", (int64_t)len);
	fprintf(stderr, "%s: %s: %lld conflict%s with stored records, "
	    "nothing imported\n", progname, path, (long long)n,
	    n == 1 ? "" : "s");
	for (i = 0; i < len; i++) {
		c = json_object_array_get_idx(a, i);
		idx = jint(c, "record", -1);
		if (idx >= 0 && (uint64_t)idx < pf->n)
			fprintf(stderr, "line %u: ", pf->recs[idx].line);
		else
			fprintf(stderr, "record %lld: ", (long long)idx);
		fprintf(stderr, "%s: %s\n", jtext(c, "column"), jtext(c, "why"));
		if (json_object_object_get_ex(c, "replaceable", &v) &&
		    json_object_get_boolean(v))
			hint = 1;
	}
	if (n > (int64_t)len)
		fprintf(stderr, "(%lld more not shown)\n",
		    (long long)(n - (int64_t)len));
	if (hint)
		fprintf(stderr, "(--replace replaces the stored records of "
		    "those EKs)\n");
	return WG_EXIT_REFUSED;
}

int
cmd_device_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "replace", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	enum provfile_format fmt = PROVFILE_CSV;
	const char *path, *fmtarg = NULL, *dot;
	struct provfile *pf = NULL;
	struct provfile_report *rep = NULL;
	struct json_object *reply = NULL, *v;
	struct wg_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *body = NULL;
	long status = 0;
	int c, r, replace = 0, ret = WG_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			fmtarg = optarg;
		else if (c == 'r')
			replace = 1;
		else
			goto usage;
	}
	if (optind + 1 != argc)
		goto usage;
	path = argv[optind];
	if (fmtarg == NULL) {
		dot = strrchr(path, '.');
		if (dot != NULL && strcmp(dot, ".json") == 0)
			fmt = PROVFILE_JSON;
	} else if (strcmp(fmtarg, "json") == 0)
		fmt = PROVFILE_JSON;
	else if (strcmp(fmtarg, "csv") != 0)
		goto usage;
	wg_diag_clear(&d);
	if ((r = file_read(path, PROVFILE_MAX_BYTES, &buf, &len, &d)) != 0) {
		report_diag(&d, r);
		goto out;
	}
	if ((rep = malloc(sizeof(*rep))) == NULL) {
		errx_line("out of memory");
		goto out;
	}
	if ((r = provfile_parse((const char *)buf, len, fmt, &pf, rep,
	    &d)) != 0) {
		if (r == WG_ERR_BAD_FIELD) {
			fprintf(stderr, "%s: %s: %u error%s, nothing imported\n",
			    progname, path, rep->nerrors,
			    rep->nerrors == 1 ? "" : "s");
			fputs(rep->text, stderr);
			if (rep->nerrors > PROVFILE_REPORT_LINES)
				fprintf(stderr, "(%u more not shown)\n",
				    rep->nerrors - PROVFILE_REPORT_LINES);
			ret = WG_EXIT_REFUSED;
		} else
			report_diag(&d, r);
		goto out;
	}
	if ((body = provfile_to_json(pf)) == NULL) {
		errx_line("out of memory");
		goto out;
	}
	if (strlen(body) > PROVFILE_BATCH_MAX) {
		errx_line("%s: %zu records make a request over %u bytes; "
		    "split the file", path, pf->n, PROVFILE_BATCH_MAX);
		goto out;
	}
	if ((ret = admin_call("POST", replace ?
	    "/admin/v1/provision/batch?replace=1" :
	    "/admin/v1/provision/batch", body, &reply, &status)) !=
	    WG_EXIT_OK)
		goto out;
	if (status != 200) {
		ret = import_conflicts(path, pf, reply, status);
		goto out;
	}
	printf("imported %zu provisioning record%s from %s: %lld new, "
	    "%lld replaced, %lld unchanged", pf->n, pf->n == 1 ? "" : "s",
	    path, (long long)jint(reply, "new", 0),
	    (long long)jint(reply, "replaced", 0),
	    (long long)jint(reply, "unchanged", 0));
	if (json_object_object_get_ex(reply, "sha256", &v))
		printf(" (batch sha256 %s)", json_object_get_string(v));
	printf("\n");
	ret = WG_EXIT_OK;
out:
	json_object_put(reply);
	free(body);
	free(rep);
	provfile_free(pf);
	free(buf);
	return ret;
usage:
	fprintf(stderr, "usage: %s device import FILE [--format csv|json] "
	    "[--replace]\n", progname);
	return WG_EXIT_ERROR;
}
