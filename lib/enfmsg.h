/*
 * enfmsg.h: the fixed-size messages between wardgated and
 * wardgate-enforcer(8), over a SOCK_SEQPACKET socketpair.
 *
 * Every message is ENFMSG_LEN (64) bytes, integers big-endian:
 *
 *   0  u8      version (ENFMSG_VERSION)
 *   1  u8      type (enum enfmsg_type)
 *   2  u16     reason (NAK), flags (SEGMENT), else 0
 *   4  u32     sequence number
 *   8  u8[6]   MAC address
 *  14  u8[2]   reserved, zero
 *  16  u8[32]  segment or flow name, NUL-padded ([a-z0-9_-], 1..32 bytes)
 *  48  u32     seconds (OPEN: 1..ENFMSG_OPEN_MAX), else 0
 *  52  u8[12]  reserved, zero
 *
 * Which fields a type carries is fixed (see enfmsg_check()); a field a type
 * does not carry must be zero:
 *
 *   type          seq    reason  MAC  name     seconds
 *   PUT      1    >= 1   0       yes  segment  0
 *   FLUSH    2    >= 1   0       no   no       0
 *   LIST     3    >= 1   0       no   no       0
 *   OPEN     4    >= 1   0       yes  flow     1..604800
 *   CLOSE    5    >= 1   0       yes  flow     0
 *   ACK      0x81 any    0       echo of PUT/OPEN/CLOSE, or neither; 0
 *   NAK      0x82 any    reason  echo, or neither          0
 *   ENTRY    0x83 any    0       yes  segment  0
 *   SEGMENT  0x84 0      flags   no   segment  0
 *   FLOW     0x85 0      0       no   flow     0
 *
 * Requests (PUT, FLUSH, LIST, OPEN, CLOSE) have a sequence number >= 1;
 * the enforcer answers each with the same number: an ACK once the change
 * is in force, or a NAK with a reason; LIST is answered by one ENTRY per
 * device and then an ACK. An ACK or NAK of a PUT, OPEN or CLOSE echoes its
 * MAC and name (not the seconds of an OPEN).
 *
 * At start the enforcer sends, unasked, one SEGMENT per segment of its
 * enforcer.conf, in the file's order: sequence 0, MAC zero, the segment's
 * name, and in the reason field flags (ENFMSG_SEG_DEFAULT: the default
 * segment, exactly one has it; other bits zero). Then one FLOW per
 * field-service flow of enforcer.conf, in the file's order (sequence 0, no
 * MAC, the flow's name). Then an ACK with sequence 0 and no MAC: the
 * ruleset is in place. wardgated checks that every segment it may PUT was
 * announced before it relies on the enforcer, and opens only announced
 * flows.
 *
 * OPEN lets MAC reach the flow's targets for `seconds`, whatever its
 * segment (a blocked segment excepted), on top of it; a second OPEN of the
 * same MAC and flow replaces the time left. CLOSE ends it at once (closing
 * a flow that is not open is not an error). A flow the enforcer does not
 * know is answered NAK UNKNOWN; an OPEN of a further MAC when the flow
 * holds max_devices windows NAK FULL (a replacement is still taken).
 */
#ifndef WG_ENFMSG_H
#define WG_ENFMSG_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

#define ENFMSG_LEN 64
#define ENFMSG_VERSION 1
#define ENFMSG_MAC_LEN 6
#define ENFMSG_SEGMENT_MAX 32	/* bytes of name; no NUL needed at 32 */
#define ENFMSG_MAC_TEXT 18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define ENFMSG_OPEN_MAX 604800u	/* seconds of an OPEN: at most 7 days */

