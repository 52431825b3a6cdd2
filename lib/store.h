/*
 * store.h: the gateway's store: SQLite in WAL mode, versioned schema
 * migrations, prepared statements only. All SQL lives in store.c.
 *
 * Callers group writes in store_begin()/store_commit(): the gateway
 * commits a verdict, the device's new state and the audit row together,
 * before it answers. Strings are NUL-terminated and bounded as declared;
 * values too long for a field are refused (WG_ERR_TOO_LARGE), never cut.
 * A value read back that does not fit its field, or has the wrong type,
 * is WG_ERR_DB. Every SQLite failure (also SQLITE_BUSY after
 * STORE_BUSY_TIMEOUT_MS) is WG_ERR_DB with SQLite's message in the diag.
 *
 * Every function works inside a caller's transaction or on its own
 * (autocommit). A struct store is one SQLite connection opened with
 * SQLITE_OPEN_NOMUTEX: it must not be used by two threads at once.
 * Two struct store (or processes) may share one file.
 */
#ifndef WG_STORE_H
#define WG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

#define STORE_ID_LEN 65		/* 64 hex digits + NUL (SHA-256) */
#define STORE_TEXT_LEN 129	/* names, models, owners, serials */
#define STORE_MAC_LEN 18	/* aa:bb:cc:dd:ee:ff */
#define STORE_STATE_LEN 16
#define STORE_SEGMENT_LEN 33
#define STORE_REASONS_LEN 2048	/* JSON array of {"code","message"} */
#define STORE_CLAIMS_LEN 1024	/* JSON object */
#define STORE_PUB_MAX 1024	/* marshalled TPM2B_PUBLIC */
#define STORE_CERT_MAX 4096	/* DER EK certificate */
#define STORE_HASH_LEN 32	/* audit chain hash (SHA-256) */
#define STORE_EVIDENCE_MAX 4096	/* attestation quote, signature */
#define STORE_PCRS_MAX (64u * 1024)	/* attestation PCR JSON */
#define STORE_AUDIT_TEXT_MAX (64u * 1024)	/* each audit string */
#define STORE_EVENTLOG_MAX (8u * 1024 * 1024) /* EVLOG_DEFAULT_MAX_BYTES */
#define STORE_BUSY_TIMEOUT_MS 5000	/* wait for another writer */

struct store;

/*
 * Opens (creating if needed) the store at path, in WAL mode with
 * synchronous=FULL and foreign keys on, and applies pending schema
 * migrations, each in its own transaction. WG_ERR_DB_SCHEMA if the file
 * has a newer schema than this program knows (the file is left as it
 * was). A new file is created with mode 0600; symbolic links, files that
 * are not regular, writable by others or not a wardgate store are
 * refused. Caller closes.
 */
int store_open(const char *path, struct store **out, struct wg_diag *d);

/*
 * Opens an existing store read-only (offline checks: the gateway may be
 * running or stopped). Nothing is created or migrated: WG_ERR_DB_SCHEMA
 * unless the file is at this program's schema version. Only functions
 * that read work on it. Caller closes.
 */
int store_open_readonly(const char *path, struct store **out,
    struct wg_diag *d);

/* Closes s (finalizing its statements); NULL is accepted. */
void store_close(struct store *s);

/* The schema version of the open store. */
int store_schema_version(struct store *s);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails and does
 * nothing outside a transaction. When COMMIT fails the transaction has
 * been rolled back: nothing of it is stored.
 */
int store_begin(struct store *s, struct wg_diag *d);
int store_commit(struct store *s, struct wg_diag *d);
void store_rollback(struct store *s);

