/*
 * swquote.c: a software TPM signing side for tests and benchmarks: keys
 * with the TPM2B_PUBLIC a TPM would report for a restricted signing AK,
 * marshalled quotes and TPMT_SIGNATUREs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <tss2/tss2_mu.h>

#include "alg.h"
#include "pcr.h"
#include "swquote.h"

/* TPM2_GetCapability firmware version swtpm 0.7 reports; any value does. */
#define SWQ_FIRMWARE	0x2019102300163636ULL

void
swquote_key_free(struct swquote_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* Coordinate size and OpenSSL name of a TPM curve. */
static const char *
swq_curve(unsigned curve, size_t *bytes)
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

int
swquote_key_new(uint16_t sig_alg, uint16_t hash, unsigned param,
    struct swquote_key **out)
{
	struct swquote_key *k = NULL;
	BIGNUM *n = NULL, *x = NULL, *y = NULL;
	TPMT_PUBLIC *p;
	const char *curve;
	uint8_t tmp[sizeof(TPMT_PUBLIC)];
	size_t csize = 0, off = 0;
	int ret = -1;

	if (out == NULL || alg_by_id(hash) == NULL)
		goto out;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto out;
	k->sig_alg = sig_alg;
	k->hash = hash;
	p = &k->public.publicArea;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
	switch (sig_alg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		if (param < 1024 || param > 4096 || param % 8 != 0)
			goto out;
		if ((k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)param)) == NULL ||
		    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N,
		    &n) != 1)
			goto out;
		p->type = TPM2_ALG_RSA;
		p->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
		p->parameters.rsaDetail.scheme.scheme = sig_alg;
		p->parameters.rsaDetail.scheme.details.anySig.hashAlg = hash;
		p->parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)param;
		p->parameters.rsaDetail.exponent = 0;	/* 65537 */
		p->unique.rsa.size = (UINT16)(param / 8);
		if (BN_bn2binpad(n, p->unique.rsa.buffer,
		    (int)p->unique.rsa.size) < 0)
			goto out;
		break;
	case TPM2_ALG_ECDSA:
		if ((curve = swq_curve(param, &csize)) == NULL)
			goto out;
		if ((k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    curve)) == NULL ||
		    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    &x) != 1 ||
		    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
		    &y) != 1)
			goto out;
		p->type = TPM2_ALG_ECC;
		p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
		p->parameters.eccDetail.scheme.details.anySig.hashAlg = hash;
		p->parameters.eccDetail.curveID = (TPMI_ECC_CURVE)param;
		p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		p->unique.ecc.x.size = (UINT16)csize;
		p->unique.ecc.y.size = (UINT16)csize;
		if (BN_bn2binpad(x, p->unique.ecc.x.buffer, (int)csize) < 0 ||
		    BN_bn2binpad(y, p->unique.ecc.y.buffer, (int)csize) < 0)
			goto out;
		break;
	default:
		goto out;
	}
	if (Tss2_MU_TPMT_PUBLIC_Marshal(p, tmp, sizeof(tmp), &off) !=
	    TSS2_RC_SUCCESS)
		goto out;
	k->public.size = (UINT16)off;
	ret = 0;
out:
	if (ret == 0) {
		*out = k;
		k = NULL;
	}
	swquote_key_free(k);
	BN_free(n);
	BN_free(x);
	BN_free(y);
	return ret;
}

int
swquote_key_public(const struct swquote_key *k, uint8_t *buf, size_t buflen,
    size_t *outlen)
{
	size_t off = 0;

	if (k == NULL || buf == NULL || outlen == NULL ||
	    Tss2_MU_TPM2B_PUBLIC_Marshal(&k->public, buf, buflen, &off) !=
	    TSS2_RC_SUCCESS)
		return -1;
	*outlen = off;
	return 0;
}

/* The key's name: nameAlg || H_nameAlg(marshalled TPMT_PUBLIC). */
static int
swq_name(const struct swquote_key *k, TPM2B_NAME *name)
{
	const struct alg_info *a = alg_by_id(k->public.publicArea.nameAlg);
	uint8_t tmp[sizeof(TPMT_PUBLIC)];
	size_t off = 0;
	unsigned int dlen = 0;
	EVP_MD *md = NULL;
	int ret = -1;

	if (a == NULL ||
	    Tss2_MU_TPMT_PUBLIC_Marshal(&k->public.publicArea, tmp,
	    sizeof(tmp), &off) != TSS2_RC_SUCCESS ||
	    (md = EVP_MD_fetch(NULL, a->ossl_name, NULL)) == NULL ||
	    EVP_Digest(tmp, off, name->name + 2, &dlen, md, NULL) != 1)
		goto out;
	name->name[0] = (uint8_t)(a->id >> 8);
	name->name[1] = (uint8_t)a->id;
	name->size = (UINT16)(2 + dlen);
	ret = 0;
out:
	EVP_MD_free(md);
	return ret;
}

