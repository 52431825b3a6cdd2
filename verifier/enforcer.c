/*
 * enforcer.c: wardgate-enforcer(8), the only wardgate process with
 * CAP_NET_ADMIN. It reads fixed-size requests (lib/enfmsg.h) from one
 * SOCK_SEQPACKET socket, re-checks each against its own enforcer.conf,
 * applies it through its backend (enf_backend.h: nft, bridge, exec,
 * dryrun) and answers once it is in force. It parses no JSON and no TLS.
 * Anything malformed, out of sequence or naming a segment it does not
 * know is a protocol violation: it demotes every device to the default
 * segment (blocked ones stay blocked), closes every field-service flow and
 * exits. An OPEN or CLOSE of a flow it does not know is only refused (NAK
 * UNKNOWN).
 *
 *   wardgate-enforcer [-np] [-f CONFIG] [-S FD]
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "enf_backend.h"
#include "enf_bridge.h"
#include "enf_devtab.h"
#include "enf_dryrun.h"
#include "enf_exec.h"
#include "enf_nft.h"
#include "enf_priv.h"
#include "enfmsg.h"
#include "file.h"
#include "wg_err.h"

#ifndef WG_ENFORCER_CONF
#define WG_ENFORCER_CONF "/etc/wardgate/enforcer.conf"
#endif
#define DEFAULT_FD 3
#define CONF_FILE_MAX (64u * 1024)

/* Exit status, see wardgate-enforcer(8). */
enum {
	EX_DONE = 0,		/* peer closed, signal, -n/-p done */
	EX_BACKEND = 1,		/* could not start, or demotion failed */
	EX_CONFIG = 2,		/* usage or configuration error */
	EX_VIOLATION = 3,	/* protocol violation: demoted, then exit */
};

static const struct enf_backend *const backends[] = {
	&enf_nft_backend,	/* the default */
	&enf_bridge_backend,
	&enf_exec_backend,
	&enf_dryrun_backend,
};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

struct enf_conf {
	const struct enf_backend *b;
	void *bconf;		/* the backend's */
	uint32_t max_devices;
	struct enf_segs segs;
	char def_name[ENFMSG_SEGMENT_MAX + 1];
	int seen_max, seen_default;
};

struct enforcer {
	struct enf_conf conf;
	void *h;		/* the backend's handle */
	int fd;
	uint32_t last_seq;
	struct enf_devtab *dev;	/* what was put, for LIST */
	sigset_t waitmask;	/* while waiting for a request: signals on */
};

static volatile sig_atomic_t got_signal;

