/*
 * policy.c: golden firmware policies (wardgate-policy(5), docs/policy.md):
 * parse, print, sign, verify and learn.
 *
 * Parsing is lib/sjson.c's, as for lib/wire.c: the size is capped and
 * objects, arrays and commas are counted before json-c builds a tree
 * (depth capped in the tokener); a strict scan of the raw text then refuses what json-c
 * forgives or hides (duplicate names, escaped NULs, unpaired surrogates,
 * overlong UTF-8, negative numbers), naming the JSON path; last, a walker
 * checks every field of the tree against the format. Every refusal of the
 * text is WG_ERR_POLICY with the path in the diagnostic.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "alg.h"
#include "evlog.h"
#include "hex.h"
#include "pcr.h"
#include "policy.h"
#include "sjson.h"

/*
 * Before json-c builds a tree (about 1 KiB per object): the largest
 * bundle that fits POLICY_MAX_BYTES has some 30000 objects (digest
 * entries of 50 bytes) and twice as many members and elements.
 */
#define POLICY_MAX_CONTAINERS	32768
#define POLICY_MAX_COMMAS	131072
/*
 * A release holds a struct pcr_set (12 KiB): a bundle of tiny releases
 * would cost 350 times its size. No issuer needs more than this.
 */
#define POLICY_MAX_RELEASES_ALL	4096
#define POLICY_VERSION_MAX	(UINT64_C(1) << 53)
#define POLICY_SIG_MAX		256	/* ECDSA P-256 DER <= 72, Ed25519 64 */
#define ED25519_SIG_LEN		64

#define POLICY_PATH_LEN		128

#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))

#define GUID_EFI_GLOBAL		"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define GUID_IMAGE_SECURITY	"d719b2cb-3d3a-4596-a3bc-dad00e67656f"

#define SECS_PER_DAY		86400
#define YEAR_MIN		1970
#define YEAR_MAX		9999

enum key_kind {
	KEY_OTHER = 0,
	KEY_P256,
	KEY_ED25519,
};

/* The reference lists of digests, in print order after scrtm_version. */
struct listdef {
	const char *name;
	size_t off;		/* struct policy_digests in the release */
	int sha256_only;	/* variable data: SHA-256 only */
	const char *notekey;	/* the name print uses for the note */
};

static const struct listdef lists[] = {
	{ "firmware_blobs", offsetof(struct policy_release, firmware), 0,
	  "note" },
	{ "boot_applications", offsetof(struct policy_release, boot_apps), 0,
	  "path" },
	{ "drivers", offsetof(struct policy_release, drivers), 0, "path" },
	/* secure_boot prints here */
	{ "pk", offsetof(struct policy_release, pk), 1, "note" },
	{ "kek", offsetof(struct policy_release, kek), 1, "note" },
	{ "db", offsetof(struct policy_release, db), 1, "note" },
	{ "dbx", offsetof(struct policy_release, dbx), 1, "note" },
};
#define LISTS_BEFORE_SB	3

static const char *const top_keys[] = {
	"wardgate_policy", "issuer", "version", "issued_at", "models",
};
static const char *const model_keys[] = { "model", "releases" };
static const char *const release_keys[] = {
	"release", "status", "until", "advisory", "scrtm_version",
	"firmware_blobs", "boot_applications", "drivers", "secure_boot",
	"pk", "kek", "db", "dbx", "pcrs",
};
static const char *const bank_names[] = {
	"sha1", "sha256", "sha384", "sha512", "sm3_256",
};
static const char *const status_names[] = {
	"approved", "deprecated", "revoked",
};

/* The canonical PCR index names, the only keys of a bank object. */
static const char *const pcr_keys[PCR_COUNT] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
	"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
};

/* ---- text --------------------------------------------------------------- */

/* 1 if s is 1..cap-1 bytes of printable UTF-8 (NUL within cap). */
static int
text_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n > 0 && n < cap && sjson_text_check(s, n) == NULL;
}

