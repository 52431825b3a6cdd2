/*
 * test_attest.c: a quote checked against an event log's replay, with and
 * without the replay cache. Quotes are made by tests/common/swquote (a
 * software signer standing in for the TPM; tests/integration uses swtpm).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "attest.h"
#include "swquote.h"
#include "testutil.h"

struct fixture {
	uint8_t *log;
	size_t log_len;
	struct swquote_key *sk;
	struct quote_key *ak;
	struct pcr_set pcrs;
	uint8_t hash[RCACHE_KEY_LEN];
	uint8_t nonce[32];
	uint8_t attest[1024], sig[1024];
	size_t attest_len, sig_len;
};

static int
quote_over(struct fixture *f, const char *selection)
{
	TPML_PCR_SELECTION sel;

	if (pcr_selection_parse(selection, &sel, NULL) != 0)
		return -1;
	f->attest_len = sizeof(f->attest);
	f->sig_len = sizeof(f->sig);
	return swquote_make(f->sk, f->nonce, sizeof(f->nonce), &sel, &f->pcrs,
	    4242, f->attest, &f->attest_len, f->sig, &f->sig_len);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512];
	uint8_t pub[1024];
	size_t publen;
	unsigned i;

	if (f == NULL)
		return -1;
	tu_data_path("eventlogs/archlinux-workstation-systemd-boot.bin", path,
	    sizeof(path));
	if (tu_read_file(path, 1 << 20, &f->log, &f->log_len) != 0)
		return -1;
	if (attest_replay(NULL, f->log, f->log_len, NULL, &f->pcrs, f->hash,
	    NULL) != 0)
		return -1;
	if (swquote_key_new(TPM2_ALG_ECDSA, TPM2_ALG_SHA256, TPM2_ECC_NIST_P256,
	    &f->sk) != 0 ||
	    swquote_key_public(f->sk, pub, sizeof(pub), &publen) != 0 ||
	    quote_key_load(pub, publen, 1, &f->ak, NULL) != 0)
		return -1;
	for (i = 0; i < sizeof(f->nonce); i++)
		f->nonce[i] = (uint8_t)(i * 7 + 1);
	if (quote_over(f, "sha256:0-9+sha1:0-9") != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	quote_key_free(f->ak);
	swquote_key_free(f->sk);
	free(f->log);
	free(f);
	return 0;
}

static void
fill_in(const struct fixture *f, struct attest_in *in)
{
	memset(in, 0, sizeof(*in));
	in->ak = f->ak;
	in->attest = f->attest;
	in->attest_len = f->attest_len;
	in->sig = f->sig;
	in->sig_len = f->sig_len;
	in->nonce = f->nonce;
	in->nonce_len = sizeof(f->nonce);
	in->log = f->log;
	in->log_len = f->log_len;
}

static void
test_replay_hash(void **state)
{
	struct fixture *f = *state;
	uint8_t h[32];
	unsigned int n;

	/* The key is the SHA-256 of the exact log bytes. */
	assert_int_equal(EVP_Digest(f->log, f->log_len, h, &n, EVP_sha256(),
	    NULL), 1);
	assert_memory_equal(h, f->hash, 32);
	/* The replay covers both declared banks of this log. */
	assert_int_equal(f->pcrs.nbanks, 2);
	assert_non_null(pcr_set_find(&f->pcrs, TPM2_ALG_SHA1));
	assert_non_null(pcr_set_find(&f->pcrs, TPM2_ALG_SHA256));
}

static void
test_good_without_cache(void **state)
{
	struct fixture *f = *state;
	struct attest_in in;
	struct quote_info info;
	struct wg_diag d;

	fill_in(f, &in);
	assert_int_equal(attest_verify(NULL, &in, &info, &d), 0);
	assert_int_equal(info.attest.clockInfo.clock, 4242);
	assert_int_equal(info.sig_alg, TPM2_ALG_ECDSA);
}