void
enf_log(const char *fmt, ...)
{
	va_list ap;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s wardgate-enforcer: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- enforcer.conf ---- */

int
enf_ifname_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= ENF_IFNAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

int
enf_ifnames_parse(const char *key, const char *val,
    char (*names)[ENF_IFNAME_MAX], size_t max, size_t *np, struct wg_diag *d)
{
	const char *p = val;
	size_t n, i, count = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if (!enf_ifname_valid(p, n))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "%s: \"%.*s\" is not an interface name", key,
			    (int)(n > 32 ? 32 : n), p);
		if (count == max)
			return wg_diag_set(d, WG_ERR_CONFIG, "%s: more than %zu",
			    key, max);
		memcpy(names[count], p, n);
		names[count][n] = '\0';
		for (i = 0; i < count; i++)
			if (strcmp(names[i], names[count]) == 0)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "%s: %s given twice", key, names[i]);
		count++;
		p += n;
	}
	if (count == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: empty", key);
	*np = count;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "segment NAME": the core keeps the name, the backend the value. */
static int
conf_segment(struct enf_conf *c, const char *name, const char *val,
    struct wg_diag *d)
{
	size_t i, n = c->segs.n;
	int r;

	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "segment \"%.40s\": name not [a-z0-9_-]{1,32}", name);
	for (i = 0; i < n; i++)
		if (strcmp(c->segs.name[i], name) == 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s given twice", name);
	if (n == ENF_SEGMENTS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "more than %d segments",
		    ENF_SEGMENTS_MAX);
	if ((r = c->b->seg_set(c->bconf, n, name, val, d)) != 0)
		return r;
	strcpy(c->segs.name[n], name);
	c->segs.blocked[n] = strcmp(val, "none") == 0;
	c->segs.n++;
	return 0;
}

/*
 * "flow NAME": a field-service flow (opened per MAC by OPEN). The core
 * keeps the name, the backend the value; a backend without flows refuses.
 */
static int
conf_flow(struct enf_conf *c, const char *name, const char *val,
    struct wg_diag *d)
{
	size_t i, n = c->segs.nflows;
	int r;

	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow \"%.40s\": name not [a-z0-9_-]{1,32}", name);
	if (c->b->flow_set == NULL || c->b->flow_print == NULL ||
	    c->b->flow_open == NULL || c->b->flow_close == NULL)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow %s: the %s backend cannot open field-service flows "
		    "(nft, exec and dryrun can)", name, c->b->name);
	for (i = 0; i < n; i++)
		if (strcmp(c->segs.flow[i], name) == 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "flow %s given twice", name);
	if (n == ENF_FLOWS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "more than %d flows",
		    ENF_FLOWS_MAX);
	if (strcmp(val, "none") == 0 || val[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow %s: a flow must reach something (\"none\" is for "
		    "segments)", name);
	if ((r = c->b->flow_set(c->bconf, n, name, val, d)) != 0)
		return r;
	strcpy(c->segs.flow[n], name);
	c->segs.nflows++;
	return 0;
}

static int
conf_key(struct enf_conf *c, char *key, const char *val, struct wg_diag *d)
{
	char *end;
	unsigned long v;
	int r;

	if (strcmp(key, "backend") == 0)
		return 0;	/* taken in the first pass */
	if (strcmp(key, "max_devices") == 0) {
		if (c->seen_max++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "max_devices given twice");
		errno = 0;
		v = strtoul(val, &end, 10);
		if (val[0] < '1' || val[0] > '9' || *end != '\0' ||
		    errno != 0 || v > ENF_DEVTAB_MAX)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "max_devices: a whole number from 1 to %u",
			    ENF_DEVTAB_MAX);
		c->max_devices = (uint32_t)v;
		return 0;
	}
	if (strcmp(key, "default") == 0) {
		if (c->seen_default++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "default given twice");
		if (!enfmsg_segment_valid(val))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "default: not a segment name");
		strcpy(c->def_name, val);
		return 0;
	}
	if (strncmp(key, "segment", 7) == 0 &&
	    (key[7] == ' ' || key[7] == '\t'))
		return conf_segment(c, trim(key + 7), val, d);
	if (strncmp(key, "flow", 4) == 0 && (key[4] == ' ' || key[4] == '\t'))
		return conf_flow(c, trim(key + 4), val, d);
	if ((r = c->b->conf_set(c->bconf, key, val, d)) == WG_ERR_NOT_FOUND)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "unknown key \"%.64s\" (backend %s)", key, c->b->name);
	return r;
}

/* Splits line into key and value; 0: blank or comment, 1: a pair. */
static int
split(char *line, char **key, char **val)
{
	char *eq;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL)
		return -1;
	*eq = '\0';
	*key = trim(line);
	*val = trim(eq + 1);
	return 1;
}

/* The backend's name from buf (first pass), nft when none is given. */
static int
conf_backend(const char *path, const char *buf, size_t len,
    const struct enf_backend **out, struct wg_diag *d)
{
	char *copy, *line, *next, *key, *val;
	const struct enf_backend *b = NULL;
	unsigned lineno = 0;
	size_t i;
	int r = 0;

	if ((copy = malloc(len + 1)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "%s: out of memory", path);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (split(line, &key, &val) != 1 || strcmp(key, "backend") != 0)
			continue;	/* bad lines: the second pass says */
		if (b != NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: backend given twice", path, lineno);
			goto out;
		}
		for (i = 0; i < NBACKENDS; i++)
			if (strcmp(val, backends[i]->name) == 0)
				b = backends[i];
		if (b == NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: backend: "
			    "\"%.32s\" is not one of nft, bridge, exec, dryrun",
			    path, lineno, val);
			goto out;
		}
	}
	*out = b != NULL ? b : backends[0];
out:
	free(copy);
	return r;
}

/*
 * Reads path (checked first in secure-execution mode) over the defaults
 * and checks it; "path:line: reason" in d. c->bconf is set (free it with
 * conf_free) whatever the result.
 */