/* A maker's or the hospital's provisioning record for one device. */
struct store_provision {
	char ek_fpr[STORE_ID_LEN];	/* device id: EK fingerprint, hex */
	char name[STORE_TEXT_LEN];
	char serial[STORE_TEXT_LEN];
	char model[STORE_TEXT_LEN];
	char owner[STORE_TEXT_LEN];	/* ward or department */
	char mac[STORE_MAC_LEN];
	int64_t created_at;		/* unix seconds */
	/* Schema 6: "" when not given. */
	char udi[STORE_TEXT_LEN];	/* unique device identifier */
	char batch[STORE_TEXT_LEN];	/* batch or lot */
	char location[STORE_TEXT_LEN];
	char owner_identity[STORE_TEXT_LEN];	/* accountable per stage */
	char owner_update[STORE_TEXT_LEN];
	char owner_vuln[STORE_TEXT_LEN];
	char owner_decommission[STORE_TEXT_LEN];
};

/* Inserts or replaces the record for p->ek_fpr. */
int store_provision_put(struct store *s, const struct store_provision *p,
    struct wg_diag *d);

/* WG_ERR_NOT_FOUND when there is no record for ek_fpr. */
int store_provision_get(struct store *s, const char *ek_fpr,
    struct store_provision *out, struct wg_diag *d);

/*
 * A stored provisioning record or device, other than p->ek_fpr's, that
 * uses one of p's identifying values: col is "mac", "name" or "serial"
 * (the model and serial pair). Strings are borrowed for the callback.
 */
struct store_clash {
	const char *col;
	const char *table;	/* "provisioning" or "devices" */
	const char *ek_fpr;	/* the other record's or device's */
	const char *name;	/* its name */
	const char *state;	/* the device's state; "" for a record */
};

/*
 * Calls cb for each clash of p (empty values match nothing), by col
 * ("mac", "name", "serial"), then EK, then table; a non-zero return from
 * cb stops the walk and is returned. Lookups by MAC, name and model with
 * serial.
 */
typedef int (*store_clash_cb)(const struct store_clash *c, void *arg);
int store_provision_clashes(struct store *s, const struct store_provision *p,
    store_clash_cb cb, void *arg, struct wg_diag *d);

struct store_device {
	char device_id[STORE_ID_LEN];	/* EK fingerprint, hex */
	char name[STORE_TEXT_LEN];
	char model[STORE_TEXT_LEN];
	char owner[STORE_TEXT_LEN];
	char serial[STORE_TEXT_LEN];
	char mac[STORE_MAC_LEN];
	char state[STORE_STATE_LEN];	/* state_name() */
	char segment[STORE_SEGMENT_LEN];
	char reasons[STORE_REASONS_LEN];	/* JSON array, "[]" if none */
	char claims[STORE_CLAIMS_LEN];	/* JSON object the agent sent */
	int approved;			/* admitted: record or an admin */
	uint8_t ek_pub[STORE_PUB_MAX];
	size_t ek_pub_len;
	uint8_t ek_cert[STORE_CERT_MAX];
	size_t ek_cert_len;
	uint8_t ak_pub[STORE_PUB_MAX];
	size_t ak_pub_len;
	int64_t enrolled_at;		/* unix seconds; 0 = never */
	int64_t state_since;
	int64_t last_attest_at;		/* any verdict */
	int64_t last_good_at;		/* last passing verdict */
	uint32_t attest_interval;	/* seconds */
	int has_clock;			/* the fields below are set */
	uint64_t clock;
	uint32_t reset_count;
	uint32_t restart_count;
	char eventlog_sha256[STORE_ID_LEN];	/* current boot's log, "" */
	uint64_t attest_count;
	uint64_t fail_count;
	char release[STORE_TEXT_LEN];	/* firmware release matched, "" */
	int64_t ak_created_at;		/* AK activated; 0: before schema 6 */
	int rotate_ak;			/* an admin asked for a new AK */
};

/*
 * WG_ERR_NOT_FOUND when unknown. Clock values are 64-bit unsigned (kept
 * as their two's-complement bits in SQLite); has_clock == 0 reads back
 * with clock, reset_count and restart_count 0.
 */
