/*
 * cli_policy.c: wardgate policy learn|check|sign|install|list, and the
 * offline `wardgate appraise` (wardgate(1), wardgate-policy(5)).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "alg.h"
#include "cli.h"
#include "evlog.h"
#include "file.h"
#include "hex.h"
#include "policy.h"

/* Writes len bytes to path ("-" or NULL: stdout), whole or not at all. */
static int
write_file(const char *path, const void *p, size_t len)
{
	FILE *f;
	char tmp[4096];
	int ok;

	if (path == NULL || strcmp(path, "-") == 0)
		return fwrite(p, 1, len, stdout) == len ? 0 : -1;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (f = fopen(tmp, "wbx")) == NULL) {
		errx_line("%s: cannot create", tmp);
		return -1;
	}
	ok = fwrite(p, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		errx_line("%s: cannot write", path);
		return -1;
	}
	return 0;
}

/* Reads and parses a bundle; prints the reason and returns an exit code. */
static int
load_policy(const char *path, uint8_t **buf, size_t *len, struct policy **out)
{
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	if ((r = file_read(path, POLICY_MAX_BYTES, buf, len, &d)) != 0) {
		report_diag(&d, r);
		return r == WG_ERR_TOO_LARGE ? WG_EXIT_REFUSED : WG_EXIT_ERROR;
	}
	if ((r = policy_parse((const char *)*buf, *len, out, &d)) != 0) {
		report_diag(&d, r);
		return WG_EXIT_REFUSED;
	}
	return WG_EXIT_OK;
}

int
cli_load_log(const char *path, struct evlog **log, struct pcr_set *replay)
{
	struct wg_diag d;
	uint8_t *buf = NULL;
	size_t len;
	int r, ret = WG_EXIT_ERROR;

	wg_diag_clear(&d);
	if ((r = file_read(path, EVLOG_DEFAULT_MAX_BYTES, &buf, &len,
	    &d)) != 0) {
		report_diag(&d, r);
		if (r == WG_ERR_TOO_LARGE)
			ret = WG_EXIT_REFUSED;
		goto out;
	}
	if ((r = evlog_parse(buf, len, NULL, log, &d)) != 0 ||
	    (r = evlog_replay(*log, replay, &d)) != 0) {
		report_diag(&d, r);
		ret = WG_EXIT_REFUSED;
		goto out;
	}
	ret = WG_EXIT_OK;
out:
	free(buf);
	return ret;
}

static int
policy_learn_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "eventlog", required_argument, NULL, 'e' },
		{ "model", required_argument, NULL, 'm' },
		{ "release", required_argument, NULL, 'r' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *logp = NULL, *model = NULL, *release = NULL;
	const char *issuer = "draft", *outp = NULL;
	struct evlog *log = NULL;
	struct policy *p = NULL;
	struct pcr_set *replay = NULL;
	struct wg_diag d;
	char *text = NULL;
	int c, r, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'e': logp = optarg; break;
		case 'm': model = optarg; break;
		case 'r': release = optarg; break;
		case 'i': issuer = optarg; break;
		case 'o': outp = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc || logp == NULL || model == NULL || release == NULL)
		goto usage;
	if ((replay = malloc(sizeof(*replay))) == NULL)
		return WG_EXIT_ERROR;
	if ((ret = cli_load_log(logp, &log, replay)) != WG_EXIT_OK)
		goto out;
	wg_diag_clear(&d);
	if ((r = policy_learn(log, issuer, model, release, &p, &d)) != 0) {
		report_diag(&d, r);
		ret = WG_EXIT_REFUSED;
		goto out;
	}
	if ((text = policy_print(p)) == NULL) {
		ret = WG_EXIT_ERROR;
		goto out;
	}
	ret = write_file(outp, text, strlen(text)) == 0 ? WG_EXIT_OK :
	    WG_EXIT_ERROR;
	if (ret == WG_EXIT_OK && outp != NULL && strcmp(outp, "-") != 0)
		fprintf(stderr, "%s: draft for %s release %s written to %s; "
		    "review it, then sign it with `wardgate policy sign`\n",
		    progname, model, release, outp);
