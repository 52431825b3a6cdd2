/* enf_bridge.c: the bridge backend: port PVIDs over rtnetlink (libmnl). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "enf_bridge.h"

#define SYSFS_NET "/sys/class/net"

struct bport {
	char name[ENF_IFNAME_MAX];
	unsigned ifindex;
	size_t seg;			/* the segment it is in */
	uint8_t mac[ENFMSG_MAC_LEN];	/* the MAC last put there; 0: none */
};

struct enf_bridge {
	const struct enf_bridge_conf *c;	/* borrowed */
	struct mnl_socket *nl;
	unsigned portid, seq, brindex;
	struct bport port[ENF_BRIDGE_PORTS_MAX];
	size_t nports;
};

/* ---- configuration ---- */

int
enf_bridge_vlan_parse(const char *val, uint16_t *vid)
{
	unsigned long v;
	char *end;

	if (strncmp(val, "vlan", 4) != 0 || (val[4] != ' ' && val[4] != '\t'))
		return -1;
	val += 4;
	while (*val == ' ' || *val == '\t')
		val++;
	if (*val < '1' || *val > '9')
		return -1;
	errno = 0;
	v = strtoul(val, &end, 10);
	if (*end != '\0' || errno != 0 || v > ENF_VLAN_MAX)
		return -1;
	*vid = (uint16_t)v;
	return 0;
}

static void *
br_conf_new(void)
{
	return calloc(1, sizeof(struct enf_bridge_conf));
}

static void
br_conf_free(void *c)
{
	free(c);
}

static int
br_conf_set(void *cv, const char *key, const char *val, struct wg_diag *d)
{
	struct enf_bridge_conf *c = cv;

	if (strcmp(key, "bridge") == 0) {
		if (c->seen_bridge++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "bridge given twice");
		if (!enf_ifname_valid(val, strlen(val)))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "bridge: not an interface name");
		strcpy(c->bridge, val);
		return 0;
	}
	if (strcmp(key, "device_ports") == 0) {
		if (c->seen_ports++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "device_ports given twice");
		return enf_ifnames_parse("device_ports", val, c->port,
		    ENF_BRIDGE_PORTS_MAX, &c->nports, d);
	}
	return WG_ERR_NOT_FOUND;
}

