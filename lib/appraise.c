/*
 * appraise.c: appraisal of a parsed, replayed event log against the
 * firmware releases of a device model (trust chain step 4).
 *
 * Releases are tried in order; the first whose every rule holds is the
 * match. The work is done in two passes so that the common case stays
 * cheap: the first pass only counts failures (and gives up on a release
 * as soon as it cannot come closer than the best one so far); only when
 * nothing matches is the closest release run again to write the reasons.
 *
 * Facts that several releases read are computed once per call, and only
 * when some release has the rule that needs them: the lists of firmware,
 * boot application and driver events; the S-CRTM version texts and the
 * Secure Boot variables, decoded, with their data checked against the
 * event's digests. Hash algorithms are fetched once per call.
 *
 * An error inside a check (OpenSSL, allocation, an undefined value in the
 * policy) is returned as an error, never turned into a pass.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "alg.h"
#include "evlog.h"
#include "hex.h"
#include "pcr.h"
#include "policy.h"
#include "wg_err.h"

#define GUID_GLOBAL	"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define GUID_IMAGE_SEC	"d719b2cb-3d3a-4596-a3bc-dad00e67656f"
#define SHA256_LEN	32
#define PCR_HEX_BYTES	8	/* PCR values are shown as a prefix */

enum ap_var_slot {
	VAR_SECUREBOOT = 0,
	VAR_PK,
	VAR_KEK,
	VAR_DB,
	VAR_DBX,
	VAR_NSLOTS,
	VAR_UNDECODED = VAR_NSLOTS,	/* a variable event that does not decode */
};

static const struct {
	const char *guid, *name;
} ap_vars[VAR_NSLOTS] = {
	{ GUID_GLOBAL, "SecureBoot" },
	{ GUID_GLOBAL, "PK" },
	{ GUID_GLOBAL, "KEK" },
	{ GUID_IMAGE_SEC, "db" },
	{ GUID_IMAGE_SEC, "dbx" },
};

struct ap_scrtm {
	const struct evlog_event *ev;
	int bound;			/* data hashes to the digest */
	int decoded;
	char text[EVLOG_STR_MAX];
};

struct ap_var {
	const struct evlog_event *ev;
	int slot;			/* enum ap_var_slot */
	int bound;
	const uint8_t *data;		/* VariableData, borrowed from the log */
	size_t data_len;
	uint8_t sha256[SHA256_LEN];	/* of data, when bound */
};

struct ap_md {
	uint16_t alg;
	EVP_MD *md;			/* NULL: OpenSSL cannot hash it */
};

struct ap_ctx {
	const struct evlog *log;
	const struct pcr_set *replay;
	struct wg_diag *d;

	EVP_MD_CTX *mctx;
	struct ap_md md[EVLOG_MAX_ALGS + 1];
	unsigned nmd;

	/* Events per rule, borrowed from the log (one allocation). */
	const struct evlog_event **evs;
	const struct evlog_event **fw, **app, **drv;
	size_t nfw, napp, ndrv;
	int have_events;

	struct ap_scrtm *scrtm;
	size_t nscrtm;
	int have_scrtm;

	struct ap_var *var;
	size_t nvar;
	int have_vars;

	/* The release under evaluation. */
	const struct policy_release *rel;
	unsigned fails;
	unsigned limit;			/* give up at this many failures */
	struct appraise_result *res;	/* non-NULL: write the reasons */
};

/* 1 when the release has already failed as often as allowed. */
static int
ap_over(const struct ap_ctx *c)
{
	return c->fails >= c->limit;
}

/*
 * Counts one failure. Returns the reason to fill in when reasons are
 * being written and there is room, else NULL. The reason's text starts
 * with the event, PCR and type when ev is given.
 */