int store_device_get(struct store *s, const char *device_id,
    struct store_device *out, struct wg_diag *d);

/* Inserts or updates (by device_id) every field of dev. */
int store_device_put(struct store *s, const struct store_device *dev,
    struct wg_diag *d);

/*
 * Calls cb for every device, ordered by name then device_id; a non-zero
 * return from cb stops the walk and is returned. cb may call other store
 * functions but not store_device_each (WG_ERR_INVALID_ARG) and should not
 * write devices (the walk could see a renamed device twice).
 */
typedef int (*store_device_cb)(const struct store_device *dev, void *arg);
int store_device_each(struct store *s, store_device_cb cb, void *arg,
    struct wg_diag *d);

/*
 * Event logs, stored once by the SHA-256 (64 lowercase hex digits) of
 * their bytes, at most STORE_EVENTLOG_MAX. The hash is checked:
 * WG_ERR_EVENTLOG_HASH when the bytes do not match it. Storing a log
 * already held does nothing.
 */
int store_eventlog_put(struct store *s, const char *sha256_hex,
    const uint8_t *data, size_t len, struct wg_diag *d);
/*
 * *data is new (caller frees); WG_ERR_NOT_FOUND when absent; WG_ERR_DB
 * when the stored bytes no longer match their hash.
 */
int store_eventlog_get(struct store *s, const char *sha256_hex,
    uint8_t **data, size_t *len, struct wg_diag *d);

/* One attestation with its raw evidence, kept for audit. */
struct store_attestation {
	char device_id[STORE_ID_LEN];
	int64_t at;
	int pass;
	const char *reasons;		/* JSON array */
	const uint8_t *quote;		/* TPMS_ATTEST as signed */
	size_t quote_len;
	const uint8_t *sig;		/* TPMT_SIGNATURE */
	size_t sig_len;
	char nonce[STORE_ID_LEN];	/* hex */
	char eventlog_sha256[STORE_ID_LEN];
	const char *pcrs;		/* reported PCRs as JSON, or NULL */
	uint64_t clock;
	uint32_t reset_count;
	uint32_t restart_count;
	const char *release;		/* firmware release matched, or NULL */
};

/*
 * Records a (reasons up to STORE_REASONS_LEN - 1 bytes, quote and sig up
 * to STORE_EVIDENCE_MAX, pcrs up to STORE_PCRS_MAX). The device must
 * exist (WG_ERR_NOT_FOUND). Attestations are never deleted.
 */
int store_attestation_add(struct store *s, const struct store_attestation *a,
    struct wg_diag *d);

/* One recorded attestation, as listed (no evidence blobs). */
struct store_attestation_row {
	int64_t id;
	int64_t at;
	int pass;
	char release[STORE_TEXT_LEN];		/* "" when none */
	char eventlog_sha256[STORE_ID_LEN];	/* "" when none */
};

/*
 * Calls cb for every attestation of device_id, oldest first; a non-zero
 * return from cb stops the walk and is returned.
 */
typedef int (*store_attestation_cb)(const struct store_attestation_row *a,
    void *arg);
int store_attestation_each(struct store *s, const char *device_id,
    store_attestation_cb cb, void *arg, struct wg_diag *d);

/*
 * Number of attestations recorded for device_id (all devices if NULL;
 * that count reads the whole table).
 */
int store_attestation_count(struct store *s, const char *device_id,
    int64_t *n, struct wg_diag *d);

