/*
 * test_quote.c: quote decoding and verification, with software-signed
 * quotes (tests/common/swquote) for RSASSA, RSAPSS, ECDSA P-256 and P-384
 * keys, and with real quotes a swtpm made (tests/data/quote).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "pcr.h"
#include "quote.h"
#include "wg_err.h"
#include "../common/swquote.h"
#include "../common/testutil.h"

struct kind {
	const char *name;
	uint16_t sig_alg, hash;
	unsigned param;
	struct swquote_key *k, *k2;	/* k2: another key of the kind */
	struct quote_key *ak, *ak_pem;	/* k's public, TPM2B and PEM */
	uint8_t pub[1024];
	size_t pub_len;
	uint8_t pem[4096];
	size_t pem_len;
};

static struct kind kinds[] = {
	{ "RSASSA-2048/sha256", TPM2_ALG_RSASSA, TPM2_ALG_SHA256, 2048 },
	{ "RSAPSS-2048/sha256", TPM2_ALG_RSAPSS, TPM2_ALG_SHA256, 2048 },
	{ "ECDSA-P256/sha256", TPM2_ALG_ECDSA, TPM2_ALG_SHA256,
	    TPM2_ECC_NIST_P256 },
	{ "ECDSA-P384/sha384", TPM2_ALG_ECDSA, TPM2_ALG_SHA384,
	    TPM2_ECC_NIST_P384 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
enum { K_RSASSA, K_RSAPSS, K_P256, K_P384 };

static struct pcr_set g_pcrs;
static TPML_PCR_SELECTION g_sel;
#define G_SEL_TEXT "sha256:0-9+sha1:0,7"

/* A quote: the marshalled attest and signature and its nonce. */
struct q {
	uint8_t attest[2048];
	size_t alen;
	uint8_t sig[1024];
	size_t slen;
	uint8_t nonce[64];
	size_t nlen;
};

/* ---- helpers ---------------------------------------------------------- */

static size_t
pem_of(EVP_PKEY *pk, uint8_t *out, size_t cap)
{
	BIO *b;
	BUF_MEM *m = NULL;
	size_t n;

	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PUBKEY(b, pk), 1);
	BIO_get_mem_ptr(b, &m);
	assert_non_null(m);
	assert_true(m->length <= cap);
	n = m->length;
	memcpy(out, m->data, n);
	BIO_free(b);
	return n;
}

static int
load_swkey(const struct swquote_key *k, int restricted,
    struct quote_key **out, struct wg_diag *d)
{
	uint8_t pub[1024];
	size_t len = 0;

	assert_int_equal(swquote_key_public(k, pub, sizeof(pub), &len), 0);
	return quote_key_load(pub, len, restricted, out, d);
}

static void
make_q(const struct swquote_key *k, const TPML_PCR_SELECTION *sel,
    size_t nlen, struct q *q)
{
	assert_true(nlen <= sizeof(q->nonce));
	assert_int_equal(RAND_bytes(q->nonce, (int)sizeof(q->nonce)), 1);
	q->nlen = nlen;
	q->alen = sizeof(q->attest);
	q->slen = sizeof(q->sig);
	assert_int_equal(swquote_make(k, q->nonce, nlen, sel, &g_pcrs,
	    0x123456789aULL, q->attest, &q->alen, q->sig, &q->slen), 0);
}

static int
run(const struct quote_key *ak, const struct q *q,
    const TPML_PCR_SELECTION *req, const struct pcr_set *pcrs,
    struct quote_info *info, struct wg_diag *d)
{
	struct quote_expect e;

	memset(&e, 0, sizeof(e));
	e.nonce = q->nonce;
	e.nonce_len = q->nlen;
	e.required = req;
	e.pcrs = pcrs != NULL ? pcrs : &g_pcrs;
	return quote_check(ak, q->attest, q->alen, q->sig, q->slen, &e, info,
	    d);
}

#define EXPECT(kd, r, want) do {					\
	int r_ = (r);							\
	if (r_ != (want))						\
		fail_msg("%s: got %s, want %s", (kd)->name,		\
		    wg_errname(r_), wg_errname(want));			\
} while (0)

/* Decodes q's attest into a (no checks), to edit and re-sign it. */
static void
attest_of(const struct q *q, TPMS_ATTEST *a)
{
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	assert_int_equal(Tss2_MU_TPMS_ATTEST_Unmarshal(q->attest, q->alen,
	    &off, a), 0);
	assert_int_equal(off, q->alen);
}

/* Marshals a into q and signs exactly those bytes with k. */
static void
resign(const struct swquote_key *k, const TPMS_ATTEST *a, struct q *q)
{
	size_t off = 0;

	assert_int_equal(Tss2_MU_TPMS_ATTEST_Marshal(a, q->attest,
	    sizeof(q->attest), &off), 0);
	q->alen = off;
	q->slen = sizeof(q->sig);
	assert_int_equal(swquote_sign(k, q->attest, q->alen, q->sig,
	    &q->slen), 0);
}

/* Signs q's current attest bytes (whatever they are) with k. */
static void
resign_bytes(const struct swquote_key *k, struct q *q)
{
	q->slen = sizeof(q->sig);
	assert_int_equal(swquote_sign(k, q->attest, q->alen, q->sig,
	    &q->slen), 0);
}

static void
marshal_sig(const TPMT_SIGNATURE *s, struct q *q)
{
	size_t off = 0;

	assert_int_equal(Tss2_MU_TPMT_SIGNATURE_Marshal(s, q->sig,
	    sizeof(q->sig), &off), 0);
	q->slen = off;
}

static void
sig_of(const struct q *q, TPMT_SIGNATURE *s)
{
	assert_int_equal(quote_decode_sig(q->sig, q->slen, s, NULL), 0);
}

static int
group_setup(void **state)
{
	struct pcr_bank *b;
	unsigned i, j;
	size_t n;

	(void)state;
	pcr_set_init(&g_pcrs);
	if (pcr_set_add_bank(&g_pcrs, TPM2_ALG_SHA1, &b) != 0)
		return -1;
	for (i = 0; i < PCR_COUNT; i++)
		for (j = 0; j < 20; j++)
			b->value[i][j] = (uint8_t)(i * 31 + j);
	b->present = 0xffffff;
	if (pcr_set_add_bank(&g_pcrs, TPM2_ALG_SHA256, &b) != 0)
		return -1;
	for (i = 0; i < PCR_COUNT; i++)
		for (j = 0; j < 32; j++)
			b->value[i][j] = (uint8_t)(0xc0 ^ (i * 17 + j * 5));
	b->present = 0xffffff;
	if (pcr_selection_parse(G_SEL_TEXT, &g_sel, NULL) != 0)
		return -1;

	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		if (swquote_key_new(kd->sig_alg, kd->hash, kd->param,
		    &kd->k) != 0 ||
		    swquote_key_new(kd->sig_alg, kd->hash, kd->param,
		    &kd->k2) != 0 ||
		    swquote_key_public(kd->k, kd->pub, sizeof(kd->pub),
		    &kd->pub_len) != 0 ||
		    quote_key_load(kd->pub, kd->pub_len, 1, &kd->ak, NULL) != 0)
			return -1;
		kd->pem_len = pem_of(kd->k->pkey, kd->pem, sizeof(kd->pem));
		if (quote_key_load(kd->pem, kd->pem_len, 1, &kd->ak_pem,
		    NULL) != 0)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		swquote_key_free(kinds[n].k);
		swquote_key_free(kinds[n].k2);
		quote_key_free(kinds[n].ak);
		quote_key_free(kinds[n].ak_pem);
	}
	return 0;
}

/* ---- software keys ---------------------------------------------------- */