enum enfmsg_type {
	ENFMSG_PUT = 1,		/* MAC + segment: move the device there */
	ENFMSG_FLUSH = 2,	/* every device back to the default segment */
	ENFMSG_LIST = 3,	/* ask for every device the enforcer placed */
	ENFMSG_OPEN = 4,	/* MAC + flow + seconds: open a window */
	ENFMSG_CLOSE = 5,	/* MAC + flow: close it now */
	ENFMSG_ACK = 0x81,	/* done; echoes MAC + name of PUT/OPEN/CLOSE */
	ENFMSG_NAK = 0x82,	/* not done, nothing changed; reason set */
	ENFMSG_ENTRY = 0x83,	/* one device of a LIST answer */
	ENFMSG_SEGMENT = 0x84,	/* at start: a segment of enforcer.conf */
	ENFMSG_FLOW = 0x85,	/* at start: a flow of enforcer.conf */
};

/* Flags of a SEGMENT, carried in its reason field. */
#define ENFMSG_SEG_DEFAULT 0x0001u	/* the default segment */
#define ENFMSG_SEG_FLAGS 0x0001u	/* every flag defined */

enum enfmsg_reason {
	ENFMSG_R_NONE = 0,
	ENFMSG_R_BACKEND = 1,	/* the backend refused the change */
	ENFMSG_R_FULL = 2,	/* PUT: the enforcer's device table is full;
				 * OPEN: the flow holds max_devices windows */
	ENFMSG_R_UNKNOWN = 3,	/* OPEN/CLOSE: no such flow in enforcer.conf */
};

struct enfmsg {
	uint8_t type;
	uint16_t reason;	/* NAK: enum enfmsg_reason; SEGMENT: flags */
	uint32_t seq;
	uint8_t mac[ENFMSG_MAC_LEN];
	char segment[ENFMSG_SEGMENT_MAX + 1];	/* NUL-terminated; a flow's
						 * name for OPEN, CLOSE, FLOW */
	uint32_t seconds;	/* OPEN: 1..ENFMSG_OPEN_MAX; else 0 */
};

/*
 * Checks m against the rules of its type (the table above): known type,
 * sequence, reason or flags, segment or flow name, unicast non-zero MAC
 * where one is carried, seconds within bounds for OPEN, zero where a field
 * is not carried. 0 or WG_ERR_FORMAT with the reason in d.
 */
int enfmsg_check(const struct enfmsg *m, struct wg_diag *d);

/* Writes m (checked first) as ENFMSG_LEN bytes to out. 0 or WG_ERR_FORMAT. */
int enfmsg_encode(const struct enfmsg *m, uint8_t out[ENFMSG_LEN],
    struct wg_diag *d);

/*
 * Decodes exactly ENFMSG_LEN bytes into *m (written only on success).
 * Any other length, version, type, non-zero reserved or padding byte, bad
 * segment name or MAC is WG_ERR_FORMAT with the byte offset in d.
 */
int enfmsg_decode(const uint8_t *p, size_t len, struct enfmsg *m,
    struct wg_diag *d);

/* 1 when s is a segment name: 1..32 bytes of [a-z0-9_-], not starting
 * with '-' or '_'; else 0. */
int enfmsg_segment_valid(const char *s);

/* 1 when mac is unicast and not all zero (what a device can have). */
int enfmsg_mac_valid(const uint8_t mac[ENFMSG_MAC_LEN]);

/* Parses "aa:bb:cc:dd:ee:ff" (either case); 0 or WG_ERR_FORMAT. */
int enfmsg_mac_parse(const char *s, uint8_t mac[ENFMSG_MAC_LEN]);

/* Writes mac as lowercase "aa:bb:cc:dd:ee:ff" into out; returns out. */
char *enfmsg_mac_format(const uint8_t mac[ENFMSG_MAC_LEN],
    char out[ENFMSG_MAC_TEXT]);

/* "PUT", "OPEN", "ACK", "FLOW", ...; "INVALID" for an unknown type. */
const char *enfmsg_type_name(unsigned type);

/* "NONE", "BACKEND", "FULL", "UNKNOWN"; "INVALID" for an unknown
 * reason. */
const char *enfmsg_reason_name(unsigned reason);

#endif /* WG_ENFMSG_H */
