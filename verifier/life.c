/*
 * life.c: lifecycle evidence (EU Cyber Resilience Act): the release
 * history of a device, decommissioning with an archive of its evidence,
 * and the audit log as read and checked over the admin socket.
 *
 * Decommissioning is one transaction: the archive (a canonical JSON
 * document: keys in byte order, no whitespace, times as unix seconds) of
 * the device's identity, provisioning record, attestations, release
 * changes and audit row ids is stored with its SHA-256; the EK is
 * blocked (enrollment refuses it), the AK binding is cleared, an open
 * clinical hold ends, the device becomes decommissioned (segment
 * segment_decommissioned) and an audit row says who and why. The
 * enforcer is told after the commit; the loaded AK is dropped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "gateway.h"
#include "hex.h"

#define LIFE_BODY_MAX 4096
#define LIFE_ARCHIVE_FORMAT "wardgate-decommission-archive-v1"

static struct json_object *
life_str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_object_new_string(s) : NULL;
}

static struct json_object *
life_hex(const uint8_t *p, size_t len)
{
	struct json_object *o;
	char *h;

	if ((h = malloc(2 * len + 1)) == NULL)
		return NULL;
	o = json_object_new_string(hex_encode(p, len, h, 2 * len + 1));
	free(h);
	return o;
}

/* ---- release history ---- */

static int
life_release_cb(const struct store_release *r, void *arg)
{
	struct json_object *o = json_object_new_object();
	char ts[32];

	gw_time_iso(r->at, ts, sizeof(ts));
	json_object_object_add(o, "at", json_object_new_string(ts));
	json_object_object_add(o, "from", life_str_or_null(r->from_release));
	json_object_object_add(o, "to", life_str_or_null(r->to_release));
	json_object_object_add(o, "issuer", life_str_or_null(r->issuer));
	json_object_object_add(o, "bundle_version", r->bundle_version > 0 ?
	    json_object_new_int64((int64_t)r->bundle_version) : NULL);
	json_object_array_add(arg, o);
	return 0;
}

struct json_object *
life_releases_json(struct gw *gw, const struct store_device *dev)
{
	struct json_object *arr = json_object_new_array();
	struct wg_diag d;

	wg_diag_clear(&d);
	if (store_release_history_each(gw->store, dev->device_id,
	    life_release_cb, arr, &d) != 0)
		gw_log("release history of %.16s...: %s", dev->device_id,
		    d.detail);
	return arr;
}

/* ---- the decommission archive ---- */

static int
life_arch_att_cb(const struct store_attestation_row *a, void *arg)
{
	struct json_object *o = json_object_new_object();

	/* Keys in byte order. */
	json_object_object_add(o, "at", json_object_new_int64(a->at));
	json_object_object_add(o, "eventlog_sha256",
	    life_str_or_null(a->eventlog_sha256));
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "pass", json_object_new_boolean(a->pass));
	json_object_object_add(o, "release", life_str_or_null(a->release));
	json_object_array_add(arg, o);
	return 0;
}

static int
life_arch_audit_cb(const struct store_audit_row *a, void *arg)
{
	json_object_array_add(arg, json_object_new_int64(a->id));
	return 0;
}

static int
life_arch_release_cb(const struct store_release *r, void *arg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "at", json_object_new_int64(r->at));
	json_object_object_add(o, "bundle_version",
	    json_object_new_int64((int64_t)r->bundle_version));
	json_object_object_add(o, "from", json_object_new_string(
	    r->from_release));
	json_object_object_add(o, "issuer", json_object_new_string(r->issuer));
	json_object_object_add(o, "to", json_object_new_string(r->to_release));
	json_object_array_add(arg, o);
	return 0;
}

/*
 * The archive of dev as canonical JSON text (new, caller frees), read
 * inside the caller's transaction.
 */