static struct appraise_reason *
ap_fail(struct ap_ctx *c, int code, const struct evlog_event *ev,
    uint32_t pcr)
{
	struct appraise_reason *r;
	const char *tn;

	c->fails++;
	if (c->res == NULL || c->res->nreasons >= APPRAISE_MAX_REASONS)
		return NULL;
	r = &c->res->reasons[c->res->nreasons++];
	memset(r, 0, sizeof(*r));
	r->code = code;
	r->event = -1;
	r->pcr = pcr;
	r->type = 0;
	if (ev != NULL) {
		r->event = (long)ev->index;
		r->pcr = ev->pcr;
		r->type = ev->type;
		tn = evlog_type_name(ev->type);
		if (tn != NULL)
			(void)snprintf(r->text, sizeof(r->text),
			    "event %zu (PCR %u, %s): ", ev->index, ev->pcr, tn);
		else
			(void)snprintf(r->text, sizeof(r->text),
			    "event %zu (PCR %u, type 0x%08x): ", ev->index,
			    ev->pcr, ev->type);
	}
	return r;
}

/* Appends to a reason's text (cut at the end of the buffer). */
static void ap_say(struct appraise_reason *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ap_say(struct appraise_reason *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r == NULL)
		return;
	n = strnlen(r->text, sizeof(r->text));
	if (n + 1 >= sizeof(r->text))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(r->text + n, sizeof(r->text) - n, fmt, ap);
	va_end(ap);
}

/* "sha256 3f2a..." for up to max bytes of a digest (max 0: all of it). */
static const char *
ap_hex(uint16_t alg, const uint8_t *p, size_t len, size_t max, char *buf,
    size_t buflen)
{
	char name[16], hex[2 * ALG_MAX_DIGEST + 1];
	size_t n = len;

	if (n > ALG_MAX_DIGEST)
		n = ALG_MAX_DIGEST;
	if (max != 0 && n > max)
		n = max;
	if (hex_encode(p, n, hex, sizeof(hex)) == NULL)
		hex[0] = '\0';
	(void)snprintf(buf, buflen, "%s %s%s", alg_name(alg, name,
	    sizeof(name)), hex, n < len ? "..." : "");
	return buf;
}

/* The event's digest to show: SHA-256 when carried, else the first. */
static const struct evlog_digest *
ap_shown_digest(const struct evlog_event *ev)
{
	unsigned k;

	for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++)
		if (ev->digest[k].alg == TPM2_ALG_SHA256)
			return &ev->digest[k];
	return ev->ndigests > 0 ? &ev->digest[0] : NULL;
}

/*
 * The EVP_MD for alg, fetched on first use in this call. *out is NULL for
 * an algorithm wardgate does not know. An algorithm it knows that OpenSSL
 * cannot provide is an error: a digest we should check would be skipped.
 */
static int
ap_md(struct ap_ctx *c, uint16_t alg, const EVP_MD **out)
{
	const struct alg_info *ai;
	EVP_MD *md;
	unsigned i;

	for (i = 0; i < c->nmd; i++) {
		if (c->md[i].alg == alg) {
			*out = c->md[i].md;
			return 0;
		}
	}
	if ((ai = alg_by_id(alg)) == NULL) {
		*out = NULL;
		return 0;
	}
	if (c->nmd >= sizeof(c->md) / sizeof(c->md[0]))
		return wg_diag_set(c->d, WG_ERR_INTERNAL,
		    "appraise: too many hash algorithms");
	if ((md = EVP_MD_fetch(NULL, ai->ossl_name, NULL)) == NULL ||
	    EVP_MD_get_size(md) != (int)ai->size) {
		EVP_MD_free(md);
		return wg_diag_set(c->d, WG_ERR_CRYPTO,
		    "appraise: OpenSSL has no usable %s", ai->name);
	}
	c->md[c->nmd].alg = alg;
	c->md[c->nmd].md = md;
	c->nmd++;
	*out = md;
	return 0;
}

