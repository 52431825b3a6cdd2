/*
 * enfctl.c: wardgated's side of wardgate-enforcer(8).
 *
 * wardgated holds no network privilege. It spawns the enforcer (conf
 * "enforcer", which gains CAP_NET_ADMIN from its file capability) over a
 * SOCK_SEQPACKET socketpair, or connects to one that a service manager
 * started ("enforcer = unix:PATH"), and speaks lib/enfmsg.h to it:
 *
 *   starting     the enforcer installs its ruleset (every device in its
 *                default segment), announces its segments, sends ACK 0;
 *   reconciling  every device with a MAC is PUT again from the store;
 *   up           each committed segment change is PUT at once.
 *
 * Only "up" counts as in force: before it, enf_ready() is 0 and the API
 * promotes no device. If the enforcer dies, NAKs a change or breaks the
 * protocol, it is killed and started again after a backoff, and the
 * whole store is reconciled: the fresh ruleset has every device in the
 * default segment meanwhile, so a fault only ever moves devices towards
 * quarantine. A segment wardgated.conf names that enforcer.conf lacks
 * stops enforcement at "misconfigured" (nothing promoted) until fixed.
 *
 * Field-service flows: the enforcer announces its flows (FLOW) at start;
 * service.c opens a window with enf_flow_put (OPEN MAC FLOW SECONDS, or
 * CLOSE), queued and answered like a PUT. A fresh enforcer has every flow
 * closed: the reconciliation re-opens the windows still open in the store
 * (service_reconcile) before enforcement counts as up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "enfmsg.h"
#include "gateway.h"

#define ENF_BACKOFF_MIN_MS 200
#define ENF_BACKOFF_MAX_MS 10000
#define ENF_STABLE_S 60		/* up this long: backoff starts again */
#define ENF_SEGMENTS_MAX 16	/* what one enforcer may announce */
#define ENF_FLOWS_MAX 16
#define ENF_LAT_RING 8192	/* latencies kept for p50/p99 */
#define ENF_SEG_DEFAULT_FLAG 1u	/* SEGMENT reason bit: the default */

enum enf_phase {
	ENF_OFF,		/* enforcer = none */
	ENF_DOWN,		/* not running; restart pending */
	ENF_STARTING,		/* spawned, waiting for ACK 0 */
	ENF_RECONCILING,	/* store being applied again */
	ENF_UP,
	ENF_MISCONF,		/* a segment of ours is not in its conf */
};

static const char *const phase_names[] = {
	"off", "down", "starting", "reconciling", "up", "misconfigured",
};

/* A request sent and not yet answered (answers come in order). */
struct enf_flight {
	uint8_t type;		/* ENFMSG_PUT, ENFMSG_OPEN, ENFMSG_CLOSE */
	uint32_t seq;
	uint8_t mac[ENFMSG_MAC_LEN];
	char segment[ENFMSG_SEGMENT_MAX + 1];	/* or the flow */
	uint32_t seconds;	/* OPEN */
	struct timespec t0;	/* when the change was committed */
};

struct gw_enf {
	struct gw *gw;
	enum enf_phase phase;
	int fd;
	pid_t pid;
	struct event *ev_read, *ev_write, *ev_restart, *ev_child;

	uint32_t seq;
	uint32_t reconcile_last;	/* seq of the last reconcile request */

	/* To send: encoded requests, FIFO (ring). */
	struct enf_flight *out;
	size_t out_head, out_n, out_cap;
	/* Sent, waiting for the answer: FIFO (ring). */
	struct enf_flight *fl;
	size_t fl_head, fl_n, fl_cap;

	char segs[ENF_SEGMENTS_MAX][ENFMSG_SEGMENT_MAX + 1];
	size_t nsegs;
	char def_seg[ENFMSG_SEGMENT_MAX + 1];
	char flows[ENF_FLOWS_MAX][ENFMSG_SEGMENT_MAX + 1];	/* announced */
	size_t nflows;

	unsigned backoff_ms;
	time_t up_since;
	uint64_t starts, puts, opens, closes, acks, naks, deaths, reconciled;
	char last_exit[96];
	char why[256];		/* why not up, for status */

	double lat[ENF_LAT_RING];
	size_t lat_n, lat_i;
};

static void enf_spawn(struct gw_enf *e);

static double
ts_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* ---- rings ---- */

