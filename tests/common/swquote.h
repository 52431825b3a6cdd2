/*
 * swquote.h: a software stand-in for a TPM's signing side, for unit tests
 * and benchmarks only. It makes real, marshalled TPMS_ATTEST quotes and
 * TPMT_SIGNATUREs with an OpenSSL key, and the key's TPM2B_PUBLIC, so that
 * lib/quote can be checked without a TPM (integration tests use swtpm).
 */
#ifndef WG_SWQUOTE_H
#define WG_SWQUOTE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "pcr.h"

struct swquote_key {
	EVP_PKEY *pkey;		/* owned */
	TPM2B_PUBLIC public;	/* restricted signing key with the scheme */
	uint16_t sig_alg;	/* TPM2_ALG_RSASSA, TPM2_ALG_RSAPSS, TPM2_ALG_ECDSA */
	uint16_t hash;		/* TPM2_ALG_SHA256 etc. */
};

/*
 * Generates a key. sig_alg RSASSA/RSAPSS: param is the RSA bits (2048,
 * 3072); ECDSA: param is TPM2_ECC_NIST_P256 or TPM2_ECC_NIST_P384.
 * Returns 0 or -1.
 */
int swquote_key_new(uint16_t sig_alg, uint16_t hash, unsigned param,
    struct swquote_key **out);
void swquote_key_free(struct swquote_key *k);

/* Marshals the key's TPM2B_PUBLIC into buf; returns 0 or -1. */
int swquote_key_public(const struct swquote_key *k, uint8_t *buf,
    size_t buflen, size_t *outlen);

/*
 * Makes a quote over sel with the values in pcrs (pcrDigest computed with
 * the key's hash), extraData = nonce, clock as given, and signs it. The
 * marshalled TPMS_ATTEST goes to attest (capacity *attest_len in, length
 * out), the marshalled TPMT_SIGNATURE to sig likewise. Returns 0 or -1.
 */
int swquote_make(const struct swquote_key *k, const uint8_t *nonce,
    size_t nonce_len, const TPML_PCR_SELECTION *sel,
    const struct pcr_set *pcrs, uint64_t clock, uint8_t *attest,
    size_t *attest_len, uint8_t *sig, size_t *sig_len);

/*
 * Signs msg (any bytes, e.g. a hand-made TPMS_ATTEST for negative tests)
 * as the TPM would with k->sig_alg and k->hash (RSAPSS with a salt of the
 * hash length, ECDSA r and s padded to the curve size) and marshals the
 * TPMT_SIGNATURE into sig (capacity *sig_len in, length out). 0 or -1.
 */
int swquote_sign(const struct swquote_key *k, const uint8_t *msg,
    size_t msg_len, uint8_t *sig, size_t *sig_len);

#endif
