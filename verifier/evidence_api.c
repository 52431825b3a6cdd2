/*
 * evidence_api.c: a device's evidence bundle on the admin API.
 *
 *   GET /admin/v1/devices/ID/evidence   the signed file (lib/evidence.h)
 *
 * Everything is read from the store (the daemon is single-threaded:
 * nothing writes meanwhile), built as one JSON object and signed with the EAR key (ear_key): identity and
 * provisioning record, attestations with their quotes, release history,
 * the policy bundles that approved its releases (with the issuer's key
 * when the gateway trusts it), advisories and remediation, the
 * decommission record and the device's audit rows with their chain
 * links and the chain head. docs/evidence.md has the format.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "evidence.h"
#include "gateway.h"
#include "store.h"

/* A new JSON string of base64, or NULL for no bytes when nullable. */
static struct json_object *
ev_b64(const uint8_t *p, size_t len)
{
	char *s = evidence_b64(p, len);
	struct json_object *o;

	if (s == NULL)
		return NULL;
	o = json_object_new_string(s);
	free(s);
	return o;
}

static struct json_object *
ev_hexstr(const uint8_t *p, size_t len)
{
	char buf[2 * STORE_HASH_LEN + 1];
	size_t i;
	static const char hx[] = "0123456789abcdef";

	for (i = 0; i < len && i < STORE_HASH_LEN; i++) {
		buf[2 * i] = hx[p[i] >> 4];
		buf[2 * i + 1] = hx[p[i] & 15];
	}
	buf[2 * i] = '\0';
	return json_object_new_string(buf);
}

static struct json_object *
ev_str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *
ev_device(struct gw *gw, const struct store_device *dev, struct wg_diag *d)
{
	struct json_object *o = json_object_new_object(), *p;
	struct store_provision pr;
	int r;

	json_object_object_add(o, "device_id",
	    json_object_new_string(dev->device_id));
	json_object_object_add(o, "ek_fingerprint",
	    json_object_new_string(dev->device_id));
	json_object_object_add(o, "name", json_object_new_string(dev->name));
	json_object_object_add(o, "model", json_object_new_string(dev->model));
	json_object_object_add(o, "owner", json_object_new_string(dev->owner));
	json_object_object_add(o, "serial",
	    json_object_new_string(dev->serial));
	json_object_object_add(o, "mac", json_object_new_string(dev->mac));
	json_object_object_add(o, "state", json_object_new_string(dev->state));
	json_object_object_add(o, "segment",
	    json_object_new_string(dev->segment));
	json_object_object_add(o, "reasons",
	    json_object_new_string(dev->reasons));
	json_object_object_add(o, "approved",
	    json_object_new_boolean(dev->approved));
	json_object_object_add(o, "release",
	    json_object_new_string(dev->release));
	json_object_object_add(o, "ek_public", ev_b64(dev->ek_pub,
	    dev->ek_pub_len));
	json_object_object_add(o, "ek_certificate", dev->ek_cert_len > 0 ?
	    ev_b64(dev->ek_cert, dev->ek_cert_len) : NULL);
	json_object_object_add(o, "ak_public", ev_b64(dev->ak_pub,
	    dev->ak_pub_len));
	json_object_object_add(o, "enrolled_at",
	    json_object_new_int64(dev->enrolled_at));
	json_object_object_add(o, "state_since",
	    json_object_new_int64(dev->state_since));
	json_object_object_add(o, "last_attest_at",
	    json_object_new_int64(dev->last_attest_at));
	json_object_object_add(o, "last_good_at",
	    json_object_new_int64(dev->last_good_at));
	json_object_object_add(o, "attest_count",
	    json_object_new_int64((int64_t)dev->attest_count));
	json_object_object_add(o, "fail_count",
	    json_object_new_int64((int64_t)dev->fail_count));
	r = store_provision_get(gw->store, dev->device_id, &pr, d);
	if (r == WG_ERR_NOT_FOUND) {
		json_object_object_add(o, "provisioning", NULL);
		wg_diag_clear(d);
	} else if (r != 0) {
		json_object_put(o);
		return NULL;
	} else {
		p = json_object_new_object();
		json_object_object_add(p, "name",
		    json_object_new_string(pr.name));
		json_object_object_add(p, "serial",
		    json_object_new_string(pr.serial));
		json_object_object_add(p, "model",
		    json_object_new_string(pr.model));
		json_object_object_add(p, "owner",
		    json_object_new_string(pr.owner));
		json_object_object_add(p, "mac", json_object_new_string(pr.mac));
		json_object_object_add(p, "created_at",
		    json_object_new_int64(pr.created_at));
		json_object_object_add(p, "udi", json_object_new_string(pr.udi));
		json_object_object_add(p, "batch",
		    json_object_new_string(pr.batch));
		json_object_object_add(p, "location",
		    json_object_new_string(pr.location));
		json_object_object_add(p, "owner_identity",
		    json_object_new_string(pr.owner_identity));
		json_object_object_add(p, "owner_update",
		    json_object_new_string(pr.owner_update));
		json_object_object_add(p, "owner_vuln",
		    json_object_new_string(pr.owner_vuln));
		json_object_object_add(p, "owner_decommission",
		    json_object_new_string(pr.owner_decommission));
		json_object_object_add(o, "provisioning", p);
	}
	return o;
}