/* ---- dates -------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* n decimal digits at s, or -1. */
static long
digits(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" (10 bytes at s) as days since the epoch. 0 or -1. */
static int
date_parse(const char *s, int64_t *days)
{
	static const unsigned mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	long y, m, dd;
	unsigned lim;

	if (s[4] != '-' || s[7] != '-' || (y = digits(s, 4)) < 0 ||
	    (m = digits(s + 5, 2)) < 0 || (dd = digits(s + 8, 2)) < 0)
		return -1;
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || dd < 1)
		return -1;
	lim = mdays[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		lim = 29;
	if ((unsigned long)dd > lim)
		return -1;
	*days = days_from_civil(y, (unsigned)m, (unsigned)dd);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" as unix seconds. 0 or -1. */
static int
time_parse(const char *s, size_t n, int64_t *out)
{
	int64_t days;
	long hh, mm, ss;

	if (n != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || date_parse(s, &days) != 0 ||
	    (hh = digits(s + 11, 2)) < 0 || (mm = digits(s + 14, 2)) < 0 ||
	    (ss = digits(s + 17, 2)) < 0 || hh > 23 || mm > 59 || ss > 59)
		return -1;
	*out = days * SECS_PER_DAY + hh * 3600 + mm * 60 + ss;
	return 0;
}

/* ---- diagnostics and paths ---------------------------------------------- */

static int bad(struct wg_diag *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* WG_ERR_POLICY with "path: message" in d. */
static int
bad(struct wg_diag *d, const char *path, const char *fmt, ...)
{
	char msg[WG_DIAG_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	return wg_diag_set(d, WG_ERR_POLICY, "%s: %s",
	    path[0] != '\0' ? path : "(top)", msg);
}

/* "path[i]". Returns buf. */
static const char *
pidx(char *buf, size_t cap, const char *path, size_t i)
{
	if (snprintf(buf, cap, "%s[%zu]", path, i) < 0)
		buf[0] = '\0';
	return buf;
}

/* ---- parsing: size caps, json-c, strict scan ---------------------------- */

static const struct sjson_limits pj_limits = {
	POLICY_MAX_BYTES, POLICY_MAX_CONTAINERS, POLICY_MAX_COMMAS,
	POLICY_MAX_DEPTH, SJSON_INDEX_PATH | SJSON_DEPTH_PATH
};

/*
 * Records a refusal of lib/sjson.c in d: WG_ERR_POLICY (WG_ERR_ALLOC as
 * it is) with the path, "(top)" where there is none. Returns the code.
 */
static int
pj_refusal(const struct sjson_err *e, struct wg_diag *d)
{
	if (e->code == WG_ERR_ALLOC)
		return wg_diag_set(d, e->code, "%s", e->msg);
	switch (e->what) {
	case SJSON_E_SIZE:
		return bad(d, "", "bundle of %zu bytes, more than %u", e->n,
		    POLICY_MAX_BYTES);
	case SJSON_E_TRAILING:
		return bad(d, "", "unexpected data after the JSON object at "
		    "offset %zu", e->off);
	case SJSON_E_TYPE:
		return bad(d, "", "the bundle is not a JSON object");
	default:
		return bad(d, e->path, "%s", e->msg);
	}
}

/*
 * Parses exactly len bytes as one JSON object and nothing but space; a
 * depth refusal names the path where the text went too deep.
 */
static int
pj_parse(const char *json, size_t len, json_object **out, struct wg_diag *d)
{
	struct sjson_err e;

	if (sjson_parse(json, len, &pj_limits, json_type_object, out,
	    &e) != 0)
		return pj_refusal(&e, d);
	return 0;
}

/*
 * The second look at the text json-c accepted (sjson_scan()), before the
 * walker: names the walker would not know because json-c hid or kept
 * only one of them are refused here with their path.
 */
static int
pj_scan(const char *json, size_t len, struct wg_diag *d)
{
	struct sjson_err e;

	if (sjson_scan(json, len, &pj_limits, &e) != 0)
		return pj_refusal(&e, d);
	return 0;
}
/* ---- parsing: the walker ------------------------------------------------ */

static const char *
type_name(json_object *v)
{
	return json_type_to_name(json_object_get_type(v));
}

/* Every name of o is one of known[n]. */
static int
keys_known(json_object *o, const char *path, const char *const *known,
    size_t n, struct wg_diag *d)
{
	struct json_object_iterator it, end;
	char sub[POLICY_PATH_LEN], shown[SJSON_SHOW + 8];
	const char *name;
	size_t i;

	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		for (i = 0; i < n; i++)
			if (strcmp(name, known[i]) == 0)
				break;
		if (i == n)
			return bad(d, sjson_join(sub, sizeof(sub), path,
			    sjson_show(name, shown, sizeof(shown))),
			    "unknown field");
	}
	return 0;
}

/* The member name of o in *v, or NULL; required ones must be there. */
static int
member(json_object *o, const char *path, const char *name, int required,
    json_object **v, struct wg_diag *d)
{
	char sub[POLICY_PATH_LEN];

	*v = NULL;
	if (!json_object_object_get_ex(o, name, v)) {
		*v = NULL;
		if (required)
			return bad(d, sjson_join(sub, sizeof(sub), path, name),
			    "missing");
		return 0;
	}
	/* json-c gives NULL for null: never "absent" */
	if (*v == NULL)
		return bad(d, sjson_join(sub, sizeof(sub), path, name),
		    "null is not a value (omit the field)");
	return 0;
}

static int
want_type(json_object *v, json_type t, const char *path, struct wg_diag *d)
{
	const char *want;

	if (v != NULL && json_object_is_type(v, t))
		return 0;
	switch (t) {
	case json_type_object:	want = "an object"; break;
	case json_type_array:	want = "an array"; break;
	case json_type_string:	want = "a string"; break;
	case json_type_int:	want = "an integer"; break;
	case json_type_boolean:	want = "a boolean"; break;
	default:		want = json_type_to_name(t); break;
	}
	return bad(d, path, "must be %s, not %s", want, type_name(v));
}

/* An integer lo..hi. */
static int
get_int(json_object *v, const char *path, int64_t lo, int64_t hi,
    int64_t *out, struct wg_diag *d)
{
	int64_t x;
	int r;

	if ((r = want_type(v, json_type_int, path, d)) != 0)
		return r;
	/* Integers beyond INT64_MAX read as INT64_MAX: still refused. */
	x = json_object_get_int64(v);
	if (x < lo || x > hi)
		return bad(d, path, "%lld is outside %lld..%lld",
		    (long long)x, (long long)lo, (long long)hi);
	*out = x;
	return 0;
}

/* A string with no NUL: its bytes in *s, *len. */
static int
get_str(json_object *v, const char *path, const char **s, size_t *len,
    struct wg_diag *d)
{
	int r, n;

	if ((r = want_type(v, json_type_string, path, d)) != 0)
		return r;
	*s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (*s == NULL || n < 0 || memchr(*s, '\0', (size_t)n) != NULL)
		return bad(d, path, "NUL character");
	*len = (size_t)n;
	return 0;
}

/* Printable UTF-8 of 1..cap-1 bytes into out. */
static int
get_text(json_object *v, const char *path, char *out, size_t cap,
    struct wg_diag *d)
{
	const char *s, *why;
	size_t len;
	int r;

	if ((r = get_str(v, path, &s, &len, d)) != 0)
		return r;
	if (len == 0 || len >= cap)
		return bad(d, path, "%zu bytes, not 1..%zu", len, cap - 1);
	if ((why = sjson_text_check(s, len)) != NULL)
		return bad(d, path, "%s", why);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Exactly 2*size lowercase hex digits into out. */
static int
get_hex(json_object *v, const char *path, const struct alg_info *a,
    uint8_t *out, struct wg_diag *d)
{
	const char *s;
	size_t len, n;
	int r;

	if ((r = get_str(v, path, &s, &len, d)) != 0)
		return r;
	if (len != 2 * a->size || !hex_is_lower(s, len))
		return bad(d, path, "must be %zu lowercase hex digits (%s)",
		    2 * a->size, a->name);
	if (hex_decode(s, out, ALG_MAX_DIGEST, &n) != 0 || n != a->size)
		return wg_diag_set(d, WG_ERR_INTERNAL, "%s: hex", path);
	return 0;
}

/* An array of lo..hi entries; *n gets the count. */
static int
get_array(json_object *v, const char *path, size_t lo, size_t hi, size_t *n,
    struct wg_diag *d)
{
	size_t k;
	int r;

	if ((r = want_type(v, json_type_array, path, d)) != 0)
		return r;
	k = json_object_array_length(v);
	if (k < lo || k > hi) {
		if (k == 0)
			return bad(d, path, "empty list (omit the field to "
			    "leave a rule unchecked)");
		return bad(d, path, "%zu entries, at most %zu", k, hi);
	}
	*n = k;
	return 0;
}

/* One digest entry: exactly one bank, optional path or note. */
static int
dec_digest(json_object *e, const char *path, const struct listdef *ld,
    struct policy_digest *out, struct wg_diag *d)
{
	static const char *const keys[] = {
		"sha1", "sha256", "sha384", "sha512", "sm3_256", "path", "note",
	};
	const struct alg_info *a = NULL, *b;
	json_object *v, *pv = NULL, *nv = NULL;
	char sub[POLICY_PATH_LEN];
	size_t i;
	int r;

	if ((r = want_type(e, json_type_object, path, d)) != 0 ||
	    (r = keys_known(e, path, keys, NELEM(keys), d)) != 0)
		return r;
	for (i = 0; i < NELEM(bank_names); i++) {
		if (!json_object_object_get_ex(e, bank_names[i], &v))
			continue;
		if ((b = alg_by_name(bank_names[i])) == NULL)
			return wg_diag_set(d, WG_ERR_INTERNAL, "%s", path);
		if (a != NULL)
			return bad(d, sjson_join(sub, sizeof(sub), path,
			    b->name),
			    "a second digest in one entry (%s given): one "
			    "bank per entry", a->name);
		a = b;
		if ((r = get_hex(v, sjson_join(sub, sizeof(sub), path,
		    a->name), a, out->digest, d)) != 0)
			return r;
	}
	if (a == NULL)
		return bad(d, path, "no digest: give one of sha1, sha256, "
		    "sha384, sha512, sm3_256");
	if (ld->sha256_only && a->id != TPM2_ALG_SHA256)
		return bad(d, sjson_join(sub, sizeof(sub), path, a->name),
		    "%s lists SHA-256 digests of variable data only", ld->name);
	out->alg = a->id;
	if ((r = member(e, path, "path", 0, &pv, d)) != 0 ||
	    (r = member(e, path, "note", 0, &nv, d)) != 0)
		return r;
	if (pv != NULL && nv != NULL)
		return bad(d, sjson_join(sub, sizeof(sub), path, "note"),
		    "both path and note given: one note per entry");
	if (pv != NULL || nv != NULL)
		return get_text(pv != NULL ? pv : nv, sjson_join(sub,
		    sizeof(sub), path, pv != NULL ? "path" : "note"), out->note,
		    sizeof(out->note), d);
	return 0;
}

static int
dec_digests(json_object *v, const char *path, const struct listdef *ld,
    struct policy_digests *out, struct wg_diag *d)
{
	char sub[POLICY_PATH_LEN];
	size_t i, n;
	int r;

	if ((r = get_array(v, path, 1, POLICY_MAX_LIST, &n, d)) != 0)
		return r;
	if ((out->v = calloc(n, sizeof(*out->v))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "%s", path);
	out->n = n;
	for (i = 0; i < n; i++)
		if ((r = dec_digest(json_object_array_get_idx(v, i),
		    pidx(sub, sizeof(sub), path, i), ld, &out->v[i], d)) != 0)
			return r;
	return 0;
}

static int
dec_scrtm(json_object *v, const char *path, struct policy_release *rel,
    struct wg_diag *d)
{
	char sub[POLICY_PATH_LEN];
	size_t i, n;
	int r;

	if ((r = get_array(v, path, 1, POLICY_MAX_LIST, &n, d)) != 0)
		return r;
	if ((rel->scrtm = calloc(n, sizeof(*rel->scrtm))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "%s", path);
	rel->n_scrtm = n;
	for (i = 0; i < n; i++)
		if ((r = get_text(json_object_array_get_idx(v, i),
		    pidx(sub, sizeof(sub), path, i), rel->scrtm[i],
		    POLICY_TEXT_LEN, d)) != 0)
			return r;
	return 0;
}

static int
dec_pcrs(json_object *v, const char *path, struct pcr_set *out,
    struct wg_diag *d)
{
	struct json_object_iterator it, end;
	const struct alg_info *a;
	struct pcr_bank *b;
	json_object *bv;
	const char *bank;
	char bpath[POLICY_PATH_LEN], ppath[POLICY_PATH_LEN];
	unsigned i;
	int r;

	if ((r = want_type(v, json_type_object, path, d)) != 0 ||
	    (r = keys_known(v, path, bank_names, NELEM(bank_names), d)) != 0)
		return r;
	if (json_object_object_length(v) == 0)
		return bad(d, path, "no bank (omit the field to leave PCRs "
		    "unchecked)");
	pcr_set_init(out);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		bank = json_object_iter_peek_name(&it);
		bv = json_object_iter_peek_value(&it);
		sjson_join(bpath, sizeof(bpath), path, bank);
		if ((a = alg_by_name(bank)) == NULL)
			return wg_diag_set(d, WG_ERR_INTERNAL, "%s", bpath);
		if ((r = want_type(bv, json_type_object, bpath, d)) != 0 ||
		    (r = keys_known(bv, bpath, pcr_keys, PCR_COUNT, d)) != 0)
			return r;
		if (json_object_object_length(bv) == 0)
			return bad(d, bpath, "no PCR (omit the bank)");
		if (pcr_set_find(out, a->id) != NULL ||
		    pcr_set_add_bank(out, a->id, &b) != 0)
			return bad(d, bpath, "bank given twice or too many "
			    "banks");
		/* PCRs in ascending order whatever the text's order */
		for (i = 0; i < PCR_COUNT; i++) {
			json_object *pv;

			if (!json_object_object_get_ex(bv, pcr_keys[i], &pv))
				continue;
			if ((r = get_hex(pv, sjson_join(ppath, sizeof(ppath),
			    bpath, pcr_keys[i]), a, b->value[i], d)) != 0)
				return r;
			b->present |= 1u << i;
		}
	}
	return 0;
}

static int
dec_release(json_object *o, const char *path, struct policy_release *rel,
    struct wg_diag *d)
{
	json_object *v;
	char sub[POLICY_PATH_LEN];
	const char *s;
	size_t i, len;
	int64_t days;
	int r;

	rel->secure_boot = -1;
	if ((r = want_type(o, json_type_object, path, d)) != 0 ||
	    (r = keys_known(o, path, release_keys, NELEM(release_keys),
	    d)) != 0)
		return r;
	if ((r = member(o, path, "release", 1, &v, d)) != 0 ||
	    (r = get_text(v, sjson_join(sub, sizeof(sub), path, "release"),
	    rel->release, sizeof(rel->release), d)) != 0)
		return r;

	if ((r = member(o, path, "status", 1, &v, d)) != 0 ||
	    (r = get_str(v, sjson_join(sub, sizeof(sub), path, "status"), &s,
	    &len, d)) != 0)
		return r;
	for (i = 0; i < NELEM(status_names); i++)
		if (strlen(status_names[i]) == len &&
		    memcmp(status_names[i], s, len) == 0)
			break;
	if (i == NELEM(status_names))
		return bad(d, sub, "must be \"approved\", \"deprecated\" or "
		    "\"revoked\"");
	rel->status = (enum policy_status)i;

	if ((r = member(o, path, "until", 0, &v, d)) != 0)
		return r;
	sjson_join(sub, sizeof(sub), path, "until");
	if (rel->status == POLICY_DEPRECATED && v == NULL)
		return bad(d, sub, "required with status \"deprecated\"");
	if (rel->status != POLICY_DEPRECATED && v != NULL)
		return bad(d, sub, "allowed only with status \"deprecated\"");
	if (v != NULL) {
		if ((r = get_str(v, sub, &s, &len, d)) != 0)
			return r;
		if (len != 10 || date_parse(s, &days) != 0)
			return bad(d, sub, "not a date YYYY-MM-DD (%d..%d)",
			    YEAR_MIN, YEAR_MAX);
		rel->until = (days + 1) * SECS_PER_DAY;
	}

	if ((r = member(o, path, "advisory", 0, &v, d)) != 0)
		return r;
	sjson_join(sub, sizeof(sub), path, "advisory");
	if (rel->status == POLICY_REVOKED && v == NULL)
		return bad(d, sub, "required with status \"revoked\"");
	if (rel->status != POLICY_REVOKED && v != NULL)
		return bad(d, sub, "allowed only with status \"revoked\"");
	if (v != NULL && (r = get_text(v, sub, rel->advisory,
	    sizeof(rel->advisory), d)) != 0)
		return r;

	if ((r = member(o, path, "scrtm_version", 0, &v, d)) != 0 ||
	    (v != NULL && (r = dec_scrtm(v, sjson_join(sub, sizeof(sub), path,
	    "scrtm_version"), rel, d)) != 0))
		return r;
	for (i = 0; i < NELEM(lists); i++) {
		if ((r = member(o, path, lists[i].name, 0, &v, d)) != 0)
			return r;
		if (v != NULL && (r = dec_digests(v, sjson_join(sub,
		    sizeof(sub), path, lists[i].name), &lists[i],
		    (struct policy_digests *)(void *)((char *)rel +
		    lists[i].off), d)) != 0)
			return r;
	}
	if ((r = member(o, path, "secure_boot", 0, &v, d)) != 0)
		return r;
	if (v != NULL) {
		sjson_join(sub, sizeof(sub), path, "secure_boot");
		if ((r = want_type(v, json_type_boolean, sub, d)) != 0)
			return r;
		rel->secure_boot = json_object_get_boolean(v) ? 1 : -1;
	}
	if ((r = member(o, path, "pcrs", 0, &v, d)) != 0)
		return r;
	if (v != NULL) {
		if ((r = dec_pcrs(v, sjson_join(sub, sizeof(sub), path, "pcrs"),
		    &rel->pcrs, d)) != 0)
			return r;
		rel->has_pcrs = 1;
	}
	return 0;
}

static int
dec_model(json_object *o, const char *path, struct policy *p,
    struct policy_model *m, size_t *total, struct wg_diag *d)
{
	json_object *v;
	char sub[POLICY_PATH_LEN], rpath[POLICY_PATH_LEN], rp[POLICY_PATH_LEN];
	size_t i, k, n;
	int r;

	if ((r = want_type(o, json_type_object, path, d)) != 0 ||
	    (r = keys_known(o, path, model_keys, NELEM(model_keys), d)) != 0)
		return r;
	if ((r = member(o, path, "model", 1, &v, d)) != 0 ||
	    (r = get_text(v, sjson_join(sub, sizeof(sub), path, "model"),
	    m->model, sizeof(m->model), d)) != 0)
		return r;
	for (k = 0; k < p->nmodels; k++)
		if (strcmp(p->models[k].model, m->model) == 0)
			return bad(d, sub, "model also listed in models[%zu]",
			    k);
	if ((r = member(o, path, "releases", 1, &v, d)) != 0 ||
	    (r = get_array(v, sjson_join(sub, sizeof(sub), path, "releases"), 1,
	    POLICY_MAX_RELEASES, &n, d)) != 0)
		return r;
	if (*total + n > POLICY_MAX_RELEASES_ALL)
		return bad(d, sub, "more than %d releases in the bundle",
		    POLICY_MAX_RELEASES_ALL);
	*total += n;
	if ((m->rel = calloc(n, sizeof(*m->rel))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "%s", sub);
	for (i = 0; i < n; i++) {
		/* counted as it goes so that policy_free sees what to free */
		m->nrel = i + 1;
		pidx(rpath, sizeof(rpath), sub, i);
		if ((r = dec_release(json_object_array_get_idx(v, i), rpath,
		    &m->rel[i], d)) != 0)
			return r;
		for (k = 0; k < i; k++)
			if (strcmp(m->rel[k].release, m->rel[i].release) == 0)
				return bad(d, sjson_join(rp, sizeof(rp), rpath,
				    "release"), "release also listed in "
				    "releases[%zu]", k);
	}
	return 0;
}

static int
dec_bundle(json_object *o, struct policy *p, struct wg_diag *d)
{
	json_object *v;
	char sub[POLICY_PATH_LEN];
	const char *s;
	size_t i, n, len, total = 0;
	int64_t x;
	int r;

	if ((r = keys_known(o, "", top_keys, NELEM(top_keys), d)) != 0)
		return r;
	if ((r = member(o, "", "wardgate_policy", 1, &v, d)) != 0 ||
	    (r = get_int(v, "wardgate_policy", POLICY_FORMAT, POLICY_FORMAT,
	    &x, d)) != 0)
		return r;
	if ((r = member(o, "", "issuer", 1, &v, d)) != 0 ||
	    (r = get_text(v, "issuer", p->issuer, sizeof(p->issuer), d)) != 0)
		return r;
	if ((r = member(o, "", "version", 1, &v, d)) != 0 ||
	    (r = get_int(v, "version", 1, (int64_t)POLICY_VERSION_MAX, &x,
	    d)) != 0)
		return r;
	p->version = (uint64_t)x;
	if ((r = member(o, "", "issued_at", 1, &v, d)) != 0 ||
	    (r = get_str(v, "issued_at", &s, &len, d)) != 0)
		return r;
	if (time_parse(s, len, &p->issued_at) != 0)
		return bad(d, "issued_at", "not a UTC time "
		    "YYYY-MM-DDTHH:MM:SSZ (%d..%d)", YEAR_MIN, YEAR_MAX);
	if ((r = member(o, "", "models", 1, &v, d)) != 0 ||
	    (r = get_array(v, "models", 0, POLICY_MAX_MODELS, &n, d)) != 0)
		return r;
	if (n > 0 && (p->models = calloc(n, sizeof(*p->models))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "models");
	for (i = 0; i < n; i++) {
		if ((r = dec_model(json_object_array_get_idx(v, i),
		    pidx(sub, sizeof(sub), "models", i), p, &p->models[i],
		    &total, d)) != 0) {
			p->nmodels = i + 1;	/* free the partial model */
			return r;
		}
		p->nmodels = i + 1;
	}
	return 0;
}

int
policy_parse(const char *json, size_t len, struct policy **out,
    struct wg_diag *d)
{
	json_object *root = NULL;
	struct policy *p = NULL;
	int r;

	if (json == NULL || out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "policy_parse: no "
		    "bundle or no output");
		goto out;
	}
	if ((r = pj_parse(json, len, &root, d)) != 0 ||
	    (r = pj_scan(json, len, d)) != 0)
		goto out;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "policy");
		goto out;
	}
	if ((r = dec_bundle(root, p, d)) != 0)
		goto out;
	*out = p;
	p = NULL;
	r = 0;
out:
	policy_free(p);
	json_object_put(root);
	return r;
}

static void
release_free(struct policy_release *rel)
{
	size_t i;

	free(rel->scrtm);
	for (i = 0; i < NELEM(lists); i++)
		free(((struct policy_digests *)(void *)((char *)rel +
		    lists[i].off))->v);
}

void
policy_free(struct policy *p)
{
	size_t i, k;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmodels && p->models != NULL; i++) {
		for (k = 0; k < p->models[i].nrel && p->models[i].rel != NULL;
		    k++)
			release_free(&p->models[i].rel[k]);
		free(p->models[i].rel);
	}
	free(p->models);
	free(p);
}

const struct policy_model *
policy_model_find(const struct policy *p, const char *model)
{
	size_t i;

	if (p == NULL || model == NULL)
		return NULL;
	for (i = 0; i < p->nmodels; i++)
		if (strncmp(p->models[i].model, model,
		    sizeof(p->models[i].model)) == 0 &&
		    strlen(model) < sizeof(p->models[i].model))
			return &p->models[i];
	return NULL;
}

/* ---- printing ----------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
	int err;
};

static void
o_put(struct out *o, const char *s, size_t n)
{
	size_t ncap;
	char *np;

	if (o->err)
		return;
	if (n >= o->cap - o->len) {
		ncap = o->cap;
		while (n >= ncap - o->len) {
			if (ncap > SIZE_MAX / 2) {
				o->err = 1;
				return;
			}
			ncap *= 2;
		}
		if ((np = realloc(o->p, ncap)) == NULL) {
			o->err = 1;
			return;
		}
		o->p = np;
		o->cap = ncap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
o_str(struct out *o, const char *s)
{
	o_put(o, s, strlen(s));
}

static void
o_indent(struct out *o, unsigned level)
{
	unsigned i;

	for (i = 0; i < level; i++)
		o_put(o, "  ", 2);
}

static void o_fmt(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
o_fmt(struct out *o, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		o->err = 1;
	else
		o_put(o, buf, (size_t)n);
}

/* A JSON string of the text at s (at most cap bytes, NUL or not). */
static void
o_jstr(struct out *o, const char *s, size_t cap)
{
	size_t i, n = strnlen(s, cap);
	unsigned char c;
	char esc[8];

	o_put(o, "\"", 1);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			o_put(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			/* never in a parsed policy; keeps the JSON valid */
			o_fmt(o, "\\u%04x", c);
		} else {
			o_put(o, s + i, 1);
		}
	}
	o_put(o, "\"", 1);
}

/* Starts member name at level: `  "name": `. */
static void
o_key(struct out *o, unsigned level, int *first, const char *name)
{
	o_str(o, *first ? "\n" : ",\n");
	*first = 0;
	o_indent(o, level);
	o_jstr(o, name, strlen(name) + 1);
	o_str(o, ": ");
}

static void
o_hex(struct out *o, const uint8_t *p, size_t n)
{
	char hex[2 * ALG_MAX_DIGEST + 1];

	if (n > ALG_MAX_DIGEST || hex_encode(p, n, hex, sizeof(hex)) == NULL) {
		o->err = 1;
		return;
	}
	o_put(o, "\"", 1);
	o_str(o, hex);
	o_put(o, "\"", 1);
}

static void
o_digests(struct out *o, unsigned level, const struct listdef *ld,
    const struct policy_digests *l)
{
	const struct alg_info *a;
	char idbuf[8];
	size_t i;

	o_str(o, "[");
	for (i = 0; i < l->n; i++) {
		o_str(o, i == 0 ? "\n" : ",\n");
		o_indent(o, level + 1);
		o_str(o, "{ ");
		if ((a = alg_by_id(l->v[i].alg)) == NULL) {
			/* not from policy_parse: keep the text JSON */
			o_jstr(o, alg_name(l->v[i].alg, idbuf, sizeof(idbuf)),
			    sizeof(idbuf));
			o_str(o, ": \"\"");
		} else {
			o_jstr(o, a->name, strlen(a->name) + 1);
			o_str(o, ": ");
			o_hex(o, l->v[i].digest, a->size);
		}
		if (l->v[i].note[0] != '\0') {
			o_str(o, ", ");
			o_jstr(o, ld->notekey, strlen(ld->notekey) + 1);
			o_str(o, ": ");
			o_jstr(o, l->v[i].note, sizeof(l->v[i].note));
		}
		o_str(o, " }");
	}
	o_str(o, "\n");
	o_indent(o, level);
	o_str(o, "]");
}

static void
o_pcrs(struct out *o, unsigned level, const struct pcr_set *s)
{
	const struct alg_info *a;
	char idbuf[8];
	unsigned b, i;
	int first = 1, pfirst;

	o_str(o, "{");
	for (b = 0; b < s->nbanks && b < PCR_MAX_BANKS; b++) {
		const struct pcr_bank *bank = &s->bank[b];

		a = alg_by_id(bank->alg);
		o_key(o, level + 1, &first, a != NULL ? a->name :
		    alg_name(bank->alg, idbuf, sizeof(idbuf)));
		o_str(o, "{");
		pfirst = 1;
		for (i = 0; i < PCR_COUNT && a != NULL; i++) {
			if (!(bank->present & (1u << i)))
				continue;
			o_key(o, level + 2, &pfirst, pcr_keys[i]);
			o_hex(o, bank->value[i], a->size);
		}
		o_str(o, "\n");
		o_indent(o, level + 1);
		o_str(o, "}");
	}
	o_str(o, "\n");
	o_indent(o, level);
	o_str(o, "}");
}

static void
o_date(struct out *o, int64_t t, int with_time)
{
	int64_t days = floor_div(t, SECS_PER_DAY), secs, y;
	unsigned m, dd;

	secs = t - days * SECS_PER_DAY;
	civil_from_days(days, &y, &m, &dd);
	if (with_time)
		o_fmt(o, "\"%04lld-%02u-%02uT%02lld:%02lld:%02lldZ\"",
		    (long long)y, m, dd, (long long)(secs / 3600),
		    (long long)(secs / 60 % 60), (long long)(secs % 60));
	else
		o_fmt(o, "\"%04lld-%02u-%02u\"", (long long)y, m, dd);
}

static void
o_release(struct out *o, unsigned level, const struct policy_release *rel)
{
	const struct policy_digests *l;
	size_t i;
	int first = 1;

	o_str(o, "{");
	o_key(o, level + 1, &first, "release");
	o_jstr(o, rel->release, sizeof(rel->release));
	o_key(o, level + 1, &first, "status");
	if ((unsigned)rel->status < NELEM(status_names))
		o_jstr(o, status_names[rel->status],
		    strlen(status_names[rel->status]) + 1);
	else
		o_str(o, "null");
	if (rel->status == POLICY_DEPRECATED) {
		o_key(o, level + 1, &first, "until");
		/* the last day the release still passes */
		o_date(o, rel->until - SECS_PER_DAY, 0);
	}
	if (rel->status == POLICY_REVOKED) {
		o_key(o, level + 1, &first, "advisory");
		o_jstr(o, rel->advisory, sizeof(rel->advisory));
	}
	if (rel->n_scrtm > 0) {
		o_key(o, level + 1, &first, "scrtm_version");
		o_str(o, "[");
		for (i = 0; i < rel->n_scrtm; i++) {
			o_str(o, i == 0 ? "\n" : ",\n");
			o_indent(o, level + 2);
			o_jstr(o, rel->scrtm[i], POLICY_TEXT_LEN);
		}
		o_str(o, "\n");
		o_indent(o, level + 1);
		o_str(o, "]");
	}
	for (i = 0; i < NELEM(lists); i++) {
		if (i == LISTS_BEFORE_SB && rel->secure_boot == 1) {
			o_key(o, level + 1, &first, "secure_boot");
			o_str(o, "true");
		}
		l = (const struct policy_digests *)(const void *)
		    ((const char *)rel + lists[i].off);
		if (l->n == 0)
			continue;
		o_key(o, level + 1, &first, lists[i].name);
		o_digests(o, level + 1, &lists[i], l);
	}
	if (rel->has_pcrs) {
		o_key(o, level + 1, &first, "pcrs");
		o_pcrs(o, level + 1, &rel->pcrs);
	}
	o_str(o, "\n");
	o_indent(o, level);
	o_str(o, "}");
}

char *
policy_print(const struct policy *p)
{
	struct out o;
	size_t i, k;
	int first = 1, mfirst;

	if (p == NULL)
		return NULL;
	memset(&o, 0, sizeof(o));
	o.cap = 4096;
	if ((o.p = malloc(o.cap)) == NULL)
		return NULL;
	o.p[0] = '\0';
	o_str(&o, "{");
	o_key(&o, 1, &first, "wardgate_policy");
	o_fmt(&o, "%d", POLICY_FORMAT);
	o_key(&o, 1, &first, "issuer");
	o_jstr(&o, p->issuer, sizeof(p->issuer));
	o_key(&o, 1, &first, "version");
	o_fmt(&o, "%llu", (unsigned long long)p->version);
	o_key(&o, 1, &first, "issued_at");
	o_date(&o, p->issued_at, 1);
	o_key(&o, 1, &first, "models");
	o_str(&o, "[");
	for (i = 0; i < p->nmodels; i++) {
		const struct policy_model *m = &p->models[i];

		o_str(&o, i == 0 ? "\n" : ",\n");
		o_indent(&o, 2);
		o_str(&o, "{");
		mfirst = 1;
		o_key(&o, 3, &mfirst, "model");
		o_jstr(&o, m->model, sizeof(m->model));
		o_key(&o, 3, &mfirst, "releases");
		o_str(&o, "[");
		for (k = 0; k < m->nrel; k++) {
			o_str(&o, k == 0 ? "\n" : ",\n");
			o_indent(&o, 4);
			o_release(&o, 4, &m->rel[k]);
		}
		if (m->nrel > 0) {
			o_str(&o, "\n");
			o_indent(&o, 3);
		}
		o_str(&o, "]\n");
		o_indent(&o, 2);
		o_str(&o, "}");
	}
	if (p->nmodels > 0) {
		o_str(&o, "\n");
		o_indent(&o, 1);
	}
	o_str(&o, "]\n}\n");
	if (o.err) {
		free(o.p);
		return NULL;
	}
	return o.p;
}

/* ---- signatures --------------------------------------------------------- */

static enum key_kind
key_kind(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (EVP_PKEY_is_a(key, "ED25519"))
		return KEY_ED25519;
	if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group,
	    sizeof(group), &glen) == 1 && strcmp(group, "prime256v1") == 0)
		return KEY_P256;
	return KEY_OTHER;
}