static int
ring_push(struct enf_flight **r, size_t *head, size_t *n, size_t *cap,
    const struct enf_flight *f)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256, i;
		struct enf_flight *nr = malloc(ncap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		for (i = 0; i < *n; i++)
			nr[i] = (*r)[(*head + i) % *cap];
		free(*r);
		*r = nr;
		*head = 0;
		*cap = ncap;
	}
	(*r)[(*head + *n) % *cap] = *f;
	(*n)++;
	return 0;
}

static struct enf_flight *
ring_front(struct enf_flight *r, size_t head, size_t n)
{
	return n == 0 ? NULL : &r[head];
}

static void
ring_pop(size_t *head, size_t *n, size_t cap)
{
	*head = (*head + 1) % cap;
	(*n)--;
}

/* ---- the child ---- */

static void
enf_close(struct gw_enf *e)
{
	if (e->ev_read != NULL)
		event_del(e->ev_read);
	if (e->ev_write != NULL)
		event_del(e->ev_write);
	event_free(e->ev_read);
	event_free(e->ev_write);
	e->ev_read = e->ev_write = NULL;
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->out_n = e->fl_n = 0;
	e->out_head = e->fl_head = 0;
	e->nsegs = 0;
	e->def_seg[0] = '\0';
	e->nflows = 0;
}

/* Reaps the child if it has exited; 1 when it is gone. */
static int
enf_reap(struct gw_enf *e, int block)
{
	int status;
	pid_t p;

	if (e->pid <= 0)
		return 1;
	do
		p = waitpid(e->pid, &status, block ? 0 : WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == 0)
		return 0;
	if (p < 0) {
		e->pid = -1;
		return 1;
	}
	if (WIFEXITED(status))
		snprintf(e->last_exit, sizeof(e->last_exit), "exit status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(e->last_exit, sizeof(e->last_exit), "signal %d",
		    WTERMSIG(status));
	gw_log("enforcer (pid %ld) ended: %s", (long)e->pid, e->last_exit);
	e->pid = -1;
	return 1;
}

/*
 * Fail closed: stop this enforcer and start a fresh one after the
 * backoff. Its successor installs a new ruleset (every device in the
 * default segment) and is reconciled from the store.
 */
static void
enf_fail(struct gw_enf *e, const char *why)
{
	struct timeval tv;

	gw_log("enforcer: %s; restarting it in %u ms (devices fall back to "
	    "its default segment until reconciled; none is promoted)", why,
	    e->backoff_ms);
	snprintf(e->why, sizeof(e->why), "%s", why);
	e->deaths++;
	enf_close(e);
	if (e->pid > 0) {
		(void)kill(e->pid, SIGTERM);
		(void)enf_reap(e, 0);
	}
	e->phase = ENF_DOWN;
	tv.tv_sec = e->backoff_ms / 1000;
	tv.tv_usec = (suseconds_t)(e->backoff_ms % 1000) * 1000;
	evtimer_add(e->ev_restart, &tv);
	e->backoff_ms = e->backoff_ms * 2 > ENF_BACKOFF_MAX_MS ?
	    ENF_BACKOFF_MAX_MS : e->backoff_ms * 2;
}

/* ---- sending ---- */

static void
enf_flush_out(struct gw_enf *e)
{
	uint8_t buf[ENFMSG_LEN];
	struct enf_flight *f;
	struct enfmsg m;
	struct wg_diag d;
	ssize_t n;

	while ((f = ring_front(e->out, e->out_head, e->out_n)) != NULL) {
		memset(&m, 0, sizeof(m));
		m.type = f->type;
		m.seq = f->seq;
		memcpy(m.mac, f->mac, ENFMSG_MAC_LEN);
		memcpy(m.segment, f->segment, sizeof(m.segment));
		m.seconds = f->seconds;
		if (enfmsg_encode(&m, buf, &d) != 0) {
			/* Checked when queued: cannot happen. */
			gw_log("enforcer: internal: %s", d.detail);
			ring_pop(&e->out_head, &e->out_n, e->out_cap);
			continue;
		}
		n = send(e->fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(e->ev_write, NULL);
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(buf)) {
			enf_fail(e, "cannot send to the enforcer");
			return;
		}
		if (ring_push(&e->fl, &e->fl_head, &e->fl_n, &e->fl_cap,
		    f) != 0) {
			enf_fail(e, "out of memory");
			return;
		}
		ring_pop(&e->out_head, &e->out_n, e->out_cap);
		if (f->type == ENFMSG_OPEN)
			e->opens++;
		else if (f->type == ENFMSG_CLOSE)
			e->closes++;
		else
			e->puts++;
	}
}

