/*
 * cli_report.c: wardgate report, the trust status report.
 *
 *   wardgate report [--format html|json|csv] [-o FILE]
 *
 * Reads the admin API (status, each device, policies, enforcement and,
 * where the gateway has it, the audit trail of each device), builds one
 * model (the JSON format prints it as it is) and renders it: a fleet
 * summary with hand-drawn SVG bar charts, the devices that need action
 * first (one sentence each, from their reason codes), a timeline and a
 * CRA evidence checklist per device. The HTML is one self-contained,
 * print-friendly file: no script, no external font or URL, and a
 * Content-Security-Policy that would stop a script that escaped the
 * escaping. Nothing is claimed that the gateway does not record: a check
 * the gateway cannot answer says so.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum rep_format { REP_HTML, REP_JSON, REP_CSV };

/* Events shown per device; the whole trail is in wardgate audit list. */
#define REP_TIMELINE_MAX 40

/* Priorities of the action list: lower first. */
enum rep_prio {
	REP_NONE = 0,
	REP_INTEGRITY = 1,	/* quarantined: evidence or boot not good */
	REP_FIRMWARE = 2,	/* revoked or expired release */
	REP_SILENT = 3,		/* stale, no policy */
	REP_ADMIT = 4,		/* pending */
	REP_PLAN = 5,		/* trusted but deprecated */
};

static const char *const prio_names[] = {
	"none", "urgent", "urgent", "attention", "attention", "plan",
};

/* One sentence per reason code: what happened and what to do. */
static const struct {
	const char *code;
	enum rep_prio prio;
	const char *say;
} rep_codes[] = {
#define REP_MEASURED "firmware measured something its event log does not " \
	"show: quarantined; reimage or investigate before clinical use"
#define REP_EVIDENCE "its attestation evidence does not verify: " \
	"quarantined; investigate the device and its agent before clinical use"
#define REP_BOOT "booted software the firmware policy does not allow: " \
	"quarantined; reimage with an approved release or investigate before " \
	"clinical use"
#define REP_IDENTITY "its TPM identity could not be confirmed: check its " \
	"provisioning record and the TPM maker's CA before admitting it"
	{ "PCR_MISMATCH", REP_INTEGRITY, REP_MEASURED },
	{ "QUOTE_PCR_DIGEST", REP_INTEGRITY, REP_MEASURED },
	{ "EVENTLOG_HASH", REP_INTEGRITY, "its event log is not the one it "
	    "declared: quarantined; investigate the device and its agent "
	    "before clinical use" },
	{ "CLOCK_ROLLBACK", REP_INTEGRITY, "it sent replayed or reordered "
	    "evidence: quarantined; investigate the device and its network "
	    "path before clinical use" },
	{ "QUOTE_DECODE", REP_INTEGRITY, REP_EVIDENCE },
	{ "QUOTE_MAGIC", REP_INTEGRITY, REP_EVIDENCE },
	{ "QUOTE_TYPE", REP_INTEGRITY, REP_EVIDENCE },
	{ "QUOTE_NONCE", REP_INTEGRITY, REP_EVIDENCE },
	{ "QUOTE_PCR_SELECT", REP_INTEGRITY, REP_EVIDENCE },
	{ "QUOTE_PCR_MISSING", REP_INTEGRITY, REP_EVIDENCE },
	{ "SIG_DECODE", REP_INTEGRITY, REP_EVIDENCE },
	{ "SIG_SCHEME", REP_INTEGRITY, REP_EVIDENCE },
	{ "SIGNATURE", REP_INTEGRITY, REP_EVIDENCE },
	{ "AK_DECODE", REP_INTEGRITY, REP_EVIDENCE },
	{ "AK_UNSUPPORTED", REP_INTEGRITY, REP_EVIDENCE },
	{ "AK_ATTRIBUTES", REP_INTEGRITY, REP_EVIDENCE },
	{ "NONCE_UNKNOWN", REP_INTEGRITY, REP_EVIDENCE },
	{ "POLICY_NO_RELEASE", REP_INTEGRITY, "booted firmware that matches "
	    "no release of its policy: quarantined; reimage with an approved "
	    "release or investigate before clinical use" },
	{ "POLICY_SCRTM", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_FIRMWARE", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_BOOT_APP", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_DRIVER", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_VARIABLE", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_PCR", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_DATA", REP_INTEGRITY, REP_BOOT },
	{ "POLICY_SECURE_BOOT", REP_INTEGRITY, "it booted with Secure Boot "
	    "off: quarantined; turn Secure Boot on and let it attest again" },
	{ "EK_CERT_UNTRUSTED", REP_INTEGRITY, REP_IDENTITY },
	{ "EK_MISMATCH", REP_INTEGRITY, REP_IDENTITY },
	{ "ACTIVATION_FAILED", REP_INTEGRITY, REP_IDENTITY },
	{ "EK_BLOCKED", REP_INTEGRITY, "its TPM belongs to a decommissioned "
	    "device: keep it off the network and find out where it came from" },
	{ "CONFLICT", REP_INTEGRITY, "another device claims the same "
	    "identifier: resolve the duplicate provisioning record" },
	{ "POLICY_REVOKED", REP_FIRMWARE, "its firmware release is revoked: "
	    "update to a release the policy approves" },
	{ "POLICY_EXPIRED", REP_FIRMWARE, "its firmware release is deprecated "
	    "and past its date: update to a release the policy approves" },
	{ "POLICY_NO_MODEL", REP_SILENT, "no installed firmware policy covers "
	    "its model: install one (wardgate policy install) or decommission "
	    "the device" },
	{ "EVENTLOG_REQUIRED", REP_SILENT, "the gateway lacks its event log: "
	    "restart its agent so that it sends the log" },
	{ "POLICY_DEPRECATED", REP_PLAN, "its firmware release is deprecated: "
	    "plan the update to a release the policy approves" },
#undef REP_MEASURED
#undef REP_EVIDENCE
#undef REP_BOOT
#undef REP_IDENTITY
};

/* ---- small JSON helpers ---------------------------------------------- */

/* A string member, or "" (absent, null or not a string). Borrowed. */
static const char *
rs(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* The first string member among keys, or "". */
static const char *
rs2(struct json_object *o, const char *k1, const char *k2)
{
	const char *s = rs(o, k1);

	return s[0] != '\0' ? s : rs(o, k2);
}

static struct json_object *
rget(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

static void
radd_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s != NULL && s[0] != '\0' ?
	    json_object_new_string(s) : NULL);
}

/* ---- fetching ---------------------------------------------------------- */

/*
 * GET path; *out the reply when HTTP 200 (caller puts). A 404 from an
 * endpoint marked optional leaves *out NULL and is no error.
 */
static int
rep_get(const char *path, int optional, struct json_object **out)
{
	struct json_object *reply = NULL;
	long status = 0;
	int ret;

	*out = NULL;
	if ((ret = admin_call("GET", path, NULL, &reply, &status)) != WG_EXIT_OK)
		return ret;
	if (status == 200) {
		*out = reply;
		return WG_EXIT_OK;
	}
	if (optional && (status == 404 || status == 405)) {
		json_object_put(reply);
		return WG_EXIT_OK;
	}
	ret = admin_error(reply, status);
	json_object_put(reply);
	return ret;
}

/*
 * The audit rows of one device when the gateway serves them (an array,
 * or an object holding one), else NULL. *absent is set when the gateway
 * has no such endpoint, so that the report says where the trail is.
 */
static struct json_object *
rep_audit(const char *id, int *absent)
{
	static const char *const keys[] = { "rows", "audit", "entries",
	    "events" };
	struct json_object *reply = NULL, *a = NULL;
	char path[256];
	size_t i;

	if (*absent)
		return NULL;
	snprintf(path, sizeof(path), "/admin/v1/audit?device=%s", id);
	if (rep_get(path, 1, &reply) != WG_EXIT_OK || reply == NULL) {
		*absent = 1;
		json_object_put(reply);
		return NULL;
	}
	if (json_object_is_type(reply, json_type_array))
		return reply;
	for (i = 0; a == NULL && i < sizeof(keys) / sizeof(keys[0]); i++)
		a = rget(reply, keys[i], json_type_array);
	if (a != NULL)
		json_object_get(a);
	else
		*absent = 1;
	json_object_put(reply);
	return a;
}

