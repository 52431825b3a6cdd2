/*
 * service.c: devices that cannot attest, and field service.
 *
 * A legacy device has no usable TPM. It is registered by an administrator
 * with its compensating controls (what protects it, free text), a
 * restricted segment (segment_legacy unless another is given; never the
 * trusted one, and one the enforcer announced), an accountable owner, a
 * review date and a sunset date. From its sunset on it is in the
 * quarantine (segment_untrusted), with an audit row, and no later review
 * can bring it back. No attestation exists for it, so nothing moves it
 * towards trust; only decommissioning moves it at all (lib/state.c).
 *
 * A field-service window opens one named flow of enforcer.conf ("flow
 * NAME = ...") to one device, on top of its segment, from now until a
 * time at most service_max ahead, approved by a named person with a
 * reason. It closes by itself (the nft backend's set element times out
 * in the kernel; the 2-s sweep closes the row and tells the enforcer),
 * or when closed, replaced or the device is decommissioned. Every open
 * and close is an audit row committed with the window's row; the
 * enforcer hears of it only after the commit (service_done).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "enfmsg.h"
#include "gateway.h"
#include "hex.h"
#include "provfile.h"

#define SVC_BODY_MAX (16u * 1024)
#define SVC_PENDING_MAX 4096

/* One flow change (or a MAC's segment) to send once its transaction
 * commits. */
struct svc_change {
	char mac[STORE_MAC_LEN];
	char flow[STORE_SEGMENT_LEN];	/* or the segment, for a PUT */
	uint32_t seconds;		/* 0: close */
	int put;			/* a PUT of mac to segment flow */
};

static struct svc_change *pending;
static size_t npending, cap_pending, dropped;

static void
svc_queue_any(const char *mac, const char *flow, uint32_t seconds, int put)
{
	struct svc_change *c;

	if (mac[0] == '\0')
		return;
	if (gw_grow(&pending, &cap_pending, npending, sizeof(*pending),
	    SVC_PENDING_MAX) != 0) {
		dropped++;
		return;
	}
	c = &pending[npending++];
	snprintf(c->mac, sizeof(c->mac), "%s", mac);
	snprintf(c->flow, sizeof(c->flow), "%s", flow);
	c->seconds = seconds;
	c->put = put;
}

static void
svc_queue(const char *mac, const char *flow, uint32_t seconds)
{
	svc_queue_any(mac, flow, seconds, 0);
}

int
service_mac_takeover(struct gw *gw, const char *mac, const char *device_id,
    const char *actor, struct wg_diag *d)
{
	char ids[16][STORE_ID_LEN], detail[96];
	size_t i, n = 0;
	int r;

	if ((r = store_mac_release(gw->store, mac, device_id, ids, 16, &n,
	    d)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "taken over by device %.16s... (a "
	    "repaired device)", device_id);
	for (i = 0; i < n; i++)
		if ((r = gw_audit(gw, ids[i], actor, "mac-released", mac, NULL,
		    detail, d)) != 0)
			return r;
	/* The enforcer has the MAC blocked: out of there, to where a device
	 * that has not attested goes (its own PUT, if it has a device,
	 * follows). */
	if (n > 0)
		svc_queue_any(mac, gw_segment(gw, DEV_PENDING), 0, 1);
	return 0;
}

void
service_done(struct gw *gw, int committed)
{
	size_t i;

	if (committed) {
		for (i = 0; i < npending; i++)
			if (pending[i].put)
				enf_put(gw, pending[i].mac, pending[i].flow);
			else
				enf_flow_put(gw, pending[i].mac,
				    pending[i].flow, pending[i].seconds);
		if (dropped > 0)
			gw_log("field service: %zu flow change(s) not sent (out "
			    "of memory); the enforcer is reconciled at its next "
			    "start and kernel timeouts still close windows",
			    dropped);
	}
	npending = 0;
	dropped = 0;
}

void
service_free(void)
{
	free(pending);
	pending = NULL;
	npending = cap_pending = dropped = 0;
}

/* ---- request bodies ---- */

/*
 * The body as a JSON object with only keys of `allowed` (NULL-ended).
 * NULL after answering 400.
 */
static struct json_object *
svc_body(struct evhttp_request *req, const char *const *allowed)
{
	struct json_object *o;
	char *body = NULL;
	size_t len, i;
	int r;

	if ((r = gw_body(req, SVC_BODY_MAX, &body, &len)) != 0) {
		gw_send_error(req, r == WG_ERR_TOO_LARGE ? 400 : 500, r,
		    "request body");
		return NULL;
	}
	o = json_tokener_parse(body);
	free(body);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		gw_send_error(req, 400, WG_ERR_JSON, "expected a JSON object");
		return NULL;
	}
	json_object_object_foreach(o, key, val) {
		(void)val;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			gw_send_error(req, 400, WG_ERR_UNKNOWN_FIELD, key);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/*
 * The handlers' start: a zeroed device buffer and the body (keys only).
 * -1 after answering; the caller frees both either way.
 */
static int
svc_start(struct evhttp_request *req, const char *const *keys,
    struct store_device **dev, struct json_object **o)
{
	*o = NULL;
	if ((*dev = calloc(1, sizeof(**dev))) == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return -1;
	}
	return (*o = svc_body(req, keys)) == NULL ? -1 : 0;
}

/* A printable text field (gw_text_ok); NULL when absent or bad (*bad). */
static const char *
svc_text(struct json_object *o, const char *key, int *bad)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string) ||
	    !gw_text_ok(s = json_object_get_string(v))) {
		*bad = 1;
		return NULL;
	}
	return s;
}