static int
br_seg_set(void *cv, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_bridge_conf *c = cv;
	uint16_t vid = 0;
	size_t j;

	if (i != c->nseg || i >= ENF_SEGMENTS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment: bad argument");
	if (strcmp(val, "none") != 0) {
		if (enf_bridge_vlan_parse(val, &vid) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "segment %s: expected \"vlan N\" (N 1..%d) or "
			    "\"none\"", name, ENF_VLAN_MAX);
		for (j = 0; j < i; j++)
			if (c->vid[j] == vid)
				return wg_diag_set(d, WG_ERR_CONFIG,
				    "segment %s: vlan %u is another segment's",
				    name, vid);
	}
	c->vid[i] = vid;
	c->nseg++;
	return 0;
}

static int
br_conf_check(void *cv, const struct enf_segs *s, struct wg_diag *d)
{
	struct enf_bridge_conf *c = cv;
	size_t i;

	if (!c->seen_bridge)
		return wg_diag_set(d, WG_ERR_CONFIG, "bridge missing");
	if (c->nports == 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device_ports missing");
	for (i = 0; i < c->nports; i++)
		if (strcmp(c->port[i], c->bridge) == 0)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "device_ports: %s is the bridge itself", c->bridge);
	if (s->n == 0 || s->n != c->nseg)
		return wg_diag_set(d, WG_ERR_CONFIG, "no segment defined");
	c->segs = s;
	return 0;
}

static void
br_conf_print(const void *cv, FILE *f)
{
	const struct enf_bridge_conf *c = cv;
	size_t i;

	fprintf(f, "bridge = %s\ndevice_ports =", c->bridge);
	for (i = 0; i < c->nports; i++)
		fprintf(f, " %s", c->port[i]);
	fputc('\n', f);
}

static void
br_seg_print(const void *cv, size_t i, FILE *f)
{
	const struct enf_bridge_conf *c = cv;

	if (i >= c->nseg)
		return;
	if (c->vid[i] == 0)
		fputs("none", f);
	else
		fprintf(f, "vlan %u", c->vid[i]);
}

/* ---- rtnetlink ---- */

/* Sends nlh and reads until its answer: 0, or -1 with errno set. */
static int
nl_talk(struct enf_bridge *b, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	char buf[32768];
	ssize_t n;
	int r;

	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(b->nl, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, b->portid, cb,
		    arg);
		if (r == MNL_CB_ERROR)
			return -1;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/*
 * Adds (RTM_SETLINK) or deletes (RTM_DELLINK) the VLANs from..to on the
 * port ifindex with flags. Deleting a VLAN the port is not in is no error.
 */
static int
nl_vlan(struct enf_bridge *b, unsigned ifindex, int del, uint16_t from,
    uint16_t to, uint16_t flags)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nlattr *nest;
	struct bridge_vlan_info vi;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = del ? RTM_DELLINK : RTM_SETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++b->seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_BRIDGE;
	ifm->ifi_index = (int)ifindex;
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	memset(&vi, 0, sizeof(vi));
	if (from == to) {
		vi.flags = flags;
		vi.vid = from;
		mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	} else {
		vi.flags = flags | BRIDGE_VLAN_INFO_RANGE_BEGIN;
		vi.vid = from;
		mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
		vi.flags = flags | BRIDGE_VLAN_INFO_RANGE_END;
		vi.vid = to;
		mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	}
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(b, nlh, NULL, NULL);
}

/*
 * Puts port p in segment seg: out of every VLAN, then (unless the
 * segment is "none") into the segment's as PVID, untagged. In between
 * the port is in no VLAN: blocked, never open.
 */
static int
port_set(struct enf_bridge *b, struct bport *p, size_t seg, struct wg_diag *d)
{
	uint16_t vid = b->c->vid[seg];

	if (nl_vlan(b, p->ifindex, 1, 1, ENF_VLAN_MAX, 0) != 0 ||
	    (vid != 0 && nl_vlan(b, p->ifindex, 0, vid, vid,
	    BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED) != 0)) {
		if (errno == EOPNOTSUPP)
			return wg_diag_set(d, WG_ERR_UNSUPPORTED,
			    "bridge %s: port %s: setting VLANs: %s (the kernel "
			    "has no bridge VLAN filtering?)", b->c->bridge,
			    p->name, strerror(errno));
		return wg_diag_set(d, WG_ERR_IO, "bridge %s: port %s: "
		    "setting vlan %u: %s", b->c->bridge, p->name, vid,
		    strerror(errno));
	}
	p->seg = seg;
	return 0;
}

/* The FDB entry sought: the freshest one of mac on a port of the bridge. */
struct fdb_find {
	const uint8_t *mac;
	unsigned brindex;
	unsigned ifindex;	/* 0: none found */
	uint32_t updated;	/* of the one found: lower is fresher */
};

static int
fdb_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NDA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int
fdb_entry(const struct nlmsghdr *nlh, void *data)
{
	struct fdb_find *f = data;
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	const struct nda_cacheinfo *ci;
	uint32_t updated = UINT32_MAX;

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return MNL_CB_OK;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE ||
	    (ndm->ndm_state & NUD_PERMANENT) != 0)	/* the port's own */
		return MNL_CB_OK;
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*ndm), fdb_attr, tb) < 0)
		return MNL_CB_OK;
	if (tb[NDA_LLADDR] == NULL || tb[NDA_MASTER] == NULL ||
	    mnl_attr_get_payload_len(tb[NDA_LLADDR]) != ENFMSG_MAC_LEN ||
	    mnl_attr_get_payload_len(tb[NDA_MASTER]) != sizeof(uint32_t) ||
	    mnl_attr_get_u32(tb[NDA_MASTER]) != f->brindex ||
	    memcmp(mnl_attr_get_payload(tb[NDA_LLADDR]), f->mac,
	    ENFMSG_MAC_LEN) != 0 || ndm->ndm_ifindex <= 0 ||
	    (unsigned)ndm->ndm_ifindex == f->brindex)
		return MNL_CB_OK;
	if (tb[NDA_CACHEINFO] != NULL &&
	    mnl_attr_get_payload_len(tb[NDA_CACHEINFO]) >= sizeof(*ci)) {
		ci = mnl_attr_get_payload(tb[NDA_CACHEINFO]);
		updated = ci->ndm_updated;
	}
	if (f->ifindex == 0 || updated < f->updated) {
		f->ifindex = (unsigned)ndm->ndm_ifindex;
		f->updated = updated;
	}
	return MNL_CB_OK;
}

