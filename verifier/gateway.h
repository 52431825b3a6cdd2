/*
 * gateway.h: the state of one wardgated process, shared by its event
 * loop (wardgated.c), the agent API (api.c) and the admin API (admin.c).
 * One thread: libevent callbacks never run concurrently.
 */
#ifndef WG_GATEWAY_H
#define WG_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <tss2/tss2_tpm2_types.h>

#include "conf.h"
#include "nonce.h"
#include "quote.h"
#include "rcache.h"
#include "state.h"
#include "store.h"
#include "wire.h"

struct akcache;
struct enroll_table;
struct gw_policies;
struct gw_enf;
struct gw_radsrv;
struct gw_roles;
struct gw_advisories;
struct gw_metrics;
struct gw_notify;
struct policy;
struct policy_model;
struct json_object;

/* A response held back until the batch it belongs to has committed. */
struct gw_pending {
	struct evhttp_request *req;
	int status;
	char *body;		/* owned JSON text */
};

struct gw {
	struct conf conf;
	TPML_PCR_SELECTION required;	/* conf.pcr_selection, parsed */
	struct event_base *base;
	struct evhttp *http;		/* agents, HTTPS */
	struct evhttp *admin;		/* admin UNIX socket, HTTP */
	int admin_bound;		/* we created the socket file */
	SSL_CTX *tls;
	X509_STORE *ek_cas;
	struct store *store;
	struct rcache *rcache;		/* replays by event-log hash */
	struct nonce_table *nonces;
	struct enroll_table *enrolls;
	struct akcache *aks;		/* device id -> loaded AK */
	struct gw_policies *policies;	/* trusted issuers, installed bundles */
	struct gw_enf *enf;		/* wardgate-enforcer(8) child */
	struct gw_radsrv *radsrv;	/* rlm_rest endpoint, RFC 5176 client */
	struct gw_roles *roles;		/* admin socket: who may do what */
	struct gw_advisories *advisories;	/* vulnerability advisories */
	EVP_PKEY *ear_key;		/* EAR signing key (ear_api.c), or NULL */
	struct gw_metrics *metrics;	/* /metrics and its counters */
	struct gw_notify *notify;	/* syslog and webhook per state change */

	/* Devices whose segment changed in the open transaction: told to
	 * the enforcer and the RADIUS client once it commits. */
	char (*changed)[STORE_ID_LEN];
	size_t nchanged, cap_changed;

	/* Group commit: writes of several requests share a transaction. */
	int in_tx;
	struct gw_pending *pending;
	size_t npending, cap_pending;
	struct event *commit_timer;
	struct event *sweep_timer;

	/* Counters (for status and, later, /metrics). */
	uint64_t n_attest, n_pass, n_fail, n_commits;
};

/* Current time, unix seconds (one place, so tests could move it). */
int64_t gw_now(void);

/* One audit row, now (strings may be NULL but actor and action). */
int gw_audit(struct gw *gw, const char *device_id, const char *actor,
    const char *action, const char *before, const char *after,
    const char *detail, struct wg_diag *d);

/*
 * Makes room for element n of the array *arrp (a pointer to the array's
 * pointer) of elements of size bytes, doubling *cap from 8, at most max
 * elements. 0, or -1 (array untouched) when max is reached or no memory.
 */
int gw_grow(void *arrp, size_t *cap, size_t n, size_t size, size_t max);

/* 1 when the request came over a TLS connection. */
int gw_req_tls(struct evhttp_request *req);

/* 1 when s is 1 to STORE_TEXT_LEN - 1 bytes without control characters. */
int gw_text_ok(const char *s);

/* t as "YYYY-MM-DDTHH:MM:SSZ" in out; "" when t <= 0. */
void gw_time_iso(int64_t t, char *out, size_t len);

/* "TIME wardgated: message" on stderr; gw_verbose set by -v. */
extern int gw_verbose;
void gw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the batch transaction if none is open. */
int gw_tx(struct gw *gw, struct wg_diag *d);

/*
 * Queues a JSON response (body is taken over) to be sent once the current
 * batch commits; commits at once when the batch is full, else arms the
 * commit timer. Without an open transaction the response goes at once.
 */
void gw_reply_committed(struct gw *gw, struct evhttp_request *req,
    int status, char *body);

/* Commits the batch and sends its responses (503 for all if it fails). */
void gw_flush(struct gw *gw);

/* Rolls the batch back and answers every held request with 503. */
void gw_abort(struct gw *gw, const char *why);

/* Sends a JSON body (not freed) now. */
void gw_send_json(struct evhttp_request *req, int status, const char *body);

/* Sends {"error": wg_errname(err), "message": ...} with status now. */
void gw_send_error(struct evhttp_request *req, int status, int err,
    const char *message);

