/*
 * enforcer.c: wardgate-enforcer(8), the only wardgate process with
 * CAP_NET_ADMIN. It reads fixed-size requests (lib/enfmsg.h) from one
 * SOCK_SEQPACKET socket, re-checks each against its own enforcer.conf,
 * applies it through the backend and answers once it is in force. It
 * parses no JSON and no TLS. Anything malformed, out of sequence or naming
 * a segment it does not know is a protocol violation: it demotes every
 * device to the default segment (blocked ones stay blocked) and exits.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "enf_nft.h"
#include "enfmsg.h"
#include "file.h"
#include "wg_err.h"

#define DEFAULT_CONF "/etc/wardgate/enforcer.conf"
#define DEFAULT_FD 3
#define CONF_FILE_MAX (64u * 1024)

/* Exit status, see wardgate-enforcer(8). */
enum {
	EX_DONE = 0,		/* peer closed, signal, -n/-p done */
	EX_BACKEND = 1,		/* ruleset not installed, or demotion failed */
	EX_CONFIG = 2,		/* usage or configuration error */
	EX_VIOLATION = 3,	/* protocol violation: demoted, then exit */
};

struct enf_conf {
	char backend[8];
	uint32_t max_devices;
	int seen_backend, seen_max;
	struct enf_nft_conf nft;
};

struct device {
	uint8_t mac[ENFMSG_MAC_LEN];
	uint8_t seg;
};

struct enforcer {
	struct enf_conf conf;
	struct enf_nft *nft;
	int fd;
	uint32_t last_seq;
	struct device *dev;	/* what was put, for LIST */
	size_t ndev;
};

static volatile sig_atomic_t got_signal;

static void __attribute__((format(printf, 1, 2)))
logmsg(const char *fmt, ...)
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

static int
conf_key(struct enf_conf *c, const char *key, const char *val,
    struct wg_diag *d)
{
	char *end;
	unsigned long v;
	int r;

	if (strcmp(key, "backend") == 0) {
		if (c->seen_backend++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "backend given twice");
		if (strcmp(val, "nft") != 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "backend: only \"nft\" is built in");
		return 0;
	}
	if (strcmp(key, "max_devices") == 0) {
		if (c->seen_max++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "max_devices given twice");
		errno = 0;
		v = strtoul(val, &end, 10);
		if (val[0] < '1' || val[0] > '9' || *end != '\0' ||
		    errno != 0 || v > 1000000)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "max_devices: a whole number from 1 to 1000000");
		c->max_devices = (uint32_t)v;
		return 0;
	}
	if ((r = enf_nft_conf_set(&c->nft, key, val, d)) == WG_ERR_NOT_FOUND)
		return wg_diag_set(d, WG_ERR_CONFIG, "unknown key \"%.64s\"",
		    key);
	return r;
}

/* Reads path over the defaults and checks it; "path:line: reason" in d. */
static int
conf_load(const char *path, struct enf_conf *c, struct wg_diag *d)
{
	uint8_t *buf = NULL;
	char *line, *next, *eq, *key, *val;
	struct wg_diag ld;
	unsigned lineno = 0;
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	strcpy(c->backend, "nft");
	c->max_devices = 65536;
	enf_nft_conf_defaults(&c->nft);
	if ((r = file_read(path, CONF_FILE_MAX, &buf, &len, d)) != 0)
		return WG_ERR_CONFIG;
	if (memchr(buf, '\0', len) != NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: NUL byte", path);
		goto out;
	}
	for (line = (char *)buf; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: expected \"key = value\"", path, lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if ((r = conf_key(c, key, val, &ld)) != 0) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: %s", path,
			    lineno, ld.detail);
			goto out;
		}
	}
	if ((r = enf_nft_conf_check(&c->nft, &ld)) != 0)
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: %s", path, ld.detail);
out:
	free(buf);
	return r;
}

static void
conf_print(const struct enf_conf *c, FILE *f)
{
	fprintf(f, "backend = %s\nmax_devices = %u\n", c->backend,
	    c->max_devices);
	enf_nft_conf_print(&c->nft, f);
}

/* ---- requests ---- */