/* The port mac was last learned on; 0 or WG_ERR_NOT_FOUND / WG_ERR_IO. */
static int
fdb_port(struct enf_bridge *b, const uint8_t mac[ENFMSG_MAC_LEN],
    unsigned *ifindex, struct wg_diag *d)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct fdb_find f;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++b->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	memset(&f, 0, sizeof(f));
	f.mac = mac;
	f.brindex = b->brindex;
	if (nl_talk(b, nlh, fdb_entry, &f) != 0)
		return wg_diag_set(d, WG_ERR_IO, "bridge %s: reading the "
		    "forwarding database: %s", b->c->bridge, strerror(errno));
	if (f.ifindex == 0)
		return wg_diag_set(d, WG_ERR_NOT_FOUND, "bridge %s has not "
		    "learned this MAC (yet): the device has sent nothing "
		    "through it, or is on another bridge", b->c->bridge);
	*ifindex = f.ifindex;
	return 0;
}

/* ---- start ---- */

/* Reads the first line of /sys/class/net/NAME/REST; 0 or -1, errno. */
static int
sysfs_read(const char *name, const char *rest, char *out, int len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_NET "/%s/%s", name, rest);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(out, len, f) == NULL) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int
sysfs_exists(const char *name, const char *rest)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), SYSFS_NET "/%s%s%s", name,
	    rest[0] != '\0' ? "/" : "", rest);
	return stat(path, &st) == 0;
}

/* What the kernel and the bridge can do; the reason in d if not enough. */
static int
bridge_check(const struct enf_bridge_conf *c, struct wg_diag *d)
{
	char v[16];

	if (!sysfs_exists(c->bridge, ""))
		return wg_diag_set(d, WG_ERR_NOT_FOUND, "bridge %s: no such "
		    "interface in " SYSFS_NET, c->bridge);
	if (!sysfs_exists(c->bridge, "bridge"))
		return wg_diag_set(d, WG_ERR_CONFIG, "bridge %s: not a bridge",
		    c->bridge);
	if (!sysfs_exists(c->bridge, "bridge/vlan_filtering"))
		return wg_diag_set(d, WG_ERR_UNSUPPORTED, "bridge %s: the "
		    "kernel has no bridge VLAN filtering "
		    "(CONFIG_BRIDGE_VLAN_FILTERING)", c->bridge);
	if (sysfs_read(c->bridge, "bridge/vlan_filtering", v, sizeof(v)) != 0)
		return wg_diag_set(d, WG_ERR_IO, "bridge %s: reading "
		    "vlan_filtering: %s", c->bridge, strerror(errno));
	if (strcmp(v, "1") != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "bridge %s: VLAN filtering "
		    "is off (ip link set %s type bridge vlan_filtering 1)",
		    c->bridge, c->bridge);
	return 0;
}

/* Port name of the bridge: its ifindex in *ifindex, or the reason. */
static int
port_check(const struct enf_bridge_conf *c, const char *name,
    unsigned *ifindex, struct wg_diag *d)
{
	char path[128], link[PATH_MAX], *base;
	ssize_t n;

	if ((*ifindex = if_nametoindex(name)) == 0)
		return wg_diag_set(d, WG_ERR_NOT_FOUND, "device port %s: no "
		    "such interface", name);
	snprintf(path, sizeof(path), SYSFS_NET "/%s/master", name);
	if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device port %s: not a "
		    "port of bridge %s (it has no master)", name, c->bridge);
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base != NULL ? base + 1 : link;
	if (strcmp(base, c->bridge) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "device port %s: a port "
		    "of %.16s, not of bridge %s", name, base, c->bridge);
	return 0;
}

static void br_free(void *h);

