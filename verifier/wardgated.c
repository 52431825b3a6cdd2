/*
 * wardgated: the gateway daemon. The event loop and dispatch; the agent
 * API is api.c, the admin API admin.c, TLS tls.c, SQL lib/store.c.
 *
 *   wardgated [-dnv] [-f CONFIG]
 *
 * Exit status (wardgated(8)): 0 clean stop or a good -n check, 1 runtime
 * failure, 2 usage or configuration error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "ek.h"
#include "gateway.h"
#include "policy.h"
#include "tls.h"

#define DEFAULT_CONF "/etc/wardgate/wardgated.conf"
#define SWEEP_SECONDS 2
#define RCACHE_ENTRIES 1024
/* Event priorities: I/O at the default (middle), the group commit last. */
#define GW_PRIORITIES 3

int gw_verbose;
#define verbose gw_verbose

void
gw_log(const char *fmt, ...)
{
	va_list ap;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s wardgated: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
gw_grow(void *arrp, size_t *cap, size_t n, size_t size, size_t max)
{
	void *old, *na;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > max)
		ncap = max;
	/* The array's pointer is read and written as bytes: any object
	 * pointer type, no aliasing through void **. */
	memcpy(&old, arrp, sizeof(old));
	if (ncap <= n || ncap > SIZE_MAX / size ||
	    (na = realloc(old, ncap * size)) == NULL)
		return -1;
	memcpy(arrp, &na, sizeof(na));
	*cap = ncap;
	return 0;
}

int
gw_req_tls(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	struct bufferevent *bev;

	return c != NULL &&
	    (bev = evhttp_connection_get_bufferevent(c)) != NULL &&
	    bufferevent_openssl_get_ssl(bev) != NULL;
}

int
gw_text_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= STORE_TEXT_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

void
gw_time_iso(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		out[0] = '\0';
		return;
	}
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
gw_audit(struct gw *gw, const char *device_id, const char *actor,
    const char *action, const char *before, const char *after,
    const char *detail, struct wg_diag *d)
{
	struct store_audit au;

	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = actor;
	au.device_id = device_id;
	au.action = action;
	au.before = before;
	au.after = after;
	au.detail = detail;
	return store_audit_add(gw->store, &au, d);
}

int64_t
gw_now(void)
{
	return (int64_t)time(NULL);
}

const char *
gw_segment(const struct gw *gw, enum dev_state s)
{
	if ((unsigned)s >= DEV_NSTATES)
		return gw->conf.segment[DEV_UNTRUSTED];
	return gw->conf.segment[s];
}

/* ---- HTTP helpers ---- */

void
gw_send_json(struct evhttp_request *req, int status, const char *body)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (b == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(b, body, strlen(body));
	evbuffer_add(b, "\n", 1);
	evhttp_send_reply(req, status, status < 300 ? "OK" : "Error", b);
	evbuffer_free(b);
}