/* The key's type for a diagnostic ("RSA", "EC" of another curve). */
static const char *
key_name(EVP_PKEY *key)
{
	const char *n = EVP_PKEY_get0_type_name(key);

	return n != NULL ? n : "of an unknown type";
}

int
policy_sign(const uint8_t *bundle, size_t len, EVP_PKEY *key, uint8_t **sig,
    size_t *siglen, struct wg_diag *d)
{
	EVP_MD_CTX *ctx = NULL;
	enum key_kind kind;
	uint8_t *s = NULL;
	size_t n = 0;
	int r;

	if ((bundle == NULL && len > 0) || key == NULL || sig == NULL ||
	    siglen == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "policy_sign: missing "
		    "argument");
		goto out;
	}
	if (bundle == NULL)
		bundle = (const uint8_t *)"";
	if ((kind = key_kind(key)) == KEY_OTHER) {
		r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "policy signing key is "
		    "%s: only EC P-256 and Ed25519", key_name(key));
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL, kind == KEY_P256 ? "SHA256" :
	    NULL, NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, bundle, len) != 1 || n == 0 ||
	    n > POLICY_SIG_MAX || (s = malloc(n)) == NULL ||
	    EVP_DigestSign(ctx, s, &n, bundle, len) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "policy signature failed "
		    "(%s key: is it a private key?)", kind == KEY_P256 ?
		    "P-256" : "Ed25519");
		goto out;
	}
	*sig = s;
	*siglen = n;
	s = NULL;
	r = 0;