static void
test_good(void **state)
{
	static const size_t nlens[] = { 1, 20, 32, 48, 64 };
	struct quote_info info;
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	TPML_PCR_SELECTION req;
	struct wg_diag d;
	struct q q;
	size_t n, i;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		assert_int_equal(kd->ak->has_public, 1);
		assert_int_equal(kd->ak_pem->has_public, 0);
		for (i = 0; i < sizeof(nlens) / sizeof(nlens[0]); i++) {
			make_q(kd->k, &g_sel, nlens[i], &q);
			memset(&info, 0, sizeof(info));
			wg_diag_clear(&d);
			if (run(kd->ak, &q, NULL, NULL, &info, &d) != 0)
				fail_msg("%s: %s", kd->name, d.detail);
			assert_int_equal(info.sig_alg, kd->sig_alg);
			assert_int_equal(info.sig_hash, kd->hash);
			assert_int_equal(info.attest.extraData.size, nlens[i]);
			assert_memory_equal(info.attest.extraData.buffer,
			    q.nonce, nlens[i]);
			assert_true(info.attest.clockInfo.clock ==
			    0x123456789aULL);
			/* swquote puts the key's name as the signer. */
			assert_int_equal(info.attest.qualifiedSigner.size,
			    kd->ak->name_len);
			assert_memory_equal(info.attest.qualifiedSigner.name,
			    kd->ak->name, kd->ak->name_len);
			EXPECT(kd, run(kd->ak_pem, &q, NULL, NULL, NULL, NULL),
			    0);
		}
		/* Required PCRs covered: exactly, and a subset. */
		EXPECT(kd, run(kd->ak, &q, &g_sel, NULL, NULL, NULL), 0);
		assert_int_equal(pcr_selection_parse("sha1:7+sha256:0,9",
		    &req, NULL), 0);
		EXPECT(kd, run(kd->ak, &q, &req, NULL, NULL, NULL), 0);
		/* The pieces on their own. */
		assert_int_equal(quote_decode_attest(q.attest, q.alen, &a,
		    NULL), 0);
		assert_int_equal(a.type, TPM2_ST_ATTEST_QUOTE);
		assert_int_equal(quote_decode_sig(q.sig, q.slen, &s, NULL), 0);
		assert_int_equal(s.sigAlg, kd->sig_alg);
		EXPECT(kd, quote_verify_sig(kd->ak, q.attest, q.alen, &s,
		    NULL), 0);
		EXPECT(kd, quote_verify_sig(kd->ak_pem, q.attest, q.alen, &s,
		    NULL), 0);
	}
}

/* Every single-bit change of the attest fails, before any field is used. */
static void
test_attest_bitflips(void **state)
{
	struct q q, bad;
	size_t n, i, flips = 0;
	int r;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < q.alen * 8; i++) {
			bad = q;
			bad.attest[i / 8] ^= (uint8_t)(1u << (i % 8));
			r = run(kd->ak, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_QUOTE_DECODE && r != WG_ERR_SIGNATURE)
				fail_msg("%s: attest bit %zu flipped: %s",
				    kd->name, i, wg_errname(r));
			r = run(kd->ak_pem, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_QUOTE_DECODE && r != WG_ERR_SIGNATURE)
				fail_msg("%s (PEM): attest bit %zu flipped: %s",
				    kd->name, i, wg_errname(r));
			flips++;
		}
	}
	assert_true(flips >= 2000);
}

static void
test_sig_bitflips(void **state)
{
	struct q q, bad;
	size_t n, i, flips = 0;
	int r;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < q.slen * 8; i++) {
			bad = q;
			bad.sig[i / 8] ^= (uint8_t)(1u << (i % 8));
			r = run(kd->ak, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_SIG_DECODE && r != WG_ERR_SIG_SCHEME &&
			    r != WG_ERR_SIGNATURE)
				fail_msg("%s: signature bit %zu flipped: %s",
				    kd->name, i, wg_errname(r));
			r = run(kd->ak_pem, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_SIG_DECODE && r != WG_ERR_SIG_SCHEME &&
			    r != WG_ERR_SIGNATURE)
				fail_msg("%s (PEM): signature bit %zu: %s",
				    kd->name, i, wg_errname(r));
			flips++;
		}
	}
	assert_true(flips >= 2000);
}

static void
test_nonce(void **state)
{
	struct quote_expect e;
	struct q q, bad;
	size_t n;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		bad = q;
		assert_int_equal(RAND_bytes(bad.nonce, 32), 1);
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
		bad = q;
		bad.nonce[31] ^= 0x01;	/* last byte */
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
		bad = q;
		bad.nonce[0] ^= 0x80;
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
		bad = q;
		bad.nlen = 31;		/* a prefix */
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
		bad = q;
		bad.nlen = 33;		/* longer, same start */
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
		/* An empty or missing nonce is a caller error. */
		bad = q;
		bad.nlen = 0;
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_INVALID_ARG);
		memset(&e, 0, sizeof(e));
		e.nonce_len = 32;
		e.pcrs = &g_pcrs;
		EXPECT(kd, quote_check(kd->ak, q.attest, q.alen, q.sig, q.slen,
		    &e, NULL, NULL), WG_ERR_INVALID_ARG);
		/* A quote made with an empty nonce never matches one. */
		make_q(kd->k, &g_sel, 0, &bad);
		bad.nlen = 1;
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_NONCE);
	}
}

static void
test_pcr_values(void **state)
{
	struct pcr_set *p;
	struct pcr_bank *b;
	struct wg_diag d;
	struct q q;
	size_t n;

	(void)state;
	assert_non_null(p = malloc(sizeof(*p)));
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		/* A quoted value changed. */
		*p = g_pcrs;
		pcr_set_find_mut(p, TPM2_ALG_SHA256)->value[3][17] ^= 0x04;
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, NULL),
		    WG_ERR_QUOTE_PCR_DIGEST);
		*p = g_pcrs;
		pcr_set_find_mut(p, TPM2_ALG_SHA1)->value[7][19] ^= 0x80;
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, NULL),
		    WG_ERR_QUOTE_PCR_DIGEST);
		EXPECT(kd, run(kd->ak_pem, &q, NULL, p, NULL, NULL),
		    WG_ERR_QUOTE_PCR_DIGEST);
		/* An unquoted value changed: does not matter. */
		*p = g_pcrs;
		pcr_set_find_mut(p, TPM2_ALG_SHA256)->value[15][0] ^= 0x01;
		pcr_set_find_mut(p, TPM2_ALG_SHA1)->value[1][0] ^= 0x01;
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, NULL), 0);
		/* A quoted value missing. */
		*p = g_pcrs;
		pcr_set_find_mut(p, TPM2_ALG_SHA1)->present &= ~(1u << 7);
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, &d),
		    WG_ERR_QUOTE_PCR_MISSING);
		assert_non_null(strstr(d.detail, "sha1:7"));
		/* A quoted bank missing. */
		pcr_set_init(p);
		assert_int_equal(pcr_set_add_bank(p, TPM2_ALG_SHA256, &b), 0);
		*b = *pcr_set_find(&g_pcrs, TPM2_ALG_SHA256);
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, &d),
		    WG_ERR_QUOTE_PCR_MISSING);
		assert_non_null(strstr(d.detail, "sha1:0"));
		/* Banks in another order, and an extra bank: fine. */
		assert_int_equal(pcr_set_add_bank(p, TPM2_ALG_SHA1, &b), 0);
		*b = *pcr_set_find(&g_pcrs, TPM2_ALG_SHA1);
		assert_int_equal(pcr_set_add_bank(p, TPM2_ALG_SHA384, &b), 0);
		pcr_bank_reset(b);
		EXPECT(kd, run(kd->ak, &q, NULL, p, NULL, NULL), 0);
	}
	free(p);
}

