/*
 * test_ek.c: EK certificates and fingerprints.
 *
 * Offline, with the swtpm fixtures of tests/data/identity (see its
 * README: real EK certificates a test CA issued through swtpm-localca),
 * and with certificates made here with OpenSSL to pin down which critical
 * extensions are tolerated on an EK certificate and where.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <tss2/tss2_mu.h>

#include "ek.h"
#include "hex.h"
#include "quote.h"
#include "wg_err.h"
#include "../common/testutil.h"

/* Fixed verification times (the fixtures were made in November 2026). */
#define T_VALID		1830297600	/* 2028-01-01 */
#define T_BEFORE	946684800	/* 2000-01-01: before every certificate */
#define T_EXPIRED	2429913600	/* 2047-01-01: the test CA expired in 2046 */

/* ---- fixtures --------------------------------------------------------- */

static uint8_t *
fixture(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = NULL;

	tu_data_path(name, path, sizeof(path));
	if (tu_read_file(path, 1 << 20, &buf, len) != 0)
		fail_msg("cannot read %s (set WG_TESTDATA)", path);
	return buf;
}

static const char *
fixture_path(const char *name)
{
	static char path[8][512];
	static int i;

	i = (i + 1) % 8;
	return tu_data_path(name, path[i], sizeof(path[i]));
}

static void
load_pub(const char *name, TPMT_PUBLIC *out)
{
	TPM2B_PUBLIC pub;
	const uint8_t *area;
	size_t len = 0, area_len = 0;
	uint8_t *buf = fixture(name, &len);

	assert_int_equal(quote_decode_public(buf, len, &pub, &area, &area_len,
	    NULL), 0);
	*out = pub.publicArea;
	free(buf);
}

static X509_STORE *
load_cas(const char *name)
{
	X509_STORE *st = NULL;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	r = ek_ca_load(fixture_path(name), &st, &d);
	if (r != 0)
		fail_msg("ek_ca_load %s: %s %s", name, wg_errname(r), d.detail);
	return st;
}

/* ek_cert_verify of a fixture certificate; returns the code. */
static int
verify_fixture(const char *cert, const char *ca, const char *pub,
    int64_t now, struct wg_diag *d)
{
	X509_STORE *st = load_cas(ca);
	TPMT_PUBLIC ek;
	uint8_t *der;
	size_t len = 0;
	int r;

	load_pub(pub, &ek);
	der = fixture(cert, &len);
	wg_diag_clear(d);
	r = ek_cert_verify(der, len, st, &ek, now, d);
	free(der);
	X509_STORE_free(st);
	return r;
}

static void
expect(int got, int want, const struct wg_diag *d, const char *what)
{
	if (got != want)
		fail_msg("%s: got %s (%s), expected %s", what, wg_errname(got),
		    d->detail, wg_errname(want));
	if (want != 0) {
		assert_int_equal(d->err, want);
		assert_true(d->detail[0] != '\0');
	}
}

/* ---- ek_ca_load ------------------------------------------------------- */

