/* enf_nft.c: the nft backend: bridge-family sets and rules, libnftables. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <nftables/libnftables.h>

#include "enf_backend.h"
#include "enf_nft.h"

struct enf_nft {
	const struct enf_nft_conf *c;	/* borrowed */
	struct nft_ctx *ctx;
};

void
enf_nft_conf_defaults(struct enf_nft_conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->table, "wardgate");
}

static int
table_valid(const char *s)
{
	size_t i;

	if (!(s[0] >= 'a' && s[0] <= 'z') || strlen(s) >= ENF_TABLE_MAX)
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* One target: "A.B.C.D" or "A.B.C.D tcp|udp PORT". */
static int
parse_target(char *s, struct enf_target *t)
{
	char *words[4], *save = NULL, *w, *end;
	unsigned long port;
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	for (w = strtok_r(s, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (n == 3)
			return -1;
		words[n++] = w;
	}
	if ((n != 1 && n != 3) || inet_pton(AF_INET, words[0], &t->ip) != 1)
		return -1;
	if (n == 1)
		return 0;
	if (strcmp(words[1], "tcp") == 0)
		t->proto = IPPROTO_TCP;
	else if (strcmp(words[1], "udp") == 0)
		t->proto = IPPROTO_UDP;
	else
		return -1;
	if (words[2][0] < '1' || words[2][0] > '9')
		return -1;
	port = strtoul(words[2], &end, 10);
	if (*end != '\0' || port > 65535)
		return -1;
	t->port = (uint16_t)port;
	return 0;
}

int
enf_nft_targets_parse(const char *name, const char *val,
    struct enf_target t[ENF_TARGETS_MAX], size_t *n, struct wg_diag *d)
{
	char copy[1024], *item, *save = NULL;
	size_t k = 0;

	if (strcmp(val, "none") == 0) {
		*n = 0;
		return 0;
	}
	if (strlen(val) >= sizeof(copy))
		return wg_diag_set(d, WG_ERR_CONFIG, "segment %s: too long",
		    name);
	strcpy(copy, val);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (k == ENF_TARGETS_MAX)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s: more than %d targets", name,
			    ENF_TARGETS_MAX);
		if (parse_target(item, &t[k]) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s: target %zu: expected "
			    "\"IPV4\" or \"IPV4 tcp|udp PORT\"", name, k + 1);
		k++;
	}
	if (k == 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "segment %s: no targets (write \"none\")", name);
	*n = k;
	return 0;
}

int
enf_nft_seg_set(struct enf_nft_conf *c, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_segment *s;
	int r;

	if (c->nseg == ENF_SEGMENTS_MAX || !enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_CONFIG, "segment: bad argument");
	s = &c->seg[c->nseg];
	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	if ((r = enf_nft_targets_parse(name, val, s->target, &s->ntargets,
	    d)) != 0)
		return r;
	c->nseg++;
	return 0;
}

int
enf_nft_flow_set(struct enf_nft_conf *c, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_segment *s;
	int r;

	if (c->nflow == ENF_FLOWS_MAX || !enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_CONFIG, "flow: bad argument");
	s = &c->flow[c->nflow];
	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	if ((r = enf_nft_targets_parse(name, val, s->target, &s->ntargets,
	    d)) != 0)
		return r;
	if (s->ntargets == 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow %s: a flow must reach something", name);
	c->nflow++;
	return 0;
}

int
enf_nft_conf_set(struct enf_nft_conf *c, const char *key, const char *val,
    struct wg_diag *d)
{
	if (strcmp(key, "table") == 0) {
		if (c->seen_table++)
			return wg_diag_set(d, WG_ERR_CONFIG, "table given twice");
		if (!table_valid(val))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "table: expected [a-z][a-z0-9_]{0,30}");
		strcpy(c->table, val);
		return 0;
	}
	if (strcmp(key, "device_ports") == 0) {
		if (c->seen_ports++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "device_ports given twice");
		return enf_ifnames_parse("device_ports", val, c->port,
		    ENF_PORTS_MAX, &c->nports, d);
	}
	return WG_ERR_NOT_FOUND;
}

static int
target_equal(const struct enf_target *a, const struct enf_target *b)
{
	return a->ip.s_addr == b->ip.s_addr && a->proto == b->proto &&
	    a->port == b->port;
}

int
enf_nft_conf_check(struct enf_nft_conf *c, const struct enf_segs *segs,
    struct wg_diag *d)
{
	const struct enf_segment *def;
	size_t s, t, u;