static void
test_required(void **state)
{
	static const char *const bad[] = { "sha256:0-10", "sha384:0",
	    "sha1:1", "sha256:9+sha1:8", "sha256:all" };
	static const char *const good[] = { "sha256:0-9", "sha1:0,7",
	    "sha1:7+sha256:9", G_SEL_TEXT };
	TPML_PCR_SELECTION req, empty;
	struct wg_diag d;
	struct q q;
	size_t n, i;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(pcr_selection_parse(bad[i], &req,
			    NULL), 0);
			EXPECT(kd, run(kd->ak, &q, &req, NULL, NULL, &d),
			    WG_ERR_QUOTE_PCR_SELECT);
		}
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			assert_int_equal(pcr_selection_parse(good[i], &req,
			    NULL), 0);
			EXPECT(kd, run(kd->ak, &q, &req, NULL, NULL, NULL), 0);
		}
		/* A quote of no PCR is refused, required or not. */
		memset(&empty, 0, sizeof(empty));
		make_q(kd->k, &empty, 32, &q);
		EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_PCR_SELECT);
		empty.count = 1;
		empty.pcrSelections[0].hash = TPM2_ALG_SHA256;
		empty.pcrSelections[0].sizeofSelect = 3;
		make_q(kd->k, &empty, 32, &q);
		EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_PCR_SELECT);
	}
}

static void
test_wrong_key(void **state)
{
	struct quote_key *other;
	struct q q;
	size_t n;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		/* Signed by another key of the same kind. */
		make_q(kd->k2, &g_sel, 32, &q);
		EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_SIGNATURE);
		EXPECT(kd, run(kd->ak_pem, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_SIGNATURE);
		assert_int_equal(load_swkey(kd->k2, 1, &other, NULL), 0);
		EXPECT(kd, run(other, &q, NULL, NULL, NULL, NULL), 0);
		quote_key_free(other);
	}
	/* An ECDSA signature for an RSA key and the other way round. */
	make_q(kinds[K_P256].k, &g_sel, 32, &q);
	EXPECT(&kinds[K_RSASSA], run(kinds[K_RSASSA].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	EXPECT(&kinds[K_RSASSA], run(kinds[K_RSASSA].ak_pem, &q, NULL, NULL,
	    NULL, NULL), WG_ERR_SIG_SCHEME);
	make_q(kinds[K_RSASSA].k, &g_sel, 32, &q);
	EXPECT(&kinds[K_P256], run(kinds[K_P256].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	EXPECT(&kinds[K_P256], run(kinds[K_P256].ak_pem, &q, NULL, NULL,
	    NULL, NULL), WG_ERR_SIG_SCHEME);
	/* RSASSA quote, RSAPSS key: the key's scheme refuses it... */
	EXPECT(&kinds[K_RSAPSS], run(kinds[K_RSAPSS].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	/* ... and without a public area the signature does. */
	EXPECT(&kinds[K_RSAPSS], run(kinds[K_RSAPSS].ak_pem, &q, NULL, NULL,
	    NULL, NULL), WG_ERR_SIGNATURE);
	/* P-256/sha256 quote, P-384/sha384 key. */
	make_q(kinds[K_P256].k, &g_sel, 32, &q);
	EXPECT(&kinds[K_P384], run(kinds[K_P384].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	EXPECT(&kinds[K_P384], run(kinds[K_P384].ak_pem, &q, NULL, NULL,
	    NULL, NULL), WG_ERR_SIGNATURE);
}

/* A copy of k's signing side with another scheme or hash. */
static struct swquote_key
signer_as(const struct swquote_key *k, uint16_t sig_alg, uint16_t hash)
{
	struct swquote_key c = *k;	/* shares pkey: do not free */

	c.sig_alg = sig_alg;
	c.hash = hash;
	return c;
}

static void
test_scheme(void **state)
{
	static const uint16_t others[] = { TPM2_ALG_NULL, TPM2_ALG_HMAC,
	    TPM2_ALG_ECDAA, TPM2_ALG_SM2, TPM2_ALG_ECSCHNORR };
	struct swquote_key *k1, c;
	struct quote_key *ak1;
	struct wg_diag d;
	TPMT_SIGNATURE s;
	uint8_t pem[4096];
	size_t n, i, pemlen;
	struct q q, bad;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		/* sha1: refused as a signature hash... */
		c = signer_as(kd->k, kd->sig_alg, TPM2_ALG_SHA1);
		make_q(&c, &g_sel, 32, &q);
		EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, &d),
		    WG_ERR_SIG_SCHEME);
		EXPECT(kd, run(kd->ak_pem, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_SCHEME);
		/* ... and as a key's scheme. */
		assert_int_equal(swquote_key_new(kd->sig_alg, TPM2_ALG_SHA1,
		    kd->param, &k1), 0);
		EXPECT(kd, load_swkey(k1, 1, &ak1, NULL),
		    WG_ERR_AK_UNSUPPORTED);
		EXPECT(kd, load_swkey(k1, 0, &ak1, NULL),
		    WG_ERR_AK_UNSUPPORTED);
		pemlen = pem_of(k1->pkey, pem, sizeof(pem));
		assert_int_equal(quote_key_load(pem, pemlen, 1, &ak1, NULL), 0);
		make_q(k1, &g_sel, 32, &q);
		EXPECT(kd, run(ak1, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_SCHEME);
		quote_key_free(ak1);
		swquote_key_free(k1);

		/*
		 * sha512 is an allowed hash, but not the one the key's
		 * public area fixes: refused with the TPM2B key only.
		 */
		c = signer_as(kd->k, kd->sig_alg, TPM2_ALG_SHA512);
		make_q(&c, &g_sel, 32, &q);
		EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_SCHEME);
		EXPECT(kd, run(kd->ak_pem, &q, NULL, NULL, NULL, NULL), 0);

		/* Other signature algorithms. */
		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
			bad = q;
			memset(&s, 0, sizeof(s));
			s.sigAlg = others[i];
			if (others[i] == TPM2_ALG_HMAC) {
				s.signature.hmac.hashAlg = TPM2_ALG_SHA256;
			} else if (others[i] != TPM2_ALG_NULL) {
				s.signature.ecdsa.hash = TPM2_ALG_SHA256;
				s.signature.ecdsa.signatureR.size = 32;
				s.signature.ecdsa.signatureS.size = 32;
				memset(s.signature.ecdsa.signatureR.buffer, 1,
				    32);
				memset(s.signature.ecdsa.signatureS.buffer, 1,
				    32);
			}
			marshal_sig(&s, &bad);
			EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
			    WG_ERR_SIG_SCHEME);
			EXPECT(kd, run(kd->ak_pem, &bad, NULL, NULL, NULL,
			    NULL), WG_ERR_SIG_SCHEME);
		}
		/* An unknown hash, TPM2_ALG_NULL as hash. */
		sig_of(&q, &s);
		s.signature.any.hashAlg = TPM2_ALG_NULL;
		bad = q;
		marshal_sig(&s, &bad);
		EXPECT(kd, run(kd->ak_pem, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_SCHEME);
		s.signature.any.hashAlg = TPM2_ALG_SM3_256;
		marshal_sig(&s, &bad);
		EXPECT(kd, run(kd->ak_pem, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_SCHEME);
	}
	/* RSASSA <-> RSAPSS with the same key. */
	c = signer_as(kinds[K_RSASSA].k, TPM2_ALG_RSAPSS, TPM2_ALG_SHA256);
	make_q(&c, &g_sel, 32, &q);
	EXPECT(&kinds[K_RSASSA], run(kinds[K_RSASSA].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	EXPECT(&kinds[K_RSASSA], run(kinds[K_RSASSA].ak_pem, &q, NULL, NULL,
	    NULL, NULL), 0);
	/* The scheme field relabelled: PSS bytes called RSASSA. */
	sig_of(&q, &s);
	s.sigAlg = TPM2_ALG_RSASSA;
	marshal_sig(&s, &q);
	EXPECT(&kinds[K_RSASSA], run(kinds[K_RSASSA].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIGNATURE);
	c = signer_as(kinds[K_RSAPSS].k, TPM2_ALG_RSASSA, TPM2_ALG_SHA256);
	make_q(&c, &g_sel, 32, &q);
	EXPECT(&kinds[K_RSAPSS], run(kinds[K_RSAPSS].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIG_SCHEME);
	EXPECT(&kinds[K_RSAPSS], run(kinds[K_RSAPSS].ak_pem, &q, NULL, NULL,
	    NULL, NULL), 0);
	sig_of(&q, &s);
	s.sigAlg = TPM2_ALG_RSAPSS;
	marshal_sig(&s, &q);
	EXPECT(&kinds[K_RSAPSS], run(kinds[K_RSAPSS].ak, &q, NULL, NULL, NULL,
	    NULL), WG_ERR_SIGNATURE);
}

static void
test_magic_type(void **state)
{
	static const uint32_t magics[] = { 0, 0xff544346, 0xff544348,
	    0x474354ff, 0x7f544347 };
	static const uint16_t types[] = { TPM2_ST_ATTEST_CERTIFY,
	    TPM2_ST_ATTEST_TIME, TPM2_ST_ATTEST_SESSION_AUDIT,
	    TPM2_ST_ATTEST_CREATION };
	TPMS_ATTEST a, out;
	struct wg_diag d;
	struct q q, bad;
	size_t n, i;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
			bad = q;
			attest_of(&bad, &a);
			a.magic = magics[i];
			resign(kd->k, &a, &bad);
			EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, &d),
			    WG_ERR_QUOTE_MAGIC);
			EXPECT(kd, quote_decode_attest(bad.attest, bad.alen,
			    &out, NULL), WG_ERR_QUOTE_MAGIC);
			/* Not re-signed: the signature fails first. */
			memcpy(bad.sig, q.sig, q.slen);
			bad.slen = q.slen;
			EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
			    WG_ERR_SIGNATURE);
		}
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			bad = q;
			attest_of(&bad, &a);
			memset(&a.attested, 0, sizeof(a.attested));
			a.type = types[i];
			switch (types[i]) {
			case TPM2_ST_ATTEST_CERTIFY:
				a.attested.certify.name.size =
				    (UINT16)kd->ak->name_len;
				memcpy(a.attested.certify.name.name,
				    kd->ak->name, kd->ak->name_len);
				a.attested.certify.qualifiedName =
				    a.attested.certify.name;
				break;
			case TPM2_ST_ATTEST_TIME:
				a.attested.time.time.time = 1234;
				break;
			case TPM2_ST_ATTEST_SESSION_AUDIT:
				a.attested.sessionAudit.sessionDigest.size = 32;
				break;
			case TPM2_ST_ATTEST_CREATION:
				a.attested.creation.objectName.size = 2;
				a.attested.creation.creationHash.size = 32;
				break;
			}
			resign(kd->k, &a, &bad);
			EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, &d),
			    WG_ERR_QUOTE_TYPE);
			EXPECT(kd, quote_decode_attest(bad.attest, bad.alen,
			    &out, NULL), WG_ERR_QUOTE_TYPE);
		}
		/* A type tss2-mu cannot decode at all. */
		bad = q;
		bad.attest[4] = 0x80;
		bad.attest[5] = 0x99;
		resign_bytes(kd->k, &bad);
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_DECODE);
	}
}