static int
conf_load(const char *path, struct enf_conf *c, struct wg_diag *d)
{
	uint8_t *buf = NULL;
	char *line, *next, *key, *val, real[PATH_MAX];
	struct wg_diag ld;
	unsigned lineno = 0;
	size_t len, i, j;
	int r;

	memset(c, 0, sizeof(*c));
	c->max_devices = 65536;
	strcpy(c->def_name, "quarantine");
	if (enf_priv_secure()) {
		/* Started with more privilege than the caller: only a file
		 * that root alone can have written. */
		if ((r = enf_priv_path_check(path, real, &ld)) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "refused in secure-execution mode: %s", ld.detail);
		path = real;
	}
	if ((r = file_read(path, CONF_FILE_MAX, &buf, &len, &ld)) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s", ld.detail);
	if (memchr(buf, '\0', len) != NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: NUL byte", path);
		goto out;
	}
	if ((r = conf_backend(path, (char *)buf, len, &c->b, d)) != 0)
		goto out;
	if ((c->bconf = c->b->conf_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "out of memory");
		goto out;
	}
	for (line = (char *)buf; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((r = split(line, &key, &val)) == 0)
			continue;
		if (r < 0) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: expected \"key = value\"", path, lineno);
			goto out;
		}
		if ((r = conf_key(c, key, val, &ld)) != 0) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: %s", path,
			    lineno, ld.detail);
			goto out;
		}
	}
	if (c->segs.n == 0) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: no segment defined",
		    path);
		goto out;
	}
	for (i = 0; i < c->segs.n; i++)
		if (strcmp(c->segs.name[i], c->def_name) == 0)
			break;
	if (i == c->segs.n) {
		r = wg_diag_set(d, WG_ERR_CONFIG,
		    "%s: default: segment %s is not defined", path,
		    c->def_name);
		goto out;
	}
	c->segs.def = i;
	/* One name, one thing: in wardgated's status and log, and to an
	 * exec program, a flow is never mistaken for a segment. */
	for (i = 0; i < c->segs.nflows; i++)
		for (j = 0; j < c->segs.n; j++)
			if (strcmp(c->segs.flow[i], c->segs.name[j]) == 0) {
				r = wg_diag_set(d, WG_ERR_CONFIG, "%s: flow %s: "
				    "a segment has that name", path,
				    c->segs.flow[i]);
				goto out;
			}
	c->segs.max_devices = c->max_devices;
	if ((r = c->b->conf_check(c->bconf, &c->segs, &ld)) != 0)
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: %s", path, ld.detail);
out:
	free(buf);
	return r;
}

static void
conf_free(struct enf_conf *c)
{
	if (c->b != NULL)
		c->b->conf_free(c->bconf);
	c->bconf = NULL;
}

static void
conf_print(const struct enf_conf *c, FILE *f)
{
	size_t i;

	fprintf(f, "backend = %s\nmax_devices = %u\n", c->b->name,
	    c->max_devices);
	c->b->conf_print(c->bconf, f);
	fprintf(f, "default = %s\n", c->segs.name[c->segs.def]);
	for (i = 0; i < c->segs.n; i++) {
		fprintf(f, "segment %s = ", c->segs.name[i]);
		c->b->seg_print(c->bconf, i, f);
		fputc('\n', f);
	}
	for (i = 0; i < c->segs.nflows; i++) {
		fprintf(f, "flow %s = ", c->segs.flow[i]);
		c->b->flow_print(c->bconf, i, f);
		fputc('\n', f);
	}
}

/* ---- requests ---- */

