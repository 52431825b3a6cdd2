/*
 * hold.c: clinical holds. A hold keeps a device that fails attestation
 * (untrusted, stale, vulnerable) in segment_hold, which reaches only the
 * clinical flows named for it in enforcer.conf, instead of quarantine:
 * a patient monitor is not cut off mid-procedure. A hold is granted by a
 * named person for a bounded time (at most hold_max), with a reason; it
 * ends by itself at its time or when released. Grant, release and expiry
 * are each an audit row committed with the segment change they cause.
 * A hold never makes a device trusted and never applies to a trusted,
 * pending or decommissioned device.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "gateway.h"

int
hold_grant(struct gw *gw, struct store_device *dev, int64_t until,
    const char *reason, const char *actor, struct wg_diag *d)
{
	struct store_hold h, old;
	enum dev_state st;
	char before[80], after[80], ts[32];
	int64_t now = gw_now();
	size_t i;
	int r;

	if (state_parse(dev->state, &st) != 0)
		st = DEV_UNTRUSTED;
	if (st == DEV_DECOMMISSIONED || st == DEV_PENDING)
		return wg_diag_set(d, WG_ERR_HOLD, "a %s device cannot be "
		    "held: it never proved itself or is retired", dev->state);
	if (st == DEV_LEGACY)
		return wg_diag_set(d, WG_ERR_HOLD, "a legacy device cannot be "
		    "held: it has its own restricted segment until its sunset");
	if (reason == NULL || reason[0] == '\0' ||
	    strlen(reason) >= sizeof(h.reason))
		return wg_diag_set(d, WG_ERR_HOLD, "a reason of 1 to %zu "
		    "bytes is required", sizeof(h.reason) - 1);
	for (i = 0; reason[i] != '\0'; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return wg_diag_set(d, WG_ERR_HOLD,
			    "the reason has a control character");
	if (until <= now)
		return wg_diag_set(d, WG_ERR_HOLD, "the hold would end in the "
		    "past");
	if (until - now > (int64_t)gw->conf.hold_max)
		return wg_diag_set(d, WG_ERR_HOLD, "a hold lasts at most %u "
		    "seconds (hold_max)", gw->conf.hold_max);
	before[0] = '\0';
	r = store_hold_open(gw->store, dev->device_id, &old, d);
	if (r == 0) {
		gw_time_iso(old.until, ts, sizeof(ts));
		snprintf(before, sizeof(before), "held until %s", ts);
		if ((r = store_hold_end(gw->store, dev->device_id, now,
		    actor, d)) != 0)
			return r;
	} else if (r != WG_ERR_NOT_FOUND)
		return r;
	memset(&h, 0, sizeof(h));
	snprintf(h.device_id, sizeof(h.device_id), "%s", dev->device_id);
	snprintf(h.granted_by, sizeof(h.granted_by), "%s", actor);
	snprintf(h.reason, sizeof(h.reason), "%s", reason);
	h.granted_at = now;
	h.until = until;
	gw_time_iso(until, ts, sizeof(ts));
	snprintf(after, sizeof(after), "held until %s", ts);
	if ((r = store_hold_add(gw->store, &h, NULL, d)) != 0 ||
	    (r = gw_audit(gw, dev->device_id, actor, "hold",
	    before[0] != '\0' ? before : NULL, after, reason, d)) != 0)
		return r;
	return gw_resegment(gw, dev, d);
}

int
hold_release(struct gw *gw, struct store_device *dev, const char *actor,
    const char *why, struct wg_diag *d)
{
	struct store_hold h;
	char before[80], ts[32];
	int r;

	if ((r = store_hold_open(gw->store, dev->device_id, &h, d)) != 0)
		return r == WG_ERR_NOT_FOUND ? wg_diag_set(d, WG_ERR_NOT_FOUND,
		    "the device has no hold") : r;
	gw_time_iso(h.until, ts, sizeof(ts));
	snprintf(before, sizeof(before), "held until %s", ts);
	if ((r = store_hold_end(gw->store, dev->device_id, gw_now(), actor,
	    d)) != 0 ||
	    (r = gw_audit(gw, dev->device_id, actor, "hold-end", before,
	    "not held", why, d)) != 0)
		return r;
	return gw_resegment(gw, dev, d);
}

struct due {
	char (*ids)[STORE_ID_LEN];
	size_t n, cap;
	int err;
};

static int
hold_due_cb(const struct store_hold *h, void *arg)
{
	struct due *a = arg;

	if (gw_grow(&a->ids, &a->cap, a->n, sizeof(*a->ids), SIZE_MAX) != 0) {
		a->err = 1;
		return 1;
	}
	snprintf(a->ids[a->n++], STORE_ID_LEN, "%s", h->device_id);
	return 0;
}

void
hold_expire(struct gw *gw)
{
	struct store_device *dev = NULL;
	struct due a;
	struct wg_diag d;
	size_t i;
	int r = 0;

	memset(&a, 0, sizeof(a));
	wg_diag_clear(&d);
	if (store_hold_due(gw->store, gw_now(), hold_due_cb, &a, &d) != 0 ||
	    a.err) {
		gw_log("hold expiry: %s", a.err ? "out of memory" : d.detail);
		goto out;
	}
	if (a.n == 0 || (dev = malloc(sizeof(*dev))) == NULL)
		goto out;
	if (gw->in_tx)
		gw_flush(gw);
	if ((r = store_begin(gw->store, &d)) != 0) {
		gw_log("hold expiry: %s", d.detail);
		goto out;
	}
	for (i = 0; i < a.n && r == 0; i++) {
		if ((r = store_device_get(gw->store, a.ids[i], dev, &d)) ==
		    WG_ERR_NOT_FOUND) {
			/* A hold of a device no longer stored: close it. */
			r = store_hold_end(gw->store, a.ids[i], gw_now(),
			    "gateway", &d);
			continue;
		}
		if (r != 0 ||
		    (r = hold_release(gw, dev, "gateway", "the hold expired",
		    &d)) != 0 ||
		    (r = store_device_put(gw->store, dev, &d)) != 0)
			break;
		gw_log("device %.16s... %s: clinical hold expired; segment %s",
		    dev->device_id, dev->name, dev->segment);
	}
	if (r != 0 || (r = store_commit(gw->store, &d)) != 0) {
		gw_log("hold expiry failed (retried in the next sweep): %s",
		    d.detail);
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
	} else
		gw_changed_done(gw, 1);
out:
	free(dev);
	free(a.ids);
}

struct json_object *
hold_json(struct gw *gw, const struct store_device *dev)
{
	struct json_object *o;
	struct store_hold h;
	struct wg_diag d;
	char ts[32];

	if (store_hold_open(gw->store, dev->device_id, &h, &d) != 0)
		return NULL;
	o = json_object_new_object();
	gw_time_iso(h.until, ts, sizeof(ts));
	json_object_object_add(o, "until", json_object_new_string(ts));
	json_object_object_add(o, "reason", json_object_new_string(h.reason));
	json_object_object_add(o, "granted_by",
	    json_object_new_string(h.granted_by));
	gw_time_iso(h.granted_at, ts, sizeof(ts));
	json_object_object_add(o, "granted_at", json_object_new_string(ts));
	json_object_object_add(o, "in_effect", json_object_new_boolean(
	    strcmp(dev->segment, gw->conf.segment_hold) == 0));
	return o;
}
