/*
 * admin.c: the admin API of wardgated, HTTP over its UNIX socket (only
 * the socket's owner and group can connect) and, with admin_listen, over
 * TLS with client certificates. roles.c says who may do what; the peer's
 * credentials or certificate name are the actor of every change.
 *
 *   GET  /admin/v1/status                 every device, one line each
 *   GET  /admin/v1/devices/ID             one device (ID or unique prefix)
 *   POST /admin/v1/devices/ID/approve     admit a pending device
 *   POST /admin/v1/devices/ID/rotate-ak   the agent must make a new AK
 *   POST /admin/v1/provision              a provisioning record (JSON)
 *   POST /admin/v1/provision/batch[?replace=1]  records, all or none
 *                                         (provfile; 409 on conflicts)
 *   POST /admin/v1/devices/ID/hold        clinical hold {"until","reason"}
 *   POST /admin/v1/devices/ID/hold/release  end it now
 *   GET  /admin/v1/enforcement            enforcer and RADIUS state
 *   GET  /admin/v1/devices/ID/ear         its EAR, JWT ES256 (ear_api.c)
 *   GET  /admin/v1/devices/ID/evidence    signed evidence bundle (evidence_api.c)
 *   GET  /admin/v1/ear                    one EAR for every device
 *   POST /admin/v1/devices/ID/decommission  retire it {"reason"} (life.c)
 *   GET  /admin/v1/audit[?device=ID]      audit rows (life.c)
 *   GET  /admin/v1/audit/verify           check the audit chain (life.c)
 *   POST /admin/v1/legacy                 register a device without a TPM
 *   GET  /admin/v1/legacy                 the legacy devices (service.c)
 *   POST /admin/v1/devices/ID/legacy/review  record a review (service.c)
 *   POST /admin/v1/devices/ID/service     open a field-service window
 *   POST /admin/v1/devices/ID/service/close  close its windows (service.c)
 *   GET  /admin/v1/service                the open windows (service.c)
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/http.h>
#include <json-c/json.h>

#include <openssl/evp.h>

#include "b64.h"
#include "enfmsg.h"
#include "gateway.h"
#include "hex.h"
#include "policy.h"
#include "provfile.h"

#define ADMIN_BODY_MAX (64u * 1024)
#define ADMIN_PREFIX_MIN 8

/* The gateway whose admin API this is (set by admin_dispatch). */
static const struct gw *admin_gw;

/*
 * "admin:uid=N role=R" (UNIX socket) or "admin:cert=CN role=R" (TLS) for
 * the request's peer, from the same function that gave its roles.
 */
void
admin_actor(struct evhttp_request *req, char *out, size_t len)
{
	snprintf(out, len, "admin:unknown");
	if (admin_gw != NULL)
		(void)roles_of_request(admin_gw, req, out, len);
}

/*
 * The caller's roles against what the request needs. A refusal is
 * answered 403 and recorded as an audit row of its own. 0: go on.
 */
static int
admin_authorize(struct gw *gw, struct evhttp_request *req, const char *uri,
    enum evhttp_cmd_type cmd)
{
	struct store_audit au;
	struct wg_diag d;
	unsigned have, need;
	char actor[64], detail[256];

	have = roles_of_request(gw, req, actor, sizeof(actor));
	need = roles_required(cmd == EVHTTP_REQ_GET, uri);
	if (have & need)
		return 0;
	snprintf(detail, sizeof(detail), "%s %.160s: needs %s%s%s", cmd ==
	    EVHTTP_REQ_GET ? "GET" : cmd == EVHTTP_REQ_POST ? "POST" : "other",
	    uri, need & ROLE_ADMIN ? "admin" : "",
	    need & ROLE_SECURITY ? " or security" : "",
	    need & ROLE_CLINICAL ? " or clinical" : "");
	gw_log("admin: refused %s: %s", actor, detail);
	wg_diag_clear(&d);
	gw_flush(gw);
	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = actor;
	au.action = "refused";
	au.detail = detail;
	if (store_begin(gw->store, &d) != 0 ||
	    store_audit_add(gw->store, &au, &d) != 0 ||
	    store_commit(gw->store, &d) != 0) {
		store_rollback(gw->store);
		gw_log("admin: refusal not recorded: %s", d.detail);
	}
	gw_send_error(req, 403, WG_ERR_FORBIDDEN, detail);
	return -1;
}

