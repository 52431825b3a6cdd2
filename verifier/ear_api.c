/*
 * ear_api.c: attestation results as EARs (docs/ear.md) on the admin API.
 *
 *   GET /admin/v1/devices/ID/ear   {"ear": JWT, "claims": {...}}, one submod
 *   GET /admin/v1/ear              the same with one submod per device
 *
 * The key (conf ear_key) is loaded at start; "none" answers 503.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "ear.h"
#include "ek.h"
#include "gateway.h"
#include "policy.h"

int
ear_init(struct gw *gw, struct wg_diag *d)
{
	struct wg_diag kd;

	gw->ear_key = NULL;
	if (strcmp(gw->conf.ear_key, "none") == 0)
		return 0;
	if (gw->conf.ear_key[0] != '/')
		return wg_diag_set(d, WG_ERR_CONFIG, "ear_key: \"none\" or an "
		    "absolute path");
	wg_diag_clear(&kd);
	if (ear_key_load(gw->conf.ear_key, &gw->ear_key, &kd) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s", kd.detail);
	return 0;
}

void
ear_free(struct gw *gw)
{
	EVP_PKEY_free(gw->ear_key);
	gw->ear_key = NULL;
}

/* 1 if dev's stored EK certificate chains to a trusted CA today. */
static int
ear_ek_trusted(struct gw *gw, const struct store_device *dev)
{
	TPM2B_PUBLIC ek;
	const uint8_t *area;
	size_t area_len;

	if (dev->ek_cert_len == 0 || dev->ek_pub_len == 0 ||
	    quote_decode_public(dev->ek_pub, dev->ek_pub_len, &ek, &area,
	    &area_len, NULL) != 0)
		return 0;
	return ek_cert_verify(dev->ek_cert, dev->ek_cert_len, gw->ek_cas,
	    &ek.publicArea, 0, NULL) == 0;
}

static int
ear_add(struct gw *gw, struct json_object *claims,
    const struct store_device *dev, struct wg_diag *d)
{
	const struct policy *from = NULL;
	struct ear_device e;

	memset(&e, 0, sizeof(e));
	e.id = dev->device_id;
	e.name = dev->name;
	e.model = dev->model;
	e.state = dev->state;
	e.reasons = dev->reasons;
	e.release = dev->release;
	if (dev->approved && dev->model[0] != '\0' &&
	    policies_model(gw, dev->model, &from) != NULL && from != NULL) {
		e.policy_issuer = from->issuer;
		e.policy_version = from->version;
	}
	e.enrolled = dev->enrolled_at > 0 && dev->ak_pub_len > 0;
	e.ek_trusted = ear_ek_trusted(gw, dev);
	e.last_attest_at = dev->last_attest_at;
	e.last_good_at = dev->last_good_at;
	return ear_claims_add(claims, &e, d);
}

struct ear_walk {
	struct gw *gw;
	struct json_object *claims;
	struct wg_diag *d;
};

static int
ear_walk_cb(const struct store_device *dev, void *arg)
{
	struct ear_walk *w = arg;

	return ear_add(w->gw, w->claims, dev, w->d);
}

/* Signs claims and answers {"ear", "claims"}; takes claims over. */
static void
ear_reply(struct gw *gw, struct evhttp_request *req,
    struct json_object *claims)
{
	struct json_object *o;
	struct wg_diag d;
	char *jwt = NULL;
	int r;

	wg_diag_clear(&d);
	if ((r = ear_sign(claims, gw->ear_key, &jwt, &d)) != 0) {
		json_object_put(claims);
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ear", json_object_new_string(jwt));
	json_object_object_add(o, "claims", claims);
	gw_send_json(req, 200, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(jwt);
}

static struct json_object *
ear_start(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *claims;

	if (gw->ear_key == NULL) {
		gw_send_error(req, 503, WG_ERR_UNSUPPORTED, "EAR signing is "
		    "off (ear_key = none in wardgated.conf)");
		return NULL;
	}
	if ((claims = ear_claims_new(gw_now(), PACKAGE_STRING)) == NULL)
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
	return claims;
}

void
ear_api_device(struct gw *gw, struct evhttp_request *req,
    const struct store_device *dev)
{
	struct json_object *claims;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	if ((claims = ear_start(gw, req)) == NULL)
		return;
	if ((r = ear_add(gw, claims, dev, &d)) != 0) {
		json_object_put(claims);
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	ear_reply(gw, req, claims);
}

void
ear_api_all(struct gw *gw, struct evhttp_request *req)
{
	struct json_object *claims;
	struct ear_walk w;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	if ((claims = ear_start(gw, req)) == NULL)
		return;
	gw_flush(gw);
	w.gw = gw;
	w.claims = claims;
	w.d = &d;
	if ((r = store_device_each(gw->store, ear_walk_cb, &w, &d)) != 0) {
		json_object_put(claims);
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	ear_reply(gw, req, claims);
}
