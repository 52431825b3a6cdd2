/*
 * client.h: the agent's HTTPS client for the gateway (libcurl).
 *
 * One easy handle is reused so that the connection stays open between
 * requests. Only https:// to the configured gateway, TLS 1.2 or newer,
 * peer and host name verified against the pinned CA file alone (never
 * the system store), no redirects, timeouts on connect and on the whole
 * request, response bodies capped at WIRE_MAX_BODY (the transfer is
 * aborted beyond). Messages go through lib/wire.
 *
 * Each call returns 0 when the gateway answered 200 with a valid
 * message; the gateway's own reason when it answered 4xx/5xx with an
 * error object (e.g. WG_ERR_EVENTLOG_REQUIRED; WG_ERR_INTERNAL for a
 * reason this agent does not know), the diag then reads "gateway
 * answered 409 EVENTLOG_REQUIRED: <its message>"; WG_ERR_IO when the
 * gateway could not be reached or TLS failed; WG_ERR_TOO_LARGE,
 * WG_ERR_FORMAT or a wire decoder's code for a malformed answer.
 * client_gateway_said tells the two kinds apart.
 *
 * The caller has called curl_global_init once.
 */
#ifndef WG_AGENT_CLIENT_H
#define WG_AGENT_CLIENT_H

#include "wg_err.h"
#include "wire.h"

struct client;

/*
 * A client for the gateway at base_url (https://host[:port][/prefix],
 * without a trailing '/') trusting only the CA certificates in ca_file.
 * timeout bounds each request in seconds. *out is new; client_free.
 */
int client_new(const char *base_url, const char *ca_file, unsigned timeout,
    struct client **out, struct wg_diag *d);
void client_free(struct client *c);

/* 1 when the last call's error came from the gateway's error object. */
int client_gateway_said(const struct client *c);

/* POST /v1/enroll. *resp is filled on success; wire_enroll_resp_free. */
int client_enroll(struct client *c, const struct wire_enroll_req *req,
    struct wire_enroll_resp *resp, struct wg_diag *d);

/* POST /v1/activate. */
int client_activate(struct client *c, const struct wire_activate_req *req,
    struct wire_activate_resp *resp, struct wg_diag *d);

/* POST /v1/challenge. */
int client_challenge(struct client *c, const struct wire_challenge_req *req,
    struct wire_challenge_resp *resp, struct wg_diag *d);

/* POST /v1/evidence (with the event log up to WIRE_MAX_EVIDENCE_BODY). */
int client_evidence(struct client *c, const struct wire_evidence_req *req,
    struct wire_evidence_resp *resp, struct wg_diag *d);

#endif