static void
test_trailing(void **state)
{
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	struct q q, bad;
	size_t n;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		/* One byte more, and signed so: still refused. */
		bad = q;
		bad.attest[bad.alen++] = 0x00;
		resign_bytes(kd->k, &bad);
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_QUOTE_DECODE);
		EXPECT(kd, quote_decode_attest(bad.attest, bad.alen, &a, NULL),
		    WG_ERR_QUOTE_DECODE);
		bad = q;
		bad.sig[bad.slen++] = 0x00;
		EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
		    WG_ERR_SIG_DECODE);
		EXPECT(kd, quote_decode_sig(bad.sig, bad.slen, &s, NULL),
		    WG_ERR_SIG_DECODE);
	}
}

static void
test_truncated(void **state)
{
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	struct q q, bad;
	size_t n, i;
	int r;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		make_q(kd->k, &g_sel, 32, &q);
		for (i = 0; i < q.alen; i++) {
			bad = q;
			bad.alen = i;
			/* Even with a signature over exactly those bytes. */
			resign_bytes(kd->k, &bad);
			r = run(kd->ak, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_QUOTE_DECODE)
				fail_msg("%s: attest cut to %zu: %s", kd->name,
				    i, wg_errname(r));
			assert_int_equal(quote_decode_attest(q.attest, i, &a,
			    NULL), WG_ERR_QUOTE_DECODE);
		}
		for (i = 0; i < q.slen; i++) {
			bad = q;
			bad.slen = i;
			r = run(kd->ak, &bad, NULL, NULL, NULL, NULL);
			if (r != WG_ERR_SIG_DECODE)
				fail_msg("%s: signature cut to %zu: %s",
				    kd->name, i, wg_errname(r));
			assert_int_equal(quote_decode_sig(q.sig, i, &s, NULL),
			    WG_ERR_SIG_DECODE);
		}
	}
}

/* The PEM, TPM2B and TPMT forms of a key agree on every verdict. */
static void
test_key_forms(void **state)
{
	struct quote_key *tpmt;
	struct pcr_set *p;
	struct q q, v[8];
	size_t n, i, nv;
	int r1, r2, r3;

	(void)state;
	assert_non_null(p = malloc(sizeof(*p)));
	*p = g_pcrs;
	p->bank[1].value[0][0] ^= 1;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		/* The bare TPMT_PUBLIC (the TPM2B without its size). */
		assert_int_equal(quote_key_load(kd->pub + 2, kd->pub_len - 2, 1,
		    &tpmt, NULL), 0);
		assert_int_equal(tpmt->has_public, 1);
		assert_int_equal(tpmt->name_len, kd->ak->name_len);
		assert_int_equal(tpmt->name_len, 34);
		assert_memory_equal(tpmt->name, kd->ak->name, 34);

		make_q(kd->k, &g_sel, 32, &q);
		nv = 0;
		v[nv++] = q;
		v[nv] = q;
		v[nv++].nonce[5] ^= 1;
		v[nv] = q;
		v[nv++].sig[q.slen - 3] ^= 0x10;
		v[nv] = q;
		v[nv++].attest[q.alen - 3] ^= 0x10;
		make_q(kd->k2, &g_sel, 32, &v[nv++]);
		v[nv] = q;
		v[nv++].alen--;
		for (i = 0; i < nv; i++) {
			r1 = run(kd->ak, &v[i], NULL, NULL, NULL, NULL);
			r2 = run(kd->ak_pem, &v[i], NULL, NULL, NULL, NULL);
			r3 = run(tpmt, &v[i], NULL, NULL, NULL, NULL);
			if (r1 != r2 || r1 != r3)
				fail_msg("%s: variant %zu: TPM2B %s, PEM %s, "
				    "TPMT %s", kd->name, i, wg_errname(r1),
				    wg_errname(r2), wg_errname(r3));
			assert_int_equal(r1 == 0, i == 0);
		}
		r1 = run(kd->ak, &q, NULL, p, NULL, NULL);
		assert_int_equal(r1, WG_ERR_QUOTE_PCR_DIGEST);
		assert_int_equal(run(kd->ak_pem, &q, NULL, p, NULL, NULL), r1);
		quote_key_free(tpmt);
	}
	free(p);
}

