/* conf.c: wardgated.conf(5) parsing, checking and printing. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>

#include "conf.h"
#include "file.h"
#include "enfmsg.h"
#include "pcr.h"

#define CONF_FILE_MAX (256u * 1024)

enum conf_type { CT_STR, CT_U32, CT_BOOL };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;
	size_t size;		/* CT_STR: buffer size */
	uint32_t min, max;	/* CT_U32 */
};

#define STR(field) CT_STR, offsetof(struct conf, field), \
	sizeof(((struct conf *)0)->field), 0, 0
#define U32(field, lo, hi) CT_U32, offsetof(struct conf, field), 0, (lo), (hi)
#define BOOL(field) CT_BOOL, offsetof(struct conf, field), 0, 0, 1
#define SEG(st) CT_STR, offsetof(struct conf, segment[st]), CONF_SEGMENT_MAX, \
	0, 0

static const struct conf_key conf_keys[] = {
	{ "listen", STR(listen) },
	{ "tls_cert", STR(tls_cert) },
	{ "tls_key", STR(tls_key) },
	{ "ek_ca_bundle", STR(ek_ca_bundle) },
	{ "store", STR(store) },
	{ "admin_socket", STR(admin_socket) },
	{ "pcr_selection", STR(pcr_selection) },
	{ "policy_issuers", STR(policy_issuers) },
	{ "policy_required", BOOL(policy_required) },
	{ "attest_interval", U32(attest_interval, 2, 86400) },
	{ "attest_grace", U32(attest_grace, 0, 86400) },
	{ "ak_max_age", U32(ak_max_age, 0, 0xffffffffu) },
	{ "nonce_lifetime", U32(nonce_lifetime, 1, 600) },
	{ "enroll_lifetime", U32(enroll_lifetime, 1, 3600) },
	{ "max_devices", U32(max_devices, 1, 1000000) },
	{ "max_eventlog", U32(max_eventlog, 1024, 768 * 1024) },
	{ "commit_batch", U32(commit_batch, 1, 1024) },
	{ "commit_delay_ms", U32(commit_delay_ms, 0, 1000) },
	{ "segment_pending", SEG(DEV_PENDING) },
	{ "segment_trusted", SEG(DEV_TRUSTED) },
	{ "segment_untrusted", SEG(DEV_UNTRUSTED) },
	{ "segment_stale", SEG(DEV_STALE) },
	{ "segment_vulnerable", SEG(DEV_VULNERABLE) },
	{ "segment_decommissioned", SEG(DEV_DECOMMISSIONED) },
	{ "segment_legacy", SEG(DEV_LEGACY) },
	{ "segment_hold", STR(segment_hold) },
	{ "hold_max", U32(hold_max, 60, 7 * 86400) },
	{ "service_max", U32(service_max, 60, 7 * 86400) },
	{ "segment_restricted", STR(segment_restricted) },
	{ "enforcer", STR(enforcer) },
	{ "enforcer_conf", STR(enforcer_conf) },
	{ "radius_listen", STR(radius_listen) },
	{ "radius_auth_file", STR(radius_auth_file) },
	{ "radius_vlans", STR(radius_vlans) },
	{ "radius_das", STR(radius_das) },
	{ "radius_das_secret_file", STR(radius_das_secret_file) },
	{ "radius_das_action", STR(radius_das_action) },
	{ "role_admin", STR(role_admin) },
	{ "role_security", STR(role_security) },
	{ "role_clinical", STR(role_clinical) },
	{ "admin_listen", STR(admin_listen) },
	{ "admin_tls_ca", STR(admin_tls_ca) },
	{ "admin_tls_crl", STR(admin_tls_crl) },
	{ "ear_key", STR(ear_key) },
	{ "metrics_listen", STR(metrics_listen) },
	{ "webhook_url", STR(webhook_url) },
	{ "webhook_ca", STR(webhook_ca) },
	{ "syslog", BOOL(syslog) },
	{ "syslog_facility", STR(syslog_facility) },
};
#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->listen, "0.0.0.0:8443");
	strcpy(c->tls_cert, "/etc/wardgate/gateway.crt");
	strcpy(c->tls_key, "/etc/wardgate/gateway.key");
	strcpy(c->ek_ca_bundle, "/etc/wardgate/tpm-ca.pem");
	strcpy(c->store, "/var/lib/wardgate/wardgate.db");
	strcpy(c->admin_socket, "/run/wardgate/admin.sock");
	strcpy(c->pcr_selection, "sha256:0,1,2,3,4,5,6,7");
	strcpy(c->policy_issuers, "/etc/wardgate/issuers");
	c->policy_required = 1;
	c->attest_interval = 300;
	c->attest_grace = 60;
	c->nonce_lifetime = 30;
	c->enroll_lifetime = 60;
	c->max_devices = 65536;
	c->max_eventlog = 768 * 1024;
	c->commit_batch = 64;
	c->commit_delay_ms = 0;
	strcpy(c->segment[DEV_PENDING], "quarantine");
	strcpy(c->segment[DEV_TRUSTED], "clinical");
	strcpy(c->segment[DEV_UNTRUSTED], "quarantine");
	strcpy(c->segment[DEV_STALE], "quarantine");
	strcpy(c->segment[DEV_VULNERABLE], "quarantine");
	strcpy(c->segment[DEV_DECOMMISSIONED], "blocked");
	strcpy(c->segment[DEV_LEGACY], "clinical-hold");
	strcpy(c->segment_hold, "clinical-hold");
	c->hold_max = 12 * 3600;
	c->service_max = 8 * 3600;
	strcpy(c->segment_restricted, "clinical-hold");
	strcpy(c->enforcer, "none");
	strcpy(c->enforcer_conf, "/etc/wardgate/enforcer.conf");
	strcpy(c->radius_listen, "none");
	strcpy(c->radius_auth_file, "/etc/wardgate/radius-rest.secret");
	strcpy(c->radius_vlans, "clinical=100 quarantine=200 clinical-hold=300");
	strcpy(c->radius_das, "none");
	strcpy(c->radius_das_secret_file, "/etc/wardgate/radius-das.secret");
	strcpy(c->radius_das_action, "disconnect");
	strcpy(c->role_admin, "uid:0");
	strcpy(c->role_security, "none");
	strcpy(c->role_clinical, "none");
	strcpy(c->admin_listen, "none");
	strcpy(c->admin_tls_ca, "none");
	strcpy(c->admin_tls_crl, "none");
	strcpy(c->ear_key, "/etc/wardgate/ear.key");
	strcpy(c->metrics_listen, "none");
	strcpy(c->webhook_url, "none");
	strcpy(c->webhook_ca, "system");
	c->syslog = 1;
	strcpy(c->syslog_facility, "daemon");
}

