/*
 * quote.h: TPM2_Quote verification.
 *
 * TPMS_ATTEST, TPMT_SIGNATURE and TPM2B_PUBLIC are decoded only with
 * libtss2-mu (trailing bytes are refused); signatures are verified with
 * OpenSSL EVP (RSASSA, RSAPSS, ECDSA P-256/P-384). Each failed check has
 * its own WG_ERR_* code; any unexpected error is a failure.
 */
#ifndef WG_QUOTE_H
#define WG_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "pcr.h"
#include "wg_err.h"

/* An attestation key: its public area (when known) and an OpenSSL key. */
struct quote_key {
	int has_public;		/* public and name are valid (TPM2B form) */
	TPM2B_PUBLIC public;
	uint8_t name[2 + ALG_MAX_DIGEST];	/* nameAlg || H(TPMT_PUBLIC) */
	size_t name_len;
	EVP_PKEY *pkey;		/* owned */
};

/*
 * Loads an AK from a marshalled TPM2B_PUBLIC (as tpm2_createak -u writes),
 * a marshalled TPMT_PUBLIC, or a PEM "PUBLIC KEY" (detected by content).
 * TPM forms must be RSA (2048/3072/4096) or ECC (P-256/P-384) keys with
 * sign set; with require_restricted, also restricted, fixedTPM,
 * fixedParent and sensitiveDataOrigin (WG_ERR_AK_ATTRIBUTES otherwise).
 * A PEM key carries no attributes (has_public 0): require_restricted
 * cannot apply to it, so use the TPM2B form where restriction matters.
 * *out is new on success; caller frees with quote_key_free.
 */
int quote_key_load(const uint8_t *buf, size_t len, int require_restricted,
    struct quote_key **out, struct wg_diag *d);

/* Frees k; NULL is accepted. */
void quote_key_free(struct quote_key *k);

/* Decodes a marshalled TPMS_ATTEST; checks magic and that it is a quote. */
int quote_decode_attest(const uint8_t *buf, size_t len, TPMS_ATTEST *out,
    struct wg_diag *d);

/* Decodes a marshalled TPMT_SIGNATURE (tpm2_quote -s, "tss" format). */
int quote_decode_sig(const uint8_t *buf, size_t len, TPMT_SIGNATURE *out,
    struct wg_diag *d);

/*
 * Verifies sig over msg (the marshalled TPMS_ATTEST) with key. The scheme
 * must fit the key (RSASSA/RSAPSS for RSA, ECDSA for ECC) and use sha256,
 * sha384 or sha512; WG_ERR_SIG_SCHEME otherwise, WG_ERR_SIGNATURE when
 * the signature is wrong.
 */
int quote_verify_sig(const struct quote_key *key, const uint8_t *msg,
    size_t msg_len, const TPMT_SIGNATURE *sig, struct wg_diag *d);

/* What a caller asks of a quote. */
struct quote_expect {
	const uint8_t *nonce;		/* required: the qualifying data */
	size_t nonce_len;
	const TPML_PCR_SELECTION *required;	/* may be NULL */
	const struct pcr_set *pcrs;	/* reported or replayed; required */
};

/* What a verified quote says. Filled only on success. */
struct quote_info {
	TPMS_ATTEST attest;
	uint16_t sig_hash;	/* hash of the signature scheme */
	uint16_t sig_alg;	/* TPM2_ALG_RSASSA / RSAPSS / ECDSA */
};

/*
 * Full check, in this order: decode the attest and signature, verify the
 * signature over the exact bytes received, the magic and type, extraData
 * equal to the nonce (constant time), the selection covering `required`
 * (a quote that selects no PCR is refused), and pcrDigest equal to the
 * digest of exp->pcrs over the quoted selection. Returns 0 only when
 * every check passed.
 */
int quote_check(const struct quote_key *key, const uint8_t *attest,
    size_t attest_len, const uint8_t *sig, size_t sig_len,
    const struct quote_expect *exp, struct quote_info *info,
    struct wg_diag *d);

/*
 * Decodes a marshalled TPM2B_PUBLIC or, failing its size test, a bare
 * TPMT_PUBLIC (through libtss2-mu; trailing bytes refused). *area and
 * *area_len borrow the marshalled TPMT_PUBLIC inside buf (for the name).
 * WG_ERR_AK_DECODE on malformed input.
 */
int quote_decode_public(const uint8_t *buf, size_t len, TPM2B_PUBLIC *pub,
    const uint8_t **area, size_t *area_len, struct wg_diag *d);

/*
 * Makes the OpenSSL key of a TPM public area: RSA 2048/3072/4096 (modulus
 * size checked) or ECC P-256/P-384 (point checked on the curve). *out is
 * new on success; WG_ERR_AK_UNSUPPORTED otherwise.
 */
int quote_public_pkey(const TPMT_PUBLIC *p, EVP_PKEY **out,
    struct wg_diag *d);

#endif /* WG_QUOTE_H */