void
gw_send_error(struct evhttp_request *req, int status, int err,
    const char *message)
{
	char *json = wire_error_encode(wg_errname(err), message);

	if (json == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	gw_send_json(req, status, json);
	free(json);
}

int
gw_body(struct evhttp_request *req, size_t max, char **out, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char *p;

	if (n > max)
		return WG_ERR_TOO_LARGE;
	if ((p = malloc(n + 1)) == NULL)
		return WG_ERR_ALLOC;
	if (evbuffer_remove(in, p, n) != (int)n) {
		free(p);
		return WG_ERR_INVALID_ARG;
	}
	p[n] = '\0';
	*out = p;
	*len = n;
	return 0;
}

/* ---- group commit ---- */

int
gw_tx(struct gw *gw, struct wg_diag *d)
{
	int r;

	if (gw->in_tx)
		return 0;
	if ((r = store_begin(gw->store, d)) != 0)
		return r;
	gw->in_tx = 1;
	return 0;
}

/*
 * After a commit: every device whose segment changed goes to the enforcer
 * and the RADIUS client, read back from the store (what is durable).
 * After a rollback the list is dropped: nothing of it happened.
 */
void
gw_changed_done(struct gw *gw, int committed)
{
	struct store_device *dev;
	struct wg_diag d;
	size_t i;

	notify_done(gw, committed);
	service_done(gw, committed);
	if (committed && gw->nchanged > 0 &&
	    (dev = malloc(sizeof(*dev))) != NULL) {
		for (i = 0; i < gw->nchanged; i++) {
			if (store_device_get(gw->store, gw->changed[i], dev,
			    &d) != 0) {
				gw_log("device %.16s...: cannot read back its "
				    "segment: %s", gw->changed[i], d.detail);
				continue;
			}
			if (dev->mac[0] != '\0')
				enf_put(gw, dev->mac, dev->segment);
			radsrv_changed(gw, dev);
		}
		free(dev);
	} else if (committed && gw->nchanged > 0)
		gw_log("out of memory: %zu segment change(s) not sent; the "
		    "enforcer is reconciled at its next start", gw->nchanged);
	gw->nchanged = 0;
}

static void
gw_send_pending(struct gw *gw, int ok, const char *why)
{
	size_t i;

	for (i = 0; i < gw->npending; i++) {
		struct gw_pending *p = &gw->pending[i];

		if (ok)
			gw_send_json(p->req, p->status, p->body);
		else
			gw_send_error(p->req, 503, WG_ERR_DB, why);
		free(p->body);
	}
	gw->npending = 0;
}

void
gw_flush(struct gw *gw)
{
	struct wg_diag d;
	int ok = 1;

	wg_diag_clear(&d);
	evtimer_del(gw->commit_timer);
	if (gw->in_tx) {
		gw->in_tx = 0;
		if (store_commit(gw->store, &d) != 0) {
			gw_log("commit failed: %s; %zu request(s) refused",
			    d.detail, gw->npending);
			store_rollback(gw->store);
			ok = 0;
		} else
			gw->n_commits++;
		gw_changed_done(gw, ok);
	}
	gw_send_pending(gw, ok, "the store could not commit; try again");
}

void
gw_abort(struct gw *gw, const char *why)
{
	evtimer_del(gw->commit_timer);
	if (gw->in_tx) {
		store_rollback(gw->store);
		gw->in_tx = 0;
	}
	gw_changed_done(gw, 0);
	gw_log("store failure, batch rolled back: %s", why);
	gw_send_pending(gw, 0, "the store failed; try again");
}

static void
gw_commit_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	gw_flush(arg);
}

void
gw_reply_committed(struct gw *gw, struct evhttp_request *req, int status,
    char *body)
{
	struct gw_pending *p;

	if (!gw->in_tx) {
		gw_send_json(req, status, body);
		free(body);
		return;
	}
	if (gw->npending == gw->cap_pending) {
		size_t ncap = gw->cap_pending ? gw->cap_pending * 2 : 64;
		struct gw_pending *np = realloc(gw->pending,
		    ncap * sizeof(*np));

		if (np == NULL) {
			free(body);
			gw_abort(gw, "out of memory");
			gw_send_error(req, 503, WG_ERR_ALLOC, "out of memory");
			return;
		}
		gw->pending = np;
		gw->cap_pending = ncap;
	}
	p = &gw->pending[gw->npending++];
	p->req = req;
	p->status = status;
	p->body = body;
	/*
	 * With commit_delay_ms 0 the commit timer fires at once but at the
	 * lowest priority: after every request that arrived in this turn of
	 * the event loop has been handled, so they share one commit.
	 */
	if (gw->npending >= gw->conf.commit_batch)
		gw_flush(gw);
	else if (!evtimer_pending(gw->commit_timer, NULL)) {
		struct timeval tv = { 0, (suseconds_t)gw->conf.commit_delay_ms *
		    1000 };

		evtimer_add(gw->commit_timer, &tv);
	}
}

/* ---- states ---- */

int
gw_device_segment(struct gw *gw, const struct store_device *dev, int64_t now,
    const char **segment, struct wg_diag *d)
{
	struct store_hold h;
	enum dev_state st;
	int r;

	if (state_parse(dev->state, &st) != 0)
		st = DEV_UNTRUSTED;
	*segment = gw_segment(gw, st);
	if (st == DEV_LEGACY)
		return service_legacy_segment(gw, dev, now, segment, d);
	if (st == DEV_TRUSTED || st == DEV_PENDING || st == DEV_DECOMMISSIONED)
		return 0;
	if (st == DEV_VULNERABLE &&
	    (r = advisories_segment(gw, dev, segment, d)) != 0)
		return r;
	r = store_hold_open(gw->store, dev->device_id, &h, d);
	if (r == WG_ERR_NOT_FOUND)
		return 0;
	if (r != 0)
		return r;
	if (h.until > now)
		*segment = gw->conf.segment_hold;
	return 0;
}