static void
enf_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	enf_flush_out(arg);
}

/*
 * Queues a request of type (PUT, OPEN, CLOSE) for mac with name (segment
 * or flow) and, for an OPEN, seconds; 0, or -1 when the message would be
 * refused or no memory.
 */
static int
enf_queue_req(struct gw_enf *e, uint8_t type,
    const uint8_t mac[ENFMSG_MAC_LEN], const char *name, uint32_t seconds,
    const struct timespec *t0)
{
	struct enf_flight f;

	memset(&f, 0, sizeof(f));
	if (!enfmsg_mac_valid(mac) || !enfmsg_segment_valid(name) ||
	    (type == ENFMSG_OPEN) != (seconds != 0) ||
	    seconds > ENFMSG_OPEN_MAX)
		return -1;
	f.type = type;
	f.seq = ++e->seq;
	memcpy(f.mac, mac, ENFMSG_MAC_LEN);
	snprintf(f.segment, sizeof(f.segment), "%s", name);
	f.seconds = seconds;
	f.t0 = *t0;
	return ring_push(&e->out, &e->out_head, &e->out_n, &e->out_cap, &f);
}

/*
 * Queues a PUT; 0, or -1 when the message would be refused or no memory.
 * A segment the enforcer did not announce (a legacy device's own segment
 * removed from enforcer.conf since it was registered) would be a protocol
 * violation, and the enforcer would exit and start again for ever: the
 * device goes to the default segment instead, and the log says so.
 */
static int
enf_queue(struct gw_enf *e, const uint8_t mac[ENFMSG_MAC_LEN],
    const char *segment, const struct timespec *t0)
{
	char m[ENFMSG_MAC_TEXT];
	size_t i;

	for (i = 0; i < e->nsegs; i++)
		if (strcmp(e->segs[i], segment) == 0)
			break;
	if (i == e->nsegs && e->nsegs > 0) {
		gw_log("enforcer: device %s: segment \"%.32s\" is not in "
		    "%.200s: put in the default segment %s", enfmsg_mac_format(
		    mac, m), segment, e->gw->conf.enforcer_conf, e->def_seg);
		segment = e->def_seg;
	}
	return enf_queue_req(e, ENFMSG_PUT, mac, segment, 0, t0);
}

/* ---- reconciliation ---- */

struct reconcile {
	struct gw_enf *e;
	struct timespec t0;
	size_t n, skipped;
	int err;
};

static int
reconcile_one(const struct store_device *dev, void *arg)
{
	struct reconcile *rc = arg;
	uint8_t mac[ENFMSG_MAC_LEN];

	if (dev->mac[0] == '\0')
		return 0;
	if (enfmsg_mac_parse(dev->mac, mac) != 0 ||
	    !enfmsg_mac_valid(mac)) {
		rc->skipped++;
		return 0;
	}
	if (enf_queue(rc->e, mac, dev->segment, &rc->t0) != 0) {
		rc->err = 1;
		return 1;
	}
	rc->n++;
	return 0;
}

/* Our segments must all be the enforcer's, or nothing is promoted. */
static const char *
enf_missing_segment(struct gw_enf *e)
{
	const struct conf *c = &e->gw->conf;
	size_t i, j;
	const char *want;

	for (i = 0; i <= DEV_NSTATES + 1; i++) {
		want = i < DEV_NSTATES ? c->segment[i] : i == DEV_NSTATES ?
		    c->segment_hold : c->segment_restricted;
		for (j = 0; j < e->nsegs; j++)
			if (strcmp(e->segs[j], want) == 0)
				break;
		if (j == e->nsegs)
			return want;
	}
	return NULL;
}