static int
ap_hash(struct ap_ctx *c, const EVP_MD *md, const uint8_t *p, size_t len,
    uint8_t *out, unsigned *outlen)
{
	if (EVP_DigestInit_ex2(c->mctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(c->mctx, p, len) != 1 ||
	    EVP_DigestFinal_ex(c->mctx, out, outlen) != 1)
		return wg_diag_set(c->d, WG_ERR_CRYPTO, "appraise: digest failed");
	return 0;
}

/*
 * Whether ev's data is what its digests measured: for each digest of an
 * algorithm wardgate knows, H(data) must equal it, and there must be at
 * least one. *bound is 1 or 0; an error only when hashing fails.
 */
static int
ap_bound(struct ap_ctx *c, const struct evlog_event *ev, int *bound)
{
	const struct evlog_digest *dg;
	const EVP_MD *md;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned k, hl, checked = 0;
	int r;

	for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++) {
		dg = &ev->digest[k];
		if ((r = ap_md(c, dg->alg, &md)) != 0)
			return r;
		if (md == NULL)
			continue;
		if ((r = ap_hash(c, md, ev->data, ev->data_len, h, &hl)) != 0)
			return r;
		if (dg->bytes == NULL || dg->size != hl ||
		    memcmp(h, dg->bytes, hl) != 0) {
			*bound = 0;
			return 0;
		}
		checked++;
	}
	*bound = checked > 0;
	return 0;
}

/* Events the event rules look at: PCRs 0-23, never EV_NO_ACTION. */
static int
ap_counts(const struct evlog_event *ev)
{
	return ev->pcr < PCR_COUNT && ev->type != EV_NO_ACTION;
}

static int
ap_is_fw(const struct evlog_event *ev)
{
	return ev->pcr == 0 && (ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB ||
	    ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB2 ||
	    ev->type == EV_POST_CODE);
}

static int
ap_is_drv(const struct evlog_event *ev)
{
	return ev->type == EV_EFI_BOOT_SERVICES_DRIVER ||
	    ev->type == EV_EFI_RUNTIME_SERVICES_DRIVER;
}

/* Sorts the log's events into the firmware, application, driver lists. */
static int
ap_collect_events(struct ap_ctx *c)
{
	const struct evlog_event *ev;
	size_t e, nfw = 0, napp = 0, ndrv = 0;

	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (!ap_counts(ev))
			continue;
		if (ap_is_fw(ev))
			nfw++;
		else if (ev->type == EV_EFI_BOOT_SERVICES_APPLICATION)
			napp++;
		else if (ap_is_drv(ev))
			ndrv++;
	}
	if (nfw + napp + ndrv > 0 &&
	    (c->evs = calloc(nfw + napp + ndrv, sizeof(*c->evs))) == NULL)
		return wg_diag_set(c->d, WG_ERR_ALLOC, "appraise: no memory");
	c->fw = c->evs;
	c->app = c->evs + nfw;
	c->drv = c->evs + nfw + napp;
	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (!ap_counts(ev))
			continue;
		if (ap_is_fw(ev))
			c->fw[c->nfw++] = ev;
		else if (ev->type == EV_EFI_BOOT_SERVICES_APPLICATION)
			c->app[c->napp++] = ev;
		else if (ap_is_drv(ev))
			c->drv[c->ndrv++] = ev;
	}
	c->have_events = 1;
	return 0;
}

/* Decodes every S-CRTM version event and checks its data. */
static int
ap_collect_scrtm(struct ap_ctx *c)
{
	const struct evlog_event *ev;
	struct evlog_data *dd = NULL;
	struct ap_scrtm *s;
	size_t e, n = 0;
	int r;

	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (ap_counts(ev) && ev->type == EV_S_CRTM_VERSION)
			n++;
	}
	if (n > 0 && ((c->scrtm = calloc(n, sizeof(*c->scrtm))) == NULL ||
	    (dd = malloc(sizeof(*dd))) == NULL)) {
		r = wg_diag_set(c->d, WG_ERR_ALLOC, "appraise: no memory");
		goto out;
	}
	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (!ap_counts(ev) || ev->type != EV_S_CRTM_VERSION)
			continue;
		s = &c->scrtm[c->nscrtm++];
		s->ev = ev;
		if ((r = ap_bound(c, ev, &s->bound)) != 0)
			goto out;
		if (evlog_decode(ev, dd, NULL) == 0 &&
		    dd->kind == EVLOG_DATA_STRING) {
			s->decoded = 1;
			memcpy(s->text, dd->u.text, sizeof(s->text));
			s->text[sizeof(s->text) - 1] = '\0';
		}
	}
	c->have_scrtm = 1;
	r = 0;