/* Remembers that dev's segment changed in the open transaction. */
int
gw_changed_add(struct gw *gw, const char *device_id, struct wg_diag *d)
{
	size_t i;

	for (i = 0; i < gw->nchanged; i++)
		if (strcmp(gw->changed[i], device_id) == 0)
			return 0;
	if (gw->nchanged == gw->cap_changed) {
		size_t ncap = gw->cap_changed ? gw->cap_changed * 2 : 64;
		char (*nc)[STORE_ID_LEN] = realloc(gw->changed,
		    ncap * sizeof(*nc));

		if (nc == NULL)
			return wg_diag_set(d, WG_ERR_ALLOC, "changed devices");
		gw->changed = nc;
		gw->cap_changed = ncap;
	}
	snprintf(gw->changed[gw->nchanged++], STORE_ID_LEN, "%s", device_id);
	return 0;
}

int
gw_resegment(struct gw *gw, struct store_device *dev, struct wg_diag *d)
{
	const char *seg;
	int r;

	if ((r = gw_device_segment(gw, dev, gw_now(), &seg, d)) != 0)
		return r;
	if (strcmp(dev->segment, seg) == 0)
		return 0;
	snprintf(dev->segment, sizeof(dev->segment), "%s", seg);
	return gw_changed_add(gw, dev->device_id, d);
}

int
gw_set_state(struct gw *gw, struct store_device *dev, enum dev_state to,
    const char *actor, const char *why, struct wg_diag *d)
{
	struct store_audit au;
	char from[STORE_STATE_LEN];
	int r;

	snprintf(from, sizeof(from), "%s", dev->state);
	if (strcmp(dev->state, state_name(to)) != 0) {
		memset(&au, 0, sizeof(au));
		au.at = gw_now();
		au.actor = actor;
		au.device_id = dev->device_id;
		au.action = "state";
		au.before = from[0] != '\0' ? from : NULL;
		au.after = state_name(to);
		au.detail = why;
		if ((r = store_audit_add(gw->store, &au, d)) != 0)
			return r;
		if (verbose)
			gw_log("device %.16s... %s: %s -> %s (%s)",
			    dev->device_id, dev->name, from, state_name(to),
			    why);
		snprintf(dev->state, sizeof(dev->state), "%s",
		    state_name(to));
		dev->state_since = gw_now();
		if ((r = gw_resegment(gw, dev, d)) != 0)
			return r;
		notify_add(gw, dev, from, why);	/* sent after commit */
		return 0;
	}
	return gw_resegment(gw, dev, d);
}

struct sweep_arg {
	struct gw *gw;
	int64_t now;
	char (*ids)[STORE_ID_LEN];
	size_t n, cap;
};

static int
sweep_collect(const struct store_device *dev, void *arg)
{
	struct sweep_arg *a = arg;
	int64_t deadline = dev->last_good_at + dev->attest_interval +
	    a->gw->conf.attest_grace;

	if (strcmp(dev->state, state_name(DEV_TRUSTED)) != 0 ||
	    deadline >= a->now)
		return 0;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 64;
		char (*np)[STORE_ID_LEN] = realloc(a->ids, ncap * sizeof(*np));

		if (np == NULL)
			return WG_ERR_ALLOC;
		a->ids = np;
		a->cap = ncap;
	}
	memcpy(a->ids[a->n++], dev->device_id, STORE_ID_LEN);
	return 0;
}