static const char *
write_tmp(const char *text, size_t len)
{
	static char path[64];
	FILE *f;
	int fd;

	(void)snprintf(path, sizeof(path), "/tmp/wg-test-ek.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
ca_load_expect(const char *text, size_t len, int want, const char *what)
{
	X509_STORE *st = (X509_STORE *)0x1;
	struct wg_diag d;
	const char *path = write_tmp(text, len);
	int r;

	wg_diag_clear(&d);
	r = ek_ca_load(path, &st, &d);
	(void)unlink(path);
	expect(r, want, &d, what);
	if (want != 0)
		assert_ptr_equal(st, (X509_STORE *)0x1);	/* untouched */
	else
		X509_STORE_free(st);
}

static void
test_ca_load(void **state)
{
	X509_STORE *st = NULL;
	struct wg_diag d;
	uint8_t *pem;
	char *buf, *second;
	size_t len = 0, n;

	(void)state;
	X509_STORE_free(load_cas("identity/ca-bundle.pem"));
	X509_STORE_free(load_cas("identity/other-ca.pem"));
	X509_STORE_free(load_cas("identity/ca-issuer.pem"));

	wg_diag_clear(&d);
	assert_int_equal(ek_ca_load("/nonexistent/ca.pem", &st, &d),
	    WG_ERR_IO);
	assert_null(st);
	assert_int_equal(ek_ca_load(NULL, &st, NULL), WG_ERR_INVALID_ARG);

	ca_load_expect("", 0, WG_ERR_FORMAT, "empty bundle");
	ca_load_expect("just text\n", 10, WG_ERR_FORMAT, "no certificate");
	pem = fixture("identity/ca-bundle.pem", &len);
	/* Text around the certificates is allowed, as in OpenSSL bundles. */
	assert_non_null(buf = malloc(len + 64));
	n = (size_t)snprintf(buf, len + 64, "# comment\n%.*s", (int)len,
	    (const char *)pem);
	ca_load_expect(buf, n, 0, "bundle with a comment line");
	/* A certificate cut in the middle. */
	ca_load_expect((const char *)pem, len / 3, WG_ERR_FORMAT,
	    "truncated PEM");
	/* A good one, then a broken one. */
	n = (size_t)snprintf(buf, len + 64, "%.*s", (int)len,
	    (const char *)pem);
	assert_non_null(second = strstr(buf + 40, "-----BEGIN"));
	memcpy(second + 100, "!!!!", 4);
	ca_load_expect(buf, n, WG_ERR_FORMAT, "second certificate damaged");
	free(buf);
	free(pem);
	/* DER is not a PEM bundle. */
	pem = fixture("identity/ek-rsa.crt", &len);
	ca_load_expect((const char *)pem, len, WG_ERR_FORMAT, "DER file");
	free(pem);
}

/* ---- ek_fingerprint --------------------------------------------------- */

static void
test_fingerprint(void **state)
{
	static const char *keys[] = { "ek-rsa", "ek-ecc", "ek-ecc384" };
	uint8_t fpr[EK_FPR_LEN], other[EK_FPR_LEN];
	char name[64], hex[2 * EK_FPR_LEN + 1], *want;
	TPMT_PUBLIC ek;
	struct wg_diag d;
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)snprintf(name, sizeof(name), "identity/%s.pub", keys[i]);
		load_pub(name, &ek);
		assert_int_equal(ek_fingerprint(&ek, fpr, NULL), 0);
		(void)snprintf(name, sizeof(name), "identity/%s.fpr", keys[i]);
		want = (char *)fixture(name, &len);
		assert_true(len >= 2 * EK_FPR_LEN);
		hex_encode(fpr, sizeof(fpr), hex, sizeof(hex));
		if (memcmp(hex, want, 2 * EK_FPR_LEN) != 0)
			fail_msg("%s: fingerprint %s, openssl says %.64s",
			    keys[i], hex, want);
		free(want);
	}
	/* Another TPM, another fingerprint. */
	load_pub("identity/ek-rsa.pub", &ek);
	assert_int_equal(ek_fingerprint(&ek, fpr, NULL), 0);
	load_pub("identity/tpmb-ek-rsa.pub", &ek);
	assert_int_equal(ek_fingerprint(&ek, other, NULL), 0);
	assert_memory_not_equal(fpr, other, EK_FPR_LEN);
	/* Attributes are not part of it: the key is. */
	ek.objectAttributes ^= TPMA_OBJECT_USERWITHAUTH;
	assert_int_equal(ek_fingerprint(&ek, fpr, NULL), 0);
	assert_memory_equal(fpr, other, EK_FPR_LEN);

	/* Refusals, output untouched. */
	memset(fpr, 0x5a, sizeof(fpr));
	load_pub("identity/ek-ecc.pub", &ek);
	ek.parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
	wg_diag_clear(&d);
	assert_int_equal(ek_fingerprint(&ek, fpr, &d), WG_ERR_UNSUPPORTED);
	load_pub("identity/ek-ecc.pub", &ek);
	ek.unique.ecc.y.buffer[5] ^= 1;
	assert_int_equal(ek_fingerprint(&ek, fpr, &d), WG_ERR_FORMAT);
	ek.type = TPM2_ALG_KEYEDHASH;
	assert_int_equal(ek_fingerprint(&ek, fpr, &d), WG_ERR_UNSUPPORTED);
	for (i = 0; i < sizeof(fpr); i++)
		assert_int_equal(fpr[i], 0x5a);
	assert_int_equal(ek_fingerprint(NULL, fpr, NULL), WG_ERR_INVALID_ARG);
}