static int
ev_att_cb(int64_t id, const struct store_attestation *a, void *arg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "at", json_object_new_int64(a->at));
	json_object_object_add(o, "pass", json_object_new_boolean(a->pass));
	json_object_object_add(o, "reasons",
	    json_object_new_string(a->reasons));
	json_object_object_add(o, "release", a->release != NULL &&
	    a->release[0] != '\0' ? json_object_new_string(a->release) : NULL);
	json_object_object_add(o, "nonce", json_object_new_string(a->nonce));
	json_object_object_add(o, "eventlog_sha256",
	    a->eventlog_sha256[0] != '\0' ?
	    json_object_new_string(a->eventlog_sha256) : NULL);
	json_object_object_add(o, "quote", ev_b64(a->quote, a->quote_len));
	json_object_object_add(o, "signature", ev_b64(a->sig, a->sig_len));
	json_object_array_add(arg, o);
	return 0;
}

struct ev_rel {
	struct json_object *hist;
	struct json_object *pols;
	struct gw *gw;
	struct wg_diag *d;
};

static int
ev_pol_cb(const struct store_policy *p, void *arg)
{
	struct ev_rel *er = arg;
	struct json_object *o = json_object_new_object();
	EVP_PKEY *k = policies_issuer_key_get(er->gw, p->issuer);
	char *pem = k != NULL ? evidence_pub_pem(k) : NULL;

	json_object_object_add(o, "issuer", json_object_new_string(p->issuer));
	json_object_object_add(o, "version",
	    json_object_new_int64((int64_t)p->version));
	json_object_object_add(o, "installed_at",
	    json_object_new_int64(p->installed_at));
	json_object_object_add(o, "installed_by",
	    json_object_new_string(p->installed_by));
	json_object_object_add(o, "bundle", ev_b64(p->bundle, p->bundle_len));
	json_object_object_add(o, "signature", ev_b64(p->sig, p->sig_len));
	json_object_object_add(o, "issuer_key", ev_str_or_null(pem));
	free(pem);
	json_object_array_add(er->pols, o);
	return 0;
}

/* Whether pols already holds (issuer, version). */
static int
ev_pol_listed(struct json_object *pols, const char *issuer, uint64_t v)
{
	size_t i, n = json_object_array_length(pols);
	struct json_object *p, *x, *y;

	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(pols, i);
		if (json_object_object_get_ex(p, "issuer", &x) &&
		    json_object_object_get_ex(p, "version", &y) &&
		    strcmp(json_object_get_string(x), issuer) == 0 &&
		    (uint64_t)json_object_get_int64(y) == v)
			return 1;
	}
	return 0;
}

