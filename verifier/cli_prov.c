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

int
cmd_device_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
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
	int c, r, ret = WG_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'f')
			goto usage;
		fmtarg = optarg;
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
	if ((ret = admin_call("POST", "/admin/v1/provision/batch", body,
	    &reply, &status)) != WG_EXIT_OK)
		goto out;
	if (status != 200) {
		ret = admin_error(reply, status);
		goto out;
	}
	printf("imported %zu provisioning record%s from %s", pf->n,
	    pf->n == 1 ? "" : "s", path);
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
	fprintf(stderr, "usage: %s device import FILE [--format csv|json]\n",
	    progname);
	return WG_EXIT_ERROR;
}
