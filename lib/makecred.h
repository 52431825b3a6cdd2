/*
 * makecred.h: TPM2_MakeCredential in software (OpenSSL), so that the
 * gateway can bind an attestation key to an endorsement key: only the TPM
 * that holds both keys can run TPM2_ActivateCredential and recover the
 * secret (TPM 2.0 Library spec Part 1, 24 "Credential Protection").
 *
 * RSA EKs: the seed is encrypted with RSA-OAEP (the EK's nameAlg, label
 * "IDENTITY\0"). ECC EKs: one-pass ECDH with an ephemeral key, the seed
 * from KDFe ("IDENTITY"). Then symmetric key = KDFa(seed, "STORAGE",
 * name), HMAC key = KDFa(seed, "INTEGRITY"), the credential encrypted
 * with the EK's symmetric algorithm (AES-CFB, zero IV) and an outer HMAC
 * over it and the AK name. KDFa and KDFe are OpenSSL's KBKDF and SSKDF.
 */
#ifndef WG_MAKECRED_H
#define WG_MAKECRED_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "wg_err.h"

/*
 * Makes a credential for ek (a storage key: RSA 2048 or ECC P-256/P-384,
 * restricted decrypt, AES-128/256 CFB) holding secret (1..64 bytes) for
 * the object named name (nameAlg || digest, e.g. the AK name).
 * On success cred and secret_out are filled. WG_ERR_UNSUPPORTED for an
 * EK this cannot serve, WG_ERR_CRYPTO if OpenSSL fails.
 */
int makecred(const TPMT_PUBLIC *ek, const uint8_t *name, size_t name_len,
    const uint8_t *secret, size_t secret_len, TPM2B_ID_OBJECT *cred,
    TPM2B_ENCRYPTED_SECRET *secret_out, struct wg_diag *d);

/*
 * KDFa (Part 1, 11.4.10.2: SP 800-108 counter mode, HMAC with hash_alg):
 * out_len (1..1024) bytes into out from key (1..128 bytes), label (a C
 * string of 1..32 characters: the 0x00 that ends it is part of the
 * input), context = ctx_u || ctx_v (each 0..128 bytes). hash_alg: sha1,
 * sha256, sha384 or sha512. out is written only on success. Exported so
 * that it can be checked against known answers.
 */
int makecred_kdfa(uint16_t hash_alg, const uint8_t *key, size_t key_len,
    const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
    const uint8_t *ctx_v, size_t ctx_v_len, uint8_t *out, size_t out_len,
    struct wg_diag *d);

/*
 * KDFe (Part 1, 11.4.10.3: SP 800-56C one-step KDF with hash_alg):
 * out_len bytes of H([i]32 || z || label || 0x00 || party_u || party_v)
 * blocks, i from 1; same limits as makecred_kdfa (z as the key).
 */
int makecred_kdfe(uint16_t hash_alg, const uint8_t *z, size_t z_len,
    const char *label, const uint8_t *party_u, size_t party_u_len,
    const uint8_t *party_v, size_t party_v_len, uint8_t *out,
    size_t out_len, struct wg_diag *d);

#endif