/* A time in unix seconds; 0 when absent, -1 when not a positive int. */
static int64_t
svc_time(struct json_object *o, const char *key)
{
	struct json_object *v;
	int64_t t;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) ||
	    (t = json_object_get_int64(v)) <= 0)
		return -1;
	return t;
}

static int
svc_commit(struct gw *gw, int r, struct wg_diag *d)
{
	if (r == 0 && (r = store_commit(gw->store, d)) == 0) {
		gw_changed_done(gw, 1);
		return 0;
	}
	store_rollback(gw->store);
	gw_changed_done(gw, 0);
	return r;
}

static int
svc_status(int r)
{
	switch (r) {
	case WG_ERR_LEGACY:
	case WG_ERR_SERVICE:
	case WG_ERR_CONFLICT:
	case WG_ERR_DEVICE_DECOMMISSIONED:
		return 409;
	case WG_ERR_NOT_FOUND:
	case WG_ERR_DEVICE_UNKNOWN:
		return 404;
	case WG_ERR_ENFORCER_DOWN:
		return 503;
	case WG_ERR_BAD_FIELD:
	case WG_ERR_MISSING_FIELD:
	case WG_ERR_INVALID_ARG:
		return 400;
	}
	return 500;
}

/* ---- legacy devices ---- */

/* The device id of a legacy device: no EK, so SHA-256 over its model and
 * serial, domain-separated so that no EK fingerprint can equal it. */
static int
legacy_id(const char *model, const char *serial, char out[STORE_ID_LEN],
    struct wg_diag *d)
{
	static const char tag[] = "wardgate legacy device";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, tag, sizeof(tag)) == 1 &&
	    EVP_DigestUpdate(c, model, strlen(model) + 1) == 1 &&
	    EVP_DigestUpdate(c, serial, strlen(serial)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		return wg_diag_set(d, WG_ERR_CRYPTO, "SHA-256");
	hex_encode(md, 32, out, STORE_ID_LEN);
	return 0;
}

struct json_object *
service_legacy_json(struct gw *gw, const struct store_device *dev)
{
	struct store_legacy l;
	struct json_object *o;
	struct wg_diag d;
	char ts[32];
	int64_t now = gw_now();

	if (strcmp(dev->state, state_name(DEV_LEGACY)) != 0 ||
	    store_legacy_get(gw->store, dev->device_id, &l, &d) != 0)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "controls", json_object_new_string(
	    l.controls));
	json_object_object_add(o, "owner", json_object_new_string(l.owner));
	json_object_object_add(o, "segment", json_object_new_string(
	    l.segment));
	json_object_object_add(o, "registered_by",
	    json_object_new_string(l.registered_by));
	gw_time_iso(l.registered_at, ts, sizeof(ts));
	json_object_object_add(o, "registered_at", json_object_new_string(ts));
	gw_time_iso(l.review_at, ts, sizeof(ts));
	json_object_object_add(o, "review_at", json_object_new_string(ts));
	gw_time_iso(l.sunset_at, ts, sizeof(ts));
	json_object_object_add(o, "sunset_at", json_object_new_string(ts));
	gw_time_iso(l.reviewed_at, ts, sizeof(ts));
	json_object_object_add(o, "reviewed_at", json_object_new_string(ts));
	json_object_object_add(o, "reviewed_by",
	    json_object_new_string(l.reviewed_by));
	json_object_object_add(o, "review_overdue",
	    json_object_new_boolean(now >= l.review_at));
	json_object_object_add(o, "past_sunset",
	    json_object_new_boolean(l.sunset_done || now >= l.sunset_at));
	return o;
}

int
service_legacy_segment(struct gw *gw, const struct store_device *dev,
    int64_t now, const char **segment, struct wg_diag *d)
{
	/* The caller copies it before calling again (gw_resegment). */
	static char seg[STORE_SEGMENT_LEN];
	struct store_legacy l;
	int r;

	*segment = gw_segment(gw, DEV_UNTRUSTED);
	if ((r = store_legacy_get(gw->store, dev->device_id, &l, d)) != 0)
		/* A legacy device without its record: quarantine. */
		return r == WG_ERR_NOT_FOUND ? 0 : r;
	if (!l.sunset_done && now < l.sunset_at) {
		memcpy(seg, l.segment, sizeof(seg));
		*segment = seg;
	}
	return 0;
}

/*
 * No other device or provisioning record may have its MAC, name, or
 * model and serial (as for `device provision`, lib/provfile.h).
 */
static int
legacy_unique(struct gw *gw, const struct store_device *dev,
    struct wg_diag *d)
{
	struct store_provision p;

