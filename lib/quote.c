/* quote.c: TPM2_Quote decoding and verification. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <tss2/tss2_mu.h>

#include "hex.h"
#include "quote.h"

#define QUOTE_PEM_MAX		16384	/* a 4096-bit key's PEM is ~800 */
#define QUOTE_PEM_TAG		"-----BEGIN PUBLIC KEY-----"
#define QUOTE_RSA_EXP_DEFAULT	65537
/* SEQUENCE { INTEGER r, INTEGER s } for P-384: 2 + 2 * (2 + 1 + 48) */
#define QUOTE_ECDSA_DER_MAX	104
#define QUOTE_ECC_MAX_BYTES	48

/* sha256, sha384 and sha512: the hashes accepted for signatures. */
static const struct alg_info *
quote_sig_hash(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA256:
	case TPM2_ALG_SHA384:
	case TPM2_ALG_SHA512:
		return alg_by_id(alg);
	}
	return NULL;
}

/* Name of a signature or key scheme for messages (buf >= 8 bytes). */
static const char *
quote_scheme_name(uint16_t alg, char *buf, size_t len)
{
	switch (alg) {
	case TPM2_ALG_RSASSA:
		return "rsassa";
	case TPM2_ALG_RSAPSS:
		return "rsapss";
	case TPM2_ALG_ECDSA:
		return "ecdsa";
	case TPM2_ALG_NULL:
		return "null";
	}
	return alg_name(alg, buf, len);
}

/* The OpenSSL group name and coordinate size of a supported curve. */
static const char *
quote_curve(uint16_t curve, size_t *bytes)
{
	switch (curve) {
	case TPM2_ECC_NIST_P256:
		*bytes = 32;
		return "P-256";
	case TPM2_ECC_NIST_P384:
		*bytes = 48;
		return "P-384";
	}
	return NULL;
}

void
quote_key_free(struct quote_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/*
 * Checks an OpenSSL public key, whichever form it came from: RSA of
 * 2048..4096 bits, or EC on P-256/P-384 with its point validated.
 */
static int
quote_pkey_check(EVP_PKEY *pk, struct wg_diag *d)
{
	EVP_PKEY_CTX *ctx = NULL;
	char group[32];
	int bits, r;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		bits = EVP_PKEY_get_bits(pk);
		if (bits < 2048 || bits > 4096) {
			r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "RSA key of %d bits (2048-4096 supported)", bits);
			goto out;
		}
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) != 1) {
			r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "EC key without a named curve");
			goto out;
		}
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "P-256") != 0 &&
		    strcmp(group, "secp384r1") != 0 &&
		    strcmp(group, "P-384") != 0) {
			r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "EC curve %s (P-256 and P-384 supported)", group);
			goto out;
		}
		if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL) {
			r = wg_diag_set(d, WG_ERR_CRYPTO, "EVP_PKEY_CTX");
			goto out;
		}
		if (EVP_PKEY_public_check(ctx) != 1) {
			r = wg_diag_set(d, WG_ERR_AK_DECODE,
			    "EC public point is not a valid point of %s", group);
			goto out;
		}
	} else {
		r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
		    "key type %s (RSA and EC supported)",
		    EVP_PKEY_get0_type_name(pk) != NULL ?
		    EVP_PKEY_get0_type_name(pk) : "unknown");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* A PEM "PUBLIC KEY" (SubjectPublicKeyInfo), nothing but space after it. */
static int
quote_load_pem(const uint8_t *buf, size_t len, EVP_PKEY **out,
    struct wg_diag *d)
{
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	long derlen = 0;
	char rest[64];
	int n, i, r;

	if (len > QUOTE_PEM_MAX) {
		r = wg_diag_set(d, WG_ERR_AK_DECODE, "PEM key of %zu bytes",
		    len);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "BIO");
		goto out;
	}
	if (PEM_read_bio(bio, &name, &header, &der, &derlen) != 1 ||
	    strcmp(name, "PUBLIC KEY") != 0 || header[0] != '\0') {
		r = wg_diag_set(d, WG_ERR_AK_DECODE, "malformed PEM public key");
		goto out;
	}
	while ((n = BIO_read(bio, rest, sizeof(rest))) > 0) {
		for (i = 0; i < n; i++) {
			if (rest[i] != ' ' && rest[i] != '\t' &&
			    rest[i] != '\r' && rest[i] != '\n') {
				r = wg_diag_set(d, WG_ERR_AK_DECODE,
				    "data after the PEM public key");
				goto out;
			}
		}
	}
	p = der;
	if ((pk = d2i_PUBKEY(NULL, &p, derlen)) == NULL || p != der + derlen) {
		r = wg_diag_set(d, WG_ERR_AK_DECODE,
		    "malformed SubjectPublicKeyInfo in PEM");
		goto out;
	}
	if ((r = quote_pkey_check(pk, d)) != 0)
		goto out;
	r = 0;
