/*
 * provfile.h: a maker's batch of provisioning records (CSV, RFC 4180 with
 * a header row naming the columns, or JSON, an array of objects), parsed
 * and checked as a whole: every row is checked and every bad one reported
 * as "line N: column: why"; a file with any bad row yields no records.
 *
 * Columns (CSV header names, JSON member names): name, serial, model, udi,
 * batch (or lot), owner (the ward or department; or ward, department),
 * location, owner_identity, owner_update, owner_vuln, owner_decommission,
 * mac, ek_fpr (64 lowercase hex) and ek_cert (PEM; the fingerprint is
 * computed as lib/ek.h does). Required: serial, model, mac, and ek_fpr or
 * ek_cert (both: they must agree). name defaults to serial. Names,
 * serials, MACs and EK fingerprints are unique in the file (and, by
 * provfile_check_stored(), against what is stored). Cell text is kept as given
 * (a cell that looks like a spreadsheet formula is only text); it must be
 * printable UTF-8.
 */
#ifndef WG_PROVFILE_H
#define WG_PROVFILE_H

#include <stddef.h>

#include "store.h"
#include "wg_err.h"

#define PROVFILE_MAX_BYTES (4u * 1024 * 1024)
#define PROVFILE_BATCH_MAX (2u * 1024 * 1024)	/* one admin request */
#define PROVFILE_MAX_ROWS 4096
#define PROVFILE_CERT_MAX 8192		/* a PEM EK certificate cell */
#define PROVFILE_REPORT_MAX 8192
#define PROVFILE_REPORT_LINES 100	/* errors written out; all counted */

enum provfile_format {
	PROVFILE_CSV,
	PROVFILE_JSON
};

/* What storing a record does (set by provfile_check_stored()). */
enum provfile_act {
	PROVFILE_ADD,		/* no record for its EK yet */
	PROVFILE_REPLACE,	/* replaces its EK's different record */
	PROVFILE_SAME		/* its EK's record is the same: nothing */
};

struct provfile_rec {
	struct store_provision p;	/* created_at 0 */
	unsigned line;			/* where the row starts, from 1 */
	enum provfile_act act;
};

struct provfile {
	struct provfile_rec *recs;
	size_t n;
};

/* The refusals of a file, one "line N: column: why" a line. */
struct provfile_report {
	unsigned nerrors;
	size_t len;
	char text[PROVFILE_REPORT_MAX];
};

/*
 * Parses and checks buf (len bytes) as fmt. On success *out is new
 * (caller frees with provfile_free()) and holds every record, at least
 * one. Else returns WG_ERR_BAD_FIELD with every error in rep (when rep
 * is not NULL), WG_ERR_TOO_LARGE or WG_ERR_ALLOC; *out is untouched.
 */
int provfile_parse(const char *buf, size_t len, enum provfile_format fmt,
    struct provfile **out, struct provfile_report *rep, struct wg_diag *d);

/* Frees pf; NULL is accepted. */
void provfile_free(struct provfile *pf);

/* One record of a batch against what is stored. */
struct provfile_conflict {
	size_t rec;		/* index in the batch (pf->recs) */
	int err;		/* WG_ERR_CONFLICT, WG_ERR_DEVICE_DECOMMISSIONED */
	int replaceable;	/* its EK's record differs: replace would do */
	char col[16];		/* "mac", "name", "serial", "ek_fpr" */
	char why[256];
};

/* The conflicts of a batch: all counted, the first ones kept. */
struct provfile_conflicts {
	unsigned n;
	size_t nkept;
	struct provfile_conflict c[PROVFILE_REPORT_LINES];
};

/*
 * Checks pf against store s, in the caller's transaction; reads only.
 * A record conflicts when its MAC, name or model and serial is used by a
 * stored record or device of another EK (one of the batch's own EKs
 * excepted: the batch replaces those; so are the MAC and serial of a
 * decommissioned device, which a repaired one may take over), when its EK's device is
 * decommissioned (or the EK blocked), or when its EK's stored record
 * differs and replace is 0. Sets each record's act. Returns 0, or
 * WG_ERR_CONFLICT with every conflict in out (record order), or a store
 * error.
 */
int provfile_check_stored(struct store *s, struct provfile *pf, int replace,
    struct provfile_conflicts *out, struct wg_diag *d);

/*
 * One record (a single `device provision`, a legacy registration) against
 * what is stored, as provfile_check_stored() with replace (*act set
 * when act is not NULL), or WG_ERR_CONFLICT or
 * WG_ERR_DEVICE_DECOMMISSIONED with the first conflict in d, or a store
 * error. A MAC other than empty or a unicast lowercase aa:bb:cc:dd:ee:ff
 * (as a file's records have it) is WG_ERR_BAD_FIELD: stored MACs are
 * compared as text.
 */
int provfile_check_one(struct store *s, const struct store_provision *p,
    enum provfile_act *act, struct wg_diag *d);

/*
 * The columns in which a and b differ (created_at aside), as "udi,
 * location" into out (cap bytes, cut when short); returns how many.
 */
unsigned provfile_differs(const struct store_provision *a,
    const struct store_provision *b, char *out, size_t cap);

/*
 * The records as a JSON array of objects with ek_fpr and the text
 * columns (no certificates), which provfile_parse() reads back the same.
 * NULL when out of memory; caller frees.
 */
char *provfile_to_json(const struct provfile *pf);

#endif
