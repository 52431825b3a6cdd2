/*
 * notify.c: a message per device state change, sent only once the
 * change has committed: a syslog(3) line and a webhook POST (JSON over
 * HTTPS, docs/operations.md). gw_set_state queues each change with
 * notify_add; gw_changed_done calls notify_done after the commit (send)
 * or the rollback (drop).
 *
 * The webhook never holds up a verdict: messages wait in a bounded queue
 * (the oldest unsent is dropped, counted and logged, when it is full)
 * and go one at a time on the event loop (libevent's HTTP client over
 * bufferevent_openssl, the name resolved by evdns), each with a timeout
 * and retried with backoff before it is given up.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "gateway.h"
#include "notify_fmt.h"

#define NOTIFY_PENDING_MAX 65536	/* changes in one transaction */
#define WEBHOOK_QUEUE_MAX 1024		/* messages waiting to be sent */
#define WEBHOOK_TIMEOUT 10		/* seconds, per attempt */
#define WEBHOOK_ATTEMPTS 5		/* then the message is given up */
#define WEBHOOK_BACKOFF_MAX 60		/* seconds between attempts */

struct gw_notify {
	struct gw *gw;
	struct notify_event *pend;	/* changes in the open transaction */
	size_t npend, cap;
	uint64_t pend_dropped;

	int syslog;

	/* Webhook: off when url is NULL. */
	char *url;
	char host[256];			/* without brackets */
	char hosthdr[272];		/* Host: header */
	char path[512];			/* path and query */
	unsigned short port;
	int host_is_ip;
	SSL_CTX *ctx;
	struct evdns_base *dns;
	char *q[WEBHOOK_QUEUE_MAX];	/* JSON bodies, a ring */
	size_t qhead, qlen;
	unsigned attempt;		/* failures of q[qhead] so far */
	struct evhttp_connection *conn;	/* in flight, or NULL */
	struct evhttp_connection *dead;	/* to free outside its callback */
	struct event *retry;		/* backoff, and freeing dead */
	int waiting;			/* retry timer armed for backoff */
	uint64_t dropped;
	int64_t drop_logged_at;
};

void
notify_add(struct gw *gw, const struct store_device *dev, const char *from,
    const char *why)
{
	struct gw_notify *n = gw->notify;
	struct notify_event *e;

	if (n == NULL)
		return;
	if (n->npend == n->cap) {
		size_t ncap = n->cap ? n->cap * 2 : 64;
		struct notify_event *np;

		if (n->npend >= NOTIFY_PENDING_MAX ||
		    (np = realloc(n->pend, ncap * sizeof(*np))) == NULL) {
			n->pend_dropped++;
			return;
		}
		n->pend = np;
		n->cap = ncap;
	}
	e = &n->pend[n->npend++];
	memset(e, 0, sizeof(*e));
	snprintf(e->device_id, sizeof(e->device_id), "%s", dev->device_id);
	snprintf(e->name, sizeof(e->name), "%s", dev->name);
	snprintf(e->from, sizeof(e->from), "%s", from);
	snprintf(e->to, sizeof(e->to), "%s", dev->state);
	snprintf(e->segment, sizeof(e->segment), "%s", dev->segment);
	snprintf(e->reason, sizeof(e->reason), "%s", why != NULL ? why : "");
	e->at = gw_now();
}

static void webhook_kick(struct gw_notify *n);

static void
webhook_pop(struct gw_notify *n)
{
	free(n->q[n->qhead]);
	n->q[n->qhead] = NULL;
	n->qhead = (n->qhead + 1) % WEBHOOK_QUEUE_MAX;
	n->qlen--;
	n->attempt = 0;
}

static void
webhook_enqueue(struct gw_notify *n, const struct notify_event *e)
{
	char *body = notify_fmt_json(e);

	if (body == NULL) {
		n->dropped++;
		metrics_count(n->gw, METRICS_WEBHOOK_DROPPED, 1);
		gw_log("webhook: out of memory: state change of %.16s... "
		    "dropped", e->device_id);
		return;
	}
	if (n->qlen == WEBHOOK_QUEUE_MAX) {
		/* The oldest not in flight goes. */
		size_t victim = (n->qhead + (n->conn != NULL ? 1 : 0)) %
		    WEBHOOK_QUEUE_MAX, i, next;

		free(n->q[victim]);
		for (i = victim; (next = (i + 1) % WEBHOOK_QUEUE_MAX) !=
		    (n->qhead + n->qlen) % WEBHOOK_QUEUE_MAX; i = next)
			n->q[i] = n->q[next];
		n->q[i] = NULL;
		n->qlen--;
		if (victim == n->qhead)
			n->attempt = 0;
		n->dropped++;
		metrics_count(n->gw, METRICS_WEBHOOK_DROPPED, 1);
		if (gw_now() != n->drop_logged_at) {
			n->drop_logged_at = gw_now();
			gw_log("webhook: queue full (%d messages): oldest "
			    "dropped, %llu dropped in all", WEBHOOK_QUEUE_MAX,
			    (unsigned long long)n->dropped);
		}
	}
	n->q[(n->qhead + n->qlen) % WEBHOOK_QUEUE_MAX] = body;
	n->qlen++;
}