	memset(&p, 0, sizeof(p));
	memcpy(p.ek_fpr, dev->device_id, sizeof(p.ek_fpr));
	memcpy(p.name, dev->name, sizeof(p.name));
	memcpy(p.model, dev->model, sizeof(p.model));
	memcpy(p.serial, dev->serial, sizeof(p.serial));
	memcpy(p.mac, dev->mac, sizeof(p.mac));
	return provfile_check_one(gw->store, &p, NULL, d);
}

/*
 * POST /admin/v1/legacy {"name","model","serial","mac","owner","controls",
 * "review_at","sunset_at","segment"?,"ward"?}: registers a device without
 * a usable TPM.
 */
void
service_legacy_add_http(struct gw *gw, struct evhttp_request *req,
    const char *actor)
{
	static const char *const keys[] = { "name", "model", "serial", "mac",
	    "owner", "controls", "review_at", "sunset_at", "segment", "ward",
	    NULL };
	struct store_device *dev = NULL;
	struct store_legacy l;
	struct json_object *o = NULL, *out;
	struct wg_diag d;
	const char *name, *model, *serial, *mac, *owner, *controls, *seg, *ward;
	uint8_t m[ENFMSG_MAC_LEN];
	char detail[STORE_TEXT_LEN], rev[32], sun[32];
	int64_t now = gw_now(), review, sunset;
	int bad = 0, r;

	wg_diag_clear(&d);
	if (svc_start(req, keys, &dev, &o) != 0)
		goto out;
	name = svc_text(o, "name", &bad);
	model = svc_text(o, "model", &bad);
	serial = svc_text(o, "serial", &bad);
	mac = svc_text(o, "mac", &bad);
	owner = svc_text(o, "owner", &bad);
	controls = svc_text(o, "controls", &bad);
	ward = svc_text(o, "ward", &bad);
	if ((seg = svc_text(o, "segment", &bad)) == NULL)
		seg = gw_segment(gw, DEV_LEGACY);
	review = svc_time(o, "review_at");
	sunset = svc_time(o, "sunset_at");
	if (bad || review < 0 || sunset < 0 || !enfmsg_segment_valid(seg)) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "texts are 1 to 128 "
		    "printable bytes; times are unix seconds; a segment is "
		    "[a-z0-9_-]{1,32}");
		goto out;
	}
	if (name == NULL || model == NULL || serial == NULL || mac == NULL ||
	    owner == NULL || controls == NULL || review == 0 || sunset == 0) {
		gw_send_error(req, 400, WG_ERR_MISSING_FIELD, "a legacy device "
		    "needs name, model, serial, mac, owner, controls, "
		    "review_at and sunset_at");
		goto out;
	}
	if (enfmsg_mac_parse(mac, m) != 0 || !enfmsg_mac_valid(m)) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "mac: a unicast "
		    "aa:bb:cc:dd:ee:ff (the network knows the device by it)");
		goto out;
	}
	if (sunset <= now || review <= now || review > sunset) {
		gw_send_error(req, 409, WG_ERR_LEGACY, "the review and the "
		    "sunset must be in the future, the review not after the "
		    "sunset");
		goto out;
	}
	if (strcmp(seg, gw_segment(gw, DEV_TRUSTED)) == 0) {
		gw_send_error(req, 409, WG_ERR_LEGACY, "a device that cannot "
		    "attest never goes to segment_trusted: give it a "
		    "restricted segment");
		goto out;
	}
	if ((r = enf_segment_check(gw, seg, &d)) != 0) {
		if (r == WG_ERR_NOT_FOUND)
			r = wg_diag_set(&d, WG_ERR_LEGACY, "segment \"%s\" is "
			    "not in the enforcer's configuration", seg);
		goto fail;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	snprintf(dev->model, sizeof(dev->model), "%s", model);
	snprintf(dev->serial, sizeof(dev->serial), "%s", serial);
	/* A device's owner is its ward or department; the legacy record's
	 * owner is the accountable person. */
	snprintf(dev->owner, sizeof(dev->owner), "%s", ward != NULL ? ward :
	    "");
	enfmsg_mac_format(m, dev->mac);
	snprintf(dev->state, sizeof(dev->state), "%s",
	    state_name(DEV_LEGACY));
	snprintf(dev->reasons, sizeof(dev->reasons), "[]");
	snprintf(dev->claims, sizeof(dev->claims), "{}");
	dev->approved = 1;
	dev->state_since = now;
	if ((r = legacy_id(model, serial, dev->device_id, &d)) != 0)
		goto fail;
	memset(&l, 0, sizeof(l));
	memcpy(l.device_id, dev->device_id, sizeof(l.device_id));
	snprintf(l.controls, sizeof(l.controls), "%s", controls);
	snprintf(l.owner, sizeof(l.owner), "%s", owner);
	snprintf(l.segment, sizeof(l.segment), "%s", seg);
	snprintf(l.registered_by, sizeof(l.registered_by), "%s", actor);
	l.registered_at = now;
	l.review_at = review;
	l.sunset_at = sunset;
	gw_flush(gw);
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	{
		struct store_device *old = malloc(sizeof(*old));

		r = old == NULL ? wg_diag_set(&d, WG_ERR_ALLOC, "legacy") :
		    store_device_get(gw->store, dev->device_id, old, &d);
		free(old);
	}
	if (r == 0)
		r = wg_diag_set(&d, WG_ERR_CONFLICT, "%.64s %.64s is already "
		    "registered: review it instead", model, serial);
	else if (r == WG_ERR_NOT_FOUND)
		r = legacy_unique(gw, dev, &d);
	gw_time_iso(review, rev, sizeof(rev));
	gw_time_iso(sunset, sun, sizeof(sun));
	snprintf(detail, sizeof(detail), "review %s, sunset %s, owner %.40s",
	    rev, sun, owner);
	if (r == 0)
		r = service_mac_takeover(gw, dev->mac, dev->device_id, actor, &d);
	if (r == 0 && (r = store_legacy_put(gw->store, &l, &d)) == 0 &&
	    (r = gw_audit(gw, dev->device_id, actor, "legacy-register", NULL,
	    state_name(DEV_LEGACY), detail, &d)) == 0 &&
	    (r = gw_audit(gw, dev->device_id, actor, "legacy-controls", NULL,
	    NULL, controls, &d)) == 0 &&
	    (r = gw_resegment(gw, dev, &d)) == 0)
		r = store_device_put(gw->store, dev, &d);
	if ((r = svc_commit(gw, r, &d)) != 0)
		goto fail;
	gw_log("legacy device %.16s... %s registered by %s: segment %s until "
	    "%s", dev->device_id, dev->name, actor, dev->segment, sun);
	out = admin_device_json(dev, 1);
	json_object_object_add(out, "legacy", service_legacy_json(gw, dev));
	admin_reply(req, 201, out);
	goto out;
fail:
	gw_send_error(req, svc_status(r), r, d.detail);
out:
	json_object_put(o);
	free(dev);
}

