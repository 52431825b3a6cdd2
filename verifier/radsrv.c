/*
 * radsrv.c: RADIUS for wardgated(8), the way enterprise switches do it
 * (docs/radius.md).
 *
 * The decision endpoint (radius_listen): FreeRADIUS's rlm_rest asks which
 * VLAN a MAC gets. Plain HTTP with HTTP Basic authentication, so it must
 * be bound to loopback or a management network that only the RADIUS
 * servers reach.
 *
 *   POST /radius/v1/authorize, POST /radius/v1/post-auth   the decision
 *   GET  /radius/v1/status                                 the counters
 *
 * Accept: 200 with Tunnel-Type, Tunnel-Medium-Type and
 * Tunnel-Private-Group-ID. Reject: 401 with a Reply-Message (no MAC, a
 * segment without a VLAN, bad credentials), 400 for a body that is not
 * rlm_rest's JSON, 500 for a store failure; with the contrib site every
 * one of them, and no answer at all, is an Access-Reject.
 *
 * The RFC 5176 client (radius_das): after a device's segment changed and
 * was committed, a Disconnect-Request (or CoA-Request) naming its MAC
 * goes to the NAS over one connected, non-blocking UDP socket. Up to 256
 * requests are in flight, one per identifier, each sent again after 1 s
 * and 2 s and given up 4 s after the third send; more wait in a queue.
 * Replies are matched by identifier and source and ignored unless their
 * authenticators verify (lib/radius.c). Nothing here blocks the loop.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gateway.h"
#include "radius.h"

#define RS_PATH_AUTHORIZE	"/radius/v1/authorize"
#define RS_PATH_POST_AUTH	"/radius/v1/post-auth"
#define RS_PATH_STATUS		"/radius/v1/status"
#define RS_FILE_MAX		1024	/* a credentials or secret file */
#define RS_HTTP_TIMEOUT		10	/* seconds, per connection */
#define RS_SLOTS		256	/* RADIUS identifiers */
#define RS_PKT_MAX		128	/* our requests are under 100 octets */
#define RS_TRIES		3
#define RS_QUEUE_MAX		65536	/* MACs waiting for an identifier */
#define RS_RECV_BURST		64	/* datagrams read per wakeup */
#define RS_LOG_EVERY		10	/* seconds between repeated warnings */
#define RS_ID_SHOW		16	/* device id digits in logs */

/* Seconds to wait after the first, second and third send. */
static const int rs_wait[RS_TRIES] = { 1, 2, 4 };

struct gw_radsrv;

/* One outstanding Disconnect- or CoA-Request, by identifier. */
struct rs_slot {
	struct gw_radsrv *rs;
	struct event *timer;
	int busy;
	unsigned sends;
	uint8_t pkt[RS_PKT_MAX];
	size_t len;
	char mac[RADIUS_MAC_STR_LEN];
	char device[RS_ID_SHOW + 1];
};

/* A MAC waiting for a free identifier. */
struct rs_queued {
	uint8_t mac[6];
	char device[RS_ID_SHOW + 1];
	char segment[STORE_SEGMENT_LEN];
};

/* A warning that an attacker could repeat: logged now and then. */
struct rs_limit {
	time_t last;
	uint64_t quiet;		/* not logged since */
};

struct gw_radsrv {
	struct gw *gw;

	/* decision endpoint */
	struct evhttp *http;
	uint8_t cred_hash[32];	/* SHA-256 of "user:password" */
	uint64_t n_accept, n_reject, n_error, n_unauth, n_malformed;
	struct rs_limit lim_auth;

	/* RFC 5176 client */
	int fd;
	struct event *rd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint8_t secret[RADIUS_SECRET_MAX];
	size_t secret_len;
	struct rs_slot slot[RS_SLOTS];
	unsigned next_id, nbusy;
	struct rs_queued *queue;	/* ring */
	size_t qhead, qlen, qcap;
	uint64_t n_sent, n_retrans, n_acked, n_naked, n_timeouts;
	uint64_t n_bad, n_stray, n_send_err, n_dropped;
	struct rs_limit lim_bad, lim_send;
};