/*
 * Audit log: append-only rows, each with the SHA-256 of the previous
 * row's hash and its own canonical content, so that an edited, inserted
 * or deleted row shows. Row ids are 1, 2, 3, ... without gaps.
 *
 *   hash = SHA-256(prev_hash || "wardgate-audit-v1" || be64(id) ||
 *                  be64(at) || F(actor) || F(device_id) || F(action) ||
 *                  F(before) || F(after) || F(detail))
 *   F(NULL) = 0x00;  F(s) = 0x01 || be64(strlen(s)) || s
 *
 * prev_hash of row 1 is 32 zero bytes. The chain has no key: it shows an
 * edit, an insertion or a deletion in the middle. Since schema 4 the
 * store also records its head (id and hash of the newest row, written
 * with each row), so a cut tail or a row appended outside the gateway
 * shows too. Whoever can write the file can still rebuild the chain and
 * the head after an edit: that is caught only against an anchor kept
 * elsewhere: store_audit_head() read at some time (exported, signed,
 * sent to a remote log) and checked by store_audit_verify_anchor().
 * Strings are at most STORE_AUDIT_TEXT_MAX bytes; actor and action are
 * required.
 */
struct store_audit {
	int64_t at;
	const char *actor;		/* "agent", "gateway", "admin:uid=0" */
	const char *device_id;		/* or NULL */
	const char *action;		/* "enroll", "state", "approve", ... */
	const char *before;		/* or NULL */
	const char *after;		/* or NULL */
	const char *detail;		/* or NULL */
};

int store_audit_add(struct store *s, const struct store_audit *a,
    struct wg_diag *d);

/*
 * Walks the audit chain in id order, in one read snapshot. 0 when intact
 * (*rows counts them); WG_ERR_FORMAT with *first_bad the id of the first
 * row that does not chain (after missing rows: the row that follows
 * them; a row past the recorded head: that row; rows cut at the end: the
 * first missing id; the recorded head gone: 1). rows and first_bad may be
 * NULL; each is set only in its case.
 */
int store_audit_verify(struct store *s, int64_t *rows, int64_t *first_bad,
    struct wg_diag *d);

/*
 * The id and hash of the newest audit row (0 and 32 zero bytes when
 * there is none), to be kept elsewhere as an anchor. Not a verification.
 */
int store_audit_head(struct store *s, int64_t *id,
    uint8_t hash[STORE_HASH_LEN], struct wg_diag *d);

/*
 * store_audit_verify() plus: the row anchor_id exists and has anchor_hash
 * (anchor 0 with 32 zero bytes is the empty log). WG_ERR_FORMAT with
 * *first_bad = the last row's id + 1 when the log ends before the anchor
 * (rows were cut), or anchor_id when that row has another hash (the chain
 * up to it was rebuilt).
 */
int store_audit_verify_anchor(struct store *s, int64_t anchor_id,
    const uint8_t anchor_hash[STORE_HASH_LEN], int64_t *rows,
    int64_t *first_bad, struct wg_diag *d);

/* One audit row as read back: its id and fields (borrowed for the call). */
struct store_audit_row {
	int64_t id;
	struct store_audit a;
};

/*
 * Calls cb for every audit row (of device_id, or all when NULL) in id
 * order; a non-zero return from cb stops the walk and is returned. Not a
 * verification.
 */
typedef int (*store_audit_cb)(const struct store_audit_row *row, void *arg);
int store_audit_each(struct store *s, const char *device_id,
    store_audit_cb cb, void *arg, struct wg_diag *d);

/* Installed policy bundles (lib/policy.h), kept with their signature. */
#define STORE_POLICY_MAX (1024u * 1024)

struct store_policy {
	char issuer[STORE_TEXT_LEN];
	uint64_t version;
	const uint8_t *bundle;		/* borrowed */
	size_t bundle_len;
	const uint8_t *sig;		/* borrowed */
	size_t sig_len;
	int64_t installed_at;
	char installed_by[STORE_TEXT_LEN];
};

/*
 * Adds a bundle. WG_ERR_POLICY_ROLLBACK (nothing written) unless its
 * version is above every installed version of that issuer. The caller
 * has verified the signature; run it inside a transaction with the audit
 * row that records the install.
 */
int store_policy_add(struct store *s, const struct store_policy *p,
    struct wg_diag *d);