out:
	if (r != 0)
		ERR_clear_error();
	free(s);
	EVP_MD_CTX_free(ctx);
	return r;
}

int
policy_verify(const uint8_t *bundle, size_t len, const uint8_t *sig,
    size_t siglen, EVP_PKEY *key, struct wg_diag *d)
{
	EVP_MD_CTX *ctx = NULL;
	enum key_kind kind;
	int r, v;

	if (key == NULL) {
		r = wg_diag_set(d, WG_ERR_POLICY_SIGNATURE, "no issuer key");
		goto out;
	}
	if ((kind = key_kind(key)) == KEY_OTHER) {
		r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "issuer key is %s: only "
		    "EC P-256 and Ed25519", key_name(key));
		goto out;
	}
	if ((bundle == NULL && len > 0) || sig == NULL || siglen == 0 ||
	    siglen > POLICY_SIG_MAX ||
	    (kind == KEY_ED25519 && siglen != ED25519_SIG_LEN)) {
		r = wg_diag_set(d, WG_ERR_POLICY_SIGNATURE, "malformed %s "
		    "signature (%zu bytes)", kind == KEY_P256 ? "ECDSA P-256" :
		    "Ed25519", siglen);
		goto out;
	}
	if (bundle == NULL)
		bundle = (const uint8_t *)"";
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, kind == KEY_P256 ? "SHA256" :
	    NULL, NULL, NULL, key, NULL) != 1) {
		r = wg_diag_set(d, WG_ERR_POLICY_SIGNATURE, "cannot verify "
		    "with the issuer key (OpenSSL)");
		goto out;
	}
	/* 1 is good; 0 bad; anything else an error: all but 1 refuse */
	v = EVP_DigestVerify(ctx, sig, siglen, bundle, len);
	if (v != 1) {
		r = wg_diag_set(d, WG_ERR_POLICY_SIGNATURE, "the %s signature "
		    "does not verify with the issuer key", kind == KEY_P256 ?
		    "ECDSA P-256" : "Ed25519");
		goto out;
	}
	r = 0;