/*
 * 1 if a warning a peer could repeat at will may be logged now, at most
 * one every RS_LOG_EVERY seconds; note then says how many were held back
 * since the last one ("" if none).
 */
static int
rs_limit_ok(struct rs_limit *l, char *note, size_t cap)
{
	time_t now = time(NULL);

	if (l->last != 0 && now - l->last < RS_LOG_EVERY) {
		l->quiet++;
		return 0;
	}
	l->last = now;
	note[0] = '\0';
	if (l->quiet > 0)
		(void)snprintf(note, cap, " (%llu more like it not logged)",
		    (unsigned long long)l->quiet);
	l->quiet = 0;
	return 1;
}

/*
 * Reads a one-line secret file into buf (cap bytes, NUL-terminated; *len
 * without the line end). The file must be a regular file that neither
 * group nor others may read or write: these are credentials.
 */
static int
rs_read_secret(const char *path, const char *key, char *buf, size_t cap,
    size_t *len, struct wg_diag *d)
{
	struct stat st;
	size_t n = 0;
	ssize_t k;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s %s: %s", key, path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: %s", key, path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: not a regular file",
		    key, path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: mode %04o lets "
		    "group or others at a secret; chmod 600 it", key, path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	for (;;) {
		k = read(fd, buf + n, cap - n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: %s", key,
			    path, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == cap) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: longer than "
			    "%zu bytes", key, path, cap - 1);
			goto out;
		}
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n == 0 || memchr(buf, '\n', n) != NULL ||
	    memchr(buf, '\r', n) != NULL || memchr(buf, '\0', n) != NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %s: must hold one "
		    "non-empty line", key, path);
		goto out;
	}
	*len = n;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(buf, cap);
	close(fd);
	return r;
}

static int
rs_sha256(const void *p, size_t n, uint8_t out[32])
{
	size_t outlen = 0;

	return EVP_Q_digest(NULL, "SHA256", NULL, p, n, out, &outlen) == 1 &&
	    outlen == 32 ? 0 : WG_ERR_CRYPTO;
}

/* ---- decision endpoint -------------------------------------------------- */

/*
 * 1 if the request carries "Authorization: Basic" with the configured
 * user and password. The SHA-256 of what was sent is compared with that
 * of the credentials in constant time, whatever their lengths.
 */
static int
rs_authorized(const struct gw_radsrv *rs, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization");
	unsigned char dec[RS_FILE_MAX];
	uint8_t digest[32];
	size_t n;
	int k, ok;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (h += 6; *h == ' '; h++)
		;
	n = strlen(h);
	if (n < 4 || n % 4 != 0 || n / 4 * 3 > sizeof(dec))
		return 0;
	if ((k = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)n)) < 0)
		return 0;
	/* EVP_DecodeBlock counts the padding as zero octets. */
	if (h[n - 1] == '=')
		k--;
	if (h[n - 2] == '=')
		k--;
	ok = k >= 0 && rs_sha256(dec, (size_t)k, digest) == 0 &&
	    CRYPTO_memcmp(digest, rs->cred_hash, sizeof(digest)) == 0;
	OPENSSL_cleanse(dec, sizeof(dec));
	return ok;
}

/* {"reply:Reply-Message": msg} as new text (NULL if out of memory). */
static char *
rs_reject_body(const char *msg)
{
	struct json_object *o = json_object_new_object();
	char *s = NULL;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "reply:Reply-Message",
	    json_object_new_string(msg));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static char *
rs_accept_body(unsigned vlan)
{
	char buf[160];

	(void)snprintf(buf, sizeof(buf), "{\"reply:Tunnel-Type\":\"VLAN\","
	    "\"reply:Tunnel-Medium-Type\":\"IEEE-802\","
	    "\"reply:Tunnel-Private-Group-ID\":\"%u\"}", vlan);
	return strdup(buf);
}