/*
 * Calls cb with the newest bundle of each issuer (blobs borrowed for the
 * call only); a non-zero return from cb stops the walk and is returned.
 */
typedef int (*store_policy_cb)(const struct store_policy *p, void *arg);
int store_policy_each(struct store *s, store_policy_cb cb, void *arg,
    struct wg_diag *d);

/*
 * Blocked EKs (decommissioned devices): 1 if blocked, 0 if not, <0 error.
 * Blocking an EK already blocked keeps the first reason and time; reason
 * is required, at most STORE_TEXT_LEN - 1 bytes.
 */
int store_ek_blocked(struct store *s, const char *ek_fpr, struct wg_diag *d);
int store_ek_block(struct store *s, const char *ek_fpr, const char *reason,
    struct wg_diag *d);

/*
 * The device recorded with MAC mac ("aa:bb:cc:dd:ee:ff", lowercase).
 * WG_ERR_NOT_FOUND when none; WG_ERR_CONFLICT when more than one device
 * has it (the caller must then treat the MAC as unknown).
 */
int store_device_by_mac(struct store *s, const char *mac,
    struct store_device *out, struct wg_diag *d);

/*
 * Clinical holds (wardgate(1) hold): a device that fails attestation is
 * kept in the hold segment rather than quarantined until `until`. Rows are
 * never deleted; a hold ends when it expires or is released.
 */
struct store_hold {
	int64_t id;
	char device_id[STORE_ID_LEN];
	char granted_by[STORE_TEXT_LEN];
	int64_t granted_at;		/* unix seconds */
	int64_t until;			/* > granted_at */
	char reason[STORE_TEXT_LEN];
	int64_t ended_at;		/* 0 while open */
	char ended_by[STORE_TEXT_LEN];	/* "" while open */
};

/* Adds a hold (open); *id (may be NULL) is its row id. */
int store_hold_add(struct store *s, const struct store_hold *h, int64_t *id,
    struct wg_diag *d);

/* The device's open hold (even if past until); WG_ERR_NOT_FOUND if none. */
int store_hold_open(struct store *s, const char *device_id,
    struct store_hold *out, struct wg_diag *d);

/* Ends every open hold of the device, recording when and by whom. */
int store_hold_end(struct store *s, const char *device_id, int64_t at,
    const char *by, struct wg_diag *d);

/*
 * Calls cb for every open hold whose until <= now, oldest first; a
 * non-zero return stops the walk and is returned. cb must not end holds
 * itself (collect, then end them after the walk).
 */
typedef int (*store_hold_cb)(const struct store_hold *h, void *arg);
int store_hold_due(struct store *s, int64_t now, store_hold_cb cb,
    void *arg, struct wg_diag *d);

/*
 * Update provenance (schema 4): every change of a device's attested
 * release, with the policy bundle that approved it (issuer "" and version
 * 0 when no bundle did: the release was cleared). Rows are never changed
 * or deleted; write one in the transaction of the attestation.
 */
struct store_release {
	char device_id[STORE_ID_LEN];
	int64_t at;
	char from_release[STORE_TEXT_LEN];	/* "" when none */
	char to_release[STORE_TEXT_LEN];	/* "" when none */
	char issuer[STORE_TEXT_LEN];
	uint64_t bundle_version;
};

int store_release_history_add(struct store *s, const struct store_release *r,
    struct wg_diag *d);

/* Calls cb for each change of device_id, oldest first (see above). */
typedef int (*store_release_cb)(const struct store_release *r, void *arg);
int store_release_history_each(struct store *s, const char *device_id,
    store_release_cb cb, void *arg, struct wg_diag *d);

/*
 * Decommissioned devices (schema 4): who, when, why, and the archive of
 * the device's evidence (a canonical JSON document built by the caller)
 * with its SHA-256, so that a later export can prove it. One row per
 * device, never changed or deleted.
 */
#define STORE_ARCHIVE_MAX (8u * 1024 * 1024)

