/*
 * cli_service.c: wardgate legacy (devices without a usable TPM) and
 * wardgate service (field-service windows). The gateway checks
 * everything again; these only shape the requests and print the answers.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* "/admin/v1/devices/ESCAPED-KEY/SUFFIX" into path; -1 when too long. */
static int
device_path(char *path, size_t len, const char *key, const char *suffix)
{
	char *esc = url_escape(key);
	int n;

	if (esc == NULL) {
		errx_line("device name too long");
		return -1;
	}
	n = snprintf(path, len, "/admin/v1/devices/%s/%s", esc, suffix);
	free(esc);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A time option into o[key]; -1 (said) when it does not parse. */
static int
add_time(struct json_object *o, const char *key, const char *opt,
    const char *val)
{
	int64_t t;

	if (cli_parse_until(val, (int64_t)time(NULL), &t) != 0) {
		errx_line("--%s \"%.64s\" is not YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM[:SS]Z or +N[smhd]", opt, val);
		return -1;
	}
	json_object_object_add(o, key, json_object_new_int64(t));
	return 0;
}

static void
add_str(struct json_object *o, const char *key, const char *val)
{
	if (val != NULL)
		json_object_object_add(o, key, json_object_new_string(val));
}

/* POSTs o (put) to path; the reply on success (caller puts), else NULL
 * with *ret set. */
static struct json_object *
post(const char *path, struct json_object *o, long want, int *ret)
{
	struct json_object *reply = NULL;
	long status = 0;

	*ret = admin_call("POST", path, json_object_to_json_string(o), &reply,
	    &status);
	json_object_put(o);
	if (*ret != WG_EXIT_OK)
		return NULL;
	if (status != want) {
		*ret = admin_error(reply, status);
		json_object_put(reply);
		return NULL;
	}
	return reply;
}

/* GET path: a JSON array printed as it is (json) or one item a line. */
static int
list_call(const char *path, int json, void (*print)(struct json_object *),
    const char *none)
{
	struct json_object *reply = NULL;
	long status = 0;
	size_t i, n;
	int ret;

	if ((ret = admin_call("GET", path, NULL, &reply, &status)) !=
	    WG_EXIT_OK)
		return ret;
	if (status != 200 || !json_object_is_type(reply, json_type_array))
		ret = admin_error(reply, status);
	else if (json)
		print_json(reply);
	else if ((n = json_object_array_length(reply)) == 0)
		printf("%s\n", none);
	else
		for (i = 0; i < n; i++)
			print(json_object_array_get_idx(reply, i));
	json_object_put(reply);
	return ret;
}

static void
print_legacy(struct json_object *dev)
{
	struct json_object *l = json_object_object_get(dev, "legacy");

	printf("%s (%s %s, %s): segment %s\n"
	    "  owner %s; controls: %s\n"
	    "  next review %s%s; sunset %s%s\n", jstr(dev, "name"),
	    jstr(dev, "model"), jstr(dev, "serial"), jstr(dev, "mac"),
	    jstr(dev, "segment"), jstr(l, "owner"), jstr(l, "controls"),
	    jstr(l, "review_at"), json_object_get_boolean(
	    json_object_object_get(l, "review_overdue")) ? " (OVERDUE)" : "",
	    jstr(l, "sunset_at"), json_object_get_boolean(
	    json_object_object_get(l, "past_sunset")) ? " (PAST: quarantined)" :
	    "");
}

static int
legacy_usage(void)
{
	fprintf(stderr,
	    "usage: %s legacy add --name N --model M --serial S --mac MAC\n"
	    "           --owner PERSON --controls TEXT --review DATE "
	    "--sunset DATE\n"
	    "           [--segment SEGMENT] [--ward WARD]\n"
	    "       %s legacy review DEVICE --next DATE --note TEXT "
	    "[--sunset DATE]\n"
	    "           [--controls TEXT] [--owner PERSON]\n"
	    "       %s legacy list [--json]\n"
	    "DATE: 2027-06-30 (UTC), 2027-06-30T12:00Z or +90d\n",
	    progname, progname, progname);
	return WG_EXIT_ERROR;
}

int
cmd_legacy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "model", required_argument, NULL, 'm' },
		{ "serial", required_argument, NULL, 's' },
		{ "mac", required_argument, NULL, 'M' },
		{ "owner", required_argument, NULL, 'o' },
		{ "controls", required_argument, NULL, 'c' },
		{ "review", required_argument, NULL, 'r' },
		{ "next", required_argument, NULL, 'N' },
		{ "sunset", required_argument, NULL, 'S' },
		{ "note", required_argument, NULL, 't' },
		{ "segment", required_argument, NULL, 'g' },
		{ "ward", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *model = NULL, *serial = NULL, *mac = NULL,
	    *owner = NULL, *controls = NULL, *review = NULL, *next = NULL,
	    *sunset = NULL, *note = NULL, *segment = NULL, *ward = NULL, *sub;
	struct json_object *o, *reply;
	char path[512];
	int c, json = 0, ret;

	if (argc < 2)
		return legacy_usage();
	sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'm': model = optarg; break;
		case 's': serial = optarg; break;
		case 'M': mac = optarg; break;
		case 'o': owner = optarg; break;
		case 'c': controls = optarg; break;
		case 'r': review = optarg; break;
		case 'N': next = optarg; break;
		case 'S': sunset = optarg; break;
		case 't': note = optarg; break;
		case 'g': segment = optarg; break;
		case 'w': ward = optarg; break;
		case 'j': json = 1; break;
		default: return legacy_usage();
		}
	}
	if (strcmp(sub, "list") == 0)
		return optind != argc ? legacy_usage() :
		    list_call("/admin/v1/legacy", json, print_legacy,
		    "no legacy device is registered");
	o = json_object_new_object();
	if (strcmp(sub, "add") == 0) {
		if (optind != argc || name == NULL || model == NULL ||
		    serial == NULL || mac == NULL || owner == NULL ||
		    controls == NULL || review == NULL || sunset == NULL ||
		    next != NULL || note != NULL) {
			json_object_put(o);
			return legacy_usage();
		}
		add_str(o, "name", name);
		add_str(o, "model", model);
		add_str(o, "serial", serial);
		add_str(o, "mac", mac);
		add_str(o, "owner", owner);
		add_str(o, "controls", controls);
		add_str(o, "segment", segment);
		add_str(o, "ward", ward);
		if (add_time(o, "review_at", "review", review) != 0 ||
		    add_time(o, "sunset_at", "sunset", sunset) != 0) {
			json_object_put(o);
			return WG_EXIT_ERROR;
		}
		if ((reply = post("/admin/v1/legacy", o, 201, &ret)) == NULL)
			return ret;
		printf("registered legacy device ");
	} else if (strcmp(sub, "review") == 0) {
		if (optind != argc - 1 || next == NULL || note == NULL ||
		    name != NULL || model != NULL || serial != NULL ||
		    mac != NULL || review != NULL || segment != NULL ||
		    ward != NULL ||
		    device_path(path, sizeof(path), argv[optind],
		    "legacy/review") != 0) {
			json_object_put(o);
			return legacy_usage();
		}
		add_str(o, "note", note);
		add_str(o, "controls", controls);
		add_str(o, "owner", owner);
		if (add_time(o, "review_at", "next", next) != 0 ||
		    (sunset != NULL &&
		    add_time(o, "sunset_at", "sunset", sunset) != 0)) {
			json_object_put(o);
			return WG_EXIT_ERROR;
		}
		if ((reply = post(path, o, 200, &ret)) == NULL)
			return ret;
		printf("review recorded: ");
	} else {
		json_object_put(o);
		return legacy_usage();
	}
	if (json)
		print_json(reply);
	else
		print_legacy(reply);
	json_object_put(reply);
	return WG_EXIT_OK;
}

