/* enf_dryrun.c: the dryrun backend: logs what it would do, no more. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enf_bridge.h"
#include "enf_dryrun.h"
#include "enf_nft.h"

/* A segment's value as written: none, nft targets, or a VLAN. */
struct dry_seg {
	struct enf_target target[ENF_TARGETS_MAX];
	size_t ntargets;
	uint16_t vid;		/* 0: not a VLAN */
};

struct dry_conf {
	struct dry_seg seg[ENF_SEGMENTS_MAX];
	size_t nseg;
	struct dry_seg flow[ENF_FLOWS_MAX];	/* nft targets, at least one */
	size_t nflow;
	const struct enf_segs *segs;	/* borrowed, set by conf_check */
};

/* An open window, as the nft backend's set element would be. */
struct dry_win {
	uint8_t mac[ENFMSG_MAC_LEN];
	struct timespec end;		/* CLOCK_MONOTONIC */
};

struct dry {
	const struct dry_conf *c;	/* borrowed */
	unsigned long changes;
	/* Per flow, its open windows: at most max_devices, as the nft
	 * backend's set, so that a dry run refuses what nft would. */
	struct dry_win *win[ENF_FLOWS_MAX];
	size_t nwin[ENF_FLOWS_MAX], capwin[ENF_FLOWS_MAX];
};

/* Forgets the windows of flow whose time is up. */
static void
dry_expire(struct dry *x, size_t flow)
{
	struct timespec now;
	size_t i = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	while (i < x->nwin[flow]) {
		const struct timespec *e = &x->win[flow][i].end;

		if (e->tv_sec < now.tv_sec || (e->tv_sec == now.tv_sec &&
		    e->tv_nsec <= now.tv_nsec))
			x->win[flow][i] = x->win[flow][--x->nwin[flow]];
		else
			i++;
	}
}

/* Index of mac's window in flow, or -1. */
static long
dry_find(const struct dry *x, size_t flow, const uint8_t mac[ENFMSG_MAC_LEN])
{
	size_t i;

	for (i = 0; i < x->nwin[flow]; i++)
		if (memcmp(x->win[flow][i].mac, mac, ENFMSG_MAC_LEN) == 0)
			return (long)i;
	return -1;
}

static void
dry_close_all(struct dry *x)
{
	size_t i;

	for (i = 0; i < ENF_FLOWS_MAX; i++)
		x->nwin[i] = 0;
}

static void *
d_conf_new(void)
{
	return calloc(1, sizeof(struct dry_conf));
}

static void
d_conf_free(void *c)
{
	free(c);
}

static int
d_conf_set(void *c, const char *key, const char *val, struct wg_diag *d)
{
	(void)c;
	(void)key;
	(void)val;
	(void)d;
	return WG_ERR_NOT_FOUND;	/* no keys of its own */
}

static int
d_seg_set(void *cv, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	struct dry_conf *c = cv;
	struct dry_seg *s;

	if (i != c->nseg || i >= ENF_SEGMENTS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment: bad argument");
	s = &c->seg[i];
	memset(s, 0, sizeof(*s));
	if (strncmp(val, "vlan", 4) == 0 && (val[4] == ' ' || val[4] == '\t')) {
		if (enf_bridge_vlan_parse(val, &s->vid) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s: expected \"vlan N\" with N 1..4094",
			    name);
	} else if (enf_nft_targets_parse(name, val, s->target, &s->ntargets,
	    d) != 0)
		return WG_ERR_CONFIG;
	c->nseg++;
	return 0;
}

/* A flow's value as for the nft backend (a VLAN cannot be a flow). */
static int
d_flow_set(void *cv, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	struct dry_conf *c = cv;
	struct dry_seg *s;

	if (i != c->nflow || i >= ENF_FLOWS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "flow: bad argument");
	s = &c->flow[i];
	memset(s, 0, sizeof(*s));
	if (enf_nft_targets_parse(name, val, s->target, &s->ntargets, d) != 0)
		return WG_ERR_CONFIG;
	if (s->ntargets == 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow %s: a flow must reach something", name);
	c->nflow++;
	return 0;
}

static int
d_conf_check(void *cv, const struct enf_segs *s, struct wg_diag *d)
{
	struct dry_conf *c = cv;

	if (s->n != c->nseg || s->n == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "no segment defined");
	if (s->nflows != c->nflow)
		return wg_diag_set(d, WG_ERR_CONFIG, "flows: internal error");
	c->segs = s;
	return 0;
}

static void
d_conf_print(const void *c, FILE *f)
{
	(void)c;
	(void)f;
}

static void
d_seg_print(const void *cv, size_t i, FILE *f)
{
	const struct dry_conf *c = cv;

	if (i >= c->nseg)
		return;
	if (c->seg[i].vid != 0)
		fprintf(f, "vlan %u", c->seg[i].vid);
	else
		enf_nft_targets_print(c->seg[i].target, c->seg[i].ntargets,
		    f);
}

static void
d_flow_print(const void *cv, size_t i, FILE *f)
{
	const struct dry_conf *c = cv;

	if (i < c->nflow)
		enf_nft_targets_print(c->flow[i].target, c->flow[i].ntargets,
		    f);
}

static int
d_open(const void *cv, void **h, struct wg_diag *d)
{
	const struct dry_conf *c = cv;
	struct dry *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "dryrun handle");
	x->c = c;
	enf_log("dry-run: nothing in the network changes; every device in "
	    "%s", c->segs->name[c->segs->def]);
	*h = x;
	return 0;
}

static int
d_put(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
    struct wg_diag *d)
{
	struct dry *x = h;
	char m[ENFMSG_MAC_TEXT];

	if (seg >= x->c->nseg)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "put: bad segment");
	x->changes++;
	enf_log("dry-run: PUT %s %s", enfmsg_mac_format(mac, m),
	    x->c->segs->name[seg]);
	return 0;
}

