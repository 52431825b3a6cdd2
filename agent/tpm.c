/*
 * tpm.c: the agent's TPM through ESAPI: EK, EK certificate, AK, credential
 * activation, quote and PCR read. The one place TSS return codes become
 * WG_ERR_* codes (tpm_rc).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "alg.h"
#include "ek.h"
#include "log.h"
#include "pcr.h"
#include "quote.h"
#include "tpm.h"

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *ctx;
};

/* PolicySecret(TPM_RH_ENDORSEMENT): the TCG default EK authPolicy. */
static const uint8_t ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
	0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
	0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
	0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

/* TPM response codes, without the handle/parameter/session number. */
#define RC_FMT1_BASE(rc)	((rc) & (TPM2_RC_FMT1 | 0x3fu))
#define RC_TPM_LAYER		0u
#define RC_BASE(rc)		((rc) & 0xffffu)	/* TSS layers: the base code */

/*
 * Translates a TSS return code: the diag names the call (what) and the
 * TSS's own text. Only codes a caller can act on get their own WG_ERR_*.
 */
static int
tpm_rc(TSS2_RC rc, const char *what, struct wg_diag *d)
{
	uint32_t layer = rc & TSS2_RC_LAYER_MASK;
	uint32_t base;
	int err = WG_ERR_INTERNAL;

	if (layer == RC_TPM_LAYER) {
		base = (rc & TPM2_RC_FMT1) ? RC_FMT1_BASE(rc) : (rc & 0xfffu);
		switch (base) {
		case TPM2_RC_HANDLE:
			err = WG_ERR_NOT_FOUND;
			break;
		case TPM2_RC_ASYMMETRIC:
		case TPM2_RC_CURVE:
		case TPM2_RC_KEY_SIZE:
		case TPM2_RC_SCHEME:
		case TPM2_RC_HASH:
		case TPM2_RC_SYMMETRIC:
			err = WG_ERR_UNSUPPORTED;
			break;
		case TPM2_RC_INTEGRITY:
			err = WG_ERR_FORMAT;
			break;
		case TPM2_RC_OBJECT_MEMORY:
		case TPM2_RC_SESSION_MEMORY:
		case TPM2_RC_MEMORY:
			err = WG_ERR_ALLOC;	/* the TPM's memory, see detail */
			break;
		}
	} else {
		switch (RC_BASE(rc)) {
		case TSS2_BASE_RC_IO_ERROR:
		case TSS2_BASE_RC_NO_CONNECTION:
		case TSS2_BASE_RC_TRY_AGAIN:
			err = WG_ERR_IO;
			break;
		case TSS2_BASE_RC_NOT_IMPLEMENTED:
			err = WG_ERR_UNSUPPORTED;
			break;
		case TSS2_BASE_RC_MEMORY:
			err = WG_ERR_ALLOC;
			break;
		case TSS2_BASE_RC_INSUFFICIENT_BUFFER:
		case TSS2_BASE_RC_MALFORMED_RESPONSE:
			err = WG_ERR_FORMAT;
			break;
		}
		/* Whatever else a TCTI says, the TPM is out of reach. */
		if (layer == TSS2_TCTI_RC_LAYER && err == WG_ERR_INTERNAL)
			err = WG_ERR_IO;
	}
	return wg_diag_set(d, err, "%s: %s (0x%x)", what, Tss2_RC_Decode(rc),
	    (unsigned)rc);
}

/* ---- names ---------------------------------------------------------- */

const char *
tpm_ek_kind_name(enum tpm_ek_kind k)
{
	return k == TPM_EK_ECC ? "ecc" : "rsa";
}

int
tpm_ek_kind_parse(const char *s, enum tpm_ek_kind *out)
{
	if (strcmp(s, "rsa") == 0)
		*out = TPM_EK_RSA;
	else if (strcmp(s, "ecc") == 0)
		*out = TPM_EK_ECC;
	else
		return WG_ERR_INVALID_ARG;
	return 0;
}

const char *
tpm_ak_kind_name(enum tpm_ak_kind k)
{
	return k == TPM_AK_RSA ? "rsa" : "ecc";
}

int
tpm_ak_kind_parse(const char *s, enum tpm_ak_kind *out)
{
	if (strcmp(s, "ecc") == 0)
		*out = TPM_AK_ECC;
	else if (strcmp(s, "rsa") == 0)
		*out = TPM_AK_RSA;
	else
		return WG_ERR_INVALID_ARG;
	return 0;
}

/* ---- open, close, flush --------------------------------------------- */

const char *
tpm_tcti_choose(const char *conf)
{
	const char *e;

	if (conf != NULL && conf[0] != '\0')
		return conf;
	if ((e = getenv("WARDGATE_TCTI")) != NULL && e[0] != '\0')
		return e;
	if ((e = getenv("TPM2TOOLS_TCTI")) != NULL && e[0] != '\0')
		return e;
	return NULL;
}