/*
 * POST /admin/v1/devices/ID/legacy/review {"review_at", "note",
 * "controls"?, "owner"?, "sunset_at"?}: a review was done; the next one
 * is due at review_at. The sunset may move earlier or later, but not
 * once it has passed.
 */
void
service_legacy_review_http(struct gw *gw, struct evhttp_request *req,
    const char *key, const char *actor)
{
	static const char *const keys[] = { "review_at", "note", "controls",
	    "owner", "sunset_at", NULL };
	struct store_device *dev = NULL;
	struct store_legacy l;
	struct json_object *o = NULL, *out;
	struct wg_diag d;
	const char *note, *controls, *owner;
	char before[96], after[96], a[32], b[32];
	int64_t now = gw_now(), review, sunset;
	int bad = 0, r;

	wg_diag_clear(&d);
	if (svc_start(req, keys, &dev, &o) != 0)
		goto out;
	note = svc_text(o, "note", &bad);
	controls = svc_text(o, "controls", &bad);
	owner = svc_text(o, "owner", &bad);
	review = svc_time(o, "review_at");
	sunset = svc_time(o, "sunset_at");
	if (bad || review < 0 || sunset < 0) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "texts are 1 to 128 "
		    "printable bytes; times are unix seconds");
		goto out;
	}
	if (note == NULL || review == 0) {
		gw_send_error(req, 400, WG_ERR_MISSING_FIELD, "a review needs "
		    "review_at (the next one) and a note");
		goto out;
	}
	gw_flush(gw);
	if ((r = admin_find(gw, key, dev, &d)) != 0)
		goto fail;
	if ((r = store_legacy_get(gw->store, dev->device_id, &l, &d)) != 0 ||
	    strcmp(dev->state, state_name(DEV_LEGACY)) != 0) {
		r = wg_diag_set(&d, WG_ERR_LEGACY, "%.64s is not a legacy "
		    "device (or it is decommissioned)", dev->name);
		goto fail;
	}
	if (l.sunset_done || now >= l.sunset_at) {
		r = wg_diag_set(&d, WG_ERR_LEGACY, "%.64s is past its sunset: "
		    "decommission or replace it", dev->name);
		goto fail;
	}
	if (sunset == 0)
		sunset = l.sunset_at;
	if (review <= now || sunset <= now || review > sunset) {
		r = wg_diag_set(&d, WG_ERR_LEGACY, "the next review and the "
		    "sunset must be in the future, the review not after the "
		    "sunset");
		goto fail;
	}
	gw_time_iso(l.review_at, a, sizeof(a));
	gw_time_iso(l.sunset_at, b, sizeof(b));
	snprintf(before, sizeof(before), "review %s, sunset %s", a, b);
	l.review_at = review;
	l.sunset_at = sunset;
	l.reviewed_at = now;
	snprintf(l.reviewed_by, sizeof(l.reviewed_by), "%s", actor);
	if (controls != NULL)
		snprintf(l.controls, sizeof(l.controls), "%s", controls);
	if (owner != NULL)
		snprintf(l.owner, sizeof(l.owner), "%s", owner);
	gw_time_iso(l.review_at, a, sizeof(a));
	gw_time_iso(l.sunset_at, b, sizeof(b));
	snprintf(after, sizeof(after), "review %s, sunset %s", a, b);
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if ((r = store_legacy_put(gw->store, &l, &d)) == 0 &&
	    (r = gw_audit(gw, dev->device_id, actor, "legacy-review", before,
	    after, note, &d)) == 0 && controls != NULL)
		r = gw_audit(gw, dev->device_id, actor, "legacy-controls", NULL,
		    NULL, controls, &d);
	if (r == 0)
		r = store_device_put(gw->store, dev, &d);
	if ((r = svc_commit(gw, r, &d)) != 0)
		goto fail;
	out = admin_device_json(dev, 1);
	json_object_object_add(out, "legacy", service_legacy_json(gw, dev));
	admin_reply(req, 200, out);
	goto out;
