/*
 * advisories.c: vulnerability intake (lib/advisory.h). An advisory names
 * a model and its affected firmware releases. When it is added, every
 * device of that model whose attested release is affected gets an open
 * remediation row; unless the action is notify, a trusted (or stale)
 * device becomes vulnerable: quarantined, or for restrict put in
 * segment_restricted. At each passing attestation the device's release
 * is checked again: still affected, it stays vulnerable; a release the
 * advisory spares closes the row with that release (remediated) and the
 * device may be trusted again. Adding, remediation and reopening are
 * audit rows committed with the change they cause.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <json-c/json.h>

#include "advisory.h"
#include "gateway.h"

#define ADV_BODY_MAX ADVISORY_MAX_BYTES

struct gw_advisories {
	struct advisory *a;
	size_t n, cap;
};

static int
adv_push(struct gw_advisories *g, const struct advisory *a)
{
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 16;
		struct advisory *na = realloc(g->a, ncap * sizeof(*na));

		if (na == NULL)
			return -1;
		g->a = na;
		g->cap = ncap;
	}
	g->a[g->n++] = *a;
	return 0;
}

static const struct advisory *
adv_find(const struct gw *gw, const char *id)
{
	size_t i;

	for (i = 0; gw->advisories != NULL && i < gw->advisories->n; i++)
		if (strcmp(gw->advisories->a[i].id, id) == 0)
			return &gw->advisories->a[i];
	return NULL;
}

struct load_arg {
	struct gw_advisories *g;
	struct wg_diag *d;
};

static int
adv_load_cb(const struct store_advisory *sa, void *arg)
{
	struct load_arg *la = arg;
	struct advisory *a;
	int r;

	if ((a = malloc(sizeof(*a))) == NULL)
		return wg_diag_set(la->d, WG_ERR_ALLOC, "advisories");
	/* Stored as given, after the same parse: it must parse again. */
	if ((r = advisory_parse((const char *)sa->doc, sa->doc_len, a,
	    la->d)) == 0 && adv_push(la->g, a) != 0)
		r = wg_diag_set(la->d, WG_ERR_ALLOC, "advisories");
	free(a);
	return r;
}

int
advisories_init(struct gw *gw, struct wg_diag *d)
{
	struct gw_advisories *g = calloc(1, sizeof(*g));
	struct load_arg la = { g, d };
	int r;

	if (g == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "advisories");
	if ((r = store_advisory_each(gw->store, adv_load_cb, &la, d)) != 0) {
		free(g->a);
		free(g);
		return r;
	}
	gw->advisories = g;
	return 0;
}

void
advisories_free(struct gw *gw)
{
	if (gw->advisories == NULL)
		return;
	free(gw->advisories->a);
	free(gw->advisories);
	gw->advisories = NULL;
}

static void
adv_sentence(const struct advisory *a, const char *release, char *out,
    size_t len)
{
	if (a->fixed[0] != '\0')
		snprintf(out, len, "advisory %s (%s, %s): release %.64s of "
		    "%.64s is affected; update to %s", a->id, a->severity,
		    advisory_action_name(a->action), release, a->model,
		    a->fixed);
	else
		snprintf(out, len, "advisory %s (%s, %s): release %.64s of "
		    "%.64s is affected; no fixed release yet", a->id,
		    a->severity, advisory_action_name(a->action), release,
		    a->model);
}

int
advisories_on_pass(struct gw *gw, struct store_device *dev,
    const char *release, int *worst, char *why, size_t wlen,
    struct wg_diag *d)
{
	const struct advisory *a;
	char text[256];
	size_t i;
	int r, closed;

	*worst = -1;
	why[0] = '\0';
	for (i = 0; gw->advisories != NULL && i < gw->advisories->n; i++) {
		a = &gw->advisories->a[i];
		if (strcmp(a->model, dev->model) != 0)
			continue;
		if (advisory_affects(a, dev->model, release)) {
			if ((r = store_devadv_open(gw->store, dev->device_id,
			    a->id, gw_now(), release, d)) != 0)
				return r;
			if ((int)a->action > *worst) {
				*worst = (int)a->action;
				adv_sentence(a, release, why, wlen);
			}
			continue;
		}
		if ((r = store_devadv_close(gw->store, dev->device_id, a->id,
		    gw_now(), release[0] != '\0' ? release : "(none)",
		    &closed, d)) != 0)
			return r;
		if (closed) {
			snprintf(text, sizeof(text), "attests release %.64s, "
			    "which advisory %s spares", release[0] != '\0' ?
			    release : "(none)", a->id);
			if ((r = gw_audit(gw, dev->device_id, "gateway",
			    "remediated", a->id, release, text, d)) != 0)
				return r;
		}
	}
	return 0;
}

