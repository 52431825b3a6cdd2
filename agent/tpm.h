/*
 * tpm.h: the agent's TPM, through ESAPI and the TCTI loader only.
 *
 * The EK is recreated from the TCG default template (EK Credential
 * Profile, "low range" L-1 RSA 2048 / L-2 ECC P-256) whenever it is
 * needed; it is authorized with a fresh policy session that runs
 * PolicySecret(TPM_RH_ENDORSEMENT), one session per command. The AK is a
 * restricted signing key under the EK whose public and private blobs the
 * caller keeps (saved contexts do not survive a TPM reset; blobs do).
 * Every transient object and session a function creates is flushed
 * before it returns, on every path. TSS return codes are translated here
 * and nowhere else: functions return 0 or a negative WG_ERR_* and the
 * diag names the ESAPI call and Tss2_RC_Decode's text.
 */
#ifndef WG_AGENT_TPM_H
#define WG_AGENT_TPM_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "pcr.h"
#include "wg_err.h"

enum tpm_ek_kind {
	TPM_EK_RSA = 0,		/* RSA 2048, certificate in NV 0x01c00002 */
	TPM_EK_ECC,		/* ECC P-256, certificate in NV 0x01c0000a */
};

enum tpm_ak_kind {
	TPM_AK_ECC = 0,		/* ECC P-256, ECDSA/sha256 */
	TPM_AK_RSA,		/* RSA 2048, RSASSA/sha256 */
};

/* EK certificates larger than this are refused (the enroll message's cap). */
#define TPM_EK_CERT_MAX 4096

/* "rsa"/"ecc"; parse returns 0 or WG_ERR_INVALID_ARG. */
const char *tpm_ek_kind_name(enum tpm_ek_kind k);
int tpm_ek_kind_parse(const char *s, enum tpm_ek_kind *out);
const char *tpm_ak_kind_name(enum tpm_ak_kind k);
int tpm_ak_kind_parse(const char *s, enum tpm_ak_kind *out);

/* An open TPM: the TCTI and the ESAPI context (opaque). */
struct tpm;

/*
 * The TCTI configuration to use: conf when non-NULL and non-empty, else
 * $WARDGATE_TCTI, else $TPM2TOOLS_TCTI, else NULL (the loader's default:
 * tabrmd, then /dev/tpmrm0, then /dev/tpm0). Borrowed.
 */
const char *tpm_tcti_choose(const char *conf);

/*
 * Opens the TPM through the TCTI loader ("device:/dev/tpmrm0",
 * "swtpm:host=127.0.0.1,port=2321"; NULL for the default). *out is new
 * on success; close it with tpm_close (NULL accepted).
 */
int tpm_open(const char *tcti, struct tpm **out, struct wg_diag *d);
void tpm_close(struct tpm *t);

/* Creates the EK of kind k and returns its public area; flushes it. */
int tpm_ek_public(struct tpm *t, enum tpm_ek_kind k, TPM2B_PUBLIC *out,
    struct wg_diag *d);

/*
 * Reads the EK certificate of kind k from its NV index in chunks of at
 * most TPM2_PT_NV_BUFFER_MAX; padding after the DER certificate is cut.
 * *der is new (caller frees), *len its size. WG_ERR_NOT_FOUND (with a
 * sentence saying so) when the TPM holds no such certificate.
 */
int tpm_ek_cert(struct tpm *t, enum tpm_ek_kind k, uint8_t **der,
    size_t *len, struct wg_diag *d);

/* An AK as the agent keeps it: the blobs that TPM2_Create returned. */
struct tpm_ak {
	enum tpm_ek_kind ek;	/* the EK it lives under */
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
};

/*
 * Creates an AK of kind k under the EK of kind ek: fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, restricted, sign; empty auth value.
 * *out is filled on success.
 */
int tpm_ak_create(struct tpm *t, enum tpm_ek_kind ek, enum tpm_ak_kind k,
    struct tpm_ak *out, struct wg_diag *d);