static int
ev_rel_cb(const struct store_release *r, void *arg)
{
	struct ev_rel *er = arg;
	struct json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "at", json_object_new_int64(r->at));
	json_object_object_add(o, "from",
	    json_object_new_string(r->from_release));
	json_object_object_add(o, "to", json_object_new_string(r->to_release));
	json_object_object_add(o, "issuer", json_object_new_string(r->issuer));
	json_object_object_add(o, "bundle_version",
	    json_object_new_int64((int64_t)r->bundle_version));
	json_object_array_add(er->hist, o);
	if (r->issuer[0] == '\0' || ev_pol_listed(er->pols, r->issuer,
	    r->bundle_version))
		return 0;
	rc = store_policy_get(er->gw->store, r->issuer, r->bundle_version,
	    ev_pol_cb, er, er->d);
	if (rc == WG_ERR_NOT_FOUND) {	/* the verifier will say so */
		wg_diag_clear(er->d);
		return 0;
	}
	return rc;
}

struct ev_adv {
	struct json_object *rem;	/* remediation rows (with "id") */
	struct json_object *docs;
};

static int
ev_adv_cb(const struct store_advisory *a, void *arg)
{
	struct ev_adv *ea = arg;
	struct json_object *o, *x;
	size_t i, n = json_object_array_length(ea->rem);

	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(
		    ea->rem, i), "id", &x) ||
		    strcmp(json_object_get_string(x), a->id) != 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(a->id));
		json_object_object_add(o, "added_at",
		    json_object_new_int64(a->added_at));
		json_object_object_add(o, "added_by",
		    ev_str_or_null(a->added_by));
		json_object_object_add(o, "document",
		    json_object_new_string_len((const char *)a->doc,
		    (int)a->doc_len));
		json_object_array_add(ea->docs, o);
		break;
	}
	return 0;
}

static int
ev_audit_cb(const struct store_audit_link *l, void *arg)
{
	struct json_object *o = json_object_new_object();
	const struct store_audit *a = &l->row.a;

	json_object_object_add(o, "id", json_object_new_int64(l->row.id));
	json_object_object_add(o, "at", json_object_new_int64(a->at));
	json_object_object_add(o, "actor", json_object_new_string(a->actor));
	json_object_object_add(o, "device_id", ev_str_or_null(a->device_id));
	json_object_object_add(o, "action",
	    json_object_new_string(a->action));
	json_object_object_add(o, "before", ev_str_or_null(a->before));
	json_object_object_add(o, "after", ev_str_or_null(a->after));
	json_object_object_add(o, "detail", ev_str_or_null(a->detail));
	json_object_object_add(o, "prev_hash", ev_hexstr(l->prev_hash,
	    STORE_HASH_LEN));
	json_object_object_add(o, "hash", ev_hexstr(l->hash, STORE_HASH_LEN));
	json_object_array_add(arg, o);
	return 0;
}

/* The bundle (new) of dev. */
static int
ev_bundle(struct gw *gw, const struct store_device *dev,
    struct json_object **out, struct wg_diag *d)
{
	struct json_object *b = json_object_new_object(), *o, *arr;
	struct ev_rel er;
	struct ev_adv ea;
	struct store_decommission dc;
	uint8_t *arch = NULL, head[STORE_HASH_LEN];
	int64_t head_id = 0, rows = 0, bad = 0;
	char kid[EVIDENCE_KID_LEN], *pem = NULL;
	int r;

