/*
 * cli_evidence.c: wardgate evidence export (a device's signed evidence
 * bundle from the gateway, into a file) and wardgate evidence verify
 * (offline, lib/evidence.h). docs/evidence.md.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"
#include "ear.h"
#include "evidence.h"
#include "file.h"

static int
evidence_usage(void)
{
	fprintf(stderr, "usage: %s evidence export DEVICE -o FILE\n"
	    "       %s evidence verify [--key PUB.pem] FILE|-\n",
	    progname, progname);
	return WG_EXIT_ERROR;
}

static int
cmd_evidence_export(int argc, char **argv)
{
	struct json_object *reply = NULL;
	const char *dev = NULL, *outp = NULL, *text;
	char path[512], *esc;
	long status = 0;
	FILE *f = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outp = argv[++i];
		else if (dev == NULL && argv[i][0] != '-')
			dev = argv[i];
		else
			return evidence_usage();
	}
	if (dev == NULL || outp == NULL)
		return evidence_usage();
	if ((esc = url_escape(dev)) == NULL) {
		errx_line("evidence: device name too long");
		return WG_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/admin/v1/devices/%s/evidence", esc);
	free(esc);
	if ((ret = admin_call("GET", path, NULL, &reply, &status)) !=
	    WG_EXIT_OK)
		return ret;
	if (status != 200) {
		ret = admin_error(reply, status);
		goto out;
	}
	/* "signed" is a JSON string: its bytes survive the round trip. */
	text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = WG_EXIT_ERROR;
	if (text == NULL) {
		errx_line("evidence: out of memory");
		goto out;
	}
	if ((f = fopen(outp, "w")) == NULL) {
		errx_line("%s: %s", outp, strerror(errno));
		goto out;
	}
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF) {
		errx_line("%s: %s", outp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		errx_line("%s: %s", outp, strerror(errno));
		goto out;
	}
	f = NULL;
	fprintf(stderr, "%s: evidence of %s written to %s\n", progname, dev,
	    outp);
	ret = WG_EXIT_OK;
out:
	if (f != NULL)
		fclose(f);
	json_object_put(reply);
	return ret;
}

static int
cmd_evidence_verify(int argc, char **argv)
{
	struct evidence_report *rep = NULL;
	const char *key = NULL, *path = NULL;
	EVP_PKEY *pub = NULL;
	struct wg_diag d;
	uint8_t *buf = NULL;
	size_t len, i;
	int j, r, ret = WG_EXIT_ERROR;

	wg_diag_clear(&d);
	for (j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--key") == 0 && j + 1 < argc)
			key = argv[++j];
		else if (path == NULL && (argv[j][0] != '-' ||
		    strcmp(argv[j], "-") == 0))
			path = argv[j];
		else
			return evidence_usage();
	}
	if (path == NULL)
		return evidence_usage();
	if (key != NULL && ear_pubkey_load(key, &pub, &d) != 0) {
		errx_line("%s", d.detail);
		goto out;
	}
	if ((rep = calloc(1, sizeof(*rep))) == NULL) {
		errx_line("out of memory");
		goto out;
	}
	if (file_read(path, EVIDENCE_MAX, &buf, &len, &d) != 0) {
		report_diag(&d, d.err);
		goto out;
	}
	if ((r = evidence_verify((const char *)buf, len, pub, rep,
	    &d)) != 0) {
		report_diag(&d, r);
		ret = r == WG_ERR_ALLOC ? WG_EXIT_ERROR : WG_EXIT_REFUSED;
		goto out;
	}
	printf("device %s\n", rep->device_id[0] != '\0' ? rep->device_id :
	    "(unknown)");
	printf("signed by gateway key %s%s\n", rep->kid[0] != '\0' ?
	    rep->kid : "(none)", rep->key_pinned ? " (pinned with --key)" :
	    "");
	printf("%zu attestation(s), %zu audit row(s), %zu policy bundle(s) "
	    "checked, %zu not checked%s\n", rep->attestations, rep->audit_rows,
	    rep->policies_checked, rep->policies_unchecked,
	    rep->decommissioned ? ", decommissioned" : "");
	for (i = 0; i < rep->nnotes; i++)
		printf("%s %s: %s\n", rep->notes[i].bad ? "FAIL" : "ok  ",
		    rep->notes[i].part, rep->notes[i].text);
	if (rep->dropped > 0)
		printf("FAIL (%zu more findings not shown)\n", rep->dropped);
	if (key == NULL)
		fprintf(stderr, "%s: WARNING: no --key: the signature was "
		    "checked only against the key inside the file, which "
		    "anyone can make; pin the gateway's public key with --key "
		    "PUB.pem\n", progname);
	if (rep->nbad > 0) {
		fprintf(stderr, "%s: evidence REFUSED: %zu problem(s):",
		    progname, rep->nbad);
		for (i = 0; i < rep->nnotes; i++)
			if (rep->notes[i].bad)
				fprintf(stderr, " %s", rep->notes[i].part);
		fprintf(stderr, "\n");
		ret = WG_EXIT_REFUSED;
	} else {
		fprintf(stderr, "%s: evidence verified%s\n", progname,
		    key == NULL ? " (key not pinned)" : "");
		ret = WG_EXIT_OK;
	}
out:
	EVP_PKEY_free(pub);
	free(buf);
	free(rep);
	return ret;
}

int
cmd_evidence(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_evidence_export(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_evidence_verify(argc - 1, argv + 1);
	return evidence_usage();
}