static void
enf_reconcile(struct gw_enf *e)
{
	struct reconcile rc;
	struct wg_diag d;
	const char *missing;
	uint32_t first;

	if ((missing = enf_missing_segment(e)) != NULL) {
		snprintf(e->why, sizeof(e->why), "segment \"%.32s\" of "
		    "wardgated.conf is not in %.100s", missing,
		    e->gw->conf.enforcer_conf);
		gw_log("enforcer MISCONFIGURED: %s; every device stays in the "
		    "enforcer's default segment %s and none is promoted until "
		    "the two files agree and wardgated is restarted", e->why,
		    e->def_seg);
		e->phase = ENF_MISCONF;
		return;
	}
	/* Read only what is durable: commit an open group first. */
	if (e->gw->in_tx)
		gw_flush(e->gw);
	memset(&rc, 0, sizeof(rc));
	rc.e = e;
	clock_gettime(CLOCK_MONOTONIC, &rc.t0);
	first = e->seq;
	if (store_device_each(e->gw->store, reconcile_one, &rc, &d) != 0 ||
	    rc.err) {
		enf_fail(e, rc.err ? "out of memory while reconciling" :
		    "cannot read the store to reconcile");
		return;
	}
	if (rc.skipped > 0)
		gw_log("enforcer: %zu device(s) with an unusable MAC left in "
		    "the default segment", rc.skipped);
	e->phase = ENF_RECONCILING;
	/*
	 * Every flow of the fresh ruleset is closed: the windows still open
	 * in the store are opened again (enf_flow_put, which accepts calls
	 * while reconciling), behind the PUTs and before "up".
	 */
	service_reconcile(e->gw);
	if (e->phase != ENF_RECONCILING)
		return;		/* failed meanwhile: restarting */
	e->reconcile_last = e->seq;
	gw_log("enforcer: ruleset in force (default segment %s); "
	    "reconciling %zu device(s), %lu window(s) of field-service flows",
	    e->def_seg, rc.n, (unsigned long)(e->seq - first - rc.n));
	/* Answers are read by the event loop after this returns: the last
	 * request's, seq reconcile_last, brings enforcement up. */
	if (e->seq == first) {
		e->phase = ENF_UP;
		e->up_since = time(NULL);
		e->reconciled++;
		e->why[0] = '\0';
		gw_log("enforcer: up, nothing to reconcile");
		return;
	}
	enf_flush_out(e);
}

/* ---- answers ---- */

static void
enf_latency(struct gw_enf *e, const struct enf_flight *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	e->lat[e->lat_i] = ts_ms(&f->t0, &now);
	e->lat_i = (e->lat_i + 1) % ENF_LAT_RING;
	if (e->lat_n < ENF_LAT_RING)
		e->lat_n++;
}

static int
enf_flow_known(const struct gw_enf *e, const char *flow)
{
	size_t i;

	for (i = 0; i < e->nflows; i++)
		if (strcmp(e->flows[i], flow) == 0)
			return 1;
	return 0;
}

/* A FLOW at start: after the SEGMENTs, at most 16, each name once and
 * none a segment's. 0, or -1 with why. */
static int
enf_flow_announced(struct gw_enf *e, const struct enfmsg *m, char *why,
    size_t wlen)
{
	size_t i;

	if (e->nflows == ENF_FLOWS_MAX) {
		snprintf(why, wlen, "more than %d flows", ENF_FLOWS_MAX);
		return -1;
	}
	if (e->nsegs == 0) {
		snprintf(why, wlen, "FLOW %s before any SEGMENT", m->segment);
		return -1;
	}
	for (i = 0; i < e->nsegs; i++)
		if (strcmp(e->segs[i], m->segment) == 0) {
			snprintf(why, wlen, "FLOW %s: a segment's name",
			    m->segment);
			return -1;
		}
	if (enf_flow_known(e, m->segment)) {
		snprintf(why, wlen, "FLOW %s announced twice", m->segment);
		return -1;
	}
	memcpy(e->flows[e->nflows++], m->segment, sizeof(e->flows[0]));
	return 0;
}