void
gw_sweep(struct gw *gw)
{
	struct sweep_arg a;
	struct store_device *dev = NULL;
	struct wg_diag d;
	size_t i;
	int r;

	memset(&a, 0, sizeof(a));
	a.gw = gw;
	a.now = gw_now();
	wg_diag_clear(&d);
	gw_flush(gw);
	if ((r = store_device_each(gw->store, sweep_collect, &a, &d)) != 0) {
		gw_log("stale sweep: %s", d.detail);
		goto out;
	}
	if (a.n == 0 || (dev = malloc(sizeof(*dev))) == NULL)
		goto out;
	if ((r = store_begin(gw->store, &d)) != 0) {
		gw_log("stale sweep: %s", d.detail);
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		if ((r = store_device_get(gw->store, a.ids[i], dev, &d)) != 0 ||
		    (r = gw_set_state(gw, dev, state_next(DEV_TRUSTED,
		    dev->approved, DEV_EV_EXPIRED), "gateway",
		    "no fresh attestation within interval and grace",
		    &d)) != 0 ||
		    (r = store_device_put(gw->store, dev, &d)) != 0)
			break;
	}
	if (r != 0 || (r = store_commit(gw->store, &d)) != 0) {
		gw_log("stale sweep failed: %s", d.detail);
		store_rollback(gw->store);
		gw_changed_done(gw, 0);
	} else
		gw_changed_done(gw, 1);
out:
	free(dev);
	free(a.ids);
}

static void
gw_sweep_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	gw_sweep(arg);
	hold_expire(arg);
	service_sweep(arg);
}

/* ---- listeners ---- */

static struct bufferevent *
gw_tls_bev(struct event_base *base, void *arg)
{
	struct gw *gw = arg;
	SSL *ssl = SSL_new(gw->tls);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/*
 * A connection to the admin TLS listener: arg is its SSL_CTX. (On failure
 * libevent frees ssl itself, BEV_OPT_CLOSE_ON_FREE.)
 */
static struct bufferevent *
gw_admin_tls_bev(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/*
 * The admin API over TLS on admin_listen (ctx: tls_admin_ctx's, every
 * client with a verified certificate), with the UNIX socket's limits.
 */
static int
gw_admin_tls_listen(struct gw *gw, SSL_CTX *ctx, struct evhttp **out,
    struct wg_diag *d)
{
	struct evhttp *h;
	char host[128];
	unsigned short port;

	if ((h = evhttp_new(gw->base)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "admin TLS listener");
	evhttp_set_bevcb(h, gw_admin_tls_bev, ctx);
	evhttp_set_gencb(h, admin_dispatch, gw);
	evhttp_set_max_body_size(h, 2 * POLICY_MAX_BYTES);
	evhttp_set_max_headers_size(h, 8192);
	evhttp_set_timeout(h, 30);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	if (conf_listen_split(gw->conf.admin_listen, host, sizeof(host),
	    &port) != 0 || evhttp_bind_socket(h, host, port) != 0) {
		evhttp_free(h);
		return wg_diag_set(d, WG_ERR_IO, "cannot listen on %s: %s",
		    gw->conf.admin_listen, strerror(errno));
	}
	*out = h;
	return 0;
}

static int
gw_admin_listen(struct gw *gw, struct wg_diag *d)
{
	struct sockaddr_un sun;
	struct evconnlistener *l;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(gw->conf.admin_socket) >= sizeof(sun.sun_path))
		return wg_diag_set(d, WG_ERR_CONFIG, "admin_socket: too long");
	strcpy(sun.sun_path, gw->conf.admin_socket);
	/* A live socket means another wardgated: never take it over. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
		int live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;

		close(fd);
		if (live)
			return wg_diag_set(d, WG_ERR_IO, "%s: another wardgated "
			    "is running", sun.sun_path);
	}
	(void)unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return wg_diag_set(d, WG_ERR_IO, "socket: %s", strerror(errno));
	/* Owner and group only; the peer's uid is recorded as the actor. */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		return wg_diag_set(d, WG_ERR_IO, "%s: %s", sun.sun_path,
		    strerror(errno));
	}
	umask(old);
	if ((l = evconnlistener_new(gw->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16, fd)) == NULL) {
		close(fd);
		return wg_diag_set(d, WG_ERR_IO, "admin listener");
	}
	if (evhttp_bind_listener(gw->admin, l) == NULL)
		return wg_diag_set(d, WG_ERR_IO, "admin listener");
	gw->admin_bound = 1;
	return 0;
}

static void
gw_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gw *gw = arg;

	(void)ev;
	gw_log("signal %d: stopping", (int)sig);
	gw_flush(gw);
	event_base_loopexit(gw->base, NULL);
}