out:
	if (r != 0)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return r;
}

/* ---- learning ----------------------------------------------------------- */

struct learn_list {
	struct policy_digests *l;
	size_t cap;
};

/*
 * 1 if ev's data hashes to every digest it carries for an algorithm
 * OpenSSL has, and there is at least one such digest; else 0. -1 on an
 * OpenSSL failure.
 */
static int
data_matches(const struct evlog_event *ev)
{
	const struct alg_info *a;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned k, hl;
	EVP_MD *md;
	int good = 0, ok;

	for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++) {
		if ((a = alg_by_id(ev->digest[k].alg)) == NULL ||
		    ev->digest[k].bytes == NULL ||
		    ev->digest[k].size != a->size)
			continue;
		if ((md = EVP_MD_fetch(NULL, a->ossl_name, NULL)) == NULL) {
			ERR_clear_error();
			continue;	/* e.g. no SM3 here: not counted */
		}
		ok = EVP_Digest(ev->data_len > 0 ? ev->data :
		    (const uint8_t *)"", ev->data_len, h, &hl, md, NULL) == 1;
		EVP_MD_free(md);
		if (!ok || hl != a->size)
			return -1;
		if (memcmp(h, ev->digest[k].bytes, a->size) != 0)
			return 0;
		good = 1;
	}
	return good;
}