out:
	if (r == 0) {
		*out = pk;
		pk = NULL;
	}
	EVP_PKEY_free(pk);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

/*
 * Decodes a TPM2B_PUBLIC or, failing the size test, a bare TPMT_PUBLIC.
 * *area points at the marshalled TPMT_PUBLIC inside buf (for the name).
 */
int
quote_decode_public(const uint8_t *buf, size_t len, TPM2B_PUBLIC *pub,
    const uint8_t **area, size_t *area_len, struct wg_diag *d)
{
	TPM2B_PUBLIC tmp;
	size_t off = 0;
	uint16_t size = 0;
	TSS2_RC rc;

	memset(&tmp, 0, sizeof(tmp));	/* tss2-mu wants size 0 on input */
	if (Tss2_MU_UINT16_Unmarshal(buf, len, &off, &size) == TSS2_RC_SUCCESS &&
	    (size_t)size == len - 2) {
		off = 0;
		rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &tmp);
		if (rc != TSS2_RC_SUCCESS || off != len || tmp.size != size)
			return wg_diag_set(d, WG_ERR_AK_DECODE,
			    "malformed TPM2B_PUBLIC (rc 0x%x, %zu of %zu bytes)",
			    (unsigned)rc, off, len);
		/*
		 * tss2-mu 3.2.1 ignores the result of the inner TPMT_PUBLIC
		 * decode of a TPM2B_PUBLIC: decode it again on its own.
		 */
		off = 2;
		memset(&tmp.publicArea, 0, sizeof(tmp.publicArea));
		rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(buf, len, &off,
		    &tmp.publicArea);
		if (rc != TSS2_RC_SUCCESS || off != len)
			return wg_diag_set(d, WG_ERR_AK_DECODE,
			    "malformed TPMT_PUBLIC in TPM2B_PUBLIC (rc 0x%x, "
			    "%zu of %zu bytes)", (unsigned)rc, off, len);
		*pub = tmp;
		*area = buf + 2;
		*area_len = len - 2;
		return 0;
	}
	off = 0;
	rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(buf, len, &off, &tmp.publicArea);
	if (rc != TSS2_RC_SUCCESS || off != len || len > UINT16_MAX)
		return wg_diag_set(d, WG_ERR_AK_DECODE,
		    "neither a TPM2B_PUBLIC nor a TPMT_PUBLIC (rc 0x%x, %zu of "
		    "%zu bytes)", (unsigned)rc, off, len);
	tmp.size = (uint16_t)len;
	*pub = tmp;
	*area = buf;
	*area_len = len;
	return 0;
}

/* The signing scheme a public area fixes (TPM2_ALG_NULL: none). */
static void
quote_public_scheme(const TPMT_PUBLIC *p, uint16_t *scheme, uint16_t *hash)
{
	*scheme = TPM2_ALG_NULL;
	*hash = TPM2_ALG_NULL;
	if (p->type == TPM2_ALG_RSA) {
		*scheme = p->parameters.rsaDetail.scheme.scheme;
		*hash = p->parameters.rsaDetail.scheme.details.anySig.hashAlg;
	} else if (p->type == TPM2_ALG_ECC) {
		*scheme = p->parameters.eccDetail.scheme.scheme;
		*hash = p->parameters.eccDetail.scheme.details.anySig.hashAlg;
	}
	if (*scheme == TPM2_ALG_NULL)
		*hash = TPM2_ALG_NULL;
}

/* Type, size, scheme and attribute checks of a TPM public area. */
static int
quote_public_check(const TPMT_PUBLIC *p, int require_restricted,
    struct wg_diag *d)
{
	const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED |
	    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN;
	const TPMU_PUBLIC_ID *u = &p->unique;
	uint16_t scheme, hash;
	size_t csize = 0;
	unsigned bits;
	char abuf[8];

