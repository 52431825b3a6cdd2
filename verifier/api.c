/*
 * api.c: the agent API of wardgated (docs/protocol.md): enroll, activate,
 * challenge, evidence. Checks are lib/ functions; this file turns HTTP
 * requests into them and their results into verdicts, state changes and
 * audit rows, committed before the agent is answered.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "attest.h"
#include "ek.h"
#include "advisory.h"
#include "gateway.h"
#include "hex.h"
#include "makecred.h"
#include "pcr.h"
#include "policy.h"
#include "quote.h"
#include "wire.h"

#define ENROLL_MAX 4096
#define ENROLL_SECRET_LEN 32

/* ---- pending enrollments (between enroll and activate) ---- */

struct enroll {
	int live;
	uint8_t id[WIRE_ENROLL_ID_LEN];
	int64_t expires;
	char device_id[STORE_ID_LEN];
	uint8_t secret[ENROLL_SECRET_LEN];
	struct wire_enroll_req req;	/* owned blobs */
};

struct enroll_table {
	struct enroll e[ENROLL_MAX];
};

static void
enroll_clear(struct enroll *e)
{
	wire_enroll_req_free(&e->req);
	OPENSSL_cleanse(e, sizeof(*e));
}

/* A slot: free, expired, or else the one that expires first. */
static struct enroll *
enroll_slot(struct enroll_table *t, int64_t now)
{
	struct enroll *best = &t->e[0];
	size_t i;

	for (i = 0; i < ENROLL_MAX; i++) {
		struct enroll *e = &t->e[i];

		if (!e->live || e->expires <= now) {
			best = e;
			break;
		}
		if (e->expires < best->expires)
			best = e;
	}
	enroll_clear(best);
	return best;
}

static struct enroll *
enroll_find(struct enroll_table *t, const uint8_t id[WIRE_ENROLL_ID_LEN])
{
	size_t i;

	for (i = 0; i < ENROLL_MAX; i++)
		if (t->e[i].live &&
		    CRYPTO_memcmp(t->e[i].id, id, WIRE_ENROLL_ID_LEN) == 0)
			return &t->e[i];
	return NULL;
}

/* ---- loaded attestation keys, by device ---- */

struct akcache_entry {
	char device_id[STORE_ID_LEN];
	uint8_t ak_pub[STORE_PUB_MAX];
	size_t ak_pub_len;
	struct quote_key *key;
};

struct akcache {
	size_t cap, count;
	struct akcache_entry *e;	/* open addressing, linear probing */
};

static size_t
akcache_hash(const char *id)
{
	size_t h = 0;
	int i;

	/* Device ids are hex SHA-256: their first digits spread evenly. */
	for (i = 0; i < 15 && id[i] != '\0'; i++)
		h = h * 16 + (size_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
	return h;
}

static void
akcache_clear(struct akcache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++) {
		quote_key_free(c->e[i].key);
		memset(&c->e[i], 0, sizeof(c->e[i]));
	}
	c->count = 0;
}

/*
 * The loaded AK of dev, loading (and remembering) it when the cache does
 * not hold this exact public key. Borrowed: valid until the next call.
 */
static int
akcache_get(struct akcache *c, const struct store_device *dev,
    const struct quote_key **out, struct wg_diag *d)
{
	struct akcache_entry *e;
	size_t i, b;
	int r;

	b = akcache_hash(dev->device_id) % c->cap;
	e = &c->e[b];
	for (i = 0; i < c->cap; i++) {
		e = &c->e[(b + i) % c->cap];
		if (e->key == NULL)
			break;
		if (strcmp(e->device_id, dev->device_id) == 0) {
			if (e->ak_pub_len == dev->ak_pub_len &&
			    memcmp(e->ak_pub, dev->ak_pub, e->ak_pub_len) == 0) {
				*out = e->key;
				return 0;
			}
			/* A new AK (re-enrollment): load it in place. */
			quote_key_free(e->key);
			e->key = NULL;
			c->count--;
			break;
		}
	}
	if (c->count >= c->cap / 2) {
		akcache_clear(c);	/* bounded: start again */
		e = &c->e[b];
	} else if (i == c->cap)
		return wg_diag_set(d, WG_ERR_INTERNAL, "AK cache full");
	if ((r = quote_key_load(dev->ak_pub, dev->ak_pub_len, 1, &e->key,
	    d)) != 0)
		return r;
	memcpy(e->device_id, dev->device_id, sizeof(e->device_id));
	memcpy(e->ak_pub, dev->ak_pub, dev->ak_pub_len);
	e->ak_pub_len = dev->ak_pub_len;
	c->count++;
	*out = e->key;
	return 0;
}

void
api_ak_forget(struct gw *gw, const char *device_id)
{
	struct akcache *c = gw->aks;
	struct akcache_entry tmp;
	size_t i, j = 0, b;

	if (c == NULL || c->cap == 0)
		return;
	b = akcache_hash(device_id) % c->cap;
	for (i = 0; i < c->cap; i++) {
		j = (b + i) % c->cap;
		if (c->e[j].key == NULL)
			return;
		if (strcmp(c->e[j].device_id, device_id) == 0)
			break;
	}
	if (i == c->cap)
		return;
	quote_key_free(c->e[j].key);
	memset(&c->e[j], 0, sizeof(c->e[j]));
	c->count--;
	/* Place the rest of the cluster again: no probe may stop early. */
	for (i = (j + 1) % c->cap; c->e[i].key != NULL; i = (i + 1) % c->cap) {
		tmp = c->e[i];
		memset(&c->e[i], 0, sizeof(c->e[i]));
		b = akcache_hash(tmp.device_id) % c->cap;
		while (c->e[b].key != NULL)
			b = (b + 1) % c->cap;
		c->e[b] = tmp;
	}
}

