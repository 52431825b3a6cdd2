/*
 * advisory.h: vulnerability advisories for device firmware, in the spirit
 * of a CSAF VEX statement reduced to what a gateway acts on:
 *
 *   {"id": "PHI-2026-031", "model": "Infusomat Space",
 *    "affected": ["4.2.0", "4.2.1"], "fixed": "4.2.2",
 *    "severity": "critical|high|medium|low",
 *    "action": "quarantine|restrict|notify",
 *    "title": "...", "published": "2026-11-20"}
 *
 * id, model, affected, severity and action are required; fixed, title
 * and published are optional; any other member is refused. The text is
 * untrusted: strict JSON (lib/sjson.h), bounded sizes, printable strings.
 */
#ifndef WG_ADVISORY_H
#define WG_ADVISORY_H

#include <stddef.h>

#include "wg_err.h"

#define ADVISORY_MAX_BYTES (64u * 1024)
#define ADVISORY_ID_MAX 64		/* [A-Za-z0-9._:-], bytes */
#define ADVISORY_TEXT_MAX 128		/* model, releases, bytes */
#define ADVISORY_TITLE_MAX 256
#define ADVISORY_AFFECTED_MAX 64

enum advisory_action {
	ADVISORY_NOTIFY = 0,	/* recorded and reported; no network change */
	ADVISORY_RESTRICT,	/* vulnerable, in the restricted segment */
	ADVISORY_QUARANTINE,	/* vulnerable, in quarantine */
};

struct advisory {
	char id[ADVISORY_ID_MAX + 1];
	char model[ADVISORY_TEXT_MAX + 1];
	char affected[ADVISORY_AFFECTED_MAX][ADVISORY_TEXT_MAX + 1];
	size_t naffected;
	char fixed[ADVISORY_TEXT_MAX + 1];	/* "" if none yet */
	char severity[16];
	enum advisory_action action;
	char title[ADVISORY_TITLE_MAX + 1];
	char published[32];
};

/*
 * Parses exactly len bytes. 0 and *out, or WG_ERR_ADVISORY (WG_ERR_ALLOC)
 * with the member and the reason in d.
 */
int advisory_parse(const char *json, size_t len, struct advisory *out,
    struct wg_diag *d);

/* 1 when a names model and lists release as affected; else 0. */
int advisory_affects(const struct advisory *a, const char *model,
    const char *release);

/* "notify", "restrict", "quarantine". */
const char *advisory_action_name(enum advisory_action action);

#endif /* WG_ADVISORY_H */
