/*
 * metrics.c: Prometheus /metrics on metrics_listen (plain HTTP, GET
 * only) and the counters behind it that the daemon keeps. Devices by
 * state are counted from the store, again only after a committed state
 * change and at most once a second.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "gateway.h"
#include "metrics_text.h"

#define METRICS_HTTP_TIMEOUT 10
#define METRICS_RECOUNT_MS 1000
#define METRICS_MAX_BODY 1024		/* a scrape has none */

struct gw_metrics {
	struct gw *gw;
	struct metrics_counts c;
	struct evhttp *http;
	int devices_dirty;		/* a state change since the count */
	struct timespec counted_at;
};

void
metrics_clock(struct timespec *t)
{
	if (clock_gettime(CLOCK_MONOTONIC, t) != 0)
		t->tv_sec = t->tv_nsec = 0;
}

static double
since(const struct timespec *t0)
{
	struct timespec now;

	metrics_clock(&now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void
metrics_evidence(struct gw *gw, const struct timespec *start, int pass,
    const struct wire_reason *r, unsigned n)
{
	struct gw_metrics *m = gw->metrics;
	unsigned i, j;

	if (m == NULL)
		return;
	metrics_text_observe(&m->c, since(start));
	if (pass)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(r[j].code, r[i].code) == 0)
				break;
		if (j == i)		/* each code once per verdict */
			metrics_text_reason(&m->c, r[i].code);
	}
}

void
metrics_count(struct gw *gw, enum metrics_event ev, uint64_t n)
{
	struct gw_metrics *m = gw->metrics;

	if (m == NULL)
		return;
	switch (ev) {
	case METRICS_STATE_CHANGE:
		m->c.state_changes += n;
		m->devices_dirty = 1;
		break;
	case METRICS_WEBHOOK_SENT:
		m->c.webhook_sent += n;
		break;
	case METRICS_WEBHOOK_FAILED:
		m->c.webhook_failed += n;
		break;
	case METRICS_WEBHOOK_DROPPED:
		m->c.webhook_dropped += n;
		break;
	case METRICS_NOTIFY_DROPPED:
		m->c.notify_dropped += n;
		break;
	}
}

static int
count_device(const struct store_device *dev, void *arg)
{
	struct metrics_counts *c = arg;
	enum dev_state st;

	if (state_parse(dev->state, &st) != 0)
		st = DEV_UNTRUSTED;
	c->devices[st]++;
	return 0;
}

static int
count_window(const struct store_service *w, void *arg)
{
	(void)w;
	((struct metrics_counts *)arg)->service_open++;
	return 0;
}

static int
count_legacy(const struct store_legacy *l, void *arg)
{
	struct metrics_counts *c = arg;
	int64_t now = gw_now();

	if (l->sunset_done || now >= l->sunset_at)
		c->legacy_past_sunset++;
	else if (now >= l->review_at)
		c->legacy_review_overdue++;
	return 0;
}

/*
 * Open field-service windows and legacy devices that need attention, at
 * every scrape: both change with time alone, and both tables are small.
 */
static void
metrics_service(struct gw_metrics *m)
{
	struct metrics_counts tmp;
	struct wg_diag d;

	memset(&tmp, 0, sizeof(tmp));
	wg_diag_clear(&d);
	if (store_service_each(m->gw->store, NULL, count_window, &tmp,
	    &d) != 0 ||
	    store_legacy_each(m->gw->store, count_legacy, &tmp, &d) != 0) {
		gw_log("metrics: counting field service: %s", d.detail);
		m->c.service_known = 0;
		return;
	}
	m->c.service_open = tmp.service_open;
	m->c.legacy_review_overdue = tmp.legacy_review_overdue;
	m->c.legacy_past_sunset = tmp.legacy_past_sunset;
	m->c.service_known = 1;
}

/* Counts devices by state from what is committed. */
static void
metrics_devices(struct gw_metrics *m)
{
	struct metrics_counts tmp;
	struct wg_diag d;

	if (m->c.devices_known && (!m->devices_dirty ||
	    since(&m->counted_at) * 1000 < METRICS_RECOUNT_MS))
		return;
	gw_flush(m->gw);
	memset(&tmp, 0, sizeof(tmp));
	wg_diag_clear(&d);
	if (store_device_each(m->gw->store, count_device, &tmp, &d) != 0) {
		gw_log("metrics: counting devices: %s", d.detail);
		return;
	}
	memcpy(m->c.devices, tmp.devices, sizeof(tmp.devices));
	m->c.devices_known = 1;
	m->devices_dirty = 0;
	metrics_clock(&m->counted_at);
}

static void
metrics_http_cb(struct evhttp_request *req, void *arg)
{
	struct gw_metrics *m = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	struct evbuffer *b;
	char *text;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET");
		evhttp_send_error(req, 405, NULL);
		return;
	}
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	metrics_devices(m);
	metrics_service(m);
	m->c.attest_pass = m->gw->n_pass;
	m->c.attest_fail = m->gw->n_fail;
	m->c.enforcer_in_force = enf_ready(m->gw);
	if ((text = metrics_text_render(&m->c)) == NULL ||
	    (b = evbuffer_new()) == NULL) {
		free(text);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evbuffer_add(b, text, strlen(text));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
	free(text);
}

int
metrics_init(struct gw *gw, struct wg_diag *d)
{
	struct gw_metrics *m;
	char host[sizeof(gw->conf.metrics_listen)];
	unsigned short port;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "metrics");
	m->gw = gw;
	m->devices_dirty = 1;
	gw->metrics = m;
	if (strcmp(gw->conf.metrics_listen, "none") == 0)
		return 0;
	if (conf_listen_split(gw->conf.metrics_listen, host, sizeof(host),
	    &port) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "metrics_listen %s",
		    gw->conf.metrics_listen);
	if ((m->http = evhttp_new(gw->base)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "metrics listener");
	evhttp_set_gencb(m->http, metrics_http_cb, m);
	/* Other methods reach metrics_http_cb for a 405 (not libevent's 501). */
	evhttp_set_max_body_size(m->http, METRICS_MAX_BODY);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_timeout(m->http, METRICS_HTTP_TIMEOUT);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	if (evhttp_bind_socket_with_handle(m->http, host, port) == NULL)
		return wg_diag_set(d, WG_ERR_IO, "metrics_listen %s: cannot "
		    "listen: %s", gw->conf.metrics_listen, strerror(errno));
	gw_log("metrics on http://%s/metrics", gw->conf.metrics_listen);
	return 0;
}

void
metrics_free(struct gw *gw)
{
	struct gw_metrics *m = gw->metrics;

	if (m == NULL)
		return;
	if (m->http != NULL)
		evhttp_free(m->http);
	free(m);
	gw->metrics = NULL;
}