out:
	free(text);
	policy_free(p);
	evlog_free(log);
	free(replay);
	return ret;
usage:
	fprintf(stderr, "usage: %s policy learn --eventlog FILE --model M "
	    "--release R [--issuer I] [-o FILE]\n", progname);
	return WG_EXIT_ERROR;
}

static int
policy_check_cmd(int argc, char **argv)
{
	struct policy *p = NULL;
	uint8_t *buf = NULL;
	size_t len;
	char *text;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s policy check FILE\n", progname);
		return WG_EXIT_ERROR;
	}
	if ((ret = load_policy(argv[1], &buf, &len, &p)) == WG_EXIT_OK) {
		if ((text = policy_print(p)) == NULL)
			ret = WG_EXIT_ERROR;
		else {
			fputs(text, stdout);
			free(text);
		}
	}
	policy_free(p);
	free(buf);
	return ret;
}

static EVP_PKEY *
read_key(const char *path, int private)
{
	EVP_PKEY *k = NULL;
	BIO *b;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		errx_line("%s: cannot open", path);
		return NULL;
	}
	k = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (k == NULL)
		errx_line("%s: not a PEM %s key", path,
		    private ? "private" : "public");
	return k;
}

static int
policy_sign_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyp = NULL, *outp = NULL;
	char sigpath[4096];
	struct policy *p = NULL;
	struct wg_diag d;
	EVP_PKEY *key = NULL;
	uint8_t *buf = NULL, *sig = NULL;
	size_t len, siglen;
	int c, r, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keyp = optarg; break;
		case 'o': outp = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || keyp == NULL)
		goto usage;
	/* A bundle that does not parse is never signed. */
	if ((ret = load_policy(argv[optind], &buf, &len, &p)) != WG_EXIT_OK)
		goto out;
	ret = WG_EXIT_ERROR;
	if ((key = read_key(keyp, 1)) == NULL)
		goto out;
	wg_diag_clear(&d);
	if ((r = policy_sign(buf, len, key, &sig, &siglen, &d)) != 0) {
		report_diag(&d, r);
		goto out;
	}
	if (outp == NULL) {
		if (snprintf(sigpath, sizeof(sigpath), "%s.sig", argv[optind]) >=
		    (int)sizeof(sigpath)) {
			errx_line("%s: path too long", argv[optind]);
			goto out;
		}
		outp = sigpath;
	}
	if (write_file(outp, sig, siglen) == 0) {
		fprintf(stderr, "%s: signed %s (issuer %s, version %llu): %s\n",
		    progname, argv[optind], p->issuer,
		    (unsigned long long)p->version, outp);
		ret = WG_EXIT_OK;
	}
out:
	OPENSSL_free(sig);
	EVP_PKEY_free(key);
	policy_free(p);
	free(buf);
	return ret;
usage:
	fprintf(stderr, "usage: %s policy sign --key KEY FILE [-o SIG]\n",
	    progname);
	return WG_EXIT_ERROR;
}