struct store_decommission {
	char device_id[STORE_ID_LEN];
	int64_t at;
	char actor[STORE_TEXT_LEN];
	char reason[STORE_TEXT_LEN];		/* required */
	const uint8_t *archive;			/* borrowed */
	size_t archive_len;			/* 1..STORE_ARCHIVE_MAX */
	char archive_sha256[STORE_ID_LEN];	/* set by the store */
};

/*
 * Adds the row; the store hashes the archive (sha256_hex, may be NULL,
 * gets the hex). WG_ERR_DB when the device already has one.
 */
int store_decommission_add(struct store *s, const struct store_decommission *dc,
    char sha256_hex[STORE_ID_LEN], struct wg_diag *d);

/*
 * The row of device_id; *archive is a new copy of the archive (caller
 * frees; out->archive points to it). WG_ERR_NOT_FOUND when none;
 * WG_ERR_DB when the archive no longer matches its SHA-256.
 */
int store_decommission_get(struct store *s, const char *device_id,
    struct store_decommission *out, uint8_t **archive, struct wg_diag *d);

/*
 * Vulnerability advisories (schema 5). An advisory is kept as given (doc:
 * its JSON, lib/advisory.h), never changed; adding an id twice is
 * WG_ERR_CONFLICT. Borrowed strings in the callback live until it
 * returns.
 */
struct store_advisory {
	const char *id;
	const char *model;
	const char *action;
	const uint8_t *doc;
	size_t doc_len;
	int64_t added_at;
	const char *added_by;
};

int store_advisory_add(struct store *s, const struct store_advisory *a,
    struct wg_diag *d);

/* Every advisory, oldest first (only id, doc, added_at, added_by set). */
typedef int (*store_advisory_cb)(const struct store_advisory *a, void *arg);
int store_advisory_each(struct store *s, store_advisory_cb cb, void *arg,
    struct wg_diag *d);

/*
 * Remediation per device: open (the device's attested release is
 * affected; a closed one opens again), close (it attests a release the
 * advisory spares; *closed, may be NULL, says whether one was open).
 */
struct store_devadv {
	char advisory_id[STORE_ID_LEN];
	int64_t opened_at;
	char release[STORE_TEXT_LEN];
	int64_t closed_at;		/* 0 while open */
	char closed_release[STORE_TEXT_LEN];
};

int store_devadv_open(struct store *s, const char *device_id,
    const char *advisory_id, int64_t at, const char *release,
    struct wg_diag *d);
int store_devadv_close(struct store *s, const char *device_id,
    const char *advisory_id, int64_t at, const char *release, int *closed,
    struct wg_diag *d);
typedef int (*store_devadv_cb)(const struct store_devadv *v, void *arg);
int store_devadv_each(struct store *s, const char *device_id,
    store_devadv_cb cb, void *arg, struct wg_diag *d);

/*
 * Evidence export (lib/evidence.h), read-only. store_audit_chain_each:
 * the audit rows of device_id in id order with their prev_hash and hash
 * (borrowed for the call). Not a verification.
 */
struct store_audit_link {
	struct store_audit_row row;
	const uint8_t *prev_hash;	/* STORE_HASH_LEN bytes */
	const uint8_t *hash;		/* STORE_HASH_LEN bytes */
};
typedef int (*store_audit_link_cb)(const struct store_audit_link *l,
    void *arg);
int store_audit_chain_each(struct store *s, const char *device_id,
    store_audit_link_cb cb, void *arg, struct wg_diag *d);

/*
 * Every attestation of device_id, oldest first, with its evidence: only
 * id-less fields of struct store_attestation are set (device_id, at,
 * pass, reasons, quote, sig, nonce, eventlog_sha256, release), borrowed
 * for the call; *id is the row id.
 */
typedef int (*store_attestation_ev_cb)(int64_t id,
    const struct store_attestation *a, void *arg);