	if (quote_sig_hash(p->nameAlg) == NULL)
		return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED, "nameAlg %s",
		    alg_name(p->nameAlg, abuf, sizeof(abuf)));
	quote_public_scheme(p, &scheme, &hash);
	switch (p->type) {
	case TPM2_ALG_RSA:
		bits = p->parameters.rsaDetail.keyBits;
		if (bits != 2048 && bits != 3072 && bits != 4096)
			return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "RSA key of %u bits (2048, 3072, 4096 supported)",
			    bits);
		if (scheme != TPM2_ALG_NULL && scheme != TPM2_ALG_RSASSA &&
		    scheme != TPM2_ALG_RSAPSS)
			return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "RSA key scheme %s is not a signing scheme",
			    quote_scheme_name(scheme, abuf, sizeof(abuf)));
		if (u->rsa.size != bits / 8 || (u->rsa.buffer[0] & 0x80) == 0 ||
		    (u->rsa.buffer[u->rsa.size - 1] & 1) == 0)
			return wg_diag_set(d, WG_ERR_AK_DECODE,
			    "RSA modulus of %u bytes does not fit keyBits %u",
			    (unsigned)u->rsa.size, bits);
		if (p->parameters.rsaDetail.exponent != 0 &&
		    (p->parameters.rsaDetail.exponent < 3 ||
		    (p->parameters.rsaDetail.exponent & 1) == 0))
			return wg_diag_set(d, WG_ERR_AK_DECODE,
			    "RSA exponent %u",
			    (unsigned)p->parameters.rsaDetail.exponent);
		break;
	case TPM2_ALG_ECC:
		if (quote_curve(p->parameters.eccDetail.curveID, &csize) ==
		    NULL)
			return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "ECC curve 0x%04x (NIST P-256 and P-384 supported)",
			    (unsigned)p->parameters.eccDetail.curveID);
		if (scheme != TPM2_ALG_NULL && scheme != TPM2_ALG_ECDSA)
			return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
			    "ECC key scheme %s (ECDSA supported)",
			    quote_scheme_name(scheme, abuf, sizeof(abuf)));
		if (u->ecc.x.size == 0 || u->ecc.x.size > csize ||
		    u->ecc.y.size == 0 || u->ecc.y.size > csize)
			return wg_diag_set(d, WG_ERR_AK_DECODE,
			    "ECC point coordinates of %u and %u bytes",
			    (unsigned)u->ecc.x.size, (unsigned)u->ecc.y.size);
		break;
	default:
		return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
		    "key type %s (RSA and ECC supported)",
		    alg_name(p->type, abuf, sizeof(abuf)));
	}
	if (scheme != TPM2_ALG_NULL && quote_sig_hash(hash) == NULL)
		return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
		    "key scheme hash %s (sha256, sha384, sha512 supported)",
		    alg_name(hash, abuf, sizeof(abuf)));
	if ((p->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) == 0)
		return wg_diag_set(d, WG_ERR_AK_ATTRIBUTES,
		    "key cannot sign (attributes 0x%08x)",
		    (unsigned)p->objectAttributes);
	if (require_restricted) {
		if ((p->objectAttributes & need) != need ||
		    (p->objectAttributes & TPMA_OBJECT_DECRYPT) != 0)
			return wg_diag_set(d, WG_ERR_AK_ATTRIBUTES,
			    "attributes 0x%08x: need restricted, fixedTPM, "
			    "fixedParent, sensitiveDataOrigin and not decrypt",
			    (unsigned)p->objectAttributes);
		if (scheme == TPM2_ALG_NULL)
			return wg_diag_set(d, WG_ERR_AK_ATTRIBUTES,
			    "restricted signing key without a scheme");
	}
	return 0;
}