/* ---- the model ----------------------------------------------------------- */

static void
count_add(struct json_object *counts, const char *key)
{
	struct json_object *v;
	const char *k = key != NULL && key[0] != '\0' ? key : "(none)";

	if (json_object_object_get_ex(counts, k, &v))
		json_object_set_int64(v, json_object_get_int64(v) + 1);
	else
		json_object_object_add(counts, k, json_object_new_int64(1));
}

/* The reason of the device that decides its action (borrowed, or NULL). */
static struct json_object *
rep_main_reason(struct json_object *reasons, size_t *code_idx)
{
	struct json_object *best = NULL;
	enum rep_prio bp = REP_NONE;
	size_t i, k;

	*code_idx = sizeof(rep_codes) / sizeof(rep_codes[0]);
	for (i = 0; reasons != NULL && i < json_object_array_length(reasons);
	    i++) {
		struct json_object *r = json_object_array_get_idx(reasons, i);

		for (k = 0; k < sizeof(rep_codes) / sizeof(rep_codes[0]); k++)
			if (strcmp(rs(r, "code"), rep_codes[k].code) == 0)
				break;
		if (k == sizeof(rep_codes) / sizeof(rep_codes[0])) {
			if (best == NULL)
				best = r;
			continue;
		}
		if (bp == REP_NONE || rep_codes[k].prio < bp) {
			best = r;
			bp = rep_codes[k].prio;
			*code_idx = k;
		}
	}
	return best;
}

/* "now + days" as ISO text, to compare with the gateway's ISO times. */
static void
iso_in_days(int days, char *out, size_t len)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	out[0] = '\0';
	if (gmtime_r(&t, &tm) != NULL)
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * A legacy device (no TPM): its action comes from its compensating
 * controls' dates, not from attestation. Past the sunset it is
 * quarantined; a review that is due, or a sunset within 90 days, is work
 * for its owner.
 */
static void
rep_legacy_action(struct json_object *full, enum rep_prio *prio,
    const char **code, char *buf, size_t len)
{
	struct json_object *l = rget(full, "legacy", json_type_object);
	struct json_object *v;
	char soon[32];

	if (l == NULL) {
		*prio = REP_INTEGRITY;
		*code = "LEGACY";
		snprintf(buf, len, "it has no TPM and the gateway has no record "
		    "of its compensating controls: register them (wardgate "
		    "legacy add) or decommission it");
		return;
	}
	iso_in_days(90, soon, sizeof(soon));
	if ((v = rget(l, "past_sunset", json_type_boolean)) != NULL &&
	    json_object_get_boolean(v)) {
		*prio = REP_INTEGRITY;
		*code = "LEGACY_SUNSET";
		snprintf(buf, len, "it has no TPM and is past its sunset (%s): "
		    "quarantined; decommission or replace it (owner %s)",
		    rs(l, "sunset_at"), rs(l, "owner"));
	} else if ((v = rget(l, "review_overdue", json_type_boolean)) !=
	    NULL && json_object_get_boolean(v)) {
		*prio = REP_ADMIT;
		*code = "LEGACY_REVIEW";
		snprintf(buf, len, "it has no TPM and the review of its "
		    "compensating controls was due %s: review them (wardgate "
		    "legacy review; owner %s)", rs(l, "review_at"),
		    rs(l, "owner"));
	} else if (strcmp(rs(l, "sunset_at"), soon) < 0) {
		*prio = REP_PLAN;
		*code = "LEGACY_SUNSET_SOON";
		snprintf(buf, len, "it has no TPM and reaches its sunset %s: "
		    "plan its replacement (owner %s)", rs(l, "sunset_at"),
		    rs(l, "owner"));
	}
}

/*
 * The action for one device: *prio and one sentence in buf (empty when
 * nothing is to be done). s is its status row, full its record (or NULL).
 */
static void
rep_action(struct json_object *s, struct json_object *full,
    enum rep_prio *prio, const char **code, char *buf, size_t len)
{
	const char *state = rs(s, "state");
	struct json_object *reasons = rget(s, "reasons", json_type_array);
	struct json_object *hold = rget(full, "hold", json_type_object);
	struct json_object *r;
	size_t k;
	char base[512];

	*prio = REP_NONE;
	*code = "";
	buf[0] = base[0] = '\0';
	r = rep_main_reason(reasons, &k);
	if (r != NULL)
		*code = rs(r, "code");
	if (strcmp(state, "decommissioned") == 0)
		return;
	if (strcmp(state, "legacy") == 0) {
		rep_legacy_action(full, prio, code, buf, len);
		return;
	}
	if (strcmp(state, "pending") == 0) {
		*prio = REP_ADMIT;
		*code = "PENDING";
		snprintf(base, sizeof(base), "it waits for admission: approve "
		    "it (wardgate device approve) or add its provisioning "
		    "record");
	} else if (strcmp(state, "stale") == 0) {
		const char *lg = rs(full, "last_good_attestation");

		*prio = REP_SILENT;
		*code = "STALE";
		if (lg[0] != '\0')
			snprintf(base, sizeof(base), "it has not attested in "
			    "time (last good attestation %s): check it is "
			    "powered and reachable", lg);
		else
			snprintf(base, sizeof(base), "it has not attested "
			    "since it was admitted: check it is powered and "
			    "reachable and its agent runs");
	} else if (strcmp(state, "trusted") == 0) {
		if (k < sizeof(rep_codes) / sizeof(rep_codes[0]) &&
		    rep_codes[k].prio == REP_PLAN) {
			*prio = REP_PLAN;
			snprintf(base, sizeof(base), "%s", rep_codes[k].say);
		} else
			*code = "";
	} else if (k < sizeof(rep_codes) / sizeof(rep_codes[0])) {
		*prio = rep_codes[k].prio;
		snprintf(base, sizeof(base), "%s", rep_codes[k].say);
	} else if (strcmp(state, "vulnerable") == 0) {
		*prio = REP_FIRMWARE;
		snprintf(base, sizeof(base), "its firmware has a known "
		    "vulnerability: update to a release the policy approves");
	} else {
		/* untrusted, or a state this report does not know */
		*prio = REP_INTEGRITY;
		if ((*code)[0] == '\0')
			*code = "UNTRUSTED";
		snprintf(base, sizeof(base), "it failed attestation (%s): "
		    "quarantined; investigate before clinical use", *code);
	}
	if (*prio == REP_NONE)
		return;
	if (hold != NULL)
		snprintf(buf, len, "held until %s by %s (%s); %s",
		    rs(hold, "until"), rs(hold, "granted_by"),
		    rs(hold, "reason"), base);
	else
		snprintf(buf, len, "%s", base);
}

static void
tl_add(struct json_object *tl, const char *at, const char *event,
    const char *detail, const char *source)
{
	struct json_object *e;

	if (at == NULL || at[0] == '\0')
		return;
	e = json_object_new_object();
	json_object_object_add(e, "at", json_object_new_string(at));
	json_object_object_add(e, "event", json_object_new_string(event));
	radd_str(e, "detail", detail);
	json_object_object_add(e, "source", json_object_new_string(source));
	json_object_array_add(tl, e);
}

static int
tl_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;

	return strcmp(rs(x, "at"), rs(y, "at"));
}