int
api_init(struct gw *gw)
{
	struct akcache *c;

	if ((gw->enrolls = calloc(1, sizeof(*gw->enrolls))) == NULL)
		return WG_ERR_ALLOC;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return WG_ERR_ALLOC;
	c->cap = (size_t)gw->conf.max_devices * 2;
	if ((c->e = calloc(c->cap, sizeof(*c->e))) == NULL) {
		free(c);
		return WG_ERR_ALLOC;
	}
	gw->aks = c;
	return 0;
}

void
api_free(struct gw *gw)
{
	size_t i;

	if (gw->enrolls != NULL) {
		for (i = 0; i < ENROLL_MAX; i++)
			enroll_clear(&gw->enrolls->e[i]);
		free(gw->enrolls);
		gw->enrolls = NULL;
	}
	if (gw->aks != NULL) {
		akcache_clear(gw->aks);
		free(gw->aks->e);
		free(gw->aks);
		gw->aks = NULL;
	}
}

/* ---- helpers ---- */

/* HTTP status for an error code from a check of the request. */
static int
api_status(int err)
{
	switch (err) {
	case WG_ERR_TOO_LARGE:
		return 413;
	case WG_ERR_DEVICE_UNKNOWN:
	case WG_ERR_ENROLLMENT_UNKNOWN:
		return 404;
	case WG_ERR_NONCE_UNKNOWN:
	case WG_ERR_EVENTLOG_REQUIRED:
		return 409;
	case WG_ERR_EK_CERT_UNTRUSTED:
	case WG_ERR_EK_BLOCKED:
	case WG_ERR_ACTIVATION_FAILED:
	case WG_ERR_DEVICE_DECOMMISSIONED:
	case WG_ERR_AK_EXPIRED:
		return 403;
	case WG_ERR_ALLOC:
	case WG_ERR_INTERNAL:
	case WG_ERR_CRYPTO:
	case WG_ERR_DB:
		return 500;
	case WG_ERR_ENFORCER_DOWN:
		return 503;
	}
	return 400;
}

static void
api_fail(struct evhttp_request *req, int err, const struct wg_diag *d)
{
	char msg[WIRE_MESSAGE_LEN];

	if (d != NULL && d->detail[0] != '\0')
		snprintf(msg, sizeof(msg), "%.96s: %.150s", wg_strerror(err),
		    d->detail);
	else
		snprintf(msg, sizeof(msg), "%s", wg_strerror(err));
	gw_send_error(req, api_status(err), err, msg);
}

/* Reads the body (at most max bytes); answers the request on error. */
static int
api_read(struct evhttp_request *req, size_t max, char **body, size_t *len)
{
	int r;

	if ((r = gw_body(req, max, body, len)) != 0)
		api_fail(req, r, NULL);
	return r;
}

static void
sha256_hex(const uint8_t *p, size_t len, char out[STORE_ID_LEN])
{
	uint8_t h[32];
	unsigned int n = 0;

	if (EVP_Digest(p, len, h, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		out[0] = '\0';
		return;
	}
	hex_encode(h, 32, out, STORE_ID_LEN);
}

/* A device that may talk to us: known and not decommissioned. */
static int
api_device(struct gw *gw, const char *device_id, struct store_device *dev,
    struct wg_diag *d)
{
	int r;

	if ((r = store_device_get(gw->store, device_id, dev, d)) != 0)
		return r == WG_ERR_NOT_FOUND ?
		    wg_diag_set(d, WG_ERR_DEVICE_UNKNOWN, "%.16s...",
		    device_id) : r;
	if (strcmp(dev->state, state_name(DEV_DECOMMISSIONED)) == 0)
		return wg_diag_set(d, WG_ERR_DEVICE_DECOMMISSIONED,
		    "this device was decommissioned");
	return 0;
}

/* ---- POST /v1/enroll ---- */

static int
api_marshal_cred(const TPM2B_ID_OBJECT *cred,
    const TPM2B_ENCRYPTED_SECRET *sec, struct wire_enroll_resp *resp)
{
	size_t off;

	resp->credential_blob.p = malloc(sizeof(*cred));
	resp->encrypted_secret.p = malloc(sizeof(*sec));
	if (resp->credential_blob.p == NULL || resp->encrypted_secret.p == NULL)
		return WG_ERR_ALLOC;
	off = 0;
	if (Tss2_MU_TPM2B_ID_OBJECT_Marshal(cred, resp->credential_blob.p,
	    sizeof(*cred), &off) != TSS2_RC_SUCCESS)
		return WG_ERR_INTERNAL;
	resp->credential_blob.len = off;
	off = 0;
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(sec,
	    resp->encrypted_secret.p, sizeof(*sec), &off) != TSS2_RC_SUCCESS)
		return WG_ERR_INTERNAL;
	resp->encrypted_secret.len = off;
	return 0;
}