fail:
	gw_send_error(req, svc_status(r), r, d.detail);
out:
	json_object_put(o);
	free(dev);
}

struct legacy_list {
	struct gw *gw;
	struct json_object *arr;
	struct store_device *dev;
};

static int
legacy_list_cb(const struct store_legacy *l, void *arg)
{
	struct legacy_list *a = arg;
	struct json_object *o;
	struct wg_diag d;

	if (store_device_get(a->gw->store, l->device_id, a->dev, &d) != 0)
		return 0;
	o = admin_device_json(a->dev, 0);
	json_object_object_add(o, "legacy", service_legacy_json(a->gw,
	    a->dev));
	json_object_array_add(a->arr, o);
	return 0;
}

/* GET /admin/v1/legacy: every legacy device (decommissioned ones too). */
void
service_legacy_list_http(struct gw *gw, struct evhttp_request *req)
{
	struct legacy_list a = { gw, json_object_new_array(),
	    malloc(sizeof(struct store_device)) };
	struct wg_diag d;

	gw_flush(gw);
	if (a.dev == NULL || store_legacy_each(gw->store, legacy_list_cb, &a,
	    &d) != 0) {
		gw_send_error(req, 500, a.dev == NULL ? WG_ERR_ALLOC : WG_ERR_DB,
		    a.dev == NULL ? "out of memory" : d.detail);
		json_object_put(a.arr);
	} else
		admin_reply(req, 200, a.arr);
	free(a.dev);
}

/* ---- field-service windows ---- */

static struct json_object *
service_window_json(const struct store_service *w, const char *name)
{
	struct json_object *o = json_object_new_object();
	char ts[32];

	json_object_object_add(o, "id", json_object_new_int64(w->id));
	json_object_object_add(o, "device_id",
	    json_object_new_string(w->device_id));
	if (name != NULL)
		json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "flow", json_object_new_string(w->flow));
	json_object_object_add(o, "approved_by",
	    json_object_new_string(w->approved_by));
	json_object_object_add(o, "opened_by",
	    json_object_new_string(w->opened_by));
	json_object_object_add(o, "reason", json_object_new_string(w->reason));
	gw_time_iso(w->opened_at, ts, sizeof(ts));
	json_object_object_add(o, "opened_at", json_object_new_string(ts));
	gw_time_iso(w->until, ts, sizeof(ts));
	json_object_object_add(o, "until", json_object_new_string(ts));
	json_object_object_add(o, "open", json_object_new_boolean(
	    w->closed_at == 0));
	if (w->closed_at != 0) {
		gw_time_iso(w->closed_at, ts, sizeof(ts));
		json_object_object_add(o, "closed_at",
		    json_object_new_string(ts));
		json_object_object_add(o, "closed_by",
		    json_object_new_string(w->closed_by));
	}
	return o;
}

/* Collects windows (bounded) so they can be closed after the walk. */
struct svc_walk {
	struct store_service *w;
	size_t n, cap;
	const char *flow;		/* only this flow, or NULL */
	int open_only;
	int err;
};

static int
svc_collect_cb(const struct store_service *w, void *arg)
{
	struct svc_walk *a = arg;

	if ((a->open_only && w->closed_at != 0) ||
	    (a->flow != NULL && strcmp(a->flow, w->flow) != 0))
		return 0;
	if (gw_grow(&a->w, &a->cap, a->n, sizeof(*a->w), 65536) != 0) {
		a->err = 1;
		return 1;
	}
	a->w[a->n++] = *w;
	return 0;
}

static int
svc_collect(struct gw *gw, const char *device_id, const char *flow,
    int open_only, struct svc_walk *a, struct wg_diag *d)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->flow = flow;
	a->open_only = open_only;
	r = store_service_each(gw->store, device_id, svc_collect_cb, a, d);
	if (a->err)
		return wg_diag_set(d, WG_ERR_ALLOC, "service windows");
	return r;
}

/* Closes one open window (row, audit row, flow change after commit). */
static int
svc_close_one(struct gw *gw, const struct store_service *w, const char *mac,
    const char *actor, const char *why, struct wg_diag *d)
{
	char before[96], ts[32];
	int r;

	gw_time_iso(w->until, ts, sizeof(ts));
	snprintf(before, sizeof(before), "%s open until %s", w->flow, ts);
	if ((r = store_service_close(gw->store, w->id, gw_now(), actor,
	    d)) != 0 ||
	    (r = gw_audit(gw, w->device_id, actor, "service-close", before,
	    "closed", why, d)) != 0)
		return r;
	svc_queue(mac, w->flow, 0);
	return 0;
}