/* ---- ek_cert_verify with the swtpm fixtures --------------------------- */

static void
test_good_chain(void **state)
{
	struct wg_diag d;

	(void)state;
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-bundle.pem",
	    "identity/ek-rsa.pub", T_VALID, &d), 0, &d, "RSA EK");
	expect(verify_fixture("identity/ek-ecc.crt", "identity/ca-bundle.pem",
	    "identity/ek-ecc.pub", T_VALID, &d), 0, &d, "ECC P-256 EK");
	expect(verify_fixture("identity/ek-ecc384.crt",
	    "identity/ca-bundle.pem", "identity/ek-ecc384.pub", T_VALID, &d),
	    0, &d, "ECC P-384 EK");
	/* swtpm_cert's certificate with an empty subject. */
	expect(verify_fixture("identity/ek-rsa-nosubject.crt",
	    "identity/ca-bundle.pem", "identity/ek-rsa.pub", T_VALID, &d), 0,
	    &d, "empty subject");
}

static void
test_wrong_ca(void **state)
{
	struct wg_diag d;

	(void)state;
	expect(verify_fixture("identity/ek-rsa.crt", "identity/other-ca.pem",
	    "identity/ek-rsa.pub", T_VALID, &d), WG_ERR_EK_CERT_UNTRUSTED, &d,
	    "another CA");
	assert_non_null(strstr(d.detail, "local issuer"));
	expect(verify_fixture("identity/ek-ecc384.crt",
	    "identity/other-ca.pem", "identity/ek-ecc384.pub", T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "another CA, P-384");
	/* The issuing CA without its root is not a trust anchor. */
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-issuer.pem",
	    "identity/ek-rsa.pub", T_VALID, &d), WG_ERR_EK_CERT_UNTRUSTED, &d,
	    "issuer without root");
}