/* Loads k's public area after fn changed it. */
static int
load_edited(const struct swquote_key *k, void (*fn)(TPMT_PUBLIC *),
    int restricted)
{
	struct swquote_key c = *k;
	struct quote_key *ak = NULL;
	uint8_t pub[1024];
	size_t len = 0;
	int r;

	fn(&c.public.publicArea);
	c.public.size = 0;	/* recomputed by the marshaller */
	assert_int_equal(swquote_key_public(&c, pub, sizeof(pub), &len), 0);
	r = quote_key_load(pub, len, restricted, &ak, NULL);
	if (r == 0)
		assert_non_null(ak);
	quote_key_free(ak);
	return r;
}

static void e_unrestricted(TPMT_PUBLIC *p)
{
	p->objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
}
static void e_no_fixedtpm(TPMT_PUBLIC *p)
{
	p->objectAttributes &= ~TPMA_OBJECT_FIXEDTPM;
}
static void e_no_fixedparent(TPMT_PUBLIC *p)
{
	p->objectAttributes &= ~TPMA_OBJECT_FIXEDPARENT;
}
static void e_no_sdo(TPMT_PUBLIC *p)
{
	p->objectAttributes &= ~TPMA_OBJECT_SENSITIVEDATAORIGIN;
}
static void e_decrypt(TPMT_PUBLIC *p)
{
	p->objectAttributes |= TPMA_OBJECT_DECRYPT;
}
static void e_no_sign(TPMT_PUBLIC *p)
{
	p->objectAttributes &= ~TPMA_OBJECT_SIGN_ENCRYPT;
}
static void e_null_scheme(TPMT_PUBLIC *p)
{
	if (p->type == TPM2_ALG_RSA)
		p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	else
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
}
static void e_nothing(TPMT_PUBLIC *p) { (void)p; }

static void
test_key_attributes(void **state)
{
	struct swquote_key c;
	struct quote_key *ak;
	uint8_t pub[1024];
	size_t n, len;
	struct q q;

	(void)state;
	for (n = 0; n < NKINDS; n++) {
		struct kind *kd = &kinds[n];

		EXPECT(kd, load_edited(kd->k, e_nothing, 1), 0);
		EXPECT(kd, load_edited(kd->k, e_unrestricted, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_unrestricted, 0), 0);
		EXPECT(kd, load_edited(kd->k, e_no_fixedtpm, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_no_fixedparent, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_no_sdo, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_no_sdo, 0), 0);
		EXPECT(kd, load_edited(kd->k, e_decrypt, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_no_sign, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_no_sign, 0),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_null_scheme, 1),
		    WG_ERR_AK_ATTRIBUTES);
		EXPECT(kd, load_edited(kd->k, e_null_scheme, 0), 0);

		/* An unrestricted key still verifies when not required. */
		c = *kd->k;
		e_unrestricted(&c.public.publicArea);
		assert_int_equal(swquote_key_public(&c, pub, sizeof(pub), &len),
		    0);
		assert_int_equal(quote_key_load(pub, len, 0, &ak, NULL), 0);
		make_q(kd->k, &g_sel, 32, &q);
		EXPECT(kd, run(ak, &q, NULL, NULL, NULL, NULL), 0);
		/* Its name differs from the restricted key's. */
		assert_memory_not_equal(ak->name, kd->ak->name, 34);
		quote_key_free(ak);
	}
}

static void e_p521(TPMT_PUBLIC *p)
{
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
}
static void e_bn256(TPMT_PUBLIC *p)
{
	p->parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
}
static void e_p192(TPMT_PUBLIC *p)
{
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P192;
}
static void e_ecdh(TPMT_PUBLIC *p)
{
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDH;
}
static void e_oaep(TPMT_PUBLIC *p)
{
	p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_OAEP;
}
static void e_namealg_sha1(TPMT_PUBLIC *p) { p->nameAlg = TPM2_ALG_SHA1; }
static void e_keybits_1024(TPMT_PUBLIC *p)
{
	p->parameters.rsaDetail.keyBits = 1024;
}
static void e_keyedhash(TPMT_PUBLIC *p)
{
	memset(&p->parameters, 0, sizeof(p->parameters));
	memset(&p->unique, 0, sizeof(p->unique));
	p->type = TPM2_ALG_KEYEDHASH;
	p->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	p->unique.keyedHash.size = 32;
}

static void
test_key_unsupported(void **state)
{
	static const char *const curves[] = { "P-521", "secp256k1",
	    "P-224" };
	struct swquote_key *k1;
	struct quote_key *ak;
	EVP_PKEY *pk;
	uint8_t pem[4096];
	size_t len, i;
	struct wg_diag d;

	(void)state;
	/* RSA-1024 in both forms. */
	assert_int_equal(swquote_key_new(TPM2_ALG_RSASSA, TPM2_ALG_SHA256,
	    1024, &k1), 0);
	assert_int_equal(load_swkey(k1, 1, &ak, &d), WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_swkey(k1, 0, &ak, &d), WG_ERR_AK_UNSUPPORTED);
	len = pem_of(k1->pkey, pem, sizeof(pem));
	assert_int_equal(quote_key_load(pem, len, 0, &ak, &d),
	    WG_ERR_AK_UNSUPPORTED);
	swquote_key_free(k1);

	/* Curves in the public area. */
	assert_int_equal(load_edited(kinds[K_P256].k, e_p521, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_P256].k, e_bn256, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_P256].k, e_p192, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_P256].k, e_ecdh, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_RSASSA].k, e_oaep, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_RSASSA].k, e_namealg_sha1, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_RSASSA].k, e_keybits_1024, 0),
	    WG_ERR_AK_UNSUPPORTED);
	assert_int_equal(load_edited(kinds[K_RSASSA].k, e_keyedhash, 0),
	    WG_ERR_AK_UNSUPPORTED);

	/* Curves and types in PEM. */
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		assert_non_null(pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    curves[i]));
		len = pem_of(pk, pem, sizeof(pem));
		if (quote_key_load(pem, len, 0, &ak, &d) !=
		    WG_ERR_AK_UNSUPPORTED)
			fail_msg("PEM %s key not refused", curves[i]);
		EVP_PKEY_free(pk);
	}
	assert_non_null(pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	len = pem_of(pk, pem, sizeof(pem));
	assert_int_equal(quote_key_load(pem, len, 0, &ak, &d),
	    WG_ERR_AK_UNSUPPORTED);
	EVP_PKEY_free(pk);
}

static void e_y_flip(TPMT_PUBLIC *p) { p->unique.ecc.y.buffer[31] ^= 1; }
static void e_x_33(TPMT_PUBLIC *p)
{
	memmove(p->unique.ecc.x.buffer + 1, p->unique.ecc.x.buffer, 32);
	p->unique.ecc.x.buffer[0] = 0;
	p->unique.ecc.x.size = 33;
}
static void e_x_0(TPMT_PUBLIC *p) { p->unique.ecc.x.size = 0; }
static void e_rsa_255(TPMT_PUBLIC *p) { p->unique.rsa.size = 255; }
static void e_rsa_even(TPMT_PUBLIC *p) { p->unique.rsa.buffer[255] &= 0xfe; }
static void e_rsa_top(TPMT_PUBLIC *p) { p->unique.rsa.buffer[0] &= 0x7f; }
static void e_rsa_exp2(TPMT_PUBLIC *p)
{
	p->parameters.rsaDetail.exponent = 2;
}
static void e_rsa_exp3(TPMT_PUBLIC *p)
{
	p->parameters.rsaDetail.exponent = 3;
}
static void e_rsa_keybits_3072(TPMT_PUBLIC *p)
{
	p->parameters.rsaDetail.keyBits = 3072;
}