static void
webhook_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gw_notify *n = arg;

	(void)fd;
	(void)ev;
	if (n->dead != NULL) {
		evhttp_connection_free(n->dead);
		n->dead = NULL;
	}
	n->waiting = 0;
	webhook_kick(n);
}

/* The attempt for q[qhead] ended; ok when the receiver said 2xx. */
static void
webhook_ended(struct gw_notify *n, int ok, const char *why)
{
	struct timeval tv = { 0, 0 };

	n->dead = n->conn;
	n->conn = NULL;
	if (ok) {
		metrics_count(n->gw, METRICS_WEBHOOK_SENT, 1);
		webhook_pop(n);
	} else if (++n->attempt >= WEBHOOK_ATTEMPTS) {
		metrics_count(n->gw, METRICS_WEBHOOK_FAILED, 1);
		gw_log("webhook %s: %s; message given up after %d attempts",
		    n->url, why, WEBHOOK_ATTEMPTS);
		webhook_pop(n);
	} else {
		tv.tv_sec = 1L << (n->attempt - 1);
		if (tv.tv_sec > WEBHOOK_BACKOFF_MAX)
			tv.tv_sec = WEBHOOK_BACKOFF_MAX;
		n->waiting = 1;
		gw_log("webhook %s: %s; retry in %lds", n->url, why,
		    (long)tv.tv_sec);
	}
	/* Frees the connection and sends the next outside this callback. */
	evtimer_add(n->retry, &tv);
}

static void
webhook_done_cb(struct evhttp_request *req, void *arg)
{
	struct gw_notify *n = arg;
	char why[160];
	unsigned long e;
	int code;

	if (n->conn == NULL)
		return;
	if (req == NULL || (code = evhttp_request_get_response_code(req)) == 0) {
		struct bufferevent *bev = evhttp_connection_get_bufferevent(
		    n->conn);

		e = bev != NULL ? bufferevent_get_openssl_error(bev) : 0;
		if (e != 0) {
			snprintf(why, sizeof(why), "TLS: ");
			ERR_error_string_n(e, why + 5, sizeof(why) - 5);
		} else
			snprintf(why, sizeof(why), "no response (connection "
			    "refused, timeout or TLS failure)");
		webhook_ended(n, 0, why);
		return;
	}
	snprintf(why, sizeof(why), "HTTP %d", code);
	webhook_ended(n, code >= 200 && code < 300, why);
}

/* Sends q[qhead] unless one is in flight or a backoff is running. */
static void
webhook_kick(struct gw_notify *n)
{
	struct event_base *base = n->gw->base;
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct bufferevent *bev;
	struct evkeyvalq *h;
	SSL *ssl;
	int ok;

	if (n->url == NULL || n->conn != NULL || n->waiting || n->qlen == 0)
		return;
	if ((ssl = SSL_new(n->ctx)) == NULL)
		goto fail;
	ok = n->host_is_ip ?
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), n->host) :
	    SSL_set_tlsext_host_name(ssl, n->host) &&
	    SSL_set1_host(ssl, n->host);
	if (!ok) {
		SSL_free(ssl);
		goto fail;
	}
	if ((bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)) == NULL) {
		SSL_free(ssl);
		goto fail;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	if ((conn = evhttp_connection_base_bufferevent_new(base, n->dns, bev,
	    n->host, n->port)) == NULL) {
		bufferevent_free(bev);
		goto fail;
	}
	evhttp_connection_set_timeout(conn, WEBHOOK_TIMEOUT);
	if ((req = evhttp_request_new(webhook_done_cb, n)) == NULL) {
		evhttp_connection_free(conn);
		goto fail;
	}
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", n->hosthdr);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "User-Agent", "wardgated/" PACKAGE_VERSION);
	evhttp_add_header(h, "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), n->q[n->qhead],
	    strlen(n->q[n->qhead]));
	n->conn = conn;
	if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, n->path) != 0) {
		/* libevent has freed req. */
		webhook_ended(n, 0, "cannot make the request");
		return;
	}
	return;
fail:
	{
		struct timeval tv = { 1, 0 };

		/* Out of memory or TLS setup: try again in a second. */
		gw_log("webhook %s: cannot set up a connection", n->url);
		n->waiting = 1;
		evtimer_add(n->retry, &tv);
	}
}

