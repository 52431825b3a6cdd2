/*
 * makecred.c: TPM2_MakeCredential in software (OpenSSL 3).
 *
 * TPM 2.0 Library spec Part 1, 24 "Credential Protection" and 11.4.10
 * (KDFa, KDFe); Part 4 CryptSecretEncrypt, CryptKDFa, CryptKDFe. The
 * primitives are OpenSSL's: KBKDF, SSKDF, RSA-OAEP, ECDH, AES-CFB, HMAC.
 */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <tss2/tss2_mu.h>

#include "alg.h"
#include "ek.h"
#include "makecred.h"
#include "quote.h"

#define MC_SECRET_MAX	64	/* TPM2B_DIGEST: sizeof(TPMU_HA) */
#define MC_KDF_KEY_MAX	128	/* a seed, or Z of P-521 (66) */
#define MC_KDF_PART_MAX	128	/* one context or party value */
#define MC_KDF_LABEL_MAX 32	/* "IDENTITY", "STORAGE", ... */
#define MC_KDF_OUT_MAX	1024
#define MC_ECC_MAX	48	/* P-384 coordinates */
#define MC_AES_BLOCK	16

/* "IDENTITY" with its NUL: the OAEP label (Part 1, 24.4). */
static const char mc_identity[] = "IDENTITY";

/* Records an OpenSSL failure with the library's reason. */
static int
mc_crypto(struct wg_diag *d, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[160];

	if (e == 0)
		return wg_diag_set(d, WG_ERR_CRYPTO, "%s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	return wg_diag_set(d, WG_ERR_CRYPTO, "%s: %s", what, buf);
}

/* The hashes KDFa and KDFe accept. */
static const struct alg_info *
mc_kdf_hash(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
	case TPM2_ALG_SHA256:
	case TPM2_ALG_SHA384:
	case TPM2_ALG_SHA512:
		return alg_by_id(alg);
	}
	return NULL;
}

/* Argument checks shared by KDFa and KDFe. */
static int
mc_kdf_args(uint16_t hash_alg, const uint8_t *key, size_t key_len,
    const char *label, const uint8_t *u, size_t u_len, const uint8_t *v,
    size_t v_len, const uint8_t *out, size_t out_len,
    const struct alg_info **h, struct wg_diag *d)
{
	char abuf[8];
	size_t label_len;

	if ((*h = mc_kdf_hash(hash_alg)) == NULL)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED, "KDF hash %s",
		    alg_name(hash_alg, abuf, sizeof(abuf)));
	if (key == NULL || key_len == 0 || key_len > MC_KDF_KEY_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "KDF key of %zu bytes (1..%d)", key_len, MC_KDF_KEY_MAX);
	if (label == NULL || (label_len = strlen(label)) == 0 ||
	    label_len > MC_KDF_LABEL_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "KDF label");
	if ((u == NULL && u_len != 0) || u_len > MC_KDF_PART_MAX ||
	    (v == NULL && v_len != 0) || v_len > MC_KDF_PART_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "KDF context of %zu and %zu bytes (at most %d each)",
		    u_len, v_len, MC_KDF_PART_MAX);
	if (out == NULL || out_len == 0 || out_len > MC_KDF_OUT_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "KDF output of %zu bytes (1..%d)", out_len, MC_KDF_OUT_MAX);
	return 0;
}

/* Runs an OpenSSL KDF by name with params into a scratch buffer. */
static int
mc_kdf_run(const char *name, const OSSL_PARAM *params, uint8_t *out,
    size_t out_len, struct wg_diag *d)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	int r;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL) {
		r = mc_crypto(d, name);
		goto out;
	}
	if (EVP_KDF_derive(kctx, out, out_len, params) != 1) {
		r = mc_crypto(d, name);
		goto out;
	}
	r = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return r;
}