	if (c->nports == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device_ports missing");
	if (c->nseg == 0 || c->nseg != segs->n || segs->def >= c->nseg)
		return wg_diag_set(d, WG_ERR_CONFIG, "no segment defined");
	if (c->nflow != segs->nflows || segs->max_devices == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "flows: internal error");
	c->def = segs->def;
	c->flow_size = segs->max_devices;
	def = &c->seg[c->def];
	for (s = 0; s < c->nseg; s++) {
		if (c->seg[s].ntargets == 0)
			continue;
		for (t = 0; t < def->ntargets; t++) {
			for (u = 0; u < c->seg[s].ntargets; u++)
				if (target_equal(&def->target[t],
				    &c->seg[s].target[u]))
					break;
			if (u == c->seg[s].ntargets)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "segment %s lacks target %zu of the default "
				    "segment %s: falling back to the default "
				    "would open it", c->seg[s].name, t + 1,
				    def->name);
		}
	}
	return 0;
}

static void
print_target(const struct enf_target *t, FILE *f)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->ip, ip, sizeof(ip));
	fputs(ip, f);
	if (t->proto != 0)
		fprintf(f, " %s %u", t->proto == IPPROTO_TCP ? "tcp" : "udp",
		    t->port);
}

void
enf_nft_targets_print(const struct enf_target *t, size_t n, FILE *f)
{
	size_t i;

	if (n == 0)
		fputs("none", f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", f);
		print_target(&t[i], f);
	}
}

void
enf_nft_conf_print(const struct enf_nft_conf *c, FILE *f)
{
	size_t i;

	fprintf(f, "table = %s\n", c->table);
	fputs("device_ports =", f);
	for (i = 0; i < c->nports; i++)
		fprintf(f, " %s", c->port[i]);
	fputc('\n', f);
}

void
enf_nft_seg_print(const struct enf_nft_conf *c, size_t i, FILE *f)
{
	if (i < c->nseg)
		enf_nft_targets_print(c->seg[i].target, c->seg[i].ntargets, f);
}

void
enf_nft_flow_print(const struct enf_nft_conf *c, size_t i, FILE *f)
{
	if (i < c->nflow)
		enf_nft_targets_print(c->flow[i].target, c->flow[i].ntargets,
		    f);
}

/*
 * The accept rules of s's targets in one direction, in chain. from:
 * frames a device sends (match its source MAC, the target as
 * destination); else frames to a device. set NULL: any MAC.
 */
static void
emit_targets(const struct enf_nft_conf *c, const char *chain,
    const struct enf_segment *s, const char *set, int from, FILE *f)
{
	const char *dir = from ? "daddr" : "saddr";
	char ip[INET_ADDRSTRLEN], match[64] = "";
	size_t t, u;

	if (set != NULL)
		snprintf(match, sizeof(match), "ether %s @%s ",
		    from ? "saddr" : "daddr", set);
	for (t = 0; t < s->ntargets; t++) {
		const struct enf_target *tg = &s->target[t];

		inet_ntop(AF_INET, &tg->ip, ip, sizeof(ip));
		fprintf(f, "add rule bridge %s %s %sip %s %s", c->table, chain,
		    match, dir, ip);
		if (tg->proto != 0)
			fprintf(f, " %s %s %u",
			    tg->proto == IPPROTO_TCP ? "tcp" : "udp",
			    from ? "dport" : "sport", tg->port);
		fputs(" accept\n", f);
		for (u = 0; u < t; u++)
			if (s->target[u].ip.s_addr == tg->ip.s_addr)
				break;
		if (u == t)	/* one ARP rule per address */
			fprintf(f, "add rule bridge %s %s %sarp %s ip %s "
			    "accept\n", c->table, chain, match, dir, ip);
	}
}

/*
 * The rules of one segment in one direction (from_dev or to_dev): the
 * open flows first unless it is blocked, then its targets, then drop.
 * set NULL: the fallthrough for MACs in no set.
 */
static void
emit_segment(const struct enf_nft_conf *c, const struct enf_segment *s,
    const char *set, int from, FILE *f)
{
	const char *chain = from ? "from_dev" : "to_dev";
	char match[64] = "";

	if (set != NULL)
		snprintf(match, sizeof(match), "ether %s @%s ",
		    from ? "saddr" : "daddr", set);
	if (c->nflow > 0 && s->ntargets > 0)
		fprintf(f, "add rule bridge %s %s %sjump %s\n", c->table, chain,
		    match, from ? "flows_from" : "flows_to");
	emit_targets(c, chain, s, set, from, f);
	fprintf(f, "add rule bridge %s %s %sdrop\n", c->table, chain, match);
}

