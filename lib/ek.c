/*
 * ek.c: endorsement key identity: EK certificate chain, certificate key
 * against the EK, EK fingerprint.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ek.h"
#include "file.h"
#include "quote.h"

#define EK_CA_FILE_MAX	(4 * 1024 * 1024)	/* a PEM bundle */
#define EK_CERT_MAX	16384	/* EK certificates are 1-2 KiB */
#define EK_OID_MAX	128

/*
 * Critical extensions OpenSSL does not implement that an EK certificate
 * may carry (TCG EK Credential Profile): subjectDirectoryAttributes with
 * the TPM specification, and extensions under the TCG arc 2.23.133.
 */
#define EK_OID_SDA	"2.5.29.9"
#define EK_OID_TCG	"2.23.133."

/* Records an OpenSSL failure with the library's reason. */
static int
ek_crypto(struct wg_diag *d, int err, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[160];

	if (e == 0)
		return wg_diag_set(d, err, "%s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	return wg_diag_set(d, err, "%s: %s", what, buf);
}

int
ek_ca_load(const char *path, X509_STORE **out, struct wg_diag *d)
{
	X509_STORE *st = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	unsigned long e;
	int r;

	if (path == NULL || out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no CA bundle");
		goto out;
	}
	if ((r = file_read(path, EK_CA_FILE_MAX, &buf, &len, d)) != 0)
		goto out;
	if (len > INT32_MAX || (bio = BIO_new_mem_buf(buf, (int)len)) ==
	    NULL || (st = X509_STORE_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "CA store");
		goto out;
	}
	ERR_clear_error();
	for (;;) {
		if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
			/* The end of the input, or a broken certificate. */
			e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE && n > 0)
				break;
			r = ek_crypto(d, WG_ERR_FORMAT, n == 0 ?
			    "CA bundle holds no PEM certificate" :
			    "CA bundle: malformed certificate");
			goto out;
		}
		if (X509_STORE_add_cert(st, x) != 1) {
			e = ERR_peek_last_error();
			/* The same certificate twice is harmless. */
			if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
				r = ek_crypto(d, WG_ERR_FORMAT,
				    "CA bundle: certificate not accepted");
				goto out;
			}
		}
		X509_free(x);
		x = NULL;
		n++;
	}
	r = 0;
out:
	if (r == 0) {
		*out = st;
		st = NULL;
	}
	X509_free(x);
	X509_STORE_free(st);
	BIO_free(bio);
	free(buf);
	ERR_clear_error();
	return r;
}

int
ek_public_pkey(const TPMT_PUBLIC *ek, EVP_PKEY **out, struct wg_diag *d)
{
	struct wg_diag ld;
	int r;

	if (ek->type == TPM2_ALG_ECC &&
	    ek->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 &&
	    ek->parameters.eccDetail.curveID != TPM2_ECC_NIST_P384)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK curve 0x%04x (NIST P-256 and P-384 supported)",
		    (unsigned)ek->parameters.eccDetail.curveID);
	if (ek->type != TPM2_ALG_ECC && ek->type != TPM2_ALG_RSA)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK type 0x%04x (RSA and ECC supported)",
		    (unsigned)ek->type);
	if (ek->type == TPM2_ALG_ECC && (ek->unique.ecc.x.size == 0 ||
	    ek->unique.ecc.x.size > 48 || ek->unique.ecc.y.size == 0 ||
	    ek->unique.ecc.y.size > 48))
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "EK point coordinates of %u and %u bytes",
		    (unsigned)ek->unique.ecc.x.size,
		    (unsigned)ek->unique.ecc.y.size);
	wg_diag_clear(&ld);
	if ((r = quote_public_pkey(ek, out, &ld)) == 0)
		return 0;
	if (r == WG_ERR_AK_DECODE)
		r = WG_ERR_FORMAT;
	else if (r == WG_ERR_AK_UNSUPPORTED)
		r = WG_ERR_UNSUPPORTED;
	return wg_diag_set(d, r, "EK: %s", ld.detail);
}

int
ek_fingerprint(const TPMT_PUBLIC *ek, uint8_t fpr[EK_FPR_LEN],
    struct wg_diag *d)
{
	EVP_PKEY *pk = NULL;
	uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len, r;

	if (ek == NULL || fpr == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no EK");
		goto out;
	}
	if ((r = ek_public_pkey(ek, &pk, d)) != 0)
		goto out;
	if ((len = i2d_PUBKEY(pk, &der)) <= 0) {
		r = ek_crypto(d, WG_ERR_CRYPTO, "SubjectPublicKeyInfo");
		goto out;
	}
	if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) !=
	    1 || mdlen != EK_FPR_LEN) {
		r = ek_crypto(d, WG_ERR_CRYPTO, "SHA-256");
		goto out;
	}
	r = 0;