int
service_close_all(struct gw *gw, const struct store_device *dev,
    const char *actor, const char *why, struct wg_diag *d)
{
	struct svc_walk a;
	size_t i;
	int r;

	if ((r = svc_collect(gw, dev->device_id, NULL, 1, &a, d)) == 0)
		for (i = 0; i < a.n && r == 0; i++)
			r = svc_close_one(gw, &a.w[i], dev->mac, actor, why, d);
	free(a.w);
	return r;
}

struct json_object *
service_device_json(struct gw *gw, const struct store_device *dev)
{
	struct json_object *arr = json_object_new_array();
	struct svc_walk a;
	struct wg_diag d;
	size_t i;

	if (svc_collect(gw, dev->device_id, NULL, 0, &a, &d) == 0)
		for (i = 0; i < a.n; i++)
			json_object_array_add(arr, service_window_json(&a.w[i],
			    NULL));
	free(a.w);
	return arr;
}

/*
 * POST /admin/v1/devices/ID/service {"flow", "until", "approved_by",
 * "reason"}: opens flow to the device until `until` (at most service_max
 * ahead). An open window on the same flow is replaced.
 */
void
service_open_http(struct gw *gw, struct evhttp_request *req, const char *key,
    const char *actor)
{
	static const char *const keys[] = { "flow", "until", "approved_by",
	    "reason", NULL };
	struct store_device *dev = NULL;
	struct store_service w;
	struct svc_walk old;
	struct json_object *o = NULL, *out;
	struct wg_diag d;
	const char *flow, *approver, *reason;
	char after[96], detail[STORE_TEXT_LEN], ts[32];
	uint8_t m[ENFMSG_MAC_LEN];
	int64_t now = gw_now(), until;
	size_t i;
	int bad = 0, r;

	wg_diag_clear(&d);
	memset(&old, 0, sizeof(old));
	if (svc_start(req, keys, &dev, &o) != 0)
		goto out;
	flow = svc_text(o, "flow", &bad);
	approver = svc_text(o, "approved_by", &bad);
	reason = svc_text(o, "reason", &bad);
	until = svc_time(o, "until");
	if (bad || until < 0 || (flow != NULL &&
	    !enfmsg_segment_valid(flow))) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "flow: a flow name of "
		    "enforcer.conf; approved_by, reason: 1 to 128 printable "
		    "bytes; until: unix seconds");
		goto out;
	}
	if (flow == NULL || approver == NULL || reason == NULL || until == 0) {
		gw_send_error(req, 400, WG_ERR_MISSING_FIELD, "a service window "
		    "needs flow, until, approved_by (a named person) and "
		    "reason");
		goto out;
	}
	gw_flush(gw);
	if ((r = admin_find(gw, key, dev, &d)) != 0)
		goto fail;
	if (strcmp(dev->state, state_name(DEV_DECOMMISSIONED)) == 0) {
		r = wg_diag_set(&d, WG_ERR_DEVICE_DECOMMISSIONED, "%.64s is "
		    "decommissioned", dev->name);
		goto fail;
	}
	if (enfmsg_mac_parse(dev->mac, m) != 0 || !enfmsg_mac_valid(m)) {
		r = wg_diag_set(&d, WG_ERR_SERVICE, "%.64s has no usable MAC "
		    "in its record: the network cannot tell it apart",
		    dev->name);
		goto fail;
	}
	if (until <= now || until - now > (int64_t)gw->conf.service_max) {
		r = wg_diag_set(&d, WG_ERR_SERVICE, "a window ends in the "
		    "future and lasts at most %u seconds (service_max)",
		    gw->conf.service_max);
		goto fail;
	}
	if ((r = enf_flow_check(gw, flow, &d)) != 0) {
		if (r == WG_ERR_NOT_FOUND)
			r = wg_diag_set(&d, WG_ERR_SERVICE, "flow \"%s\" is "
			    "not in the enforcer's configuration", flow);
		goto fail;
	}
	memset(&w, 0, sizeof(w));
	memcpy(w.device_id, dev->device_id, sizeof(w.device_id));
	snprintf(w.flow, sizeof(w.flow), "%s", flow);
	snprintf(w.approved_by, sizeof(w.approved_by), "%s", approver);
	snprintf(w.opened_by, sizeof(w.opened_by), "%s", actor);
	snprintf(w.reason, sizeof(w.reason), "%s", reason);
	w.opened_at = now;
	w.until = until;
	gw_time_iso(until, ts, sizeof(ts));
	snprintf(after, sizeof(after), "%s open until %s", flow, ts);
	snprintf(detail, sizeof(detail), "approved by %.48s: %.64s", approver,
	    reason);
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if ((r = svc_collect(gw, dev->device_id, flow, 1, &old, &d)) == 0)
		for (i = 0; i < old.n && r == 0; i++)
			r = svc_close_one(gw, &old.w[i], dev->mac, actor,
			    "replaced by a new window", &d);
	if (r == 0 && (r = store_service_add(gw->store, &w, &w.id, &d)) == 0)
		r = gw_audit(gw, dev->device_id, actor, "service-open", NULL,
		    after, detail, &d);
	if (r == 0)
		svc_queue(dev->mac, flow, (uint32_t)(until - now));
	if ((r = svc_commit(gw, r, &d)) != 0)
		goto fail;
	gw_log("device %.16s... %s: field service %s open until %s, approved "
	    "by %s", dev->device_id, dev->name, flow, ts, approver);
	out = service_window_json(&w, dev->name);
	admin_reply(req, 201, out);
	goto out;