int
swquote_sign(const struct swquote_key *k, const uint8_t *msg, size_t msg_len,
    uint8_t *sig, size_t *sig_len)
{
	const struct alg_info *a;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r = NULL, *s = NULL;
	const unsigned char *p;
	uint8_t raw[TPM2_MAX_RSA_KEY_BYTES + 64];
	size_t rawlen = sizeof(raw), csize, off = 0;
	TPMT_SIGNATURE ts;
	int ret = -1;

	if (k == NULL || msg == NULL || sig == NULL || sig_len == NULL ||
	    (a = alg_by_id(k->hash)) == NULL)
		goto out;
	memset(&ts, 0, sizeof(ts));
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, a->ossl_name, NULL, NULL,
	    k->pkey, NULL) != 1)
		goto out;
	switch (k->sig_alg) {
	case TPM2_ALG_RSASSA:
		if (!EVP_PKEY_is_a(k->pkey, "RSA") ||
		    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
			goto out;
		break;
	case TPM2_ALG_RSAPSS:
		if (!EVP_PKEY_is_a(k->pkey, "RSA") ||
		    EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_DIGEST) != 1)
			goto out;
		break;
	case TPM2_ALG_ECDSA:
		if (!EVP_PKEY_is_a(k->pkey, "EC"))
			goto out;
		break;
	default:
		goto out;
	}
	if (EVP_DigestSign(ctx, raw, &rawlen, msg, msg_len) != 1)
		goto out;
	ts.sigAlg = k->sig_alg;
	if (k->sig_alg == TPM2_ALG_ECDSA) {
		csize = ((size_t)EVP_PKEY_get_bits(k->pkey) + 7) / 8;
		p = raw;
		if (csize > sizeof(ts.signature.ecdsa.signatureR.buffer) ||
		    (es = d2i_ECDSA_SIG(NULL, &p, (long)rawlen)) == NULL)
			goto out;
		ECDSA_SIG_get0(es, &r, &s);
		ts.signature.ecdsa.hash = k->hash;
		ts.signature.ecdsa.signatureR.size = (UINT16)csize;
		ts.signature.ecdsa.signatureS.size = (UINT16)csize;
		if (BN_bn2binpad(r, ts.signature.ecdsa.signatureR.buffer,
		    (int)csize) < 0 ||
		    BN_bn2binpad(s, ts.signature.ecdsa.signatureS.buffer,
		    (int)csize) < 0)
			goto out;
	} else {
		if (rawlen > sizeof(ts.signature.rsassa.sig.buffer))
			goto out;
		ts.signature.rsassa.hash = k->hash;
		ts.signature.rsassa.sig.size = (UINT16)rawlen;
		memcpy(ts.signature.rsassa.sig.buffer, raw, rawlen);
	}
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(&ts, sig, *sig_len, &off) !=
	    TSS2_RC_SUCCESS)
		goto out;
	*sig_len = off;
	ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int
swquote_make(const struct swquote_key *k, const uint8_t *nonce,
    size_t nonce_len, const TPML_PCR_SELECTION *sel,
    const struct pcr_set *pcrs, uint64_t clock, uint8_t *attest,
    size_t *attest_len, uint8_t *sig, size_t *sig_len)
{
	TPMS_ATTEST a;
	size_t dlen = 0, off = 0;

	if (k == NULL || sel == NULL || pcrs == NULL || attest == NULL ||
	    attest_len == NULL || (nonce == NULL && nonce_len != 0))
		return -1;
	memset(&a, 0, sizeof(a));
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_QUOTE;
	if (swq_name(k, &a.qualifiedSigner) != 0)
		return -1;
	if (nonce_len > sizeof(a.extraData.buffer))
		return -1;
	if (nonce_len > 0)
		memcpy(a.extraData.buffer, nonce, nonce_len);
	a.extraData.size = (UINT16)nonce_len;
	a.clockInfo.clock = clock;
	a.clockInfo.resetCount = 1;
	a.clockInfo.restartCount = 0;
	a.clockInfo.safe = TPM2_YES;
	a.firmwareVersion = SWQ_FIRMWARE;
	a.attested.quote.pcrSelect = *sel;
	if (pcr_selection_digest(pcrs, sel, k->hash,
	    a.attested.quote.pcrDigest.buffer, &dlen, NULL) != 0)
		return -1;
	a.attested.quote.pcrDigest.size = (UINT16)dlen;
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, attest, *attest_len, &off) !=
	    TSS2_RC_SUCCESS)
		return -1;
	if (swquote_sign(k, attest, off, sig, sig_len) != 0)
		return -1;
	*attest_len = off;
	return 0;
}