int
makecred_kdfa(uint16_t hash_alg, const uint8_t *key, size_t key_len,
    const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
    const uint8_t *ctx_v, size_t ctx_v_len, uint8_t *out, size_t out_len,
    struct wg_diag *d)
{
	const struct alg_info *h = NULL;
	OSSL_PARAM params[9], *p = params;
	uint8_t context[2 * MC_KDF_PART_MAX];
	uint8_t tmp[MC_KDF_OUT_MAX];
	size_t clen = 0;
	int one = 1, r;

	if ((r = mc_kdf_args(hash_alg, key, key_len, label, ctx_u, ctx_u_len,
	    ctx_v, ctx_v_len, out, out_len, &h, d)) != 0)
		goto out;
	/* Context = contextU || contextV (Part 1, 11.4.10.2). */
	if (ctx_u_len > 0)
		memcpy(context, ctx_u, ctx_u_len);
	if (ctx_v_len > 0)
		memcpy(context + ctx_u_len, ctx_v, ctx_v_len);
	clen = ctx_u_len + ctx_v_len;
	/*
	 * K(i) = HMAC(key, [i]32 || Label || 0x00 || Context || [L]32):
	 * OpenSSL writes the 0x00 separator and L (in bits) itself, so the
	 * label goes in without its NUL.
	 */
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
	    (char *)"COUNTER", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
	    (char *)"HMAC", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)h->ossl_name, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, key_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)label, strlen(label));
	if (clen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    context, clen);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &one);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR,
	    &one);
	*p = OSSL_PARAM_construct_end();
	if ((r = mc_kdf_run(OSSL_KDF_NAME_KBKDF, params, tmp, out_len,
	    d)) != 0)
		goto out;
	memcpy(out, tmp, out_len);
	r = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	OPENSSL_cleanse(context, sizeof(context));
	return r;
}

int
makecred_kdfe(uint16_t hash_alg, const uint8_t *z, size_t z_len,
    const char *label, const uint8_t *party_u, size_t party_u_len,
    const uint8_t *party_v, size_t party_v_len, uint8_t *out,
    size_t out_len, struct wg_diag *d)
{
	const struct alg_info *h = NULL;
	OSSL_PARAM params[4], *p = params;
	uint8_t info[MC_KDF_LABEL_MAX + 1 + 2 * MC_KDF_PART_MAX];
	uint8_t tmp[MC_KDF_OUT_MAX];
	size_t ilen, llen;
	int r;

	if ((r = mc_kdf_args(hash_alg, z, z_len, label, party_u,
	    party_u_len, party_v, party_v_len, out, out_len, &h, d)) != 0)
		goto out;
	/* FixedInfo = Use (with its NUL) || PartyUInfo || PartyVInfo. */
	llen = strlen(label) + 1;
	memcpy(info, label, llen);
	ilen = llen;
	if (party_u_len > 0)
		memcpy(info + ilen, party_u, party_u_len);
	ilen += party_u_len;
	if (party_v_len > 0)
		memcpy(info + ilen, party_v, party_v_len);
	ilen += party_v_len;
	/* K(i) = H([i]32 || Z || FixedInfo): SP 800-56C one-step, hash. */
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)h->ossl_name, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
	    (void *)z, z_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
	    ilen);
	*p = OSSL_PARAM_construct_end();
	if ((r = mc_kdf_run(OSSL_KDF_NAME_SSKDF, params, tmp, out_len,
	    d)) != 0)
		goto out;
	memcpy(out, tmp, out_len);
	r = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	OPENSSL_cleanse(info, sizeof(info));
	return r;
}

/* OpenSSL group name and coordinate size of a supported EK curve. */
static const char *
mc_curve(uint16_t curve, size_t *bytes)
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

/*
 * An EK this can serve: a storage key (restricted, decrypt, not sign) of
 * RSA 2048 or ECC P-256/P-384, nameAlg sha256 or sha384, AES-128/256 in
 * CFB mode. *h is the nameAlg, *key_bytes the AES key size.
 */