out:
	free(dd);
	return r;
}

/*
 * Decodes every EV_EFI_VARIABLE_DRIVER_CONFIG event. Those naming one of
 * the Secure Boot variables are kept with their data checked and hashed;
 * those that do not decode are kept too (they could be any variable, so
 * every variable rule fails on them).
 */
static int
ap_collect_vars(struct ap_ctx *c)
{
	const struct evlog_event *ev;
	struct evlog_data *dd = NULL;
	struct ap_var *v;
	const EVP_MD *sha256;
	size_t e, n = 0;
	unsigned hl;
	int r, slot;

	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (ap_counts(ev) && ev->type == EV_EFI_VARIABLE_DRIVER_CONFIG)
			n++;
	}
	if ((r = ap_md(c, TPM2_ALG_SHA256, &sha256)) != 0)
		goto out;
	if (sha256 == NULL) {
		r = wg_diag_set(c->d, WG_ERR_INTERNAL, "appraise: no sha256");
		goto out;
	}
	if (n > 0 && ((c->var = calloc(n, sizeof(*c->var))) == NULL ||
	    (dd = malloc(sizeof(*dd))) == NULL)) {
		r = wg_diag_set(c->d, WG_ERR_ALLOC, "appraise: no memory");
		goto out;
	}
	for (e = 0; e < c->log->nevents; e++) {
		ev = &c->log->events[e];
		if (!ap_counts(ev) || ev->type != EV_EFI_VARIABLE_DRIVER_CONFIG)
			continue;
		if (evlog_decode(ev, dd, NULL) != 0 ||
		    dd->kind != EVLOG_DATA_EFI_VARIABLE) {
			v = &c->var[c->nvar++];
			v->ev = ev;
			v->slot = VAR_UNDECODED;
			continue;
		}
		for (slot = 0; slot < VAR_NSLOTS; slot++)
			if (strcmp(dd->u.var.guid, ap_vars[slot].guid) == 0 &&
			    strcmp(dd->u.var.name, ap_vars[slot].name) == 0)
				break;
		if (slot == VAR_NSLOTS)
			continue;	/* a variable no rule reads */
		v = &c->var[c->nvar++];
		v->ev = ev;
		v->slot = slot;
		v->data = dd->u.var.data;
		v->data_len = dd->u.var.data_len;
		if ((r = ap_bound(c, ev, &v->bound)) != 0)
			goto out;
		if (v->bound && (r = ap_hash(c, sha256, v->data, v->data_len,
		    v->sha256, &hl)) != 0)
			goto out;
	}
	c->have_vars = 1;
	r = 0;
out:
	free(dd);
	return r;
}

/* ---- rules ---- */

static int
ap_rule_scrtm(struct ap_ctx *c)
{
	const struct policy_release *rel = c->rel;
	struct appraise_reason *rr;
	const struct ap_scrtm *s;
	size_t i, j;

	if (c->nscrtm == 0) {
		/* The version names the release: it must be measured. */
		rr = ap_fail(c, WG_ERR_POLICY_SCRTM, NULL, 0);
		ap_say(rr, "no S-CRTM version is measured in the event log; "
		    "release %s expects \"%s\"%s", rel->release, rel->scrtm[0],
		    rel->n_scrtm > 1 ? " or another it allows" : "");
		return 0;
	}
	for (i = 0; i < c->nscrtm && !ap_over(c); i++) {
		s = &c->scrtm[i];
		if (!s->bound) {
			rr = ap_fail(c, WG_ERR_POLICY_DATA, s->ev, 0);
			ap_say(rr, "the S-CRTM version data does not hash to the "
			    "event's digest, so it cannot be trusted");
			continue;
		}
		for (j = 0; s->decoded && j < rel->n_scrtm; j++)
			if (strncmp(s->text, rel->scrtm[j],
			    sizeof(rel->scrtm[j])) == 0)
				break;
		if (s->decoded && j < rel->n_scrtm)
			continue;
		rr = ap_fail(c, WG_ERR_POLICY_SCRTM, s->ev, 0);
		if (s->decoded)
			ap_say(rr, "S-CRTM version \"%s\" is not one release %s "
			    "allows (expected \"%s\"%s)", s->text, rel->release,
			    rel->scrtm[0], rel->n_scrtm > 1 ? " or another" : "");
		else
			ap_say(rr, "the S-CRTM version does not decode as text; "
			    "release %s expects \"%s\"", rel->release,
			    rel->scrtm[0]);
	}
	return 0;
}

