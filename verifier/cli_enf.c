/* cli_enf.c: wardgate hold and wardgate enforcement. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int
cli_parse_until(const char *s, int64_t now, int64_t *out)
{
	unsigned long long n;
	char *end;
	int64_t mult;
	struct tm tm;
	const char *p;
	time_t t;

	if (s[0] == '+') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		errno = 0;
		n = strtoull(s + 1, &end, 10);
		if (errno != 0 || end[0] == '\0' || end[1] != '\0' ||
		    n > 366ULL * 86400)
			return -1;
		switch (end[0]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -1;
		}
		*out = now + (int64_t)n * mult;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	/* A date alone is its first second, UTC. */
	if ((p = strptime(s, "%Y-%m-%d", &tm)) != NULL && p[0] == '\0' &&
	    strlen(s) == 10) {
		if ((t = timegm(&tm)) == (time_t)-1)
			return -1;
		*out = (int64_t)t;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL)
		return -1;
	if (p[0] == ':' && (p = strptime(p, ":%S", &tm)) == NULL)
		return -1;
	if (strcmp(p, "Z") != 0)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static int
hold_usage(void)
{
	fprintf(stderr, "usage: %s hold DEVICE --until TIME --reason TEXT\n"
	    "       %s hold --release DEVICE [--reason TEXT]\n"
	    "TIME: +90m, +2h (from now) or 2026-11-22T14:00Z (UTC)\n",
	    progname, progname);
	return WG_EXIT_ERROR;
}

int
cmd_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ "release", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *reply = NULL, *hold;
	const char *until = NULL, *reason = NULL;
	char path[512], *esc;
	int64_t t = 0;
	long status = 0;
	int c, release = 0, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': until = optarg; break;
		case 'r': reason = optarg; break;
		case 'R': release = 1; break;
		default: return hold_usage();
		}
	}
	if (optind != argc - 1 || (release && until != NULL) ||
	    (!release && (until == NULL || reason == NULL)))
		return hold_usage();
	if (!release && cli_parse_until(until, (int64_t)time(NULL), &t) != 0) {
		errx_line("hold: --until \"%.64s\" is not +N[smhd] or "
		    "YYYY-MM-DDTHH:MM[:SS]Z", until);
		return WG_EXIT_ERROR;
	}
	if ((esc = url_escape(argv[optind])) == NULL) {
		errx_line("hold: device name too long");
		return WG_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/admin/v1/devices/%s/hold%s", esc,
	    release ? "/release" : "");
	free(esc);
	req = json_object_new_object();
	if (!release)
		json_object_object_add(req, "until", json_object_new_int64(t));
	if (reason != NULL)
		json_object_object_add(req, "reason",
		    json_object_new_string(reason));
	ret = admin_call("POST", path, json_object_to_json_string(req), &reply,
	    &status);
	json_object_put(req);
	if (ret != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else if (release)
		printf("hold released: %s is in segment %s\n",
		    json_object_get_string(json_object_object_get(reply,
		    "name")), json_object_get_string(json_object_object_get(
		    reply, "segment")));
	else {
		hold = json_object_object_get(reply, "hold");
		printf("held until %s: %s (%s) is in segment %s\n",
		    json_object_get_string(json_object_object_get(hold,
		    "until")), json_object_get_string(json_object_object_get(
		    reply, "name")), json_object_get_string(
		    json_object_object_get(reply, "state")),
		    json_object_get_string(json_object_object_get(reply,
		    "segment")));
	}
	json_object_put(reply);
	return ret;
}

int
cmd_enforcement(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: %s enforcement\n", progname);
		return WG_EXIT_ERROR;
	}
	return admin_print("GET", "/admin/v1/enforcement", NULL);
}