static int
life_archive(struct gw *gw, const struct store_device *dev, const char *actor,
    const char *reason, int64_t at, char **out, struct wg_diag *d)
{
	struct json_object *root = json_object_new_object(), *o, *arr;
	struct store_provision p;
	char *text;
	int r;

	/* Keys in byte order at every level. */
	arr = json_object_new_array();
	json_object_object_add(root, "attestations", arr);
	if ((r = store_attestation_each(gw->store, dev->device_id,
	    life_arch_att_cb, arr, d)) != 0)
		goto out;
	arr = json_object_new_array();
	json_object_object_add(root, "audit_rows", arr);
	if ((r = store_audit_each(gw->store, dev->device_id,
	    life_arch_audit_cb, arr, d)) != 0)
		goto out;
	json_object_object_add(root, "decommissioned_at",
	    json_object_new_int64(at));
	json_object_object_add(root, "decommissioned_by",
	    json_object_new_string(actor));

	o = json_object_new_object();
	json_object_object_add(o, "ak_pub", life_hex(dev->ak_pub,
	    dev->ak_pub_len));
	json_object_object_add(o, "approved",
	    json_object_new_boolean(dev->approved));
	json_object_object_add(o, "attest_count",
	    json_object_new_int64((int64_t)dev->attest_count));
	json_object_object_add(o, "ek_cert", life_hex(dev->ek_cert,
	    dev->ek_cert_len));
	json_object_object_add(o, "ek_pub", life_hex(dev->ek_pub,
	    dev->ek_pub_len));
	json_object_object_add(o, "enrolled_at",
	    json_object_new_int64(dev->enrolled_at));
	json_object_object_add(o, "fail_count",
	    json_object_new_int64((int64_t)dev->fail_count));
	json_object_object_add(o, "id", json_object_new_string(dev->device_id));
	json_object_object_add(o, "last_good_at",
	    json_object_new_int64(dev->last_good_at));
	json_object_object_add(o, "mac", json_object_new_string(dev->mac));
	json_object_object_add(o, "model", json_object_new_string(dev->model));
	json_object_object_add(o, "name", json_object_new_string(dev->name));
	json_object_object_add(o, "owner", json_object_new_string(dev->owner));
	json_object_object_add(o, "release", json_object_new_string(
	    dev->release));
	json_object_object_add(o, "serial", json_object_new_string(dev->serial));
	json_object_object_add(o, "state", json_object_new_string(dev->state));
	json_object_object_add(root, "device", o);

	json_object_object_add(root, "format",
	    json_object_new_string(LIFE_ARCHIVE_FORMAT));

	r = store_provision_get(gw->store, dev->device_id, &p, d);
	if (r == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "created_at",
		    json_object_new_int64(p.created_at));
		json_object_object_add(o, "ek_fpr",
		    json_object_new_string(p.ek_fpr));
		json_object_object_add(o, "mac", json_object_new_string(p.mac));
		json_object_object_add(o, "model",
		    json_object_new_string(p.model));
		json_object_object_add(o, "name", json_object_new_string(p.name));
		json_object_object_add(o, "owner",
		    json_object_new_string(p.owner));
		json_object_object_add(o, "serial",
		    json_object_new_string(p.serial));
		json_object_object_add(root, "provisioning", o);
	} else if (r == WG_ERR_NOT_FOUND)
		json_object_object_add(root, "provisioning", NULL);
	else
		goto out;
	json_object_object_add(root, "reason", json_object_new_string(reason));

	arr = json_object_new_array();
	json_object_object_add(root, "releases", arr);
	if ((r = store_release_history_each(gw->store, dev->device_id,
	    life_arch_release_cb, arr, d)) != 0)
		goto out;

	text = strdup(json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (text == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "archive");
		goto out;
	}
	*out = text;
	r = 0;
out:
	json_object_put(root);
	return r;
}

/* ---- decommissioning ---- */