/*
 * 1 if ev's digests are allowed by list: every bank the event carries for
 * which the list has entries must match one of them, and at least one
 * bank must be covered. (Matching on any one bank would let the weakest
 * listed algorithm decide.)
 */
static int
ap_allowed(const struct policy_digests *list, const struct evlog_event *ev)
{
	const struct evlog_digest *dg;
	const struct policy_digest *p;
	unsigned k, covered = 0;
	size_t i;
	int listed, found;

	for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++) {
		dg = &ev->digest[k];
		if (dg->bytes == NULL || dg->size == 0 ||
		    dg->size > ALG_MAX_DIGEST)
			continue;
		listed = found = 0;
		for (i = 0; i < list->n && !found; i++) {
			p = &list->v[i];
			if (p->alg != dg->alg)
				continue;
			listed = 1;
			found = memcmp(p->digest, dg->bytes, dg->size) == 0;
		}
		if (!listed)
			continue;
		if (!found)
			return 0;
		covered++;
	}
	return covered > 0;
}

static void
ap_say_path(struct appraise_reason *rr, const struct evlog_event *ev)
{
	struct evlog_data *dd;

	if (rr == NULL || (dd = malloc(sizeof(*dd))) == NULL)
		return;
	if (evlog_decode(ev, dd, NULL) == 0 && dd->kind == EVLOG_DATA_EFI_IMAGE &&
	    dd->u.image.device_path[0] != '\0')
		ap_say(rr, " (device path, unverified: %s)",
		    dd->u.image.device_path);
	free(dd);
}

static void
ap_rule_digests(struct ap_ctx *c, const struct policy_digests *list,
    const struct evlog_event **evs, size_t nevs, int code, const char *what)
{
	const struct evlog_digest *dg;
	struct appraise_reason *rr;
	char hex[2 * ALG_MAX_DIGEST + 32];
	size_t i;

	for (i = 0; i < nevs && !ap_over(c); i++) {
		if (ap_allowed(list, evs[i]))
			continue;
		if ((rr = ap_fail(c, code, evs[i], 0)) == NULL)
			continue;
		dg = ap_shown_digest(evs[i]);
		ap_say(rr, "%s %s is not one release %s allows", what,
		    dg == NULL ? "(no digest)" : ap_hex(dg->alg, dg->bytes,
		    dg->size, 0, hex, sizeof(hex)), c->rel->release);
		if (code == WG_ERR_POLICY_BOOT_APP || code == WG_ERR_POLICY_DRIVER)
			ap_say_path(rr, evs[i]);
	}
}