static char *
b64(const uint8_t *p, size_t len)
{
	char *out;

	if (len > (1u << 28) || (out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

static int
policy_install_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sig", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sigp = NULL;
	char sigpath[4096], *bundle64 = NULL, *sig64 = NULL;
	struct json_object *req = NULL, *reply = NULL;
	struct wg_diag d;
	uint8_t *buf = NULL, *sig = NULL;
	size_t len, siglen;
	long status = 0;
	int c, r, ret = WG_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (c == 's')
			sigp = optarg;
		else
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	if (sigp == NULL) {
		if (snprintf(sigpath, sizeof(sigpath), "%s.sig", argv[optind]) >=
		    (int)sizeof(sigpath)) {
			errx_line("%s: path too long", argv[optind]);
			goto out;
		}
		sigp = sigpath;
	}
	wg_diag_clear(&d);
	if ((r = file_read(argv[optind], POLICY_MAX_BYTES, &buf, &len,
	    &d)) != 0 ||
	    (r = file_read(sigp, SMALL_FILE_MAX, &sig, &siglen, &d)) != 0) {
		report_diag(&d, r);
		goto out;
	}
	if ((bundle64 = b64(buf, len)) == NULL || (sig64 = b64(sig, siglen)) ==
	    NULL)
		goto out;
	req = json_object_new_object();
	json_object_object_add(req, "bundle", json_object_new_string(bundle64));
	json_object_object_add(req, "signature", json_object_new_string(sig64));
	if ((ret = admin_call("POST", "/admin/v1/policies",
	    json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &reply,
	    &status)) != WG_EXIT_OK)
		goto out;
	if (status != 200)
		ret = admin_error(reply, status);
	else
		print_json(reply);
out:
	json_object_put(req);
	json_object_put(reply);
	free(bundle64);
	free(sig64);
	free(buf);
	free(sig);
	return ret;
usage:
	fprintf(stderr, "usage: %s policy install FILE [--sig SIG]\n",
	    progname);
	return WG_EXIT_ERROR;
}

static int
policy_list_cmd(int argc, char **argv)
{
	struct json_object *reply = NULL;
	long status = 0;
	int ret;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: %s policy list\n", progname);
		return WG_EXIT_ERROR;
	}
	if ((ret = admin_call("GET", "/admin/v1/policies", NULL, &reply,
	    &status)) != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else
		print_json(reply);
	json_object_put(reply);
	return ret;
}

int
cmd_policy(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "learn") == 0)
		return policy_learn_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return policy_check_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return policy_sign_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "install") == 0)
		return policy_install_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return policy_list_cmd(argc - 1, argv + 1);
	fprintf(stderr, "usage: %s policy learn|check|sign|install|list ...\n",
	    progname);
	return WG_EXIT_ERROR;
}

/* ---- wardgate appraise ---- */

static const char *
status_name(enum policy_status s)
{
	switch (s) {
	case POLICY_APPROVED: return "approved";
	case POLICY_DEPRECATED: return "deprecated";
	case POLICY_REVOKED: return "revoked";
	}
	return "unknown";
}

