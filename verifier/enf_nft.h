/*
 * enf_nft.h: the nft enforcement backend of wardgate-enforcer(8).
 *
 * One table in the nftables bridge family, owned entirely by the enforcer:
 * a set of MAC addresses per segment, and rules on the configured device
 * ports so that a MAC in a segment's set exchanges frames only with that
 * segment's targets (IPv4 address, optionally one TCP or UDP port, plus
 * ARP for those addresses). A MAC in no set is treated as the default
 * segment; a segment with no targets reaches nothing. Every change is one
 * nftables transaction (libnftables): it is in force, or nothing changed.
 *
 * A field-service flow is a set of MACs with timeouts (f_NAME, at most
 * max_devices elements) and rules in chains of their own (flows_from,
 * flows_to) that let a MAC in the set exchange frames with the flow's
 * targets. Every segment that reaches something jumps to them before its
 * own rules, and a blocked segment does not: a blocked MAC stays blocked
 * whatever flow is open for it. An OPEN adds the MAC with the window's
 * timeout, so the kernel closes it even if nothing else runs any more.
 */
#ifndef WG_ENF_NFT_H
#define WG_ENF_NFT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "enf_backend.h"
#include "enfmsg.h"
#include "wg_err.h"

#define ENF_TARGETS_MAX 16
#define ENF_PORTS_MAX 16
#define ENF_TABLE_MAX 32

/* What a segment may reach: an IPv4 address, all of it or one port. */
struct enf_target {
	struct in_addr ip;
	uint8_t proto;		/* 0: any protocol, IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port;		/* with proto only */
};

struct enf_segment {
	char name[ENFMSG_SEGMENT_MAX + 1];
	struct enf_target target[ENF_TARGETS_MAX];
	size_t ntargets;	/* 0: reaches nothing */
};

struct enf_nft_conf {
	char table[ENF_TABLE_MAX];
	char port[ENF_PORTS_MAX][ENF_IFNAME_MAX];	/* device-facing */
	size_t nports;
	struct enf_segment seg[ENF_SEGMENTS_MAX];
	size_t nseg;
	size_t def;		/* the default segment, set by conf_check */
	struct enf_segment flow[ENF_FLOWS_MAX];	/* ntargets >= 1 */
	size_t nflow;
	uint32_t flow_size;	/* elements per flow set: max_devices */
	int seen_table, seen_ports;
};

/* Defaults: table "wardgate", no ports, no segments. */
void enf_nft_conf_defaults(struct enf_nft_conf *c);

/*
 * Takes one "key = value" of enforcer.conf: table, device_ports.
 * WG_ERR_NOT_FOUND for a key that is not the backend's, WG_ERR_CONFIG
 * with the reason in d for a bad value or a repeated key.
 */
int enf_nft_conf_set(struct enf_nft_conf *c, const char *key,
    const char *val, struct wg_diag *d);

/* Appends segment name (valid, new) with val: "none" or targets. */
int enf_nft_seg_set(struct enf_nft_conf *c, const char *name,
    const char *val, struct wg_diag *d);

/* Appends flow name (valid, new) with val: targets ("none" refused). */
int enf_nft_flow_set(struct enf_nft_conf *c, const char *name,
    const char *val, struct wg_diag *d);

/*
 * Cross-checks after the last key: ports given, the segments and flows
 * those of s (sets c->def and c->flow_size), and the default segment
 * reaches no target that a segment reaching anything lacks, so that
 * demotion never opens a path.
 */
int enf_nft_conf_check(struct enf_nft_conf *c, const struct enf_segs *s,
    struct wg_diag *d);

/* Writes the backend's keys, or segment i's value, in normalised form. */
void enf_nft_conf_print(const struct enf_nft_conf *c, FILE *f);
void enf_nft_seg_print(const struct enf_nft_conf *c, size_t i, FILE *f);
void enf_nft_flow_print(const struct enf_nft_conf *c, size_t i, FILE *f);

/*
 * Parses a segment value: "none" (*n = 0) or "TARGET, ..." with TARGET
 * "IPV4" or "IPV4 tcp|udp PORT", at most ENF_TARGETS_MAX into t; name is
 * for messages. 0 or WG_ERR_CONFIG. The dryrun backend shares it.
 */
int enf_nft_targets_parse(const char *name, const char *val,
    struct enf_target t[ENF_TARGETS_MAX], size_t *n, struct wg_diag *d);

/* Writes n targets as enf_nft_targets_parse reads them ("none" for 0). */
void enf_nft_targets_print(const struct enf_target *t, size_t n, FILE *f);

/*
 * The nft commands that (re)create the table, as one transaction.
 * *out is NUL-terminated text; caller frees. 0 or WG_ERR_ALLOC.
 */
int enf_nft_ruleset(const struct enf_nft_conf *c, char **out);

struct enf_nft;

/*
 * Opens libnftables and installs the ruleset: the table is replaced, so
 * every MAC starts in no set (the default segment). c is borrowed and
 * must outlive the handle. *out set on success; free with enf_nft_free.
 */
int enf_nft_open(const struct enf_nft_conf *c, struct enf_nft **out,
    struct wg_diag *d);

/* Moves mac into segment seg's set and out of every other, atomically. */
int enf_nft_put(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t seg, struct wg_diag *d);

/*
 * Opens flow for mac for seconds (1..ENFMSG_OPEN_MAX): the element gets
 * that timeout, replacing the time left of an open one, in one
 * transaction (add, delete, add).
 */
int enf_nft_flow_open(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t flow, uint32_t seconds, struct wg_diag *d);

/* Closes flow for mac (add, delete: one not open is no error). */
int enf_nft_flow_close(struct enf_nft *n, const uint8_t mac[ENFMSG_MAC_LEN],
    size_t flow, struct wg_diag *d);

/* Empties every set: every MAC back to the default segment, every flow
 * closed. */
int enf_nft_flush(struct enf_nft *n, struct wg_diag *d);

/*
 * Empties the sets of the segments that reach something and are not the
 * default, and every flow's: their MACs fall back to the default segment,
 * blocked MACs stay. What the enforcer does before it exits on a protocol
 * violation.
 */
int enf_nft_demote(struct enf_nft *n, struct wg_diag *d);

/* Frees the handle (NULL allowed); the table stays in the kernel. */
void enf_nft_free(struct enf_nft *n);

#endif /* WG_ENF_NFT_H */