/*
 * Answers once the data the answer rests on is durable: inside an open
 * group commit, through gw_reply_committed (a failed commit makes it a
 * 503, a reject); else at once. body is taken over.
 */
static void
rs_reply(struct gw_radsrv *rs, struct evhttp_request *req, int status,
    char *body)
{
	if (body == NULL) {
		rs->n_error++;
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	gw_reply_committed(rs->gw, req, status, body);
}

static const char *
rs_from_name(enum radius_mac_from f)
{
	switch (f) {
	case RADIUS_MAC_CALLING_STATION_ID:
		return "Calling-Station-Id";
	case RADIUS_MAC_USER_NAME:
		return "User-Name";
	default:
		return "none";
	}
}

static void
rs_decide(struct gw_radsrv *rs, struct evhttp_request *req, const char *what)
{
	struct gw *gw = rs->gw;
	struct radius_rest_req q;
	struct store_device *dev = NULL;
	struct wg_diag d;
	const char *segment, *device = "unknown";
	char msg[128];
	char *body = NULL;
	size_t len;
	unsigned vlan;
	int r;

	wg_diag_clear(&d);
	if ((r = gw_body(req, RADIUS_REST_MAX_BODY, &body, &len)) != 0) {
		rs->n_malformed++;
		gw_send_error(req, r == WG_ERR_TOO_LARGE ? 413 : 400, r,
		    "request body");
		goto out;
	}
	if ((r = radius_rest_parse(body, len, &q, &d)) != 0) {
		rs->n_malformed++;
		gw_log("radius: %s: not rlm_rest's JSON: %s", what, d.detail);
		gw_send_error(req, r == WG_ERR_TOO_LARGE ? 413 : 400, r,
		    d.detail);
		goto out;
	}
	if (q.mac[0] == '\0') {
		rs->n_reject++;
		if (gw_verbose)
			gw_log("radius: %s: User-Name \"%s\": no MAC address "
			    "in Calling-Station-Id%s: reject", what,
			    q.user_name, q.eap ? "" : " or User-Name");
		rs_reply(rs, req, 401, rs_reject_body("wardgate: no MAC "
		    "address in the request"));
		goto out;
	}
	if ((dev = malloc(sizeof(*dev))) == NULL) {
		rs->n_error++;
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		goto out;
	}
	r = store_device_by_mac(gw->store, q.mac, dev, &d);
	if (r == 0) {
		segment = dev->segment;
		device = dev->device_id;
	} else if (r == WG_ERR_NOT_FOUND || r == WG_ERR_CONFLICT) {
		/* A new device must reach the gateway to enroll. */
		segment = gw->conf.segment[DEV_PENDING];
		if (r == WG_ERR_CONFLICT) {
			device = "conflict";
			gw_log("radius: %s: MAC %s is claimed by more than "
			    "one device: treated as unknown", what, q.mac);
		}
	} else {
		rs->n_error++;
		gw_log("radius: %s: MAC %s: store: %s: reject", what, q.mac,
		    d.detail);
		rs_reply(rs, req, 500, rs_reject_body("wardgate: store "
		    "failure"));
		goto out;
	}
	if ((vlan = conf_vlan(&gw->conf, segment)) != 0)
		(void)snprintf(msg, sizeof(msg), "accept, VLAN %u", vlan);
	else
		(void)snprintf(msg, sizeof(msg), "reject (no VLAN)");
	if (gw_verbose)
		gw_log("radius: %s: MAC %s (%s, User-Name \"%s\"): device "
		    "%.*s%s, segment %s: %s", what, q.mac,
		    rs_from_name(q.mac_from), q.user_name, RS_ID_SHOW, device,
		    strlen(device) > RS_ID_SHOW ? "..." : "",
		    segment[0] != '\0' ? segment : "(none)", msg);
	if (vlan == 0) {
		rs->n_reject++;
		(void)snprintf(msg, sizeof(msg), "wardgate: segment %s has "
		    "no network access", segment[0] != '\0' ? segment : "none");
		rs_reply(rs, req, 401, rs_reject_body(msg));
		goto out;
	}
	rs->n_accept++;
	rs_reply(rs, req, 200, rs_accept_body(vlan));
out:
	free(dev);
	free(body);
}

static void
rs_send_status(struct gw_radsrv *rs, struct evhttp_request *req)
{
	struct json_object *o = radsrv_status_json(rs->gw);

	if (o == NULL) {
		gw_send_error(req, 500, WG_ERR_ALLOC, "out of memory");
		return;
	}
	gw_send_json(req, 200,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void
rs_http_cb(struct evhttp_request *req, void *arg)
{
	struct gw_radsrv *rs = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char note[64], *body;

	if (!rs_authorized(rs, req)) {
		rs->n_unauth++;
		if (rs_limit_ok(&rs->lim_auth, note, sizeof(note)))
			gw_log("radius: HTTP request without the right Basic "
			    "credentials refused%s; check the rest module's "
			    "username and password", note);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Basic realm=\"wardgate-radius\"");
		if ((body = rs_reject_body("wardgate: HTTP authentication "
		    "failed")) == NULL) {
			evhttp_send_error(req, 401, NULL);
			return;
		}
		gw_send_json(req, 401, body);
		free(body);
		return;
	}
	if (path != NULL && cmd == EVHTTP_REQ_POST &&
	    strcmp(path, RS_PATH_AUTHORIZE) == 0)
		rs_decide(rs, req, "authorize");
	else if (path != NULL && cmd == EVHTTP_REQ_POST &&
	    strcmp(path, RS_PATH_POST_AUTH) == 0)
		rs_decide(rs, req, "post-auth");
	else if (path != NULL && cmd == EVHTTP_REQ_GET &&
	    strcmp(path, RS_PATH_STATUS) == 0)
		rs_send_status(rs, req);
	else
		gw_send_error(req, 404, WG_ERR_NOT_FOUND,
		    "POST " RS_PATH_AUTHORIZE " or " RS_PATH_POST_AUTH
		    ", GET " RS_PATH_STATUS);
}

static int
rs_listen(struct gw_radsrv *rs, struct wg_diag *d)
{
	const struct conf *c = &rs->gw->conf;
	char cred[RS_FILE_MAX], host[sizeof(c->radius_listen)];
	struct in_addr a4;
	unsigned short port;
	size_t n;
	int r;

	if ((r = rs_read_secret(c->radius_auth_file, "radius_auth_file", cred,
	    sizeof(cred), &n, d)) != 0)
		return r;
	if (strchr(cred, ':') == NULL || cred[0] == ':' ||
	    cred[n - 1] == ':') {
		OPENSSL_cleanse(cred, sizeof(cred));
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_auth_file %s: "
		    "want one line user:password", c->radius_auth_file);
	}
	r = rs_sha256(cred, n, rs->cred_hash);
	OPENSSL_cleanse(cred, sizeof(cred));
	if (r != 0)
		return wg_diag_set(d, r, "radius: SHA-256 unavailable");
	if (conf_listen_split(c->radius_listen, host, sizeof(host),
	    &port) != 0 || inet_pton(AF_INET, host, &a4) != 1)
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_listen %s",
		    c->radius_listen);
	if ((rs->http = evhttp_new(rs->gw->base)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "radius listener");
	evhttp_set_gencb(rs->http, rs_http_cb, rs);
	evhttp_set_max_body_size(rs->http, RADIUS_REST_MAX_BODY);
	evhttp_set_max_headers_size(rs->http, 8192);
	evhttp_set_timeout(rs->http, RS_HTTP_TIMEOUT);
	evhttp_set_allowed_methods(rs->http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	if (evhttp_bind_socket_with_handle(rs->http, host, port) == NULL)
		return wg_diag_set(d, WG_ERR_IO, "radius_listen %s: cannot "
		    "listen: %s", c->radius_listen, strerror(errno));
	if ((ntohl(a4.s_addr) >> 24) != 127)
		gw_log("radius: radius_listen %s is not a loopback address: "
		    "the endpoint is plain HTTP, keep it on a management "
		    "network",
		    c->radius_listen);
	gw_log("radius: rlm_rest endpoint on http://%s%s", c->radius_listen,
	    RS_PATH_AUTHORIZE);
	return 0;
}

/* ---- RFC 5176 client ---------------------------------------------------- */

static void rs_pump(struct gw_radsrv *rs);

static uint8_t
rs_code(const struct gw_radsrv *rs, unsigned vlan)
{
	/* A CoA cannot take network access away: no VLAN, disconnect. */
	return strcmp(rs->gw->conf.radius_das_action, "coa") == 0 &&
	    vlan != 0 ? RADIUS_COA_REQUEST : RADIUS_DISCONNECT_REQUEST;
}

static void
rs_transmit(struct gw_radsrv *rs, struct rs_slot *s)
{
	struct timeval tv = { rs_wait[s->sends], 0 };
	char note[64];

	if (send(rs->fd, s->pkt, s->len, 0) == -1) {
		/*
		 * Refused (an ICMP error of an earlier send), no buffer:
		 * counted as sent; the timer sends it again.
		 */
		int e = errno;

		rs->n_send_err++;
		if (rs_limit_ok(&rs->lim_send, note, sizeof(note)))
			gw_log("radius: send to %s%s: %s",
			    rs->gw->conf.radius_das, note, strerror(e));
	}
	if (s->sends > 0)
		rs->n_retrans++;
	s->sends++;
	evtimer_add(s->timer, &tv);
}

static void
rs_slot_done(struct gw_radsrv *rs, struct rs_slot *s)
{
	evtimer_del(s->timer);
	s->busy = 0;
	s->len = 0;
	rs->nbusy--;
}

static void
rs_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rs_slot *s = arg;
	struct gw_radsrv *rs = s->rs;

	(void)fd;
	(void)ev;
	if (s->sends < RS_TRIES) {
		rs_transmit(rs, s);
		return;
	}
	rs->n_timeouts++;
	gw_log("radius: %s id %u for %s (device %s): no verified answer "
	    "from %s after %d sends; given up: the port keeps its session "
	    "until it re-authenticates", radius_code_name(s->pkt[0]),
	    s->pkt[1], s->mac, s->device, rs->gw->conf.radius_das, RS_TRIES);
	rs_slot_done(rs, s);
	rs_pump(rs);
}

/* 1 if the datagram came from the NAS we sent to (address and port). */
static int
rs_from_peer(const struct gw_radsrv *rs, const struct sockaddr_storage *ss,
    socklen_t len)
{
	const struct sockaddr_in *a = (const void *)ss;
	const struct sockaddr_in *b = (const void *)&rs->peer;
	const struct sockaddr_in6 *a6 = (const void *)ss;
	const struct sockaddr_in6 *b6 = (const void *)&rs->peer;

	if (len != rs->peerlen || ss->ss_family != rs->peer.ss_family)
		return 0;
	if (ss->ss_family == AF_INET)
		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

static void
rs_reply_one(struct gw_radsrv *rs, const uint8_t *p, size_t n)
{
	struct radius_info info;
	struct rs_slot *s;
	struct wg_diag d;
	char ec[80] = "", note[64];
	int ack;

	if (n < 2 || !(s = &rs->slot[p[1]])->busy) {
		/* A late answer to a request already done, or noise. */
		rs->n_stray++;
		return;
	}
	wg_diag_clear(&d);
	if (radius_response_verify(s->pkt, s->len, p, n, rs->secret,
	    rs->secret_len, 0, &info, &d) != 0) {
		rs->n_bad++;
		if (rs_limit_ok(&rs->lim_bad, note, sizeof(note)))
			gw_log("radius: reply from %s ignored%s: %s",
			    rs->gw->conf.radius_das, note, d.detail);
		return;
	}
	ack = info.code == RADIUS_DISCONNECT_ACK ||
	    info.code == RADIUS_COA_ACK;
	if (ack)
		rs->n_acked++;
	else
		rs->n_naked++;
	if (info.has_error_cause)
		(void)snprintf(ec, sizeof(ec), ", Error-Cause %u (%s)",
		    (unsigned)info.error_cause,
		    radius_error_cause_name(info.error_cause));
	gw_log("radius: %s id %u for %s (device %s) from %s%s%s",
	    radius_code_name(info.code), info.identifier, s->mac, s->device,
	    rs->gw->conf.radius_das, ec, ack ? "" :
	    ": the NAS refused; the port keeps its session until it "
	    "re-authenticates");
	rs_slot_done(rs, s);
}

static void
rs_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gw_radsrv *rs = arg;
	struct sockaddr_storage from;
	socklen_t fromlen;
	uint8_t buf[RADIUS_MAX_LEN + 1];
	ssize_t n;
	int i;

	(void)ev;
	for (i = 0; i < RS_RECV_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fromlen);
		if (n == -1) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			break;	/* EAGAIN, or nothing more to do */
		}
		if (!rs_from_peer(rs, &from, fromlen)) {
			rs->n_stray++;
			continue;
		}
		rs_reply_one(rs, buf, (size_t)n);
	}
	rs_pump(rs);
}

