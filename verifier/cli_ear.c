/*
 * cli_ear.c: wardgate ear (a device's or every device's EAR from the
 * gateway) and wardgate ear verify (offline, with the gateway's public
 * key). docs/ear.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"
#include "ear.h"
#include "file.h"

static int
ear_usage(void)
{
	fprintf(stderr, "usage: %s ear DEVICE [--json]\n"
	    "       %s ear --all [--json]\n"
	    "       %s ear verify --key PUB.pem FILE|-\n",
	    progname, progname, progname);
	return WG_EXIT_ERROR;
}

/*
 * The token in buf: the text itself, or the "ear" member when buf is the
 * JSON the gateway answers. Points into buf or into *hold (caller puts).
 */
static const char *
ear_token(char *buf, size_t len, size_t *tlen, struct json_object **hold)
{
	struct json_object *v;
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' ||
	    buf[i] == '\r'))
		i++;
	if (i < len && buf[i] == '{') {
		if ((*hold = json_tokener_parse(buf + i)) == NULL ||
		    !json_object_object_get_ex(*hold, "ear", &v) ||
		    !json_object_is_type(v, json_type_string))
			return NULL;
		*tlen = (size_t)json_object_get_string_len(v);
		return json_object_get_string(v);
	}
	while (len > i && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' '))
		len--;
	*tlen = len - i;
	return buf + i;
}

static int
cmd_ear_verify(int argc, char **argv)
{
	struct json_object *claims = NULL, *hold = NULL, *sm;
	const char *key = NULL, *path = NULL, *tok;
	EVP_PKEY *pub = NULL;
	struct wg_diag d;
	uint8_t *buf = NULL;
	size_t len, tlen = 0;
	int i, r, ret = WG_EXIT_ERROR;

	wg_diag_clear(&d);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (path == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0))
			path = argv[i];
		else
			return ear_usage();
	}
	if (key == NULL || path == NULL)
		return ear_usage();
	if (ear_pubkey_load(key, &pub, &d) != 0) {
		errx_line("%s", d.detail);
		goto out;
	}
	if (file_read(path, EAR_TOKEN_MAX + 64u * 1024, &buf, &len, &d) != 0) {
		report_diag(&d, d.err);
		goto out;
	}
	if ((tok = ear_token((char *)buf, len, &tlen, &hold)) == NULL) {
		errx_line("%s: neither a token nor {\"ear\": TOKEN}", path);
		ret = WG_EXIT_REFUSED;
		goto out;
	}
	if ((r = ear_verify(tok, tlen, pub, &claims, &d)) != 0) {
		report_diag(&d, r);
		ret = r == WG_ERR_ALLOC ? WG_EXIT_ERROR : WG_EXIT_REFUSED;
		goto out;
	}
	print_json(claims);
	if (json_object_object_get_ex(claims, "submods", &sm) &&
	    json_object_is_type(sm, json_type_object))
		fprintf(stderr, "%s: EAR verified: %d submod(s)\n", progname,
		    json_object_object_length(sm));
	ret = WG_EXIT_OK;
out:
	json_object_put(claims);
	json_object_put(hold);
	EVP_PKEY_free(pub);
	free(buf);
	return ret;
}

int
cmd_ear(int argc, char **argv)
{
	struct json_object *reply = NULL, *v;
	const char *dev = NULL;
	char path[512], *esc;
	long status = 0;
	int i, json = 0, all = 0, ret;

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_ear_verify(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (dev == NULL && argv[i][0] != '-')
			dev = argv[i];
		else
			return ear_usage();
	}
	if ((dev == NULL) == !all)
		return ear_usage();
	if (all)
		snprintf(path, sizeof(path), "/admin/v1/ear");
	else {
		if ((esc = url_escape(dev)) == NULL) {
			errx_line("ear: device name too long");
			return WG_EXIT_ERROR;
		}
		snprintf(path, sizeof(path), "/admin/v1/devices/%s/ear", esc);
		free(esc);
	}
	if ((ret = admin_call("GET", path, NULL, &reply, &status)) !=
	    WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else if (json)
		print_json(reply);
	else if (json_object_object_get_ex(reply, "ear", &v) &&
	    json_object_is_type(v, json_type_string))
		printf("%s\n", json_object_get_string(v));
	else {
		errx_line("gateway sent no \"ear\"");
		ret = WG_EXIT_ERROR;
	}
	json_object_put(reply);
	return ret;
}
