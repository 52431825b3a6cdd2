/*
 * bench.c: `make bench`. Prints "BENCH <name> <value> <unit>" lines, each
 * figure beside the machine's own limit measured in the same run
 * (OpenSSL's raw verify rate for the same key), on one core.
 *
 *   evlog_replay_{small,medium,large}   parse + replay of corpus logs
 *   openssl_verify_{ecdsa_p256,rsa2048} raw EVP_PKEY_verify of a digest
 *   appraise_first_*                    decode, signature, nonce, PCR digest
 *                                       and replay of a ~30 KB log
 *   appraise_repeat_*                   the same device and boot again: the
 *                                       replay remembered by the log's hash
 *   policy_appraise_per_s               appraise() of a parsed, replayed
 *                                       ~30 KB log against a release made
 *                                       from it (every rule it supports)
 *
 * Each figure is the best of BENCH_ROUNDS timed rounds of BENCH_SECONDS
 * (environment; defaults 3 and 0.5), which keeps one noisy moment on a
 * shared machine from deciding the figure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "attest.h"
#include "evlog.h"
#include "pcr.h"
#include "policy.h"
#include "quote.h"
#include "rcache.h"
#include "swquote.h"
#include "testutil.h"

static double bench_seconds = 0.5;
static int bench_rounds = 3;

typedef int (*bench_fn)(void *arg);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Operations per second: the best round. Exits if an operation fails. */
static double
rate(const char *what, bench_fn fn, void *arg)
{
	double best = 0;
	int round;

	for (round = 0; round < bench_rounds; round++) {
		double t0 = now(), t;
		long n = 0;

		do {
			int i;

			for (i = 0; i < 16; i++) {
				if (fn(arg) != 0) {
					fprintf(stderr, "bench: %s failed\n", what);
					exit(1);
				}
			}
			n += 16;
			t = now() - t0;
		} while (t < bench_seconds);
		if (n / t > best)
			best = n / t;
	}
	return best;
}

/* ---- event-log replay ---- */

struct replay_arg {
	uint8_t *log;
	size_t len;
	struct pcr_set pcrs;
};

static int
do_replay(void *p)
{
	struct replay_arg *a = p;
	struct evlog *log = NULL;
	int r;

	if ((r = evlog_parse(a->log, a->len, NULL, &log, NULL)) == 0)
		r = evlog_replay(log, &a->pcrs, NULL);
	evlog_free(log);
	return r;
}

static int
load_log(const char *name, struct replay_arg *a)
{
	char path[512];

	tu_data_path(name, path, sizeof(path));
	if (tu_read_file(path, EVLOG_DEFAULT_MAX_BYTES, &a->log, &a->len) != 0) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return -1;
	}
	return 0;
}

static void
bench_replay(const char *label, const char *name)
{
	struct replay_arg *a = calloc(1, sizeof(*a));
	struct evlog *log = NULL;
	double r;

	if (a == NULL || load_log(name, a) != 0)
		exit(1);
	if (evlog_parse(a->log, a->len, NULL, &log, NULL) != 0)
		exit(1);
	printf("# evlog_replay_%s: %s, %zu bytes, %zu events, %u bank(s)\n",
	    label, name, a->len, log->nevents, log->nalgs);
	evlog_free(log);
	r = rate(label, do_replay, a);
	printf("BENCH evlog_replay_%s %.0f replays/s\n", label, r);
	free(a->log);
	free(a);
}

/* ---- policy appraisal ---- */

struct policy_arg {
	struct evlog *log;
	struct pcr_set pcrs;
	struct policy_model model;
	struct policy_release rel;
};

static int
do_policy_appraise(void *p)
{
	struct policy_arg *a = p;
	struct appraise_result res;
	int r;

	if ((r = appraise(&a->model, a->log, &a->pcrs, 0, &res, NULL)) != 0)
		return r;
	return res.pass ? 0 : -1;
}