/* Sends queued MACs while identifiers are free. */
static void
rs_pump(struct gw_radsrv *rs)
{
	struct radius_request rq;
	struct rs_queued *e;
	struct rs_slot *s;
	struct wg_diag d;
	uint8_t pkt[RADIUS_MAX_LEN];
	char vlan_s[8];
	unsigned id, i, vlan;
	size_t n;

	while (rs->qlen > 0 && rs->nbusy < RS_SLOTS) {
		e = &rs->queue[rs->qhead];
		rs->qhead = (rs->qhead + 1) % rs->qcap;
		rs->qlen--;
		for (i = 0; i < RS_SLOTS; i++) {
			id = (rs->next_id + i) % RS_SLOTS;
			if (!rs->slot[id].busy)
				break;
		}
		rs->next_id = (id + 1) % RS_SLOTS;
		s = &rs->slot[id];
		vlan = conf_vlan(&rs->gw->conf, e->segment);
		memset(&rq, 0, sizeof(rq));
		rq.code = rs_code(rs, vlan);
		rq.identifier = (uint8_t)id;
		rq.has_mac = 1;
		memcpy(rq.mac, e->mac, 6);
		rq.event_timestamp = (uint32_t)gw_now();
		if (rq.code == RADIUS_COA_REQUEST) {
			(void)snprintf(vlan_s, sizeof(vlan_s), "%u", vlan);
			rq.vlan = vlan_s;
		}
		wg_diag_clear(&d);
		if (radius_request_encode(&rq, rs->secret, rs->secret_len, pkt,
		    sizeof(pkt), &n, &d) != 0 || n > sizeof(s->pkt)) {
			rs->n_dropped++;
			gw_log("radius: cannot encode a request: %s", d.detail);
			continue;
		}
		memcpy(s->pkt, pkt, n);
		s->len = n;
		s->sends = 0;
		s->busy = 1;
		radius_mac_ieee(e->mac, s->mac);
		memcpy(s->device, e->device, sizeof(s->device));
		rs->nbusy++;
		rs->n_sent++;
		if (gw_verbose)
			gw_log("radius: %s id %u for %s (device %s, segment "
			    "%s%s%s) to %s", radius_code_name(rq.code), id,
			    s->mac, s->device, e->segment,
			    rq.vlan != NULL ? ", VLAN " : "",
			    rq.vlan != NULL ? rq.vlan : "",
			    rs->gw->conf.radius_das);
		rs_transmit(rs, s);
	}
}