static int
mc_check_ek(const TPMT_PUBLIC *ek, const struct alg_info **h,
    size_t *key_bytes, struct wg_diag *d)
{
	const TPMT_SYM_DEF_OBJECT *sym;
	const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	uint16_t scheme;
	size_t csize = 0;
	char abuf[8];

	if (ek->nameAlg != TPM2_ALG_SHA256 && ek->nameAlg != TPM2_ALG_SHA384)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK nameAlg %s (sha256 and sha384 supported)",
		    alg_name(ek->nameAlg, abuf, sizeof(abuf)));
	if ((ek->objectAttributes & need) != need ||
	    (ek->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) != 0)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK attributes 0x%08x: not a storage key (restricted, "
		    "decrypt, not sign)", (unsigned)ek->objectAttributes);
	switch (ek->type) {
	case TPM2_ALG_RSA:
		sym = &ek->parameters.rsaDetail.symmetric;
		scheme = ek->parameters.rsaDetail.scheme.scheme;
		if (ek->parameters.rsaDetail.keyBits != 2048)
			return wg_diag_set(d, WG_ERR_UNSUPPORTED,
			    "RSA EK of %u bits (2048 supported)",
			    (unsigned)ek->parameters.rsaDetail.keyBits);
		if (ek->unique.rsa.size != 256 ||
		    (ek->unique.rsa.buffer[0] & 0x80) == 0 ||
		    (ek->unique.rsa.buffer[255] & 1) == 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "RSA EK modulus of %u bytes is not an odd 2048-bit "
			    "number", (unsigned)ek->unique.rsa.size);
		break;
	case TPM2_ALG_ECC:
		sym = &ek->parameters.eccDetail.symmetric;
		scheme = ek->parameters.eccDetail.scheme.scheme;
		if (mc_curve(ek->parameters.eccDetail.curveID, &csize) == NULL)
			return wg_diag_set(d, WG_ERR_UNSUPPORTED,
			    "ECC EK curve 0x%04x (NIST P-256 and P-384 "
			    "supported)",
			    (unsigned)ek->parameters.eccDetail.curveID);
		if (ek->unique.ecc.x.size == 0 ||
		    ek->unique.ecc.x.size > csize ||
		    ek->unique.ecc.y.size == 0 ||
		    ek->unique.ecc.y.size > csize)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "ECC EK coordinates of %u and %u bytes",
			    (unsigned)ek->unique.ecc.x.size,
			    (unsigned)ek->unique.ecc.y.size);
		break;
	default:
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK type %s (RSA and ECC supported)",
		    alg_name(ek->type, abuf, sizeof(abuf)));
	}
	/* A TPM refuses a scheme on a restricted decryption key. */
	if (scheme != TPM2_ALG_NULL)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK has scheme %s: not a storage key",
		    alg_name(scheme, abuf, sizeof(abuf)));
	if (sym->algorithm != TPM2_ALG_AES || sym->mode.aes != TPM2_ALG_CFB ||
	    (sym->keyBits.aes != 128 && sym->keyBits.aes != 256))
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "EK symmetric %s/%u/%s (AES-128/256 CFB supported)",
		    alg_name(sym->algorithm, abuf, sizeof(abuf)),
		    (unsigned)sym->keyBits.aes,
		    sym->algorithm == TPM2_ALG_AES ?
		    (sym->mode.aes == TPM2_ALG_CFB ? "cfb" : "not cfb") : "-");
	*h = alg_by_id(ek->nameAlg);
	*key_bytes = sym->keyBits.aes / 8;
	return *h != NULL ? 0 :
	    wg_diag_set(d, WG_ERR_INTERNAL, "nameAlg table");
}