/* The AK's kind from its public area; WG_ERR_AK_UNSUPPORTED otherwise. */
int tpm_ak_kind_of(const struct tpm_ak *ak, enum tpm_ak_kind *out,
    struct wg_diag *d);

/*
 * The TPM name of a public area: nameAlg || H(marshalled TPMT_PUBLIC).
 * name must hold 2 + ALG_MAX_DIGEST bytes.
 */
int tpm_public_name(const TPM2B_PUBLIC *pub, uint8_t *name, size_t *len,
    struct wg_diag *d);

/*
 * Marshals a TPM2B_PUBLIC / TPM2B_PRIVATE into buf (cap bytes) and back.
 * Unmarshalling refuses trailing bytes (WG_ERR_FORMAT).
 */
int tpm_public_marshal(const TPM2B_PUBLIC *p, uint8_t *buf, size_t cap,
    size_t *len, struct wg_diag *d);
int tpm_public_unmarshal(const uint8_t *buf, size_t len, TPM2B_PUBLIC *p,
    struct wg_diag *d);
int tpm_private_marshal(const TPM2B_PRIVATE *p, uint8_t *buf, size_t cap,
    size_t *len, struct wg_diag *d);
int tpm_private_unmarshal(const uint8_t *buf, size_t len, TPM2B_PRIVATE *p,
    struct wg_diag *d);

/*
 * Loads ak under its recreated EK and flushes it again: proves that the
 * blobs belong to this TPM. WG_ERR_FORMAT when the TPM refuses the blobs
 * (another TPM, or its endorsement seed changed).
 */
int tpm_ak_check(struct tpm *t, const struct tpm_ak *ak, struct wg_diag *d);

/*
 * TPM2_ActivateCredential with ak (password session, empty auth) and the
 * EK (policy session). cred is a marshalled TPM2B_ID_OBJECT, secret a
 * marshalled TPM2B_ENCRYPTED_SECRET, both as the gateway sends them. The
 * recovered secret goes to out (cap bytes), *outlen its size.
 * WG_ERR_ACTIVATION_FAILED when the TPM refuses the credential (it was
 * not made for this EK and this AK), WG_ERR_FORMAT for malformed blobs.
 */
int tpm_activate(struct tpm *t, const struct tpm_ak *ak, const uint8_t *cred,
    size_t cred_len, const uint8_t *secret, size_t secret_len, uint8_t *out,
    size_t cap, size_t *outlen, struct wg_diag *d);

/* A quote exactly as the TPM produced it. */
struct tpm_quote {
	uint8_t attest[sizeof(((TPM2B_ATTEST *)0)->attestationData)];
	size_t attest_len;		/* marshalled TPMS_ATTEST */
	uint8_t sig[sizeof(TPMT_SIGNATURE)];
	size_t sig_len;			/* marshalled TPMT_SIGNATURE */
};

/*
 * TPM2_Quote with ak over sel, qualifyingData = nonce (1..64 bytes),
 * inScheme NULL (the AK's own scheme). When pcrs is non-NULL it gets the
 * values of the quoted PCRs (TPM2_PCR_Read) and the quote is retaken (at
 * most 3 times) if a PCR changed between the two, so that the values
 * match the quoted digest.
 */
int tpm_quote(struct tpm *t, const struct tpm_ak *ak, const uint8_t *nonce,
    size_t nonce_len, const TPML_PCR_SELECTION *sel, struct tpm_quote *q,
    struct pcr_set *pcrs, struct wg_diag *d);

/*
 * Reads the PCRs that sel selects into out (emptied first), in as many
 * TPM2_PCR_Read calls as needed (each returns at most 8 digests).
 * WG_ERR_UNSUPPORTED when the TPM does not return a selected PCR (the
 * bank is not active).
 */
int tpm_pcr_read(struct tpm *t, const TPML_PCR_SELECTION *sel,
    struct pcr_set *out, struct wg_diag *d);

#endif