/* Queues mac; a MAC already waiting gets the newer segment. */
static int
rs_enqueue(struct gw_radsrv *rs, const uint8_t mac[6], const char *device,
    const char *segment)
{
	struct rs_queued *e, *nq;
	size_t i, ncap;

	for (i = 0; i < rs->qlen; i++) {
		e = &rs->queue[(rs->qhead + i) % rs->qcap];
		if (memcmp(e->mac, mac, 6) == 0)
			goto fill;
	}
	if (rs->qlen == rs->qcap) {
		if (rs->qcap == RS_QUEUE_MAX)
			return WG_ERR_TOO_LARGE;
		ncap = rs->qcap != 0 ? rs->qcap * 2 : 64;
		if ((nq = calloc(ncap, sizeof(*nq))) == NULL)
			return WG_ERR_ALLOC;
		for (i = 0; i < rs->qlen; i++)
			nq[i] = rs->queue[(rs->qhead + i) % rs->qcap];
		free(rs->queue);
		rs->queue = nq;
		rs->qcap = ncap;
		rs->qhead = 0;
	}
	e = &rs->queue[(rs->qhead + rs->qlen) % rs->qcap];
	rs->qlen++;
	memcpy(e->mac, mac, 6);
fill:
	(void)snprintf(e->device, sizeof(e->device), "%.*s", RS_ID_SHOW,
	    device);
	(void)snprintf(e->segment, sizeof(e->segment), "%s", segment);
	return 0;
}