static void
test_key_decode(void **state)
{
	struct kind *kd = &kinds[K_P256];
	struct quote_key *ak;
	uint8_t buf[8192], *der = NULL;
	size_t i, len;
	struct q q;
	BIO *b;
	BUF_MEM *m;
	int r, derlen;

	(void)state;
	assert_int_equal(quote_key_load(NULL, 0, 0, &ak, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(quote_key_load(kd->pub, kd->pub_len, 0, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	for (i = 0; i < NKINDS; i++) {
		struct kind *k = &kinds[i];
		uint16_t sz;

		/* The size field must say exactly what follows. */
		memcpy(buf, k->pub, k->pub_len);
		sz = (uint16_t)(k->pub_len - 2);
		buf[0] = (uint8_t)((sz + 1) >> 8);
		buf[1] = (uint8_t)(sz + 1);
		EXPECT(k, quote_key_load(buf, k->pub_len, 0, &ak, NULL),
		    WG_ERR_AK_DECODE);
		buf[0] = (uint8_t)((sz - 1) >> 8);
		buf[1] = (uint8_t)(sz - 1);
		EXPECT(k, quote_key_load(buf, k->pub_len, 0, &ak, NULL),
		    WG_ERR_AK_DECODE);
		/* A byte after it. */
		memcpy(buf, k->pub, k->pub_len);
		buf[k->pub_len] = 0;
		EXPECT(k, quote_key_load(buf, k->pub_len + 1, 0, &ak, NULL),
		    WG_ERR_AK_DECODE);
		/* ... with the size covering it. */
		buf[0] = (uint8_t)((sz + 1) >> 8);
		buf[1] = (uint8_t)(sz + 1);
		EXPECT(k, quote_key_load(buf, k->pub_len + 1, 0, &ak, NULL),
		    WG_ERR_AK_DECODE);
		/* Every truncation. */
		for (len = 0; len < k->pub_len; len++) {
			r = quote_key_load(k->pub, len, 0, &ak, NULL);
			if (r == 0)
				fail_msg("%s: public cut to %zu loads", k->name,
				    len);
		}
		/*
		 * A size that fits but an inner TPMT_PUBLIC of an unknown
		 * type (tss2-mu 3.2.1 does not report that failure).
		 */
		memcpy(buf, k->pub, k->pub_len);
		buf[2] = 0x00;
		buf[3] = 0x99;
		EXPECT(k, quote_key_load(buf, k->pub_len, 0, &ak, NULL),
		    WG_ERR_AK_DECODE);
		/* nameAlg unknown to tss2-mu's TPMI checks or ours. */
		memcpy(buf, k->pub, k->pub_len);
		buf[4] = 0x00;
		buf[5] = 0x99;
		r = quote_key_load(buf, k->pub_len, 0, &ak, NULL);
		assert_true(r == WG_ERR_AK_DECODE || r ==
		    WG_ERR_AK_UNSUPPORTED);
	}
	EXPECT(kd, load_edited(kd->k, e_y_flip, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_x_33, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_x_0, 0), WG_ERR_AK_DECODE);
	kd = &kinds[K_RSASSA];
	EXPECT(kd, load_edited(kd->k, e_rsa_255, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_rsa_even, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_rsa_top, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_rsa_exp2, 0), WG_ERR_AK_DECODE);
	EXPECT(kd, load_edited(kd->k, e_rsa_keybits_3072, 0),
	    WG_ERR_AK_DECODE);
	/* Exponent 3 is a valid key; it is just not this one. */
	EXPECT(kd, load_edited(kd->k, e_rsa_exp3, 0), 0);

	/* PEM: space after it is fine, anything else is not. */
	kd = &kinds[K_P256];
	make_q(kd->k, &g_sel, 32, &q);
	memcpy(buf, kd->pem, kd->pem_len);
	memcpy(buf + kd->pem_len, "\n \r\n\t", 5);
	assert_int_equal(quote_key_load(buf, kd->pem_len + 5, 1, &ak, NULL),
	    0);
	EXPECT(kd, run(ak, &q, NULL, NULL, NULL, NULL), 0);
	quote_key_free(ak);
	memcpy(buf + kd->pem_len, "x", 1);
	EXPECT(kd, quote_key_load(buf, kd->pem_len + 1, 1, &ak, NULL),
	    WG_ERR_AK_DECODE);
	memcpy(buf + kd->pem_len, kd->pem, kd->pem_len);	/* twice */
	EXPECT(kd, quote_key_load(buf, 2 * kd->pem_len, 1, &ak, NULL),
	    WG_ERR_AK_DECODE);
	for (len = 0; len < kd->pem_len - 1; len++) {
		r = quote_key_load(kd->pem, len, 0, &ak, NULL);
		if (r == 0)
			fail_msg("PEM cut to %zu loads", len);
	}
	/* A DER with a byte after the SubjectPublicKeyInfo. */
	assert_true((derlen = i2d_PUBKEY(kd->k->pkey, &der)) > 0);
	memcpy(buf, der, (size_t)derlen);
	buf[derlen] = 0;
	OPENSSL_free(der);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_true(PEM_write_bio(b, "PUBLIC KEY", "", buf, derlen + 1) > 0);
	BIO_get_mem_ptr(b, &m);
	EXPECT(kd, quote_key_load((uint8_t *)m->data, m->length, 0, &ak,
	    NULL), WG_ERR_AK_DECODE);
	BIO_free(b);
	/* The wrong PEM type. */
	len = (size_t)snprintf((char *)buf, sizeof(buf),
	    "-----BEGIN PUBLIC KEY-----\n%.*s", (int)kd->pem_len - 27,
	    (const char *)kd->pem + 27);
	memcpy(strstr((char *)buf, "-----END ") + 9, "PRIVATE KEY-", 12);
	EXPECT(kd, quote_key_load(buf, len, 0, &ak, NULL), WG_ERR_AK_DECODE);
}

/* ECDSA r and s sizes; RSA signature sizes. */
static void
test_sig_values(void **state)
{
	struct kind *kd = &kinds[K_P256];
	TPMT_SIGNATURE s, t;
	TPMS_SIGNATURE_ECC *e;
	struct wg_diag d;
	struct q q, bad;
	unsigned tries;
	int stripped = 0;

	(void)state;
	make_q(kd->k, &g_sel, 32, &q);
	sig_of(&q, &s);
	e = &s.signature.ecdsa;
	assert_int_equal(e->signatureR.size, 32);
	assert_int_equal(e->signatureS.size, 32);
	/* r with a zero byte in front: longer than the curve. */
	t = s;
	memmove(t.signature.ecdsa.signatureR.buffer + 1, e->signatureR.buffer,
	    32);
	t.signature.ecdsa.signatureR.buffer[0] = 0;
	t.signature.ecdsa.signatureR.size = 33;
	bad = q;
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	/* r or s zero, or empty. */
	t = s;
	memset(t.signature.ecdsa.signatureR.buffer, 0, 32);
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	t = s;
	t.signature.ecdsa.signatureS.size = 0;
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	/* r and s swapped; s replaced by n - s is left to OpenSSL. */
	t = s;
	t.signature.ecdsa.signatureR = e->signatureS;
	t.signature.ecdsa.signatureS = e->signatureR;
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	/* r = all ones (above the group order). */
	t = s;
	memset(t.signature.ecdsa.signatureR.buffer, 0xff, 32);
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);

	/* A TPM may send r or s without leading zeros: that verifies. */
	for (tries = 0; tries < 20000 && !stripped; tries++) {
		make_q(kd->k, &g_sel, 32, &q);
		sig_of(&q, &s);
		e = &s.signature.ecdsa;
		if (e->signatureR.buffer[0] == 0) {
			memmove(e->signatureR.buffer, e->signatureR.buffer + 1,
			    31);
			e->signatureR.size = 31;
			stripped = 1;
		} else if (e->signatureS.buffer[0] == 0) {
			memmove(e->signatureS.buffer, e->signatureS.buffer + 1,
			    31);
			e->signatureS.size = 31;
			stripped = 1;
		}
	}
	assert_true(stripped);
	marshal_sig(&s, &q);
	EXPECT(kd, run(kd->ak, &q, NULL, NULL, NULL, NULL), 0);

	/* RSA: the signature must be as long as the modulus. */
	kd = &kinds[K_RSASSA];
	make_q(kd->k, &g_sel, 32, &q);
	sig_of(&q, &s);
	t = s;
	t.signature.rsassa.sig.size = 255;
	bad = q;
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, &d),
	    WG_ERR_SIGNATURE);
	assert_non_null(strstr(d.detail, "255 bytes"));
	t = s;
	memmove(t.signature.rsassa.sig.buffer + 1, s.signature.rsassa.sig.buffer,
	    256);
	t.signature.rsassa.sig.buffer[0] = 0;
	t.signature.rsassa.sig.size = 257;
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	t = s;
	memset(t.signature.rsassa.sig.buffer, 0, 256);
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
	t = s;
	memcpy(t.signature.rsassa.sig.buffer,
	    kd->k->public.publicArea.unique.rsa.buffer, 256);
	marshal_sig(&t, &bad);
	EXPECT(kd, run(kd->ak, &bad, NULL, NULL, NULL, NULL),
	    WG_ERR_SIGNATURE);
}

static void
test_args(void **state)
{
	struct kind *kd = &kinds[K_P256];
	struct quote_key *ed;
	TPMT_SIGNATURE s;
	struct q q;

	(void)state;
	make_q(kd->k, &g_sel, 32, &q);
	sig_of(&q, &s);
	assert_int_equal(run(NULL, &q, NULL, NULL, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(quote_check(kd->ak, NULL, 0, q.sig, q.slen, NULL,
	    NULL, NULL), WG_ERR_INVALID_ARG);
	assert_int_equal(quote_verify_sig(NULL, q.attest, q.alen, &s, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(quote_verify_sig(kd->ak, q.attest, q.alen, NULL,
	    NULL), WG_ERR_INVALID_ARG);
	assert_int_equal(quote_decode_sig(NULL, 0, &s, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(quote_decode_attest(q.attest, q.alen, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	quote_key_free(NULL);
	/* A key made by hand (as the fuzz targets do) of another type. */
	assert_non_null(ed = calloc(1, sizeof(*ed)));
	assert_non_null(ed->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	assert_int_equal(quote_verify_sig(ed, q.attest, q.alen, &s, NULL),
	    WG_ERR_AK_UNSUPPORTED);
	quote_key_free(ed);
}

/* ---- the real swtpm quotes (tests/data/quote) -------------------------- */

static void
read_fixture(const char *rel, uint8_t **buf, size_t *len)
{
	char path[512], name[128];

	(void)snprintf(name, sizeof(name), "quote/%s", rel);
	if (tu_read_file(tu_data_path(name, path, sizeof(path)), 1 << 20, buf,
	    len) != 0)
		fail_msg("cannot read %s (set WG_TESTDATA)", path);
}

struct fx {
	const char *quote;	/* file prefix of msg, sig, pcrs */
	const char *nonce;	/* prefix of the .nonce file */
	const char *ak;		/* prefix of ak-*.pub, .pem, .name */
	uint16_t sig_alg;
	const char *covered, *not_covered;
};

static const struct fx fixtures[] = {
	{ "rsa", "rsa", "rsa", TPM2_ALG_RSASSA, "sha256:0-7", "sha256:0-8" },
	{ "rsapss", "rsapss", "rsapss", TPM2_ALG_RSAPSS, "sha256:0-7",
	    "sha1:0" },
	{ "ecc", "ecc", "ecc", TPM2_ALG_ECDSA, "sha256:0-7", "sha256:8" },
	{ "ecc-values", "ecc", "ecc", TPM2_ALG_ECDSA, "sha256:0,7",
	    "sha256:0-8" },
	{ "multi", "multi", "rsa", TPM2_ALG_RSASSA,
	    "sha1:0-10+sha256:all", "sha1:11" },
};

struct fxdata {
	uint8_t *msg, *sig, *pcrbuf, *pub, *pem, *name;
	size_t msglen, siglen, pcrlen, publen, pemlen, namelen;
	uint8_t nonce[64];
	size_t nlen;
	struct pcr_set pcrs;
	struct quote_key *ak, *ak_pem;
};

static void
fx_load(const struct fx *f, struct fxdata *x)
{
	char rel[64];
	uint8_t *hex;
	size_t hexlen;
	TPMS_ATTEST a;
	long n;

	memset(x, 0, sizeof(*x));
	(void)snprintf(rel, sizeof(rel), "%s.msg", f->quote);
	read_fixture(rel, &x->msg, &x->msglen);
	(void)snprintf(rel, sizeof(rel), "%s.sig", f->quote);
	read_fixture(rel, &x->sig, &x->siglen);
	(void)snprintf(rel, sizeof(rel), "%s.pcrs", f->quote);
	read_fixture(rel, &x->pcrbuf, &x->pcrlen);
	(void)snprintf(rel, sizeof(rel), "ak-%s.pub", f->ak);
	read_fixture(rel, &x->pub, &x->publen);
	(void)snprintf(rel, sizeof(rel), "ak-%s.pem", f->ak);
	read_fixture(rel, &x->pem, &x->pemlen);
	(void)snprintf(rel, sizeof(rel), "ak-%s.name", f->ak);
	read_fixture(rel, &x->name, &x->namelen);
	(void)snprintf(rel, sizeof(rel), "%s.nonce", f->nonce);
	read_fixture(rel, &hex, &hexlen);
	while (hexlen > 0 && (hex[hexlen - 1] == '\n' ||
	    hex[hexlen - 1] == '\r'))
		hexlen--;
	assert_true(hexlen < 200);
	hex = realloc(hex, hexlen + 1);
	assert_non_null(hex);
	hex[hexlen] = '\0';
	n = tu_unhex((const char *)hex, x->nonce, sizeof(x->nonce));
	assert_true(n > 0);
	x->nlen = (size_t)n;
	free(hex);

	assert_int_equal(quote_key_load(x->pub, x->publen, 1, &x->ak, NULL), 0);
	assert_int_equal(quote_key_load(x->pem, x->pemlen, 1, &x->ak_pem,
	    NULL), 0);
	/* The values form needs the quote's selection: after the signature. */
	assert_int_equal(quote_decode_attest(x->msg, x->msglen, &a, NULL), 0);
	assert_int_equal(pcr_read_tpm2_tools(x->pcrbuf, x->pcrlen,
	    &a.attested.quote.pcrSelect, &x->pcrs, NULL), 0);
}

static void
fx_free(struct fxdata *x)
{
	free(x->msg);
	free(x->sig);
	free(x->pcrbuf);
	free(x->pub);
	free(x->pem);
	free(x->name);
	quote_key_free(x->ak);
	quote_key_free(x->ak_pem);
}

static int
fx_run(const struct quote_key *ak, const struct fxdata *x,
    const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
    const uint8_t *nonce, size_t nlen, const TPML_PCR_SELECTION *req,
    const struct pcr_set *pcrs, struct quote_info *info, struct wg_diag *d)
{
	struct quote_expect e;

	memset(&e, 0, sizeof(e));
	e.nonce = nonce != NULL ? nonce : x->nonce;
	e.nonce_len = nonce != NULL ? nlen : x->nlen;
	e.required = req;
	e.pcrs = pcrs != NULL ? pcrs : &x->pcrs;
	return quote_check(ak, msg != NULL ? msg : x->msg,
	    msg != NULL ? msglen : x->msglen, sig != NULL ? sig : x->sig,
	    sig != NULL ? siglen : x->siglen, &e, info, d);
}

static void
test_fixtures(void **state)
{
	struct fxdata x;
	struct quote_info info;
	struct wg_diag d;
	TPML_PCR_SELECTION req;
	struct pcr_set *p;
	uint8_t buf[1024], nonce[64];
	size_t f, i;
	int r;

	(void)state;
	assert_non_null(p = malloc(sizeof(*p)));
	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		const struct fx *fx = &fixtures[f];

		fx_load(fx, &x);
		/* The name tpm2_createak -n wrote, from the TPM2B_PUBLIC. */
		assert_int_equal(x.ak->name_len, x.namelen);
		assert_memory_equal(x.ak->name, x.name, x.namelen);

		wg_diag_clear(&d);
		r = fx_run(x.ak, &x, NULL, 0, NULL, 0, NULL, 0, NULL, NULL,
		    &info, &d);
		if (r != 0)
			fail_msg("%s: %s: %s", fx->quote, wg_errname(r),
			    d.detail);
		assert_int_equal(info.sig_alg, fx->sig_alg);
		assert_int_equal(info.sig_hash, TPM2_ALG_SHA256);
		assert_int_equal(info.attest.extraData.size, x.nlen);
		r = fx_run(x.ak_pem, &x, NULL, 0, NULL, 0, NULL, 0, NULL, NULL,
		    NULL, &d);
		if (r != 0)
			fail_msg("%s (PEM): %s: %s", fx->quote, wg_errname(r),
			    d.detail);

		assert_int_equal(pcr_selection_parse(fx->covered, &req, NULL),
		    0);
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, NULL, 0,
		    &req, NULL, NULL, NULL), 0);
		assert_int_equal(pcr_selection_parse(fx->not_covered, &req,
		    NULL), 0);
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, NULL, 0,
		    &req, NULL, NULL, NULL), WG_ERR_QUOTE_PCR_SELECT);

		/* Nonce: last byte changed, one byte short. */
		memcpy(nonce, x.nonce, x.nlen);
		nonce[x.nlen - 1] ^= 1;
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, nonce,
		    x.nlen, NULL, NULL, NULL, NULL), WG_ERR_QUOTE_NONCE);
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, x.nonce,
		    x.nlen - 1, NULL, NULL, NULL, NULL), WG_ERR_QUOTE_NONCE);

		/* A reported PCR value changed, or missing. */
		*p = x.pcrs;
		p->bank[p->nbanks - 1].value[7][0] ^= 0x01;
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, NULL, 0,
		    NULL, p, NULL, NULL), WG_ERR_QUOTE_PCR_DIGEST);
		*p = x.pcrs;
		p->bank[0].present &= ~1u;
		assert_int_equal(fx_run(x.ak, &x, NULL, 0, NULL, 0, NULL, 0,
		    NULL, p, NULL, NULL), WG_ERR_QUOTE_PCR_MISSING);

		/* Every bit of the quote and of the signature. */
		assert_true(x.msglen <= sizeof(buf) && x.siglen <= sizeof(buf));
		for (i = 0; i < x.msglen * 8; i++) {
			memcpy(buf, x.msg, x.msglen);
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
			r = fx_run(x.ak, &x, buf, x.msglen, NULL, 0, NULL, 0,
			    NULL, NULL, NULL, NULL);
			if (r != WG_ERR_QUOTE_DECODE && r != WG_ERR_SIGNATURE)
				fail_msg("%s: quote bit %zu: %s", fx->quote, i,
				    wg_errname(r));
		}
		for (i = 0; i < x.siglen * 8; i++) {
			memcpy(buf, x.sig, x.siglen);
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
			r = fx_run(x.ak, &x, NULL, 0, buf, x.siglen, NULL, 0,
			    NULL, NULL, NULL, NULL);
			if (r != WG_ERR_SIG_DECODE && r != WG_ERR_SIG_SCHEME &&
			    r != WG_ERR_SIGNATURE)
				fail_msg("%s: signature bit %zu: %s",
				    fx->quote, i, wg_errname(r));
		}
		for (i = 0; i < x.msglen; i++)
			assert_int_equal(fx_run(x.ak, &x, x.msg, i, NULL, 0,
			    NULL, 0, NULL, NULL, NULL, NULL),
			    WG_ERR_QUOTE_DECODE);
		for (i = 0; i < x.siglen; i++)
			assert_int_equal(fx_run(x.ak, &x, NULL, 0, x.sig, i,
			    NULL, 0, NULL, NULL, NULL, NULL),
			    WG_ERR_SIG_DECODE);
		fx_free(&x);
	}
	free(p);
}