void
notify_done(struct gw *gw, int committed)
{
	struct gw_notify *n = gw->notify;
	char line[NOTIFY_LINE_MAX];
	size_t i;

	if (n == NULL)
		return;
	if (!committed) {
		n->npend = 0;
		n->pend_dropped = 0;
		return;
	}
	metrics_count(gw, METRICS_STATE_CHANGE, n->npend + n->pend_dropped);
	for (i = 0; i < n->npend; i++) {
		const struct notify_event *e = &n->pend[i];

		if (n->syslog) {
			notify_fmt_syslog(e, line, sizeof(line));
			syslog(strcmp(e->to, "trusted") == 0 ||
			    strcmp(e->to, "pending") == 0 ? LOG_NOTICE :
			    LOG_WARNING, "%s", line);
		}
		if (n->url != NULL)
			webhook_enqueue(n, e);
	}
	if (n->pend_dropped > 0) {
		metrics_count(gw, METRICS_NOTIFY_DROPPED, n->pend_dropped);
		gw_log("notify: %llu state change(s) in one commit beyond %d: "
		    "not sent to syslog or the webhook",
		    (unsigned long long)n->pend_dropped, NOTIFY_PENDING_MAX);
	}
	n->npend = 0;
	n->pend_dropped = 0;
	webhook_kick(n);
}

static int
webhook_init(struct gw_notify *n, struct wg_diag *d)
{
	const struct conf *c = &n->gw->conf;
	const char *p;
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_https_url(c->webhook_url, n->host, sizeof(n->host),
	    &n->port) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "webhook_url");
	if ((n->url = strdup(c->webhook_url)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "webhook");
	n->host_is_ip = inet_pton(AF_INET, n->host, &a4) == 1 ||
	    inet_pton(AF_INET6, n->host, &a6) == 1;
	p = strchr(c->webhook_url + 8, '/');
	snprintf(n->path, sizeof(n->path), "%s", p != NULL ? p : "/");
	if (strchr(n->host, ':') != NULL)
		snprintf(n->hosthdr, sizeof(n->hosthdr), "[%s]", n->host);
	else
		snprintf(n->hosthdr, sizeof(n->hosthdr), "%s", n->host);
	if (n->port != 443)
		snprintf(n->hosthdr + strlen(n->hosthdr),
		    sizeof(n->hosthdr) - strlen(n->hosthdr), ":%u", n->port);
	if ((n->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(n->ctx, TLS1_2_VERSION) != 1)
		return wg_diag_set(d, WG_ERR_CRYPTO, "webhook TLS context");
	SSL_CTX_set_verify(n->ctx, SSL_VERIFY_PEER, NULL);
	if (strcmp(c->webhook_ca, "system") == 0) {
		if (SSL_CTX_set_default_verify_paths(n->ctx) != 1)
			return wg_diag_set(d, WG_ERR_CRYPTO, "webhook: the "
			    "system's CA store");
	} else if (SSL_CTX_load_verify_locations(n->ctx, c->webhook_ca,
	    NULL) != 1)
		return wg_diag_set(d, WG_ERR_CONFIG, "webhook_ca %s: not a "
		    "readable PEM file of CA certificates", c->webhook_ca);
	if (!n->host_is_ip) {
		if ((n->dns = evdns_base_new(n->gw->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL)
			return wg_diag_set(d, WG_ERR_IO, "webhook: no DNS "
			    "resolver (/etc/resolv.conf)");
		(void)evdns_base_load_hosts(n->dns, NULL);
	}
	if ((n->retry = evtimer_new(n->gw->base, webhook_timer_cb, n)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "webhook");
	gw_log("webhook: state changes to %s", n->url);
	return 0;
}

int
notify_init(struct gw *gw, struct wg_diag *d)
{
	struct gw_notify *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "notify");
	n->gw = gw;
	gw->notify = n;
	if (gw->conf.syslog) {
		n->syslog = 1;
		openlog("wardgated", LOG_PID,
		    conf_syslog_facility(gw->conf.syslog_facility));
	}
	if (strcmp(gw->conf.webhook_url, "none") != 0)
		return webhook_init(n, d);
	return 0;
}

void
notify_free(struct gw *gw)
{
	struct gw_notify *n = gw->notify;

	if (n == NULL)
		return;
	if (n->qlen > 0)
		gw_log("webhook: %zu message(s) unsent at exit", n->qlen);
	if (n->conn != NULL)
		evhttp_connection_free(n->conn);
	if (n->dead != NULL)
		evhttp_connection_free(n->dead);
	if (n->retry != NULL)
		event_free(n->retry);
	if (n->dns != NULL)
		evdns_base_free(n->dns, 0);
	while (n->qlen > 0)
		webhook_pop(n);
	SSL_CTX_free(n->ctx);
	if (n->syslog)
		closelog();
	free(n->url);
	free(n->pend);
	free(n);
	gw->notify = NULL;
}