	json_object_object_add(b, "format",
	    json_object_new_string(EVIDENCE_FORMAT));
	json_object_object_add(b, "generated", json_object_new_int64(gw_now()));
	if ((r = evidence_key_id(gw->ear_key, kid, d)) != 0)
		goto out;
	if ((pem = evidence_pub_pem(gw->ear_key)) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "gateway public key");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "public_key", json_object_new_string(pem));
	json_object_object_add(o, "key_id", json_object_new_string(kid));
	json_object_object_add(b, "gateway", o);
	if ((o = ev_device(gw, dev, d)) == NULL) {
		r = d->err != 0 ? d->err : WG_ERR_ALLOC;
		goto out;
	}
	json_object_object_add(b, "device", o);

	arr = json_object_new_array();
	json_object_object_add(b, "attestations", arr);
	if ((r = store_attestation_evidence_each(gw->store, dev->device_id,
	    ev_att_cb, arr, d)) != 0)
		goto out;

	er.hist = json_object_new_array();
	er.pols = json_object_new_array();
	er.gw = gw;
	er.d = d;
	json_object_object_add(b, "release_history", er.hist);
	json_object_object_add(b, "policies", er.pols);
	if ((r = store_release_history_each(gw->store, dev->device_id,
	    ev_rel_cb, &er, d)) != 0)
		goto out;

	ea.rem = advisories_device_json(gw, dev);
	ea.docs = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "documents", ea.docs);
	json_object_object_add(o, "remediation", ea.rem);
	json_object_object_add(b, "advisories", o);
	if ((r = store_advisory_each(gw->store, ev_adv_cb, &ea, d)) != 0)
		goto out;

	/* A device without a TPM: its compensating controls; any device:
	 * its field-service windows (docs/legacy.md). */
	json_object_object_add(b, "legacy", service_legacy_json(gw, dev));
	json_object_object_add(b, "service_windows",
	    service_device_json(gw, dev));

	r = store_decommission_get(gw->store, dev->device_id, &dc, &arch, d);
	if (r == WG_ERR_NOT_FOUND) {
		json_object_object_add(b, "decommission", NULL);
		wg_diag_clear(d);
	} else if (r != 0)
		goto out;
	else {
		o = json_object_new_object();
		json_object_object_add(o, "at", json_object_new_int64(dc.at));
		json_object_object_add(o, "actor",
		    json_object_new_string(dc.actor));
		json_object_object_add(o, "reason",
		    json_object_new_string(dc.reason));
		json_object_object_add(o, "archive", ev_b64(dc.archive,
		    dc.archive_len));
		json_object_object_add(o, "archive_sha256",
		    json_object_new_string(dc.archive_sha256));
		json_object_object_add(b, "decommission", o);
	}

	o = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(o, "rows", arr);
	json_object_object_add(b, "audit", o);
	if ((r = store_audit_chain_each(gw->store, dev->device_id,
	    ev_audit_cb, arr, d)) != 0 ||
	    (r = store_audit_head(gw->store, &head_id, head, d)) != 0)
		goto out;
	json_object_object_add(o, "count",
	    json_object_new_int64((int64_t)json_object_array_length(arr)));
	{
		struct json_object *h = json_object_new_object();

		json_object_object_add(h, "id", json_object_new_int64(head_id));
		json_object_object_add(h, "hash", ev_hexstr(head,
		    sizeof(head)));
		json_object_object_add(o, "head", h);
	}
	/* The whole chain as the gateway sees it at export. */
	r = store_audit_verify(gw->store, &rows, &bad, d);
	if (r != 0 && r != WG_ERR_FORMAT)
		goto out;
	json_object_object_add(o, "chain_intact",
	    json_object_new_boolean(r == 0));
	json_object_object_add(o, "chain_rows", json_object_new_int64(rows));
	wg_diag_clear(d);
	*out = b;
	b = NULL;
	r = 0;
out:
	free(arch);
	free(pem);
	json_object_put(b);
	return r;
}

void
evidence_api_device(struct gw *gw, struct evhttp_request *req,
    const struct store_device *dev)
{
	struct json_object *b = NULL;
	struct wg_diag d;
	char *text = NULL;
	int r;

	wg_diag_clear(&d);
	if (gw->ear_key == NULL) {
		gw_send_error(req, 503, WG_ERR_CONFIG, "evidence export needs "
		    "the signing key: ear_key = none in wardgated.conf");
		return;
	}
	r = ev_bundle(gw, dev, &b, &d);
	if (r == 0)
		r = evidence_sign(b, gw->ear_key, &text, &d);
	json_object_put(b);
	if (r != 0) {
		gw_send_error(req, 500, r, d.detail);
		return;
	}
	gw_send_json(req, 200, text);
	free(text);
}