int
tpm_open(const char *tcti, struct tpm **out, struct wg_diag *d)
{
	struct tpm *t;
	TSS2_RC rc;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "tpm_open");
	if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti)) != TSS2_RC_SUCCESS) {
		r = tpm_rc(rc, "Tss2_TctiLdr_Initialize", d);
		wg_diag_set(d, r, "cannot open the TPM through TCTI \"%s\": %s",
		    tcti != NULL ? tcti : "(default)", Tss2_RC_Decode(rc));
		goto fail;
	}
	if ((rc = Esys_Initialize(&t->ctx, t->tcti, NULL)) != TSS2_RC_SUCCESS) {
		r = tpm_rc(rc, "Esys_Initialize", d);
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tpm_close(t);
	return r;
}

void
tpm_close(struct tpm *t)
{
	if (t == NULL)
		return;
	if (t->ctx != NULL)
		Esys_Finalize(&t->ctx);
	if (t->tcti != NULL)
		Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

/* Flushes a transient object or session and forgets it (*h = NONE). */
static void
tpm_flush(struct tpm *t, ESYS_TR *h)
{
	TSS2_RC rc;

	if (*h == ESYS_TR_NONE)
		return;
	if ((rc = Esys_FlushContext(t->ctx, *h)) != TSS2_RC_SUCCESS)
		log_warn("Esys_FlushContext: %s (0x%x)", Tss2_RC_Decode(rc),
		    (unsigned)rc);
	*h = ESYS_TR_NONE;
}

/* ---- EK --------------------------------------------------------------- */

/* The TCG EK Credential Profile default templates L-1 and L-2. */
static void
ek_template(enum tpm_ek_kind k, TPM2B_PUBLIC *tp)
{
	TPMT_PUBLIC *p = &tp->publicArea;

	memset(tp, 0, sizeof(*tp));
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->authPolicy.size = sizeof(ek_policy);
	memcpy(p->authPolicy.buffer, ek_policy, sizeof(ek_policy));
	if (k == TPM_EK_ECC) {
		TPMS_ECC_PARMS *e = &p->parameters.eccDetail;

		p->type = TPM2_ALG_ECC;
		e->symmetric.algorithm = TPM2_ALG_AES;
		e->symmetric.keyBits.aes = 128;
		e->symmetric.mode.aes = TPM2_ALG_CFB;
		e->scheme.scheme = TPM2_ALG_NULL;
		e->curveID = TPM2_ECC_NIST_P256;
		e->kdf.scheme = TPM2_ALG_NULL;
		p->unique.ecc.x.size = 32;
		p->unique.ecc.y.size = 32;
	} else {
		TPMS_RSA_PARMS *r = &p->parameters.rsaDetail;

		p->type = TPM2_ALG_RSA;
		r->symmetric.algorithm = TPM2_ALG_AES;
		r->symmetric.keyBits.aes = 128;
		r->symmetric.mode.aes = TPM2_ALG_CFB;
		r->scheme.scheme = TPM2_ALG_NULL;
		r->keyBits = 2048;
		r->exponent = 0;
		p->unique.rsa.size = 256;
	}
	tp->size = 0;	/* ESAPI marshals the size itself */
}

/*
 * Creates the EK of kind k in the endorsement hierarchy (empty
 * endorsement auth). *h is the new transient object; *pub_out, when
 * non-NULL, its public area.
 */
static int
ek_create(struct tpm *t, enum tpm_ek_kind k, ESYS_TR *h,
    TPM2B_PUBLIC *pub_out, struct wg_diag *d)
{
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION creation_pcr;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	TSS2_RC rc;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&creation_pcr, 0, sizeof(creation_pcr));
	ek_template(k, &tmpl);
	rc = Esys_CreatePrimary(t->ctx, ESYS_TR_RH_ENDORSEMENT,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
	    &outside, &creation_pcr, h, &pub, &cdata, &chash, &ticket);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Esys_CreatePrimary (EK)", d);
	if (pub_out != NULL)
		*pub_out = *pub;
	Esys_Free(pub);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
	return 0;
}

/*
 * Starts a policy session that satisfies the EK's authPolicy:
 * PolicySecret(TPM_RH_ENDORSEMENT) with the (empty) endorsement auth.
 * A policy session is good for one command; the caller flushes *s.
 */
