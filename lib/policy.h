/*
 * policy.h: golden firmware policies (wardgate-policy(5)).
 *
 * A bundle is a JSON document from one issuer (a device maker's PSIRT or
 * the hospital's security team) with a version that only grows per
 * issuer. It lists device models; each model lists firmware releases;
 * each release has reference values over the event log and a status.
 * A bundle is trusted only with a detached signature (ECDSA P-256 over
 * SHA-256, or Ed25519) by a key the gateway holds for that issuer.
 *
 * Parsing is strict (unknown fields, duplicates, wrong types, values out
 * of range are errors naming the JSON path) and bounded (size, depth,
 * counts below). policy_print() writes the normalised form, which parses
 * again to the same policy.
 */
#ifndef WG_POLICY_H
#define WG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "evlog.h"
#include "pcr.h"
#include "wg_err.h"

#define POLICY_FORMAT		1	/* "wardgate_policy": 1 */
#define POLICY_MAX_BYTES	(1024u * 1024)
#define POLICY_MAX_DEPTH	10
#define POLICY_MAX_MODELS	256
#define POLICY_MAX_RELEASES	256	/* per model */
#define POLICY_MAX_LIST		1024	/* entries in one reference list */
#define POLICY_NAME_LEN		129	/* issuer, model, release: <= 128 */
#define POLICY_ADVISORY_LEN	65
#define POLICY_TEXT_LEN		256	/* S-CRTM version strings, paths */

enum policy_status {
	POLICY_APPROVED = 0,
	POLICY_DEPRECATED,	/* passes with a warning until `until` */
	POLICY_REVOKED,		/* never passes; names `advisory` */
};

/* One allowed digest (of an event, or of a variable's data). */
struct policy_digest {
	uint16_t alg;			/* TPM2_ALG_ID of a bank */
	uint8_t digest[ALG_MAX_DIGEST];
	char note[POLICY_TEXT_LEN];	/* optional: a path or a name */
};

struct policy_digests {
	size_t n;			/* 0: the rule is not checked */
	struct policy_digest *v;	/* owned */
};

struct policy_release {
	char release[POLICY_NAME_LEN];
	enum policy_status status;
	int64_t until;			/* deprecated: first second after it */
	char advisory[POLICY_ADVISORY_LEN];	/* revoked: the advisory id */

	/* Reference values. An absent rule is not checked. */
	size_t n_scrtm;			/* allowed EV_S_CRTM_VERSION texts */
	char (*scrtm)[POLICY_TEXT_LEN];	/* owned */
	struct policy_digests firmware;	/* PCR 0 platform firmware blobs */
	struct policy_digests boot_apps;	/* EV_EFI_BOOT_SERVICES_APPLICATION */
	struct policy_digests drivers;	/* boot and runtime services drivers */
	int secure_boot;		/* -1 not checked, 1 must be on */
	struct policy_digests pk, kek, db, dbx;	/* SHA-256 of the data */
	int has_pcrs;
	struct pcr_set pcrs;		/* exact replayed values (present) */
};

struct policy_model {
	char model[POLICY_NAME_LEN];
	size_t nrel;
	struct policy_release *rel;	/* owned */
};

struct policy {
	char issuer[POLICY_NAME_LEN];
	uint64_t version;		/* grows per issuer */
	int64_t issued_at;		/* unix seconds */
	size_t nmodels;
	struct policy_model *models;	/* owned */
};

/*
 * Parses a bundle (len bytes, at most POLICY_MAX_BYTES). *out is new on
 * success (caller frees). WG_ERR_POLICY with the JSON path in d.
 */
int policy_parse(const char *json, size_t len, struct policy **out,
    struct wg_diag *d);

/* Frees p; NULL is accepted. */
void policy_free(struct policy *p);

/* The normalised JSON text (new, caller frees), or NULL on no memory. */
char *policy_print(const struct policy *p);

/* The model named model (exact match), or NULL. Borrowed. */
const struct policy_model *policy_model_find(const struct policy *p,
    const char *model);

/*
 * Signs the exact bytes of a bundle with key (EC P-256: ECDSA over
 * SHA-256, DER; Ed25519: pure Ed25519). *sig is new (caller frees).
 */
int policy_sign(const uint8_t *bundle, size_t len, EVP_PKEY *key,
    uint8_t **sig, size_t *siglen, struct wg_diag *d);

/*
 * Verifies sig over the exact bytes of a bundle with an issuer's public
 * key. 0 only for a good signature; WG_ERR_POLICY_SIGNATURE otherwise.
 */
int policy_verify(const uint8_t *bundle, size_t len, const uint8_t *sig,
    size_t siglen, EVP_PKEY *key, struct wg_diag *d);

/*
 * Drafts a policy from a known-good event log: one model with one
 * approved release whose reference values are what the log shows
 * (S-CRTM version, firmware blobs, boot applications, drivers, Secure
 * Boot on if it was on, PK/KEK/db/dbx, and the replayed PCRs 0-7 of
 * every bank). Data that does not hash to its event's digest is not
 * learned. *out is new on success.
 */
int policy_learn(const struct evlog *log, const char *issuer,
    const char *model, const char *release, struct policy **out,
    struct wg_diag *d);

/* ---- appraisal (lib/appraise.c) ---- */

#define APPRAISE_MAX_REASONS 16

struct appraise_reason {
	int code;			/* WG_ERR_POLICY_* */
	long event;			/* event index, or -1 */
	uint32_t pcr;			/* or UINT32_MAX */
	uint32_t type;			/* event type, or 0 */
	char text[POLICY_TEXT_LEN * 2];	/* expected and seen, one sentence */
};

struct appraise_result {
	int pass;			/* 1: a release matched and may run */
	const struct policy_release *release;	/* matched, or NULL */
	int warning;			/* deprecated release, still passing */
	unsigned nreasons;
	struct appraise_reason reasons[APPRAISE_MAX_REASONS];
};

/*
 * Appraises a parsed and replayed event log against the model's releases
 * at time now. A release matches when every rule it has holds; the result
 * names the first matching release (pass unless revoked, or deprecated
 * past its date). When none matches, the reasons are those of the release
 * that came closest, each naming the event index, PCR, event type, what
 * the release expects and what the log shows. Event data a rule reads
 * (S-CRTM version, variables) must hash to the event's digest, else that
 * rule fails. Returns 0 when the appraisal ran (see out->pass), or an
 * error code when it could not run (a failure, never a pass).
 */
int appraise(const struct policy_model *model, const struct evlog *log,
    const struct pcr_set *replay, int64_t now, struct appraise_result *out,
    struct wg_diag *d);

#endif