/* The flows' chains: a MAC in f_NAME reaches NAME's targets; a frame that
 * matches no flow returns to its segment's rules. */
static void
emit_flows(const struct enf_nft_conf *c, int from, FILE *f)
{
	char set[ENFMSG_SEGMENT_MAX + 3];
	size_t i;

	for (i = 0; i < c->nflow; i++) {
		snprintf(set, sizeof(set), "f_%s", c->flow[i].name);
		emit_targets(c, from ? "flows_from" : "flows_to", &c->flow[i],
		    set, from, f);
	}
}

int
enf_nft_ruleset(const struct enf_nft_conf *c, char **out)
{
	/* Base chains: device ports in, jump from_dev; out, jump to_dev. */
	static const struct {
		const char *chain, *hook, *dir, *jump;
	} hooks[] = {
		{ "wg_forward", "forward", "iifname", "from_dev" },
		{ "wg_forward", NULL, "oifname", "to_dev" },
		{ "wg_input", "input", "iifname", "from_dev" },
		{ "wg_output", "output", "oifname", "to_dev" },
	};
	const char *T = c->table;
	char *text = NULL, ports[ENF_PORTS_MAX * (ENF_IFNAME_MAX + 4) + 8];
	size_t len = 0, i, off = 0;
	FILE *f;

	off += (size_t)snprintf(ports + off, sizeof(ports) - off, "{ ");
	for (i = 0; i < c->nports; i++)
		off += (size_t)snprintf(ports + off, sizeof(ports) - off,
		    "%s\"%s\"", i > 0 ? ", " : "", c->port[i]);
	snprintf(ports + off, sizeof(ports) - off, " }");

	if ((f = open_memstream(&text, &len)) == NULL)
		return WG_ERR_ALLOC;
	/* Add first so that the delete never fails: replace in one go. */
	fprintf(f, "add table bridge %s\ndelete table bridge %s\n"
	    "add table bridge %s\n", T, T, T);
	for (i = 0; i < c->nseg; i++)
		fprintf(f, "add set bridge %s s_%s { type ether_addr; }\n", T,
		    c->seg[i].name);
	/* A window is an element with a timeout: the kernel ends it. */
	for (i = 0; i < c->nflow; i++)
		fprintf(f, "add set bridge %s f_%s { type ether_addr; flags "
		    "timeout; size %u; }\n", T, c->flow[i].name, c->flow_size);
	fprintf(f, "add chain bridge %s from_dev\n"
	    "add chain bridge %s to_dev\n", T, T);
	if (c->nflow > 0) {
		fprintf(f, "add chain bridge %s flows_from\n"
		    "add chain bridge %s flows_to\n", T, T);
		emit_flows(c, 1, f);
		emit_flows(c, 0, f);
	}
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		if (hooks[i].hook != NULL)
			fprintf(f, "add chain bridge %s %s { type filter hook "
			    "%s priority -200; policy accept; }\n", T,
			    hooks[i].chain, hooks[i].hook);
		fprintf(f, "add rule bridge %s %s %s %s jump %s\n", T,
		    hooks[i].chain, hooks[i].dir, ports, hooks[i].jump);
	}
	/* Frames a device sends: by source MAC, segment by segment. */
	for (i = 0; i < c->nseg; i++) {
		char set[ENFMSG_SEGMENT_MAX + 3];

		if (i == c->def)
			continue;	/* same rules as the fallthrough */
		snprintf(set, sizeof(set), "s_%s", c->seg[i].name);
		emit_segment(c, &c->seg[i], set, 1, f);
	}
	emit_segment(c, &c->seg[c->def], NULL, 1, f);
	/* Frames to a device: ARP broadcasts (hosts must resolve it), and
	 * by destination MAC what its segment may exchange. */
	fprintf(f, "add rule bridge %s to_dev ether daddr ff:ff:ff:ff:ff:ff "
	    "ether type arp accept\n", T);
	for (i = 0; i < c->nseg; i++) {
		char set[ENFMSG_SEGMENT_MAX + 3];

		if (i == c->def)
			continue;
		snprintf(set, sizeof(set), "s_%s", c->seg[i].name);
		emit_segment(c, &c->seg[i], set, 0, f);
	}
	emit_segment(c, &c->seg[c->def], NULL, 0, f);
	if (fclose(f) != 0) {
		free(text);
		return WG_ERR_ALLOC;
	}
	*out = text;
	return 0;
}

/*
 * Runs cmds as one transaction; the first line of nft's error in d.
 * WG_ERR_TOO_LARGE when the kernel refused because a set holds its size
 * (ENFILE: only a flow's set has a size), else WG_ERR_IO.
 */