static int
d_flush(void *h, struct wg_diag *d)
{
	struct dry *x = h;

	(void)d;
	x->changes++;
	dry_close_all(x);
	enf_log("dry-run: FLUSH: every device in %s%s",
	    x->c->segs->name[x->c->segs->def], x->c->nflow > 0 ?
	    ", every flow closed" : "");
	return 0;
}

static int
d_demote(void *h, struct wg_diag *d)
{
	struct dry *x = h;
	const struct enf_segs *s = x->c->segs;
	char list[ENF_SEGMENTS_MAX * (ENFMSG_SEGMENT_MAX + 1) + 1] = "";
	size_t i, off = 0;

	(void)d;
	dry_close_all(x);
	for (i = 0; i < s->n; i++)
		if (i != s->def && !s->blocked[i])
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%s", off > 0 ? "," : "", s->name[i]);
	enf_log("dry-run: demote: devices in %s back in %s%s",
	    off > 0 ? list : "(no segment)", s->name[s->def],
	    s->nflows > 0 ? ", every flow closed" : "");
	return 0;
}

static int
d_flow_open(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    uint32_t seconds, struct wg_diag *d)
{
	struct dry *x = h;
	char m[ENFMSG_MAC_TEXT];

	struct dry_win *w;
	long at;

	if (flow >= x->c->nflow || seconds == 0 || seconds > ENFMSG_OPEN_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "open: bad argument");
	dry_expire(x, flow);
	if ((at = dry_find(x, flow, mac)) < 0) {
		if (x->nwin[flow] >= x->c->segs->max_devices)
			return wg_diag_set(d, WG_ERR_TOO_LARGE, "open: flow %s "
			    "holds %zu windows (max_devices): the nft backend's "
			    "set would be full", x->c->segs->flow[flow],
			    x->nwin[flow]);
		if (x->nwin[flow] == x->capwin[flow]) {
			size_t ncap = x->capwin[flow] ? x->capwin[flow] * 2 : 16;

			if (ncap > x->c->segs->max_devices)
				ncap = x->c->segs->max_devices;
			if ((w = realloc(x->win[flow], ncap * sizeof(*w))) ==
			    NULL)
				return wg_diag_set(d, WG_ERR_ALLOC, "open: out "
				    "of memory");
			x->win[flow] = w;
			x->capwin[flow] = ncap;
		}
		at = (long)x->nwin[flow]++;
		memcpy(x->win[flow][at].mac, mac, ENFMSG_MAC_LEN);
	}
	clock_gettime(CLOCK_MONOTONIC, &x->win[flow][at].end);
	x->win[flow][at].end.tv_sec += (time_t)seconds;
	x->changes++;
	enf_log("dry-run: OPEN %s %s for %u s", enfmsg_mac_format(mac, m),
	    x->c->segs->flow[flow], seconds);
	return 0;
}

static int
d_flow_close(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    struct wg_diag *d)
{
	struct dry *x = h;
	char m[ENFMSG_MAC_TEXT];

	long at;

	if (flow >= x->c->nflow)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "close: bad flow");
	if ((at = dry_find(x, flow, mac)) >= 0)
		x->win[flow][at] = x->win[flow][--x->nwin[flow]];
	x->changes++;
	enf_log("dry-run: CLOSE %s %s", enfmsg_mac_format(mac, m),
	    x->c->segs->flow[flow]);
	return 0;
}

static void
d_free(void *h)
{
	struct dry *x = h;
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < ENF_FLOWS_MAX; i++)
		free(x->win[i]);
	free(x);
}

const struct enf_backend enf_dryrun_backend = {
	.name = "dryrun",
	.net_admin = 0,
	.conf_new = d_conf_new,
	.conf_free = d_conf_free,
	.conf_set = d_conf_set,
	.seg_set = d_seg_set,
	.flow_set = d_flow_set,
	.conf_check = d_conf_check,
	.conf_print = d_conf_print,
	.seg_print = d_seg_print,
	.flow_print = d_flow_print,
	.rules = NULL,
	.open = d_open,
	.put = d_put,
	.flush = d_flush,
	.demote = d_demote,
	.flow_open = d_flow_open,
	.flow_close = d_flow_close,
	.free = d_free,
};