/*
 * Walks "segment=vlan ..." calling cb(name, vlan, arg) for each pair; a
 * malformed list is -1. Segment names as enfmsg_segment_valid(); VLAN ids
 * 1 to 4094; a segment at most once.
 */
static int
vlans_walk(const char *list, int (*cb)(const char *, unsigned, void *),
    void *arg)
{
	char name[CONF_SEGMENT_MAX], seen[16][CONF_SEGMENT_MAX];
	const char *p = list, *eq, *end;
	unsigned long v;
	size_t n, nseen = 0, i;
	char *vend;
	int r;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if ((eq = strchr(p, '=')) == NULL)
			return -1;
		n = (size_t)(eq - p);
		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!enfmsg_segment_valid(name) || nseen == 16)
			return -1;
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i], name) == 0)
				return -1;
		memcpy(seen[nseen++], name, n + 1);
		if (!isdigit((unsigned char)eq[1]))
			return -1;
		errno = 0;
		v = strtoul(eq + 1, &vend, 10);
		end = vend;
		if (errno != 0 || v < 1 || v > 4094 ||
		    (*end != ' ' && *end != '\0'))
			return -1;
		if (cb != NULL && (r = cb(name, (unsigned)v, arg)) != 0)
			return r;
		p = end;
	}
}