/* Everything of a decommission, in the open transaction. */
static int
life_retire(struct gw *gw, struct store_device *dev, const char *actor,
    const char *reason, char sha[STORE_ID_LEN], struct wg_diag *d)
{
	struct store_decommission dc;
	struct store_audit au;
	struct store_hold h;
	enum dev_state cur;
	char *archive = NULL, before[STORE_STATE_LEN], detail[256];
	int64_t now = gw_now();
	int r;

	if (state_parse(dev->state, &cur) != 0)
		cur = DEV_UNTRUSTED;
	snprintf(before, sizeof(before), "%s", dev->state);
	/* The hold ends first: its audit row is in the archive. */
	r = store_hold_open(gw->store, dev->device_id, &h, d);
	if (r == 0)
		r = hold_release(gw, dev, actor, "device decommissioned", d);
	else if (r == WG_ERR_NOT_FOUND)
		r = 0;
	/* So are its field-service windows. */
	if (r == 0)
		r = service_close_all(gw, dev, actor, "device decommissioned",
		    d);
	if (r != 0 ||
	    (r = life_archive(gw, dev, actor, reason, now, &archive, d)) != 0)
		return r;
	memset(&dc, 0, sizeof(dc));
	memcpy(dc.device_id, dev->device_id, sizeof(dc.device_id));
	dc.at = now;
	snprintf(dc.actor, sizeof(dc.actor), "%s", actor);
	snprintf(dc.reason, sizeof(dc.reason), "%s", reason);
	dc.archive = (const uint8_t *)archive;
	dc.archive_len = strlen(archive);
	if ((r = store_decommission_add(gw->store, &dc, sha, d)) != 0)
		goto out;
	if ((r = store_ek_block(gw->store, dev->device_id, reason, d)) != 0)
		goto out;
	/* No later evidence can verify: the AK binding is gone. */
	memset(dev->ak_pub, 0, sizeof(dev->ak_pub));
	dev->ak_pub_len = 0;
	snprintf(detail, sizeof(detail), "%.127s; archive sha256 %s", reason,
	    sha);
	memset(&au, 0, sizeof(au));
	au.at = now;
	au.actor = actor;
	au.device_id = dev->device_id;
	au.action = "decommission";
	au.before = before;
	au.after = state_name(DEV_DECOMMISSIONED);
	au.detail = detail;
	if ((r = store_audit_add(gw->store, &au, d)) != 0 ||
	    (r = gw_set_state(gw, dev, state_next(cur, dev->approved,
	    DEV_EV_DECOMMISSION), actor, reason, d)) != 0)
		goto out;
	r = store_device_put(gw->store, dev, d);
out:
	free(archive);
	return r;
}