static void
gw_hup_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)sig;
	(void)ev;
	(void)arg;
	gw_log("SIGHUP: configuration reload is not supported; restart "
	    "wardgated to apply a new configuration");
}

static void
usage(void)
{
	fprintf(stderr, "usage: wardgated [-dnv] [-f config]\n");
}

int
main(int argc, char **argv)
{
	struct gw *gw;
	struct wg_diag d;
	struct event *sigterm = NULL, *sigint = NULL, *sighup = NULL;
	struct timeval sweep_tv = { SWEEP_SECONDS, 0 };
	const char *conf_path = DEFAULT_CONF;
	struct evhttp *admin_tls = NULL;	/* admin_listen, or NULL */
	SSL_CTX *admin_ctx = NULL;
	char host[128];
	unsigned short port;
	int c, check_only = 0, ret = 1, r;

	while ((c = getopt(argc, argv, "df:nvh")) != -1) {
		switch (c) {
		case 'd':
		case 'v':
			verbose = 1;
			break;
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if ((gw = calloc(1, sizeof(*gw))) == NULL)
		return 1;
	wg_diag_clear(&d);
	conf_defaults(&gw->conf);
	if ((r = conf_load(conf_path, &gw->conf, &d)) != 0 ||
	    (r = conf_check(&gw->conf, &d)) != 0 ||
	    (r = pcr_selection_parse(gw->conf.pcr_selection, &gw->required,
	    &d)) != 0) {
		fprintf(stderr, "wardgated: %s\n", d.detail);
		ret = 2;
		goto out;
	}
	if ((r = ek_ca_load(gw->conf.ek_ca_bundle, &gw->ek_cas, &d)) != 0 ||
	    (r = tls_server_ctx(gw->conf.tls_cert, gw->conf.tls_key, &gw->tls,
	    &d)) != 0 || (strcmp(gw->conf.admin_listen, "none") != 0 &&
	    (r = tls_admin_ctx(gw->conf.tls_cert, gw->conf.tls_key,
	    gw->conf.admin_tls_ca, strcmp(gw->conf.admin_tls_crl, "none") != 0 ?
	    gw->conf.admin_tls_crl : NULL, gw_log, &admin_ctx, &d)) != 0)) {
		fprintf(stderr, "wardgated: %s\n", d.detail);
		ret = 2;
		goto out;
	}
	if ((r = roles_check_conf(&gw->conf, &d)) != 0 ||
	    (!check_only && (r = roles_init(gw, &d)) != 0) ||
	    (r = ear_init(gw, &d)) != 0) {
		fprintf(stderr, "wardgated: %s\n", d.detail);
		ret = 2;
		goto out;
	}
	if (check_only) {
		conf_print(&gw->conf, stdout);
		ret = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((r = store_open(gw->conf.store, &gw->store, &d)) != 0) {
		gw_log("store %s: %s", gw->conf.store, d.detail);
		goto out;
	}
	if ((gw->rcache = rcache_new(RCACHE_ENTRIES)) == NULL ||
	    (gw->nonces = nonce_table_new(gw->conf.max_devices)) == NULL ||
	    api_init(gw) != 0 ||
	    (gw->base = event_base_new()) == NULL ||
	    event_base_priority_init(gw->base, GW_PRIORITIES) != 0 ||
	    (gw->http = evhttp_new(gw->base)) == NULL ||
	    (gw->admin = evhttp_new(gw->base)) == NULL ||
	    (gw->commit_timer = evtimer_new(gw->base, gw_commit_cb,
	    gw)) == NULL ||
	    event_priority_set(gw->commit_timer, GW_PRIORITIES - 1) != 0 ||
	    (gw->sweep_timer = event_new(gw->base, -1, EV_PERSIST,
	    gw_sweep_cb, gw)) == NULL) {
		gw_log("out of memory");
		goto out;
	}
	if ((r = policies_init(gw, &d)) != 0) {
		gw_log("policies: %s", d.detail);
		goto out;
	}
	if ((r = advisories_init(gw, &d)) != 0) {
		gw_log("advisories: %s", d.detail);
		goto out;
	}
	if ((r = metrics_init(gw, &d)) != 0 || (r = notify_init(gw, &d)) != 0) {
		gw_log("operations: %s", d.detail);
		goto out;
	}
	/* A restart never moves a device towards trust. */
	gw_sweep(gw);
	hold_expire(gw);
	service_sweep(gw);
	if ((r = radsrv_init(gw, &d)) != 0) {
		gw_log("radius: %s", d.detail);
		goto out;
	}
	if ((r = enf_start(gw, &d)) != 0) {
		gw_log("enforcer: %s", d.detail);
		goto out;
	}

	evhttp_set_bevcb(gw->http, gw_tls_bev, gw);
	evhttp_set_gencb(gw->http, api_dispatch, gw);
	evhttp_set_max_body_size(gw->http, WIRE_MAX_EVIDENCE_BODY);
	evhttp_set_max_headers_size(gw->http, 8192);
	evhttp_set_timeout(gw->http, 30);
	evhttp_set_allowed_methods(gw->http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	evhttp_set_gencb(gw->admin, admin_dispatch, gw);
	/* A policy bundle of POLICY_MAX_BYTES, base64, fits. */
	evhttp_set_max_body_size(gw->admin, 2 * POLICY_MAX_BYTES);
	evhttp_set_timeout(gw->admin, 30);
	if (conf_listen_split(gw->conf.listen, host, sizeof(host), &port) != 0 ||
	    evhttp_bind_socket(gw->http, host, port) != 0) {
		gw_log("cannot listen on %s: %s", gw->conf.listen,
		    strerror(errno));
		goto out;
	}
	/* Before the socket: once it exists, every listener is up. */
	if (admin_ctx != NULL &&
	    (r = gw_admin_tls_listen(gw, admin_ctx, &admin_tls, &d)) != 0) {
		gw_log("admin TLS: %s", d.detail);
		goto out;
	}
	if ((r = gw_admin_listen(gw, &d)) != 0) {
		gw_log("admin socket: %s", d.detail);
		goto out;
	}
	sighup = evsignal_new(gw->base, SIGHUP, gw_hup_cb, gw);
	sigterm = evsignal_new(gw->base, SIGTERM, gw_signal_cb, gw);
	sigint = evsignal_new(gw->base, SIGINT, gw_signal_cb, gw);
	if (sigterm == NULL || sigint == NULL || sighup == NULL ||
	    evsignal_add(sighup, NULL) != 0 ||
	    evsignal_add(sigterm, NULL) != 0 || evsignal_add(sigint, NULL) != 0 ||
	    event_add(gw->sweep_timer, &sweep_tv) != 0) {
		gw_log("cannot set up signals and timers");
		goto out;
	}
	gw_log("listening on %s (agents, TLS) and %s (admin)%s%s",
	    gw->conf.listen, gw->conf.admin_socket, admin_tls != NULL ?
	    " and admin TLS on " : "", admin_tls != NULL ?
	    gw->conf.admin_listen : "");
	if (event_base_dispatch(gw->base) == -1) {
		gw_log("event loop failed");
		goto out;
	}
	ret = 0;
out:
	if (gw->in_tx)
		gw_flush(gw);
	enf_stop(gw);
	radsrv_free(gw);
	roles_free(gw);
	advisories_free(gw);
	ear_free(gw);
	notify_free(gw);
	metrics_free(gw);
	service_free();
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
	if (sighup != NULL)
		event_free(sighup);
	if (gw->commit_timer != NULL)
		event_free(gw->commit_timer);
	if (gw->sweep_timer != NULL)
		event_free(gw->sweep_timer);
	if (gw->http != NULL)
		evhttp_free(gw->http);
	if (admin_tls != NULL)
		evhttp_free(admin_tls);
	if (gw->admin != NULL) {
		evhttp_free(gw->admin);
		if (gw->admin_bound)
			(void)unlink(gw->conf.admin_socket);
	}
	if (gw->base != NULL)
		event_base_free(gw->base);
	api_free(gw);
	policies_free(gw);
	nonce_table_free(gw->nonces);
	rcache_free(gw->rcache);
	store_close(gw->store);
	X509_STORE_free(gw->ek_cas);
	SSL_CTX_free(gw->tls);
	SSL_CTX_free(admin_ctx);
	free(gw->pending);
	free(gw->changed);
	free(gw);
	return ret;
}