struct vlan_find {
	const char *segment;
	unsigned vlan;
};

static int
vlan_match(const char *name, unsigned vlan, void *arg)
{
	struct vlan_find *f = arg;

	if (strcmp(name, f->segment) != 0)
		return 0;
	f->vlan = vlan;
	return 1;
}

unsigned
conf_vlan(const struct conf *c, const char *segment)
{
	struct vlan_find f = { segment, 0 };

	if (vlans_walk(c->radius_vlans, vlan_match, &f) < 0)
		return 0;
	return f.vlan;
}

static char *
conf_trim(char *s)
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
conf_set(struct conf *c, const struct conf_key *k, const char *val,
    const char *name, unsigned line, struct wg_diag *d)
{
	char *p = (char *)c + k->off, *end;
	unsigned long long v;
	const char *q;

	if (k->type == CT_STR) {
		if (*val == '\0' || strlen(val) >= k->size)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: %s: empty or longer than %zu bytes", name,
			    line, k->name, k->size - 1);
		for (q = val; *q != '\0'; q++)
			if (!isprint((unsigned char)*q))
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "%s:%u: %s: unprintable character", name,
				    line, k->name);
		memcpy(p, val, strlen(val) + 1);
		return 0;
	}
	if (k->type == CT_BOOL) {
		if (strcmp(val, "yes") == 0)
			*(uint32_t *)(void *)p = 1;
		else if (strcmp(val, "no") == 0)
			*(uint32_t *)(void *)p = 0;
		else
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: %s: yes or no", name, line, k->name);
		return 0;
	}
	if (!isdigit((unsigned char)*val))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "%s:%u: %s: not a number", name, line, k->name);
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno != 0 || *end != '\0' || v < k->min || v > k->max)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "%s:%u: %s: must be a whole number from %u to %u", name,
		    line, k->name, k->min, k->max);
	*(uint32_t *)(void *)p = (uint32_t)v;
	return 0;
}

int
conf_parse(const char *text, const char *name, struct conf *c,
    struct wg_diag *d)
{
	char *copy, *line, *next, *eq;
	unsigned lineno = 0;
	int seen[NKEYS] = { 0 }, r = 0;
	size_t i;

	if ((copy = strdup(text)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "config");
	for (line = copy; line != NULL && r == 0; line = next) {
		char *key, *val;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = conf_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: expected \"key = value\"", name, lineno);
			break;
		}
		*eq = '\0';
		key = conf_trim(key);
		val = conf_trim(eq + 1);
		for (i = 0; i < NKEYS; i++)
			if (strcmp(conf_keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: unknown key \"%.64s\"", name, lineno, key);
			break;
		}
		if (seen[i]++) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s:%u: \"%s\" given twice", name, lineno, key);
			break;
		}
		r = conf_set(c, &conf_keys[i], val, name, lineno, d);
	}
	free(copy);
	return r;
}

int
conf_load(const char *path, struct conf *c, struct wg_diag *d)
{
	uint8_t *buf = NULL;
	size_t len;
	int r;

	if ((r = file_read(path, CONF_FILE_MAX, &buf, &len, d)) != 0) {
		if (d != NULL)
			d->err = WG_ERR_CONFIG;	/* detail names the file */
		return WG_ERR_CONFIG;
	}
	if (memchr(buf, '\0', len) != NULL)
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: NUL byte", path);
	else
		r = conf_parse((const char *)buf, path, c, d);
	free(buf);
	return r;
}

int
conf_listen_split(const char *listen, char *host, size_t hlen,
    unsigned short *port)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long p;
	size_t n;

	if (colon == NULL || !isdigit((unsigned char)colon[1]))
		return -1;
	n = (size_t)(colon - listen);
	if (n > 1 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n == 0 || n >= hlen)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p == 0 || p > 65535)
		return -1;
	*port = (unsigned short)p;
	return 0;
}