/* An audit row's time as ISO text (numbers are unix seconds). */
static void
audit_time(struct json_object *row, char *out, size_t len)
{
	struct json_object *v;
	time_t t;
	struct tm tm;

	out[0] = '\0';
	if (!json_object_object_get_ex(row, "at", &v) || v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		snprintf(out, len, "%s", json_object_get_string(v));
		return;
	}
	if (!json_object_is_type(v, json_type_int))
		return;
	t = (time_t)json_object_get_int64(v);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The timeline of one device: its audit rows when the gateway serves
 * them, else the dated fields of its record; with its release changes.
 * Sorted by time; the newest REP_TIMELINE_MAX events (*omitted: others).
 */
static struct json_object *
rep_timeline(struct json_object *s, struct json_object *full,
    struct json_object *audit, const char **source, size_t *omitted)
{
	struct json_object *tl = json_object_new_array(), *v;
	char ev[256], at[40];
	size_t i, n;

	*omitted = 0;
	if (audit != NULL) {
		*source = "audit";
		for (i = 0; i < json_object_array_length(audit); i++) {
			struct json_object *row =
			    json_object_array_get_idx(audit, i);
			const char *before = rs(row, "before");
			const char *after = rs(row, "after");

			audit_time(row, at, sizeof(at));
			if (before[0] != '\0' || after[0] != '\0')
				snprintf(ev, sizeof(ev), "%s: %s -> %s (%s)",
				    rs(row, "action"), before[0] ? before : "-",
				    after[0] ? after : "-", rs(row, "actor"));
			else
				snprintf(ev, sizeof(ev), "%s (%s)",
				    rs(row, "action"), rs(row, "actor"));
			tl_add(tl, at, ev, rs(row, "detail"), "audit");
		}
	} else {
		*source = "device record";
		tl_add(tl, rs(full, "enrolled"), "enrolled (TPM identity "
		    "bound)", NULL, "device record");
		snprintf(ev, sizeof(ev), "state became %s", rs(s, "state"));
		tl_add(tl, rs(full, "state_since"), ev, NULL, "device record");
		tl_add(tl, rs(full, "last_good_attestation"),
		    "last good attestation", NULL, "device record");
		snprintf(ev, sizeof(ev), "last attestation (%s)",
		    rs(s, "state"));
		if (strcmp(rs(full, "last_good_attestation"),
		    rs(s, "last_attestation")) != 0)
			tl_add(tl, rs(s, "last_attestation"), ev, NULL,
			    "device record");
		if ((v = rget(full, "hold", json_type_object)) != NULL) {
			snprintf(ev, sizeof(ev), "clinical hold granted by %s",
			    rs(v, "granted_by"));
			tl_add(tl, rs(v, "granted_at"), ev, rs(v, "reason"),
			    "device record");
			tl_add(tl, rs(v, "until"), "clinical hold ends", NULL,
			    "device record");
		}
	}
	/* Release changes and decommissioning are their own records. */
	if ((v = rget(full, "releases", json_type_array)) != NULL) {
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *r = json_object_array_get_idx(v, i);
			const char *from = rs2(r, "from_release", "from");
			const char *to = rs2(r, "to_release", "to");

			audit_time(r, at, sizeof(at));
			snprintf(ev, sizeof(ev), "release %s -> %s",
			    from[0] ? from : "none", to[0] ? to : "none");
			tl_add(tl, at, ev, rs(r, "issuer"), "release history");
		}
	}
	if ((v = rget(full, "decommission", json_type_object)) != NULL ||
	    (v = rget(full, "decommissioned", json_type_object)) != NULL) {
		audit_time(v, at, sizeof(at));
		snprintf(ev, sizeof(ev), "decommissioned by %s",
		    rs(v, "actor"));
		tl_add(tl, at, ev, rs(v, "reason"), "decommission record");
	}
	json_object_array_sort(tl, tl_cmp);
	n = json_object_array_length(tl);
	if (n > REP_TIMELINE_MAX) {
		/* The newest events; the rest are in wardgate audit list. */
		json_object_array_del_idx(tl, 0, n - REP_TIMELINE_MAX);
		*omitted = n - REP_TIMELINE_MAX;
	}
	return tl;
}

static void
chk_add(struct json_object *cl, const char *key, const char *status,
    const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_object_add(cl, key, o);
}

/* The policy bundle (issuer vN) that lists release for model, or "". */
static void
policy_for(struct json_object *policies, const char *model,
    const char *release, char *out, size_t len)
{
	size_t i, m, k;

	out[0] = '\0';
	for (i = 0; policies != NULL && i < json_object_array_length(policies);
	    i++) {
		struct json_object *p = json_object_array_get_idx(policies, i);
		struct json_object *ms = rget(p, "models", json_type_array);
		struct json_object *ver;

		for (m = 0; ms != NULL && m < json_object_array_length(ms);
		    m++) {
			struct json_object *mo = json_object_array_get_idx(ms, m);
			struct json_object *rl = rget(mo, "releases",
			    json_type_array);

			if (strcmp(rs(mo, "model"), model) != 0)
				continue;
			for (k = 0; rl != NULL &&
			    k < json_object_array_length(rl); k++) {
				if (strcmp(json_object_get_string(
				    json_object_array_get_idx(rl, k)),
				    release) != 0)
					continue;
				ver = rget(p, "version", json_type_int);
				snprintf(out, len, "%s version %lld",
				    rs(p, "issuer"), ver != NULL ? (long long)
				    json_object_get_int64(ver) : 0LL);
				return;
			}
		}
	}
}

/* The CRA evidence checklist of one device. */
static struct json_object *
rep_checklist(struct json_object *s, struct json_object *full,
    struct json_object *audit, struct json_object *policies, const char *code)
{
	struct json_object *cl = json_object_new_object(), *v;
	const char *state = rs(s, "state"), *release = rs(s, "release");
	const char *serial = rs(full, "serial");
	char buf[512], pol[256];
	int approved = 0;