fail:
	gw_send_error(req, svc_status(r), r, d.detail);
out:
	free(old.w);
	json_object_put(o);
	free(dev);
}

/* POST /admin/v1/devices/ID/service/close {"flow"?, "reason"?}. */
void
service_close_http(struct gw *gw, struct evhttp_request *req,
    const char *key, const char *actor)
{
	static const char *const keys[] = { "flow", "reason", NULL };
	struct store_device *dev = NULL;
	struct json_object *o = NULL, *out;
	struct svc_walk a;
	struct wg_diag d;
	const char *flow, *reason;
	size_t i;
	int bad = 0, r;

	wg_diag_clear(&d);
	memset(&a, 0, sizeof(a));
	if (svc_start(req, keys, &dev, &o) != 0)
		goto out;
	flow = svc_text(o, "flow", &bad);
	reason = svc_text(o, "reason", &bad);
	if (bad) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "flow, reason: 1 to "
		    "128 printable bytes");
		goto out;
	}
	gw_flush(gw);
	if ((r = admin_find(gw, key, dev, &d)) != 0)
		goto fail;
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if ((r = svc_collect(gw, dev->device_id, flow, 1, &a, &d)) == 0 &&
	    a.n == 0)
		r = wg_diag_set(&d, WG_ERR_NOT_FOUND, "%.64s has no open "
		    "window%s%s", dev->name, flow != NULL ? " on " : "",
		    flow != NULL ? flow : "");
	for (i = 0; i < a.n && r == 0; i++)
		r = svc_close_one(gw, &a.w[i], dev->mac, actor, reason != NULL ?
		    reason : "closed by an administrator", &d);
	if ((r = svc_commit(gw, r, &d)) != 0)
		goto fail;
	out = json_object_new_object();
	json_object_object_add(out, "closed", json_object_new_int64(
	    (int64_t)a.n));
	json_object_object_add(out, "service", service_device_json(gw, dev));
	admin_reply(req, 200, out);
	goto out;
fail:
	gw_send_error(req, svc_status(r), r, d.detail);
out:
	free(a.w);
	json_object_put(o);
	free(dev);
}

/* GET /admin/v1/service: every open window, soonest end first. */
void
service_list_http(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *arr;
	struct store_device *dev = malloc(sizeof(*dev));
	struct svc_walk a;
	struct wg_diag d;
	size_t i;

	gw_flush(gw);
	if (dev == NULL || svc_collect(gw, NULL, NULL, 1, &a, &d) != 0) {
		gw_send_error(req, 500, dev == NULL ? WG_ERR_ALLOC : WG_ERR_DB,
		    dev == NULL ? "out of memory" : d.detail);
		free(dev);
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < a.n; i++)
		json_object_array_add(arr, service_window_json(&a.w[i],
		    store_device_get(gw->store, a.w[i].device_id, dev, &d) == 0 ?
		    dev->name : NULL));
	free(a.w);
	free(dev);
	admin_reply(req, 200, arr);
}

/* ---- the sweep and the enforcer ---- */

struct sunset_walk {
	struct store_legacy *l;
	size_t n, cap;
	int64_t now;
	int err;
};

static int
sunset_cb(const struct store_legacy *l, void *arg)
{
	struct sunset_walk *a = arg;

	if (l->sunset_done || l->sunset_at > a->now)
		return 0;
	if (gw_grow(&a->l, &a->cap, a->n, sizeof(*a->l), 65536) != 0) {
		a->err = 1;
		return 1;
	}
	a->l[a->n++] = *l;
	return 0;
}

/* Quarantines every legacy device past its sunset (once, audited). */
static int
svc_sunsets(struct gw *gw, int64_t now, struct store_device *dev,
    struct wg_diag *d)
{
	struct sunset_walk a;
	char before[96], ts[32];
	size_t i;
	int r;

	memset(&a, 0, sizeof(a));
	a.now = now;
	if ((r = store_legacy_each(gw->store, sunset_cb, &a, d)) != 0 ||
	    a.err) {
		free(a.l);
		return a.err ? wg_diag_set(d, WG_ERR_ALLOC, "sunsets") : r;
	}
	for (i = 0; i < a.n && r == 0; i++) {
		a.l[i].sunset_done = 1;
		if ((r = store_device_get(gw->store, a.l[i].device_id, dev,
		    d)) == WG_ERR_NOT_FOUND) {
			r = store_legacy_put(gw->store, &a.l[i], d);
			continue;
		}
		if (r != 0 || (r = store_legacy_put(gw->store, &a.l[i], d)) != 0)
			break;
		if (strcmp(dev->state, state_name(DEV_LEGACY)) != 0)
			continue;	/* decommissioned since */
		gw_time_iso(a.l[i].sunset_at, ts, sizeof(ts));
		snprintf(before, sizeof(before), "legacy in %s until %s",
		    dev->segment, ts);
		if ((r = gw_audit(gw, dev->device_id, "gateway",
		    "legacy-sunset", before, "quarantined", "past its sunset "
		    "date: decommission or replace it", d)) != 0 ||
		    (r = gw_resegment(gw, dev, d)) != 0 ||
		    (r = store_device_put(gw->store, dev, d)) != 0)
			break;
		/* Syslog and webhook: the state stays, the segment does not. */
		notify_add(gw, dev, dev->state, "past its sunset date: "
		    "quarantined");
		gw_log("legacy device %.16s... %s: past its sunset, now in %s",
		    dev->device_id, dev->name, dev->segment);
	}
	free(a.l);
	return r;
}