int store_attestation_evidence_each(struct store *s, const char *device_id,
    store_attestation_ev_cb cb, void *arg, struct wg_diag *d);

/*
 * The installed bundle (issuer, version), blobs borrowed for the call of
 * cb. WG_ERR_NOT_FOUND when none.
 */
int store_policy_get(struct store *s, const char *issuer, uint64_t version,
    store_policy_cb cb, void *arg, struct wg_diag *d);

/*
 * Appends a row to the append-only AK history: device_id's AK changed at
 * `at` from old_ak to new_ak (their fingerprints) for reason.
 */
int store_ak_history_add(struct store *s, const char *device_id, int64_t at,
    const char *old_ak, const char *new_ak, const char *reason,
    struct wg_diag *d);

/*
 * A repaired device (new TPM, same network card) takes over the MAC of
 * its decommissioned predecessor: clears mac on every decommissioned
 * device (other than keep) that has it, in the caller's transaction, and
 * gives their ids in ids (at most max; more is WG_ERR_TOO_LARGE and
 * nothing beyond is changed) and how many in *n, for the audit rows.
 */
int store_mac_release(struct store *s, const char *mac, const char *keep,
    char (*ids)[STORE_ID_LEN], size_t max, size_t *n, struct wg_diag *d);

/* ---- legacy devices and field service (schema 7) ---- */

/* A device without a usable TPM and its compensating controls. */
struct store_legacy {
	char device_id[STORE_ID_LEN];
	char controls[STORE_TEXT_LEN];	/* what protects it, free text */
	char owner[STORE_TEXT_LEN];	/* the accountable person */
	char segment[STORE_SEGMENT_LEN];	/* its restricted segment */
	char registered_by[STORE_TEXT_LEN];
	int64_t registered_at;
	int64_t review_at;		/* next review due (unix seconds) */
	int64_t sunset_at;		/* quarantined from then on */
	int64_t reviewed_at;		/* last review; 0 never */
	char reviewed_by[STORE_TEXT_LEN];	/* "" never */
	int sunset_done;		/* quarantined for its sunset */
};

/* Inserts or updates (by device_id; registered_* kept) the record. */
int store_legacy_put(struct store *s, const struct store_legacy *l,
    struct wg_diag *d);
/* WG_ERR_NOT_FOUND when device_id is not a legacy device. */
int store_legacy_get(struct store *s, const char *device_id,
    struct store_legacy *out, struct wg_diag *d);
typedef int (*store_legacy_cb)(const struct store_legacy *l, void *arg);
/* Every legacy record by device_id; a non-zero cb return stops. */
int store_legacy_each(struct store *s, store_legacy_cb cb, void *arg,
    struct wg_diag *d);

/* A field-service window: flow opened to a device until `until`. */
struct store_service {
	int64_t id;
	char device_id[STORE_ID_LEN];
	char flow[STORE_SEGMENT_LEN];
	char approved_by[STORE_TEXT_LEN];	/* the named approver */
	char opened_by[STORE_TEXT_LEN];		/* the admin actor */
	char reason[STORE_TEXT_LEN];
	int64_t opened_at;
	int64_t until;			/* > opened_at */
	int64_t closed_at;		/* 0 while open */
	char closed_by[STORE_TEXT_LEN];	/* "" while open */
};

int store_service_add(struct store *s, const struct store_service *w,
    int64_t *id, struct wg_diag *d);
/* Closes open window id; WG_ERR_NOT_FOUND when it is not open. */
int store_service_close(struct store *s, int64_t id, int64_t at,
    const char *by, struct wg_diag *d);
typedef int (*store_service_cb)(const struct store_service *w, void *arg);
/*
 * device_id NULL: every open window, soonest end first; else every
 * window (open or closed) of that device, oldest first. cb must not
 * close windows itself (collect, then close).
 */
int store_service_each(struct store *s, const char *device_id,
    store_service_cb cb, void *arg, struct wg_diag *d);

#endif