/* Every event of one Secure Boot variable; none at all fails. */
static void
ap_rule_var(struct ap_ctx *c, int slot, const struct policy_digests *list)
{
	const struct ap_var *v;
	struct appraise_reason *rr;
	const struct policy_digest *p;
	char hex[2 * ALG_MAX_DIGEST + 32];
	const char *name = ap_vars[slot].name;
	int code = slot == VAR_SECUREBOOT ? WG_ERR_POLICY_SECURE_BOOT :
	    WG_ERR_POLICY_VARIABLE;
	size_t i, j, seen = 0;

	for (i = 0; i < c->nvar && !ap_over(c); i++) {
		v = &c->var[i];
		if (v->slot == VAR_UNDECODED) {
			rr = ap_fail(c, WG_ERR_POLICY_DATA, v->ev, 0);
			ap_say(rr, "a UEFI variable event does not decode, so "
			    "the %s check cannot be made", name);
			continue;
		}
		if (v->slot != slot)
			continue;
		seen++;
		if (!v->bound) {
			rr = ap_fail(c, WG_ERR_POLICY_DATA, v->ev, 0);
			ap_say(rr, "the %s variable data does not hash to the "
			    "event's digest, so it cannot be trusted", name);
			continue;
		}
		if (slot == VAR_SECUREBOOT) {
			if (v->data_len == 1 && v->data[0] == 1)
				continue;
			rr = ap_fail(c, code, v->ev, 0);
			if (v->data_len == 1)
				ap_say(rr, "Secure Boot is off (SecureBoot is "
				    "0x%02x); release %s requires it on",
				    v->data[0], c->rel->release);
			else
				ap_say(rr, "Secure Boot is off (the SecureBoot "
				    "variable holds %zu bytes, not one byte "
				    "0x01); release %s requires it on",
				    v->data_len, c->rel->release);
			continue;
		}
		for (j = 0; j < list->n; j++) {
			p = &list->v[j];
			if (p->alg == TPM2_ALG_SHA256 &&
			    memcmp(p->digest, v->sha256, SHA256_LEN) == 0)
				break;
		}
		if (j < list->n)
			continue;
		rr = ap_fail(c, code, v->ev, 0);
		ap_say(rr, "the %s variable (%zu bytes, %s) is not one "
		    "release %s allows", name, v->data_len,
		    ap_hex(TPM2_ALG_SHA256, v->sha256, SHA256_LEN, 0, hex,
		    sizeof(hex)), c->rel->release);
	}
	if (seen == 0 && !ap_over(c)) {
		rr = ap_fail(c, code, NULL, UINT32_MAX);
		if (slot == VAR_SECUREBOOT)
			ap_say(rr, "no SecureBoot variable is measured in the "
			    "event log; release %s requires Secure Boot on",
			    c->rel->release);
		else
			ap_say(rr, "no %s variable is measured in the event "
			    "log; release %s expects one", name,
			    c->rel->release);
	}
}

static void
ap_rule_pcrs(struct ap_ctx *c)
{
	const struct pcr_bank *pb, *rb;
	struct appraise_reason *rr;
	char name[16], e[2 * PCR_HEX_BYTES + 32], s[2 * PCR_HEX_BYTES + 32];
	unsigned b, i;

	for (b = 0; b < c->rel->pcrs.nbanks && b < PCR_MAX_BANKS; b++) {
		pb = &c->rel->pcrs.bank[b];
		if ((pb->present & 0xffffffu) == 0)
			continue;
		rb = pcr_set_find(c->replay, pb->alg);
		if (rb == NULL || rb->size != pb->size || pb->size == 0 ||
		    pb->size > ALG_MAX_DIGEST) {
			rr = ap_fail(c, WG_ERR_POLICY_PCR, NULL, UINT32_MAX);
			ap_say(rr, "release %s expects %s PCR values, but the "
			    "event log gives no %s bank", c->rel->release,
			    alg_name(pb->alg, name, sizeof(name)),
			    alg_name(pb->alg, name, sizeof(name)));
			if (ap_over(c))
				return;
			continue;
		}
		for (i = 0; i < PCR_COUNT; i++) {
			if ((pb->present & (1u << i)) == 0)
				continue;
			if ((rb->present & (1u << i)) != 0 &&
			    memcmp(pb->value[i], rb->value[i], pb->size) == 0)
				continue;
			if ((rr = ap_fail(c, WG_ERR_POLICY_PCR, NULL, i)) != NULL) {
				if ((rb->present & (1u << i)) == 0)
					ap_say(rr, "PCR %u (%s): release %s "
					    "expects %s, the replay has no "
					    "value", i, alg_name(pb->alg, name,
					    sizeof(name)), c->rel->release,
					    ap_hex(pb->alg, pb->value[i],
					    pb->size, PCR_HEX_BYTES, e,
					    sizeof(e)));
				else
					ap_say(rr, "PCR %u (%s): release %s "
					    "expects %s, the replayed log "
					    "gives %s", i, alg_name(pb->alg,
					    name, sizeof(name)),
					    c->rel->release, ap_hex(pb->alg,
					    pb->value[i], pb->size,
					    PCR_HEX_BYTES, e, sizeof(e)),
					    ap_hex(rb->alg, rb->value[i],
					    rb->size, PCR_HEX_BYTES, s,
					    sizeof(s)));
			}
			if (ap_over(c))
				return;
		}
	}
}