struct json_object *
admin_device_json(const struct store_device *dev, int full)
{
	struct json_object *o = json_object_new_object(), *reasons;
	char ts[32];

	json_object_object_add(o, "id", json_object_new_string(dev->device_id));
	json_object_object_add(o, "name", json_object_new_string(dev->name));
	json_object_object_add(o, "model", json_object_new_string(dev->model));
	json_object_object_add(o, "owner", json_object_new_string(dev->owner));
	json_object_object_add(o, "state", json_object_new_string(dev->state));
	json_object_object_add(o, "segment",
	    json_object_new_string(dev->segment));
	json_object_object_add(o, "release", dev->release[0] != '\0' ?
	    json_object_new_string(dev->release) : NULL);
	gw_time_iso(dev->last_attest_at, ts, sizeof(ts));
	json_object_object_add(o, "last_attestation",
	    ts[0] != '\0' ? json_object_new_string(ts) : NULL);
	reasons = json_tokener_parse(dev->reasons);
	json_object_object_add(o, "reasons",
	    reasons != NULL ? reasons : json_object_new_array());
	if (!full)
		return o;
	json_object_object_add(o, "serial", json_object_new_string(dev->serial));
	json_object_object_add(o, "mac", json_object_new_string(dev->mac));
	json_object_object_add(o, "approved",
	    json_object_new_boolean(dev->approved));
	gw_time_iso(dev->enrolled_at, ts, sizeof(ts));
	json_object_object_add(o, "enrolled", json_object_new_string(ts));
	gw_time_iso(dev->state_since, ts, sizeof(ts));
	json_object_object_add(o, "state_since", json_object_new_string(ts));
	gw_time_iso(dev->last_good_at, ts, sizeof(ts));
	json_object_object_add(o, "last_good_attestation",
	    ts[0] != '\0' ? json_object_new_string(ts) : NULL);
	json_object_object_add(o, "attest_interval",
	    json_object_new_int64(dev->attest_interval));
	json_object_object_add(o, "attestations",
	    json_object_new_int64((int64_t)dev->attest_count));
	json_object_object_add(o, "failures",
	    json_object_new_int64((int64_t)dev->fail_count));
	json_object_object_add(o, "eventlog_sha256",
	    json_object_new_string(dev->eventlog_sha256));
	json_object_object_add(o, "claims", json_tokener_parse(dev->claims));
	if (dev->has_clock) {
		json_object_object_add(o, "tpm_reset_count",
		    json_object_new_int64(dev->reset_count));
		json_object_object_add(o, "tpm_restart_count",
		    json_object_new_int64(dev->restart_count));
	}
	return o;
}

void
admin_reply(struct evhttp_request *req, int status, struct json_object *o)
{
	gw_send_json(req, status, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int
admin_status_cb(const struct store_device *dev, void *arg)
{
	json_object_array_add(arg, admin_device_json(dev, 0));
	return 0;
}

static void
admin_status(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *arr = json_object_new_array();
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	gw_flush(gw);
	if ((r = store_device_each(gw->store, admin_status_cb, arr, &d)) != 0) {
		json_object_put(arr);
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	admin_reply(req, 200, arr);
}

struct prefix_arg {
	const char *key;
	size_t len;
	char by_id[STORE_ID_LEN], by_name[STORE_ID_LEN];
	int n_id, n_name;
};

static int
admin_prefix_cb(const struct store_device *dev, void *arg)
{
	struct prefix_arg *a = arg;

	if (a->len >= ADMIN_PREFIX_MIN &&
	    strncmp(dev->device_id, a->key, a->len) == 0) {
		memcpy(a->by_id, dev->device_id, STORE_ID_LEN);
		a->n_id++;
	}
	if (strcmp(dev->name, a->key) == 0) {
		memcpy(a->by_name, dev->device_id, STORE_ID_LEN);
		a->n_name++;
	}
	return 0;
}

/*
 * Resolves a device id, a unique id prefix of at least ADMIN_PREFIX_MIN
 * digits, or else a unique name.
 */
int
admin_find(struct gw *gw, const char *key, struct store_device *dev,
    struct wg_diag *d)
{
	struct prefix_arg a;
	int r;

	memset(&a, 0, sizeof(a));
	a.key = key;
	a.len = strlen(key);
	if ((r = store_device_each(gw->store, admin_prefix_cb, &a, d)) != 0)
		return r;
	if (a.n_id == 1)
		return store_device_get(gw->store, a.by_id, dev, d);
	if (a.n_id > 1)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "\"%.64s\" is the start of %d device ids; give more of it",
		    key, a.n_id);
	if (a.n_name == 1)
		return store_device_get(gw->store, a.by_name, dev, d);
	if (a.n_name > 1)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "%d devices are named \"%.64s\"; give the id", a.n_name,
		    key);
	return wg_diag_set(d, WG_ERR_DEVICE_UNKNOWN,
	    "no device with id, id prefix (at least %d digits) or name "
	    "\"%.64s\"", ADMIN_PREFIX_MIN, key);
}

int
admin_find_http(struct gw *gw, struct evhttp_request *req, const char *key,
    struct store_device *dev)
{
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	gw_flush(gw);
	if ((r = admin_find(gw, key, dev, &d)) == 0)
		return 0;
	gw_send_error(req, r == WG_ERR_DEVICE_UNKNOWN ? 404 : 400, r,
	    d.detail);
	return -1;
}

/*
 * The device's provisioning record (schema 6: UDI, batch, location and
 * the owner of each lifecycle stage), or null when it has none.
 */
static struct json_object *
admin_prov_json(struct gw *gw, const struct store_device *dev)
{
	struct store_provision p;
	struct json_object *o;
	struct wg_diag d;

	wg_diag_clear(&d);
	if (store_provision_get(gw->store, dev->device_id, &p, &d) != 0 ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "serial", json_object_new_string(p.serial));
	json_object_object_add(o, "model", json_object_new_string(p.model));
	json_object_object_add(o, "udi", json_object_new_string(p.udi));
	json_object_object_add(o, "batch", json_object_new_string(p.batch));
	json_object_object_add(o, "owner", json_object_new_string(p.owner));
	json_object_object_add(o, "location",
	    json_object_new_string(p.location));
	json_object_object_add(o, "owner_identity",
	    json_object_new_string(p.owner_identity));
	json_object_object_add(o, "owner_update",
	    json_object_new_string(p.owner_update));
	json_object_object_add(o, "owner_vuln",
	    json_object_new_string(p.owner_vuln));
	json_object_object_add(o, "owner_decommission",
	    json_object_new_string(p.owner_decommission));
	json_object_object_add(o, "mac", json_object_new_string(p.mac));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(p.created_at));
	return o;
}