static int
reply(struct enforcer *e, const struct enfmsg *m)
{
	uint8_t buf[ENFMSG_LEN];
	struct wg_diag d;
	ssize_t n;

	if (enfmsg_encode(m, buf, &d) != 0) {
		enf_log("internal: cannot encode a reply: %s", d.detail);
		return -1;
	}
	do
		n = send(e->fd, buf, sizeof(buf), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(buf)) {
		enf_log("cannot send %s: %s", enfmsg_type_name(m->type),
		    n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static int
segment_find(const struct enf_segs *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return (int)i;
	return -1;
}

static int
flow_find(const struct enf_segs *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nflows; i++)
		if (strcmp(s->flow[i], name) == 0)
			return (int)i;
	return -1;
}

/*
 * OPEN or CLOSE of a field-service flow: answered NAK UNKNOWN for a flow
 * enforcer.conf lacks (not a violation: wardgated may know a flow this
 * enforcer was not configured with), NAK FULL for an OPEN of a flow that
 * holds max_devices windows (nft: its set's size), NAK BACKEND when the
 * backend fails otherwise. No device-table entry is needed or made: a
 * window does not count against the devices' max_devices.
 */
static void
handle_flow(struct enforcer *e, const struct enfmsg *req, struct enfmsg *rep)
{
	const struct enf_backend *b = e->conf.b;
	const char *tn = enfmsg_type_name(req->type);
	struct wg_diag d;
	char mac[ENFMSG_MAC_TEXT];
	int flow, r;

	enfmsg_mac_format(req->mac, mac);
	rep->seconds = 0;	/* the ACK echoes MAC and flow only */
	if ((flow = flow_find(&e->conf.segs, req->segment)) < 0) {
		enf_log("%s %s %s (seq %u): refused: no flow %s in "
		    "enforcer.conf", tn, mac, req->segment, req->seq,
		    req->segment);
		rep->type = ENFMSG_NAK;
		rep->reason = ENFMSG_R_UNKNOWN;
		return;
	}
	if (req->type == ENFMSG_OPEN)
		r = b->flow_open(e->h, req->mac, (size_t)flow, req->seconds,
		    &d);
	else
		r = b->flow_close(e->h, req->mac, (size_t)flow, &d);
	if (r != 0) {
		enf_log("%s %s %s (seq %u): refused: %s", tn, mac,
		    req->segment, req->seq, d.detail);
		rep->type = ENFMSG_NAK;
		rep->reason = r == WG_ERR_TOO_LARGE && req->type == ENFMSG_OPEN ?
		    ENFMSG_R_FULL : ENFMSG_R_BACKEND;
		return;
	}
	if (req->type == ENFMSG_OPEN)
		enf_log("OPEN %s %s for %u s (seq %u)", mac, req->segment,
		    req->seconds, req->seq);
	else
		enf_log("CLOSE %s %s (seq %u)", mac, req->segment, req->seq);
}

/*
 * Handles one decoded request. 0: answered; -1: protocol violation or the
 * socket failed (the caller demotes and exits); why says which.
 */
static int
handle(struct enforcer *e, const struct enfmsg *req, char *why, size_t wlen)
{
	const struct enf_backend *b = e->conf.b;
	const struct enf_segs *segs = &e->conf.segs;
	struct enfmsg rep = *req;
	struct enf_dev *dev;
	struct wg_diag d;
	char mac[ENFMSG_MAC_TEXT];
	int seg;
	size_t i, n;

	if (req->type != ENFMSG_PUT && req->type != ENFMSG_FLUSH &&
	    req->type != ENFMSG_LIST && req->type != ENFMSG_OPEN &&
	    req->type != ENFMSG_CLOSE) {
		snprintf(why, wlen, "%s is not a request",
		    enfmsg_type_name(req->type));
		return -1;
	}
	if (req->seq <= e->last_seq) {
		snprintf(why, wlen, "sequence %u after %u", req->seq,
		    e->last_seq);
		return -1;
	}
	e->last_seq = req->seq;
	rep.type = ENFMSG_ACK;

	switch (req->type) {
	case ENFMSG_PUT:
		enfmsg_mac_format(req->mac, mac);
		if ((seg = segment_find(segs, req->segment)) < 0) {
			snprintf(why, wlen, "PUT %s: segment %s is not in "
			    "enforcer.conf", mac, req->segment);
			return -1;
		}
		dev = enf_devtab_find(e->dev, req->mac);
		if (dev == NULL &&
		    enf_devtab_count(e->dev) == e->conf.max_devices) {
			enf_log("PUT %s %s (seq %u): refused, %u devices",
			    mac, req->segment, req->seq, e->conf.max_devices);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_FULL;
			break;
		}
		if (b->put(e->h, req->mac, (size_t)seg, &d) != 0) {
			enf_log("PUT %s %s (seq %u): refused: %s", mac,
			    req->segment, req->seq, d.detail);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_BACKEND;
			break;
		}
		if (dev != NULL)
			dev->seg = (uint8_t)seg;
		else
			(void)enf_devtab_add(e->dev, req->mac, (uint8_t)seg);
		enf_log("PUT %s %s (seq %u)", mac, req->segment, req->seq);
		break;
	case ENFMSG_FLUSH:
		if (b->flush(e->h, &d) != 0) {
			enf_log("FLUSH (seq %u): refused: %s", req->seq,
			    d.detail);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_BACKEND;
			break;
		}
		enf_devtab_clear(e->dev);
		enf_log("FLUSH (seq %u): every device in %s, every flow "
		    "closed", req->seq, segs->name[segs->def]);
		break;
	case ENFMSG_OPEN:
	case ENFMSG_CLOSE:
		handle_flow(e, req, &rep);
		break;
	case ENFMSG_LIST:
		n = enf_devtab_count(e->dev);
		for (i = 0; i < n; i++) {
			const struct enf_dev *x = enf_devtab_at(e->dev, i);
			struct enfmsg ent;

			memset(&ent, 0, sizeof(ent));
			ent.type = ENFMSG_ENTRY;
			ent.seq = req->seq;
			memcpy(ent.mac, x->mac, ENFMSG_MAC_LEN);
			strcpy(ent.segment, segs->name[x->seg]);
			if (reply(e, &ent) != 0) {
				snprintf(why, wlen, "socket failed");
				return -1;
			}
		}
		break;
	}
	if (reply(e, &rep) != 0) {
		snprintf(why, wlen, "socket failed");
		return -1;
	}
	return 0;
}

/* At start: one SEGMENT per segment, one FLOW per flow, then ACK
 * sequence 0 (in force). */
static int
announce(struct enforcer *e)
{
	const struct enf_segs *s = &e->conf.segs;
	struct enfmsg m;
	size_t i;

	for (i = 0; i < s->n; i++) {
		memset(&m, 0, sizeof(m));
		m.type = ENFMSG_SEGMENT;
		if (i == s->def)
			m.reason = ENFMSG_SEG_DEFAULT;
		strcpy(m.segment, s->name[i]);
		if (reply(e, &m) != 0)
			return -1;
	}
	for (i = 0; i < s->nflows; i++) {
		memset(&m, 0, sizeof(m));
		m.type = ENFMSG_FLOW;
		strcpy(m.segment, s->flow[i]);
		if (reply(e, &m) != 0)
			return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = ENFMSG_ACK;
	return reply(e, &m);
}

/* Reads requests until the peer closes (0), a signal (0), or a violation
 * (-1, reason logged). */
static int
loop(struct enforcer *e)
{
	uint8_t buf[ENFMSG_LEN + 1];	/* one more: longer ones show */
	struct enfmsg req;
	struct wg_diag d;
	char why[WG_DIAG_DETAIL_MAX + 64];
	struct pollfd pfd;
	ssize_t n;

	for (;;) {
		/* The signals are blocked but here: one that comes while a
		 * request is applied waits for it, none is missed. */
		if (got_signal) {
			enf_log("signal %d: exiting, rules left as they are",
			    (int)got_signal);
			return 0;
		}
		pfd.fd = e->fd;
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, NULL, &e->waitmask) < 0) {
			if (errno == EINTR)
				continue;
			enf_log("protocol violation: poll: %s",
			    strerror(errno));
			return -1;
		}
		n = recv(e->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/*
		 * A peer that ends with our answers unread (killed, or
		 * crashed) resets the connection: it is gone as surely as
		 * one that closed cleanly, and nothing it sent was wrong.
		 */
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			enf_log("peer %s the socket: exiting, rules left as "
			    "they are", n == 0 ? "closed" : "reset");
			return 0;
		}
		if (n < 0) {
			enf_log("protocol violation: recv: %s",
			    strerror(errno));
			return -1;
		}
		if (enfmsg_decode(buf, (size_t)n, &req, &d) != 0) {
			enf_log("protocol violation: malformed message: %s",
			    d.detail);
			return -1;
		}
		if (handle(e, &req, why, sizeof(why)) != 0) {
			enf_log("protocol violation: %s", why);
			return -1;
		}
	}
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
usage(void)
{
	fprintf(stderr, "usage: wardgate-enforcer [-np] [-f config] "
	    "[-S fd]\n");
}

/* -n and -p: no socket, no privilege used. */
static int
check_mode(const struct enf_conf *c, int check_only, int print_rules)
{
	char *rules = NULL;

	if (check_only)
		conf_print(c, stdout);
	if (print_rules) {
		if (c->b->rules == NULL) {
			fprintf(stderr, "wardgate-enforcer: -p: the %s backend "
			    "has no rules to print\n", c->b->name);
			return EX_CONFIG;
		}
		if (c->b->rules(c->bconf, &rules) != 0)
			return EX_BACKEND;
		fputs(rules, stdout);
		free(rules);
	}
	return fflush(stdout) == 0 ? EX_DONE : EX_BACKEND;
}

int
main(int argc, char **argv)
{
	struct enforcer e;
	struct sigaction sa;
	sigset_t stop;
	struct wg_diag d;
	const char *conf_path = WG_ENFORCER_CONF;
	char *end, caps[256];
	socklen_t olen;
	long fd = DEFAULT_FD;
	int c, check_only = 0, print_rules = 0, type = 0, ret = EX_CONFIG;
	int kept = 0, r;

	/* Secure execution: the caller's environment is not to be trusted
	 * (nothing here reads it; the exec backend passes its own). */
	if (enf_priv_secure())
		clearenv();
	memset(&e, 0, sizeof(e));
	while ((c = getopt(argc, argv, "f:npS:")) != -1) {
		switch (c) {
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'p':
			print_rules = 1;
			break;
		case 'S':
			errno = 0;
			fd = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || fd < 0 ||
			    fd > 65535) {
				usage();
				return EX_CONFIG;
			}
			break;
		default:
			usage();
			return EX_CONFIG;
		}
	}
	if (optind != argc) {
		usage();
		return EX_CONFIG;
	}
	wg_diag_clear(&d);
	if (conf_load(conf_path, &e.conf, &d) != 0) {
		fprintf(stderr, "wardgate-enforcer: %s\n", d.detail);
		conf_free(&e.conf);
		return EX_CONFIG;
	}
	if (check_only || print_rules) {
		ret = check_mode(&e.conf, check_only, print_rules);
		conf_free(&e.conf);
		return ret;
	}

	e.fd = (int)fd;
	olen = sizeof(type);
	if (getsockopt(e.fd, SOL_SOCKET, SO_TYPE, &type, &olen) != 0 ||
	    type != SOCK_SEQPACKET) {
		fprintf(stderr, "wardgate-enforcer: fd %d is not a "
		    "SOCK_SEQPACKET socket\n", e.fd);
		conf_free(&e.conf);
		return EX_CONFIG;
	}
	/* Before anything is opened or run: CAP_NET_ADMIN only, or nothing
	 * for backends that need no privilege; no_new_privs. */
	if (enf_priv_drop(e.conf.b->net_admin, &kept, &d) != 0) {
		enf_log("cannot drop privileges: %s", d.detail);
		ret = EX_BACKEND;
		goto out;
	}
	enf_priv_describe(caps, sizeof(caps));
	enf_log("backend %s, capabilities \"%s\"%s", e.conf.b->name, caps,
	    e.conf.b->net_admin && !kept ? " (no CAP_NET_ADMIN: the backend "
	    "will likely fail)" : "");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &stop, &e.waitmask) != 0 ||
	    sigdelset(&e.waitmask, SIGTERM) != 0 ||
	    sigdelset(&e.waitmask, SIGINT) != 0 ||
	    sigdelset(&e.waitmask, SIGHUP) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0) {
		enf_log("cannot set up signals");
		ret = EX_BACKEND;
		goto out;
	}
	if ((r = enf_devtab_new(e.conf.max_devices, &e.dev)) != 0) {
		enf_log("device table for %u devices: %s", e.conf.max_devices,
		    wg_strerror(r));
		ret = EX_BACKEND;
		goto out;
	}
	if (e.conf.b->open(e.conf.bconf, &e.h, &d) != 0) {
		enf_log("backend %s: cannot start: %s", e.conf.b->name,
		    d.detail);
		ret = EX_BACKEND;
		goto out;
	}
	enf_log("in force: every device in %s until put%s",
	    e.conf.segs.name[e.conf.segs.def], e.conf.segs.nflows > 0 ?
	    ", every flow closed" : "");
	if (announce(&e) != 0 || loop(&e) != 0) {
		if (e.conf.b->demote(e.h, &d) != 0) {
			enf_log("demotion FAILED: %s", d.detail);
			ret = EX_BACKEND;
			goto out;
		}
		enf_log("demoted: every device that reached more than %s is "
		    "back in %s%s", e.conf.segs.name[e.conf.segs.def],
		    e.conf.segs.name[e.conf.segs.def],
		    e.conf.segs.nflows > 0 ? ", every flow closed" : "");
		ret = EX_VIOLATION;
		goto out;
	}
	ret = EX_DONE;
out:
	if (e.h != NULL)
		e.conf.b->free(e.h);
	enf_devtab_free(e.dev);
	conf_free(&e.conf);
	return ret;
}