/* One message from the enforcer; -1 when it broke the protocol. */
static int
enf_answer(struct gw_enf *e, const struct enfmsg *m, char *why, size_t wlen)
{
	struct enf_flight *f;
	char mac[ENFMSG_MAC_TEXT];
	const char *tn;
	int tolerated;

	if (e->phase == ENF_STARTING) {
		if (m->type == ENFMSG_FLOW && m->seq == 0)
			return enf_flow_announced(e, m, why, wlen);
		if (m->type == ENFMSG_SEGMENT && m->seq == 0) {
			if (e->nflows > 0) {
				snprintf(why, wlen, "SEGMENT %s after a FLOW",
				    m->segment);
				return -1;
			}
			if (e->nsegs == ENF_SEGMENTS_MAX) {
				snprintf(why, wlen, "more than %d segments",
				    ENF_SEGMENTS_MAX);
				return -1;
			}
			memcpy(e->segs[e->nsegs++], m->segment,
			    sizeof(e->segs[0]));
			if (m->reason & ENF_SEG_DEFAULT_FLAG)
				memcpy(e->def_seg, m->segment,
				    sizeof(e->def_seg));
			return 0;
		}
		if (m->type == ENFMSG_ACK && m->seq == 0) {
			if (e->nsegs == 0 || e->def_seg[0] == '\0') {
				snprintf(why, wlen, "ready without announcing "
				    "its segments");
				return -1;
			}
			enf_reconcile(e);
			return 0;
		}
		snprintf(why, wlen, "%s before the ruleset was ready",
		    enfmsg_type_name(m->type));
		return -1;
	}
	if ((f = ring_front(e->fl, e->fl_head, e->fl_n)) == NULL ||
	    m->seq != f->seq) {
		snprintf(why, wlen, "answer %s seq %u to no request",
		    enfmsg_type_name(m->type), m->seq);
		return -1;
	}
	enfmsg_mac_format(f->mac, mac);
	tn = enfmsg_type_name(f->type);
	if (m->type == ENFMSG_NAK) {
		e->naks++;
		snprintf(why, wlen, "%s %s %s refused (%s)", tn, mac,
		    f->segment, enfmsg_reason_name(m->reason));
		/*
		 * A NAK changed nothing. While reconciling, the device is in
		 * the fresh ruleset's default segment, every flow closed: it
		 * stays there (a restart would only refuse it again, and
		 * keep every other device from being promoted). A full
		 * table: same. An OPEN of a flow that holds max_devices
		 * windows: that window is not open, nothing else changed,
		 * and a restart would close every window and put every
		 * device in the default segment only to be refused again.
		 * An OPEN or CLOSE of a flow this enforcer lacks: nothing of
		 * it is open. A live change refused otherwise: the device
		 * may still reach more than it should, so start afresh
		 * (fail closed).
		 */
		tolerated = (m->reason == ENFMSG_R_FULL &&
		    (f->type == ENFMSG_PUT || f->type == ENFMSG_OPEN)) ||
		    (m->reason == ENFMSG_R_UNKNOWN &&
		    f->type != ENFMSG_PUT) ||
		    (e->phase == ENF_RECONCILING && m->seq <= e->reconcile_last);
		if (tolerated) {
			if (f->type == ENFMSG_PUT)
				gw_log("enforcer: %s: device left in %s", why,
				    e->def_seg);
			else
				gw_log("enforcer: %s: the flow is not open%s",
				    why, m->reason == ENFMSG_R_FULL ? " (the "
				    "flow holds max_devices windows of "
				    "enforcer.conf; the window stays recorded "
				    "and is opened again at the next "
				    "reconciliation, if there is room)" : "");
			ring_pop(&e->fl_head, &e->fl_n, e->fl_cap);
			goto done;
		}
		return -1;
	}
	if (m->type != ENFMSG_ACK || memcmp(m->mac, f->mac, ENFMSG_MAC_LEN) ||
	    strcmp(m->segment, f->segment) != 0) {
		snprintf(why, wlen, "answer %s seq %u does not match %s %s %s",
		    enfmsg_type_name(m->type), m->seq, tn, mac, f->segment);
		return -1;
	}
	e->acks++;
	if (f->type == ENFMSG_PUT)
		enf_latency(e, f);
	if (gw_verbose) {
		if (f->type == ENFMSG_PUT)
			gw_log("enforcer: %s in %s", mac, f->segment);
		else if (f->type == ENFMSG_OPEN)
			gw_log("enforcer: %s: flow %s open for %u s", mac,
			    f->segment, f->seconds);
		else
			gw_log("enforcer: %s: flow %s closed", mac,
			    f->segment);
	}
	ring_pop(&e->fl_head, &e->fl_n, e->fl_cap);
done:
	if (e->phase == ENF_RECONCILING && m->seq == e->reconcile_last) {
		e->phase = ENF_UP;
		e->up_since = time(NULL);
		e->reconciled++;
		e->why[0] = '\0';
		gw_log("enforcer: up, every device's segment applied");
	}
	return 0;
}

static void
enf_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gw_enf *e = arg;
	uint8_t buf[ENFMSG_LEN + 1];
	char why[WG_DIAG_DETAIL_MAX + 96];
	struct enfmsg m;
	struct wg_diag d;
	ssize_t n;
	int i;

	(void)ev;
	for (i = 0; i < 256 && e->fd >= 0; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			enf_fail(e, n == 0 ? "the enforcer closed its socket" :
			    "cannot read from the enforcer");
			return;
		}
		if (enfmsg_decode(buf, (size_t)n, &m, &d) != 0) {
			snprintf(why, sizeof(why), "malformed message from the "
			    "enforcer: %s", d.detail);
			enf_fail(e, why);
			return;
		}
		if (enf_answer(e, &m, why, sizeof(why)) != 0) {
			enf_fail(e, why);
			return;
		}
	}
	if (e->phase == ENF_UP && e->up_since != 0 &&
	    time(NULL) - e->up_since >= ENF_STABLE_S)
		e->backoff_ms = ENF_BACKOFF_MIN_MS;
}