static int
rs_das(struct gw_radsrv *rs, struct wg_diag *d)
{
	const struct conf *c = &rs->gw->conf;
	char secret[RADIUS_SECRET_MAX + 2], host[sizeof(c->radius_das)];
	struct sockaddr_in *a4 = (struct sockaddr_in *)&rs->peer;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&rs->peer;
	unsigned short port;
	size_t n, i;
	int r;

	if ((r = rs_read_secret(c->radius_das_secret_file,
	    "radius_das_secret_file", secret, sizeof(secret), &n, d)) != 0)
		return r;
	if (n > RADIUS_SECRET_MAX) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_das_secret_file "
		    "%s: longer than %d bytes", c->radius_das_secret_file,
		    RADIUS_SECRET_MAX);
	}
	memcpy(rs->secret, secret, n);
	rs->secret_len = n;
	OPENSSL_cleanse(secret, sizeof(secret));
	memset(&rs->peer, 0, sizeof(rs->peer));
	if (conf_listen_split(c->radius_das, host, sizeof(host), &port) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_das %s",
		    c->radius_das);
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		rs->peerlen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		rs->peerlen = sizeof(*a6);
	} else
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_das %s",
		    c->radius_das);
	/* Connected: the kernel passes on datagrams from the NAS only. */
	if ((rs->fd = socket(rs->peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    connect(rs->fd, (struct sockaddr *)&rs->peer, rs->peerlen) == -1)
		return wg_diag_set(d, WG_ERR_IO, "radius_das %s: %s",
		    c->radius_das, strerror(errno));
	if ((rs->rd = event_new(rs->gw->base, rs->fd, EV_READ | EV_PERSIST,
	    rs_read_cb, rs)) == NULL || event_add(rs->rd, NULL) != 0)
		return wg_diag_set(d, WG_ERR_ALLOC, "radius_das event");
	for (i = 0; i < RS_SLOTS; i++) {
		rs->slot[i].rs = rs;
		if ((rs->slot[i].timer = evtimer_new(rs->gw->base, rs_timer_cb,
		    &rs->slot[i])) == NULL)
			return wg_diag_set(d, WG_ERR_ALLOC,
			    "radius_das timers");
	}
	gw_log("radius: %s requests go to %s",
	    strcmp(c->radius_das_action, "coa") == 0 ? "CoA" : "Disconnect",
	    c->radius_das);
	return 0;
}

/* ---- interface (gateway.h) ---------------------------------------------- */

int
radsrv_init(struct gw *gw, struct wg_diag *d)
{
	struct gw_radsrv *rs;
	int r;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "radius");
	rs->gw = gw;
	rs->fd = -1;
	gw->radsrv = rs;
	if (strcmp(gw->conf.radius_listen, "none") != 0 &&
	    (r = rs_listen(rs, d)) != 0)
		return r;
	if (strcmp(gw->conf.radius_das, "none") != 0 &&
	    (r = rs_das(rs, d)) != 0)
		return r;
	return 0;
}