/* Makes the OpenSSL key of a checked TPM public area. */
int
quote_public_pkey(const TPMT_PUBLIC *p, EVP_PKEY **out, struct wg_diag *d)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t point[1 + 2 * QUOTE_ECC_MAX_BYTES];
	const TPMS_ECC_POINT *q;
	const char *group;
	size_t csize = 0;
	uint32_t exp;
	int r;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "OSSL_PARAM_BLD");
		goto out;
	}
	if (p->type == TPM2_ALG_RSA) {
		exp = p->parameters.rsaDetail.exponent;
		if (exp == 0)
			exp = QUOTE_RSA_EXP_DEFAULT;
		if ((n = BN_bin2bn(p->unique.rsa.buffer, p->unique.rsa.size,
		    NULL)) == NULL || (e = BN_new()) == NULL ||
		    BN_set_word(e, exp) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) ==
		    NULL) {
			r = wg_diag_set(d, WG_ERR_CRYPTO, "RSA key parameters");
			goto out;
		}
	} else {
		q = &p->unique.ecc;
		if ((group = quote_curve(p->parameters.eccDetail.curveID,
		    &csize)) == NULL || q->x.size > csize ||
		    q->y.size > csize) {
			r = wg_diag_set(d, WG_ERR_INTERNAL, "unchecked curve");
			goto out;
		}
		/* Uncompressed point, coordinates left-padded to size. */
		memset(point, 0, sizeof(point));
		point[0] = 0x04;
		memcpy(point + 1 + csize - q->x.size, q->x.buffer, q->x.size);
		memcpy(point + 1 + 2 * csize - q->y.size, q->y.buffer,
		    q->y.size);
		if (OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * csize) != 1 ||
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ==
		    NULL) {
			r = wg_diag_set(d, WG_ERR_CRYPTO, "EC key parameters");
			goto out;
		}
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "key parameters");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		/* EC: the point is not on the curve. */
		r = wg_diag_set(d, WG_ERR_AK_DECODE,
		    "public key rejected by OpenSSL");
		goto out;
	}
	if ((r = quote_pkey_check(pk, d)) != 0)
		goto out;
	r = 0;
out:
	if (r == 0) {
		*out = pk;
		pk = NULL;
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	ERR_clear_error();
	return r;
}

/* name = nameAlg (big-endian) || H_nameAlg(marshalled TPMT_PUBLIC). */
static int
quote_name(uint16_t name_alg, const uint8_t *area, size_t area_len,
    uint8_t *name, size_t *name_len, struct wg_diag *d)
{
	const struct alg_info *a = quote_sig_hash(name_alg);
	EVP_MD *md = NULL;
	unsigned int dlen = 0;
	int r;

	if (a == NULL) {
		r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED, "nameAlg");
		goto out;
	}
	if ((md = EVP_MD_fetch(NULL, a->ossl_name, NULL)) == NULL ||
	    EVP_Digest(area, area_len, name + 2, &dlen, md, NULL) != 1 ||
	    dlen != a->size) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "name digest");
		goto out;
	}
	name[0] = (uint8_t)(name_alg >> 8);
	name[1] = (uint8_t)name_alg;
	*name_len = 2 + dlen;
	r = 0;
out:
	EVP_MD_free(md);
	return r;
}

int
quote_key_load(const uint8_t *buf, size_t len, int require_restricted,
    struct quote_key **out, struct wg_diag *d)
{
	struct quote_key *k = NULL;
	const uint8_t *area = NULL;
	size_t area_len = 0;
	int r;

	if (buf == NULL || out == NULL || len == 0) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no key");
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "quote_key");
		goto out;
	}
	if (len >= sizeof(QUOTE_PEM_TAG) - 1 &&
	    memcmp(buf, QUOTE_PEM_TAG, sizeof(QUOTE_PEM_TAG) - 1) == 0) {
		/* No public area: nothing to check attributes against. */
		if ((r = quote_load_pem(buf, len, &k->pkey, d)) != 0)
			goto out;
		k->has_public = 0;
		r = 0;
		goto out;
	}
	if ((r = quote_decode_public(buf, len, &k->public, &area, &area_len,
	    d)) != 0 ||
	    (r = quote_public_check(&k->public.publicArea, require_restricted,
	    d)) != 0 ||
	    (r = quote_public_pkey(&k->public.publicArea, &k->pkey, d)) != 0 ||
	    (r = quote_name(k->public.publicArea.nameAlg, area, area_len,
	    k->name, &k->name_len, d)) != 0)
		goto out;
	k->has_public = 1;
	r = 0;
out:
	if (r == 0) {
		*out = k;
		k = NULL;
	}
	quote_key_free(k);
	return r;
}