int
conf_check(const struct conf *c, struct wg_diag *d)
{
	TPML_PCR_SELECTION sel;
	struct wg_diag sd;

	if (pcr_selection_parse(c->pcr_selection, &sel, &sd) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "pcr_selection: %s",
		    sd.detail);
	{
		char host[sizeof(c->listen)];
		unsigned short port;
		struct in6_addr a6;
		struct in_addr a4;

		if (conf_listen_split(c->listen, host, sizeof(host), &port) != 0 ||
		    (inet_pton(AF_INET, host, &a4) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "listen: expected IPV4:PORT or [IPV6]:PORT, port "
			    "1 to 65535");
	}
	if (strlen(c->admin_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "admin_socket: longer than a UNIX socket path may be");
	if (strcmp(c->admin_listen, "none") != 0) {
		char host[sizeof(c->admin_listen)];
		unsigned short port;
		struct in6_addr a6;
		struct in_addr a4;

		if (conf_listen_split(c->admin_listen, host, sizeof(host),
		    &port) != 0 || (inet_pton(AF_INET, host, &a4) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1))
			return wg_diag_set(d, WG_ERR_CONFIG, "admin_listen: "
			    "\"none\" or IPV4:PORT or [IPV6]:PORT");
		if (strcmp(c->admin_tls_ca, "none") == 0)
			return wg_diag_set(d, WG_ERR_CONFIG, "admin_listen needs "
			    "admin_tls_ca: the CA that issues operator "
			    "certificates");
	}
	if (strcmp(c->segment[DEV_TRUSTED], c->segment[DEV_PENDING]) == 0 ||
	    strcmp(c->segment[DEV_TRUSTED], c->segment[DEV_UNTRUSTED]) == 0 ||
	    strcmp(c->segment[DEV_TRUSTED], c->segment[DEV_STALE]) == 0 ||
	    strcmp(c->segment[DEV_TRUSTED], c->segment[DEV_VULNERABLE]) == 0 ||
	    strcmp(c->segment[DEV_TRUSTED],
	    c->segment[DEV_DECOMMISSIONED]) == 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "segment_trusted must differ from every other state's "
		    "segment: only trusted devices reach it");
	{
		size_t i;

		for (i = 0; i < DEV_NSTATES; i++)
			if (!enfmsg_segment_valid(c->segment[i]))
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "segment_%s: 1 to 32 of a-z, 0-9, - and _, "
				    "starting with a letter or digit",
				    state_name((enum dev_state)i));
	}
	if (!enfmsg_segment_valid(c->segment_hold))
		return wg_diag_set(d, WG_ERR_CONFIG, "segment_hold: 1 to 32 "
		    "of a-z, 0-9, - and _, starting with a letter or digit");
	if (!enfmsg_segment_valid(c->segment_restricted) ||
	    strcmp(c->segment_restricted, c->segment[DEV_TRUSTED]) == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment_restricted: a "
		    "segment name, not segment_trusted's: a device an advisory "
		    "restricts is not trusted");
	if (strcmp(c->segment_hold, c->segment[DEV_TRUSTED]) == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment_hold must "
		    "differ from segment_trusted: a held device has not "
		    "proven itself");
	if (strcmp(c->enforcer, "none") != 0 && c->enforcer[0] != '/' &&
	    strncmp(c->enforcer, "unix:/", 6) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "enforcer: \"none\", "
		    "the program's absolute path, or unix:/PATH of its socket");
	if (strncmp(c->enforcer, "unix:", 5) == 0 && strlen(c->enforcer + 5) >=
	    sizeof(((struct sockaddr_un *)0)->sun_path))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "enforcer: longer than a UNIX socket path may be");
	if (c->enforcer_conf[0] != '/')
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "enforcer_conf: an absolute path");
	if (strcmp(c->radius_listen, "none") != 0) {
		char host[sizeof(c->radius_listen)];
		unsigned short port;
		struct in_addr a4;

		if (conf_listen_split(c->radius_listen, host, sizeof(host),
		    &port) != 0 || inet_pton(AF_INET, host, &a4) != 1)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "radius_listen: \"none\" or IPV4:PORT");
	}
	if (vlans_walk(c->radius_vlans, NULL, NULL) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_vlans: "
		    "SEGMENT=VLAN pairs, VLAN 1 to 4094, each segment once");
	if (conf_vlan(c, c->segment[DEV_DECOMMISSIONED]) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "radius_vlans: the "
		    "decommissioned segment must have no VLAN (rejected)");
	if (strcmp(c->radius_das, "none") != 0) {
		char host[sizeof(c->radius_das)];
		unsigned short port;
		struct in6_addr a6;
		struct in_addr a4;

		if (conf_listen_split(c->radius_das, host, sizeof(host),
		    &port) != 0 || (inet_pton(AF_INET, host, &a4) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "radius_das: \"none\" or IPV4:PORT or [IPV6]:PORT");
	}
	if (strcmp(c->radius_das_action, "disconnect") != 0 &&
	    strcmp(c->radius_das_action, "coa") != 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "radius_das_action: disconnect or coa");
	if (strcmp(c->metrics_listen, "none") != 0) {
		char host[sizeof(c->metrics_listen)];
		unsigned short port;
		struct in6_addr a6;
		struct in_addr a4;

		if (conf_listen_split(c->metrics_listen, host, sizeof(host),
		    &port) != 0 || (inet_pton(AF_INET, host, &a4) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1))
			return wg_diag_set(d, WG_ERR_CONFIG, "metrics_listen: "
			    "\"none\" or IPV4:PORT or [IPV6]:PORT");
	}
	if (strcmp(c->webhook_url, "none") != 0) {
		char host[sizeof(c->webhook_url)];
		unsigned short port;

		if (conf_https_url(c->webhook_url, host, sizeof(host),
		    &port) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG, "webhook_url: "
			    "\"none\" or https://HOST[:PORT][/PATH]");
	}
	if (strcmp(c->webhook_ca, "system") != 0 && c->webhook_ca[0] != '/')
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "webhook_ca: \"system\" or an absolute path");
	if (conf_syslog_facility(c->syslog_facility) < 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "syslog_facility: daemon, "
		    "user, auth, authpriv or local0 to local7");
	return 0;
}