/*
 * Runs every rule of rel, counting failures in c->fails (and writing
 * reasons when c->res is set), stopping early at c->limit.
 */
static int
ap_release(struct ap_ctx *c, const struct policy_release *rel)
{
	static const int slots[] = { VAR_PK, VAR_KEK, VAR_DB, VAR_DBX };
	const struct policy_digests *lists[] = {
		&rel->pk, &rel->kek, &rel->db, &rel->dbx,
	};
	size_t i;
	int r;

	c->rel = rel;
	c->fails = 0;
	if (rel->n_scrtm > 0) {
		if (!c->have_scrtm && (r = ap_collect_scrtm(c)) != 0)
			return r;
		if ((r = ap_rule_scrtm(c)) != 0)
			return r;
	}
	if ((rel->firmware.n > 0 || rel->boot_apps.n > 0 ||
	    rel->drivers.n > 0) && !c->have_events &&
	    (r = ap_collect_events(c)) != 0)
		return r;
	if (rel->firmware.n > 0 && !ap_over(c))
		ap_rule_digests(c, &rel->firmware, c->fw, c->nfw,
		    WG_ERR_POLICY_FIRMWARE, "platform firmware");
	if (rel->boot_apps.n > 0 && !ap_over(c))
		ap_rule_digests(c, &rel->boot_apps, c->app, c->napp,
		    WG_ERR_POLICY_BOOT_APP, "boot application");
	if (rel->drivers.n > 0 && !ap_over(c))
		ap_rule_digests(c, &rel->drivers, c->drv, c->ndrv,
		    WG_ERR_POLICY_DRIVER, "UEFI driver");
	if ((rel->secure_boot == 1 || rel->pk.n > 0 || rel->kek.n > 0 ||
	    rel->db.n > 0 || rel->dbx.n > 0) && !c->have_vars &&
	    (r = ap_collect_vars(c)) != 0)
		return r;
	if (rel->secure_boot == 1 && !ap_over(c))
		ap_rule_var(c, VAR_SECUREBOOT, NULL);
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (lists[i]->n > 0 && !ap_over(c))
			ap_rule_var(c, slots[i], lists[i]);
	if (rel->has_pcrs && !ap_over(c))
		ap_rule_pcrs(c);
	return 0;
}

/* Values appraise() cannot read safely are an error, not a pass. */
static int
ap_check_release(const struct policy_release *rel, size_t idx,
    struct wg_diag *d)
{
	const struct policy_digests *l[] = {
		&rel->firmware, &rel->boot_apps, &rel->drivers,
		&rel->pk, &rel->kek, &rel->db, &rel->dbx,
	};
	size_t i;

	if (rel->status != POLICY_APPROVED && rel->status != POLICY_DEPRECATED &&
	    rel->status != POLICY_REVOKED)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "appraise: release %zu: unknown status %d", idx,
		    (int)rel->status);
	if (rel->secure_boot != -1 && rel->secure_boot != 1)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "appraise: release %zu: secure_boot is %d (-1 or 1)", idx,
		    rel->secure_boot);
	if (rel->n_scrtm > 0 && rel->scrtm == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "appraise: release %zu: no S-CRTM list", idx);
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i]->n > 0 && l[i]->v == NULL)
			return wg_diag_set(d, WG_ERR_INVALID_ARG,
			    "appraise: release %zu: empty digest list", idx);
	return 0;
}

static void
ap_utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)snprintf(buf, len, "%" PRId64 " (unix time)", t);
}

/*
 * Finds the match (or the closest release) and writes the verdict in res,
 * which starts zeroed. 0, or an error from a check.
 */
static int
ap_verdict(struct ap_ctx *c, const struct policy_model *model, int64_t now,
    struct appraise_result *res)
{
	struct appraise_reason *rr;
	const struct policy_release *rel;
	char when[64];
	size_t i, best = SIZE_MAX;
	unsigned best_fails = UINT_MAX;
	int r;