out:
	if (r == 0)
		memcpy(fpr, md, EK_FPR_LEN);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return r;
}

/*
 * Whether every critical extension of x that OpenSSL does not handle is
 * one the TCG defines for EK certificates (and there is at least one).
 */
static int
ek_tcg_critical_only(X509 *x)
{
	const X509_EXTENSION *ext;
	char oid[EK_OID_MAX];
	int i, n, len, seen = 0;

	n = X509_get_ext_count(x);
	for (i = 0; i < n; i++) {
		if ((ext = X509_get_ext(x, i)) == NULL)
			return 0;
		if (!X509_EXTENSION_get_critical(ext) ||
		    X509_supported_extension((X509_EXTENSION *)ext))
			continue;
		len = OBJ_obj2txt(oid, sizeof(oid),
		    X509_EXTENSION_get_object((X509_EXTENSION *)ext), 1);
		if (len <= 0 || (size_t)len >= sizeof(oid))
			return 0;
		if (strcmp(oid, EK_OID_SDA) != 0 &&
		    strncmp(oid, EK_OID_TCG, sizeof(EK_OID_TCG) - 1) != 0)
			return 0;
		seen = 1;
	}
	return seen;
}

/*
 * Verification callback: OpenSSL refuses a certificate with a critical
 * extension it does not implement. For the EK certificate itself (depth
 * 0) and only when all of those are TCG ones, that one error is
 * overlooked; anything else stands. Never used for CA certificates.
 */
static int
ek_verify_cb(int ok, X509_STORE_CTX *ctx)
{
	X509 *x;

	if (ok)
		return ok;
	if (X509_STORE_CTX_get_error(ctx) !=
	    X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION ||
	    X509_STORE_CTX_get_error_depth(ctx) != 0)
		return 0;
	if ((x = X509_STORE_CTX_get_current_cert(ctx)) == NULL ||
	    !ek_tcg_critical_only(x))
		return 0;
	X509_STORE_CTX_set_error(ctx, X509_V_OK);
	return 1;
}

int
ek_cert_verify(const uint8_t *der, size_t len, X509_STORE *cas,
    const TPMT_PUBLIC *ek, int64_t now, struct wg_diag *d)
{
	X509 *x = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	EVP_PKEY *pk = NULL, *cpk;
	const unsigned char *p;
	int r, err, depth;

	if (der == NULL || cas == NULL || ek == NULL || now < 0) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "ek_cert_verify");
		goto out;
	}
	if (len == 0 || len > EK_CERT_MAX) {
		r = wg_diag_set(d, WG_ERR_EK_CERT_UNTRUSTED,
		    "EK certificate of %zu bytes (1..%d)", len, EK_CERT_MAX);
		goto out;
	}
	if ((r = ek_public_pkey(ek, &pk, d)) != 0)
		goto out;
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		r = ek_crypto(d, WG_ERR_EK_CERT_UNTRUSTED,
		    "EK certificate is not DER X.509");
		goto out;
	}
	if ((size_t)(p - der) != len) {
		r = wg_diag_set(d, WG_ERR_EK_CERT_UNTRUSTED,
		    "%zu bytes after the EK certificate",
		    len - (size_t)(p - der));
		goto out;
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, cas, x, NULL) != 1) {
		r = ek_crypto(d, WG_ERR_ALLOC, "X509_STORE_CTX");
		goto out;
	}
	/* EK certificates carry the TCG EKU only: no TLS purpose applies. */
	param = X509_STORE_CTX_get0_param(ctx);
	if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY) != 1) {
		r = ek_crypto(d, WG_ERR_CRYPTO, "verify purpose");
		goto out;
	}
	if (now != 0)
		X509_VERIFY_PARAM_set_time(param, (time_t)now);
	X509_STORE_CTX_set_verify_cb(ctx, ek_verify_cb);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		r = wg_diag_set(d, WG_ERR_EK_CERT_UNTRUSTED,
		    "%s (OpenSSL verify error %d at depth %d)",
		    X509_verify_cert_error_string(err), err, depth);
		goto out;
	}
	if ((cpk = X509_get0_pubkey(x)) == NULL) {
		r = ek_crypto(d, WG_ERR_EK_CERT_UNTRUSTED,
		    "EK certificate public key");
		goto out;
	}
	if (EVP_PKEY_eq(cpk, pk) != 1) {
		r = wg_diag_set(d, WG_ERR_EK_MISMATCH,
		    "the certificate's %s key is not the EK",
		    EVP_PKEY_get0_type_name(cpk) != NULL ?
		    EVP_PKEY_get0_type_name(cpk) : "unknown");
		goto out;
	}
	r = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return r;
}