static int
ek_session(struct tpm *t, ESYS_TR *s, struct wg_diag *d)
{
	TPMT_SYM_DEF sym;
	TPM2B_NONCE nonce_tpm;
	TPM2B_DIGEST cphash;
	TPM2B_NONCE policy_ref;
	TPM2B_TIMEOUT *timeout = NULL;
	TPMT_TK_AUTH *ticket = NULL;
	TSS2_RC rc;

	memset(&sym, 0, sizeof(sym));
	memset(&nonce_tpm, 0, sizeof(nonce_tpm));
	memset(&cphash, 0, sizeof(cphash));
	memset(&policy_ref, 0, sizeof(policy_ref));
	sym.algorithm = TPM2_ALG_NULL;
	rc = Esys_StartAuthSession(t->ctx, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_POLICY,
	    &sym, TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS) {
		*s = ESYS_TR_NONE;
		return tpm_rc(rc, "Esys_StartAuthSession (EK policy)", d);
	}
	/* Keep it after the command so that every path flushes it alike. */
	rc = Esys_TRSess_SetAttributes(t->ctx, *s,
	    TPMA_SESSION_CONTINUESESSION, 0xff);
	if (rc != TSS2_RC_SUCCESS)
		goto fail;
	rc = Esys_PolicySecret(t->ctx, ESYS_TR_RH_ENDORSEMENT, *s,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &nonce_tpm, &cphash,
	    &policy_ref, 0, &timeout, &ticket);
	Esys_Free(timeout);
	Esys_Free(ticket);
	if (rc != TSS2_RC_SUCCESS)
		goto fail;
	return 0;
fail:
	tpm_flush(t, s);
	return tpm_rc(rc, "Esys_PolicySecret (EK policy)", d);
}

int
tpm_ek_public(struct tpm *t, enum tpm_ek_kind k, TPM2B_PUBLIC *out,
    struct wg_diag *d)
{
	ESYS_TR ek = ESYS_TR_NONE;
	TPM2B_PUBLIC pub;
	int r;

	if ((r = ek_create(t, k, &ek, &pub, d)) != 0)
		return r;
	tpm_flush(t, &ek);
	*out = pub;
	return 0;
}

/* One TPM property, or dflt when the TPM does not report it. */
static int
tpm_property(struct tpm *t, TPM2_PT prop, uint32_t dflt, uint32_t *out,
    struct wg_diag *d)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = Esys_GetCapability(t->ctx, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, prop, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Esys_GetCapability (properties)", d);
	*out = dflt;
	if (cap->data.tpmProperties.count >= 1 &&
	    cap->data.tpmProperties.tpmProperty[0].property == prop)
		*out = cap->data.tpmProperties.tpmProperty[0].value;
	Esys_Free(cap);
	return 0;
}

/* 1 when the NV index exists, 0 when not. */
static int
nv_exists(struct tpm *t, TPM2_HANDLE idx, int *exists, struct wg_diag *d)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = Esys_GetCapability(t->ctx, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_HANDLES, idx, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Esys_GetCapability (NV indexes)", d);
	*exists = cap->data.handles.count >= 1 &&
	    cap->data.handles.handle[0] == idx;
	Esys_Free(cap);
	return 0;
}

/*
 * The size of the DER structure at the start of p (a SEQUENCE with a
 * definite length), or 0 when it is not one or does not fit in len.
 */
static size_t
der_length(const uint8_t *p, size_t len)
{
	size_t n, hdr, i, body = 0;

	if (len < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		hdr = 2;
		body = p[1];
	} else {
		n = p[1] & 0x7fu;
		if (n == 0 || n > 3 || len < 2 + n)
			return 0;
		hdr = 2 + n;
		for (i = 0; i < n; i++)
			body = (body << 8) | p[2 + i];
	}
	if (body > len - hdr)
		return 0;
	return hdr + body;
}

int
tpm_ek_cert(struct tpm *t, enum tpm_ek_kind k, uint8_t **der, size_t *len,
    struct wg_diag *d)
{
	TPM2_HANDLE idx = k == TPM_EK_ECC ? EK_NV_ECC_CERT : EK_NV_RSA_CERT;
	ESYS_TR nv = ESYS_TR_NONE, auth;
	TPM2B_NV_PUBLIC *nvpub = NULL;
	TPM2B_NAME *nvname = NULL;
	TPM2B_MAX_NV_BUFFER *data = NULL;
	uint8_t *buf = NULL;
	uint32_t chunk = 0, size, off;
	uint16_t n = 0;
	size_t dlen;
	TSS2_RC rc;
	int exists = 0, r;

	if ((r = nv_exists(t, idx, &exists, d)) != 0)
		return r;
	if (!exists)
		return wg_diag_set(d, WG_ERR_NOT_FOUND, "this TPM holds no %s "
		    "EK certificate (NV index 0x%08x is not defined); "
		    "enrollment needs the certificate the TPM maker wrote",
		    k == TPM_EK_ECC ? "ECC P-256" : "RSA 2048", (unsigned)idx);
	if ((r = tpm_property(t, TPM2_PT_NV_BUFFER_MAX, 512, &chunk, d)) != 0)
		return r;
	if (chunk == 0 || chunk > TPM2_MAX_NV_BUFFER_SIZE)
		chunk = TPM2_MAX_NV_BUFFER_SIZE;