/* A name: nameAlg (sha256/384/512) || digest of exactly that size. */
static int
mc_check_name(const uint8_t *name, size_t name_len, struct wg_diag *d)
{
	const struct alg_info *a;
	uint16_t alg;
	char abuf[8];

	if (name_len < 2)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "name of %zu bytes", name_len);
	alg = (uint16_t)((name[0] << 8) | name[1]);
	if ((alg != TPM2_ALG_SHA256 && alg != TPM2_ALG_SHA384 &&
	    alg != TPM2_ALG_SHA512) || (a = alg_by_id(alg)) == NULL)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "name algorithm %s (sha256, sha384, sha512 supported)",
		    alg_name(alg, abuf, sizeof(abuf)));
	if (name_len != 2 + a->size)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "%s name of %zu bytes (expected %zu)", a->name, name_len,
		    2 + a->size);
	return 0;
}

/* RSA: seed encrypted with OAEP (nameAlg, label "IDENTITY\0"). */
static int
mc_seed_rsa(EVP_PKEY *pk, const struct alg_info *h, uint8_t *seed,
    TPM2B_ENCRYPTED_SECRET *es, struct wg_diag *d)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[5];
	uint8_t label[sizeof(mc_identity)];
	size_t outlen;
	int r;

	memcpy(label, mc_identity, sizeof(label));
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_ASYM_CIPHER_PARAM_PAD_MODE, (char *)OSSL_PKEY_RSA_PAD_MODE_OAEP,
	    0);
	params[1] = OSSL_PARAM_construct_utf8_string(
	    OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *)h->ossl_name, 0);
	params[2] = OSSL_PARAM_construct_utf8_string(
	    OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, (char *)h->ossl_name, 0);
	params[3] = OSSL_PARAM_construct_octet_string(
	    OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, label, sizeof(label));
	params[4] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL ||
	    EVP_PKEY_encrypt_init_ex(ctx, params) != 1) {
		r = mc_crypto(d, "RSA-OAEP setup");
		goto out;
	}
	/* The seed is as long as a nameAlg digest (CryptSecretEncrypt). */
	if (RAND_priv_bytes(seed, (int)h->size) != 1) {
		r = mc_crypto(d, "random seed");
		goto out;
	}
	outlen = sizeof(es->secret);
	if (EVP_PKEY_encrypt(ctx, es->secret, &outlen, seed, h->size) != 1) {
		r = mc_crypto(d, "RSA-OAEP");
		goto out;
	}
	if (outlen != 256) {
		r = wg_diag_set(d, WG_ERR_INTERNAL,
		    "RSA-OAEP gave %zu bytes", outlen);
		goto out;
	}
	es->size = (uint16_t)outlen;
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* A big number into a TPM2B_ECC_PARAMETER of exactly csize bytes. */
static int
mc_bn_param(const BIGNUM *bn, size_t csize, TPM2B_ECC_PARAMETER *p)
{
	if (csize > sizeof(p->buffer) ||
	    BN_bn2binpad(bn, p->buffer, (int)csize) != (int)csize)
		return -1;
	p->size = (uint16_t)csize;
	return 0;
}

/*
 * ECC: one-pass ECDH with an ephemeral key on the EK's curve; Z is the
 * x-coordinate of the shared point (padded to the curve size) and
 * seed = KDFe(nameAlg, Z, "IDENTITY", ephemeral x, EK x, digest bits).
 * The encrypted secret is the ephemeral point, a marshalled
 * TPMS_ECC_POINT.
 */