	if ((v = rget(full, "approved", json_type_boolean)) != NULL)
		approved = json_object_get_boolean(v);
	/* identity */
	if (full == NULL)
		chk_add(cl, "identity_provisioned", "unknown",
		    "the device record could not be read");
	else if ((v = rget(full, "legacy", json_type_object)) != NULL) {
		snprintf(buf, sizeof(buf), "no TPM: registered as a legacy "
		    "device %s by %s, owner %s%s%s", rs(v, "registered_at"),
		    rs(v, "registered_by"), rs(v, "owner"),
		    serial[0] != '\0' ? "; maker's serial " : "", serial);
		chk_add(cl, "identity_provisioned", "legacy", buf);
	} else if (strcmp(state, "pending") == 0 || !approved)
		chk_add(cl, "identity_provisioned", "no",
		    "TPM enrolled, but no provisioning record and not approved");
	else {
		snprintf(buf, sizeof(buf), "TPM endorsement key bound at "
		    "enrollment (%s) and admitted%s%s", rs(full, "enrolled"),
		    serial[0] != '\0' ? "; maker's serial " : "", serial);
		chk_add(cl, "identity_provisioned", "yes", buf);
	}
	/* firmware */
	policy_for(policies, rs(s, "model"), release, pol, sizeof(pol));
	if (strcmp(state, "trusted") == 0 && release[0] != '\0') {
		snprintf(buf, sizeof(buf), "release %s%s%s", release,
		    pol[0] != '\0' ? " approved by policy " : " matched",
		    pol);
		chk_add(cl, "firmware_approved", "yes", buf);
	} else if (strcmp(state, "trusted") == 0) {
		chk_add(cl, "firmware_approved", "not checked",
		    "trusted without a firmware policy (policy_required = no): "
		    "the boot was checked against its own log only");
	} else if (strcmp(state, "untrusted") == 0 ||
	    strcmp(state, "vulnerable") == 0) {
		snprintf(buf, sizeof(buf), "last attestation refused (%s)",
		    code[0] != '\0' ? code : "no reason recorded");
		chk_add(cl, "firmware_approved", "no", buf);
	} else if (strcmp(state, "stale") == 0) {
		snprintf(buf, sizeof(buf), "not current: last good "
		    "attestation %s", rs(full, "last_good_attestation")[0] ?
		    rs(full, "last_good_attestation") : "never");
		chk_add(cl, "firmware_approved", "unknown", buf);
	} else if (strcmp(state, "decommissioned") == 0)
		chk_add(cl, "firmware_approved", "n/a", "decommissioned");
	else if (strcmp(state, "legacy") == 0) {
		v = rget(full, "legacy", json_type_object);
		snprintf(buf, sizeof(buf), "cannot be attested (no TPM); "
		    "compensating controls: %s; next review %s, sunset %s",
		    rs(v, "controls"), rs(v, "review_at"), rs(v, "sunset_at"));
		chk_add(cl, "firmware_approved", "not attestable", buf);
	} else
		chk_add(cl, "firmware_approved", "unknown",
		    "not attested as an admitted device yet");
	/* advisories: the device's remediation rows (wardgate advisory) */
	if (strcmp(state, "legacy") == 0)
		chk_add(cl, "open_advisories", "unknown", "advisories are "
		    "matched to the attested release and a legacy device "
		    "attests none: check its maker's advisories by hand");
	else if ((v = rget(full, "advisories", json_type_array)) == NULL)
		chk_add(cl, "open_advisories", "not recorded",
		    "the gateway did not report advisories for this device");
	else {
		size_t k, nopen = 0, nclosed = 0;
		char ids[160] = "";

		for (k = 0; k < json_object_array_length(v); k++) {
			struct json_object *x = json_object_array_get_idx(v, k);

			if (rget(x, "closed", json_type_string) != NULL) {
				nclosed++;
				continue;
			}
			if (nopen++ > 0)
				strncat(ids, ", ", sizeof(ids) - strlen(ids) -
				    1);
			strncat(ids, rs(x, "id"), sizeof(ids) - strlen(ids) -
			    1);
		}
		if (nopen > 0) {
			snprintf(buf, sizeof(buf), "%zu open: %s (%zu "
			    "remediated)", nopen, ids, nclosed);
			chk_add(cl, "open_advisories", "no", buf);
		} else {
			snprintf(buf, sizeof(buf), "none open for its attested "
			    "release (%zu remediated)", nclosed);
			chk_add(cl, "open_advisories", "yes", buf);
		}
	}
	/* provenance */
	if (strcmp(state, "legacy") == 0)
		chk_add(cl, "update_provenance", "n/a", "no TPM: its firmware "
		    "updates cannot be observed by the gateway");
	else if ((v = rget(full, "releases", json_type_array)) != NULL &&
	    json_object_array_length(v) > 0) {
		struct json_object *last = json_object_array_get_idx(v,
		    json_object_array_length(v) - 1);
		const char *to = rs2(last, "to_release", "to");
		const char *iss = rs(last, "issuer");

		struct json_object *bv = rget(last, "bundle_version",
		    json_type_int);
		char ver[32] = "";

		if (bv != NULL)
			snprintf(ver, sizeof(ver), " version %lld",
			    (long long)json_object_get_int64(bv));
		audit_time(last, pol, sizeof(pol));
		snprintf(buf, sizeof(buf), "%zu release change(s) recorded; "
		    "latest %s to %s%s%s%s", json_object_array_length(v), pol,
		    to[0] ? to : "none", iss[0] ? ", approved by policy " : "",
		    iss, iss[0] ? ver : "");
		chk_add(cl, "update_provenance", "yes", buf);
	} else if (v != NULL)
		chk_add(cl, "update_provenance", "no",
		    "no release change recorded");
	else
		chk_add(cl, "update_provenance", "not recorded",
		    "the gateway serves no release history for this device");
	/* decommissioning */
	if (strcmp(state, "decommissioned") == 0) {
		struct json_object *dc = rget(full, "decommission",
		    json_type_object);

		size_t i;

		if (dc == NULL)
			dc = rget(full, "decommissioned", json_type_object);
		/* The audit row of the decommissioning says who and why. */
		for (i = 0; dc == NULL && audit != NULL &&
		    i < json_object_array_length(audit); i++) {
			struct json_object *row =
			    json_object_array_get_idx(audit, i);

			if (strcmp(rs(row, "action"), "decommission") != 0)
				continue;
			audit_time(row, pol, sizeof(pol));
			snprintf(buf, sizeof(buf), "decommissioned %s by %s: "
			    "%s", pol, rs(row, "actor"), rs(row, "detail"));
			chk_add(cl, "decommissioning", "yes", buf);
			return cl;
		}
		if (dc != NULL) {
			audit_time(dc, pol, sizeof(pol));
			snprintf(buf, sizeof(buf), "decommissioned %s by %s: "
			    "%s", pol, rs(dc, "actor"), rs(dc, "reason"));
		} else
			snprintf(buf, sizeof(buf), "decommissioned %s",
			    rs(full, "state_since"));
		chk_add(cl, "decommissioning", "yes", buf);
	} else
		chk_add(cl, "decommissioning", "in service",
		    "in service; not decommissioned");
	return cl;
}

static int
action_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	struct json_object *px = rget(x, "priority", json_type_int);
	struct json_object *py = rget(y, "priority", json_type_int);
	int64_t ix = px != NULL ? json_object_get_int64(px) : 9;
	int64_t iy = py != NULL ? json_object_get_int64(py) : 9;

	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(rs(x, "name"), rs(y, "name"));
}

static int
device_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	int c = strcmp(rs(x, "name"), rs(y, "name"));

	return c != 0 ? c : strcmp(rs(x, "id"), rs(y, "id"));
}

/*
 * The device's legacy record and field-service windows (as the gateway
 * gives them) and, for the CSV, one-line summaries of both.
 */
static void
rep_legacy_service(struct json_object *d, struct json_object *full)
{
	struct json_object *l = rget(full, "legacy", json_type_object);
	struct json_object *sv = rget(full, "service", json_type_array);
	char open[512] = "", one[192];
	size_t i;

	json_object_object_add(d, "legacy", json_object_get(l));
	json_object_object_add(d, "service", json_object_get(sv));
	radd_str(d, "legacy_review", rs(l, "review_at"));
	radd_str(d, "legacy_sunset", rs(l, "sunset_at"));
	for (i = 0; sv != NULL && i < json_object_array_length(sv); i++) {
		struct json_object *w = json_object_array_get_idx(sv, i);
		struct json_object *o = rget(w, "open", json_type_boolean);

		if (o == NULL || !json_object_get_boolean(o))
			continue;
		snprintf(one, sizeof(one), "%s%s until %s (approved by %s)",
		    open[0] != '\0' ? "; " : "", rs(w, "flow"), rs(w, "until"),
		    rs(w, "approved_by"));
		strncat(open, one, sizeof(open) - strlen(open) - 1);
	}
	radd_str(d, "service_open", open);
}