static void
admin_show(struct gw *gw, struct evhttp_request *req, const char *key)
{
	struct store_device *dev = calloc(1, sizeof(*dev));

	if (dev == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	if (admin_find_http(gw, req, key, dev) == 0) {
		struct json_object *o = admin_device_json(dev, 1);

		json_object_object_add(o, "hold", hold_json(gw, dev));
		json_object_object_add(o, "releases",
		    life_releases_json(gw, dev));
		json_object_object_add(o, "advisories",
		    advisories_device_json(gw, dev));
		json_object_object_add(o, "provisioning",
		    admin_prov_json(gw, dev));
		json_object_object_add(o, "ak_created_at",
		    json_object_new_int64(dev->ak_created_at));
		json_object_object_add(o, "rotate_ak",
		    json_object_new_boolean(dev->rotate_ak));
		json_object_object_add(o, "legacy",
		    service_legacy_json(gw, dev));
		json_object_object_add(o, "service",
		    service_device_json(gw, dev));
		admin_reply(req, 200, o);
	}
	free(dev);
}

/* Admits dev (in memory; caller writes it), recording who did it. */
static int
admin_admit(struct gw *gw, struct store_device *dev, const char *actor,
    const char *why, struct wg_diag *d)
{
	struct store_audit au;
	enum dev_state cur;
	int r;

	if (state_parse(dev->state, &cur) != 0)
		cur = DEV_UNTRUSTED;
	if (cur == DEV_DECOMMISSIONED)
		return wg_diag_set(d, WG_ERR_DEVICE_DECOMMISSIONED,
		    "a decommissioned device is never re-admitted");
	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = actor;
	au.device_id = dev->device_id;
	au.action = "approve";
	au.detail = why;
	if ((r = store_audit_add(gw->store, &au, d)) != 0)
		return r;
	dev->approved = 1;
	return gw_set_state(gw, dev, state_next(cur, 1, DEV_EV_APPROVED),
	    actor, why, d);
}

static void
admin_approve(struct gw *gw, struct evhttp_request *req, const char *key)
{
	struct store_device *dev = calloc(1, sizeof(*dev));
	struct wg_diag d;
	char actor[64];
	int r;

	wg_diag_clear(&d);
	if (dev == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	admin_actor(req, actor, sizeof(actor));
	if (admin_find_http(gw, req, key, dev) != 0)
		goto out;
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if (dev->approved) {
		store_rollback(gw->store);
		admin_reply(req, 200, admin_device_json(dev, 1));
		goto out;
	}
	if ((r = admin_admit(gw, dev, actor, "approved by an administrator",
	    &d)) != 0 ||
	    (r = store_device_put(gw->store, dev, &d)) != 0 ||
	    (r = store_commit(gw->store, &d)) != 0) {
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
		goto fail;
	}
	gw_changed_done(gw, 1);
	admin_reply(req, 200, admin_device_json(dev, 1));
	goto out;
fail:
	gw_send_error(req, r == WG_ERR_DEVICE_DECOMMISSIONED ? 409 : 500, r,
	    d.detail);
out:
	free(dev);
}

/*
 * POST .../rotate-ak: the device's next evidence is answered "rotate":
 * its agent makes a fresh AK under the same EK, enrolls and activates it
 * (api.c records the change). Answers with the device.
 */
static void
admin_rotate_ak(struct gw *gw, struct evhttp_request *req, const char *key)
{
	struct store_device *dev = calloc(1, sizeof(*dev));
	struct store_audit au;
	struct wg_diag d;
	char actor[64];
	int r;

	wg_diag_clear(&d);
	if (dev == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	admin_actor(req, actor, sizeof(actor));
	if (admin_find_http(gw, req, key, dev) != 0)
		goto out;
	if (strcmp(dev->state, "decommissioned") == 0) {
		gw_send_error(req, 409, WG_ERR_DEVICE_DECOMMISSIONED, NULL);
		goto out;
	}
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	dev->rotate_ak = 1;
	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = actor;
	au.device_id = dev->device_id;
	au.action = "ak-rotate-requested";
	au.detail = "the next evidence is answered \"rotate\"";
	if ((r = store_audit_add(gw->store, &au, &d)) != 0 ||
	    (r = store_device_put(gw->store, dev, &d)) != 0 ||
	    (r = store_commit(gw->store, &d)) != 0) {
		store_rollback(gw->store);
		goto fail;
	}
	admin_reply(req, 200, admin_device_json(dev, 1));
	goto out;
fail:
	gw_send_error(req, 500, r, d.detail);
out:
	free(dev);
}

/*
 * POST .../hold {"until": UNIX-SECONDS, "reason": TEXT} or .../hold/release
 * {"reason": TEXT} (optional). Answers with the device, its hold included.
 */
static void
admin_hold(struct gw *gw, struct evhttp_request *req, const char *key,
    int release)
{
	struct store_device *dev = calloc(1, sizeof(*dev));
	struct json_object *o = NULL, *v, *out;
	struct wg_diag d;
	const char *reason = NULL;
	char *body = NULL, actor[64];
	int64_t until = 0;
	size_t len;
	int r, status = 500;

	wg_diag_clear(&d);
	admin_actor(req, actor, sizeof(actor));
	if (dev == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	if (gw_body(req, ADMIN_BODY_MAX, &body, &len) != 0 ||
	    (o = json_tokener_parse(body)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		gw_send_error(req, 400, WG_ERR_JSON, "expected a JSON object");
		goto out;
	}
	if (json_object_object_get_ex(o, "reason", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			gw_send_error(req, 400, WG_ERR_BAD_FIELD,
			    "reason: a string");
			goto out;
		}
		reason = json_object_get_string(v);
	}
	if (!release) {
		if (!json_object_object_get_ex(o, "until", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (until = json_object_get_int64(v)) <= 0) {
			gw_send_error(req, 400, WG_ERR_BAD_FIELD,
			    "until: unix seconds");
			goto out;
		}
		if (json_object_object_length(o) != 2 || reason == NULL) {
			gw_send_error(req, 400, WG_ERR_MISSING_FIELD,
			    "a hold has exactly \"until\" and \"reason\"");
			goto out;
		}
	} else if (json_object_object_length(o) > (reason != NULL ? 1 : 0)) {
		gw_send_error(req, 400, WG_ERR_UNKNOWN_FIELD,
		    "release takes only \"reason\"");
		goto out;
	}
	if (admin_find_http(gw, req, key, dev) != 0)
		goto out;
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	r = release ? hold_release(gw, dev, actor, reason != NULL ? reason :
	    "released by an administrator", &d) :
	    hold_grant(gw, dev, until, reason, actor, &d);
	if (r != 0 || (r = store_device_put(gw->store, dev, &d)) != 0 ||
	    (r = store_commit(gw->store, &d)) != 0) {
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
		status = r == WG_ERR_HOLD ? 409 : r == WG_ERR_NOT_FOUND ? 404 :
		    500;
		goto fail;
	}
	gw_changed_done(gw, 1);
	out = admin_device_json(dev, 1);
	json_object_object_add(out, "hold", hold_json(gw, dev));
	admin_reply(req, 200, out);
	goto out;
fail:
	gw_send_error(req, status, r, d.detail);
out:
	json_object_put(o);
	free(body);
	free(dev);
}

static void
admin_enforcement(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "enforcer", enf_status_json(gw));
	json_object_object_add(o, "radius", radsrv_status_json(gw));
	admin_reply(req, 200, o);
}

/* Copies a string member of o into out (absent: ""); -1 if too long. */
static int
admin_str(struct json_object *o, const char *key, char *out, size_t len)
{
	struct json_object *v;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (strlen(s) >= len)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static void
admin_provision(struct gw *gw, struct evhttp_request *req)
{
	static const char *const keys[] = { "ek_fpr", "name", "serial",
	    "model", "owner", "mac" };
	struct store_provision p;
	struct store_device *dev = NULL;
	struct json_object *o = NULL;
	struct json_object_iterator it, end;
	struct wg_diag d;
	char *body = NULL, actor[64];
	size_t len, i;
	int r, known;

	wg_diag_clear(&d);
	memset(&p, 0, sizeof(p));
	admin_actor(req, actor, sizeof(actor));
	if ((r = gw_body(req, ADMIN_BODY_MAX, &body, &len)) != 0 ||
	    (o = json_tokener_parse(body)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		gw_send_error(req, 400, WG_ERR_JSON, "expected a JSON object");
		goto out;
	}
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			gw_send_error(req, 400, WG_ERR_UNKNOWN_FIELD, k);
			goto out;
		}
	}
	if (admin_str(o, "ek_fpr", p.ek_fpr, sizeof(p.ek_fpr)) != 0 ||
	    strlen(p.ek_fpr) != 64 || !hex_is_lower(p.ek_fpr, 64) ||
	    admin_str(o, "name", p.name, sizeof(p.name)) != 0 ||
	    admin_str(o, "serial", p.serial, sizeof(p.serial)) != 0 ||
	    admin_str(o, "model", p.model, sizeof(p.model)) != 0 ||
	    admin_str(o, "owner", p.owner, sizeof(p.owner)) != 0 ||
	    admin_str(o, "mac", p.mac, sizeof(p.mac)) != 0 ||
	    p.name[0] == '\0' || p.model[0] == '\0') {
		gw_send_error(req, 400, WG_ERR_BAD_FIELD,
		    "need ek_fpr (64 lowercase hex), name and model; "
		    "strings within their limits");
		goto out;
	}
	/* One spelling of a MAC: the uniqueness checks compare text. */
	if (p.mac[0] != '\0') {
		uint8_t m[ENFMSG_MAC_LEN];

		if (enfmsg_mac_parse(p.mac, m) != 0 || !enfmsg_mac_valid(m)) {
			gw_send_error(req, 400, WG_ERR_BAD_FIELD, "mac: a "
			    "unicast aa:bb:cc:dd:ee:ff");
			goto out;
		}
		enfmsg_mac_format(m, p.mac);
	}
	p.created_at = gw_now();
	if ((dev = calloc(1, sizeof(*dev))) == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		goto out;
	}
	gw_flush(gw);
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	/* As an import with --replace: another device's MAC, name or
	 * serial, or a retired EK, is refused (lib/provfile.h). */
	if ((r = provfile_check_one(gw->store, &p, NULL, &d)) != 0 ||
	    (r = service_mac_takeover(gw, p.mac, p.ek_fpr, actor, &d)) != 0 ||
	    (r = store_provision_put(gw->store, &p, &d)) != 0)
		goto rollback;
	{
		struct store_audit au;

		memset(&au, 0, sizeof(au));
		au.at = gw_now();
		au.actor = actor;
		au.device_id = p.ek_fpr;
		au.action = "provision";
		au.detail = p.name;
		if ((r = store_audit_add(gw->store, &au, &d)) != 0)
			goto rollback;
	}
	r = store_device_get(gw->store, p.ek_fpr, dev, &d);
	known = r == 0;
	if (r != 0 && r != WG_ERR_NOT_FOUND)
		goto rollback;
	if (known) {
		/* The record, not the agent, names and places the device. */
		memcpy(dev->name, p.name, sizeof(dev->name));
		memcpy(dev->model, p.model, sizeof(dev->model));
		memcpy(dev->owner, p.owner, sizeof(dev->owner));
		memcpy(dev->serial, p.serial, sizeof(dev->serial));
		if (strcmp(dev->mac, p.mac) != 0 &&
		    (r = gw_changed_add(gw, dev->device_id, &d)) != 0)
			goto rollback;
		memcpy(dev->mac, p.mac, sizeof(dev->mac));
		if (!dev->approved && (r = admin_admit(gw, dev, actor,
		    "provisioning record added", &d)) != 0)
			goto rollback;
		if ((r = store_device_put(gw->store, dev, &d)) != 0)
			goto rollback;
	}
	if ((r = store_commit(gw->store, &d)) != 0)
		goto rollback;
	gw_changed_done(gw, 1);
	gw_send_json(req, 200, known ? "{\"provisioned\":true,\"device\":true}" :
	    "{\"provisioned\":true,\"device\":false}");
	goto out;
rollback:
	store_rollback(gw->store);
	gw_changed_done(gw, 0);
fail:
	gw_send_error(req, r == WG_ERR_DEVICE_DECOMMISSIONED ||
	    r == WG_ERR_CONFLICT ? 409 : r == WG_ERR_TOO_LARGE ||
	    r == WG_ERR_BAD_FIELD ? 400 : 500, r, d.detail);
out:
	json_object_put(o);
	free(body);
	free(dev);
}

/*
 * 409 CONFLICT for a batch: every conflict (the first ones; "n" counts
 * all) as {"record": index in the batch, "column", "error", "why",
 * "replaceable"}: the CLI maps the index to its file's line.
 */
static void
admin_batch_conflicts(struct evhttp_request *req,
    const struct provfile_conflicts *pc)
{
	struct json_object *o = json_object_new_object(), *a, *c;
	char msg[128];
	size_t i;

	snprintf(msg, sizeof(msg), "%u conflict%s with stored records or "
	    "devices; nothing imported", pc->n, pc->n == 1 ? "" : "s");
	json_object_object_add(o, "error",
	    json_object_new_string(wg_errname(WG_ERR_CONFLICT)));
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "n", json_object_new_int64(pc->n));
	a = json_object_new_array();
	for (i = 0; i < pc->nkept; i++) {
		c = json_object_new_object();
		json_object_object_add(c, "record",
		    json_object_new_int64((int64_t)pc->c[i].rec));
		json_object_object_add(c, "column",
		    json_object_new_string(pc->c[i].col));
		json_object_object_add(c, "error",
		    json_object_new_string(wg_errname(pc->c[i].err)));
		json_object_object_add(c, "why",
		    json_object_new_string(pc->c[i].why));
		json_object_object_add(c, "replaceable",
		    json_object_new_boolean(pc->c[i].replaceable));
		json_object_array_add(a, c);
	}
	json_object_object_add(o, "conflicts", a);
	admin_reply(req, 409, o);
}

/*
 * A maker's batch: the JSON array `wardgate device import` sends, checked
 * again here (lib/provfile.h), then against the store in the transaction
 * that applies it (provfile_check_stored(): a conflict refuses it all;
 * "?replace=1" lets a record replace its EK's different one). A record
 * the same as its stored one changes nothing; each other gets an audit
 * row, and the batch one with the body's SHA-256 when anything changed.
 */
static void
admin_provision_batch(struct gw *gw, struct evhttp_request *req, int replace)
{
	struct provfile *pf = NULL;
	struct provfile_report *rep = NULL;
	struct provfile_conflicts *pc = NULL;
	struct store_device *dev = NULL;
	struct store_provision old;
	struct store_audit au;
	struct wg_diag d;
	char *body = NULL, actor[64], hexsum[65], detail[256], reply[256];
	char cols[160];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t len, i, nadd = 0, nrep = 0;
	int r;

	wg_diag_clear(&d);
	admin_actor(req, actor, sizeof(actor));
	if ((r = gw_body(req, PROVFILE_BATCH_MAX, &body, &len)) != 0) {
		gw_send_error(req, r == WG_ERR_TOO_LARGE ? 400 : 500, r,
		    "provisioning batch");
		goto out;
	}
	if ((rep = malloc(sizeof(*rep))) == NULL ||
	    (pc = malloc(sizeof(*pc))) == NULL ||
	    (dev = calloc(1, sizeof(*dev))) == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		goto out;
	}
	if ((r = provfile_parse(body, len, PROVFILE_JSON, &pf, rep,
	    &d)) != 0) {
		gw_send_error(req, r == WG_ERR_ALLOC ? 500 : 400, r,
		    r == WG_ERR_BAD_FIELD ? rep->text : d.detail);
		goto out;
	}
	if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		gw_send_error(req, 500, WG_ERR_CRYPTO, "SHA-256");
		goto out;
	}
	hex_encode(md, 32, hexsum, sizeof(hexsum));
	gw_flush(gw);
	if ((r = store_begin(gw->store, &d)) != 0)
		goto fail;
	if ((r = provfile_check_stored(gw->store, pf, replace, pc,
	    &d)) == WG_ERR_CONFLICT) {
		store_rollback(gw->store);
		admin_batch_conflicts(req, pc);
		goto out;
	}
	if (r != 0)
		goto rollback;
	for (i = 0; i < pf->n; i++) {
		struct store_provision *p = &pf->recs[i].p;

		if (pf->recs[i].act == PROVFILE_SAME)
			continue;
		memset(&au, 0, sizeof(au));
		au.detail = p->name;
		if (pf->recs[i].act == PROVFILE_REPLACE) {
			if ((r = store_provision_get(gw->store, p->ek_fpr,
			    &old, &d)) != 0)
				goto rollback;
			(void)provfile_differs(&old, p, cols, sizeof(cols));
			snprintf(detail, sizeof(detail), "%.64s: replaces the "
			    "stored record (%s)", p->name, cols);
			au.detail = detail;
			nrep++;
		} else
			nadd++;
		p->created_at = gw_now();
		if ((r = service_mac_takeover(gw, p->mac, p->ek_fpr, actor,
		    &d)) != 0 ||
		    (r = store_provision_put(gw->store, p, &d)) != 0)
			goto rollback;
		au.at = gw_now();
		au.actor = actor;
		au.device_id = p->ek_fpr;
		au.action = "provision";
		if ((r = store_audit_add(gw->store, &au, &d)) != 0)
			goto rollback;
		if ((r = store_device_get(gw->store, p->ek_fpr, dev, &d)) ==
		    WG_ERR_NOT_FOUND)
			continue;
		if (r != 0)
			goto rollback;
		/* As admin_provision(): the record names the device. */
		memcpy(dev->name, p->name, sizeof(dev->name));
		memcpy(dev->model, p->model, sizeof(dev->model));
		memcpy(dev->owner, p->owner, sizeof(dev->owner));
		memcpy(dev->serial, p->serial, sizeof(dev->serial));
		if (strcmp(dev->mac, p->mac) != 0 &&
		    (r = gw_changed_add(gw, dev->device_id, &d)) != 0)
			goto rollback;
		memcpy(dev->mac, p->mac, sizeof(dev->mac));
		if (!dev->approved && (r = admin_admit(gw, dev, actor,
		    "provisioning record added", &d)) != 0)
			goto rollback;
		if ((r = store_device_put(gw->store, dev, &d)) != 0)
			goto rollback;
	}
	if (nadd + nrep > 0) {
		snprintf(detail, sizeof(detail), "%zu records, sha256 %s: %zu "
		    "new, %zu replaced, %zu unchanged", pf->n, hexsum, nadd,
		    nrep, pf->n - nadd - nrep);
		memset(&au, 0, sizeof(au));
		au.at = gw_now();
		au.actor = actor;
		au.device_id = NULL;
		au.action = "provision-batch";
		au.detail = detail;
		if ((r = store_audit_add(gw->store, &au, &d)) != 0)
			goto rollback;
	}
	if ((r = store_commit(gw->store, &d)) != 0)
		goto rollback;
	gw_changed_done(gw, 1);
	snprintf(reply, sizeof(reply), "{\"provisioned\":%zu,\"new\":%zu,"
	    "\"replaced\":%zu,\"unchanged\":%zu,\"sha256\":\"%s\"}",
	    nadd + nrep, nadd, nrep, pf->n - nadd - nrep, hexsum);
	gw_send_json(req, 200, reply);
	goto out;
rollback:
	store_rollback(gw->store);
	gw_changed_done(gw, 0);
fail:
	gw_send_error(req, r == WG_ERR_TOO_LARGE ? 400 : 500, r, d.detail);
out:
	provfile_free(pf);
	free(pc);
	free(rep);
	free(body);
	free(dev);
}

/*
 * Strict base64 (RFC 4648, padded, no whitespace; lib/b64.h) into a new
 * buffer of at most max bytes; -1 on anything else.
 */
static int
admin_unbase64(const char *in, size_t max, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(in);

	if (n == 0 || n / 4 * 3 > max + 2 ||
	    b64_decode(in, n, B64_STD, out, outlen) != 0)
		return -1;
	if (*outlen > max) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static void
admin_policy_install(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *o = NULL, *b, *sg, *resp;
	const struct policy *p = NULL;
	struct wg_diag d;
	uint8_t *bundle = NULL, *sig = NULL;
	size_t blen, slen, len;
	char *body = NULL, actor[64];
	int r;

	wg_diag_clear(&d);
	admin_actor(req, actor, sizeof(actor));
	if ((r = gw_body(req, 2 * POLICY_MAX_BYTES, &body, &len)) != 0 ||
	    (o = json_tokener_parse(body)) == NULL ||
	    !json_object_is_type(o, json_type_object) ||
	    json_object_object_length(o) != 2 ||
	    !json_object_object_get_ex(o, "bundle", &b) ||
	    !json_object_object_get_ex(o, "signature", &sg) ||
	    !json_object_is_type(b, json_type_string) ||
	    !json_object_is_type(sg, json_type_string) ||
	    admin_unbase64(json_object_get_string(b), POLICY_MAX_BYTES, &bundle,
	    &blen) != 0 ||
	    admin_unbase64(json_object_get_string(sg), 1024, &sig, &slen) != 0) {
		gw_send_error(req, 400, WG_ERR_JSON, "expected {\"bundle\": "
		    "base64, \"signature\": base64}");
		goto out;
	}
	if ((r = policies_install(gw, bundle, blen, sig, slen, actor, &p,
	    &d)) != 0) {
		gw_send_error(req, r == WG_ERR_POLICY_ROLLBACK ? 409 :
		    r == WG_ERR_POLICY_ISSUER || r == WG_ERR_POLICY_SIGNATURE ?
		    403 : r == WG_ERR_POLICY ? 400 : 500, r, d.detail);
		goto out;
	}
	resp = json_object_new_object();
	json_object_object_add(resp, "installed", json_object_new_boolean(1));
	json_object_object_add(resp, "issuer", json_object_new_string(p->issuer));
	json_object_object_add(resp, "version",
	    json_object_new_int64((int64_t)p->version));
	json_object_object_add(resp, "models",
	    json_object_new_int64((int64_t)p->nmodels));
	admin_reply(req, 200, resp);
out:
	json_object_put(o);
	free(body);
	free(bundle);
	free(sig);
}

/* Finds the device named key (committed data) and hands it to fn. */
static void
admin_with_device(struct gw *gw, struct evhttp_request *req, const char *key,
    void (*fn)(struct gw *, struct evhttp_request *,
    const struct store_device *))
{
	struct store_device *dev = calloc(1, sizeof(*dev));

	if (dev == NULL)
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
	else if (admin_find_http(gw, req, key, dev) == 0)
		fn(gw, req, dev);
	free(dev);
}

void
admin_dispatch(struct evhttp_request *req, void *arg)
{
	struct gw *gw = arg;
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	static const char dev_prefix[] = "/admin/v1/devices/";
	char key[STORE_ID_LEN + STORE_TEXT_LEN];
	const char *rest, *slash;
	size_t n;

	admin_gw = gw;
	if (uri == NULL) {
		gw_send_error(req, 400, WG_ERR_INVALID_ARG, "no path");
		return;
	}
	if (admin_authorize(gw, req, uri, cmd) != 0)
		return;
	if (cmd == EVHTTP_REQ_GET && (strcmp(uri, "/admin/v1/status") == 0 ||
	    strcmp(uri, "/admin/v1/devices") == 0)) {
		admin_status(gw, req);
		return;
	}
	if (strcmp(uri, "/admin/v1/advisories") == 0) {
		char actor[64];

		if (cmd == EVHTTP_REQ_GET)
			advisories_list_http(gw, req);
		else if (cmd == EVHTTP_REQ_POST) {
			admin_actor(req, actor, sizeof(actor));
			advisories_add_http(gw, req, actor);
		} else
			gw_send_error(req, 405, WG_ERR_INVALID_ARG, "GET or POST");
		return;
	}
	if (strcmp(uri, "/admin/v1/legacy") == 0) {
		char actor[64];

		if (cmd == EVHTTP_REQ_GET)
			service_legacy_list_http(gw, req);
		else if (cmd == EVHTTP_REQ_POST) {
			admin_actor(req, actor, sizeof(actor));
			service_legacy_add_http(gw, req, actor);
		} else
			gw_send_error(req, 405, WG_ERR_INVALID_ARG, "GET or POST");
		return;
	}
	if (cmd == EVHTTP_REQ_GET && strcmp(uri, "/admin/v1/service") == 0) {
		service_list_http(gw, req);
		return;
	}
	if (strcmp(uri, "/admin/v1/policies") == 0) {
		if (cmd == EVHTTP_REQ_GET)
			admin_reply(req, 200, policies_json(gw));
		else if (cmd == EVHTTP_REQ_POST)
			admin_policy_install(gw, req);
		else
			gw_send_error(req, 405, WG_ERR_INVALID_ARG, "GET or POST");
		return;
	}
	if (cmd == EVHTTP_REQ_GET && strcmp(uri, "/admin/v1/ear") == 0) {
		ear_api_all(gw, req);
		return;
	}
	if (cmd == EVHTTP_REQ_GET && strcmp(uri, "/admin/v1/enforcement") == 0) {
		admin_enforcement(gw, req);
		return;
	}
	if (cmd == EVHTTP_REQ_GET &&
	    strcmp(uri, "/admin/v1/audit/verify") == 0) {
		life_audit_verify(gw, req);
		return;
	}
	if (cmd == EVHTTP_REQ_GET && (strcmp(uri, "/admin/v1/audit") == 0 ||
	    strncmp(uri, "/admin/v1/audit?", 16) == 0)) {
		life_audit_list(gw, req);
		return;
	}
	if (cmd == EVHTTP_REQ_POST && strcmp(uri, "/admin/v1/provision") == 0) {
		admin_provision(gw, req);
		return;
	}
	if (cmd == EVHTTP_REQ_POST &&
	    (strcmp(uri, "/admin/v1/provision/batch") == 0 ||
	    strcmp(uri, "/admin/v1/provision/batch?replace=1") == 0)) {
		admin_provision_batch(gw, req, strchr(uri, '?') != NULL);
		return;
	}
	if (strncmp(uri, dev_prefix, sizeof(dev_prefix) - 1) == 0) {
		rest = uri + sizeof(dev_prefix) - 1;
		slash = strchr(rest, '/');
		n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
		if (n == 0 || n >= sizeof(key)) {
			gw_send_error(req, 400, WG_ERR_INVALID_ARG, "bad device");
			return;
		}
		memcpy(key, rest, n);
		key[n] = '\0';
		{
			char *dec = evhttp_uridecode(key, 0, NULL);

			if (dec == NULL || strlen(dec) >= sizeof(key)) {
				free(dec);
				gw_send_error(req, 400, WG_ERR_INVALID_ARG,
				    "bad device");
				return;
			}
			strcpy(key, dec);
			free(dec);
		}
		if (slash == NULL && cmd == EVHTTP_REQ_GET) {
			admin_show(gw, req, key);
			return;
		}
		if (slash != NULL && strcmp(slash, "/ear") == 0 &&
		    cmd == EVHTTP_REQ_GET) {
			admin_with_device(gw, req, key, ear_api_device);
			return;
		}
		if (slash != NULL && strcmp(slash, "/evidence") == 0 &&
		    cmd == EVHTTP_REQ_GET) {
			admin_with_device(gw, req, key, evidence_api_device);
			return;
		}
		if (slash != NULL && strcmp(slash, "/approve") == 0 &&
		    cmd == EVHTTP_REQ_POST) {
			admin_approve(gw, req, key);
			return;
		}
		if (slash != NULL && strcmp(slash, "/rotate-ak") == 0 &&
		    cmd == EVHTTP_REQ_POST) {
			admin_rotate_ak(gw, req, key);
			return;
		}
		if (slash != NULL && cmd == EVHTTP_REQ_POST &&
		    (strcmp(slash, "/hold") == 0 ||
		    strcmp(slash, "/hold/release") == 0)) {
			admin_hold(gw, req, key, slash[5] == '/');
			return;
		}
		if (slash != NULL && strcmp(slash, "/decommission") == 0 &&
		    cmd == EVHTTP_REQ_POST) {
			life_decommission(gw, req, key);
			return;
		}
		if (slash != NULL && cmd == EVHTTP_REQ_POST &&
		    (strcmp(slash, "/service") == 0 ||
		    strcmp(slash, "/service/close") == 0 ||
		    strcmp(slash, "/legacy/review") == 0)) {
			char actor[64];

			admin_actor(req, actor, sizeof(actor));
			if (strcmp(slash, "/service") == 0)
				service_open_http(gw, req, key, actor);
			else if (slash[1] == 's')
				service_close_http(gw, req, key, actor);
			else
				service_legacy_review_http(gw, req, key, actor);
			return;
		}
	}
	gw_send_error(req, 404, WG_ERR_NOT_FOUND, "no such admin endpoint");
}