int
conf_syslog_facility(const char *name)
{
	static const struct {
		const char *name;
		int facility;
	} fac[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
		if (strcmp(fac[i].name, name) == 0)
			return fac[i].facility;
	return -1;
}

int
conf_https_url(const char *url, char *host, size_t hlen,
    unsigned short *port)
{
	const char *h = url + 8, *e, *p;
	unsigned long v = 443;
	char *end;
	size_t n;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	if (*h == '[') {
		struct in6_addr a6;

		if ((e = strchr(h, ']')) == NULL)
			return -1;
		n = (size_t)(e - h - 1);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return -1;
		p = e + 1;
	} else {
		for (p = h; isalnum((unsigned char)*p) || *p == '.' ||
		    *p == '-'; p++)
			;
		n = (size_t)(p - h);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h, n);
		host[n] = '\0';
	}
	if (*p == ':') {
		if (!isdigit((unsigned char)p[1]))
			return -1;
		errno = 0;
		v = strtoul(p + 1, &end, 10);
		if (errno != 0 || v == 0 || v > 65535)
			return -1;
		p = end;
	}
	if (*p != '\0' && *p != '/')
		return -1;
	for (; *p != '\0'; p++)
		if (*p == ' ' || *p == '#' || !isprint((unsigned char)*p))
			return -1;
	*port = (unsigned short)v;
	return 0;
}

void
conf_print(const struct conf *c, FILE *f)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *p = (const char *)c + k->off;

		if (k->type == CT_STR)
			fprintf(f, "%s = %s\n", k->name, p);
		else if (k->type == CT_BOOL)
			fprintf(f, "%s = %s\n", k->name,
			    *(const uint32_t *)(const void *)p ? "yes" : "no");
		else
			fprintf(f, "%s = %u\n", k->name,
			    *(const uint32_t *)(const void *)p);
	}
}
