/*
 * evidence.h: evidence bundles (docs/evidence.md). The gateway exports
 * everything it holds about one device (identity, attestations, release
 * history, the policy bundles that approved its releases, advisories,
 * the decommission record, the device's audit rows with their chain
 * links) as a JSON document signed with its P-256 key (ES256, the EAR
 * key); evidence_verify() checks such a file offline. Pure: no sockets,
 * no globals.
 *
 * The file: {"format":"wardgate-evidence-1","signed":TEXT,"signature":
 * {"alg":"ES256","kid":HEX,"value":BASE64}} where TEXT is the bundle's
 * JSON text, kept as a string so that its bytes are exactly what was
 * signed, and value the DER ECDSA signature over SHA-256 of those bytes.
 */
#ifndef WG_EVIDENCE_H
#define WG_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "wg_err.h"

#define EVIDENCE_FORMAT "wardgate-evidence-1"
#define EVIDENCE_MAX (64u * 1024 * 1024)	/* bytes of a file */
#define EVIDENCE_KID_LEN 65		/* SHA-256 of the SPKI, hex + NUL */
#define EVIDENCE_NOTES_MAX 64
#define EVIDENCE_PART_LEN 48
#define EVIDENCE_TEXT_LEN 224

/*
 * New NUL-terminated standard base64 (RFC 4648, padded) of p; NULL when
 * out of memory. Caller frees.
 */
char *evidence_b64(const uint8_t *p, size_t len);

/*
 * Strict base64 of s (len bytes: padded, canonical, nothing else) into a
 * new buffer, *outlen bytes (caller frees). 0 or WG_ERR_FORMAT /
 * WG_ERR_ALLOC.
 */
int evidence_unb64(const char *s, size_t len, uint8_t **out, size_t *outlen);

/* kid: hex SHA-256 of the DER SubjectPublicKeyInfo of key. 0 or <0. */
int evidence_key_id(EVP_PKEY *key, char kid[EVIDENCE_KID_LEN],
    struct wg_diag *d);

/* New PEM text of key's public part (caller frees); NULL on failure. */
char *evidence_pub_pem(EVP_PKEY *key);

/*
 * Signs bundle (a JSON object, serialised plain) with the P-256 key and
 * returns the file text, newline-terminated, in *out (caller frees).
 */
int evidence_sign(struct json_object *bundle, EVP_PKEY *key, char **out,
    struct wg_diag *d);

/* One finding of a verification: bad (refused) or a note. */
struct evidence_note {
	int bad;
	char part[EVIDENCE_PART_LEN];	/* "signature", "audit", ... */
	char text[EVIDENCE_TEXT_LEN];
};

struct evidence_report {
	char device_id[EVIDENCE_KID_LEN];	/* "" when unknown */
	char kid[EVIDENCE_KID_LEN];		/* the embedded key's id */
	int signature_ok;
	int key_pinned;			/* a --key matched the embedded one */
	size_t attestations, audit_rows, policies_checked,
	    policies_unchecked;
	int decommissioned;
	size_t nbad;			/* all bad findings, even dropped */
	size_t nnotes;
	size_t dropped;			/* findings past EVIDENCE_NOTES_MAX */
	struct evidence_note notes[EVIDENCE_NOTES_MAX];
};

/*
 * Checks the file text (len bytes) offline: the signature against the
 * key embedded in the bundle (and, when pin is not NULL, that it is the
 * same key), every audit row's hash recomputed from its fields and
 * prev_hash, the links between consecutive rows and the head, the
 * decommission archive's SHA-256, each policy bundle's signature when
 * the issuer's key is included, and the attestations against the device
 * record and the release history. Every check runs; each failure is a
 * bad note in rep. Returns 0 when the file could be read (rep->nbad == 0
 * means verified), WG_ERR_JSON / WG_ERR_FORMAT / WG_ERR_TOO_LARGE when
 * it is not an evidence file at all.
 */
int evidence_verify(const char *text, size_t len, EVP_PKEY *pin,
    struct evidence_report *rep, struct wg_diag *d);

#endif