/* The event's sha256 digest, else sha1, else the first known one. */
static const struct evlog_digest *
event_digest(const struct evlog_event *ev)
{
	static const uint16_t pref[] = { TPM2_ALG_SHA256, TPM2_ALG_SHA1 };
	const struct alg_info *a;
	size_t p;
	unsigned k;

	for (p = 0; p <= NELEM(pref); p++) {
		for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++) {
			const struct evlog_digest *dg = &ev->digest[k];

			if ((a = alg_by_id(dg->alg)) == NULL ||
			    dg->bytes == NULL || dg->size != a->size)
				continue;
			if (p == NELEM(pref) || dg->alg == pref[p])
				return dg;
		}
	}
	return NULL;
}

/* Adds alg:digest (and note) to a list unless there. */
static int
learn_add(struct learn_list *ll, uint16_t alg, const uint8_t *digest,
    size_t size, const char *note, const char *what, struct wg_diag *d)
{
	struct policy_digests *l = ll->l;
	struct policy_digest *nv;
	size_t i, ncap;

	for (i = 0; i < l->n; i++)
		if (l->v[i].alg == alg && memcmp(l->v[i].digest, digest,
		    size) == 0)
			return 0;
	if (l->n >= POLICY_MAX_LIST)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "more than %d distinct "
		    "%s in the log", POLICY_MAX_LIST, what);
	if (l->n == ll->cap) {
		ncap = ll->cap == 0 ? 16 : ll->cap * 2;
		if (ncap > POLICY_MAX_LIST)
			ncap = POLICY_MAX_LIST;
		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return wg_diag_set(d, WG_ERR_ALLOC, "%s", what);
		l->v = nv;
		ll->cap = ncap;
	}
	nv = &l->v[l->n];
	memset(nv, 0, sizeof(*nv));
	nv->alg = alg;
	memcpy(nv->digest, digest, size);
	if (note != NULL)
		sjson_text_sanitize(note, strlen(note), nv->note,
		    sizeof(nv->note));
	l->n++;
	return 0;
}