/*
 * The request body as a NUL-terminated copy (caller frees) if it is at
 * most max bytes; WG_ERR_TOO_LARGE or WG_ERR_INVALID_ARG otherwise.
 */
int gw_body(struct evhttp_request *req, size_t max, char **out, size_t *len);

/* The segment a state maps to. */
const char *gw_segment(const struct gw *gw, enum dev_state s);

/*
 * Moves dev to `to` (no-op if already there), with an audit row saying
 * who and why, inside the open transaction. Updates dev in memory only:
 * the caller writes it with store_device_put.
 */
int gw_set_state(struct gw *gw, struct store_device *dev, enum dev_state to,
    const char *actor, const char *why, struct wg_diag *d);

/* Marks every trusted device whose last good attestation is too old. */
void gw_sweep(struct gw *gw);

/*
 * Sets dev->segment from its state and holds (gw_device_segment) and, if
 * it changed, queues the device for the enforcer and RADIUS once the open
 * transaction commits. The caller stores dev.
 */
int gw_resegment(struct gw *gw, struct store_device *dev, struct wg_diag *d);

/*
 * gw_changed_add queues a device for the enforcer and RADIUS (its segment
 * or MAC changed); gw_changed_done sends the queue after a commit
 * (committed = 1) or drops it after a rollback. Paths that commit on
 * their own (admin, sweep) call gw_changed_done; gw_flush does it for
 * the group commit.
 */
int gw_changed_add(struct gw *gw, const char *device_id, struct wg_diag *d);
void gw_changed_done(struct gw *gw, int committed);

/* api.c */
int api_init(struct gw *gw);
void api_free(struct gw *gw);
void api_dispatch(struct evhttp_request *req, void *arg);
/* Drops the loaded AK of a device (decommissioned) from the cache. */
void api_ak_forget(struct gw *gw, const char *device_id);

/* policies.c */
/* The trusted public key of issuer, or NULL (borrowed; an EVP_PKEY). */
EVP_PKEY *policies_issuer_key_get(const struct gw *gw,
    const char *issuer);
int policies_init(struct gw *gw, struct wg_diag *d);
void policies_free(struct gw *gw);
/* The policy model for a device model (and the bundle it is from). */
const struct policy_model *policies_model(const struct gw *gw,
    const char *model, const struct policy **from);
/* Verifies, stores (with its audit row) and activates a bundle. */
int policies_install(struct gw *gw, const uint8_t *bundle, size_t len,
    const uint8_t *sig, size_t siglen, const char *actor,
    const struct policy **out, struct wg_diag *d);
/* The installed bundles as a JSON array (new). */
struct json_object *policies_json(const struct gw *gw);

/* admin.c */
void admin_dispatch(struct evhttp_request *req, void *arg);
/* "admin:uid=N role=R" for the request's peer. */
void admin_actor(struct evhttp_request *req, char *out, size_t len);
/* A device by id, unique id prefix or unique name. */
int admin_find(struct gw *gw, const char *key, struct store_device *dev,
    struct wg_diag *d);
/* The same from committed data, answering 404 or 400 itself: -1 then. */
int admin_find_http(struct gw *gw, struct evhttp_request *req,
    const char *key, struct store_device *dev);
/* A device as JSON (new); full adds identity, times and counters. */
struct json_object *admin_device_json(const struct store_device *dev,
    int full);
/* Sends o (taken over) as the JSON reply. */
void admin_reply(struct evhttp_request *req, int status,
    struct json_object *o);

/*
 * life.c: lifecycle evidence. life_releases_json: the device's release
 * history (new JSON array). life_decommission: POST .../decommission.
 * life_audit_verify: GET /admin/v1/audit/verify. life_audit_list: GET
 * /admin/v1/audit[?device=ID].
 */
struct json_object *life_releases_json(struct gw *gw,
    const struct store_device *dev);
void life_decommission(struct gw *gw, struct evhttp_request *req,
    const char *key);
void life_audit_verify(struct gw *gw, struct evhttp_request *req);
void life_audit_list(struct gw *gw, struct evhttp_request *req);

/*
 * roles.c: admin roles (role_admin, role_security, role_clinical in
 * wardgated.conf) from UNIX peer credentials or, on the TLS admin
 * listener, the verified client certificate's name (cert:NAME).
 * roles_check_conf checks the syntax only (for -n); roles_init resolves
 * user and group names. roles_of_request: the roles (ROLE_* mask) of the
 * peer of req's connection, and its actor text into actor ("admin:uid=N
 * role=R" on the UNIX socket, "admin:cert=CN role=R" over TLS, the CN
 * sanitised; "admin:unknown"; at most 64 bytes with its NUL).
 * roles_required: the roles any one of which may make a request (GET or
 * not) to uri.
 */