	rc = Esys_TR_FromTPMPublic(t->ctx, idx, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = tpm_rc(rc, "Esys_TR_FromTPMPublic (EK certificate)", d);
		goto out;
	}
	rc = Esys_NV_ReadPublic(t->ctx, nv, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nvpub, &nvname);
	if (rc != TSS2_RC_SUCCESS) {
		r = tpm_rc(rc, "Esys_NV_ReadPublic (EK certificate)", d);
		goto out;
	}
	size = nvpub->nvPublic.dataSize;
	if (size == 0 || !(nvpub->nvPublic.attributes & TPMA_NV_WRITTEN)) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "NV index 0x%08x for the "
		    "EK certificate is empty", (unsigned)idx);
		goto out;
	}
	if (size > TPM_EK_CERT_MAX) {
		r = wg_diag_set(d, WG_ERR_TOO_LARGE, "NV index 0x%08x holds "
		    "%u bytes, more than the %u an EK certificate may have",
		    (unsigned)idx, (unsigned)size, TPM_EK_CERT_MAX);
		goto out;
	}
	/* EK certificate indexes are readable with their own empty auth. */
	if (nvpub->nvPublic.attributes & TPMA_NV_AUTHREAD)
		auth = nv;
	else if (nvpub->nvPublic.attributes & TPMA_NV_OWNERREAD)
		auth = ESYS_TR_RH_OWNER;
	else {
		r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "NV index 0x%08x is "
		    "readable only by the platform", (unsigned)idx);
		goto out;
	}
	if ((buf = malloc(size)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "EK certificate");
		goto out;
	}
	for (off = 0; off < size; off += n) {
		n = (uint16_t)(size - off < chunk ? size - off : chunk);

		Esys_Free(data);
		data = NULL;
		rc = Esys_NV_Read(t->ctx, auth, nv, ESYS_TR_PASSWORD,
		    ESYS_TR_NONE, ESYS_TR_NONE, n, (uint16_t)off, &data);
		if (rc != TSS2_RC_SUCCESS) {
			r = tpm_rc(rc, "Esys_NV_Read (EK certificate)", d);
			goto out;
		}
		if (data->size != n) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "NV_Read returned %u "
			    "bytes at offset %u, asked for %u",
			    (unsigned)data->size, (unsigned)off, (unsigned)n);
			goto out;
		}
		memcpy(buf + off, data->buffer, n);
	}
	/* Some makers pad the index: send the certificate only. */
	if ((dlen = der_length(buf, size)) == 0) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "NV index 0x%08x does not "
		    "hold a DER certificate", (unsigned)idx);
		goto out;
	}
	*der = buf;
	*len = dlen;
	buf = NULL;
	r = 0;
out:
	Esys_Free(data);
	Esys_Free(nvpub);
	Esys_Free(nvname);
	if (nv != ESYS_TR_NONE)
		Esys_TR_Close(t->ctx, &nv);
	free(buf);
	return r;
}

/* ---- AK --------------------------------------------------------------- */

static void
ak_template(enum tpm_ak_kind k, TPM2B_PUBLIC *tp)
{
	TPMT_PUBLIC *p = &tp->publicArea;

	memset(tp, 0, sizeof(*tp));
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
	if (k == TPM_AK_RSA) {
		TPMS_RSA_PARMS *r = &p->parameters.rsaDetail;

		p->type = TPM2_ALG_RSA;
		r->symmetric.algorithm = TPM2_ALG_NULL;
		r->scheme.scheme = TPM2_ALG_RSASSA;
		r->scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
		r->keyBits = 2048;
		r->exponent = 0;
	} else {
		TPMS_ECC_PARMS *e = &p->parameters.eccDetail;

		p->type = TPM2_ALG_ECC;
		e->symmetric.algorithm = TPM2_ALG_NULL;
		e->scheme.scheme = TPM2_ALG_ECDSA;
		e->scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
		e->curveID = TPM2_ECC_NIST_P256;
		e->kdf.scheme = TPM2_ALG_NULL;
	}
}

int
tpm_ak_kind_of(const struct tpm_ak *ak, enum tpm_ak_kind *out,
    struct wg_diag *d)
{
	const TPMT_PUBLIC *p = &ak->pub.publicArea;

	if (p->type == TPM2_ALG_ECC &&
	    p->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256)
		*out = TPM_AK_ECC;
	else if (p->type == TPM2_ALG_RSA &&
	    p->parameters.rsaDetail.keyBits == 2048)
		*out = TPM_AK_RSA;
	else
		return wg_diag_set(d, WG_ERR_AK_UNSUPPORTED, "AK type 0x%04x",
		    (unsigned)p->type);
	return 0;
}