static int
br_open(const void *cv, void **h, struct wg_diag *d)
{
	const struct enf_bridge_conf *c = cv;
	struct enf_bridge *b;
	size_t i;
	int r;

	if ((r = bridge_check(c, d)) != 0)
		return r;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "bridge handle");
	b->c = c;
	b->seq = (unsigned)time(NULL);
	if ((b->brindex = if_nametoindex(c->bridge)) == 0) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "bridge %s: no such "
		    "interface", c->bridge);
		goto out;
	}
	for (i = 0; i < c->nports; i++) {
		strcpy(b->port[i].name, c->port[i]);
		if ((r = port_check(c, c->port[i], &b->port[i].ifindex,
		    d)) != 0)
			goto out;
	}
	b->nports = c->nports;
	if ((b->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(b->nl, 0, MNL_SOCKET_AUTOPID) != 0) {
		r = wg_diag_set(d, WG_ERR_IO, "rtnetlink: %s", strerror(errno));
		goto out;
	}
	b->portid = mnl_socket_get_portid(b->nl);
	for (i = 0; i < b->nports; i++)
		if ((r = port_set(b, &b->port[i], c->segs->def, d)) != 0)
			goto out;
	enf_log("bridge %s: %zu device port(s) in %s (%s%u)", c->bridge,
	    b->nports, c->segs->name[c->segs->def],
	    c->vid[c->segs->def] != 0 ? "vlan " : "no vlan",
	    c->vid[c->segs->def]);
	r = 0;
out:
	if (r != 0)
		br_free(b);
	else
		*h = b;
	return r;
}

/* ---- changes ---- */

static int
br_put(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
    struct wg_diag *d)
{
	static const uint8_t zero[ENFMSG_MAC_LEN];
	struct enf_bridge *b = h;
	char m[ENFMSG_MAC_TEXT], prev[ENFMSG_MAC_TEXT];
	struct bport *p = NULL;
	unsigned ifindex = 0;
	size_t i;
	int r;

	if (seg >= b->c->nseg || !enfmsg_mac_valid(mac))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "put: bad argument");
	enfmsg_mac_format(mac, m);
	if ((r = fdb_port(b, mac, &ifindex, d)) != 0)
		return r;
	for (i = 0; i < b->nports; i++)
		if (b->port[i].ifindex == ifindex)
			p = &b->port[i];
	if (p == NULL) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname(ifindex, name);
		return wg_diag_set(d, WG_ERR_CONFIG, "bridge %s learned %s on "
		    "port %s, which is not in device_ports: not changed",
		    b->c->bridge, m, name);
	}
	if (memcmp(p->mac, zero, ENFMSG_MAC_LEN) != 0 &&
	    memcmp(p->mac, mac, ENFMSG_MAC_LEN) != 0 && p->seg != seg)
		enf_log("bridge %s: port %s moves from %s (put for %s) to %s "
		    "(for %s): every device on a port shares its segment",
		    b->c->bridge, p->name, b->c->segs->name[p->seg],
		    enfmsg_mac_format(p->mac, prev), b->c->segs->name[seg], m);
	if ((r = port_set(b, p, seg, d)) != 0)
		return r;
	memcpy(p->mac, mac, ENFMSG_MAC_LEN);
	enf_log("bridge %s: %s on port %s: %s%u", b->c->bridge, m, p->name,
	    b->c->vid[seg] != 0 ? "pvid " : "no vlan", b->c->vid[seg]);
	return 0;
}

/* Every device port (demote: those in a segment that reaches something
 * and is not the default) back to the default segment. */
static int
reset_ports(struct enf_bridge *b, int demote, struct wg_diag *d)
{
	const struct enf_segs *s = b->c->segs;
	size_t i;
	int r, ret = 0;

	for (i = 0; i < b->nports; i++) {
		struct bport *p = &b->port[i];

		if (demote && (p->seg == s->def || s->blocked[p->seg]))
			continue;
		/* Go on after a failure: demote as many as possible. */
		if ((r = port_set(b, p, s->def, d)) != 0)
			ret = r;
		else
			memset(p->mac, 0, ENFMSG_MAC_LEN);
	}
	return ret;
}

static int
br_flush(void *h, struct wg_diag *d)
{
	return reset_ports(h, 0, d);
}

static int
br_demote(void *h, struct wg_diag *d)
{
	return reset_ports(h, 1, d);
}

static void
br_free(void *h)
{
	struct enf_bridge *b = h;

	if (b == NULL)
		return;
	if (b->nl != NULL)
		mnl_socket_close(b->nl);
	free(b);
}

const struct enf_backend enf_bridge_backend = {
	.name = "bridge",
	.net_admin = 1,
	.conf_new = br_conf_new,
	.conf_free = br_conf_free,
	.conf_set = br_conf_set,
	.seg_set = br_seg_set,
	.conf_check = br_conf_check,
	.conf_print = br_conf_print,
	.seg_print = br_seg_print,
	.rules = NULL,
	.open = br_open,
	.put = br_put,
	.flush = br_flush,
	.demote = br_demote,
	.free = br_free,
};