static int
mc_seed_ecc(const TPMT_PUBLIC *ek, EVP_PKEY *pk, const struct alg_info *h,
    uint8_t *seed, TPM2B_ENCRYPTED_SECRET *es, struct wg_diag *d)
{
	EVP_PKEY *eph = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	BIGNUM *bx = NULL, *by = NULL;
	TPMS_ECC_POINT pt;
	const char *group;
	uint8_t z[MC_ECC_MAX];
	size_t csize = 0, zlen, off = 0;
	TSS2_RC rc;
	int r;

	if ((group = mc_curve(ek->parameters.eccDetail.curveID, &csize)) ==
	    NULL) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "unchecked curve");
		goto out;
	}
	if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", (char *)group)) ==
	    NULL) {
		r = mc_crypto(d, "ephemeral EC key");
		goto out;
	}
	if ((dctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(dctx, pk, 1) != 1) {
		r = mc_crypto(d, "ECDH setup");
		goto out;
	}
	zlen = sizeof(z);
	if (EVP_PKEY_derive(dctx, z, &zlen) != 1) {
		r = mc_crypto(d, "ECDH");
		goto out;
	}
	if (zlen != csize) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "ECDH gave %zu bytes",
		    zlen);
		goto out;
	}
	memset(&pt, 0, sizeof(pt));
	if (EVP_PKEY_get_bn_param(eph, OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(eph, OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1 ||
	    mc_bn_param(bx, csize, &pt.x) != 0 ||
	    mc_bn_param(by, csize, &pt.y) != 0) {
		r = mc_crypto(d, "ephemeral EC point");
		goto out;
	}
	if ((r = makecred_kdfe(ek->nameAlg, z, zlen, mc_identity,
	    pt.x.buffer, pt.x.size, ek->unique.ecc.x.buffer,
	    ek->unique.ecc.x.size, seed, h->size, d)) != 0)
		goto out;
	rc = Tss2_MU_TPMS_ECC_POINT_Marshal(&pt, es->secret,
	    sizeof(es->secret), &off);
	if (rc != TSS2_RC_SUCCESS) {
		r = wg_diag_set(d, WG_ERR_INTERNAL,
		    "TPMS_ECC_POINT marshal (rc 0x%x)", (unsigned)rc);
		goto out;
	}
	es->size = (uint16_t)off;
	r = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	BN_free(bx);
	BN_free(by);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(eph);
	return r;
}

/* AES-CFB (full-block feedback) with a zero IV, len bytes in to out. */
static int
mc_aes_cfb(const uint8_t *key, size_t key_bytes, const uint8_t *in,
    size_t len, uint8_t *out, struct wg_diag *d)
{
	static const uint8_t iv[MC_AES_BLOCK];
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *cctx = NULL;
	int n1 = 0, n2 = 0, r;

	if ((cipher = EVP_CIPHER_fetch(NULL, key_bytes == 16 ? "AES-128-CFB" :
	    "AES-256-CFB", NULL)) == NULL ||
	    (cctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex2(cctx, cipher, key, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(cctx, out, &n1, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(cctx, out + n1, &n2) != 1) {
		r = mc_crypto(d, "AES-CFB");
		goto out;
	}
	if ((size_t)n1 + (size_t)n2 != len) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "AES-CFB length");
		goto out;
	}
	r = 0;
out:
	EVP_CIPHER_CTX_free(cctx);	/* wipes the key schedule */
	EVP_CIPHER_free(cipher);
	return r;
}

/* HMAC(nameAlg, key, a || b) into out (h->size bytes). */
static int
mc_hmac(const struct alg_info *h, const uint8_t *key, size_t key_len,
    const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
    uint8_t *out, struct wg_diag *d)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *mctx = NULL;
	OSSL_PARAM params[2];
	size_t olen = 0;
	int r;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)h->ossl_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (mctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(mctx, key, key_len, params) != 1 ||
	    EVP_MAC_update(mctx, a, a_len) != 1 ||
	    EVP_MAC_update(mctx, b, b_len) != 1 ||
	    EVP_MAC_final(mctx, out, &olen, h->size) != 1) {
		r = mc_crypto(d, "HMAC");
		goto out;
	}
	if (olen != h->size) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "HMAC length");
		goto out;
	}
	r = 0;
out:
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(mac);
	return r;
}