int
tpm_ak_create(struct tpm *t, enum tpm_ek_kind ek_kind, enum tpm_ak_kind k,
    struct tpm_ak *out, struct wg_diag *d)
{
	ESYS_TR ek = ESYS_TR_NONE, s = ESYS_TR_NONE;
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION creation_pcr;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	TSS2_RC rc;
	int r;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&creation_pcr, 0, sizeof(creation_pcr));
	ak_template(k, &tmpl);
	if ((r = ek_create(t, ek_kind, &ek, NULL, d)) != 0 ||
	    (r = ek_session(t, &s, d)) != 0)
		goto out;
	rc = Esys_Create(t->ctx, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
	    &tmpl, &outside, &creation_pcr, &priv, &pub, &cdata, &chash,
	    &ticket);
	if (rc != TSS2_RC_SUCCESS) {
		r = tpm_rc(rc, "Esys_Create (AK)", d);
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->ek = ek_kind;
	out->pub = *pub;
	out->priv = *priv;
	r = 0;
out:
	Esys_Free(priv);
	Esys_Free(pub);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
	tpm_flush(t, &s);
	tpm_flush(t, &ek);
	return r;
}

/*
 * Recreates the EK and loads ak under it (a policy session authorizes the
 * EK for TPM2_Load). *akh is the loaded AK; *ekh the EK when ekh is
 * non-NULL (else it is flushed). On failure nothing stays loaded.
 */
static int
ak_load(struct tpm *t, const struct tpm_ak *ak, ESYS_TR *akh, ESYS_TR *ekh,
    struct wg_diag *d)
{
	ESYS_TR ek = ESYS_TR_NONE, s = ESYS_TR_NONE;
	TSS2_RC rc;
	int r;

	*akh = ESYS_TR_NONE;
	if ((r = ek_create(t, ak->ek, &ek, NULL, d)) != 0 ||
	    (r = ek_session(t, &s, d)) != 0)
		goto out;
	rc = Esys_Load(t->ctx, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &ak->priv,
	    &ak->pub, akh);
	if (rc != TSS2_RC_SUCCESS) {
		*akh = ESYS_TR_NONE;
		r = tpm_rc(rc, "Esys_Load (AK under the EK)", d);
		if (r == WG_ERR_FORMAT)
			wg_diag_set(d, r, "the TPM refuses the saved AK (it "
			    "was made by another TPM, or under another EK "
			    "kind): Esys_Load: %s", Tss2_RC_Decode(rc));
		goto out;
	}
	r = 0;
out:
	tpm_flush(t, &s);
	if (r == 0 && ekh != NULL)
		*ekh = ek;
	else
		tpm_flush(t, &ek);
	return r;
}

int
tpm_ak_check(struct tpm *t, const struct tpm_ak *ak, struct wg_diag *d)
{
	ESYS_TR akh;
	int r;

	if ((r = ak_load(t, ak, &akh, NULL, d)) != 0)
		return r;
	tpm_flush(t, &akh);
	return 0;
}

int
tpm_public_name(const TPM2B_PUBLIC *pub, uint8_t *name, size_t *len,
    struct wg_diag *d)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t off = 0;
	const struct alg_info *a;
	unsigned int n;
	TSS2_RC rc;
	EVP_MD *md = NULL;
	int r;

	if ((a = alg_by_id(pub->publicArea.nameAlg)) == NULL)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED, "nameAlg 0x%04x",
		    (unsigned)pub->publicArea.nameAlg);
	rc = Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, buf, sizeof(buf),
	    &off);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Tss2_MU_TPMT_PUBLIC_Marshal", d);
	name[0] = (uint8_t)(a->id >> 8);
	name[1] = (uint8_t)a->id;
	if ((md = EVP_MD_fetch(NULL, a->ossl_name, NULL)) == NULL ||
	    EVP_Digest(buf, off, name + 2, &n, md, NULL) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "hashing the public area");
		goto out;
	}
	*len = 2 + (size_t)n;
	r = 0;
out:
	EVP_MD_free(md);
	return r;
}

/* ---- marshalling ------------------------------------------------------ */

