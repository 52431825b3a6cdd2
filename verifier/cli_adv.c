/* cli_adv.c: wardgate advisory add FILE | advisory list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "cli.h"
#include "file.h"

static int
advisory_add(const char *path)
{
	struct json_object *reply = NULL, *devs;
	struct advisory *a = NULL;
	struct wg_diag d;
	uint8_t *buf = NULL;
	char *text = NULL;
	long status = 0;
	size_t len, i;
	int r, ret = WG_EXIT_ERROR;

	wg_diag_clear(&d);
	if ((r = file_read(path, ADVISORY_MAX_BYTES, &buf, &len, &d)) != 0) {
		report_diag(&d, r);
		goto out;
	}
	/* Checked here first, so that a typo is named before anything. */
	if ((a = malloc(sizeof(*a))) == NULL ||
	    (text = malloc(len + 1)) == NULL)
		goto out;
	if ((r = advisory_parse((const char *)buf, len, a, &d)) != 0) {
		report_diag(&d, r);
		ret = WG_EXIT_REFUSED;
		goto out;
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	if ((ret = admin_call("POST", "/admin/v1/advisories", text, &reply,
	    &status)) != WG_EXIT_OK)
		goto out;
	if (status != 200) {
		ret = admin_error(reply, status);
		goto out;
	}
	devs = json_object_object_get(reply, "devices");
	printf("advisory %s (%s) recorded: %zu device(s) affected\n", a->id,
	    advisory_action_name(a->action), json_object_array_length(devs));
	for (i = 0; i < json_object_array_length(devs); i++)
		printf("  %s\n", json_object_get_string(
		    json_object_array_get_idx(devs, i)));
out:
	json_object_put(reply);
	free(text);
	free(a);
	free(buf);
	return ret;
}

int
cmd_advisory(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "add") == 0)
		return advisory_add(argv[2]);
	if (argc != 2 || strcmp(argv[1], "list") != 0) {
		fprintf(stderr, "usage: %s advisory add FILE | advisory list\n",
		    progname);
		return WG_EXIT_ERROR;
	}
	return admin_print("GET", "/admin/v1/advisories", NULL);
}