static void
print_window(struct json_object *w)
{
	printf("%s %s: %s until %s, approved by %s (%s)%s%s\n",
	    jstr(w, "name")[0] != '\0' ? jstr(w, "name") :
	    jstr(w, "device_id"), json_object_get_boolean(
	    json_object_object_get(w, "open")) ? "OPEN" : "closed",
	    jstr(w, "flow"), jstr(w, "until"), jstr(w, "approved_by"),
	    jstr(w, "reason"), jstr(w, "closed_at")[0] != '\0' ? "; closed " :
	    "", jstr(w, "closed_at"));
}

static int
service_usage(void)
{
	fprintf(stderr,
	    "usage: %s service open DEVICE --flow FLOW --until TIME\n"
	    "           --approved-by PERSON --reason TEXT\n"
	    "       %s service close DEVICE [--flow FLOW] [--reason TEXT]\n"
	    "       %s service list [--json]\n"
	    "TIME: +2h (from now) or 2026-11-22T14:00Z (UTC)\n",
	    progname, progname, progname);
	return WG_EXIT_ERROR;
}

int
cmd_service(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "flow", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "approved-by", required_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *flow = NULL, *until = NULL, *approver = NULL,
	    *reason = NULL, *sub;
	struct json_object *o, *reply, *arr;
	char path[512];
	int c, json = 0, ret;
	size_t i;

	if (argc < 2)
		return service_usage();
	sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': flow = optarg; break;
		case 'u': until = optarg; break;
		case 'a': approver = optarg; break;
		case 'r': reason = optarg; break;
		case 'j': json = 1; break;
		default: return service_usage();
		}
	}
	if (strcmp(sub, "list") == 0)
		return optind != argc ? service_usage() :
		    list_call("/admin/v1/service", json, print_window,
		    "no field-service window is open");
	o = json_object_new_object();
	if (strcmp(sub, "open") == 0) {
		if (optind != argc - 1 || flow == NULL || until == NULL ||
		    approver == NULL || reason == NULL ||
		    device_path(path, sizeof(path), argv[optind],
		    "service") != 0) {
			json_object_put(o);
			return service_usage();
		}
		add_str(o, "flow", flow);
		add_str(o, "approved_by", approver);
		add_str(o, "reason", reason);
		if (add_time(o, "until", "until", until) != 0) {
			json_object_put(o);
			return WG_EXIT_ERROR;
		}
		if ((reply = post(path, o, 201, &ret)) == NULL)
			return ret;
		if (json)
			print_json(reply);
		else
			print_window(reply);
	} else if (strcmp(sub, "close") == 0) {
		if (optind != argc - 1 || until != NULL || approver != NULL ||
		    device_path(path, sizeof(path), argv[optind],
		    "service/close") != 0) {
			json_object_put(o);
			return service_usage();
		}
		add_str(o, "flow", flow);
		add_str(o, "reason", reason);
		if ((reply = post(path, o, 200, &ret)) == NULL)
			return ret;
		arr = json_object_object_get(reply, "service");
		if (json)
			print_json(reply);
		else {
			printf("closed %d window(s)\n", json_object_get_int(
			    json_object_object_get(reply, "closed")));
			for (i = 0; i < json_object_array_length(arr); i++)
				print_window(json_object_array_get_idx(arr, i));
		}
	} else {
		json_object_put(o);
		return service_usage();
	}
	json_object_put(reply);
	return WG_EXIT_OK;
}