struct seg_arg {
	struct gw *gw;
	int worst;
};

static int
adv_seg_cb(const struct store_devadv *v, void *arg)
{
	struct seg_arg *sa = arg;
	const struct advisory *a;

	if (v->closed_at != 0 || (a = adv_find(sa->gw, v->advisory_id)) ==
	    NULL)
		return 0;
	if ((int)a->action > sa->worst)
		sa->worst = (int)a->action;
	return 0;
}

int
advisories_segment(struct gw *gw, const struct store_device *dev,
    const char **segment, struct wg_diag *d)
{
	struct seg_arg sa = { gw, -1 };
	int r;

	if ((r = store_devadv_each(gw->store, dev->device_id, adv_seg_cb, &sa,
	    d)) != 0)
		return r;
	/* Quarantine wins over restrict; notify changes nothing. */
	if (sa.worst == (int)ADVISORY_RESTRICT)
		*segment = gw->conf.segment_restricted;
	return 0;
}

/* ---- admin API ---- */

struct fleet {
	char (*ids)[STORE_ID_LEN];
	size_t n, cap;
	const struct advisory *a;
	int err;
};

static int
fleet_cb(const struct store_device *dev, void *arg)
{
	struct fleet *f = arg;

	if (!advisory_affects(f->a, dev->model, dev->release) ||
	    strcmp(dev->state, "decommissioned") == 0)
		return 0;
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		char (*ni)[STORE_ID_LEN] = realloc(f->ids, ncap * sizeof(*ni));

		if (ni == NULL) {
			f->err = 1;
			return 1;
		}
		f->ids = ni;
		f->cap = ncap;
	}
	snprintf(f->ids[f->n++], STORE_ID_LEN, "%s", dev->device_id);
	return 0;
}

/* Opens the advisory for one device and moves it as the action says. */
static int
adv_apply(struct gw *gw, const struct advisory *a, struct store_device *dev,
    const char *actor, struct json_object *list, struct wg_diag *d)
{
	enum dev_state st;
	char why[256];
	int r;

	adv_sentence(a, dev->release, why, sizeof(why));
	if ((r = store_devadv_open(gw->store, dev->device_id, a->id, gw_now(),
	    dev->release, d)) != 0 ||
	    (r = gw_audit(gw, dev->device_id, actor, "advisory-open", NULL,
	    a->id, why, d)) != 0)
		return r;
	if (state_parse(dev->state, &st) != 0)
		st = DEV_UNTRUSTED;
	if (a->action != ADVISORY_NOTIFY &&
	    (st == DEV_TRUSTED || st == DEV_STALE)) {
		if ((r = gw_set_state(gw, dev, DEV_VULNERABLE, actor, why,
		    d)) != 0)
			return r;
	} else if ((r = gw_resegment(gw, dev, d)) != 0)
		return r;
	if ((r = store_device_put(gw->store, dev, d)) != 0)
		return r;
	json_object_array_add(list, json_object_new_string(dev->name[0] !=
	    '\0' ? dev->name : dev->device_id));
	return 0;
}