/* ---- spawning or connecting ---- */

/* Sets up the events for a new connection on e->fd. */
static void
enf_attach(struct gw_enf *e)
{
	e->starts++;
	e->phase = ENF_STARTING;
	e->nsegs = 0;
	e->def_seg[0] = '\0';
	e->nflows = 0;
	(void)fcntl(e->fd, F_SETFL, fcntl(e->fd, F_GETFL) | O_NONBLOCK);
	e->ev_read = event_new(e->gw->base, e->fd, EV_READ | EV_PERSIST,
	    enf_read_cb, e);
	e->ev_write = event_new(e->gw->base, e->fd, EV_WRITE, enf_write_cb,
	    e);
	if (e->ev_read == NULL || e->ev_write == NULL ||
	    event_add(e->ev_read, NULL) != 0)
		enf_fail(e, "out of memory");
}

/*
 * enforcer = unix:PATH: the enforcer is started by someone else (a
 * systemd socket unit with Accept=yes gives each connection its own
 * enforcer, the socket as its fd 3); wardgated only connects.
 */
static void
enf_connect(struct gw_enf *e, const char *path)
{
	struct sockaddr_un sa;
	char why[CONF_PATH_MAX + 64];
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0) {
		enf_fail(e, "socket failed");
		return;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(why, sizeof(why), "cannot connect to %.512s: %s",
		    path, strerror(errno));
		close(fd);
		enf_fail(e, why);
		return;
	}
	e->fd = fd;
	enf_attach(e);
	if (e->phase == ENF_STARTING)
		gw_log("enforcer: connected to %s", path);
}

static void
enf_spawn(struct gw_enf *e)
{
	const struct conf *c = &e->gw->conf;
	char *const argv[] = { (char *)c->enforcer, (char *)"-S",
	    (char *)"3", (char *)"-f", (char *)c->enforcer_conf, NULL };
	char *const envp[] = { NULL };
	int sv[2];
	pid_t pid;

	if (strncmp(c->enforcer, "unix:", 5) == 0) {
		enf_connect(e, c->enforcer + 5);
		return;
	}
	if (e->pid > 0 && !enf_reap(e, 0)) {
		/* The last one is still going: make sure it is gone. */
		(void)kill(e->pid, SIGKILL);
		(void)enf_reap(e, 1);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		enf_fail(e, "socketpair failed");
		return;
	}
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		enf_fail(e, "fork failed");
		return;
	}
	if (pid == 0) {
		sigset_t none;

		/* The child: the socket as fd 3, nothing else inherited. */
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		(void)close_range(4, ~0U, 0);
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)signal(SIGPIPE, SIG_DFL);
		execve(c->enforcer, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	e->fd = sv[0];
	e->pid = pid;
	enf_attach(e);
	if (e->phase != ENF_STARTING)
		return;
	gw_log("enforcer started: %s -f %s (pid %ld)", c->enforcer,
	    c->enforcer_conf, (long)pid);
}

static void
enf_restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	enf_spawn(arg);
}

static void
enf_child_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gw_enf *e = arg;

	(void)sig;
	(void)ev;
	if (e->pid > 0 && enf_reap(e, 0) && e->phase != ENF_DOWN) {
		char why[160];

		snprintf(why, sizeof(why), "the enforcer died (%s)",
		    e->last_exit);
		enf_fail(e, why);
	}
}

/* ---- interface ---- */

int
enf_start(struct gw *gw, struct wg_diag *d)
{
	struct gw_enf *e;

	if (strcmp(gw->conf.enforcer, "none") == 0)
		return 0;
	if (strncmp(gw->conf.enforcer, "unix:", 5) != 0 &&
	    access(gw->conf.enforcer, X_OK) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "enforcer %s: %s",
		    gw->conf.enforcer, strerror(errno));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "enforcer");
	e->gw = gw;
	e->fd = -1;
	e->pid = -1;
	e->backoff_ms = ENF_BACKOFF_MIN_MS;
	snprintf(e->why, sizeof(e->why), "starting");
	e->ev_restart = evtimer_new(gw->base, enf_restart_cb, e);
	e->ev_child = evsignal_new(gw->base, SIGCHLD, enf_child_cb, e);
	if (e->ev_restart == NULL || e->ev_child == NULL ||
	    evsignal_add(e->ev_child, NULL) != 0) {
		if (e->ev_restart != NULL)
			event_free(e->ev_restart);
		if (e->ev_child != NULL)
			event_free(e->ev_child);
		free(e);
		return wg_diag_set(d, WG_ERR_ALLOC, "enforcer events");
	}
	gw->enf = e;
	enf_spawn(e);
	return 0;
}