static void
api_enroll(struct gw *gw, struct evhttp_request *req)
{
	struct wire_enroll_req m;
	struct wire_enroll_resp resp;
	struct quote_key *ak = NULL;
	struct enroll *e;
	struct wg_diag d;
	char *body = NULL;
	size_t body_len = 0;
	TPM2B_PUBLIC ek;
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET sec;
	const uint8_t *area;
	size_t area_len;
	uint8_t fpr[EK_FPR_LEN], secret[ENROLL_SECRET_LEN];
	char device_id[STORE_ID_LEN], *json = NULL;
	int r;

	memset(&m, 0, sizeof(m));
	memset(&resp, 0, sizeof(resp));
	wg_diag_clear(&d);
	if (api_read(req, WIRE_MAX_BODY, &body, &body_len) != 0)
		goto out;
	if ((r = wire_enroll_req_decode(body, body_len, &m, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	if ((r = quote_decode_public(m.ek_pub.p, m.ek_pub.len, &ek, &area,
	    &area_len, &d)) != 0 ||
	    (r = ek_fingerprint(&ek.publicArea, fpr, &d)) != 0) {
		api_fail(req, WG_ERR_BAD_FIELD, &d);
		goto out;
	}
	hex_encode(fpr, sizeof(fpr), device_id, sizeof(device_id));
	if ((r = store_ek_blocked(gw->store, device_id, &d)) != 0) {
		if (r > 0)
			r = wg_diag_set(&d, WG_ERR_EK_BLOCKED,
			    "EK %.16s... was decommissioned", device_id);
		api_fail(req, r, &d);
		goto out;
	}
	if ((r = ek_cert_verify(m.ek_cert.p, m.ek_cert.len, gw->ek_cas,
	    &ek.publicArea, 0, &d)) != 0 ||
	    (r = quote_key_load(m.ak_pub.p, m.ak_pub.len, 1, &ak, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	if (RAND_bytes(secret, sizeof(secret)) != 1 ||
	    RAND_bytes(resp.enrollment_id, sizeof(resp.enrollment_id)) != 1) {
		api_fail(req, WG_ERR_CRYPTO, NULL);
		goto out;
	}
	if ((r = makecred(&ek.publicArea, ak->name, ak->name_len, secret,
	    sizeof(secret), &cred, &sec, &d)) != 0 ||
	    (r = api_marshal_cred(&cred, &sec, &resp)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	resp.expires_in = gw->conf.enroll_lifetime;
	if ((json = wire_enroll_resp_encode(&resp)) == NULL) {
		api_fail(req, WG_ERR_ALLOC, NULL);
		goto out;
	}
	e = enroll_slot(gw->enrolls, gw_now());
	e->live = 1;
	memcpy(e->id, resp.enrollment_id, sizeof(e->id));
	e->expires = gw_now() + gw->conf.enroll_lifetime;
	memcpy(e->device_id, device_id, sizeof(e->device_id));
	memcpy(e->secret, secret, sizeof(secret));
	e->req = m;			/* takes the blobs over */
	memset(&m, 0, sizeof(m));
	gw_send_json(req, 200, json);
out:
	free(body);
	OPENSSL_cleanse(secret, sizeof(secret));
	free(json);
	quote_key_free(ak);
	wire_enroll_req_free(&m);
	wire_enroll_resp_free(&resp);
}

/* ---- POST /v1/activate ---- */

/* The claims the agent sent, as the JSON object the store keeps. */
static int
api_claims(const struct wire_enroll_req *m, char *out, size_t len)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	int r = WG_ERR_ALLOC;

	if (o == NULL)
		return r;
	json_object_object_add(o, "hostname", json_object_new_string(m->hostname));
	json_object_object_add(o, "serial", json_object_new_string(m->serial));
	json_object_object_add(o, "mac", json_object_new_string(m->mac));
	json_object_object_add(o, "agent_version",
	    json_object_new_string(m->agent_version));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (s != NULL && strlen(s) < len) {
		memcpy(out, s, strlen(s) + 1);
		r = 0;
	} else if (s != NULL)
		r = WG_ERR_TOO_LARGE;
	json_object_put(o);
	return r;
}

/*
 * Credential rotation, inside activation's transaction: when a known
 * device activates an AK other than its bound one, records the change
 * (audit "ak-rotated" and ak_history, with both AKs' fingerprints: the
 * SHA-256 of their TPM2B_PUBLIC) and restarts the AK's age; the same AK
 * enrolled again keeps its age, so re-enrolling does not evade ak_max_age.
 */
static int
api_ak_rotated(struct gw *gw, struct store_device *dev, int known,
    const struct wire_blob *ak, struct wg_diag *d)
{
	struct store_audit au;
	char oldfp[STORE_ID_LEN], newfp[STORE_ID_LEN];
	const char *why;
	int r;

	if (known && dev->ak_pub_len == ak->len &&
	    memcmp(dev->ak_pub, ak->p, ak->len) == 0 &&
	    dev->ak_created_at != 0)
		return 0;
	dev->ak_created_at = gw_now();
	if (!known || dev->ak_pub_len == 0 || (dev->ak_pub_len == ak->len &&
	    memcmp(dev->ak_pub, ak->p, ak->len) == 0))
		return 0;
	sha256_hex(dev->ak_pub, dev->ak_pub_len, oldfp);
	sha256_hex(ak->p, ak->len, newfp);
	why = dev->rotate_ak ? "rotation requested by an admin" :
	    gw->conf.ak_max_age != 0 ? "new AK (ak_max_age)" : "new AK";
	dev->rotate_ak = 0;
	if ((r = store_ak_history_add(gw->store, dev->device_id, gw_now(),
	    oldfp, newfp, why, d)) != 0)
		return r;
	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = "agent";
	au.device_id = dev->device_id;
	au.action = "ak-rotated";
	au.before = oldfp;
	au.after = newfp;
	au.detail = why;
	return store_audit_add(gw->store, &au, d);
}

static void
api_activate(struct gw *gw, struct evhttp_request *req)
{
	struct wire_activate_req m;
	struct wire_activate_resp resp;
	struct store_device *dev = NULL;
	struct store_provision prov;
	struct store_audit au;
	struct enroll *e, en;
	struct wg_diag d;
	char *body = NULL;
	size_t body_len = 0;
	enum dev_state cur = DEV_PENDING, next;
	char *json = NULL;
	int r, known;

	memset(&m, 0, sizeof(m));
	memset(&en, 0, sizeof(en));
	wg_diag_clear(&d);
	if (api_read(req, WIRE_MAX_BODY, &body, &body_len) != 0)
		goto out;
	if ((r = wire_activate_req_decode(body, body_len, &m, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	if ((e = enroll_find(gw->enrolls, m.enrollment_id)) == NULL ||
	    e->expires <= gw_now()) {
		if (e != NULL)
			enroll_clear(e);
		api_fail(req, WG_ERR_ENROLLMENT_UNKNOWN, NULL);
		goto out;
	}
	en = *e;			/* single use: take it out */
	memset(e, 0, sizeof(*e));
	if (m.secret.len != sizeof(en.secret) ||
	    CRYPTO_memcmp(m.secret.p, en.secret, sizeof(en.secret)) != 0) {
		wg_diag_set(&d, WG_ERR_ACTIVATION_FAILED,
		    "the secret does not match");
		api_fail(req, WG_ERR_ACTIVATION_FAILED, &d);
		goto out;
	}
	if ((dev = calloc(1, sizeof(*dev))) == NULL) {
		api_fail(req, WG_ERR_ALLOC, NULL);
		goto out;
	}
	r = store_device_get(gw->store, en.device_id, dev, &d);
	if (r != 0 && r != WG_ERR_NOT_FOUND) {
		api_fail(req, r, &d);
		goto out;
	}
	known = r == 0;
	if (known && state_parse(dev->state, &cur) != 0)
		cur = DEV_UNTRUSTED;
	if (cur == DEV_DECOMMISSIONED) {
		api_fail(req, WG_ERR_DEVICE_DECOMMISSIONED, NULL);
		goto out;
	}
	if ((r = gw_tx(gw, &d)) != 0)
		goto dberr;
	if (!known) {
		memcpy(dev->device_id, en.device_id, sizeof(dev->device_id));
		snprintf(dev->name, sizeof(dev->name), "%s",
		    en.req.hostname[0] != '\0' ? en.req.hostname : "unnamed");
		snprintf(dev->serial, sizeof(dev->serial), "%s", en.req.serial);
		strcpy(dev->state, state_name(DEV_PENDING));
		strcpy(dev->reasons, "[]");
		dev->state_since = gw_now();
		dev->attest_interval = gw->conf.attest_interval;
	}
	/* Identity and admission come from the provisioning record. */
	r = store_provision_get(gw->store, en.device_id, &prov, &d);
	if (r != 0 && r != WG_ERR_NOT_FOUND)
		goto dberr;
	if (r == 0) {
		dev->approved = 1;
		memcpy(dev->name, prov.name, sizeof(dev->name));
		memcpy(dev->model, prov.model, sizeof(dev->model));
		memcpy(dev->owner, prov.owner, sizeof(dev->owner));
		memcpy(dev->serial, prov.serial, sizeof(dev->serial));
		memcpy(dev->mac, prov.mac, sizeof(dev->mac));
	}
	memcpy(dev->ek_pub, en.req.ek_pub.p, en.req.ek_pub.len);
	dev->ek_pub_len = en.req.ek_pub.len;
	memcpy(dev->ek_cert, en.req.ek_cert.p, en.req.ek_cert.len);
	dev->ek_cert_len = en.req.ek_cert.len;
	if ((r = api_ak_rotated(gw, dev, known, &en.req.ak_pub, &d)) != 0)
		goto dberr;
	memcpy(dev->ak_pub, en.req.ak_pub.p, en.req.ak_pub.len);
	dev->ak_pub_len = en.req.ak_pub.len;
	if ((r = api_claims(&en.req, dev->claims, sizeof(dev->claims))) != 0) {
		wg_diag_set(&d, r, "claims");
		goto dberr;
	}
	dev->enrolled_at = gw_now();
	/* A new AK names a new log chain: the next log must be sent. */
	dev->eventlog_sha256[0] = '\0';
	/*
	 * Enrollment proved possession of the TPM (credential activation);
	 * a cleared TPM restarts its clock, so the baseline starts again.
	 */
	dev->has_clock = 0;
	dev->attest_interval = gw->conf.attest_interval;

	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = "agent";
	au.device_id = dev->device_id;
	au.action = known ? "re-enroll" : "enroll";
	au.detail = dev->approved ? "provisioning record found" :
	    "no provisioning record: awaiting approval";
	if ((r = store_audit_add(gw->store, &au, &d)) != 0)
		goto dberr;
	next = state_next(cur, dev->approved, DEV_EV_ACTIVATED);
	if ((r = gw_set_state(gw, dev, next, "gateway",
	    dev->approved ? "enrolled; must attest" :
	    "enrolled; awaiting approval", &d)) != 0 ||
	    (r = store_device_put(gw->store, dev, &d)) != 0)
		goto dberr;

	memset(&resp, 0, sizeof(resp));
	memcpy(resp.device_id, dev->device_id, sizeof(resp.device_id));
	snprintf(resp.state, sizeof(resp.state), "%s", dev->state);
	snprintf(resp.segment, sizeof(resp.segment), "%s", dev->segment);
	resp.attest_interval = dev->attest_interval;
	if ((json = wire_activate_resp_encode(&resp)) == NULL) {
		gw_abort(gw, "out of memory");
		api_fail(req, WG_ERR_ALLOC, NULL);
		goto out;
	}
	gw_reply_committed(gw, req, 200, json);
	json = NULL;
	goto out;
dberr:
	gw_abort(gw, d.detail);
	api_fail(req, WG_ERR_DB, &d);
out:
	free(body);
	free(json);
	free(dev);
	enroll_clear(&en);
	wire_activate_req_free(&m);
}

/* ---- POST /v1/challenge ---- */

static void
api_challenge(struct gw *gw, struct evhttp_request *req)
{
	struct wire_challenge_req m;
	struct wire_challenge_resp resp;
	struct store_device *dev;
	struct wg_diag d;
	char *body = NULL;
	size_t body_len = 0;
	char *json = NULL;
	int r;

	wg_diag_clear(&d);
	if ((dev = calloc(1, sizeof(*dev))) == NULL) {
		api_fail(req, WG_ERR_ALLOC, NULL);
		return;
	}
	if (api_read(req, WIRE_MAX_BODY, &body, &body_len) != 0)
		goto out;
	if ((r = wire_challenge_req_decode(body, body_len, &m, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	if ((r = api_device(gw, m.device_id, dev, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	memset(&resp, 0, sizeof(resp));
	if ((r = nonce_issue(gw->nonces, dev->device_id, gw_now(),
	    gw->conf.nonce_lifetime, resp.nonce)) != 0) {
		api_fail(req, r, NULL);
		goto out;
	}
	snprintf(resp.pcr_selection, sizeof(resp.pcr_selection), "%s",
	    gw->conf.pcr_selection);
	resp.expires_in = gw->conf.nonce_lifetime;
	memcpy(resp.eventlog_sha256, dev->eventlog_sha256,
	    sizeof(resp.eventlog_sha256));
	if ((json = wire_challenge_resp_encode(&resp)) == NULL) {
		api_fail(req, WG_ERR_ALLOC, NULL);
		goto out;
	}
	gw_send_json(req, 200, json);
out:
	free(body);
	free(json);
	free(dev);
}

/* ---- POST /v1/evidence ---- */

struct verdict {
	int pass;
	unsigned n;
	struct wire_reason r[WIRE_MAX_REASONS];
};

static void
verdict_add(struct verdict *v, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
verdict_add(struct verdict *v, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	v->pass = 0;
	if (v->n >= WIRE_MAX_REASONS)
		return;
	snprintf(v->r[v->n].code, sizeof(v->r[v->n].code), "%s",
	    wg_errname(err));
	n = snprintf(v->r[v->n].message, sizeof(v->r[v->n].message), "%s: ",
	    wg_strerror(err));
	if (n < 0 || (size_t)n >= sizeof(v->r[v->n].message))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(v->r[v->n].message + n, sizeof(v->r[v->n].message) - (size_t)n,
	    fmt, ap);
	va_end(ap);
	v->n++;
}

/* A reason that does not fail the verdict (a deprecated release). */
static void
verdict_warn(struct verdict *v, int err, const char *text)
{
	int pass = v->pass;

	verdict_add(v, err, "%s", text);
	v->pass = pass;
}

/*
 * Appraises the attested boot against the policy for the device's model
 * (from its provisioning record). Failures go into v; release gets the
 * matched firmware release ("" when none) and *bundle the installed
 * bundle that approved it (NULL when none). log may be NULL when the
 * gateway holds it by hash.
 */
static void
api_appraise(struct gw *gw, const struct store_device *dev,
    const uint8_t *log, size_t log_len, const char *log_hash,
    struct verdict *v, char release[STORE_TEXT_LEN],
    const struct policy **bundle)
{
	const struct policy_model *pm;
	const struct policy *from = NULL;
	const struct pcr_set *replay;
	struct appraise_result *res = NULL;
	struct evlog *ev = NULL;
	struct wg_diag d;
	uint8_t *stored = NULL, key[RCACHE_KEY_LEN];
	size_t klen = 0;
	unsigned i;
	int r;

	release[0] = '\0';
	*bundle = NULL;
	wg_diag_clear(&d);
	/* A device nobody admitted stays pending: it has no model yet. */
	if (!dev->approved)
		return;
	if ((pm = policies_model(gw, dev->model, &from)) == NULL) {
		if (gw->conf.policy_required)
			verdict_add(v, WG_ERR_POLICY_NO_MODEL, "no installed "
			    "policy lists model \"%.64s\"%s", dev->model,
			    dev->model[0] == '\0' ? " (no provisioning record "
			    "names the model)" : "");
		return;
	}
	if (log == NULL) {
		if ((r = store_eventlog_get(gw->store, log_hash, &stored,
		    &log_len, &d)) != 0) {
			verdict_add(v, r, "event log for the policy: %s",
			    d.detail);
			goto out;
		}
		log = stored;
	}
	if (hex_decode(log_hash, key, sizeof(key), &klen) != 0 ||
	    klen != sizeof(key) || rcache_get(gw->rcache, key, &replay) != 0) {
		verdict_add(v, WG_ERR_INTERNAL, "the replay of the log is gone");
		goto out;
	}
	if ((r = evlog_parse(log, log_len, NULL, &ev, &d)) != 0) {
		verdict_add(v, r, "%s", d.detail);
		goto out;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		verdict_add(v, WG_ERR_ALLOC, "appraisal");
		goto out;
	}
	if ((r = appraise(pm, ev, replay, gw_now(), res, &d)) != 0) {
		verdict_add(v, r, "%s", d.detail);
		goto out;
	}
	if (!res->pass) {
		/*
		 * The specific reasons first (which event, which PCR), the
		 * summary ("no release matches") after them.
		 */
		for (i = 1; i <= res->nreasons; i++) {
			const struct appraise_reason *x =
			    &res->reasons[i % res->nreasons];

			/* Keep a place for the summary (reasons[0]). */
			if (i < res->nreasons && v->n >= WIRE_MAX_REASONS - 1)
				continue;
			verdict_add(v, x->code, "%s (policy %s version %llu)",
			    x->text, from->issuer,
			    (unsigned long long)from->version);
		}
		if (res->nreasons == 0)
			verdict_add(v, WG_ERR_POLICY_NO_RELEASE, "policy %s",
			    from->issuer);
		goto out;
	}
	snprintf(release, STORE_TEXT_LEN, "%s", res->release->release);
	*bundle = from;
	if (res->warning) {
		char text[WIRE_MESSAGE_LEN];

		snprintf(text, sizeof(text), "release %.64s of %.64s is "
		    "deprecated; it stops passing at the end of its date",
		    res->release->release, dev->model);
		verdict_warn(v, WG_ERR_POLICY_DEPRECATED, text);
	}
out:
	free(res);
	evlog_free(ev);
	free(stored);
}

/*
 * When the quoted digest disagrees with the replay, and the PCR values the
 * device reported are the ones its TPM signed, name each PCR that differs.
 */
static void
api_name_mismatch(struct gw *gw, const struct wire_evidence_req *m,
    const uint8_t *quote, size_t quote_len, const char *log_hash,
    struct verdict *v)
{
	TPMS_ATTEST att;
	TPMT_SIGNATURE sig;
	const struct pcr_set *replay;
	uint8_t key[RCACHE_KEY_LEN], dig[ALG_MAX_DIGEST];
	size_t dlen = 0, klen = 0;
	uint32_t i;
	unsigned p;
	char abuf[8], a[2 * ALG_MAX_DIGEST + 1], b[2 * ALG_MAX_DIGEST + 1];

	if (!m->has_pcrs ||
	    quote_decode_attest(quote, quote_len, &att, NULL) != 0 ||
	    hex_decode(log_hash, key, sizeof(key), &klen) != 0 ||
	    klen != sizeof(key) ||
	    rcache_get(gw->rcache, key, &replay) != 0)
		return;
	/* The reported values count only if they are what the TPM quoted. */
	if (quote_decode_sig(m->signature.p, m->signature.len, &sig,
	    NULL) != 0 ||
	    pcr_selection_digest(&m->pcrs, &att.attested.quote.pcrSelect,
	    sig.signature.any.hashAlg, dig, &dlen, NULL) != 0 ||
	    dlen != att.attested.quote.pcrDigest.size ||
	    CRYPTO_memcmp(dig, att.attested.quote.pcrDigest.buffer, dlen) != 0)
		return;
	for (i = 0; i < att.attested.quote.pcrSelect.count; i++) {
		const TPMS_PCR_SELECTION *s =
		    &att.attested.quote.pcrSelect.pcrSelections[i];
		const struct pcr_bank *rb = pcr_set_find(&m->pcrs, s->hash);
		const struct pcr_bank *lb = pcr_set_find(replay, s->hash);

		if (rb == NULL || lb == NULL)
			continue;
		for (p = 0; p < PCR_COUNT; p++) {
			if (!pcr_selection_has(s, p) ||
			    memcmp(rb->value[p], lb->value[p], rb->size) == 0)
				continue;
			verdict_add(v, WG_ERR_PCR_MISMATCH,
			    "PCR %u (%s): the TPM reports %.16s..., the event "
			    "log replays to %.16s...", p,
			    alg_name(s->hash, abuf, sizeof(abuf)),
			    hex_encode(rb->value[p], rb->size, a, sizeof(a)),
			    hex_encode(lb->value[p], lb->size, b, sizeof(b)));
		}
	}
}

/* The quote's clock must move forward for this device (docs/protocol.md). */
static int
api_clock(const struct store_device *dev, const TPMS_CLOCK_INFO *ci,
    struct wg_diag *d)
{
	if (!dev->has_clock)
		return 0;
	if (ci->resetCount < dev->reset_count ||
	    (ci->resetCount == dev->reset_count &&
	    (ci->restartCount < dev->restart_count ||
	    (ci->restartCount == dev->restart_count &&
	    ci->clock <= dev->clock))))
		return wg_diag_set(d, WG_ERR_CLOCK_ROLLBACK,
		    "quote clock %" PRIu64 " reset %" PRIu32 " restart %" PRIu32
		    " is not after the last accepted %" PRIu64 " reset %" PRIu32
		    " restart %" PRIu32, (uint64_t)ci->clock, ci->resetCount,
		    ci->restartCount, dev->clock, dev->reset_count,
		    dev->restart_count);
	return 0;
}

/*
 * Records a change of dev's attested release (from dev->release to
 * release) with the bundle that approved it, in the open transaction.
 */
static int
api_release_history(struct gw *gw, const struct store_device *dev,
    const char *release, const struct policy *bundle, struct wg_diag *d)
{
	struct store_release rel;

	memset(&rel, 0, sizeof(rel));
	memcpy(rel.device_id, dev->device_id, sizeof(rel.device_id));
	rel.at = gw_now();
	memcpy(rel.from_release, dev->release, sizeof(rel.from_release));
	snprintf(rel.to_release, sizeof(rel.to_release), "%s", release);
	if (release[0] != '\0' && bundle != NULL) {
		if ((size_t)snprintf(rel.issuer, sizeof(rel.issuer), "%s",
		    bundle->issuer) >= sizeof(rel.issuer))
			return wg_diag_set(d, WG_ERR_INTERNAL, "issuer");
		rel.bundle_version = bundle->version;
	}
	return store_release_history_add(gw->store, &rel, d);
}

/* Seconds since dev's AK was activated (enrolled_at before schema 6). */
static int64_t
api_ak_age(struct gw *gw, const struct store_device *dev)
{
	int64_t since = dev->ak_created_at != 0 ? dev->ak_created_at :
	    dev->enrolled_at;

	return gw_now() - since;
}

static void
api_evidence(struct gw *gw, struct evhttp_request *req)
{
	struct wire_evidence_req *m = NULL;
	struct wire_evidence_resp resp;
	struct store_device *dev = NULL;
	struct store_attestation at;
	struct store_audit au;
	const struct quote_key *ak = NULL;
	struct quote_info info;
	struct attest_in in;
	struct verdict v;
	struct wg_diag d;
	char *body = NULL;
	size_t body_len = 0;
	enum dev_state cur, next;
	uint8_t *stored_log = NULL, hash[RCACHE_KEY_LEN];
	const uint8_t *log = NULL;
	size_t log_len = 0, hlen = 0;
	char *json = NULL, *reasons = NULL, nonce_hex[STORE_ID_LEN];
	const struct pcr_set *cached;
	char release[STORE_TEXT_LEN] = "";
	const struct policy *bundle = NULL;
	struct timespec t0;
	int r, rebooted = 0;

	metrics_clock(&t0);
	wg_diag_clear(&d);
	memset(&v, 0, sizeof(v));
	v.pass = 1;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (dev = calloc(1, sizeof(*dev))) == NULL) {
		api_fail(req, WG_ERR_ALLOC, NULL);
		goto out;
	}
	if (api_read(req, WIRE_MAX_EVIDENCE_BODY, &body, &body_len) != 0)
		goto out;
	if ((r = wire_evidence_req_decode(body, body_len, m, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	if ((r = api_device(gw, m->device_id, dev, &d)) != 0) {
		api_fail(req, r, &d);
		goto out;
	}
	/* The nonce is spent whatever happens next. */
	if ((r = nonce_consume(gw->nonces, dev->device_id, m->nonce,
	    gw_now())) != 0) {
		api_fail(req, r, NULL);
		goto out;
	}
	if (gw->conf.ak_max_age != 0 && api_ak_age(gw, dev) >
	    (int64_t)gw->conf.ak_max_age) {
		wg_diag_set(&d, WG_ERR_AK_EXPIRED, "the AK is %lld s old, "
		    "ak_max_age is %u s: create a new AK and enroll it",
		    (long long)api_ak_age(gw, dev), gw->conf.ak_max_age);
		api_fail(req, WG_ERR_AK_EXPIRED, &d);
		goto out;
	}
	if (hex_decode(m->eventlog_sha256, hash, sizeof(hash), &hlen) != 0 ||
	    hlen != sizeof(hash)) {
		api_fail(req, WG_ERR_BAD_FIELD, NULL);
		goto out;
	}
	if (m->eventlog.len > 0) {
		char h[STORE_ID_LEN];

		if (m->eventlog.len > gw->conf.max_eventlog) {
			wg_diag_set(&d, WG_ERR_EVLOG_TOO_LARGE,
			    "%zu bytes, limit %u", m->eventlog.len,
			    gw->conf.max_eventlog);
			api_fail(req, WG_ERR_EVLOG_TOO_LARGE, &d);
			goto out;
		}
		sha256_hex(m->eventlog.p, m->eventlog.len, h);
		if (strcmp(h, m->eventlog_sha256) != 0) {
			api_fail(req, WG_ERR_EVENTLOG_HASH, NULL);
			goto out;
		}
		log = m->eventlog.p;
		log_len = m->eventlog.len;
	} else if (rcache_get(gw->rcache, hash, &cached) != 0) {
		/* Not replayed since start: the store may hold the log. */
		r = store_eventlog_get(gw->store, m->eventlog_sha256,
		    &stored_log, &log_len, &d);
		if (r == WG_ERR_NOT_FOUND) {
			api_fail(req, WG_ERR_EVENTLOG_REQUIRED, NULL);
			goto out;
		}
		if (r != 0) {
			api_fail(req, r, &d);
			goto out;
		}
		log = stored_log;
	}

	/* From here on the evidence is judged: a failure is a verdict. */
	gw->n_attest++;
	memset(&in, 0, sizeof(in));
	in.nonce = m->nonce;
	in.nonce_len = sizeof(m->nonce);
	in.attest = m->quote.p;
	in.attest_len = m->quote.len;
	in.sig = m->signature.p;
	in.sig_len = m->signature.len;
	in.required = &gw->required;
	in.log = log;
	in.log_len = log_len;
	in.log_hash = hash;
	if ((r = akcache_get(gw->aks, dev, &ak, &d)) != 0)
		verdict_add(&v, r, "%s", d.detail);
	else {
		struct evlog_limits lim = { gw->conf.max_eventlog, 0 };

		in.ak = ak;
		in.limits = &lim;
		if ((r = attest_verify(gw->rcache, &in, &info, &d)) != 0) {
			/* The PCRs that disagree first: they say what to do. */
			if (r == WG_ERR_QUOTE_PCR_DIGEST)
				api_name_mismatch(gw, m, m->quote.p,
				    m->quote.len, m->eventlog_sha256, &v);
			verdict_add(&v, r, "%s", d.detail);
		} else if ((r = api_clock(dev, &info.attest.clockInfo,
		    &d)) != 0)
			verdict_add(&v, r, "%s", d.detail);
		else
			api_appraise(gw, dev, log, log_len,
			    m->eventlog_sha256, &v, release, &bundle);
	}

	if ((r = gw_tx(gw, &d)) != 0)
		goto dberr;
	if (state_parse(dev->state, &cur) != 0)
		cur = DEV_UNTRUSTED;
	next = state_next(cur, dev->approved,
	    v.pass ? DEV_EV_ATTEST_PASS : DEV_EV_ATTEST_FAIL);
	/*
	 * While the enforcer is not in force (starting, reconciling, dead,
	 * misconfigured), nothing is written and no device is promoted: the
	 * store never says trusted where the network would not follow. The
	 * agent retries; demotions and trusted devices go on as usual.
	 */
	if (next == DEV_TRUSTED && cur != DEV_TRUSTED && !enf_ready(gw)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "2");
		api_fail(req, WG_ERR_ENFORCER_DOWN, NULL);
		goto out;
	}
	if (v.pass) {
		/* Advisories: an affected release is vulnerable, not trusted. */
		char why[256];
		int worst;

		if ((r = advisories_on_pass(gw, dev, release, &worst, why,
		    sizeof(why), &d)) != 0)
			goto dberr;
		if (worst >= 0)
			verdict_warn(&v, WG_ERR_VULNERABLE, why);
		if (worst >= (int)ADVISORY_RESTRICT && next == DEV_TRUSTED)
			next = DEV_VULNERABLE;
	}
	if ((reasons = wire_reasons_encode(v.r, v.n)) == NULL) {
		r = wg_diag_set(&d, WG_ERR_ALLOC, "reasons");
		goto dberr;
	}
	if (m->eventlog.len > 0 &&
	    (r = store_eventlog_put(gw->store, m->eventlog_sha256,
	    m->eventlog.p, m->eventlog.len, &d)) != 0)
		goto dberr;
	memset(&at, 0, sizeof(at));
	memcpy(at.device_id, dev->device_id, sizeof(at.device_id));
	at.at = gw_now();
	at.pass = v.pass;
	at.reasons = reasons;
	at.quote = m->quote.p;
	at.quote_len = m->quote.len;
	at.sig = m->signature.p;
	at.sig_len = m->signature.len;
	hex_encode(m->nonce, sizeof(m->nonce), nonce_hex, sizeof(nonce_hex));
	memcpy(at.nonce, nonce_hex, sizeof(at.nonce));
	memcpy(at.eventlog_sha256, m->eventlog_sha256,
	    sizeof(at.eventlog_sha256));
	at.release = v.pass && release[0] != '\0' ? release : NULL;
	if (v.pass) {
		at.clock = info.attest.clockInfo.clock;
		at.reset_count = info.attest.clockInfo.resetCount;
		at.restart_count = info.attest.clockInfo.restartCount;
	}
	if ((r = store_attestation_add(gw->store, &at, &d)) != 0)
		goto dberr;

	dev->last_attest_at = gw_now();
	dev->attest_count++;
	dev->attest_interval = gw->conf.attest_interval;	/* config rules */
	if (v.pass) {
		const TPMS_CLOCK_INFO *ci = &info.attest.clockInfo;

		rebooted = dev->has_clock && ci->resetCount > dev->reset_count;
		dev->last_good_at = gw_now();
		dev->has_clock = 1;
		dev->clock = ci->clock;
		dev->reset_count = ci->resetCount;
		dev->restart_count = ci->restartCount;
		memcpy(dev->eventlog_sha256, m->eventlog_sha256,
		    sizeof(dev->eventlog_sha256));
		gw->n_pass++;
	} else {
		dev->fail_count++;
		gw->n_fail++;
	}
	if (strlen(reasons) >= sizeof(dev->reasons)) {
		r = wg_diag_set(&d, WG_ERR_INTERNAL, "reasons too long");
		goto dberr;
	}
	memcpy(dev->reasons, reasons, strlen(reasons) + 1);
	if (v.pass && strcmp(dev->release, release) != 0) {
		/* Update provenance: which release, from which, by which policy. */
		memset(&au, 0, sizeof(au));
		au.at = gw_now();
		au.actor = "gateway";
		au.device_id = dev->device_id;
		au.action = "release";
		au.before = dev->release[0] != '\0' ? dev->release : NULL;
		au.after = release[0] != '\0' ? release : NULL;
		au.detail = "attested firmware release changed";
		if ((r = store_audit_add(gw->store, &au, &d)) != 0 ||
		    (r = api_release_history(gw, dev, release, bundle,
		    &d)) != 0)
			goto dberr;
		memcpy(dev->release, release, sizeof(dev->release));
	}
	if (rebooted) {
		memset(&au, 0, sizeof(au));
		au.at = gw_now();
		au.actor = "gateway";
		au.device_id = dev->device_id;
		au.action = "reboot";
		au.detail = "TPM resetCount increased";
		if ((r = store_audit_add(gw->store, &au, &d)) != 0)
			goto dberr;
	}
	if ((r = gw_set_state(gw, dev, next, "gateway", v.pass ?
	    "attestation passed" : (v.n > 0 ? v.r[0].message :
	    "attestation failed"), &d)) != 0 ||
	    (r = store_device_put(gw->store, dev, &d)) != 0)
		goto dberr;

	memset(&resp, 0, sizeof(resp));
	resp.pass = v.pass;
	snprintf(resp.state, sizeof(resp.state), "%s", dev->state);
	snprintf(resp.segment, sizeof(resp.segment), "%s", dev->segment);
	resp.nreasons = v.n;
	memcpy(resp.reasons, v.r, sizeof(v.r));
	resp.next_attest_in = dev->attest_interval;
	resp.rotate = dev->rotate_ak;
	if ((json = wire_evidence_resp_encode(&resp)) == NULL) {
		r = wg_diag_set(&d, WG_ERR_ALLOC, "response");
		goto dberr;
	}
	gw_reply_committed(gw, req, 200, json);
	json = NULL;
	metrics_evidence(gw, &t0, v.pass, v.r, v.n);
	goto out;
dberr:
	gw_abort(gw, d.detail);
	api_fail(req, r == WG_ERR_ALLOC ? r : WG_ERR_DB, &d);
out:
	free(body);
	free(json);
	free(reasons);
	free(stored_log);
	if (m != NULL) {
		wire_evidence_req_free(m);
		free(m);
	}
	free(dev);
}

/* ---- dispatch ---- */

/*
 * Replies go out as soon as they are written: without TCP_NODELAY a reply
 * split over two segments waits for the client's delayed ACK (40 ms).
 * (libevent 2.1 has no hook at accept time; this is one setsockopt.)
 */
static void
api_nodelay(struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	int one = 1;

	if (conn != NULL &&
	    (bev = evhttp_connection_get_bufferevent(conn)) != NULL)
		(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP,
		    TCP_NODELAY, &one, sizeof(one));
}

void
api_dispatch(struct evhttp_request *req, void *arg)
{
	struct gw *gw = arg;
	const char *path = evhttp_request_get_uri(req);

	api_nodelay(req);

	/* libevent falls back to a plain connection when the TLS one cannot
	 * be made (no memory for SSL_new): never serve agents on it. */
	if (!gw_req_tls(req)) {
		gw_send_error(req, 400, WG_ERR_INVALID_ARG, "TLS required");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		gw_send_error(req, 405, WG_ERR_INVALID_ARG,
		    "only POST is served here");
		return;
	}
	if (path == NULL) {
		gw_send_error(req, 400, WG_ERR_INVALID_ARG, "no path");
		return;
	}
	if (strcmp(path, "/v1/enroll") == 0)
		api_enroll(gw, req);
	else if (strcmp(path, "/v1/activate") == 0)
		api_activate(gw, req);
	else if (strcmp(path, "/v1/challenge") == 0)
		api_challenge(gw, req);
	else if (strcmp(path, "/v1/evidence") == 0)
		api_evidence(gw, req);
	else
		gw_send_error(req, 404, WG_ERR_NOT_FOUND, "no such endpoint");
}