/* Builds the report model (caller puts); an exit status. */
static int
rep_build(struct json_object **out)
{
	struct json_object *status = NULL, *policies = NULL, *enf = NULL;
	struct json_object *service = NULL;
	struct json_object *m = NULL, *sum, *by_state, *by_ward, *by_model;
	struct json_object *by_release, *actions, *devs, *fleet, *e;
	size_t i, n;
	int ret, audit_absent = 0;
	char ts[32], sentence[1024];
	time_t now = time(NULL);
	struct tm tm;

	if ((ret = rep_get("/admin/v1/status", 0, &status)) != WG_EXIT_OK)
		goto out;
	if (!json_object_is_type(status, json_type_array)) {
		errx_line("report: the gateway's status is not a list");
		ret = WG_EXIT_ERROR;
		goto out;
	}
	if ((ret = rep_get("/admin/v1/policies", 1, &policies)) != WG_EXIT_OK ||
	    (ret = rep_get("/admin/v1/enforcement", 1, &enf)) != WG_EXIT_OK ||
	    (ret = rep_get("/admin/v1/service", 1, &service)) != WG_EXIT_OK)
		goto out;

	m = json_object_new_object();
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(m, "report", json_object_new_string(
	    "wardgate trust status report"));
	json_object_object_add(m, "version", json_object_new_int(1));
	json_object_object_add(m, "generated", json_object_new_string(ts));
	json_object_object_add(m, "wardgate_version",
	    json_object_new_string(PACKAGE_VERSION));

	sum = json_object_new_object();
	by_state = json_object_new_object();
	by_ward = json_object_new_object();
	by_model = json_object_new_object();
	by_release = json_object_new_object();
	actions = json_object_new_array();
	fleet = json_object_new_array();
	devs = json_object_new_array();
	n = json_object_array_length(status);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(status, i);
		struct json_object *full = NULL, *audit = NULL, *d, *a;
		const char *id = rs(s, "id"), *code, *tsrc = "";
		enum rep_prio prio;
		size_t omitted;
		char path[256], *esc;

		count_add(by_state, rs(s, "state"));
		count_add(by_ward, rs(s, "owner"));
		count_add(by_model, rs(s, "model"));
		count_add(by_release, rs(s, "release"));
		if ((esc = url_escape(id)) != NULL) {
			snprintf(path, sizeof(path), "/admin/v1/devices/%s",
			    esc);
			if (rep_get(path, 1, &full) != WG_EXIT_OK)
				full = NULL;
			audit = rep_audit(esc, &audit_absent);
			free(esc);
		}
		rep_action(s, full, &prio, &code, sentence, sizeof(sentence));

		d = json_object_new_object();
		radd_str(d, "id", id);
		radd_str(d, "name", rs(s, "name"));
		radd_str(d, "model", rs(s, "model"));
		radd_str(d, "ward", rs(s, "owner"));
		radd_str(d, "state", rs(s, "state"));
		radd_str(d, "segment", rs(s, "segment"));
		radd_str(d, "release", rs(s, "release"));
		radd_str(d, "serial", rs(full, "serial"));
		radd_str(d, "mac", rs(full, "mac"));
		radd_str(d, "enrolled", rs(full, "enrolled"));
		radd_str(d, "state_since", rs(full, "state_since"));
		radd_str(d, "last_attestation", rs(s, "last_attestation"));
		radd_str(d, "last_good_attestation",
		    rs(full, "last_good_attestation"));
		if (prio != REP_NONE) {
			a = json_object_new_object();
			json_object_object_add(a, "priority",
			    json_object_new_int(prio));
			json_object_object_add(a, "urgency",
			    json_object_new_string(prio_names[prio]));
			radd_str(a, "code", code);
			json_object_object_add(a, "sentence",
			    json_object_new_string(sentence));
			json_object_object_add(d, "action", a);

			e = json_object_new_object();
			radd_str(e, "id", id);
			radd_str(e, "name", rs(s, "name"));
			radd_str(e, "ward", rs(s, "owner"));
			radd_str(e, "state", rs(s, "state"));
			json_object_object_add(e, "priority",
			    json_object_new_int(prio));
			json_object_object_add(e, "urgency",
			    json_object_new_string(prio_names[prio]));
			radd_str(e, "code", code);
			json_object_object_add(e, "sentence",
			    json_object_new_string(sentence));
			json_object_array_add(actions, e);
		} else
			json_object_object_add(d, "action", NULL);
		json_object_object_add(d, "hold", json_object_get(
		    rget(full, "hold", json_type_object)));
		rep_legacy_service(d, full);
		json_object_object_add(d, "reasons", json_object_get(
		    rget(s, "reasons", json_type_array)));
		json_object_object_add(d, "timeline",
		    rep_timeline(s, full, audit, &tsrc, &omitted));
		json_object_object_add(d, "timeline_omitted",
		    json_object_new_int64((int64_t)omitted));
		json_object_object_add(d, "timeline_source",
		    json_object_new_string(tsrc));
		json_object_object_add(d, "checklist",
		    rep_checklist(s, full, audit, policies, code));
		json_object_array_add(devs, d);
		json_object_put(audit);
		json_object_put(full);
	}
	json_object_array_sort(actions, action_cmp);
	json_object_array_sort(devs, device_cmp);

	/* The gateway itself: enforcement that is not in force. */
	if (enf != NULL) {
		struct json_object *ef = rget(enf, "enforcer", json_type_object);
		struct json_object *inf = rget(ef, "in_force",
		    json_type_boolean);
		const char *st = rs(ef, "state");

		if (strcmp(st, "off") == 0)
			json_object_array_add(fleet, json_object_new_string(
			    "network enforcement is not configured: segments "
			    "are recorded but no switch or firewall applies "
			    "them; configure wardgate-enforcer (see "
			    "wardgated.conf(5))"));
		else if (inf != NULL && !json_object_get_boolean(inf)) {
			snprintf(sentence, sizeof(sentence), "network "
			    "enforcement is not in force (enforcer %s): no "
			    "device is promoted until it is; see wardgate "
			    "enforcement", st);
			json_object_array_add(fleet,
			    json_object_new_string(sentence));
		}
	}
	if (policies != NULL && json_object_is_type(policies,
	    json_type_array) && json_object_array_length(policies) == 0)
		json_object_array_add(fleet, json_object_new_string(
		    "no firmware policy is installed: devices are checked "
		    "against their own event logs only; install one (wardgate "
		    "policy install)"));

	json_object_object_add(sum, "devices", json_object_new_int64(
	    (int64_t)n));
	json_object_object_add(sum, "action_needed", json_object_new_int64(
	    (int64_t)json_object_array_length(actions)));
	json_object_object_add(sum, "by_state", by_state);
	json_object_object_add(sum, "by_ward", by_ward);
	json_object_object_add(sum, "by_model", by_model);
	json_object_object_add(sum, "by_release", by_release);
	json_object_object_add(m, "summary", sum);
	json_object_object_add(m, "gateway_actions", fleet);
	json_object_object_add(m, "action_needed", actions);
	json_object_object_add(m, "devices", devs);
	json_object_object_add(m, "policies", json_object_get(policies));
	json_object_object_add(m, "enforcement", json_object_get(enf));
	json_object_object_add(m, "field_service", json_object_get(service));
	json_object_object_add(m, "audit_trail", json_object_new_string(
	    audit_absent ? "The full audit trail is in `wardgate audit list`; "
	    "this gateway does not serve it per device, so timelines are "
	    "built from each device's dated fields" :
	    "Timelines are each device's audit rows with its release "
	    "changes; the whole trail is in `wardgate audit list`"));
	*out = m;
	m = NULL;
	ret = WG_EXIT_OK;
out:
	json_object_put(m);
	json_object_put(status);
	json_object_put(policies);
	json_object_put(enf);
	json_object_put(service);
	return ret;
}

/* ---- HTML ---------------------------------------------------------------- */

/* Writes s escaped; returns -1 when out of memory. */
static int
put_h(FILE *f, const char *s)
{
	char *e = report_esc_html(s);

	if (e == NULL)
		return -1;
	fputs(e, f);
	free(e);
	return 0;
}

static const char rep_css[] =
	":root{--ok:#2e7d32;--bad:#c62828;--warn:#ef6c00;--wait:#6a1b9a;"
	"--grey:#616161;--ink:#212121;--line:#bdbdbd}\n"
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,"
	"'DejaVu Sans',sans-serif;color:var(--ink);margin:2em auto;"
	"max-width:60em;padding:0 1em;line-height:1.4}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid "
	"var(--ink);padding-bottom:.2em;margin-top:1.6em}\n"
	"h3{margin:1.2em 0 .3em}.meta{color:var(--grey)}\n"
	"table{border-collapse:collapse;width:100%;margin:.4em 0 1em}\n"
	"th,td{border:1px solid var(--line);padding:.25em .5em;text-align:left;"
	"vertical-align:top;font-size:.92em;overflow-wrap:break-word}\n"
	"td.mono{white-space:nowrap}\n"
	"table.chk th:first-child{width:11em}table.chk th:nth-child(2)"
	"{width:7em}table.tl th:first-child{width:11em}table.tl "
	"th:nth-child(2){width:40%}\n"
	"th{background:#eeeeee}\n"
	".cards{display:flex;flex-wrap:wrap;gap:.6em}\n"
	".card{border:1px solid var(--line);border-radius:4px;padding:.4em .8em;"
	"min-width:7em}.card b{display:block;font-size:1.6em}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1em}\n"
	".chart{flex:1 1 26em}.chart h3{font-size:1em}\n"
	"ol.actions li{margin:.4em 0}.urgent{color:var(--bad);font-weight:bold}\n"
	".attention{color:var(--warn);font-weight:bold}.plan{color:var(--grey);"
	"font-weight:bold}\n"
	".st-trusted{color:var(--ok)}.st-untrusted,.st-vulnerable{color:"
	"var(--bad)}.st-stale{color:var(--warn)}.st-pending{color:var(--wait)}\n"
	".st-legacy{color:#795548}.legacy{background:#efebe9;border-left:"
	"4px solid #795548;padding:.4em .8em}\n"
	".c-yes{color:var(--ok)}.c-no{color:var(--bad)}\n"
	".device{border-top:1px solid var(--line);padding-top:.4em;"
	"break-inside:avoid-page}\n"
	".mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
	"font-size:.85em}\n"
	".note{background:#fff8e1;border-left:4px solid var(--warn);"
	"padding:.4em .8em}\n"
	"@media print{body{margin:0;max-width:none;font-size:10pt}"
	"h2{break-after:avoid}.chart,.device,table{break-inside:avoid}"
	"a{color:inherit;text-decoration:none}"
	"@page{size:A4;margin:15mm}}\n";