static int
reply(struct enforcer *e, const struct enfmsg *m)
{
	uint8_t buf[ENFMSG_LEN];
	struct wg_diag d;
	ssize_t n;

	if (enfmsg_encode(m, buf, &d) != 0) {
		logmsg("internal: cannot encode a reply: %s", d.detail);
		return -1;
	}
	do
		n = send(e->fd, buf, sizeof(buf), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(buf)) {
		logmsg("cannot send %s: %s", enfmsg_type_name(m->type),
		    n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static struct device *
device_find(struct enforcer *e, const uint8_t mac[ENFMSG_MAC_LEN])
{
	size_t i;

	for (i = 0; i < e->ndev; i++)
		if (memcmp(e->dev[i].mac, mac, ENFMSG_MAC_LEN) == 0)
			return &e->dev[i];
	return NULL;
}

/*
 * Handles one decoded request. 0: answered; -1: protocol violation or the
 * socket failed (the caller demotes and exits); why says which.
 */
static int
handle(struct enforcer *e, const struct enfmsg *req, char *why, size_t wlen)
{
	struct enfmsg rep = *req;
	struct device *dev;
	struct wg_diag d;
	char mac[ENFMSG_MAC_TEXT];
	int seg;
	size_t i;

	if (req->type != ENFMSG_PUT && req->type != ENFMSG_FLUSH &&
	    req->type != ENFMSG_LIST) {
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
		if ((seg = enf_nft_segment_find(&e->conf.nft,
		    req->segment)) < 0) {
			snprintf(why, wlen, "PUT %s: segment %s is not in "
			    "enforcer.conf", mac, req->segment);
			return -1;
		}
		dev = device_find(e, req->mac);
		if (dev == NULL && e->ndev == e->conf.max_devices) {
			logmsg("PUT %s %s (seq %u): refused, %u devices",
			    mac, req->segment, req->seq, e->conf.max_devices);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_FULL;
			break;
		}
		if (enf_nft_put(e->nft, req->mac, (size_t)seg, &d) != 0) {
			logmsg("PUT %s %s (seq %u): refused: %s", mac,
			    req->segment, req->seq, d.detail);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_BACKEND;
			break;
		}
		if (dev == NULL) {
			dev = &e->dev[e->ndev++];
			memcpy(dev->mac, req->mac, ENFMSG_MAC_LEN);
		}
		dev->seg = (uint8_t)seg;
		logmsg("PUT %s %s (seq %u)", mac, req->segment, req->seq);
		break;
	case ENFMSG_FLUSH:
		if (enf_nft_flush(e->nft, &d) != 0) {
			logmsg("FLUSH (seq %u): refused: %s", req->seq,
			    d.detail);
			rep.type = ENFMSG_NAK;
			rep.reason = ENFMSG_R_BACKEND;
			break;
		}
		e->ndev = 0;
		logmsg("FLUSH (seq %u): every device in %s", req->seq,
		    e->conf.nft.def_name);
		break;
	case ENFMSG_LIST:
		for (i = 0; i < e->ndev; i++) {
			struct enfmsg ent;

			memset(&ent, 0, sizeof(ent));
			ent.type = ENFMSG_ENTRY;
			ent.seq = req->seq;
			memcpy(ent.mac, e->dev[i].mac, ENFMSG_MAC_LEN);
			strcpy(ent.segment,
			    e->conf.nft.seg[e->dev[i].seg].name);
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

/* At start: one SEGMENT per segment, then ACK sequence 0 (in force). */
static int
announce(struct enforcer *e)
{
	struct enfmsg m;
	size_t i;

	for (i = 0; i < e->conf.nft.nseg; i++) {
		memset(&m, 0, sizeof(m));
		m.type = ENFMSG_SEGMENT;
		if (i == e->conf.nft.def)
			m.reason = ENFMSG_SEG_DEFAULT;
		strcpy(m.segment, e->conf.nft.seg[i].name);
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
	ssize_t n;

	for (;;) {
		n = recv(e->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR) {
			if (got_signal) {
				logmsg("signal %d: exiting, rules left as they "
				    "are", (int)got_signal);
				return 0;
			}
			continue;
		}
		if (n == 0) {
			logmsg("peer closed the socket: exiting, rules left "
			    "as they are");
			return 0;
		}
		if (n < 0) {
			logmsg("protocol violation: recv: %s", strerror(errno));
			return -1;
		}
		if (enfmsg_decode(buf, (size_t)n, &req, &d) != 0) {
			logmsg("protocol violation: malformed message: %s",
			    d.detail);
			return -1;
		}
		if (handle(e, &req, why, sizeof(why)) != 0) {
			logmsg("protocol violation: %s", why);
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

int
main(int argc, char **argv)
{
	struct enforcer e;
	struct sigaction sa;
	struct wg_diag d;
	const char *conf_path = DEFAULT_CONF;
	char *rules = NULL, *end;
	socklen_t olen;
	long fd = DEFAULT_FD;
	int c, check_only = 0, print_rules = 0, type = 0, ret = EX_CONFIG;

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
		return EX_CONFIG;
	}
	if (check_only || print_rules) {
		if (check_only)
			conf_print(&e.conf, stdout);
		if (print_rules) {
			if (enf_nft_ruleset(&e.conf.nft, &rules) != 0)
				return EX_BACKEND;
			fputs(rules, stdout);
			free(rules);
		}
		return fflush(stdout) == 0 ? EX_DONE : EX_BACKEND;
	}

	e.fd = (int)fd;
	olen = sizeof(type);
	if (getsockopt(e.fd, SOL_SOCKET, SO_TYPE, &type, &olen) != 0 ||
	    type != SOCK_SEQPACKET) {
		fprintf(stderr, "wardgate-enforcer: fd %d is not a "
		    "SOCK_SEQPACKET socket\n", e.fd);
		return EX_CONFIG;
	}
	/* Nothing it runs may gain privileges; exec is never used anyway. */
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recv returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0) {
		logmsg("cannot set up signals");
		return EX_BACKEND;
	}
	if ((e.dev = calloc(e.conf.max_devices, sizeof(*e.dev))) == NULL) {
		logmsg("out of memory for %u devices", e.conf.max_devices);
		return EX_BACKEND;
	}
	if (enf_nft_open(&e.conf.nft, &e.nft, &d) != 0) {
		logmsg("cannot install table bridge %s: %s",
		    e.conf.nft.table, d.detail);
		ret = EX_BACKEND;
		goto out;
	}
	logmsg("table bridge %s installed: every device in %s until put",
	    e.conf.nft.table, e.conf.nft.def_name);
	if (announce(&e) != 0 || loop(&e) != 0) {
		if (enf_nft_demote(e.nft, &d) != 0) {
			logmsg("demotion FAILED: %s", d.detail);
			ret = EX_BACKEND;
			goto out;
		}
		logmsg("demoted: every device that reached more than %s is "
		    "back in %s", e.conf.nft.def_name, e.conf.nft.def_name);
		ret = EX_VIOLATION;
		goto out;
	}
	ret = EX_DONE;
out:
	enf_nft_free(e.nft);
	free(e.dev);
	return ret;
}