static int
nft_run(struct enf_nft *n, const char *cmds, struct wg_diag *d)
{
	const char *err;
	size_t l;
	int r = WG_ERR_IO;

	if (nft_run_cmd_from_buffer(n->ctx, cmds) == 0)
		return 0;
	err = nft_ctx_get_error_buffer(n->ctx);
	if (err == NULL || *err == '\0')
		err = "nft: unknown error";
	/* libnftables words the kernel's error with strerror() in this
	 * process, hence in its locale: the same text. */
	if (strstr(err, strerror(ENFILE)) != NULL)
		r = WG_ERR_TOO_LARGE;
	l = strcspn(err, "\n");
	return wg_diag_set(d, r, "nft: %.*s%s", (int)(l > 200 ? 200 : l),
	    err, r == WG_ERR_TOO_LARGE ? " (the set is full)" : "");
}

int
enf_nft_open(const struct enf_nft_conf *c, struct enf_nft **out,
    struct wg_diag *d)
{
	struct enf_nft *n;
	char *rules = NULL;
	int r;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "nft handle");
	n->c = c;
	if ((n->ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL ||
	    nft_ctx_buffer_output(n->ctx) != 0 ||
	    nft_ctx_buffer_error(n->ctx) != 0) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "libnftables context");
		goto out;
	}
	if ((r = enf_nft_ruleset(c, &rules)) != 0) {
		wg_diag_set(d, r, "ruleset");
		goto out;
	}
	r = nft_run(n, rules, d);
out:
	free(rules);
	if (r != 0)
		enf_nft_free(n);
	else
		*out = n;
	return r;
}

int
enf_nft_put(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
    struct wg_diag *d)
{
	const struct enf_nft_conf *c = n->c;
	char m[ENFMSG_MAC_TEXT], cmds[ENF_SEGMENTS_MAX * 2 * 128];
	size_t i, off = 0;

	if (seg >= c->nseg || !enfmsg_mac_valid(mac))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "put: bad argument");
	enfmsg_mac_format(mac, m);
	/* Out of every other set (add first: delete of an absent element
	 * would fail the whole transaction), then into the new one. */
	for (i = 0; i < c->nseg; i++)
		if (i != seg)
			off += (size_t)snprintf(cmds + off, sizeof(cmds) - off,
			    "add element bridge %s s_%s { %s }\n"
			    "delete element bridge %s s_%s { %s }\n",
			    c->table, c->seg[i].name, m, c->table,
			    c->seg[i].name, m);
	snprintf(cmds + off, sizeof(cmds) - off,
	    "add element bridge %s s_%s { %s }\n", c->table, c->seg[seg].name,
	    m);
	return nft_run(n, cmds, d);
}

/*
 * "add, delete" of mac in flow's set, then "add" with the timeout when
 * seconds > 0: in one transaction, the window is replaced or closed.
 * A set that holds its size (max_devices) takes no new element: an OPEN
 * of a MAC not in it is WG_ERR_TOO_LARGE, nothing changed. The "add" of
 * a MAC already in it succeeds even then, so a replacement goes through
 * and a CLOSE refused that way had nothing to close (a live element is
 * never refused): it is done.
 */
static int
flow_change(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t flow, uint32_t seconds, struct wg_diag *d)
{
	const struct enf_nft_conf *c = n->c;
	char m[ENFMSG_MAC_TEXT], cmds[512];
	const char *T = c->table, *F;
	int off, r;

	if (flow >= c->nflow || !enfmsg_mac_valid(mac) ||
	    seconds > ENFMSG_OPEN_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "flow: bad argument");
	F = c->flow[flow].name;
	enfmsg_mac_format(mac, m);
	/* Add first: deleting an absent element fails the transaction. */
	off = snprintf(cmds, sizeof(cmds), "add element bridge %s f_%s { %s }\n"
	    "delete element bridge %s f_%s { %s }\n", T, F, m, T, F, m);
	if (seconds > 0 && off > 0 && (size_t)off < sizeof(cmds))
		snprintf(cmds + off, sizeof(cmds) - (size_t)off,
		    "add element bridge %s f_%s { %s timeout %us }\n", T, F, m,
		    seconds);
	r = nft_run(n, cmds, d);
	if (r == WG_ERR_TOO_LARGE && seconds == 0) {
		wg_diag_clear(d);
		return 0;
	}
	return r;
}

int
enf_nft_flow_open(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t flow, uint32_t seconds, struct wg_diag *d)
{
	if (seconds == 0)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "open: 0 seconds");
	return flow_change(n, mac, flow, seconds, d);
}