static const char *
state_colour(const char *state)
{
	if (strcmp(state, "trusted") == 0) return "#2e7d32";
	if (strcmp(state, "untrusted") == 0) return "#c62828";
	if (strcmp(state, "vulnerable") == 0) return "#ad1457";
	if (strcmp(state, "stale") == 0) return "#ef6c00";
	if (strcmp(state, "pending") == 0) return "#6a1b9a";
	if (strcmp(state, "legacy") == 0) return "#795548";
	return "#616161";
}

struct kv {
	const char *k;
	int64_t v;
};

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;

	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return strcmp(x->k, y->k);
}

/*
 * A horizontal bar chart of counts, hand-drawn SVG: one bar per key,
 * longest first, labels escaped and shortened.
 */
static int
svg_bars(FILE *f, const char *title, struct json_object *counts,
    int by_state)
{
	struct kv *kv;
	size_t n = (size_t)json_object_object_length(counts), i = 0;
	int64_t max = 1;
	const int label_w = 170, bar_w = 260, row = 24, top = 6;
	char label[96];
	int ret = -1;

	if ((kv = calloc(n > 0 ? n : 1, sizeof(*kv))) == NULL)
		return -1;
	json_object_object_foreach(counts, key, val) {
		kv[i].k = key;
		kv[i].v = json_object_get_int64(val);
		if (kv[i].v > max)
			max = kv[i].v;
		i++;
	}
	qsort(kv, n, sizeof(*kv), kv_cmp);
	fprintf(f, "<div class=\"chart\"><h3>");
	put_h(f, title);
	fprintf(f, "</h3>\n<svg role=\"img\" width=\"100%%\" viewBox=\"0 0 %d %zu\" "
	    "aria-label=\"", label_w + bar_w + 50, top + n * (size_t)row + 4);
	put_h(f, title);
	fprintf(f, "\"><title>");
	put_h(f, title);
	fprintf(f, "</title>\n");
	for (i = 0; i < n; i++) {
		int y = top + (int)i * row;
		int w = (int)(kv[i].v * bar_w / max);

		report_trunc(kv[i].k, 20, label, sizeof(label));
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		    "font-size=\"12\" font-family=\"sans-serif\">", label_w - 8,
		    y + 16);
		if (put_h(f, label) != 0)
			goto out;
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"%s\"><title>", label_w, y + 3,
		    w > 2 ? w : 2, row - 6, by_state ? state_colour(kv[i].k) :
		    "#1565c0");
		if (put_h(f, kv[i].k) != 0)
			goto out;
		fprintf(f, ": %lld</title></rect><text x=\"%d\" y=\"%d\" "
		    "font-size=\"13\" font-family=\"sans-serif\">%lld</text>\n",
		    (long long)kv[i].v, label_w + (w > 2 ? w : 2) + 6, y + 16,
		    (long long)kv[i].v);
	}
	fprintf(f, "</svg></div>\n");
	ret = 0;
out:
	free(kv);
	return ret;
}

static const struct {
	const char *key, *label;
} rep_checks[] = {
	{ "identity_provisioned", "Identity provisioned" },
	{ "firmware_approved", "Firmware approved" },
	{ "open_advisories", "Open advisories" },
	{ "update_provenance", "Update provenance" },
	{ "decommissioning", "Decommissioning" },
};

/* One field-service window as a table row (name given for the fleet). */
static void
html_window(FILE *f, struct json_object *w, int with_name)
{
	struct json_object *o = rget(w, "open", json_type_boolean);
	int open = o != NULL && json_object_get_boolean(o);

	fprintf(f, "<tr>");
	if (with_name) {
		fprintf(f, "<td><a href=\"#dev-");
		put_h(f, rs(w, "device_id"));
		fprintf(f, "\">");
		put_h(f, rs(w, "name")[0] ? rs(w, "name") : rs(w, "device_id"));
		fprintf(f, "</a></td>");
	}
	fprintf(f, "<td class=\"mono\">");
	put_h(f, rs(w, "flow"));
	fprintf(f, "</td><td class=\"mono\">");
	put_h(f, rs(w, "opened_at"));
	fprintf(f, "</td><td class=\"mono\">");
	put_h(f, rs(w, "until"));
	fprintf(f, "</td><td>");
	put_h(f, rs(w, "approved_by"));
	fprintf(f, "</td><td>");
	put_h(f, rs(w, "reason"));
	fprintf(f, "</td><td>%s", open ? "<b>open</b>" : "closed ");
	if (!open) {
		put_h(f, rs(w, "closed_at"));
		fprintf(f, " by ");
		put_h(f, rs(w, "closed_by"));
	}
	fprintf(f, "</td></tr>\n");
}

static void
html_window_head(FILE *f, int with_name)
{
	fprintf(f, "<table class=\"svc\"><tr>%s<th>Flow</th><th>Opened"
	    "</th><th>Until</th><th>Approved by</th><th>Reason</th>"
	    "<th>State</th></tr>\n", with_name ? "<th>Device</th>" : "");
}

/* A legacy device's compensating controls and its service windows. */
static void
html_legacy_service(FILE *f, struct json_object *d)
{
	struct json_object *l = rget(d, "legacy", json_type_object);
	struct json_object *sv = rget(d, "service", json_type_array);
	size_t i;

	if (l != NULL) {
		fprintf(f, "<p class=\"legacy\"><b>Legacy device, no TPM."
		    "</b> Compensating controls: ");
		put_h(f, rs(l, "controls"));
		fprintf(f, ". Owner ");
		put_h(f, rs(l, "owner"));
		fprintf(f, "; next review ");
		put_h(f, rs(l, "review_at"));
		fprintf(f, "; sunset ");
		put_h(f, rs(l, "sunset_at"));
		fprintf(f, "; last reviewed ");
		put_h(f, rs(l, "reviewed_at")[0] ? rs(l, "reviewed_at") :
		    "never");
		fprintf(f, ".</p>\n");
	}
	if (sv == NULL || json_object_array_length(sv) == 0)
		return;
	fprintf(f, "<p><b>Field service</b></p>\n");
	html_window_head(f, 0);
	for (i = 0; i < json_object_array_length(sv); i++)
		html_window(f, json_object_array_get_idx(sv, i), 0);
	fprintf(f, "</table>\n");
}