/* TPMS_ATTEST through tss2-mu, every byte consumed; no field checked. */
static int
quote_unmarshal_attest(const uint8_t *buf, size_t len, TPMS_ATTEST *out,
    struct wg_diag *d)
{
	size_t off = 0;
	TSS2_RC rc;

	if (buf == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "no attest");
	memset(out, 0, sizeof(*out));
	rc = Tss2_MU_TPMS_ATTEST_Unmarshal(buf, len, &off, out);
	if (rc != TSS2_RC_SUCCESS)
		return wg_diag_set(d, WG_ERR_QUOTE_DECODE,
		    "TPMS_ATTEST of %zu bytes does not decode (rc 0x%x)", len,
		    (unsigned)rc);
	if (off != len)
		return wg_diag_set(d, WG_ERR_QUOTE_DECODE,
		    "%zu bytes after the TPMS_ATTEST", len - off);
	return 0;
}

/* The magic and type checks of a decoded attest. */
static int
quote_attest_kind(const TPMS_ATTEST *a, struct wg_diag *d)
{
	if (a->magic != TPM2_GENERATED_VALUE)
		return wg_diag_set(d, WG_ERR_QUOTE_MAGIC, "magic 0x%08x",
		    (unsigned)a->magic);
	if (a->type != TPM2_ST_ATTEST_QUOTE)
		return wg_diag_set(d, WG_ERR_QUOTE_TYPE,
		    "attestation type 0x%04x, not a quote (0x%04x)",
		    (unsigned)a->type, (unsigned)TPM2_ST_ATTEST_QUOTE);
	return 0;
}

int
quote_decode_attest(const uint8_t *buf, size_t len, TPMS_ATTEST *out,
    struct wg_diag *d)
{
	TPMS_ATTEST a;
	int r;

	if (out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no output");
		goto out;
	}
	if ((r = quote_unmarshal_attest(buf, len, &a, d)) != 0 ||
	    (r = quote_attest_kind(&a, d)) != 0)
		goto out;
	r = 0;
out:
	if (r == 0)
		*out = a;
	return r;
}

int
quote_decode_sig(const uint8_t *buf, size_t len, TPMT_SIGNATURE *out,
    struct wg_diag *d)
{
	TPMT_SIGNATURE s;
	size_t off = 0;
	TSS2_RC rc;
	int r;

	if (buf == NULL || out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no signature");
		goto out;
	}
	memset(&s, 0, sizeof(s));
	if ((rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(buf, len, &off, &s)) !=
	    TSS2_RC_SUCCESS) {
		r = wg_diag_set(d, WG_ERR_SIG_DECODE,
		    "TPMT_SIGNATURE of %zu bytes does not decode (rc 0x%x)",
		    len, (unsigned)rc);
		goto out;
	}
	if (off != len) {
		r = wg_diag_set(d, WG_ERR_SIG_DECODE,
		    "%zu bytes after the TPMT_SIGNATURE", len - off);
		goto out;
	}
	r = 0;
out:
	if (r == 0)
		*out = s;
	return r;
}

/* Appends a DER INTEGER of the unsigned big-endian v; -1 if v is 0. */
static int
quote_der_int(uint8_t *der, size_t cap, size_t *off, const uint8_t *v,
    size_t vlen)
{
	size_t pad;

	while (vlen > 0 && v[0] == 0) {
		v++;
		vlen--;
	}
	if (vlen == 0)
		return -1;
	pad = (v[0] & 0x80) != 0;
	if (vlen + pad > 127 || cap - *off < 2 + pad + vlen)
		return -1;
	der[(*off)++] = 0x02;
	der[(*off)++] = (uint8_t)(vlen + pad);
	if (pad)
		der[(*off)++] = 0x00;
	memcpy(der + *off, v, vlen);
	*off += vlen;
	return 0;
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } from TPM r, s. */
static int
quote_ecdsa_der(const TPMS_SIGNATURE_ECC *e, size_t csize, uint8_t *der,
    size_t *derlen)
{
	size_t off = 2;

	if (e->signatureR.size > csize || e->signatureS.size > csize ||
	    quote_der_int(der, QUOTE_ECDSA_DER_MAX, &off, e->signatureR.buffer,
	    e->signatureR.size) != 0 ||
	    quote_der_int(der, QUOTE_ECDSA_DER_MAX, &off, e->signatureS.buffer,
	    e->signatureS.size) != 0 || off - 2 > 127)
		return -1;
	der[0] = 0x30;
	der[1] = (uint8_t)(off - 2);
	*derlen = off;
	return 0;
}