#define ROLE_ADMIN 1u
#define ROLE_SECURITY 2u
#define ROLE_CLINICAL 4u
int roles_check_conf(const struct conf *c, struct wg_diag *d);
int roles_init(struct gw *gw, struct wg_diag *d);
void roles_free(struct gw *gw);
unsigned roles_of_request(const struct gw *gw, struct evhttp_request *req,
    char *actor, size_t len);
const char *roles_name(unsigned mask);
unsigned roles_required(int is_get, const char *uri);

/*
 * enfctl.c: drives wardgate-enforcer(8) (conf "enforcer"). enf_start
 * spawns it; until it has installed its ruleset and every device's
 * segment was applied again from the store, enf_ready() is 0 and no
 * device may be promoted. enf_put() queues one device's segment (after
 * commit). With enforcer = none, enf_ready() is 1 and enf_put() does
 * nothing.
 */
int enf_start(struct gw *gw, struct wg_diag *d);
void enf_stop(struct gw *gw);
int enf_ready(const struct gw *gw);
void enf_put(struct gw *gw, const char *mac, const char *segment);
struct json_object *enf_status_json(const struct gw *gw);

/*
 * Field-service flows (enforcer.conf "flow NAME = ..."). enf_flow_check:
 * 0 when a window on flow may be opened now (enforcement off, or the
 * enforcer is up and announced flow); WG_ERR_ENFORCER_DOWN when it is
 * not up, WG_ERR_NOT_FOUND when it announced no such flow. enf_flow_put
 * opens flow for mac for `seconds` (0: closes it), after commit, like
 * enf_put. While reconciling, the enforcer client calls
 * service_reconcile (service.c), which enf_flow_put()s every open window
 * with the seconds it has left.
 */
int enf_flow_check(const struct gw *gw, const char *flow, struct wg_diag *d);
/* The same for a segment (a legacy device's restricted segment). */
int enf_segment_check(const struct gw *gw, const char *segment,
    struct wg_diag *d);
void enf_flow_put(struct gw *gw, const char *mac, const char *flow,
    uint32_t seconds);
void service_reconcile(struct gw *gw);

/*
 * service.c: legacy devices (no usable TPM; compensating controls, review
 * and sunset) and field-service windows (docs/operations.md).
 * service_legacy_segment: the segment of a legacy device (the restricted
 * segment of its record until its sunset, then segment_untrusted; valid
 * until the next call). service_close_all closes the
 * device's open windows inside the caller's transaction. service_sweep
 * closes ended windows and quarantines legacy devices past their sunset,
 * in its own transaction. service_done sends the flow changes of the
 * transaction that just committed (committed = 1) or forgets them;
 * gw_changed_done calls it. The *_http functions answer the admin API;
 * *_json give the device's legacy record (or NULL) and windows.
 */
int service_legacy_segment(struct gw *gw, const struct store_device *dev,
    int64_t now, const char **segment, struct wg_diag *d);
int service_close_all(struct gw *gw, const struct store_device *dev,
    const char *actor, const char *why, struct wg_diag *d);
void service_sweep(struct gw *gw);
void service_done(struct gw *gw, int committed);
/*
 * A new record (device_id's) with mac takes it over from decommissioned
 * devices (a repaired device: new TPM, same network card): their MAC is
 * cleared with an audit row each, and after the commit the enforcer
 * moves the MAC out of the blocked segment. In the caller's transaction.
 */
int service_mac_takeover(struct gw *gw, const char *mac,
    const char *device_id, const char *actor, struct wg_diag *d);
void service_free(void);
void service_legacy_add_http(struct gw *gw, struct evhttp_request *req,
    const char *actor);
void service_legacy_review_http(struct gw *gw, struct evhttp_request *req,
    const char *key, const char *actor);
void service_legacy_list_http(struct gw *gw, struct evhttp_request *req);
void service_open_http(struct gw *gw, struct evhttp_request *req,
    const char *key, const char *actor);
void service_close_http(struct gw *gw, struct evhttp_request *req,
    const char *key, const char *actor);
void service_list_http(struct gw *gw, struct evhttp_request *req);
struct json_object *service_legacy_json(struct gw *gw,
    const struct store_device *dev);
struct json_object *service_device_json(struct gw *gw,
    const struct store_device *dev);

/*
 * radsrv.c: the FreeRADIUS rlm_rest decision endpoint (radius_listen)
 * and the RFC 5176 Disconnect/CoA client (radius_das). radsrv_init does
 * nothing for the parts set to "none". radsrv_changed is called after
 * commit for a device whose segment changed; it sends the request to
 * the NAS and returns at once (retries run on the event loop).
 */
int radsrv_init(struct gw *gw, struct wg_diag *d);
void radsrv_free(struct gw *gw);
void radsrv_changed(struct gw *gw, const struct store_device *dev);
struct json_object *radsrv_status_json(const struct gw *gw);

