/*
 * enf_dryrun.h: the dryrun backend of wardgate-enforcer(8). Nothing in
 * the network changes: the core's device table is all there is, and
 * every change is logged ("dry-run: PUT MAC SEGMENT"). Needs no
 * privilege; for demonstrations and tests. Segment values are checked as
 * the nft or bridge backend would ("none", targets, or "vlan N"), so that
 * a configuration can be tried before its backend is switched on.
 */
#ifndef WG_ENF_DRYRUN_H
#define WG_ENF_DRYRUN_H

#include "enf_backend.h"

/* The backend table; it has no functions of its own outside it. */
extern const struct enf_backend enf_dryrun_backend;

#endif /* WG_ENF_DRYRUN_H */
