/*
 * enf_bridge.h: the bridge backend of wardgate-enforcer(8). A segment is
 * a VLAN of a VLAN-filtering Linux bridge; a device is moved by making
 * its segment's VLAN the PVID (untagged, the only VLAN) of the bridge
 * port it was learned on, over rtnetlink (libmnl). A segment written
 * "none" is no VLAN: the port is in no VLAN and forwards nothing.
 *
 * The port is found from the MAC in the bridge's forwarding database;
 * only ports listed in device_ports are ever changed. At start every
 * device port is put in the default segment's VLAN. Moves are per port:
 * every device behind one port shares its segment.
 */
#ifndef WG_ENF_BRIDGE_H
#define WG_ENF_BRIDGE_H

#include <stdint.h>
#include <stdio.h>

#include "enf_backend.h"

#define ENF_BRIDGE_PORTS_MAX 256
#define ENF_VLAN_MAX 4094

struct enf_bridge_conf {
	char bridge[ENF_IFNAME_MAX];
	char port[ENF_BRIDGE_PORTS_MAX][ENF_IFNAME_MAX];
	size_t nports;
	uint16_t vid[ENF_SEGMENTS_MAX];	/* 0: "none" */
	size_t nseg;
	const struct enf_segs *segs;	/* borrowed, set by conf_check */
	int seen_bridge, seen_ports;
};

/* Parses "vlan N", N 1..4094, into *vid; 0 or -1. */
int enf_bridge_vlan_parse(const char *val, uint16_t *vid);

extern const struct enf_backend enf_bridge_backend;

#endif /* WG_ENF_BRIDGE_H */