	/* Pass 1: the first release with no failure, else the closest. */
	for (i = 0; i < model->nrel; i++) {
		c->limit = best_fails;
		if ((r = ap_release(c, &model->rel[i])) != 0)
			return r;
		if (c->fails == 0)
			break;
		if (c->fails < best_fails) {
			best_fails = c->fails;
			best = i;
		}
	}

	if (i < model->nrel) {
		rel = &model->rel[i];
		res->release = rel;
		switch (rel->status) {
		case POLICY_APPROVED:
			res->pass = 1;
			return 0;
		case POLICY_DEPRECATED:
			if (now < rel->until) {
				res->pass = 1;
				res->warning = 1;
				return 0;
			}
			ap_utc(rel->until, when, sizeof(when));
			rr = &res->reasons[res->nreasons++];
			rr->code = WG_ERR_POLICY_EXPIRED;
			rr->event = -1;
			rr->pcr = UINT32_MAX;
			(void)snprintf(rr->text, sizeof(rr->text), "the boot "
			    "matches firmware release %s of model %s, which is "
			    "deprecated and was allowed only until %s; update "
			    "the firmware", rel->release, model->model, when);
			return 0;
		case POLICY_REVOKED:
			rr = &res->reasons[res->nreasons++];
			rr->code = WG_ERR_POLICY_REVOKED;
			rr->event = -1;
			rr->pcr = UINT32_MAX;
			(void)snprintf(rr->text, sizeof(rr->text), "the boot "
			    "matches firmware release %s of model %s, which is "
			    "revoked (advisory %s); update the firmware",
			    rel->release, model->model, rel->advisory[0] != '\0' ?
			    rel->advisory : "not named");
			return 0;
		}
		/* ap_check_release() refused any other status. */
		return wg_diag_set(c->d, WG_ERR_INTERNAL,
		    "appraise: release status %d", (int)rel->status);
	}

	/* No match: name the closest release's failures. */
	rr = &res->reasons[res->nreasons++];
	rr->code = WG_ERR_POLICY_NO_RELEASE;
	rr->event = -1;
	rr->pcr = UINT32_MAX;
	if (best == SIZE_MAX) {
		(void)snprintf(rr->text, sizeof(rr->text), "the policy for "
		    "model %s lists no firmware release, so no boot can match",
		    model->model);
		return 0;
	}
	c->limit = UINT_MAX;
	c->res = res;
	if ((r = ap_release(c, &model->rel[best])) != 0)
		return r;
	(void)snprintf(rr->text, sizeof(rr->text), "the boot matches none of "
	    "the %zu firmware release%s of model %s; the closest, release %s, "
	    "fails %u check%s", model->nrel, model->nrel == 1 ? "" : "s",
	    model->model, model->rel[best].release, c->fails,
	    c->fails == 1 ? "" : "s");
	return 0;
}

int
appraise(const struct policy_model *model, const struct evlog *log,
    const struct pcr_set *replay, int64_t now, struct appraise_result *out,
    struct wg_diag *d)
{
	struct ap_ctx c;
	struct appraise_result *res = NULL;
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	if (model == NULL || log == NULL || replay == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "appraise: no model, log, replay or output");
	if (model->nrel > 0 && model->rel == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "appraise: model %s has no release array", model->model);
	for (i = 0; i < model->nrel; i++)
		if ((r = ap_check_release(&model->rel[i], i, d)) != 0)
			return r;
	c.log = log;
	c.replay = replay;
	c.d = d;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "appraise: no memory");
		goto out;
	}
	if ((c.mctx = EVP_MD_CTX_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "appraise: EVP_MD_CTX_new");
		goto out;
	}
	if ((r = ap_verdict(&c, model, now, res)) != 0)
		goto out;
	memcpy(out, res, sizeof(*res));
	r = 0;
out:
	for (i = 0; i < c.nmd; i++)
		EVP_MD_free(c.md[i].md);
	EVP_MD_CTX_free(c.mctx);
	free(c.evs);
	free(c.scrtm);
	free(c.var);
	free(res);
	return r;
}
