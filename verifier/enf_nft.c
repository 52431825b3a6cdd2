/* enf_nft.c: the nft backend: bridge-family sets and rules, libnftables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <nftables/libnftables.h>

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
	strcpy(c->def_name, "quarantine");
}

int
enf_nft_segment_find(const struct enf_nft_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nseg; i++)
		if (strcmp(c->seg[i].name, name) == 0)
			return (int)i;
	return -1;
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

static int
ifname_valid(const char *s, size_t n)
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

static int
parse_ports(struct enf_nft_conf *c, const char *val, struct wg_diag *d)
{
	const char *p = val;
	size_t n, i;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if (!ifname_valid(p, n))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "device_ports: \"%.*s\" is not an interface name",
			    (int)(n > 32 ? 32 : n), p);
		if (c->nports == ENF_PORTS_MAX)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "device_ports: more than %d", ENF_PORTS_MAX);
		memcpy(c->port[c->nports], p, n);
		c->port[c->nports][n] = '\0';
		for (i = 0; i < c->nports; i++)
			if (strcmp(c->port[i], c->port[c->nports]) == 0)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "device_ports: %s given twice", c->port[i]);
		c->nports++;
		p += n;
	}
	if (c->nports == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device_ports: empty");
	return 0;
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

static int
parse_segment(struct enf_nft_conf *c, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_segment *s;
	char copy[1024], *item, *save = NULL;

	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "segment \"%.40s\": name not [a-z0-9_-]{1,32}", name);
	if (enf_nft_segment_find(c, name) >= 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment %s given twice",
		    name);
	if (c->nseg == ENF_SEGMENTS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "more than %d segments",
		    ENF_SEGMENTS_MAX);
	if (strlen(val) >= sizeof(copy))
		return wg_diag_set(d, WG_ERR_CONFIG, "segment %s: too long",
		    name);
	s = &c->seg[c->nseg];
	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	if (strcmp(val, "none") != 0) {
		strcpy(copy, val);
		for (item = strtok_r(copy, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save)) {
			if (s->ntargets == ENF_TARGETS_MAX)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "segment %s: more than %d targets", name,
				    ENF_TARGETS_MAX);
			if (parse_target(item, &s->target[s->ntargets]) != 0)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "segment %s: target %zu: expected "
				    "\"IPV4\" or \"IPV4 tcp|udp PORT\"", name,
				    s->ntargets + 1);
			s->ntargets++;
		}
		if (s->ntargets == 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s: no targets (write \"none\")", name);
	}
	c->nseg++;
	return 0;
}

int
enf_nft_conf_set(struct enf_nft_conf *c, const char *key, const char *val,
    struct wg_diag *d)
{
	if (strncmp(key, "segment", 7) == 0 &&
	    (key[7] == ' ' || key[7] == '\t')) {
		key += 7;
		while (*key == ' ' || *key == '\t')
			key++;
		return parse_segment(c, key, val, d);
	}
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
		return parse_ports(c, val, d);
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
	return WG_ERR_NOT_FOUND;
}

static int
target_equal(const struct enf_target *a, const struct enf_target *b)
{
	return a->ip.s_addr == b->ip.s_addr && a->proto == b->proto &&
	    a->port == b->port;
}

int
enf_nft_conf_check(struct enf_nft_conf *c, struct wg_diag *d)
{
	const struct enf_segment *def;
	int i;
	size_t s, t, u;

	if (c->nports == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device_ports missing");
	if (c->nseg == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "no segment defined");
	if ((i = enf_nft_segment_find(c, c->def_name)) < 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "default: segment %s is not defined", c->def_name);
	c->def = (size_t)i;
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
enf_nft_conf_print(const struct enf_nft_conf *c, FILE *f)
{
	size_t i, t;

	fprintf(f, "table = %s\n", c->table);
	fputs("device_ports =", f);
	for (i = 0; i < c->nports; i++)
		fprintf(f, " %s", c->port[i]);
	fprintf(f, "\ndefault = %s\n", c->def_name);
	for (i = 0; i < c->nseg; i++) {
		fprintf(f, "segment %s = ", c->seg[i].name);
		if (c->seg[i].ntargets == 0)
			fputs("none", f);
		for (t = 0; t < c->seg[i].ntargets; t++) {
			if (t > 0)
				fputs(", ", f);
			print_target(&c->seg[i].target[t], f);
		}
		fputc('\n', f);
	}
}

/*
 * The rules of one segment in one direction. from: frames a device sends
 * (match its source MAC, the target as destination); else frames to a
 * device. set NULL: the fallthrough for MACs in no set.
 */
static void
emit_segment(const struct enf_nft_conf *c, const struct enf_segment *s,
    const char *set, int from, FILE *f)
{
	const char *chain = from ? "from_dev" : "to_dev";
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
	fprintf(f, "add rule bridge %s %s %sdrop\n", c->table, chain, match);
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
	fprintf(f, "add chain bridge %s from_dev\n"
	    "add chain bridge %s to_dev\n", T, T);
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

/* Runs cmds as one transaction; the first line of nft's error in d. */
static int
nft_run(struct enf_nft *n, const char *cmds, struct wg_diag *d)
{
	const char *err;
	size_t l;

	if (nft_run_cmd_from_buffer(n->ctx, cmds) == 0)
		return 0;
	err = nft_ctx_get_error_buffer(n->ctx);
	if (err == NULL || *err == '\0')
		err = "nft: unknown error";
	l = strcspn(err, "\n");
	return wg_diag_set(d, WG_ERR_IO, "nft: %.*s", (int)(l > 200 ? 200 : l),
	    err);
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

static int
flush_sets(struct enf_nft *n, int demote_only, struct wg_diag *d)
{
	const struct enf_nft_conf *c = n->c;
	char cmds[ENF_SEGMENTS_MAX * 128];
	size_t i, off = 0;

	for (i = 0; i < c->nseg; i++) {
		if (demote_only && (i == c->def || c->seg[i].ntargets == 0))
			continue;
		off += (size_t)snprintf(cmds + off, sizeof(cmds) - off,
		    "flush set bridge %s s_%s\n", c->table, c->seg[i].name);
	}
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