int
cmd_appraise(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "model", required_argument, NULL, 'm' },
		{ "eventlog", required_argument, NULL, 'e' },
		{ "sig", required_argument, NULL, 's' },
		{ "issuer-key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *polp = NULL, *model = NULL, *logp = NULL, *sigp = NULL;
	const char *keyp = NULL;
	const struct policy_model *pm;
	struct appraise_result res;
	struct policy *p = NULL;
	struct evlog *log = NULL;
	struct pcr_set *replay = NULL;
	struct wg_diag d;
	EVP_PKEY *key = NULL;
	uint8_t *buf = NULL, *sig = NULL;
	size_t len, siglen;
	unsigned i;
	int c, r, json = 0, ret = WG_EXIT_ERROR, signed_ok = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': polp = optarg; break;
		case 'm': model = optarg; break;
		case 'e': logp = optarg; break;
		case 's': sigp = optarg; break;
		case 'k': keyp = optarg; break;
		case 'j': json = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc || polp == NULL || model == NULL || logp == NULL ||
	    (sigp == NULL) != (keyp == NULL))
		goto usage;
	if ((replay = malloc(sizeof(*replay))) == NULL)
		goto out;
	/* Errors reading the inputs are errors (2), not verdicts. */
	if (load_policy(polp, &buf, &len, &p) != WG_EXIT_OK)
		goto out;
	wg_diag_clear(&d);
	if (sigp != NULL) {
		if ((r = file_read(sigp, SMALL_FILE_MAX, &sig, &siglen,
		    &d)) != 0 || (key = read_key(keyp, 0)) == NULL) {
			if (r != 0)
				report_diag(&d, r);
			goto out;
		}
		if ((r = policy_verify(buf, len, sig, siglen, key, &d)) != 0) {
			report_diag(&d, r);
			goto out;
		}
		signed_ok = 1;
	}
	if (cli_load_log(logp, &log, replay) != WG_EXIT_OK)
		goto out;
	if ((pm = policy_model_find(p, model)) == NULL) {
		errx_line("%s: %s: the policy has no model \"%s\"",
		    wg_errname(WG_ERR_POLICY_NO_MODEL), polp, model);
		ret = WG_EXIT_REFUSED;
		goto out;
	}
	memset(&res, 0, sizeof(res));
	if ((r = appraise(pm, log, replay, (int64_t)time(NULL), &res,
	    &d)) != 0) {
		report_diag(&d, r);
		goto out;
	}
	ret = res.pass ? WG_EXIT_OK : WG_EXIT_REFUSED;
	if (json) {
		struct json_object *o = json_object_new_object(), *a;

		json_object_object_add(o, "pass",
		    json_object_new_boolean(res.pass));
		json_object_object_add(o, "policy", json_object_new_string(
		    signed_ok ? "signed" : "unsigned draft"));
		json_object_object_add(o, "issuer",
		    json_object_new_string(p->issuer));
		json_object_object_add(o, "version",
		    json_object_new_int64((int64_t)p->version));
		json_object_object_add(o, "model", json_object_new_string(model));
		json_object_object_add(o, "release", res.release != NULL ?
		    json_object_new_string(res.release->release) : NULL);
		json_object_object_add(o, "status", res.release != NULL ?
		    json_object_new_string(status_name(res.release->status)) :
		    NULL);
		json_object_object_add(o, "warning",
		    json_object_new_boolean(res.warning));
		a = json_object_new_array();
		for (i = 0; i < res.nreasons; i++) {
			const struct appraise_reason *x = &res.reasons[i];
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "code",
			    json_object_new_string(wg_errname(x->code)));
			json_object_object_add(e, "event", x->event >= 0 ?
			    json_object_new_int64(x->event) : NULL);
			json_object_object_add(e, "pcr", x->pcr != UINT32_MAX ?
			    json_object_new_int64(x->pcr) : NULL);
			json_object_object_add(e, "type", x->type != 0 &&
			    evlog_type_name(x->type) != NULL ?
			    json_object_new_string(evlog_type_name(x->type)) :
			    NULL);
			json_object_object_add(e, "message",
			    json_object_new_string(x->text));
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "reasons", a);
		print_json(o);
		json_object_put(o);
		goto out;
	}
	if (!signed_ok)
		printf("note: %s is not checked against a signature (an "
		    "unsigned draft)\n", polp);
	if (res.pass)
		printf("PASS: %s matches release %s (%s) of %s, policy %s "
		    "version %llu\n", logp, res.release->release,
		    status_name(res.release->status), model, p->issuer,
		    (unsigned long long)p->version);
	else
		printf("FAIL: %s is not an allowed boot of %s (policy %s "
		    "version %llu)\n", logp, model, p->issuer,
		    (unsigned long long)p->version);
	for (i = 0; i < res.nreasons; i++)
		printf("  %s: %s\n", wg_errname(res.reasons[i].code),
		    res.reasons[i].text);
out:
	EVP_PKEY_free(key);
	free(sig);
	evlog_free(log);
	free(replay);
	policy_free(p);
	free(buf);
	return ret;
usage:
	fprintf(stderr, "usage: %s appraise --policy FILE --model M "
	    "--eventlog FILE [--sig SIG --issuer-key PEM] [--json]\n",
	    progname);
	return WG_EXIT_ERROR;
}