void
advisories_add_http(struct gw *gw, struct evhttp_request *req,
    const char *actor)
{
	struct store_device *dev = NULL;
	struct advisory *a = NULL;
	struct store_advisory sa;
	struct fleet f;
	struct json_object *out = NULL, *list;
	struct wg_diag d;
	char *body = NULL, detail[160];
	size_t len, i;
	int r, status = 500, pushed = 0;

	wg_diag_clear(&d);
	memset(&f, 0, sizeof(f));
	if ((r = gw_body(req, ADV_BODY_MAX, &body, &len)) != 0) {
		gw_send_error(req, r == WG_ERR_TOO_LARGE ? 413 : 400, r,
		    "advisory body");
		goto out;
	}
	if ((a = malloc(sizeof(*a))) == NULL ||
	    (dev = malloc(sizeof(*dev))) == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		goto out;
	}
	if ((r = advisory_parse(body, len, a, &d)) != 0) {
		gw_send_error(req, r == WG_ERR_ALLOC ? 500 : 400, r, d.detail);
		goto out;
	}
	gw_flush(gw);
	f.a = a;
	if ((r = store_device_each(gw->store, fleet_cb, &f, &d)) != 0 ||
	    f.err) {
		if (f.err)
			r = wg_diag_set(&d, WG_ERR_ALLOC, "devices");
		goto fail;
	}
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	memset(&sa, 0, sizeof(sa));
	sa.id = a->id;
	sa.model = a->model;
	sa.action = advisory_action_name(a->action);
	sa.doc = (const uint8_t *)body;
	sa.doc_len = len;
	sa.added_at = gw_now();
	sa.added_by = actor;
	snprintf(detail, sizeof(detail), "%s, %s: %zu device(s) affected",
	    a->severity, advisory_action_name(a->action), f.n);
	list = json_object_new_array();
	if ((r = store_advisory_add(gw->store, &sa, &d)) != 0 ||
	    (r = gw_audit(gw, NULL, actor, "advisory", NULL, a->id, detail,
	    &d)) != 0) {
		json_object_put(list);
		goto rollback;
	}
	/* In memory first: the segments computed below read its action. */
	if (adv_push(gw->advisories, a) != 0) {
		json_object_put(list);
		r = wg_diag_set(&d, WG_ERR_ALLOC, "advisories");
		goto rollback;
	}
	pushed = 1;
	for (i = 0; i < f.n; i++)
		if ((r = store_device_get(gw->store, f.ids[i], dev, &d)) != 0 ||
		    (r = adv_apply(gw, a, dev, actor, list, &d)) != 0) {
			json_object_put(list);
			goto rollback;
		}
	if ((r = store_commit(gw->store, &d)) != 0) {
		json_object_put(list);
		goto rollback;
	}
	gw_changed_done(gw, 1);
	gw_log("advisory %s added by %s: %s", a->id, actor, detail);
	out = json_object_new_object();
	json_object_object_add(out, "advisory", json_object_new_string(a->id));
	json_object_object_add(out, "action", json_object_new_string(
	    advisory_action_name(a->action)));
	json_object_object_add(out, "devices", list);
	gw_send_json(req, 200, json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN));
	goto out;
rollback:
	store_rollback(gw->store);
	gw_changed_done(gw, 0);
	if (pushed)
		gw->advisories->n--;	/* it was the last one pushed */
	status = r == WG_ERR_CONFLICT ? 409 : 500;
fail:
	gw_send_error(req, status, r, d.detail);
out:
	json_object_put(out);
	free(f.ids);
	free(dev);
	free(a);
	free(body);
}

void
advisories_list_http(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *arr = json_object_new_array(), *o, *aff;
	const struct advisory *a;
	size_t i, j;

	for (i = 0; gw->advisories != NULL && i < gw->advisories->n; i++) {
		a = &gw->advisories->a[i];
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(a->id));
		json_object_object_add(o, "model",
		    json_object_new_string(a->model));
		aff = json_object_new_array();
		for (j = 0; j < a->naffected; j++)
			json_object_array_add(aff,
			    json_object_new_string(a->affected[j]));
		json_object_object_add(o, "affected", aff);
		json_object_object_add(o, "fixed", a->fixed[0] != '\0' ?
		    json_object_new_string(a->fixed) : NULL);
		json_object_object_add(o, "severity",
		    json_object_new_string(a->severity));
		json_object_object_add(o, "action", json_object_new_string(
		    advisory_action_name(a->action)));
		json_object_object_add(o, "title", a->title[0] != '\0' ?
		    json_object_new_string(a->title) : NULL);
		json_object_array_add(arr, o);
	}
	gw_send_json(req, 200, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
}

static int
adv_dev_cb(const struct store_devadv *v, void *arg)
{
	struct json_object *o = json_object_new_object();
	char ts[32];

	json_object_object_add(o, "id", json_object_new_string(
	    v->advisory_id));
	gw_time_iso(v->opened_at, ts, sizeof(ts));
	json_object_object_add(o, "opened", json_object_new_string(ts));
	json_object_object_add(o, "release", json_object_new_string(
	    v->release));
	gw_time_iso(v->closed_at, ts, sizeof(ts));
	json_object_object_add(o, "closed", ts[0] != '\0' ?
	    json_object_new_string(ts) : NULL);
	json_object_object_add(o, "fixed_by", v->closed_release[0] != '\0' ?
	    json_object_new_string(v->closed_release) : NULL);
	json_object_array_add(arg, o);
	return 0;
}

struct json_object *
advisories_device_json(struct gw *gw, const struct store_device *dev)
{
	struct json_object *arr = json_object_new_array();
	struct wg_diag d;

	if (store_devadv_each(gw->store, dev->device_id, adv_dev_cb, arr,
	    &d) != 0)
		gw_log("advisories of %.16s...: %s", dev->device_id, d.detail);
	return arr;
}