int
quote_verify_sig(const struct quote_key *key, const uint8_t *msg,
    size_t msg_len, const TPMT_SIGNATURE *sig, struct wg_diag *d)
{
	const struct alg_info *h;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t der[QUOTE_ECDSA_DER_MAX];
	const uint8_t *s = NULL;
	size_t slen = 0;
	uint16_t hash, fixed, fixed_hash;
	int is_rsa, ok, r;
	char abuf[8], bbuf[8], cbuf[8], ebuf[8];

	if (key == NULL || key->pkey == NULL || msg == NULL || sig == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no key or signature");
		goto out;
	}
	if (key->has_public)
		is_rsa = key->public.publicArea.type == TPM2_ALG_RSA;
	else if (EVP_PKEY_is_a(key->pkey, "RSA"))
		is_rsa = 1;
	else if (EVP_PKEY_is_a(key->pkey, "EC"))
		is_rsa = 0;
	else {
		r = wg_diag_set(d, WG_ERR_AK_UNSUPPORTED,
		    "key is neither RSA nor EC");
		goto out;
	}
	switch (sig->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		if (!is_rsa) {
			r = wg_diag_set(d, WG_ERR_SIG_SCHEME,
			    "RSA signature for an EC key");
			goto out;
		}
		hash = sig->signature.rsassa.hash;
		s = sig->signature.rsassa.sig.buffer;
		slen = sig->signature.rsassa.sig.size;
		break;
	case TPM2_ALG_ECDSA:
		if (is_rsa) {
			r = wg_diag_set(d, WG_ERR_SIG_SCHEME,
			    "ECDSA signature for an RSA key");
			goto out;
		}
		hash = sig->signature.ecdsa.hash;
		break;
	default:
		r = wg_diag_set(d, WG_ERR_SIG_SCHEME,
		    "signature scheme %s (RSASSA, RSAPSS, ECDSA supported)",
		    quote_scheme_name(sig->sigAlg, abuf, sizeof(abuf)));
		goto out;
	}
	if ((h = quote_sig_hash(hash)) == NULL) {
		r = wg_diag_set(d, WG_ERR_SIG_SCHEME,
		    "signature hash %s (sha256, sha384, sha512 allowed)",
		    alg_name(hash, abuf, sizeof(abuf)));
		goto out;
	}
	if (key->has_public) {
		quote_public_scheme(&key->public.publicArea, &fixed,
		    &fixed_hash);
		if (fixed != TPM2_ALG_NULL &&
		    (fixed != sig->sigAlg || fixed_hash != hash)) {
			r = wg_diag_set(d, WG_ERR_SIG_SCHEME,
			    "signature is %s/%s, the key's scheme is %s/%s",
			    quote_scheme_name(sig->sigAlg, abuf, sizeof(abuf)),
			    alg_name(hash, bbuf, sizeof(bbuf)),
			    quote_scheme_name(fixed, cbuf, sizeof(cbuf)),
			    alg_name(fixed_hash, ebuf, sizeof(ebuf)));
			goto out;
		}
	}
	if (is_rsa) {
		if (slen != (size_t)EVP_PKEY_get_size(key->pkey)) {
			r = wg_diag_set(d, WG_ERR_SIGNATURE,
			    "RSA signature of %zu bytes for a %d-byte key",
			    slen, EVP_PKEY_get_size(key->pkey));
			goto out;
		}
	} else {
		if (quote_ecdsa_der(&sig->signature.ecdsa,
		    ((size_t)EVP_PKEY_get_bits(key->pkey) + 7) / 8, der,
		    &slen) != 0) {
			r = wg_diag_set(d, WG_ERR_SIGNATURE,
			    "ECDSA r or s is zero or longer than the curve");
			goto out;
		}
		s = der;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(mctx, &pctx, h->ossl_name, NULL, NULL,
	    key->pkey, NULL) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "verify init");
		goto out;
	}
	if (sig->sigAlg == TPM2_ALG_RSASSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "RSASSA padding");
		goto out;
	}
	/*
	 * PSS salt: TPMs use the hash length (libtpms/swtpm, current TPM 2.0
	 * library spec, FIPS 186-4) or, per older spec revisions, the
	 * largest salt the key allows. The salt length is recovered from
	 * the encoding and checked by OpenSSL; it does not weaken PSS.
	 */
	if (sig->sigAlg == TPM2_ALG_RSAPSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) !=
	    1)) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "RSAPSS padding");
		goto out;
	}
	ok = EVP_DigestVerify(mctx, s, slen, msg, msg_len);
	if (ok != 1) {
		r = wg_diag_set(d, WG_ERR_SIGNATURE, "%s/%s signature does "
		    "not verify", quote_scheme_name(sig->sigAlg, abuf,
		    sizeof(abuf)), h->name);
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(mctx);	/* frees pctx */
	if (r != 0)
		ERR_clear_error();
	return r;
}