/*
 * A device path for a note: the whole text if it fits, else its tail
 * (the file path) after "...".
 */
static void
path_note(const char *dp, char *out, size_t cap)
{
	size_t n = strlen(dp), skip;
	char tmp[POLICY_TEXT_LEN];

	if (n < cap) {
		sjson_text_sanitize(dp, n, out, cap);
		return;
	}
	skip = n - (cap - 4);
	/* start on a character boundary */
	while (skip < n && ((unsigned char)dp[skip] & 0xc0) == 0x80)
		skip++;
	sjson_text_sanitize(dp + skip, n - skip, tmp, sizeof(tmp) - 3);
	if (snprintf(out, cap, "...%s", tmp) < 0)
		out[0] = '\0';
}

static int
learn_image(const struct evlog_event *ev, struct learn_list *ll,
    const char *what, struct wg_diag *d)
{
	const struct evlog_digest *dg;
	struct evlog_data data;
	char note[POLICY_TEXT_LEN];

	if ((dg = event_digest(ev)) == NULL)
		return 0;
	note[0] = '\0';
	if (evlog_decode(ev, &data, NULL) == 0 &&
	    data.kind == EVLOG_DATA_EFI_IMAGE)
		path_note(data.u.image.device_path, note, sizeof(note));
	return learn_add(ll, dg->alg, dg->bytes, dg->size,
	    note[0] != '\0' ? note : NULL, what, d);
}

static int
learn_scrtm(const struct evlog_event *ev, struct policy_release *rel,
    size_t *cap, struct wg_diag *d)
{
	struct evlog_data data;
	char (*nv)[POLICY_TEXT_LEN];
	size_t i, n, ncap;
	int m;

	if ((m = data_matches(ev)) < 0)
		return wg_diag_set(d, WG_ERR_CRYPTO, "event %zu: hash",
		    ev->index);
	if (m == 0 || evlog_decode(ev, &data, NULL) != 0 ||
	    data.kind != EVLOG_DATA_STRING)
		return 0;
	n = strnlen(data.u.text, sizeof(data.u.text));
	/* only what a policy can hold exactly; else the rule stays off */
	if (n == 0 || n >= POLICY_TEXT_LEN ||
	    sjson_text_check(data.u.text, n) != NULL)
		return 0;
	for (i = 0; i < rel->n_scrtm; i++)
		if (strcmp(rel->scrtm[i], data.u.text) == 0)
			return 0;
	if (rel->n_scrtm >= POLICY_MAX_LIST)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "more than %d S-CRTM "
		    "versions in the log", POLICY_MAX_LIST);
	if (rel->n_scrtm == *cap) {
		ncap = *cap == 0 ? 4 : *cap * 2;
		if (ncap > POLICY_MAX_LIST)
			ncap = POLICY_MAX_LIST;
		if ((nv = realloc(rel->scrtm, ncap * sizeof(*nv))) == NULL)
			return wg_diag_set(d, WG_ERR_ALLOC, "S-CRTM versions");
		rel->scrtm = nv;
		*cap = ncap;
	}
	memcpy(rel->scrtm[rel->n_scrtm], data.u.text, n + 1);
	rel->n_scrtm++;
	return 0;
}