/* Closes every window whose time is up. */
static int
svc_expire(struct gw *gw, int64_t now, struct store_device *dev,
    struct wg_diag *d)
{
	struct svc_walk a;
	size_t i;
	int r;

	if ((r = svc_collect(gw, NULL, NULL, 1, &a, d)) != 0) {
		free(a.w);
		return r;
	}
	/* Soonest first: stop at the first one still running. */
	for (i = 0; i < a.n && r == 0 && a.w[i].until <= now; i++) {
		if ((r = store_device_get(gw->store, a.w[i].device_id, dev,
		    d)) == WG_ERR_NOT_FOUND) {
			dev->mac[0] = '\0';
			r = 0;
		}
		if (r == 0)
			r = svc_close_one(gw, &a.w[i], dev->mac, "gateway",
			    "the window ended", d);
	}
	free(a.w);
	return r;
}

/* Is there anything for the sweep to do? (read-only, cheap) */
static int
svc_due_cb(const struct store_service *w, void *arg)
{
	*(int *)arg = w->until <= gw_now();
	return 1;	/* the first is the soonest */
}

static int
sunset_due_cb(const struct store_legacy *l, void *arg)
{
	if (!l->sunset_done && l->sunset_at <= gw_now()) {
		*(int *)arg = 1;
		return 1;
	}
	return 0;
}

void
service_sweep(struct gw *gw)
{
	struct store_device *dev;
	struct wg_diag d;
	int64_t now = gw_now();
	int due = 0, r;

	wg_diag_clear(&d);
	if (gw->in_tx)
		gw_flush(gw);
	r = store_service_each(gw->store, NULL, svc_due_cb, &due, &d);
	if ((r == 0 || r == 1) && !due)
		r = store_legacy_each(gw->store, sunset_due_cb, &due, &d);
	if (r < 0) {
		gw_log("field-service sweep: %s", d.detail);
		return;
	}
	if (!due)
		return;
	if ((dev = malloc(sizeof(*dev))) == NULL) {
		gw_log("field-service sweep: out of memory");
		return;
	}
	if ((r = store_begin(gw->store, &d)) == 0 &&
	    (r = svc_expire(gw, now, dev, &d)) == 0 &&
	    (r = svc_sunsets(gw, now, dev, &d)) == 0 &&
	    (r = store_commit(gw->store, &d)) == 0)
		gw_changed_done(gw, 1);
	else {
		gw_log("field-service sweep failed (retried in the next sweep; "
		    "kernel timeouts still close windows): %s", d.detail);
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
	}
	free(dev);
}

struct reconcile_walk {
	struct gw *gw;
	struct store_device *dev;
	int64_t now;
	size_t n;
};

static int
svc_reconcile_cb(const struct store_service *w, void *arg)
{
	struct reconcile_walk *a = arg;
	struct wg_diag d;

	if (w->until <= a->now)
		return 0;
	/* More left than a window may last: the clock went back (or the
	 * row is not what the gateway wrote). Not reopened: the sweep
	 * closes it at its end; an admin may open a fresh one. */
	if (w->until - a->now > (int64_t)a->gw->conf.service_max) {
		gw_log("enforcer: field-service window %lld (%s) has more time "
		    "left than service_max: not reopened (clock set back?)",
		    (long long)w->id, w->flow);
		return 0;
	}
	if (store_device_get(a->gw->store, w->device_id, a->dev, &d) != 0 ||
	    a->dev->mac[0] == '\0' ||
	    strcmp(a->dev->state, state_name(DEV_DECOMMISSIONED)) == 0)
		return 0;
	enf_flow_put(a->gw, a->dev->mac, w->flow, (uint32_t)(w->until -
	    a->now));
	a->n++;
	return 0;
}

void
service_reconcile(struct gw *gw)
{
	struct reconcile_walk a = { gw, malloc(sizeof(struct store_device)),
	    gw_now(), 0 };
	struct wg_diag d;

	if (a.dev == NULL) {
		gw_log("enforcer: out of memory: field-service windows not "
		    "reopened");
		return;
	}
	if (store_service_each(gw->store, NULL, svc_reconcile_cb, &a, &d) != 0)
		gw_log("enforcer: cannot read the field-service windows: %s "
		    "(they stay closed)", d.detail);
	else if (a.n > 0)
		gw_log("enforcer: reopening %zu field-service window(s)", a.n);
	free(a.dev);
}