void
life_decommission(struct gw *gw, struct evhttp_request *req, const char *key)
{
	struct store_device *dev = calloc(1, sizeof(*dev));
	struct json_object *o = NULL, *v, *out;
	struct wg_diag d;
	char *body = NULL, actor[64], sha[STORE_ID_LEN];
	const char *reason;
	size_t len;
	int r, status = 500;

	wg_diag_clear(&d);
	admin_actor(req, actor, sizeof(actor));
	if (dev == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	if (gw_body(req, LIFE_BODY_MAX, &body, &len) != 0 ||
	    (o = json_tokener_parse(body)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		gw_send_error(req, 400, WG_ERR_JSON, "expected a JSON object");
		goto out;
	}
	if (json_object_object_length(o) != 1 ||
	    !json_object_object_get_ex(o, "reason", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !gw_text_ok(reason = json_object_get_string(v))) {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD, "expected exactly "
		    "{\"reason\": 1 to 128 printable bytes}");
		goto out;
	}
	if (admin_find_http(gw, req, key, dev) != 0)
		goto out;
	if (strcmp(dev->state, state_name(DEV_DECOMMISSIONED)) == 0) {
		gw_send_error(req, 409, WG_ERR_DEVICE_DECOMMISSIONED,
		    "the device is already decommissioned");
		goto out;
	}
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if ((r = life_retire(gw, dev, actor, reason, sha, &d)) != 0 ||
	    (r = store_commit(gw->store, &d)) != 0) {
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
		status = r == WG_ERR_TOO_LARGE ? 413 : 500;
		goto fail;
	}
	gw_changed_done(gw, 1);
	api_ak_forget(gw, dev->device_id);
	gw_log("device %.16s... %s decommissioned by %s: %s", dev->device_id,
	    dev->name, actor, reason);
	out = json_object_new_object();
	json_object_object_add(out, "decommissioned",
	    json_object_new_boolean(1));
	json_object_object_add(out, "archive_sha256",
	    json_object_new_string(sha));
	json_object_object_add(out, "device", admin_device_json(dev, 1));
	admin_reply(req, 200, out);
	goto out;
fail:
	gw_send_error(req, status, r, d.detail);
out:
	json_object_put(o);
	free(body);
	free(dev);
}

/* ---- the audit log ---- */

void
life_audit_verify(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *o;
	struct wg_diag d;
	uint8_t head[STORE_HASH_LEN];
	int64_t rows = 0, bad = 0, head_id = 0;
	int r;

	wg_diag_clear(&d);
	gw_flush(gw);
	r = store_audit_verify(gw->store, &rows, &bad, &d);
	if (r != 0 && r != WG_ERR_FORMAT) {
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "intact", json_object_new_boolean(r == 0));
	if (r == 0) {
		json_object_object_add(o, "rows", json_object_new_int64(rows));
		if (store_audit_head(gw->store, &head_id, head, &d) == 0) {
			json_object_object_add(o, "head_id",
			    json_object_new_int64(head_id));
			json_object_object_add(o, "head_sha256",
			    life_hex(head, sizeof(head)));
		}
	} else {
		json_object_object_add(o, "first_bad",
		    json_object_new_int64(bad));
		json_object_object_add(o, "message",
		    json_object_new_string(d.detail));
	}
	admin_reply(req, 200, o);
}

static int
life_audit_row_cb(const struct store_audit_row *a, void *arg)
{
	struct json_object *o = json_object_new_object();
	char ts[32];

	gw_time_iso(a->a.at, ts, sizeof(ts));
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "at", json_object_new_string(ts));
	json_object_object_add(o, "actor", json_object_new_string(a->a.actor));
	json_object_object_add(o, "device", a->a.device_id != NULL ?
	    json_object_new_string(a->a.device_id) : NULL);
	json_object_object_add(o, "action",
	    json_object_new_string(a->a.action));
	json_object_object_add(o, "before", a->a.before != NULL ?
	    json_object_new_string(a->a.before) : NULL);
	json_object_object_add(o, "after", a->a.after != NULL ?
	    json_object_new_string(a->a.after) : NULL);
	json_object_object_add(o, "detail", a->a.detail != NULL ?
	    json_object_new_string(a->a.detail) : NULL);
	json_object_array_add(arg, o);
	return 0;
}

void
life_audit_list(struct gw *gw, struct evhttp_request *req)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *q = u != NULL ? evhttp_uri_get_query(u) : NULL;
	struct evkeyvalq params;
	struct store_device *dev = NULL;
	struct json_object *arr;
	struct wg_diag d;
	const char *key = NULL, *id = NULL;
	int r;

	wg_diag_clear(&d);
	TAILQ_INIT(&params);
	if (q != NULL && evhttp_parse_query_str(q, &params) != 0) {
		gw_send_error(req, 400, WG_ERR_INVALID_ARG, "bad query");
		return;
	}
	key = evhttp_find_header(&params, "device");
	gw_flush(gw);
	if (key != NULL) {
		if ((dev = calloc(1, sizeof(*dev))) == NULL) {
			gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
			goto out;
		}
		r = admin_find(gw, key, dev, &d);
		if (r == 0)
			id = dev->device_id;
		else if (r == WG_ERR_DEVICE_UNKNOWN && strlen(key) == 64 &&
		    hex_is_lower(key, 64))
			id = key;	/* provisioned, never enrolled */
		else {
			gw_send_error(req, r == WG_ERR_DEVICE_UNKNOWN ? 404 :
			    400, r, d.detail);
			goto out;
		}
	}
	arr = json_object_new_array();
	if ((r = store_audit_each(gw->store, id, life_audit_row_cb, arr,
	    &d)) != 0) {
		json_object_put(arr);
		gw_send_error(req, 500, r, d.detail);
		goto out;
	}
	admin_reply(req, 200, arr);
out:
	evhttp_clear_headers(&params);
	free(dev);
}
