/*
 * notify_fmt.h: one device state change as the webhook's JSON body and
 * as the syslog line (docs/operations.md). Pure functions, for tests.
 */
#ifndef WG_NOTIFY_FMT_H
#define WG_NOTIFY_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define NOTIFY_REASON_LEN 256
#define NOTIFY_LINE_MAX 1024

struct notify_event {
	char device_id[STORE_ID_LEN];
	char name[STORE_TEXT_LEN];
	char from[STORE_STATE_LEN];	/* "" for a new device */
	char to[STORE_STATE_LEN];
	char segment[STORE_SEGMENT_LEN];
	char reason[NOTIFY_REASON_LEN];
	int64_t at;			/* unix seconds */
};

/*
 * {"event":"state_change","device_id":..,"name":..,"from":..|null,
 * "to":..,"segment":..,"reason":..,"at":"ISO 8601 UTC","at_unix":N}
 * as a string (caller frees); NULL when out of memory.
 */
char *notify_fmt_json(const struct notify_event *e);

/*
 * The syslog line: "state-change device=NAME id=ID from=FROM to=TO
 * segment=SEG reason=TEXT", logfmt: a value with anything but
 * [A-Za-z0-9._:/@+-] is quoted, '"' and '\' escaped with '\', other
 * bytes outside printable ASCII as \xHH; an empty from is "-". Always
 * NUL-terminated in out (truncated to len - 1 bytes).
 */
void notify_fmt_syslog(const struct notify_event *e, char *out, size_t len);

#endif