void
radsrv_free(struct gw *gw)
{
	struct gw_radsrv *rs = gw->radsrv;
	size_t i;

	if (rs == NULL)
		return;
	if (rs->nbusy > 0 || rs->qlen > 0)
		gw_log("radius: stopping with %u request(s) in flight and "
		    "%zu queued unsent", rs->nbusy, rs->qlen);
	if (rs->http != NULL)
		evhttp_free(rs->http);
	if (rs->rd != NULL)
		event_free(rs->rd);
	for (i = 0; i < RS_SLOTS; i++)
		if (rs->slot[i].timer != NULL)
			event_free(rs->slot[i].timer);
	if (rs->fd != -1)
		close(rs->fd);
	free(rs->queue);
	OPENSSL_cleanse(rs, sizeof(*rs));
	free(rs);
	gw->radsrv = NULL;
}

void
radsrv_changed(struct gw *gw, const struct store_device *dev)
{
	struct gw_radsrv *rs = gw->radsrv;
	uint8_t mac[6];
	int r;

	if (rs == NULL || rs->fd == -1 || dev->mac[0] == '\0')
		return;
	if (radius_mac_normalize(dev->mac, strlen(dev->mac), NULL, mac) != 0) {
		gw_log("radius: device %.*s...: MAC \"%s\" unreadable: no "
		    "request sent", RS_ID_SHOW, dev->device_id, dev->mac);
		return;
	}
	if ((r = rs_enqueue(rs, mac, dev->device_id, dev->segment)) != 0) {
		rs->n_dropped++;
		gw_log("radius: device %.*s... (%s): %s: no request sent",
		    RS_ID_SHOW, dev->device_id, dev->mac,
		    r == WG_ERR_TOO_LARGE ? "queue full" : "out of memory");
		return;
	}
	rs_pump(rs);
}