/* The swtpm AKs against each other's quotes. */
static void
test_fixtures_cross(void **state)
{
	struct fxdata rsa, pss, ecc;

	(void)state;
	fx_load(&fixtures[0], &rsa);
	fx_load(&fixtures[1], &pss);
	fx_load(&fixtures[2], &ecc);
	/* RSASSA quote, RSAPSS AK: its scheme; without it, the signature. */
	assert_int_equal(fx_run(pss.ak, &rsa, NULL, 0, NULL, 0, NULL, 0, NULL,
	    NULL, NULL, NULL), WG_ERR_SIG_SCHEME);
	assert_int_equal(fx_run(pss.ak_pem, &rsa, NULL, 0, NULL, 0, NULL, 0,
	    NULL, NULL, NULL, NULL), WG_ERR_SIGNATURE);
	assert_int_equal(fx_run(rsa.ak, &pss, NULL, 0, NULL, 0, NULL, 0, NULL,
	    NULL, NULL, NULL), WG_ERR_SIG_SCHEME);
	assert_int_equal(fx_run(rsa.ak_pem, &pss, NULL, 0, NULL, 0, NULL, 0,
	    NULL, NULL, NULL, NULL), WG_ERR_SIGNATURE);
	assert_int_equal(fx_run(ecc.ak, &rsa, NULL, 0, NULL, 0, NULL, 0, NULL,
	    NULL, NULL, NULL), WG_ERR_SIG_SCHEME);
	assert_int_equal(fx_run(rsa.ak, &ecc, NULL, 0, NULL, 0, NULL, 0, NULL,
	    NULL, NULL, NULL), WG_ERR_SIG_SCHEME);
	/* Each quote's nonce is its own. */
	assert_int_equal(fx_run(rsa.ak, &rsa, NULL, 0, NULL, 0, ecc.nonce,
	    ecc.nlen, NULL, NULL, NULL, NULL), WG_ERR_QUOTE_NONCE);
	fx_free(&rsa);
	fx_free(&pss);
	fx_free(&ecc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_attest_bitflips),
		cmocka_unit_test(test_sig_bitflips),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_pcr_values),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_magic_type),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_key_forms),
		cmocka_unit_test(test_key_attributes),
		cmocka_unit_test(test_key_unsupported),
		cmocka_unit_test(test_key_decode),
		cmocka_unit_test(test_sig_values),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixtures_cross),
	};

	/* tss2-mu logs every input it refuses; the tests make thousands. */
	(void)setenv("TSS2_LOG", "all+none", 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