static void
bench_add_digest(struct policy_digests *l, uint16_t alg, const uint8_t *p,
    size_t len)
{
	struct policy_digest *v;

	if (len > ALG_MAX_DIGEST ||
	    (v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL)
		exit(1);
	l->v = v;
	memset(&v[l->n], 0, sizeof(v[l->n]));
	v[l->n].alg = alg;
	memcpy(v[l->n].digest, p, len);
	l->n++;
}

static void
bench_add_event(struct policy_digests *l, const struct evlog_event *ev)
{
	unsigned k;

	for (k = 0; k < ev->ndigests; k++)
		if (alg_by_id(ev->digest[k].alg) != NULL)
			bench_add_digest(l, ev->digest[k].alg,
			    ev->digest[k].bytes, ev->digest[k].size);
}

/*
 * A release with every rule the log supports: S-CRTM version, firmware
 * blobs, boot applications, drivers, Secure Boot if on, PK/KEK/db/dbx and
 * the replayed PCRs 0-7 of every bank. (policy_learn's job; done here by
 * hand so the figure does not depend on it.)
 */
static void
bench_release(struct policy_release *r, const struct evlog *log,
    const struct pcr_set *pcrs)
{
	static const char *names[] = { "PK", "KEK", "db", "dbx" };
	struct policy_digests *vars[] = { &r->pk, &r->kek, &r->db, &r->dbx };
	struct evlog_data *dd = malloc(sizeof(*dd));
	const struct evlog_event *ev;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl, i;
	size_t e;

	if (dd == NULL)
		exit(1);
	memset(r, 0, sizeof(*r));
	snprintf(r->release, sizeof(r->release), "bench");
	r->secure_boot = -1;
	for (e = 0; e < log->nevents; e++) {
		ev = &log->events[e];
		if (ev->pcr >= PCR_COUNT || ev->type == EV_NO_ACTION)
			continue;
		switch (ev->type) {
		case EV_S_CRTM_VERSION:
			if (evlog_decode(ev, dd, NULL) != 0 ||
			    strlen(dd->u.text) >= POLICY_TEXT_LEN ||
			    (r->scrtm = realloc(r->scrtm, (r->n_scrtm + 1) *
			    sizeof(*r->scrtm))) == NULL)
				exit(1);
			memcpy(r->scrtm[r->n_scrtm++], dd->u.text,
			    strlen(dd->u.text) + 1);
			break;
		case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		case EV_POST_CODE:
			if (ev->pcr == 0)
				bench_add_event(&r->firmware, ev);
			break;
		case EV_EFI_BOOT_SERVICES_APPLICATION:
			bench_add_event(&r->boot_apps, ev);
			break;
		case EV_EFI_BOOT_SERVICES_DRIVER:
		case EV_EFI_RUNTIME_SERVICES_DRIVER:
			bench_add_event(&r->drivers, ev);
			break;
		case EV_EFI_VARIABLE_DRIVER_CONFIG:
			if (evlog_decode(ev, dd, NULL) != 0)
				exit(1);
			if (strcmp(dd->u.var.name, "SecureBoot") == 0 &&
			    dd->u.var.data_len == 1 && dd->u.var.data[0] == 1)
				r->secure_boot = 1;
			for (i = 0; i < 4; i++) {
				if (strcmp(dd->u.var.name, names[i]) != 0)
					continue;
				if (EVP_Digest(dd->u.var.data,
				    dd->u.var.data_len, h, &hl, EVP_sha256(),
				    NULL) != 1)
					exit(1);
				bench_add_digest(vars[i], TPM2_ALG_SHA256, h,
				    hl);
			}
			break;
		default:
			break;
		}
	}
	r->has_pcrs = 1;
	r->pcrs = *pcrs;
	for (i = 0; i < r->pcrs.nbanks; i++)
		r->pcrs.bank[i].present &= 0xffu;
	free(dd);
}

static void
bench_policy_appraise(const char *name)
{
	struct policy_arg *a = calloc(1, sizeof(*a));
	struct replay_arg *ra = calloc(1, sizeof(*ra));
	struct policy_release *r;
	double rt, pr;

	if (a == NULL || ra == NULL || load_log(name, ra) != 0 ||
	    evlog_parse(ra->log, ra->len, NULL, &a->log, NULL) != 0 ||
	    evlog_replay(a->log, &a->pcrs, NULL) != 0)
		exit(1);
	r = &a->rel;
	bench_release(r, a->log, &a->pcrs);
	snprintf(a->model.model, sizeof(a->model.model), "bench");
	a->model.nrel = 1;
	a->model.rel = r;
	printf("# policy_appraise: %s (%zu bytes, %zu events), one release: "
	    "%zu S-CRTM, %zu firmware, %zu apps, %zu drivers, pk/kek/db/dbx "
	    "%zu/%zu/%zu/%zu, PCRs 0-7 of %u banks\n", name, ra->len,
	    a->log->nevents, r->n_scrtm, r->firmware.n, r->boot_apps.n,
	    r->drivers.n, r->pk.n, r->kek.n, r->db.n, r->dbx.n,
	    r->pcrs.nbanks);
	rt = rate("policy appraise", do_policy_appraise, a);
	pr = rate("parse + replay", do_replay, ra);
	printf("# for scale: parse + replay of the same log %.0f/s\n", pr);
	printf("BENCH policy_appraise_per_s %.0f appraisals/s\n", rt);

	free(r->scrtm);
	free(r->firmware.v);
	free(r->boot_apps.v);
	free(r->drivers.v);
	free(r->pk.v);
	free(r->kek.v);
	free(r->db.v);
	free(r->dbx.v);
	evlog_free(a->log);
	free(ra->log);
	free(ra);
	free(a);
}

/* ---- raw verify and appraisal ---- */

struct appraise_arg {
	const char *label;
	struct swquote_key *sk;
	struct quote_key *ak;
	uint8_t attest[1024], sig[1024], nonce[32], hash[RCACHE_KEY_LEN];
	size_t attest_len, sig_len;
	uint8_t *log;
	size_t log_len;
	struct rcache *cache;
	/* raw verify */
	EVP_PKEY_CTX *vctx;
	uint8_t digest[32], rawsig[1024];
	size_t rawsig_len;
};

static int
do_raw_verify(void *p)
{
	struct appraise_arg *a = p;

	return EVP_PKEY_verify(a->vctx, a->rawsig, a->rawsig_len, a->digest,
	    sizeof(a->digest)) == 1 ? 0 : -1;
}

static int
do_appraise(struct appraise_arg *a, int repeat)
{
	struct attest_in in;
	struct quote_info info;

	memset(&in, 0, sizeof(in));
	in.ak = a->ak;
	in.attest = a->attest;
	in.attest_len = a->attest_len;
	in.sig = a->sig;
	in.sig_len = a->sig_len;
	in.nonce = a->nonce;
	in.nonce_len = sizeof(a->nonce);
	if (repeat) {
		in.log_hash = a->hash;
		return attest_verify(a->cache, &in, &info, NULL);
	}
	in.log = a->log;
	in.log_len = a->log_len;
	return attest_verify(NULL, &in, &info, NULL);
}

static int
do_appraise_first(void *p)
{
	return do_appraise(p, 0);
}

static int
do_appraise_repeat(void *p)
{
	return do_appraise(p, 1);
}

static void
setup_raw(struct appraise_arg *a)
{
	EVP_PKEY_CTX *sctx;

	if (RAND_bytes(a->digest, sizeof(a->digest)) != 1 ||
	    (sctx = EVP_PKEY_CTX_new(a->sk->pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(sctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(sctx, EVP_sha256()) != 1)
		exit(1);
	a->rawsig_len = sizeof(a->rawsig);
	if (EVP_PKEY_sign(sctx, a->rawsig, &a->rawsig_len, a->digest,
	    sizeof(a->digest)) != 1)
		exit(1);
	EVP_PKEY_CTX_free(sctx);
	if ((a->vctx = EVP_PKEY_CTX_new(a->sk->pkey, NULL)) == NULL ||
	    EVP_PKEY_verify_init(a->vctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(a->vctx, EVP_sha256()) != 1)
		exit(1);
}

static void
bench_appraise(const char *label, uint16_t sig_alg, unsigned param,
    const char *logname)
{
	struct appraise_arg *a = calloc(1, sizeof(*a));
	struct replay_arg *ra = calloc(1, sizeof(*ra));
	struct pcr_set *pcrs = calloc(1, sizeof(*pcrs));
	TPML_PCR_SELECTION sel;
	uint8_t pub[1024];
	size_t publen;
	double raw, first, repeat;

	if (a == NULL || ra == NULL || pcrs == NULL || load_log(logname, ra) != 0)
		exit(1);
	a->label = label;
	a->log = ra->log;
	a->log_len = ra->len;
	if (swquote_key_new(sig_alg, TPM2_ALG_SHA256, param, &a->sk) != 0 ||
	    swquote_key_public(a->sk, pub, sizeof(pub), &publen) != 0 ||
	    quote_key_load(pub, publen, 1, &a->ak, NULL) != 0) {
		fprintf(stderr, "bench: key setup failed for %s\n", label);
		exit(1);
	}
	if (attest_replay(NULL, a->log, a->log_len, NULL, pcrs, a->hash,
	    NULL) != 0 ||
	    pcr_selection_parse("sha256:0-9", &sel, NULL) != 0 ||
	    RAND_bytes(a->nonce, sizeof(a->nonce)) != 1)
		exit(1);
	a->attest_len = sizeof(a->attest);
	a->sig_len = sizeof(a->sig);
	if (swquote_make(a->sk, a->nonce, sizeof(a->nonce), &sel, pcrs, 1000,
	    a->attest, &a->attest_len, a->sig, &a->sig_len) != 0)
		exit(1);
	if ((a->cache = rcache_new(64)) == NULL)
		exit(1);
	/* The first appraisal of this boot fills the cache. */
	{
		struct attest_in in;
		struct quote_info info;

		memset(&in, 0, sizeof(in));
		in.ak = a->ak;
		in.attest = a->attest;
		in.attest_len = a->attest_len;
		in.sig = a->sig;
		in.sig_len = a->sig_len;
		in.nonce = a->nonce;
		in.nonce_len = sizeof(a->nonce);
		in.log = a->log;
		in.log_len = a->log_len;
		if (attest_verify(a->cache, &in, &info, NULL) != 0) {
			fprintf(stderr, "bench: the genuine quote failed\n");
			exit(1);
		}
	}
	setup_raw(a);

	printf("# appraise_*_%s: %s (%zu bytes), quote of sha256:0-9, "
	    "%zu-byte TPMS_ATTEST\n", label, logname, a->log_len,
	    a->attest_len);
	raw = rate("raw verify", do_raw_verify, a);
	first = rate("first appraisal", do_appraise_first, a);
	repeat = rate("repeat appraisal", do_appraise_repeat, a);
	printf("BENCH openssl_verify_%s %.0f verify/s\n", label, raw);
	printf("BENCH appraise_first_%s %.0f appraisals/s\n", label, first);
	printf("BENCH appraise_first_%s_vs_raw %.2f ratio\n", label,
	    first / raw);
	printf("BENCH appraise_repeat_%s %.0f appraisals/s\n", label, repeat);
	printf("BENCH appraise_repeat_%s_vs_raw %.2f ratio\n", label,
	    repeat / raw);

	EVP_PKEY_CTX_free(a->vctx);
	rcache_free(a->cache);
	quote_key_free(a->ak);
	swquote_key_free(a->sk);
	free(ra->log);
	free(ra);
	free(pcrs);
	free(a);
}

int
main(void)
{
	const char *s;

	if ((s = getenv("BENCH_SECONDS")) != NULL && atof(s) > 0)
		bench_seconds = atof(s);
	if ((s = getenv("BENCH_ROUNDS")) != NULL && atoi(s) > 0)
		bench_rounds = atoi(s);
	printf("# wardgate bench: one core, best of %d x %.2fs per figure\n",
	    bench_rounds, bench_seconds);

	bench_replay("small", "eventlogs/sd-boot-fedora37-sha256.bin");
	bench_replay("medium", "eventlogs/archlinux-workstation-systemd-boot.bin");
	bench_replay("large", "eventlogs/win10-latitude7520-sha256-wbcl.bin");
	bench_policy_appraise("eventlogs/ubuntu2110-lenovo-amd-3banks.bin");

	printf("# targets: first-time ECDSA-P256 appraisal >= 0.35 x raw, "
	    "repeat >= 0.70 x raw\n");
	bench_appraise("ecdsa_p256", TPM2_ALG_ECDSA, TPM2_ECC_NIST_P256,
	    "eventlogs/ubuntu2110-lenovo-amd-3banks.bin");
	bench_appraise("rsa2048", TPM2_ALG_RSASSA, 2048,
	    "eventlogs/ubuntu2110-lenovo-amd-3banks.bin");
	return 0;
}