int
makecred(const TPMT_PUBLIC *ek, const uint8_t *name, size_t name_len,
    const uint8_t *secret, size_t secret_len, TPM2B_ID_OBJECT *cred,
    TPM2B_ENCRYPTED_SECRET *secret_out, struct wg_diag *d)
{
	const struct alg_info *h = NULL;
	TPM2B_ID_OBJECT c;
	TPM2B_ENCRYPTED_SECRET es;
	TPM2B_DIGEST dig;
	EVP_PKEY *pk = NULL;
	uint8_t seed[ALG_MAX_DIGEST], sym_key[32], hmac_key[ALG_MAX_DIGEST];
	uint8_t plain[2 + MC_SECRET_MAX], enc[2 + MC_SECRET_MAX];
	uint8_t outer[ALG_MAX_DIGEST];
	size_t key_bytes = 0, plen = 0, coff = 0;
	TSS2_RC rc;
	int r;

	memset(&c, 0, sizeof(c));
	memset(&es, 0, sizeof(es));
	memset(&dig, 0, sizeof(dig));
	if (ek == NULL || name == NULL || secret == NULL || cred == NULL ||
	    secret_out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "makecred arguments");
		goto out;
	}
	if (secret_len == 0 || secret_len > MC_SECRET_MAX) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "secret of %zu bytes (1..%d)", secret_len, MC_SECRET_MAX);
		goto out;
	}
	if ((r = mc_check_ek(ek, &h, &key_bytes, d)) != 0 ||
	    (r = mc_check_name(name, name_len, d)) != 0 ||
	    (r = ek_public_pkey(ek, &pk, d)) != 0)
		goto out;

	/* The seed, and how the EK's TPM will recover it. */
	if (ek->type == TPM2_ALG_RSA)
		r = mc_seed_rsa(pk, h, seed, &es, d);
	else
		r = mc_seed_ecc(ek, pk, h, seed, &es, d);
	if (r != 0)
		goto out;

	/*
	 * symKey = KDFa(nameAlg, seed, "STORAGE", name, "", keyBits);
	 * HMACkey = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits).
	 */
	if ((r = makecred_kdfa(ek->nameAlg, seed, h->size, "STORAGE", name,
	    name_len, NULL, 0, sym_key, key_bytes, d)) != 0 ||
	    (r = makecred_kdfa(ek->nameAlg, seed, h->size, "INTEGRITY", NULL,
	    0, NULL, 0, hmac_key, h->size, d)) != 0)
		goto out;

	/* encIdentity = CFB(symKey, 0, marshalled TPM2B_DIGEST(secret)). */
	dig.size = (uint16_t)secret_len;
	memcpy(dig.buffer, secret, secret_len);
	rc = Tss2_MU_TPM2B_DIGEST_Marshal(&dig, plain, sizeof(plain), &plen);
	if (rc != TSS2_RC_SUCCESS || plen != 2 + secret_len) {
		r = wg_diag_set(d, WG_ERR_INTERNAL,
		    "TPM2B_DIGEST marshal (rc 0x%x)", (unsigned)rc);
		goto out;
	}
	if ((r = mc_aes_cfb(sym_key, key_bytes, plain, plen, enc, d)) != 0)
		goto out;

	/* outerHMAC = HMAC(HMACkey, encIdentity || name). */
	if ((r = mc_hmac(h, hmac_key, h->size, enc, plen, name, name_len,
	    outer, d)) != 0)
		goto out;

	/* credentialBlob = TPM2B_DIGEST(outerHMAC) || encIdentity. */
	dig.size = (uint16_t)h->size;
	memcpy(dig.buffer, outer, h->size);
	rc = Tss2_MU_TPM2B_DIGEST_Marshal(&dig, c.credential,
	    sizeof(c.credential), &coff);
	if (rc != TSS2_RC_SUCCESS || coff + plen > sizeof(c.credential)) {
		r = wg_diag_set(d, WG_ERR_INTERNAL,
		    "credential blob (rc 0x%x)", (unsigned)rc);
		goto out;
	}
	memcpy(c.credential + coff, enc, plen);
	c.size = (uint16_t)(coff + plen);
	r = 0;
out:
	if (r == 0) {
		*cred = c;
		*secret_out = es;
	}
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(sym_key, sizeof(sym_key));
	OPENSSL_cleanse(hmac_key, sizeof(hmac_key));
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(&dig, sizeof(dig));
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return r;
}