int
tpm_public_marshal(const TPM2B_PUBLIC *p, uint8_t *buf, size_t cap,
    size_t *len, struct wg_diag *d)
{
	size_t off = 0;
	TSS2_RC rc;

	if ((rc = Tss2_MU_TPM2B_PUBLIC_Marshal(p, buf, cap, &off)) !=
	    TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Tss2_MU_TPM2B_PUBLIC_Marshal", d);
	*len = off;
	return 0;
}

int
tpm_public_unmarshal(const uint8_t *buf, size_t len, TPM2B_PUBLIC *p,
    struct wg_diag *d)
{
	TPM2B_PUBLIC tmp;
	const uint8_t *area;
	size_t area_len;

	/*
	 * quote_decode_public works around tss2-mu 3.2.1, whose
	 * TPM2B_PUBLIC unmarshal ignores errors in the inner TPMT_PUBLIC; it
	 * also takes a bare TPMT_PUBLIC, which is not what the agent stores.
	 */
	if (quote_decode_public(buf, len, &tmp, &area, &area_len, NULL) != 0 ||
	    area != buf + 2)
		return wg_diag_set(d, WG_ERR_FORMAT, "not a TPM2B_PUBLIC");
	*p = tmp;
	return 0;
}

int
tpm_private_marshal(const TPM2B_PRIVATE *p, uint8_t *buf, size_t cap,
    size_t *len, struct wg_diag *d)
{
	size_t off = 0;
	TSS2_RC rc;

	if ((rc = Tss2_MU_TPM2B_PRIVATE_Marshal(p, buf, cap, &off)) !=
	    TSS2_RC_SUCCESS)
		return tpm_rc(rc, "Tss2_MU_TPM2B_PRIVATE_Marshal", d);
	*len = off;
	return 0;
}

int
tpm_private_unmarshal(const uint8_t *buf, size_t len, TPM2B_PRIVATE *p,
    struct wg_diag *d)
{
	TPM2B_PRIVATE tmp;
	size_t off = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &tmp) !=
	    TSS2_RC_SUCCESS || off != len)
		return wg_diag_set(d, WG_ERR_FORMAT, "not a TPM2B_PRIVATE");
	*p = tmp;
	return 0;
}

/* ---- credential activation -------------------------------------------- */

int
tpm_activate(struct tpm *t, const struct tpm_ak *ak, const uint8_t *cred,
    size_t cred_len, const uint8_t *secret, size_t secret_len, uint8_t *out,
    size_t cap, size_t *outlen, struct wg_diag *d)
{
	TPM2B_ID_OBJECT id;
	TPM2B_ENCRYPTED_SECRET enc;
	TPM2B_DIGEST *cert = NULL;
	ESYS_TR akh = ESYS_TR_NONE, ekh = ESYS_TR_NONE, s = ESYS_TR_NONE;
	size_t off = 0;
	TSS2_RC rc;
	int r;

	memset(&id, 0, sizeof(id));
	memset(&enc, 0, sizeof(enc));
	if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(cred, cred_len, &off, &id) !=
	    TSS2_RC_SUCCESS || off != cred_len)
		return wg_diag_set(d, WG_ERR_FORMAT, "credential blob is not "
		    "a TPM2B_ID_OBJECT");
	off = 0;
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(secret, secret_len, &off,
	    &enc) != TSS2_RC_SUCCESS || off != secret_len)
		return wg_diag_set(d, WG_ERR_FORMAT, "encrypted secret is not "
		    "a TPM2B_ENCRYPTED_SECRET");

	if ((r = ak_load(t, ak, &akh, &ekh, d)) != 0)
		goto out;
	/* A fresh policy session: the one that authorized Load is spent. */
	if ((r = ek_session(t, &s, d)) != 0)
		goto out;
	rc = Esys_ActivateCredential(t->ctx, akh, ekh, ESYS_TR_PASSWORD, s,
	    ESYS_TR_NONE, &id, &enc, &cert);
	if (rc != TSS2_RC_SUCCESS) {
		uint32_t base = (rc & TSS2_RC_LAYER_MASK) == RC_TPM_LAYER &&
		    (rc & TPM2_RC_FMT1) ? RC_FMT1_BASE(rc) : 0;

		r = tpm_rc(rc, "Esys_ActivateCredential", d);
		/* The blobs were not made for this EK and AK. */
		if (base == TPM2_RC_INTEGRITY || base == TPM2_RC_VALUE ||
		    base == TPM2_RC_SIZE || base == TPM2_RC_ECC_POINT ||
		    base == TPM2_RC_KEY)
			r = wg_diag_set(d, WG_ERR_ACTIVATION_FAILED,
			    "the TPM refuses the credential (not made for "
			    "this EK and AK): Esys_ActivateCredential: %s",
			    Tss2_RC_Decode(rc));
		goto out;
	}
	if (cert->size > cap) {
		r = wg_diag_set(d, WG_ERR_TOO_LARGE, "secret of %u bytes",
		    (unsigned)cert->size);
		goto out;
	}
	memcpy(out, cert->buffer, cert->size);
	*outlen = cert->size;
	r = 0;
out:
	if (cert != NULL) {
		OPENSSL_cleanse(cert, sizeof(*cert));
		Esys_Free(cert);
	}
	tpm_flush(t, &s);
	tpm_flush(t, &akh);
	tpm_flush(t, &ekh);
	return r;
}

