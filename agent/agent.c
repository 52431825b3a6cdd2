/*
 * agent.c: the agent's work: the AK, enrollment (EK certificate, AK,
 * credential activation) and one attestation round (challenge, quote,
 * evidence).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "agent.h"
#include "file.h"
#include "hex.h"
#include "log.h"
#include "pcr.h"

/* A state directory problem: say where, and how to start afresh. */
static int
state_error(const struct agent *a, const struct wg_diag *d, const char *what)
{
	log_error_diag(d, "%s (state directory %s)", what,
	    a->conf->state_dir);
	return AGENT_EXIT_USAGE;
}

int
agent_init(struct agent *a, const struct conf *c)
{
	struct wg_diag d;

	memset(a, 0, sizeof(*a));
	a->conf = c;
	a->tcti = tpm_tcti_choose(c->tcti);
	wg_diag_clear(&d);
	if (statedir_prepare(c->state_dir, &d) != 0)
		return state_error(a, &d, "cannot use the state directory");
	if (statedir_load(c->state_dir, &a->st, &d) != 0)
		return state_error(a, &d, "cannot read the saved state; "
		    "remove " STATEDIR_FILE " to create a new AK and enroll "
		    "again");
	return AGENT_EXIT_OK;
}

void
agent_cleanup(struct agent *a)
{
	client_free(a->client);
	a->client = NULL;
	OPENSSL_cleanse(&a->st, sizeof(a->st));
}

int
agent_ensure_ak(struct agent *a, struct tpm *t)
{
	const struct conf *c = a->conf;
	enum tpm_ak_kind kind;
	struct agent_state st;
	struct wg_diag d;

	wg_diag_clear(&d);
	if (a->st.has_ak) {
		if (tpm_ak_kind_of(&a->st.ak, &kind, &d) != 0)
			return state_error(a, &d, "the saved AK");
		if ((c->ek_set && c->ek != a->st.ak.ek) ||
		    (c->ak_set && c->ak != kind)) {
			log_error("the saved AK is an %s key under the %s EK, "
			    "not what the configuration asks (ak %s, ek %s); "
			    "remove %s/" STATEDIR_FILE " to create a new AK "
			    "and enroll again", tpm_ak_kind_name(kind),
			    tpm_ek_kind_name(a->st.ak.ek),
			    tpm_ak_kind_name(c->ak), tpm_ek_kind_name(c->ek),
			    c->state_dir);
			return AGENT_EXIT_USAGE;
		}
		return AGENT_EXIT_OK;
	}
	memset(&st, 0, sizeof(st));
	if (tpm_ak_create(t, c->ek, c->ak, &st.ak, &d) != 0) {
		log_error_diag(&d, "cannot create an AK under the %s EK",
		    tpm_ek_kind_name(c->ek));
		return AGENT_EXIT_TPM;
	}
	st.has_ak = 1;
	if (statedir_save(c->state_dir, &st, &d) != 0)
		return state_error(a, &d, "cannot save the new AK");
	a->st = st;
	log_info("created a new %s AK under the %s EK",
	    tpm_ak_kind_name(c->ak), tpm_ek_kind_name(c->ek));
	return AGENT_EXIT_OK;
}

/*
 * The exit class of a failed gateway call, logging it. Refusals that
 * concern the device are REFUSED (and *stop for those that are final);
 * everything else is the gateway's or the network's problem.
 */
#define gateway_error(a, r, d, what, stop) \
	gateway_error_in(__func__, (a), (r), (d), (what), (stop))

static int
gateway_error_in(const char *func, struct agent *a, int r,
    const struct wg_diag *d, const char *what, int *stop)
{
	log_emit(LOG_LVL_ERROR, func, d, "%s", what);
	if (!client_gateway_said(a->client))
		return AGENT_EXIT_GATEWAY;
	switch (r) {
	case WG_ERR_DEVICE_DECOMMISSIONED:
	case WG_ERR_EK_BLOCKED:
		*stop = 1;
		return AGENT_EXIT_REFUSED;
	case WG_ERR_EK_CERT_UNTRUSTED:
	case WG_ERR_EK_MISMATCH:
	case WG_ERR_ACTIVATION_FAILED:
	case WG_ERR_AK_ATTRIBUTES:
	case WG_ERR_AK_UNSUPPORTED:
		return AGENT_EXIT_REFUSED;
	}
	return AGENT_EXIT_GATEWAY;
}