static void
test_cache_by_hash(void **state)
{
	struct fixture *f = *state;
	struct rcache *c = rcache_new(4);
	struct attest_in in;
	struct quote_info info;
	struct wg_diag d;
	uint8_t other[RCACHE_KEY_LEN];

	assert_non_null(c);
	/* Only a hash, nothing replayed yet: the log is needed. */
	fill_in(f, &in);
	in.log = NULL;
	in.log_len = 0;
	in.log_hash = f->hash;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_NOT_FOUND);
	/* The first appraisal with the log fills the cache... */
	fill_in(f, &in);
	assert_int_equal(attest_verify(c, &in, &info, &d), 0);
	assert_int_equal(rcache_count(c), 1);
	/* ...and the repeat names it by hash. */
	in.log = NULL;
	in.log_len = 0;
	in.log_hash = f->hash;
	assert_int_equal(attest_verify(c, &in, &info, &d), 0);
	/* An unknown hash is not a pass. */
	memcpy(other, f->hash, sizeof(other));
	other[5] ^= 1;
	in.log_hash = other;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_NOT_FOUND);
	/* A log that is not the one its hash names is refused. */
	fill_in(f, &in);
	in.log_hash = other;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_INVALID_ARG);
	/* The cached replay still gates on the signature and nonce. */
	in.log = NULL;
	in.log_len = 0;
	in.log_hash = f->hash;
	in.nonce_len = 31;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_QUOTE_NONCE);
	rcache_free(c);
}

static void
test_tampered_log(void **state)
{
	struct fixture *f = *state;
	struct rcache *c = rcache_new(4);
	struct attest_in in;
	struct quote_info info;
	struct wg_diag d;
	struct evlog *log = NULL;
	uint8_t *bad = malloc(f->log_len);
	size_t i, off = 0;

	assert_non_null(c);
	assert_non_null(bad);
	/* Change one byte of the first sha256 digest of a PCR 4 event. */
	assert_int_equal(evlog_parse(f->log, f->log_len, NULL, &log, NULL), 0);
	for (i = 0; i < log->nevents && off == 0; i++) {
		const struct evlog_event *ev = &log->events[i];
		unsigned k;

		if (ev->pcr != 4 || ev->type == EV_NO_ACTION)
			continue;
		for (k = 0; k < ev->ndigests; k++)
			if (ev->digest[k].alg == TPM2_ALG_SHA256)
				off = (size_t)(ev->digest[k].bytes - log->raw);
	}
	evlog_free(log);
	assert_true(off > 0);
	memcpy(bad, f->log, f->log_len);
	bad[off + 3] ^= 0x10;
	fill_in(f, &in);
	in.log = bad;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_QUOTE_PCR_DIGEST);
	/* Refused evidence must not make the genuine hash a hit. */
	in.log = NULL;
	in.log_hash = f->hash;
	assert_int_equal(attest_verify(c, &in, &info, &d), WG_ERR_NOT_FOUND);
	/* A truncated log is refused, whatever the cut. */
	fill_in(f, &in);
	for (i = 1; i < f->log_len; i += 97) {
		in.log = f->log;
		in.log_len = f->log_len - i;
		assert_int_not_equal(attest_verify(c, &in, &info, &d), 0);
	}
	free(bad);
	rcache_free(c);
}

static void
test_bank_not_in_log(void **state)
{
	struct fixture *f = *state;
	struct attest_in in;
	struct quote_info info;
	struct wg_diag d;
	struct pcr_bank *b;
	struct pcr_set saved = f->pcrs;

	/* A quote of sha384 PCRs: the log has no sha384 bank to check. */
	assert_int_equal(pcr_set_add_bank(&f->pcrs, TPM2_ALG_SHA384, &b), 0);
	pcr_bank_reset(b);
	assert_int_equal(quote_over(f, "sha384:0-7"), 0);
	fill_in(f, &in);
	assert_int_equal(attest_verify(NULL, &in, &info, &d),
	    WG_ERR_QUOTE_PCR_MISSING);
	f->pcrs = saved;
	assert_int_equal(quote_over(f, "sha256:0-9+sha1:0-9"), 0);
}

static void
test_incomplete(void **state)
{
	struct fixture *f = *state;
	struct attest_in in;
	struct quote_info info;

	fill_in(f, &in);
	in.log = NULL;
	assert_int_equal(attest_verify(NULL, &in, &info, NULL),
	    WG_ERR_INVALID_ARG);
	fill_in(f, &in);
	in.ak = NULL;
	assert_int_equal(attest_verify(NULL, &in, &info, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(attest_verify(NULL, NULL, &info, NULL),
	    WG_ERR_INVALID_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_hash),
		cmocka_unit_test(test_good_without_cache),
		cmocka_unit_test(test_cache_by_hash),
		cmocka_unit_test(test_tampered_log),
		cmocka_unit_test(test_bank_not_in_log),
		cmocka_unit_test(test_incomplete),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
