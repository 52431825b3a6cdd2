/*
 * ear.h: attestation results as an EAR (draft-fv-rats-ear: EAT
 * Attestation Result) with an AR4SI trustworthiness vector
 * (draft-ietf-rats-ar4si) per device, signed as a compact JWS with ES256
 * (RFC 7515, RFC 7518). Pure: no sockets, no globals. docs/ear.md has
 * the mapping from wardgate's verdicts to the vector.
 */
#ifndef WG_EAR_H
#define WG_EAR_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "wg_err.h"

#define EAR_PROFILE "tag:github.com,2023:veraison/ear"
#define EAR_DEVELOPER "https://github.com/wardgate/wardgate"

/* Ceilings for a token to verify (one submod per device of a fleet). */
#define EAR_TOKEN_MAX (16u * 1024 * 1024)
#define EAR_HEADER_MAX 1024		/* base64url of the JOSE header */

/* ear.status tiers (AR4SI): the same numbers as the vector's claims. */
#define EAR_NONE 0
#define EAR_AFFIRMING 2
#define EAR_WARNING 32
#define EAR_CONTRAINDICATED 96

/* AR4SI claims, in the order of the vector (ear_claim_name()). */
enum ear_claim {
	EAR_INSTANCE_IDENTITY = 0,
	EAR_CONFIGURATION,
	EAR_EXECUTABLES,
	EAR_FILE_SYSTEM,
	EAR_HARDWARE,
	EAR_RUNTIME_OPAQUE,
	EAR_STORAGE_OPAQUE,
	EAR_SOURCED_DATA,
	EAR_NCLAIMS
};

/* "instance-identity", ...; NULL past EAR_NCLAIMS. */
const char *ear_claim_name(enum ear_claim c);

/* "none", "affirming", "warning", "contraindicated" (from a tier). */
const char *ear_status_name(int status);

/* What the gateway knows of one device (all strings borrowed). */
struct ear_device {
	const char *id;			/* EK fingerprint: the submod name */
	const char *name;
	const char *model;
	const char *state;		/* state_name() */
	const char *reasons;		/* JSON array of {"code","message"} */
	const char *release;		/* matched firmware release, "" */
	const char *policy_issuer;	/* NULL: no policy for the model */
	uint64_t policy_version;
	int enrolled;			/* AK activated against the EK */
	int ek_trusted;			/* EK cert chains to a trusted CA now */
	int64_t last_attest_at;		/* unix seconds, 0 = never */
	int64_t last_good_at;
};

/*
 * The trustworthiness vector (AR4SI values) and the ear.status tier for
 * dev, from its state and the codes of its reasons (docs/ear.md).
 */
void ear_appraise(const struct ear_device *dev, int vector[EAR_NCLAIMS],
    int *status);

/*
 * New EAR claims with no submods: eat_profile, iat and ear.verifier-id
 * {build, developer}. NULL when out of memory. Caller puts.
 */
struct json_object *ear_claims_new(int64_t iat, const char *build);

/* Adds dev's submod (ear_appraise() and wardgate.* details) to claims. */
int ear_claims_add(struct json_object *claims, const struct ear_device *dev,
    struct wg_diag *d);

/*
 * Signs claims as a compact JWS, {"alg":"ES256","typ":"JWT"}, with a
 * P-256 private key. *jwt is a new string (caller frees).
 */
int ear_sign(struct json_object *claims, EVP_PKEY *key, char **jwt,
    struct wg_diag *d);

/*
 * Verifies a compact JWS of len bytes (at most EAR_TOKEN_MAX; a final
 * newline is accepted) with the P-256 public key: three base64url parts
 * without padding, a header whose alg is exactly "ES256" (only typ and
 * kid besides), a 64-byte r||s signature, claims a JSON object with the
 * EAR eat_profile. *claims is new (caller puts), set only on success.
 * WG_ERR_SIGNATURE when the signature does not verify, WG_ERR_UNSUPPORTED
 * for another alg, WG_ERR_FORMAT or WG_ERR_JSON for a malformed token.
 */
int ear_verify(const char *jwt, size_t len, EVP_PKEY *pub,
    struct json_object **claims, struct wg_diag *d);

/*
 * Loads the signing key: a PEM P-256 private key in a regular file that
 * neither group nor others may access. WG_ERR_CONFIG (d says why) when
 * unreadable, of another type or curve, or too open. Caller frees.
 */
int ear_key_load(const char *path, EVP_PKEY **out, struct wg_diag *d);

/* Loads a PEM P-256 public key ("-----BEGIN PUBLIC KEY-----"). */
int ear_pubkey_load(const char *path, EVP_PKEY **out, struct wg_diag *d);

#endif