int
quote_check(const struct quote_key *key, const uint8_t *attest,
    size_t attest_len, const uint8_t *sig, size_t sig_len,
    const struct quote_expect *exp, struct quote_info *info,
    struct wg_diag *d)
{
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	const TPMS_QUOTE_INFO *q;
	uint8_t dig[ALG_MAX_DIGEST];
	size_t dlen = 0;
	uint16_t hash;
	uint32_t i;
	int any = 0, r;

	if (key == NULL || attest == NULL || sig == NULL || exp == NULL ||
	    exp->pcrs == NULL || exp->nonce == NULL || exp->nonce_len == 0) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "quote check needs a key, quote, signature, nonce and PCRs");
		goto out;
	}
	if ((r = quote_unmarshal_attest(attest, attest_len, &a, d)) != 0 ||
	    (r = quote_decode_sig(sig, sig_len, &s, d)) != 0)
		goto out;
	/* Nothing in the attest is looked at before the signature holds. */
	if ((r = quote_verify_sig(key, attest, attest_len, &s, d)) != 0 ||
	    (r = quote_attest_kind(&a, d)) != 0)
		goto out;
	if (a.extraData.size != exp->nonce_len ||
	    CRYPTO_memcmp(a.extraData.buffer, exp->nonce, exp->nonce_len) !=
	    0) {
		r = wg_diag_set(d, WG_ERR_QUOTE_NONCE,
		    "extraData (%u bytes) is not the nonce (%zu bytes)",
		    (unsigned)a.extraData.size, exp->nonce_len);
		goto out;
	}
	q = &a.attested.quote;
	for (i = 0; i < q->pcrSelect.count && !any; i++) {
		const TPMS_PCR_SELECTION *e = &q->pcrSelect.pcrSelections[i];
		unsigned p;

		for (p = 0; p < (unsigned)e->sizeofSelect * 8 && !any; p++)
			any = pcr_selection_has(e, p);
	}
	if (!any) {
		r = wg_diag_set(d, WG_ERR_QUOTE_PCR_SELECT,
		    "the quote selects no PCR");
		goto out;
	}
	if (exp->required != NULL &&
	    (r = pcr_selection_covers(&q->pcrSelect, exp->required, d)) != 0)
		goto out;
	/* The TPM digests the PCRs with the signing scheme's hash. */
	hash = s.signature.any.hashAlg;
	if ((r = pcr_selection_digest(exp->pcrs, &q->pcrSelect, hash, dig,
	    &dlen, d)) != 0)
		goto out;
	if (q->pcrDigest.size != dlen ||
	    CRYPTO_memcmp(q->pcrDigest.buffer, dig, dlen) != 0) {
		char want[2 * ALG_MAX_DIGEST + 1], got[2 * ALG_MAX_DIGEST + 1];

		r = wg_diag_set(d, WG_ERR_QUOTE_PCR_DIGEST,
		    "the quote's pcrDigest %.16s... is not the digest of the "
		    "given PCR values %.16s...",
		    hex_encode(q->pcrDigest.buffer, q->pcrDigest.size <=
		    ALG_MAX_DIGEST ? q->pcrDigest.size : 0, got, sizeof(got)),
		    hex_encode(dig, dlen, want, sizeof(want)));
		goto out;
	}
	r = 0;
out:
	if (r == 0 && info != NULL) {
		info->attest = a;
		info->sig_hash = s.signature.any.hashAlg;
		info->sig_alg = s.sigAlg;
	}
	return r;
}