/*
 * hold.c: clinical holds (wardgate(1) hold). hold_grant and hold_release
 * work inside the caller's transaction (audit row, hold row, new segment
 * in dev; the caller stores dev, commits and calls gw_changed_done).
 * hold_expire ends every due hold in its own transaction (sweep).
 * hold_json: the device's open hold, or NULL.
 */
int hold_grant(struct gw *gw, struct store_device *dev, int64_t until,
    const char *reason, const char *actor, struct wg_diag *d);
int hold_release(struct gw *gw, struct store_device *dev, const char *actor,
    const char *why, struct wg_diag *d);
void hold_expire(struct gw *gw);
struct json_object *hold_json(struct gw *gw, const struct store_device *dev);

/*
 * The segment a device is in, from its state and any open clinical hold
 * that has not expired (a held device that is not trusted gets
 * segment_hold; trusted, pending and decommissioned devices ignore holds).
 */
int gw_device_segment(struct gw *gw, const struct store_device *dev,
    int64_t now, const char **segment, struct wg_diag *d);

/*
 * metrics.c: Prometheus /metrics on metrics_listen (docs/operations.md).
 * metrics_init allocates the counters and, unless metrics_listen is
 * "none", listens. metrics_clock reads the monotonic clock;
 * metrics_evidence counts one verdict's latency since start and, for a
 * failing verdict, each of its reason codes once. metrics_count adds n
 * to a counter. All do nothing before metrics_init.
 */
struct timespec;
struct wire_reason;
enum metrics_event {
	METRICS_STATE_CHANGE,
	METRICS_WEBHOOK_SENT,
	METRICS_WEBHOOK_FAILED,
	METRICS_WEBHOOK_DROPPED,
	METRICS_NOTIFY_DROPPED,
};
int metrics_init(struct gw *gw, struct wg_diag *d);
void metrics_free(struct gw *gw);
void metrics_clock(struct timespec *t);
void metrics_evidence(struct gw *gw, const struct timespec *start, int pass,
    const struct wire_reason *r, unsigned n);
void metrics_count(struct gw *gw, enum metrics_event ev, uint64_t n);

/*
 * notify.c: syslog and webhook messages per device state change.
 * notify_add remembers a change made in the open transaction (dev as
 * changed: state, segment; from the state before; why borrowed, copied);
 * it never fails (a change it cannot hold is counted as dropped).
 * notify_done sends what was remembered after a commit (committed = 1)
 * or forgets it after a rollback; gw_changed_done calls it.
 */
int notify_init(struct gw *gw, struct wg_diag *d);
void notify_free(struct gw *gw);
void notify_add(struct gw *gw, const struct store_device *dev,
    const char *from, const char *why);
void notify_done(struct gw *gw, int committed);

/*
 * ear_api.c: attestation results as EARs (docs/ear.md). ear_init loads
 * conf ear_key (P-256, mode 600; "none": EARs off) or fails with
 * WG_ERR_CONFIG. ear_api_device answers GET /admin/v1/devices/ID/ear for
 * a resolved device (borrowed); ear_api_all GET /admin/v1/ear, one token
 * with one submod per device.
 */
int ear_init(struct gw *gw, struct wg_diag *d);
void ear_free(struct gw *gw);
void ear_api_device(struct gw *gw, struct evhttp_request *req,
    const struct store_device *dev);
void ear_api_all(struct gw *gw, struct evhttp_request *req);

/*
 * advisories.c: vulnerability intake. advisories_init loads the stored
 * advisories. advisories_on_pass, inside the transaction of a passing
 * attestation of dev at release: opens the remediation rows of the
 * advisories that affect it, closes (audited) those it now escapes, and
 * gives the worst action affecting it (-1 none, else enum
 * advisory_action) with a sentence in why. advisories_segment: for a
 * vulnerable device, segment_restricted when its open advisories restrict
 * and none quarantines (else *segment is left). POST/GET
 * /admin/v1/advisories; advisories_device_json: the device's rows.
 */
int advisories_init(struct gw *gw, struct wg_diag *d);
void advisories_free(struct gw *gw);
int advisories_on_pass(struct gw *gw, struct store_device *dev,
    const char *release, int *worst, char *why, size_t wlen,
    struct wg_diag *d);
int advisories_segment(struct gw *gw, const struct store_device *dev,
    const char **segment, struct wg_diag *d);
void advisories_add_http(struct gw *gw, struct evhttp_request *req,
    const char *actor);
void advisories_list_http(struct gw *gw, struct evhttp_request *req);
struct json_object *advisories_device_json(struct gw *gw,
    const struct store_device *dev);

/*
 * evidence_api.c: GET /admin/v1/devices/ID/evidence, the device's evidence
 * bundle signed with the ear_key (lib/evidence.h, docs/evidence.md).
 */
void evidence_api_device(struct gw *gw, struct evhttp_request *req,
    const struct store_device *dev);

#endif