static void
html_device(FILE *f, struct json_object *d)
{
	struct json_object *tl = rget(d, "timeline", json_type_array);
	struct json_object *cl = rget(d, "checklist", json_type_object);
	struct json_object *a = rget(d, "action", json_type_object);
	struct json_object *rsn = rget(d, "reasons", json_type_array);
	struct json_object *v;
	const char *state = rs(d, "state");
	size_t i;

	fprintf(f, "<div class=\"device\" id=\"dev-");
	put_h(f, rs(d, "id"));
	fprintf(f, "\">\n<h3>");
	put_h(f, rs(d, "name"));
	fprintf(f, " <span class=\"st-");
	put_h(f, state);
	fprintf(f, "\">(");
	put_h(f, state);
	fprintf(f, ")</span></h3>\n<p class=\"meta\">");
	put_h(f, rs(d, "model")[0] ? rs(d, "model") : "(no model)");
	fprintf(f, " &middot; ward ");
	put_h(f, rs(d, "ward")[0] ? rs(d, "ward") : "(none)");
	fprintf(f, " &middot; segment ");
	put_h(f, rs(d, "segment"));
	fprintf(f, " &middot; release ");
	put_h(f, rs(d, "release")[0] ? rs(d, "release") : "(none)");
	if (rs(d, "serial")[0] != '\0') {
		fprintf(f, " &middot; serial ");
		put_h(f, rs(d, "serial"));
	}
	fprintf(f, "<br><span class=\"mono\">");
	put_h(f, rs(d, "id"));
	fprintf(f, "</span></p>\n");
	if (a != NULL) {
		fprintf(f, "<p><span class=\"%s\">Action:</span> ",
		    rs(a, "urgency"));
		put_h(f, rs(a, "sentence"));
		fprintf(f, ".</p>\n");
	}
	if (rsn != NULL && json_object_array_length(rsn) > 0) {
		fprintf(f, "<table><tr><th>Reason</th><th>Gateway's "
		    "finding</th></tr>\n");
		for (i = 0; i < json_object_array_length(rsn); i++) {
			struct json_object *r = json_object_array_get_idx(rsn, i);

			fprintf(f, "<tr><td class=\"mono\">");
			put_h(f, rs(r, "code"));
			fprintf(f, "</td><td>");
			put_h(f, rs(r, "message"));
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
	html_legacy_service(f, d);
	fprintf(f, "<table class=\"chk\"><tr><th>CRA evidence</th>"
	    "<th>Status</th>"
	    "<th>Detail</th></tr>\n");
	for (i = 0; i < sizeof(rep_checks) / sizeof(rep_checks[0]); i++) {
		struct json_object *c = rget(cl, rep_checks[i].key,
		    json_type_object);
		const char *st = rs(c, "status");

		fprintf(f, "<tr><td>%s</td><td class=\"%s\">",
		    rep_checks[i].label, strcmp(st, "yes") == 0 ? "c-yes" :
		    strcmp(st, "no") == 0 ? "c-no" : "");
		put_h(f, st);
		fprintf(f, "</td><td>");
		put_h(f, rs(c, "detail"));
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n<table class=\"tl\"><tr><th>When (UTC)</th>"
	    "<th>Event</th>"
	    "<th>Detail</th></tr>\n");
	for (i = 0; tl != NULL && i < json_object_array_length(tl); i++) {
		struct json_object *e = json_object_array_get_idx(tl, i);

		fprintf(f, "<tr><td class=\"mono\">");
		put_h(f, rs(e, "at"));
		fprintf(f, "</td><td>");
		put_h(f, rs(e, "event"));
		fprintf(f, "</td><td>");
		put_h(f, rs(e, "detail"));
		fprintf(f, "</td></tr>\n");
	}
	if (tl == NULL || json_object_array_length(tl) == 0)
		fprintf(f, "<tr><td colspan=\"3\">no dated events "
		    "recorded</td></tr>\n");
	fprintf(f, "</table>\n<p class=\"meta\">Timeline from: ");
	put_h(f, rs(d, "timeline_source"));
	if ((v = rget(d, "timeline_omitted", json_type_int)) != NULL &&
	    json_object_get_int64(v) > 0)
		fprintf(f, "; %lld earlier event(s) in wardgate audit list",
		    (long long)json_object_get_int64(v));
	fprintf(f, "</p>\n</div>\n");
}

static int
rep_html(FILE *f, struct json_object *m)
{
	struct json_object *sum = rget(m, "summary", json_type_object);
	struct json_object *acts = rget(m, "action_needed", json_type_array);
	struct json_object *fleet = rget(m, "gateway_actions", json_type_array);
	struct json_object *devs = rget(m, "devices", json_type_array);
	struct json_object *pol = rget(m, "policies", json_type_array);
	struct json_object *by_state = rget(sum, "by_state", json_type_object);
	struct json_object *v;
	size_t i, n = devs != NULL ? json_object_array_length(devs) : 0;
	static const char *const states[] = { "trusted", "untrusted",
	    "vulnerable", "stale", "pending", "legacy", "decommissioned" };

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>wardgate trust status report</title>\n<style>\n%s"
	    "</style></head><body>\n", rep_css);
	fprintf(f, "<h1>Trust status report</h1>\n<p class=\"meta\">"
	    "Generated ");
	put_h(f, rs(m, "generated"));
	fprintf(f, " by wardgate ");
	put_h(f, rs(m, "wardgate_version"));
	fprintf(f, " from the gateway's admin API. %zu device(s).</p>\n", n);

	fprintf(f, "<h2>Fleet summary</h2>\n<div class=\"cards\">"
	    "<div class=\"card\"><b>%zu</b>devices</div>\n", n);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		int64_t c = 0;

		if (by_state != NULL &&
		    json_object_object_get_ex(by_state, states[i], &v))
			c = json_object_get_int64(v);
		fprintf(f, "<div class=\"card st-%s\"><b>%lld</b>%s</div>\n",
		    states[i], (long long)c, states[i]);
	}
	v = rget(sum, "action_needed", json_type_int);
	fprintf(f, "<div class=\"card\"><b>%lld</b>need action</div></div>\n",
	    v != NULL ? (long long)json_object_get_int64(v) : 0LL);
	fprintf(f, "<div class=\"charts\">\n");
	if (svg_bars(f, "Devices by state", by_state, 1) != 0 ||
	    svg_bars(f, "Devices by ward", rget(sum, "by_ward",
	    json_type_object), 0) != 0 ||
	    svg_bars(f, "Devices by model", rget(sum, "by_model",
	    json_type_object), 0) != 0 ||
	    svg_bars(f, "Devices by firmware release", rget(sum, "by_release",
	    json_type_object), 0) != 0)
		return -1;
	fprintf(f, "</div>\n");

	fprintf(f, "<h2>Needs action</h2>\n");
	for (i = 0; fleet != NULL && i < json_object_array_length(fleet); i++) {
		fprintf(f, "<p class=\"note\">Gateway: ");
		put_h(f, json_object_get_string(json_object_array_get_idx(fleet, i)));
		fprintf(f, ".</p>\n");
	}
	if (acts == NULL || json_object_array_length(acts) == 0)
		fprintf(f, "<p>No device needs action.</p>\n");
	else {
		fprintf(f, "<ol class=\"actions\">\n");
		for (i = 0; i < json_object_array_length(acts); i++) {
			struct json_object *a = json_object_array_get_idx(acts,
			    i);

			fprintf(f, "<li><span class=\"%s\">%s</span> <a "
			    "href=\"#dev-", rs(a, "urgency"), rs(a, "urgency"));
			put_h(f, rs(a, "id"));
			fprintf(f, "\"><b>");
			put_h(f, rs(a, "name"));
			fprintf(f, "</b></a> (");
			put_h(f, rs(a, "ward")[0] ? rs(a, "ward") : "no ward");
			fprintf(f, ", ");
			put_h(f, rs(a, "state"));
			fprintf(f, "): ");
			put_h(f, rs(a, "sentence"));
			fprintf(f, ".</li>\n");
		}
		fprintf(f, "</ol>\n");
	}

	fprintf(f, "<h2>Field service open now</h2>\n");
	if ((v = rget(m, "field_service", json_type_array)) == NULL ||
	    json_object_array_length(v) == 0)
		fprintf(f, "<p>No field-service window is open.</p>\n");
	else {
		html_window_head(f, 1);
		for (i = 0; i < json_object_array_length(v); i++)
			html_window(f, json_object_array_get_idx(v, i), 1);
		fprintf(f, "</table>\n");
	}

	fprintf(f, "<h2>Devices</h2>\n<table><tr><th>Name</th><th>Ward</th>"
	    "<th>Model</th><th>State</th><th>Segment</th><th>Release</th>"
	    "<th>Last attestation</th></tr>\n");
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);

		fprintf(f, "<tr><td>");
		put_h(f, rs(d, "name"));
		fprintf(f, "</td><td>");
		put_h(f, rs(d, "ward"));
		fprintf(f, "</td><td>");
		put_h(f, rs(d, "model"));
		fprintf(f, "</td><td class=\"st-");
		put_h(f, rs(d, "state"));
		fprintf(f, "\">");
		put_h(f, rs(d, "state"));
		fprintf(f, "</td><td>");
		put_h(f, rs(d, "segment"));
		fprintf(f, "</td><td>");
		put_h(f, rs(d, "release"));
		fprintf(f, "</td><td class=\"mono\">");
		put_h(f, rs(d, "last_attestation")[0] ? rs(d, "last_attestation") :
		    "never");
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");

	fprintf(f, "<h2>Per device: CRA evidence and timeline</h2>\n"
	    "<p class=\"meta\">");
	put_h(f, rs(m, "audit_trail"));
	fprintf(f, ". Open advisories come from the advisories recorded "
	    "with <code>wardgate advisory add</code>: a device is clear "
	    "only for the advisories the gateway was given.</p>\n");
	for (i = 0; i < n; i++)
		html_device(f, json_object_array_get_idx(devs, i));

	fprintf(f, "<h2>Firmware policies installed</h2>\n");
	if (pol == NULL || json_object_array_length(pol) == 0)
		fprintf(f, "<p>None.</p>\n");
	else {
		fprintf(f, "<table><tr><th>Issuer</th><th>Version</th>"
		    "<th>Model: releases</th></tr>\n");
		for (i = 0; i < json_object_array_length(pol); i++) {
			struct json_object *p = json_object_array_get_idx(pol, i);
			struct json_object *ms = rget(p, "models",
			    json_type_array);
			size_t k, r;

			v = rget(p, "version", json_type_int);
			fprintf(f, "<tr><td>");
			put_h(f, rs(p, "issuer"));
			fprintf(f, "</td><td>%lld</td><td>", v != NULL ?
			    (long long)json_object_get_int64(v) : 0LL);
			for (k = 0; ms != NULL &&
			    k < json_object_array_length(ms); k++) {
				struct json_object *mo =
				    json_object_array_get_idx(ms, k);
				struct json_object *rl = rget(mo, "releases",
				    json_type_array);

				put_h(f, rs(mo, "model"));
				fprintf(f, ":");
				for (r = 0; rl != NULL &&
				    r < json_object_array_length(rl); r++) {
					fprintf(f, " ");
					put_h(f, json_object_get_string(
					    json_object_array_get_idx(rl, r)));
				}
				fprintf(f, "<br>");
			}
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
	fprintf(f, "<p class=\"meta\">Every name, model and serial above is "
	    "as the makers' records and devices give it. States are the "
	    "gateway's at generation time; see wardgate(1).</p>\n"
	    "</body></html>\n");
	return 0;
}

/* ---- CSV ----------------------------------------------------------------- */

static int
put_c(FILE *f, const char *s, int last)
{
	char *e = report_esc_csv(s);

	if (e == NULL)
		return -1;
	fputs(e, f);
	fputs(last ? "\r\n" : ",", f);
	free(e);
	return 0;
}

static int
rep_csv(FILE *f, struct json_object *m)
{
	static const char *const cols[] = { "id", "name", "model", "ward",
	    "state", "segment", "release", "serial", "last_attestation",
	    "legacy_review", "legacy_sunset", "service_open" };
	struct json_object *devs = rget(m, "devices", json_type_array);
	size_t i, k;
	char col[64];
	int r = 0;

	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		r |= put_c(f, cols[k], 0);
	r |= put_c(f, "action_urgency", 0);
	r |= put_c(f, "action", 0);
	for (k = 0; k < sizeof(rep_checks) / sizeof(rep_checks[0]); k++) {
		r |= put_c(f, rep_checks[k].key, 0);
		snprintf(col, sizeof(col), "%s_detail", rep_checks[k].key);
		r |= put_c(f, col, k + 1 == sizeof(rep_checks) /
		    sizeof(rep_checks[0]));
	}
	for (i = 0; devs != NULL && i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		struct json_object *a = rget(d, "action", json_type_object);
		struct json_object *cl = rget(d, "checklist", json_type_object);

		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			r |= put_c(f, rs(d, cols[k]), 0);
		r |= put_c(f, rs(a, "urgency"), 0);
		r |= put_c(f, rs(a, "sentence"), 0);
		for (k = 0; k < sizeof(rep_checks) / sizeof(rep_checks[0]);
		    k++) {
			struct json_object *x = rget(cl, rep_checks[k].key,
			    json_type_object);

			r |= put_c(f, rs(x, "status"), 0);
			r |= put_c(f, rs(x, "detail"), k + 1 == sizeof(rep_checks) /
			    sizeof(rep_checks[0]));
		}
	}
	return r != 0 ? -1 : 0;
}

/* ---- the command ----------------------------------------------------------- */

static int
report_usage(FILE *f)
{
	fprintf(f, "usage: %s report [--format html|json|csv] [-o FILE]\n",
	    progname);
	return f == stdout ? WG_EXIT_OK : WG_EXIT_ERROR;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum rep_format fmt = REP_HTML;
	struct json_object *m = NULL;
	const char *outpath = NULL;
	char *tmp = NULL;
	FILE *f = NULL;
	mode_t um;
	int ch, ret, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "html") == 0)
				fmt = REP_HTML;
			else if (strcmp(optarg, "json") == 0)
				fmt = REP_JSON;
			else if (strcmp(optarg, "csv") == 0)
				fmt = REP_CSV;
			else
				return report_usage(stderr);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			return report_usage(stdout);
		default:
			return report_usage(stderr);
		}
	}
	if (optind != argc)
		return report_usage(stderr);
	if ((ret = rep_build(&m)) != WG_EXIT_OK)
		return ret;
	ret = WG_EXIT_ERROR;
	if (outpath == NULL || strcmp(outpath, "-") == 0)
		f = stdout;
	else {
		/* Written beside the target and renamed: never half a report. */
		size_t n = strlen(outpath) + 16;

		if ((tmp = malloc(n)) == NULL) {
			errx_line("out of memory");
			goto out;
		}
		snprintf(tmp, n, "%s.tmpXXXXXX", outpath);
		um = umask(0);
		umask(um);
		if ((r = mkstemp(tmp)) < 0 || fchmod(r, 0666 & ~um) != 0 ||
		    (f = fdopen(r, "w")) == NULL) {
			errx_line("%s: %s", outpath, strerror(errno));
			if (r >= 0) {
				close(r);
				unlink(tmp);
			}
			goto out;
		}
	}
	switch (fmt) {
	case REP_HTML:
		r = rep_html(f, m);
		break;
	case REP_CSV:
		r = rep_csv(f, m);
		break;
	case REP_JSON:
	default:
		r = fputs(json_object_to_json_string_ext(m,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), f)
		    < 0 || fputc('\n', f) == EOF ? -1 : 0;
		break;
	}
	if (r != 0)
		errx_line("report: out of memory while writing");
	if (f != stdout) {
		if (fclose(f) != 0 && r == 0) {
			errx_line("%s: %s", outpath, strerror(errno));
			r = -1;
		}
		f = NULL;
		if (r == 0 && rename(tmp, outpath) != 0) {
			errx_line("%s: %s", outpath, strerror(errno));
			r = -1;
		}
		if (r != 0)
			unlink(tmp);
	} else if (fflush(stdout) != 0)
		r = -1;
	if (r == 0)
		ret = WG_EXIT_OK;
out:
	free(tmp);
	json_object_put(m);
	return ret;
}