/* ---- PCRs and quote --------------------------------------------------- */

static int
sel_empty(const TPML_PCR_SELECTION *sel)
{
	uint32_t i, k;

	for (i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++)
		for (k = 0; k < sel->pcrSelections[i].sizeofSelect &&
		    k < TPM2_PCR_SELECT_MAX; k++)
			if (sel->pcrSelections[i].pcrSelect[k] != 0)
				return 0;
	return 1;
}

/* Clears PCR p of bank alg in sel. */
static void
sel_clear(TPML_PCR_SELECTION *sel, uint16_t alg, unsigned p)
{
	uint32_t i;

	for (i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++)
		if (sel->pcrSelections[i].hash == alg && p / 8 <
		    sel->pcrSelections[i].sizeofSelect && p / 8 <
		    TPM2_PCR_SELECT_MAX)
			sel->pcrSelections[i].pcrSelect[p / 8] &=
			    (uint8_t)~(1u << (p % 8));
}

/* The first PCR still selected, for the diag. */
static void
sel_first(const TPML_PCR_SELECTION *sel, uint16_t *alg, unsigned *pcr)
{
	uint32_t i;
	unsigned p;

	for (i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++)
		for (p = 0; p < PCR_COUNT; p++)
			if (pcr_selection_has(&sel->pcrSelections[i], p)) {
				*alg = sel->pcrSelections[i].hash;
				*pcr = p;
				return;
			}
	*alg = 0;
	*pcr = 0;
}

/*
 * One pass: reads what remains of the selection into out. *counter gets
 * the first pcrUpdateCounter seen; *changed is set when a later call saw
 * another (a PCR was extended in between).
 */
static int
pcr_read_pass(struct tpm *t, const TPML_PCR_SELECTION *sel,
    struct pcr_set *out, int *changed, struct wg_diag *d)
{
	TPML_PCR_SELECTION rem = *sel;
	TPML_PCR_SELECTION *got = NULL;
	TPML_DIGEST *vals = NULL;
	uint32_t counter, first_counter = 0;
	unsigned calls, progress, p;
	uint32_t i, k;
	char abuf[8];
	int r = 0;

	*changed = 0;
	pcr_set_init(out);
	for (calls = 0; !sel_empty(&rem); calls++) {
		TSS2_RC rc;

		if (calls > PCR_COUNT * TPM2_NUM_PCR_BANKS) {
			r = wg_diag_set(d, WG_ERR_INTERNAL, "PCR_Read does "
			    "not finish");
			goto out;
		}
		rc = Esys_PCR_Read(t->ctx, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, &rem, &counter, &got, &vals);
		if (rc != TSS2_RC_SUCCESS) {
			r = tpm_rc(rc, "Esys_PCR_Read", d);
			goto out;
		}
		if (calls == 0)
			first_counter = counter;
		else if (counter != first_counter)
			*changed = 1;
		progress = 0;
		k = 0;
		for (i = 0; i < got->count && i < TPM2_NUM_PCR_BANKS; i++) {
			const TPMS_PCR_SELECTION *s = &got->pcrSelections[i];
			struct pcr_bank *b;

			for (p = 0; p < PCR_COUNT; p++) {
				if (!pcr_selection_has(s, p))
					continue;
				if (k >= vals->count) {
					r = wg_diag_set(d, WG_ERR_FORMAT,
					    "PCR_Read returned fewer digests "
					    "than its selection");
					goto out;
				}
				if ((r = pcr_set_add_bank(out, s->hash,
				    &b)) != 0) {
					wg_diag_set(d, r, "PCR bank %s",
					    alg_name(s->hash, abuf,
					    sizeof(abuf)));
					goto out;
				}
				if (vals->digests[k].size != b->size) {
					r = wg_diag_set(d, WG_ERR_FORMAT,
					    "PCR_Read: %s:%u has %u bytes",
					    alg_name(s->hash, abuf,
					    sizeof(abuf)), p,
					    (unsigned)vals->digests[k].size);
					goto out;
				}
				memcpy(b->value[p], vals->digests[k].buffer,
				    b->size);
				b->present |= 1u << p;
				sel_clear(&rem, s->hash, p);
				k++;
				progress++;
			}
		}
		if (k != vals->count) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "PCR_Read returned "
			    "%u digests for %u selected PCRs",
			    (unsigned)vals->count, (unsigned)k);
			goto out;
		}
		Esys_Free(got);
		Esys_Free(vals);
		got = NULL;
		vals = NULL;
		if (progress == 0) {
			uint16_t alg;

			sel_first(&rem, &alg, &p);
			r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "the TPM does "
			    "not return PCR %s:%u (is the %s bank active?)",
			    alg_name(alg, abuf, sizeof(abuf)), p,
			    alg_name(alg, abuf, sizeof(abuf)));
			goto out;
		}
	}