/* Secure Boot state and key databases from EV_EFI_VARIABLE_DRIVER_CONFIG. */
static int
learn_variable(const struct evlog_event *ev, struct learn_list *ll_vars,
    int *sb_on, int *sb_off, struct wg_diag *d)
{
	struct evlog_data data;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl;
	int m, which;

	if (evlog_decode(ev, &data, NULL) != 0 ||
	    data.kind != EVLOG_DATA_EFI_VARIABLE)
		return 0;
	if (strcmp(data.u.var.guid, GUID_EFI_GLOBAL) == 0 &&
	    strcmp(data.u.var.name, "SecureBoot") == 0)
		which = -1;
	else if (strcmp(data.u.var.guid, GUID_EFI_GLOBAL) == 0 &&
	    strcmp(data.u.var.name, "PK") == 0)
		which = 0;
	else if (strcmp(data.u.var.guid, GUID_EFI_GLOBAL) == 0 &&
	    strcmp(data.u.var.name, "KEK") == 0)
		which = 1;
	else if (strcmp(data.u.var.guid, GUID_IMAGE_SECURITY) == 0 &&
	    strcmp(data.u.var.name, "db") == 0)
		which = 2;
	else if (strcmp(data.u.var.guid, GUID_IMAGE_SECURITY) == 0 &&
	    strcmp(data.u.var.name, "dbx") == 0)
		which = 3;
	else
		return 0;
	if ((m = data_matches(ev)) < 0)
		return wg_diag_set(d, WG_ERR_CRYPTO, "event %zu: hash",
		    ev->index);
	if (which == -1) {
		if (m == 1 && data.u.var.data_len == 1 &&
		    data.u.var.data[0] == 1)
			*sb_on = 1;
		else
			*sb_off = 1;	/* off, or not provably on */
		return 0;
	}
	if (m == 0)
		return 0;
	if (EVP_Digest(data.u.var.data_len > 0 ? data.u.var.data :
	    (const uint8_t *)"", data.u.var.data_len, h, &hl, EVP_sha256(),
	    NULL) != 1 || hl != 32) {
		ERR_clear_error();
		return wg_diag_set(d, WG_ERR_CRYPTO, "event %zu: SHA-256",
		    ev->index);
	}
	return learn_add(&ll_vars[which], TPM2_ALG_SHA256, h, 32, NULL,
	    "key database values", d);
}

/*
 * The replayed PCRs 0-7 of the banks for which every event the TPM saw
 * (PCRs 0-23, not EV_NO_ACTION) carries a digest. A bank that some event
 * skipped is one the firmware or OS did not keep: Windows logs only
 * SHA-256 for its own events and caps the SHA-1 bank of PCRs 0-13 with an
 * extend it does not log (tests/data/eventlogs/README.md), so the replay
 * of such a bank is not what the TPM holds, even in PCRs 0-7.
 */
static int
learn_pcrs(const struct evlog *log, struct policy_release *rel,
    struct wg_diag *d)
{
	struct pcr_set replay;
	struct pcr_bank *b;
	const struct evlog_event *ev;
	unsigned i, k, keep;
	size_t e;
	int r;

	if ((r = evlog_replay(log, &replay, d)) != 0)
		return r;
	pcr_set_init(&rel->pcrs);
	for (i = 0; i < replay.nbanks; i++) {
		const struct pcr_bank *src = &replay.bank[i];

		for (e = 0; e < log->nevents; e++) {
			ev = &log->events[e];
			if (ev->type == EV_NO_ACTION || ev->pcr >= PCR_COUNT)
				continue;
			for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++)
				if (ev->digest[k].alg == src->alg)
					break;
			if (k == ev->ndigests || k == EVLOG_MAX_ALGS)
				break;
		}
		if (e < log->nevents)
			continue;
		if ((r = pcr_set_add_bank(&rel->pcrs, src->alg, &b)) != 0)
			return wg_diag_set(d, r, "PCR bank %u", src->alg);
		for (keep = 0; keep < 8; keep++)
			memcpy(b->value[keep], src->value[keep], b->size);
		b->present = 0xffu;
	}
	rel->has_pcrs = rel->pcrs.nbanks > 0;
	return 0;
}

static int
name_arg(const char *s, size_t cap, const char *what, struct wg_diag *d)
{
	if (s == NULL || !text_ok(s, cap))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "%s must be 1..%zu "
		    "bytes of printable UTF-8", what, cap - 1);
	return 0;
}

int
policy_learn(const struct evlog *log, const char *issuer, const char *model,
    const char *release, struct policy **out, struct wg_diag *d)
{
	struct policy *p = NULL;
	struct policy_release *rel;
	struct learn_list fw, apps, drv, vars[4];
	const struct evlog_event *ev;
	size_t e, scap = 0;
	int r, sb_on = 0, sb_off = 0;

	if (log == NULL || out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "policy_learn: no log "
		    "or no output");
		goto out;
	}
	if ((r = name_arg(issuer, POLICY_NAME_LEN, "issuer", d)) != 0 ||
	    (r = name_arg(model, POLICY_NAME_LEN, "model", d)) != 0 ||
	    (r = name_arg(release, POLICY_NAME_LEN, "release", d)) != 0)
		goto out;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->models = calloc(1, sizeof(*p->models))) == NULL ||
	    (p->models[0].rel = calloc(1, sizeof(*rel))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "policy");
		goto out;
	}
	p->nmodels = 1;
	p->models[0].nrel = 1;
	rel = &p->models[0].rel[0];
	(void)snprintf(p->issuer, sizeof(p->issuer), "%s", issuer);
	(void)snprintf(p->models[0].model, sizeof(p->models[0].model), "%s",
	    model);
	(void)snprintf(rel->release, sizeof(rel->release), "%s", release);
	p->version = 1;
	p->issued_at = (int64_t)time(NULL);
	rel->status = POLICY_APPROVED;
	rel->secure_boot = -1;

	memset(vars, 0, sizeof(vars));
	fw = (struct learn_list){ &rel->firmware, 0 };
	apps = (struct learn_list){ &rel->boot_apps, 0 };
	drv = (struct learn_list){ &rel->drivers, 0 };
	vars[0].l = &rel->pk;
	vars[1].l = &rel->kek;
	vars[2].l = &rel->db;
	vars[3].l = &rel->dbx;

	for (e = 0; e < log->nevents; e++) {
		const struct evlog_digest *dg;

		ev = &log->events[e];
		r = 0;
		switch (ev->type) {
		case EV_S_CRTM_VERSION:
			r = learn_scrtm(ev, rel, &scap, d);
			break;
		case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		case EV_POST_CODE:
			if (ev->pcr == 0 && (dg = event_digest(ev)) != NULL)
				r = learn_add(&fw, dg->alg, dg->bytes, dg->size,
				    NULL, "firmware blobs", d);
			break;
		case EV_EFI_BOOT_SERVICES_APPLICATION:
			r = learn_image(ev, &apps, "boot applications", d);
			break;
		case EV_EFI_BOOT_SERVICES_DRIVER:
		case EV_EFI_RUNTIME_SERVICES_DRIVER:
			r = learn_image(ev, &drv, "drivers", d);
			break;
		case EV_EFI_VARIABLE_DRIVER_CONFIG:
			r = learn_variable(ev, vars, &sb_on, &sb_off, d);
			break;
		default:
			break;
		}
		if (r != 0)
			goto out;
	}
	rel->secure_boot = sb_on && !sb_off ? 1 : -1;
	if ((r = learn_pcrs(log, rel, d)) != 0)
		goto out;
	*out = p;
	p = NULL;
	r = 0;
out:
	policy_free(p);
	return r;
}