static void
rs_add(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

struct json_object *
radsrv_status_json(const struct gw *gw)
{
	const struct gw_radsrv *rs = gw->radsrv;
	struct json_object *o = json_object_new_object();
	struct json_object *e, *c;

	if (o == NULL)
		return NULL;
	e = json_object_new_object();
	c = json_object_new_object();
	json_object_object_add(e, "listen",
	    json_object_new_string(gw->conf.radius_listen));
	json_object_object_add(c, "peer",
	    json_object_new_string(gw->conf.radius_das));
	json_object_object_add(c, "action",
	    json_object_new_string(gw->conf.radius_das_action));
	if (rs != NULL) {
		rs_add(e, "accept", rs->n_accept);
		rs_add(e, "reject", rs->n_reject);
		rs_add(e, "error", rs->n_error);
		rs_add(e, "malformed", rs->n_malformed);
		rs_add(e, "unauthorized", rs->n_unauth);
		rs_add(c, "sent", rs->n_sent);
		rs_add(c, "retransmits", rs->n_retrans);
		rs_add(c, "acked", rs->n_acked);
		rs_add(c, "naked", rs->n_naked);
		rs_add(c, "timeouts", rs->n_timeouts);
		rs_add(c, "bad_replies", rs->n_bad);
		rs_add(c, "stray_replies", rs->n_stray);
		rs_add(c, "send_errors", rs->n_send_err);
		rs_add(c, "dropped", rs->n_dropped);
		rs_add(c, "in_flight", rs->nbusy);
		rs_add(c, "queued", rs->qlen);
	}
	json_object_object_add(o, "endpoint", e);
	json_object_object_add(o, "das", c);
	return o;
}