/* Forgets the device id (the gateway no longer knows it). */
static int
forget_device(struct agent *a)
{
	struct agent_state st = a->st;
	struct wg_diag d;

	wg_diag_clear(&d);
	st.device_id[0] = '\0';
	if (statedir_save(a->conf->state_dir, &st, &d) != 0)
		return state_error(a, &d, "cannot save the state");
	a->st.device_id[0] = '\0';
	return AGENT_EXIT_OK;
}

static int
valid_device_id(const char *s)
{
	return strlen(s) == WIRE_ID_LEN - 1 && hex_is_lower(s, WIRE_ID_LEN - 1);
}

static void
fill_claims(const struct conf *c, struct wire_enroll_req *req)
{
	char host[256];
	size_t n;

	if (c->hostname[0] != '\0')
		snprintf(req->hostname, sizeof(req->hostname), "%s",
		    c->hostname);
	else if (gethostname(host, sizeof(host)) == 0) {
		/* A claim is at most 128 bytes: cut a longer name. */
		host[sizeof(host) - 1] = '\0';
		n = strlen(host);
		if (n >= sizeof(req->hostname))
			n = sizeof(req->hostname) - 1;
		memcpy(req->hostname, host, n);
		req->hostname[n] = '\0';
	}
	snprintf(req->serial, sizeof(req->serial), "%s", c->serial);
	snprintf(req->mac, sizeof(req->mac), "%s", c->mac);
	snprintf(req->agent_version, sizeof(req->agent_version), "%s",
	    PACKAGE_VERSION);
}

/*
 * Enrollment: EK public and certificate, POST /v1/enroll with the AK,
 * ActivateCredential, POST /v1/activate, save the device id.
 */
