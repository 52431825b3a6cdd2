/*
 * enf_backend.h: what every enforcement backend of wardgate-enforcer(8)
 * provides, as one table of functions (struct enf_backend), and what the
 * core gives the backends: the segment names and enf_log().
 *
 * The core owns the keys backend, max_devices, default and the names of
 * "segment NAME = VALUE" and "flow NAME = VALUE"; a backend owns its own
 * keys and the VALUE of each segment and flow. Segment i is the same
 * segment for the core and the backend: the i-th segment line of
 * enforcer.conf; flow i likewise the i-th flow line.
 */
#ifndef WG_ENF_BACKEND_H
#define WG_ENF_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "enfmsg.h"
#include "wg_err.h"

#define ENF_SEGMENTS_MAX 16
#define ENF_FLOWS_MAX 16
#define ENF_IFNAME_MAX 16	/* IFNAMSIZ */

/* The segments and flows of enforcer.conf, in the file's order. */
struct enf_segs {
	char name[ENF_SEGMENTS_MAX][ENFMSG_SEGMENT_MAX + 1];
	int blocked[ENF_SEGMENTS_MAX];	/* written "none": reaches nothing */
	size_t n;
	size_t def;			/* index of the default segment */
	/* Field-service flows: no name is also a segment's. */
	char flow[ENF_FLOWS_MAX][ENFMSG_SEGMENT_MAX + 1];
	size_t nflows;
	uint32_t max_devices;		/* enforcer.conf's max_devices */
};

struct enf_backend {
	const char *name;
	int net_admin;		/* needs CAP_NET_ADMIN once open */

	/* Configuration with the backend's defaults; NULL: out of memory.
	 * Freed with conf_free (NULL allowed). */
	void *(*conf_new)(void);
	void (*conf_free)(void *c);
	/* One "key = value" of the backend's; WG_ERR_NOT_FOUND for a key
	 * that is not its own, else 0 or WG_ERR_CONFIG with the reason. */
	int (*conf_set)(void *c, const char *key, const char *val,
	    struct wg_diag *d);
	/* The value of segment i (name already checked, i == the number of
	 * segments set before); 0 or WG_ERR_CONFIG. */
	int (*seg_set)(void *c, size_t i, const char *name, const char *val,
	    struct wg_diag *d);
	/* Optional, all four flow_* or none (NULL: the backend cannot open
	 * field-service flows and the core refuses every flow line). The
	 * value of flow i (name checked, not "none", i == the number of
	 * flows set before); 0 or WG_ERR_CONFIG. */
	int (*flow_set)(void *c, size_t i, const char *name, const char *val,
	    struct wg_diag *d);
	/* After the last key: cross-checks, with the segments and flows (s
	 * borrowed, outlives c). 0 or WG_ERR_CONFIG. */
	int (*conf_check)(void *c, const struct enf_segs *s,
	    struct wg_diag *d);
	/* The backend's keys, then segment i's value, in normalised form. */
	void (*conf_print)(const void *c, FILE *f);
	void (*seg_print)(const void *c, size_t i, FILE *f);
	void (*flow_print)(const void *c, size_t i, FILE *f);
	/* -p: what would be installed, NUL-terminated, caller frees; NULL
	 * when the backend has nothing to show. 0 or WG_ERR_ALLOC. */
	int (*rules)(const void *c, char **out);

	/* Puts every device in the default segment, every flow closed, and
	 * returns a handle (c borrowed, outlives it); free with free (NULL
	 * allowed). */
	int (*open)(const void *c, void **h, struct wg_diag *d);
	/* Moves the device mac to segment seg (in force on return). */
	int (*put)(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
	    struct wg_diag *d);
	/* Every device back to the default segment, every flow closed. */
	int (*flush)(void *h, struct wg_diag *d);
	/* Every device in a segment that reaches something and is not the
	 * default back to the default, every flow closed; blocked devices
	 * stay blocked. */
	int (*demote)(void *h, struct wg_diag *d);
	/* Opens flow for mac (whatever its segment, unless that is blocked)
	 * for seconds (1..ENFMSG_OPEN_MAX); an open one gets the new time.
	 * It closes by itself when the time is up. In force on return.
	 * WG_ERR_TOO_LARGE: the flow holds as many windows as it can
	 * (max_devices), nothing changed; any other error likewise. */
	int (*flow_open)(void *h, const uint8_t mac[ENFMSG_MAC_LEN],
	    size_t flow, uint32_t seconds, struct wg_diag *d);
	/* Closes flow for mac now; one that is not open is no error. */
	int (*flow_close)(void *h, const uint8_t mac[ENFMSG_MAC_LEN],
	    size_t flow, struct wg_diag *d);
	void (*free)(void *h);
};

extern const struct enf_backend enf_nft_backend;
extern const struct enf_backend enf_bridge_backend;
extern const struct enf_backend enf_exec_backend;
extern const struct enf_backend enf_dryrun_backend;

/* One log line on standard error, UTC time first (enforcer.c). */
void enf_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when s[0..n) is an interface name ([A-Za-z0-9_.-], 1..15). */
int enf_ifname_valid(const char *s, size_t n);

/*
 * Parses a list of interface names separated by blanks into names (at
 * most max, no repeats); key names the key in messages. 0 or
 * WG_ERR_CONFIG.
 */
int enf_ifnames_parse(const char *key, const char *val,
    char (*names)[ENF_IFNAME_MAX], size_t max, size_t *n, struct wg_diag *d);

#endif /* WG_ENF_BACKEND_H */