out:
	Esys_Free(got);
	Esys_Free(vals);
	return r;
}

int
tpm_pcr_read(struct tpm *t, const TPML_PCR_SELECTION *sel,
    struct pcr_set *out, struct wg_diag *d)
{
	int attempt, changed = 0, r;

	/* Reads split over several calls must see one set of values. */
	for (attempt = 0; attempt < 3; attempt++) {
		if ((r = pcr_read_pass(t, sel, out, &changed, d)) != 0)
			return r;
		if (!changed)
			return 0;
		log_debug("PCRs changed while being read; reading again");
	}
	return wg_diag_set(d, WG_ERR_IO, "PCRs keep changing while read");
}

/* The hash of a signature's scheme, 0 if none. */
static uint16_t
sig_hash(const TPMT_SIGNATURE *s)
{
	switch (s->sigAlg) {
	case TPM2_ALG_RSASSA: return s->signature.rsassa.hash;
	case TPM2_ALG_RSAPSS: return s->signature.rsapss.hash;
	case TPM2_ALG_ECDSA: return s->signature.ecdsa.hash;
	}
	return 0;
}

/* 1 when pcrs hash to the quote's pcrDigest. */
static int
quote_matches(const struct tpm_quote *q, const TPMT_SIGNATURE *sig,
    const struct pcr_set *pcrs)
{
	TPMS_ATTEST att;
	uint8_t dig[ALG_MAX_DIGEST];
	size_t dlen;

	if (quote_decode_attest(q->attest, q->attest_len, &att, NULL) != 0 ||
	    pcr_selection_digest(pcrs, &att.attested.quote.pcrSelect,
	    sig_hash(sig), dig, &dlen, NULL) != 0)
		return 0;
	return dlen == att.attested.quote.pcrDigest.size &&
	    memcmp(dig, att.attested.quote.pcrDigest.buffer, dlen) == 0;
}

int
tpm_quote(struct tpm *t, const struct tpm_ak *ak, const uint8_t *nonce,
    size_t nonce_len, const TPML_PCR_SELECTION *sel, struct tpm_quote *q,
    struct pcr_set *pcrs, struct wg_diag *d)
{
	ESYS_TR akh = ESYS_TR_NONE;
	TPM2B_DATA qd;
	TPMT_SIG_SCHEME scheme;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	size_t off;
	int attempt, r;

	if (nonce_len == 0 || nonce_len > sizeof(qd.buffer) ||
	    nonce_len > 64)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "nonce of %zu bytes",
		    nonce_len);
	if (sel_empty(sel))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "empty PCR "
		    "selection");
	memset(&qd, 0, sizeof(qd));
	qd.size = (uint16_t)nonce_len;
	memcpy(qd.buffer, nonce, nonce_len);
	memset(&scheme, 0, sizeof(scheme));
	scheme.scheme = TPM2_ALG_NULL;

	if ((r = ak_load(t, ak, &akh, NULL, d)) != 0)
		return r;
	for (attempt = 0; attempt < 3; attempt++) {
		TSS2_RC rc;

		Esys_Free(quoted);
		Esys_Free(sig);
		quoted = NULL;
		sig = NULL;
		rc = Esys_Quote(t->ctx, akh, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		    ESYS_TR_NONE, &qd, &scheme, sel, &quoted, &sig);
		if (rc != TSS2_RC_SUCCESS) {
			r = tpm_rc(rc, "Esys_Quote", d);
			goto out;
		}
		if (quoted->size > sizeof(q->attest)) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "quote of %u bytes",
			    (unsigned)quoted->size);
			goto out;
		}
		memcpy(q->attest, quoted->attestationData, quoted->size);
		q->attest_len = quoted->size;
		off = 0;
		rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, q->sig,
		    sizeof(q->sig), &off);
		if (rc != TSS2_RC_SUCCESS) {
			r = tpm_rc(rc, "Tss2_MU_TPMT_SIGNATURE_Marshal", d);
			goto out;
		}
		q->sig_len = off;
		if (pcrs == NULL)
			break;
		if ((r = tpm_pcr_read(t, sel, pcrs, d)) != 0)
			goto out;
		if (quote_matches(q, sig, pcrs))
			break;
		/* A PCR was extended between the quote and the read. */
		log_debug("PCR values differ from the quoted digest; quoting "
		    "again");
	}
	if (attempt == 3)
		log_warn("the PCR values read keep differing from the quoted "
		    "digest; sending the last quote as it is");
	r = 0;
out:
	Esys_Free(quoted);
	Esys_Free(sig);
	tpm_flush(t, &akh);
	return r;
}