static void
test_der(void **state)
{
	X509_STORE *st = load_cas("identity/ca-bundle.pem");
	TPMT_PUBLIC ek;
	struct wg_diag d;
	uint8_t *der, *buf;
	size_t len = 0;

	(void)state;
	load_pub("identity/ek-rsa.pub", &ek);
	der = fixture("identity/ek-rsa.crt", &len);
	assert_non_null(buf = malloc(len + 16));
	memcpy(buf, der, len);

	/* Trailing bytes after the DER, even zeros. */
	buf[len] = 0;
	wg_diag_clear(&d);
	expect(ek_cert_verify(buf, len + 1, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "one byte after the DER");
	assert_non_null(strstr(d.detail, "after"));
	memcpy(buf + len, der, 16);
	expect(ek_cert_verify(buf, len + 16, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "16 bytes after the DER");
	/* Truncated, empty, garbage. */
	expect(ek_cert_verify(buf, len - 1, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "truncated");
	expect(ek_cert_verify(buf, 0, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "empty");
	memset(buf, 0x30, len);
	expect(ek_cert_verify(buf, len, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "garbage");
	/* A flipped bit in the signed part: the signature fails. */
	memcpy(buf, der, len);
	buf[len / 2] ^= 0x01;
	expect(ek_cert_verify(buf, len, st, &ek, T_VALID, &d),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "flipped bit");
	/* The untouched one still passes. */
	expect(ek_cert_verify(der, len, st, &ek, T_VALID, &d), 0, &d,
	    "original");

	/* Arguments. */
	assert_int_equal(ek_cert_verify(NULL, len, st, &ek, 0, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(ek_cert_verify(der, len, NULL, &ek, 0, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(ek_cert_verify(der, len, st, NULL, 0, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(ek_cert_verify(der, len, st, &ek, -1, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(ek_cert_verify(der, 1 << 20, st, &ek, 0, NULL),
	    WG_ERR_EK_CERT_UNTRUSTED);
	free(buf);
	free(der);
	X509_STORE_free(st);
}

static void
test_wrong_key(void **state)
{
	struct wg_diag d;
	TPMT_PUBLIC ek;
	X509_STORE *st;
	uint8_t *der;
	size_t len = 0;

	(void)state;
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-bundle.pem",
	    "identity/tpmb-ek-rsa.pub", T_VALID, &d), WG_ERR_EK_MISMATCH, &d,
	    "another TPM's RSA EK");
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-bundle.pem",
	    "identity/ek-ecc.pub", T_VALID, &d), WG_ERR_EK_MISMATCH, &d,
	    "RSA certificate, ECC EK");
	expect(verify_fixture("identity/ek-ecc384.crt",
	    "identity/ca-bundle.pem", "identity/ek-ecc.pub", T_VALID, &d),
	    WG_ERR_EK_MISMATCH, &d, "P-384 certificate, P-256 EK");
	expect(verify_fixture("identity/ek-ecc.crt", "identity/ca-bundle.pem",
	    "identity/ek-ecc384.pub", T_VALID, &d), WG_ERR_EK_MISMATCH, &d,
	    "P-256 certificate, P-384 EK");

	/* One bit of the EK's modulus. */
	st = load_cas("identity/ca-bundle.pem");
	load_pub("identity/ek-rsa.pub", &ek);
	der = fixture("identity/ek-rsa.crt", &len);
	ek.unique.rsa.buffer[100] ^= 0x10;
	wg_diag_clear(&d);
	expect(ek_cert_verify(der, len, st, &ek, T_VALID, &d),
	    WG_ERR_EK_MISMATCH, &d, "one bit of the modulus");
	/* An EK that is not a key at all. */
	ek.type = TPM2_ALG_SYMCIPHER;
	expect(ek_cert_verify(der, len, st, &ek, T_VALID, &d),
	    WG_ERR_UNSUPPORTED, &d, "symcipher EK");
	free(der);
	X509_STORE_free(st);
}

static void
test_time(void **state)
{
	struct wg_diag d;

	(void)state;
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-bundle.pem",
	    "identity/ek-rsa.pub", T_BEFORE, &d), WG_ERR_EK_CERT_UNTRUSTED, &d,
	    "before the certificate");
	assert_non_null(strstr(d.detail, "not yet valid"));
	expect(verify_fixture("identity/ek-rsa.crt", "identity/ca-bundle.pem",
	    "identity/ek-rsa.pub", T_EXPIRED, &d), WG_ERR_EK_CERT_UNTRUSTED, &d,
	    "after the CA expired");
	assert_non_null(strstr(d.detail, "expired"));
}

/* ---- synthesised certificates: critical extensions -------------------- */

/* subjectAltName of swtpm's EK certificates: directoryName of TPM
 * manufacturer (2.23.133.2.1), model (.2), version (.3). */
static const char san_tcg[] =
    "3046a444304231163014060567810502010c0b69643a303030303130313431"
    "10300e060567810502020c05737774706d31163014060567810502030c0b69"
    "643a3230313931303233";
/* subjectDirectoryAttributes: TPM specification 2.0, level 0, rev 164. */
static const char sda_tcg[] =
    "3019301706056781050210310e300c0c03322e30020100020200a4";

struct ext {
	const char *oid;	/* dotted */
	int critical;
	const char *der_hex;	/* the extension value */
};

static void
add_ext(X509 *x, const struct ext *e)
{
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os;
	X509_EXTENSION *ex;
	uint8_t v[256];
	long n = tu_unhex(e->der_hex, v, sizeof(v));

	assert_true(n > 0);
	assert_non_null(obj = OBJ_txt2obj(e->oid, 1));
	assert_non_null(os = ASN1_OCTET_STRING_new());
	assert_int_equal(ASN1_OCTET_STRING_set(os, v, (int)n), 1);
	assert_non_null(ex = X509_EXTENSION_create_by_OBJ(NULL, obj,
	    e->critical, os));
	assert_int_equal(X509_add_ext(x, ex, -1), 1);
	X509_EXTENSION_free(ex);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

#define BC_CA		{ "2.5.29.19", 1, "30030101ff" }
#define KU_CERTSIGN	{ "2.5.29.15", 1, "03020106" }
#define BC_EE		{ "2.5.29.19", 1, "3000" }
#define KU_KEYAGREE	{ "2.5.29.15", 1, "03020308" }
#define SAN_TCG_CRIT	{ "2.5.29.17", 1, san_tcg }

/* A certificate for key, signed by ikey (self-signed if issuer NULL). */
static X509 *
mkcert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    const struct ext *exts, size_t n)
{
	static long serial = 1;
	X509 *x;
	X509_NAME *nm;
	size_t i;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x),
	    serial++), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -86400));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 365));
	assert_non_null(nm = X509_NAME_new());
	if (cn != NULL)
		assert_int_equal(X509_NAME_add_entry_by_txt(nm, "CN",
		    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, nm), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : nm), 1);
	X509_NAME_free(nm);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	for (i = 0; i < n; i++)
		add_ext(x, &exts[i]);
	assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
	return x;
}

