/*
 * ek.h: endorsement key identity: the EK certificate's chain to a
 * TPM-manufacturer CA bundle, the certificate's key equal to the EK the
 * device presents, and the EK fingerprint that names a device.
 */
#ifndef WG_EK_H
#define WG_EK_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <tss2/tss2_tpm2_types.h>

#include "wg_err.h"

#define EK_FPR_LEN 32	/* SHA-256 */

/* NV indexes of EK certificates (TCG EK Credential Profile). */
#define EK_NV_RSA_CERT	0x01c00002u
#define EK_NV_ECC_CERT	0x01c0000au

/*
 * Loads a PEM bundle of trusted TPM-manufacturer CA certificates (roots
 * and intermediates) into a new X509_STORE (caller frees with
 * X509_STORE_free). WG_ERR_IO / WG_ERR_FORMAT; an empty bundle is an
 * error.
 */
int ek_ca_load(const char *path, X509_STORE **out, struct wg_diag *d);

/*
 * The OpenSSL key of an EK public area (RSA, ECC P-256/P-384). *out is
 * new on success. WG_ERR_UNSUPPORTED or WG_ERR_FORMAT otherwise.
 */
int ek_public_pkey(const TPMT_PUBLIC *ek, EVP_PKEY **out, struct wg_diag *d);

/*
 * The EK fingerprint: SHA-256 of the DER SubjectPublicKeyInfo of ek.
 */
int ek_fingerprint(const TPMT_PUBLIC *ek, uint8_t fpr[EK_FPR_LEN],
    struct wg_diag *d);

/*
 * Verifies a DER EK certificate: it parses with no trailing bytes, chains
 * to cas at time `now` (0: the current time), and its public key is ek's.
 * EK certificates carry TCG extensions OpenSSL does not know; only those
 * (subjectAltName with TPM directory names, the TCG EK policy and
 * attributes) are tolerated as critical. Returns WG_ERR_EK_CERT_UNTRUSTED
 * (d names OpenSSL's reason) or WG_ERR_EK_MISMATCH.
 */
int ek_cert_verify(const uint8_t *der, size_t len, X509_STORE *cas,
    const TPMT_PUBLIC *ek, int64_t now, struct wg_diag *d);

#endif