static int
agent_enroll(struct agent *a, struct tpm *t, struct agent_result *res)
{
	const struct conf *c = a->conf;
	TPM2B_PUBLIC ekpub;
	uint8_t ekbuf[sizeof(TPM2B_PUBLIC)], akbuf[sizeof(TPM2B_PUBLIC)];
	uint8_t secret[64];
	size_t eklen, aklen, slen = 0;
	uint8_t *cert = NULL;
	size_t certlen = 0;
	struct wire_enroll_req req;
	struct wire_enroll_resp resp;
	struct wire_activate_req areq;
	struct wire_activate_resp aresp;
	struct agent_state st;
	struct wg_diag d;
	int r, ret;

	wg_diag_clear(&d);
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	memset(&areq, 0, sizeof(areq));
	memset(&aresp, 0, sizeof(aresp));
	if (tpm_ek_public(t, a->st.ak.ek, &ekpub, &d) != 0) {
		log_error_diag(&d, "cannot create the %s EK",
		    tpm_ek_kind_name(a->st.ak.ek));
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	if (tpm_ek_cert(t, a->st.ak.ek, &cert, &certlen, &d) != 0) {
		log_error_diag(&d, "cannot read the EK certificate");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	if (tpm_public_marshal(&ekpub, ekbuf, sizeof(ekbuf), &eklen, &d) != 0 ||
	    tpm_public_marshal(&a->st.ak.pub, akbuf, sizeof(akbuf), &aklen,
	    &d) != 0) {
		log_error_diag(&d, "cannot marshal the EK or AK");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	req.ek_pub.p = ekbuf;
	req.ek_pub.len = eklen;
	req.ek_cert.p = cert;
	req.ek_cert.len = certlen;
	req.ak_pub.p = akbuf;
	req.ak_pub.len = aklen;
	fill_claims(c, &req);
	log_info("enrolling with %s (%s EK)", c->gateway,
	    tpm_ek_kind_name(a->st.ak.ek));
	if ((r = client_enroll(a->client, &req, &resp, &d)) != 0) {
		ret = gateway_error(a, r, &d, "enrollment refused or failed",
		    &res->stop);
		goto out;
	}

	if (tpm_activate(t, &a->st.ak, resp.credential_blob.p,
	    resp.credential_blob.len, resp.encrypted_secret.p,
	    resp.encrypted_secret.len, secret, sizeof(secret), &slen,
	    &d) != 0) {
		log_error_diag(&d, "credential activation failed");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	memcpy(areq.enrollment_id, resp.enrollment_id,
	    sizeof(areq.enrollment_id));
	areq.secret.p = secret;
	areq.secret.len = slen;
	if ((r = client_activate(a->client, &areq, &aresp, &d)) != 0) {
		ret = gateway_error(a, r, &d, "activation refused or failed",
		    &res->stop);
		goto out;
	}
	if (!valid_device_id(aresp.device_id)) {
		log_error("the gateway sent a device id that is not 64 hex "
		    "digits");
		ret = AGENT_EXIT_GATEWAY;
		goto out;
	}
	st = a->st;
	memcpy(st.device_id, aresp.device_id, sizeof(st.device_id));
	if (statedir_save(c->state_dir, &st, &d) != 0) {
		ret = state_error(a, &d, "cannot save the device id");
		goto out;
	}
	a->st = st;
	res->next = aresp.attest_interval;
	log_info("enrolled as device %s: state %s, segment %s",
	    aresp.device_id, aresp.state, aresp.segment);
	ret = AGENT_EXIT_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	wire_enroll_resp_free(&resp);
	free(cert);
	return ret;
}

static int
sha256_hex(const uint8_t *p, size_t len, char out[WIRE_ID_LEN])
{
	uint8_t md[32];
	unsigned int n = 0;

	if (EVP_Digest(p, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return WG_ERR_CRYPTO;
	hex_encode(md, sizeof(md), out, WIRE_ID_LEN);
	return 0;
}

/* Logs the verdict and its reasons as coming from func. */
#define log_verdict(er) log_verdict_in(__func__, (er))

static void
log_verdict_in(const char *func, const struct wire_evidence_resp *er)
{
	unsigned i;

	if (er->pass)
		log_emit(LOG_LVL_INFO, func, NULL, "attestation passed: state "
		    "%s, segment %s, next in %u s", er->state, er->segment,
		    (unsigned)er->next_attest_in);
	else
		log_emit(LOG_LVL_ERROR, func, NULL, "attestation FAILED: state "
		    "%s, segment %s, next in %u s", er->state, er->segment,
		    (unsigned)er->next_attest_in);
	for (i = 0; i < er->nreasons && i < WIRE_MAX_REASONS; i++)
		log_emit(LOG_LVL_ERROR, func, NULL, "reason %s: %s",
		    er->reasons[i].code, er->reasons[i].message);
}

/*
 * One attestation: event log, challenge, quote, evidence. The log goes
 * along only when the gateway's hash of it differs, or when the gateway
 * asks for it (409 EVENTLOG_REQUIRED: once more with a new challenge); a
 * refused nonce is retried once. *unknown is set when the gateway no
 * longer knows the device (enroll again).
 */
static int
agent_attest(struct agent *a, struct tpm *t, struct agent_result *res,
    int *unknown)
{
	const struct conf *c = a->conf;
	struct wire_challenge_req creq;
	struct wire_challenge_resp cresp;
	struct wire_evidence_req *ereq = NULL;
	struct wire_evidence_resp eresp;
	struct tpm_quote *q = NULL;
	TPML_PCR_SELECTION sel;
	uint8_t *log = NULL;
	size_t loglen = 0;
	char loghash[WIRE_ID_LEN];
	int force_log = 0, nonce_retry = 0, send_log, said, r, ret;
	struct wg_diag d;

	wg_diag_clear(&d);
	*unknown = 0;
	if ((ereq = calloc(1, sizeof(*ereq))) == NULL ||
	    (q = calloc(1, sizeof(*q))) == NULL) {
		log_error("out of memory");
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	/* Read each round: it changes with each boot. */
	if (file_read(c->eventlog, WIRE_MAX_EVENTLOG, &log, &loglen,
	    &d) != 0) {
		log_error_diag(&d, "cannot read the event log %s (the agent's "
		    "user needs read access to it)", c->eventlog);
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	if (sha256_hex(log, loglen, loghash) != 0) {
		log_error("SHA-256 of the event log failed");
		ret = AGENT_EXIT_USAGE;
		goto out;
	}

	for (;;) {
		memset(&creq, 0, sizeof(creq));
		memset(&cresp, 0, sizeof(cresp));
		memcpy(creq.device_id, a->st.device_id, sizeof(creq.device_id));
		if ((r = client_challenge(a->client, &creq, &cresp, &d)) != 0) {
			if (client_gateway_said(a->client) &&
			    r == WG_ERR_DEVICE_UNKNOWN)
				goto unknown_device;
			ret = gateway_error(a, r, &d, "challenge refused or "
			    "failed", &res->stop);
			goto out;
		}
		if (pcr_selection_parse(cresp.pcr_selection, &sel, &d) != 0) {
			log_error_diag(&d, "the gateway asks for PCR selection "
			    "\"%s\"", cresp.pcr_selection);
			ret = AGENT_EXIT_GATEWAY;
			goto out;
		}
		if (tpm_quote(t, &a->st.ak, cresp.nonce, sizeof(cresp.nonce),
		    &sel, q, &ereq->pcrs, &d) != 0) {
			log_error_diag(&d, "TPM2_Quote of %s failed",
			    cresp.pcr_selection);
			if (d.err == WG_ERR_FORMAT)
				log_error("remove %s/" STATEDIR_FILE " to "
				    "create a new AK and enroll again",
				    c->state_dir);
			ret = AGENT_EXIT_TPM;
			goto out;
		}
		send_log = force_log ||
		    strcmp(cresp.eventlog_sha256, loghash) != 0;
		memcpy(ereq->device_id, a->st.device_id,
		    sizeof(ereq->device_id));
		memcpy(ereq->nonce, cresp.nonce, sizeof(ereq->nonce));
		ereq->quote.p = q->attest;
		ereq->quote.len = q->attest_len;
		ereq->signature.p = q->sig;
		ereq->signature.len = q->sig_len;
		memcpy(ereq->eventlog_sha256, loghash, sizeof(loghash));
		ereq->eventlog.p = send_log ? log : NULL;
		ereq->eventlog.len = send_log ? loglen : 0;
		ereq->has_pcrs = 1;
		log_debug("quoted %s; sending the evidence%s",
		    cresp.pcr_selection, send_log ? " with the event log" : "");

		memset(&eresp, 0, sizeof(eresp));
		if ((r = client_evidence(a->client, ereq, &eresp, &d)) == 0)
			break;
		said = client_gateway_said(a->client);
		if (said && r == WG_ERR_EVENTLOG_REQUIRED && !send_log) {
			log_info("the gateway asks for the event log; sending "
			    "it with a new challenge");
			force_log = 1;
			continue;
		}
		if (said && r == WG_ERR_NONCE_UNKNOWN && !nonce_retry) {
			log_warn_diag(&d, "nonce refused; once more with a new "
			    "challenge");
			nonce_retry = 1;
			continue;
		}
		if (said && r == WG_ERR_DEVICE_UNKNOWN)
			goto unknown_device;
		if (said && r == WG_ERR_AK_EXPIRED) {
			log_warn_diag(&d, "the gateway refuses the AK as too "
			    "old");
			res->rotate = 1;
			ret = AGENT_EXIT_REFUSED;
			goto out;
		}
		ret = gateway_error(a, r, &d, "evidence refused or failed",
		    &res->stop);
		goto out;
	}
	log_verdict(&eresp);
	res->rotate = eresp.rotate;
	res->evidence = 1;
	res->pass = eresp.pass;
	res->next = eresp.next_attest_in;
	ret = eresp.pass ? AGENT_EXIT_OK : AGENT_EXIT_REFUSED;
	goto out;

unknown_device:
	log_warn_diag(&d, "the gateway does not know device %s; it must enroll "
	    "again", a->st.device_id);
	*unknown = 1;
	if ((ret = forget_device(a)) == AGENT_EXIT_OK)
		ret = AGENT_EXIT_GATEWAY;
out:
	free(log);
	free(ereq);
	free(q);
	return ret;
}

/*
 * Credential rotation: a fresh AK of the same kind under the same EK,
 * enrolled and activated like the first (agent_enroll saves it, with the
 * device id, only once the gateway has activated it); on any failure
 * the old AK stays in use and in the state file.
 */
static int
agent_rotate(struct agent *a, struct tpm *t, struct agent_result *res)
{
	struct agent_state old = a->st, st;
	enum tpm_ak_kind kind;
	struct wg_diag d;
	int ret;

	wg_diag_clear(&d);
	if (tpm_ak_kind_of(&old.ak, &kind, &d) != 0)
		return state_error(a, &d, "the saved AK");
	memset(&st, 0, sizeof(st));
	if (tpm_ak_create(t, old.ak.ek, kind, &st.ak, &d) != 0) {
		log_error_diag(&d, "cannot create a new AK under the %s EK",
		    tpm_ek_kind_name(old.ak.ek));
		return AGENT_EXIT_TPM;
	}
	st.has_ak = 1;
	memcpy(st.device_id, old.device_id, sizeof(st.device_id));
	a->st = st;
	log_info("the gateway asks for a new AK: created a %s AK under the "
	    "%s EK; enrolling it", tpm_ak_kind_name(kind),
	    tpm_ek_kind_name(old.ak.ek));
	if ((ret = agent_enroll(a, t, res)) != AGENT_EXIT_OK) {
		log_error("AK rotation failed; the old AK stays in use");
		a->st = old;
	}
	return ret;
}

int
agent_round(struct agent *a, struct agent_result *res)
{
	const struct conf *c = a->conf;
	struct tpm *t = NULL;
	struct wg_diag d;
	int enrolled = 0, unknown = 0, ret;

	memset(res, 0, sizeof(*res));
	wg_diag_clear(&d);
	if (a->client == NULL && client_new(c->gateway, c->ca, c->timeout,
	    &a->client, &d) != 0) {
		log_error_diag(&d, "cannot set up the HTTPS client");
		return d.err == WG_ERR_CONFIG ? AGENT_EXIT_USAGE :
		    AGENT_EXIT_GATEWAY;
	}
	if (tpm_open(a->tcti, &t, &d) != 0) {
		log_error_diag(&d, "cannot open the TPM");
		return AGENT_EXIT_TPM;
	}
	if ((ret = agent_ensure_ak(a, t)) != AGENT_EXIT_OK)
		goto out;
	if (a->st.device_id[0] == '\0') {
		if ((ret = agent_enroll(a, t, res)) != AGENT_EXIT_OK)
			goto out;
		enrolled = 1;
	}
	ret = agent_attest(a, t, res, &unknown);
	if (unknown && !enrolled) {
		memset(res, 0, sizeof(*res));
		if ((ret = agent_enroll(a, t, res)) != AGENT_EXIT_OK)
			goto out;
		ret = agent_attest(a, t, res, &unknown);
	}
	if (res->rotate) {
		memset(res, 0, sizeof(*res));
		if ((ret = agent_rotate(a, t, res)) != AGENT_EXIT_OK)
			goto out;
		ret = agent_attest(a, t, res, &unknown);
		res->rotate = 0;	/* once a round */
	}
out:
	tpm_close(t);
	return ret;
}