void
enf_stop(struct gw *gw)
{
	struct gw_enf *e = gw->enf;

	if (e == NULL)
		return;
	/* Closing the socket ends the enforcer; its rules stay in force. */
	enf_close(e);
	if (e->pid > 0) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int i;

		for (i = 0; i < 200 && !enf_reap(e, 0); i++)
			nanosleep(&ts, NULL);
		if (e->pid > 0) {
			(void)kill(e->pid, SIGKILL);
			(void)enf_reap(e, 1);
		}
	}
	event_free(e->ev_restart);
	event_free(e->ev_child);
	free(e->out);
	free(e->fl);
	free(e);
	gw->enf = NULL;
}

int
enf_ready(const struct gw *gw)
{
	if (strcmp(gw->conf.enforcer, "none") == 0)
		return 1;
	return gw->enf != NULL && gw->enf->phase == ENF_UP;
}

void
enf_put(struct gw *gw, const char *mac, const char *segment)
{
	struct gw_enf *e = gw->enf;
	uint8_t m[ENFMSG_MAC_LEN];
	struct timespec now;

	/* Before ACK 0 the reconciliation will read the store anyway. */
	if (e == NULL || (e->phase != ENF_UP && e->phase != ENF_RECONCILING))
		return;
	if (enfmsg_mac_parse(mac, m) != 0 || !enfmsg_mac_valid(m)) {
		gw_log("enforcer: device MAC %.17s is not usable: not sent",
		    mac);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (enf_queue(e, m, segment, &now) != 0) {
		enf_fail(e, "cannot queue a change");
		return;
	}
	enf_flush_out(e);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct json_object *
enf_status_json(const struct gw *gw)
{
	const struct gw_enf *e = gw->enf;
	struct json_object *o = json_object_new_object(), *segs, *lat;
	double *sorted;
	size_t i;

	if (o == NULL)
		return NULL;
	if (e == NULL) {
		json_object_object_add(o, "state", json_object_new_string(
		    phase_names[ENF_OFF]));
		json_object_object_add(o, "in_force", json_object_new_boolean(
		    enf_ready(gw)));
		return o;
	}
	json_object_object_add(o, "state",
	    json_object_new_string(phase_names[e->phase]));
	json_object_object_add(o, "in_force",
	    json_object_new_boolean(e->phase == ENF_UP));
	json_object_object_add(o, "pid", json_object_new_int64(e->pid));
	if (e->why[0] != '\0')
		json_object_object_add(o, "reason",
		    json_object_new_string(e->why));
	json_object_object_add(o, "default_segment",
	    json_object_new_string(e->def_seg));
	segs = json_object_new_array();
	for (i = 0; i < e->nsegs; i++)
		json_object_array_add(segs, json_object_new_string(e->segs[i]));
	json_object_object_add(o, "segments", segs);
	segs = json_object_new_array();
	for (i = 0; i < e->nflows; i++)
		json_object_array_add(segs, json_object_new_string(
		    e->flows[i]));
	json_object_object_add(o, "flows", segs);
	json_object_object_add(o, "starts", json_object_new_int64(
	    (int64_t)e->starts));
	json_object_object_add(o, "failures", json_object_new_int64(
	    (int64_t)e->deaths));
	json_object_object_add(o, "reconciliations", json_object_new_int64(
	    (int64_t)e->reconciled));
	json_object_object_add(o, "last_exit",
	    json_object_new_string(e->last_exit));
	json_object_object_add(o, "queued", json_object_new_int64(
	    (int64_t)e->out_n));
	json_object_object_add(o, "in_flight", json_object_new_int64(
	    (int64_t)e->fl_n));
	json_object_object_add(o, "puts", json_object_new_int64(
	    (int64_t)e->puts));
	json_object_object_add(o, "opens", json_object_new_int64(
	    (int64_t)e->opens));
	json_object_object_add(o, "closes", json_object_new_int64(
	    (int64_t)e->closes));
	json_object_object_add(o, "acks", json_object_new_int64(
	    (int64_t)e->acks));
	json_object_object_add(o, "naks", json_object_new_int64(
	    (int64_t)e->naks));
	lat = json_object_new_object();
	json_object_object_add(lat, "n", json_object_new_int64(
	    (int64_t)e->lat_n));
	if (e->lat_n > 0 && (sorted = malloc(e->lat_n *
	    sizeof(*sorted))) != NULL) {
		memcpy(sorted, e->lat, e->lat_n * sizeof(*sorted));
		qsort(sorted, e->lat_n, sizeof(*sorted), dbl_cmp);
		json_object_object_add(lat, "p50", json_object_new_double(
		    sorted[(e->lat_n - 1) / 2]));
		json_object_object_add(lat, "p99", json_object_new_double(
		    sorted[(e->lat_n - 1) * 99 / 100]));
		json_object_object_add(lat, "max", json_object_new_double(
		    sorted[e->lat_n - 1]));
		free(sorted);
	}
	json_object_object_add(o, "latency_ms", lat);
	return o;
}

int
enf_flow_check(const struct gw *gw, const char *flow, struct wg_diag *d)
{
	const struct gw_enf *e = gw->enf;

	if (strcmp(gw->conf.enforcer, "none") == 0)
		return 0;
	if (e == NULL || e->phase != ENF_UP)
		return wg_diag_set(d, WG_ERR_ENFORCER_DOWN, "flow \"%.32s\": "
		    "enforcement is %s, not up%s%.200s", flow,
		    phase_names[e != NULL ? e->phase : ENF_DOWN],
		    e != NULL && e->why[0] != '\0' ? ": " : "",
		    e != NULL ? e->why : "");
	if (flow == NULL || !enfmsg_segment_valid(flow) ||
	    !enf_flow_known(e, flow))
		return wg_diag_set(d, WG_ERR_NOT_FOUND, "flow \"%.32s\" is not "
		    "in %.200s (the enforcer announced %zu flow(s))",
		    flow != NULL ? flow : "", gw->conf.enforcer_conf,
		    e->nflows);
	return 0;
}

int
enf_segment_check(const struct gw *gw, const char *segment,
    struct wg_diag *d)
{
	const struct gw_enf *e = gw->enf;
	size_t i;

	if (strcmp(gw->conf.enforcer, "none") == 0)
		return 0;
	if (e == NULL || e->phase != ENF_UP)
		return wg_diag_set(d, WG_ERR_ENFORCER_DOWN, "segment "
		    "\"%.32s\": enforcement is %s, not up", segment,
		    phase_names[e != NULL ? e->phase : ENF_DOWN]);
	for (i = 0; i < e->nsegs; i++)
		if (strcmp(e->segs[i], segment) == 0)
			return 0;
	return wg_diag_set(d, WG_ERR_NOT_FOUND, "segment \"%.32s\" is not in "
	    "%.200s", segment, gw->conf.enforcer_conf);
}

void
enf_flow_put(struct gw *gw, const char *mac, const char *flow,
    uint32_t seconds)
{
	struct gw_enf *e = gw->enf;
	uint8_t m[ENFMSG_MAC_LEN];
	struct timespec now;

	/* Before ACK 0 the reconciliation will ask service.c anyway. */
	if (e == NULL || (e->phase != ENF_UP && e->phase != ENF_RECONCILING))
		return;
	if (mac == NULL || enfmsg_mac_parse(mac, m) != 0 ||
	    !enfmsg_mac_valid(m)) {
		gw_log("enforcer: flow: device MAC %.17s is not usable: not "
		    "sent", mac != NULL ? mac : "");
		return;
	}
	if (flow == NULL || !enfmsg_segment_valid(flow) ||
	    !enf_flow_known(e, flow)) {
		gw_log("enforcer: flow \"%.32s\" for %s was not announced by "
		    "the enforcer: not sent", flow != NULL ? flow : "", mac);
		return;
	}
	if (seconds > ENFMSG_OPEN_MAX) {
		gw_log("enforcer: flow %s for %s: %u seconds is more than %u: "
		    "not sent", flow, mac, seconds, ENFMSG_OPEN_MAX);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (enf_queue_req(e, seconds > 0 ? ENFMSG_OPEN : ENFMSG_CLOSE, m,
	    flow, seconds, &now) != 0) {
		enf_fail(e, "cannot queue a change");
		return;
	}
	enf_flush_out(e);
}