static void
ecc_public(EVP_PKEY *pk, TPMT_PUBLIC *p)
{
	BIGNUM *bn = NULL;

	memset(p, 0, sizeof(*p));
	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	p->parameters.eccDetail.symmetric.keyBits.aes = 128;
	p->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X,
	    &bn), 1);
	assert_int_equal(BN_bn2binpad(bn, p->unique.ecc.x.buffer, 32), 32);
	BN_free(bn);
	bn = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y,
	    &bn), 1);
	assert_int_equal(BN_bn2binpad(bn, p->unique.ecc.y.buffer, 32), 32);
	BN_free(bn);
	p->unique.ecc.x.size = p->unique.ecc.y.size = 32;
}

struct pki {
	EVP_PKEY *root_key, *int_key, *ek_key;
	X509 *root, *inter;
	X509_STORE *store;
	TPMT_PUBLIC ek;
};

/* Root and issuing CA (the latter with extra extensions, if any). */
static void
pki_new(struct pki *p, const struct ext *int_extra, size_t n_extra)
{
	const struct ext ca_exts[] = { BC_CA, KU_CERTSIGN };
	struct ext iexts[8];
	size_t i;

	assert_true(n_extra + 2 <= 8);
	memset(p, 0, sizeof(*p));
	assert_non_null(p->root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	assert_non_null(p->int_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	assert_non_null(p->ek_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	p->root = mkcert(p->root_key, "test root", NULL, p->root_key,
	    ca_exts, 2);
	iexts[0] = ca_exts[0];
	iexts[1] = ca_exts[1];
	for (i = 0; i < n_extra; i++)
		iexts[2 + i] = int_extra[i];
	p->inter = mkcert(p->int_key, "test issuer", p->root, p->root_key,
	    iexts, 2 + n_extra);
	assert_non_null(p->store = X509_STORE_new());
	assert_int_equal(X509_STORE_add_cert(p->store, p->root), 1);
	assert_int_equal(X509_STORE_add_cert(p->store, p->inter), 1);
	ecc_public(p->ek_key, &p->ek);
}

static void
pki_free(struct pki *p)
{
	X509_STORE_free(p->store);
	X509_free(p->root);
	X509_free(p->inter);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->int_key);
	EVP_PKEY_free(p->ek_key);
}

/* An EK certificate with exts from p's issuer; ek_cert_verify's result. */
static int
ek_with(struct pki *p, const char *cn, const struct ext *exts, size_t n,
    struct wg_diag *d, int *openssl_alone)
{
	X509 *x = mkcert(p->ek_key, cn, p->inter, p->int_key, exts, n);
	X509_STORE_CTX *ctx;
	uint8_t *der = NULL;
	int len, r;

	assert_true((len = i2d_X509(x, &der)) > 0);
	wg_diag_clear(d);
	r = ek_cert_verify(der, (size_t)len, p->store, &p->ek, 0, d);
	/* What OpenSSL says on its own (purpose any, no callback). */
	if (openssl_alone != NULL) {
		assert_non_null(ctx = X509_STORE_CTX_new());
		assert_int_equal(X509_STORE_CTX_init(ctx, p->store, x, NULL), 1);
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		*openssl_alone = X509_verify_cert(ctx) == 1 ? 0 :
		    X509_STORE_CTX_get_error(ctx);
		X509_STORE_CTX_free(ctx);
	}
	OPENSSL_free(der);
	X509_free(x);
	return r;
}

static void
test_critical_extensions(void **state)
{
	const struct ext swtpm_like[] = {
		{ "2.5.29.37", 0, "300706056781050801" },  /* EKU tcg-kp-EK */
		SAN_TCG_CRIT, BC_EE,
		{ "2.5.29.9", 0, sda_tcg },
		KU_KEYAGREE,
	};
	const struct ext sda_critical[] = {
		SAN_TCG_CRIT, BC_EE, { "2.5.29.9", 1, sda_tcg }, KU_KEYAGREE,
	};
	const struct ext tcg_critical[] = {
		SAN_TCG_CRIT, BC_EE, { "2.23.133.99.1", 1, "0500" },
	};
	const struct ext unknown_critical[] = {
		SAN_TCG_CRIT, BC_EE, { "1.3.6.1.4.1.99999.1", 1, "0500" },
	};
	const struct ext mixed_critical[] = {
		SAN_TCG_CRIT, { "2.5.29.9", 1, sda_tcg },
		{ "1.3.6.1.4.1.99999.1", 1, "0500" },
	};
	const struct ext near_tcg[] = {		/* 2.23.1330 is not 2.23.133 */
		BC_EE, { "2.23.1330.1", 1, "0500" },
	};
	const struct ext int_sda_critical[] = { { "2.5.29.9", 1, sda_tcg } };
	struct pki p;
	struct wg_diag d;
	int alone = 0;

	(void)state;
	pki_new(&p, NULL, 0);

	/* swtpm's EK certificate shape, with an empty subject too. */
	expect(ek_with(&p, "unknown", swtpm_like, 5, &d, &alone), 0, &d,
	    "swtpm-like");
	assert_int_equal(alone, 0);
	expect(ek_with(&p, NULL, swtpm_like, 5, &d, &alone), 0, &d,
	    "swtpm-like, empty subject");
	assert_int_equal(alone, 0);

	/*
	 * A critical subjectDirectoryAttributes or TCG extension: OpenSSL
	 * alone refuses it (unhandled critical extension); the EK check
	 * tolerates it on the EK certificate.
	 */
	expect(ek_with(&p, NULL, sda_critical, 4, &d, &alone), 0, &d,
	    "critical subjectDirectoryAttributes");
	assert_int_equal(alone, X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION);
	expect(ek_with(&p, "x", tcg_critical, 3, &d, &alone), 0, &d,
	    "critical TCG extension");
	assert_int_equal(alone, X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION);

	/* Any other unknown critical extension stays refused. */
	expect(ek_with(&p, "x", unknown_critical, 3, &d, NULL),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "unknown critical extension");
	assert_non_null(strstr(d.detail, "critical"));
	expect(ek_with(&p, "x", mixed_critical, 3, &d, NULL),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "TCG and unknown critical");
	expect(ek_with(&p, "x", near_tcg, 2, &d, NULL),
	    WG_ERR_EK_CERT_UNTRUSTED, &d, "OID that only starts like TCG's");
	/* The tolerance never hides another error. */
	{
		struct pki q;

		pki_new(&q, NULL, 0);
		X509_STORE_free(p.store);
		p.store = q.store;	/* another root */
		q.store = NULL;
		expect(ek_with(&p, NULL, sda_critical, 4, &d, NULL),
		    WG_ERR_EK_CERT_UNTRUSTED, &d, "tolerated, wrong CA");
		pki_free(&q);
	}
	pki_free(&p);

	/* Not on a CA certificate: only the EK certificate gets it. */
	pki_new(&p, int_sda_critical, 1);
	expect(ek_with(&p, "x", swtpm_like, 5, &d, NULL),
	    WG_ERR_EK_CERT_UNTRUSTED, &d,
	    "issuing CA with a critical subjectDirectoryAttributes");
	pki_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_load),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_good_chain),
		cmocka_unit_test(test_wrong_ca),
		cmocka_unit_test(test_der),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_critical_extensions),
	};

	(void)setenv("TSS2_LOG", "all+none", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