int
enf_nft_flow_close(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t flow, struct wg_diag *d)
{
	return flow_change(n, mac, flow, 0, d);
}

static int
flush_sets(struct enf_nft *n, int demote_only, struct wg_diag *d)
{
	const struct enf_nft_conf *c = n->c;
	char cmds[(ENF_SEGMENTS_MAX + ENF_FLOWS_MAX) * 128];
	size_t i, off = 0;

	for (i = 0; i < c->nseg; i++) {
		if (demote_only && (i == c->def || c->seg[i].ntargets == 0))
			continue;
		off += (size_t)snprintf(cmds + off, sizeof(cmds) - off,
		    "flush set bridge %s s_%s\n", c->table, c->seg[i].name);
	}
	/* Flush or demote: a fault closes every window (fail closed). */
	for (i = 0; i < c->nflow; i++)
		off += (size_t)snprintf(cmds + off, sizeof(cmds) - off,
		    "flush set bridge %s f_%s\n", c->table, c->flow[i].name);
	if (off == 0)
		return 0;
	return nft_run(n, cmds, d);
}

int
enf_nft_flush(struct enf_nft *n, struct wg_diag *d)
{
	return flush_sets(n, 0, d);
}

int
enf_nft_demote(struct enf_nft *n, struct wg_diag *d)
{
	return flush_sets(n, 1, d);
}

void
enf_nft_free(struct enf_nft *n)
{
	if (n == NULL)
		return;
	if (n->ctx != NULL)
		nft_ctx_free(n->ctx);
	free(n);
}

/* ---- the backend table ---- */

static void *
b_conf_new(void)
{
	struct enf_nft_conf *c = malloc(sizeof(*c));

	if (c != NULL)
		enf_nft_conf_defaults(c);
	return c;
}

static void
b_conf_free(void *c)
{
	free(c);
}

static int
b_conf_set(void *c, const char *key, const char *val, struct wg_diag *d)
{
	return enf_nft_conf_set(c, key, val, d);
}

static int
b_seg_set(void *c, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	(void)i;
	return enf_nft_seg_set(c, name, val, d);
}

static int
b_flow_set(void *c, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	(void)i;
	return enf_nft_flow_set(c, name, val, d);
}

static void
b_flow_print(const void *c, size_t i, FILE *f)
{
	enf_nft_flow_print(c, i, f);
}

static int
b_flow_open(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    uint32_t seconds, struct wg_diag *d)
{
	return enf_nft_flow_open(h, mac, flow, seconds, d);
}

static int
b_flow_close(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    struct wg_diag *d)
{
	return enf_nft_flow_close(h, mac, flow, d);
}

static int
b_conf_check(void *c, const struct enf_segs *s, struct wg_diag *d)
{
	return enf_nft_conf_check(c, s, d);
}

static void
b_conf_print(const void *c, FILE *f)
{
	enf_nft_conf_print(c, f);
}

static void
b_seg_print(const void *c, size_t i, FILE *f)
{
	enf_nft_seg_print(c, i, f);
}

static int
b_rules(const void *c, char **out)
{
	return enf_nft_ruleset(c, out);
}

static int
b_open(const void *c, void **h, struct wg_diag *d)
{
	const struct enf_nft_conf *nc = c;
	struct enf_nft *n = NULL;
	int r;

	if ((r = enf_nft_open(nc, &n, d)) != 0)
		return r;
	enf_log("nft: table bridge %s installed on %zu device port(s)",
	    nc->table, nc->nports);
	*h = n;
	return 0;
}

static int
b_put(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
    struct wg_diag *d)
{
	return enf_nft_put(h, mac, seg, d);
}

static int
b_flush(void *h, struct wg_diag *d)
{
	return enf_nft_flush(h, d);
}

static int
b_demote(void *h, struct wg_diag *d)
{
	return enf_nft_demote(h, d);
}

static void
b_free(void *h)
{
	enf_nft_free(h);
}

const struct enf_backend enf_nft_backend = {
	.name = "nft",
	.net_admin = 1,
	.conf_new = b_conf_new,
	.conf_free = b_conf_free,
	.conf_set = b_conf_set,
	.seg_set = b_seg_set,
	.flow_set = b_flow_set,
	.conf_check = b_conf_check,
	.conf_print = b_conf_print,
	.seg_print = b_seg_print,
	.flow_print = b_flow_print,
	.rules = b_rules,
	.open = b_open,
	.put = b_put,
	.flush = b_flush,
	.demote = b_demote,
	.flow_open = b_flow_open,
	.flow_close = b_flow_close,
	.free = b_free,
};
