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
 *  16  u8[32]  segment name, NUL-padded ([a-z0-9_-], 1..32 bytes)
 *  48  u8[16]  reserved, zero
 *
 * Which fields a type carries is fixed (see enfmsg_check()); a field a type
 * does not carry must be zero. Requests (PUT, FLUSH, LIST) have a sequence
 * number >= 1; the enforcer answers each with the same number: an ACK once
 * the change is in force, or a NAK with a reason; LIST is answered by one
 * ENTRY per device and then an ACK.
 *
 * At start the enforcer sends, unasked, one SEGMENT per segment of its
 * enforcer.conf, in the file's order: sequence 0, MAC zero, the segment's
 * name, and in the reason field flags (ENFMSG_SEG_DEFAULT: the default
 * segment, exactly one has it; other bits zero). Then an ACK with sequence
 * 0 and no MAC: the ruleset is in place. wardgated checks that every
 * segment it may PUT was announced before it relies on the enforcer.
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

enum enfmsg_type {
	ENFMSG_PUT = 1,		/* MAC + segment: move the device there */
	ENFMSG_FLUSH = 2,	/* every device back to the default segment */
	ENFMSG_LIST = 3,	/* ask for every device the enforcer placed */
	ENFMSG_ACK = 0x81,	/* done; echoes MAC + segment of a PUT */
	ENFMSG_NAK = 0x82,	/* not done, nothing changed; reason set */
	ENFMSG_ENTRY = 0x83,	/* one device of a LIST answer */
	ENFMSG_SEGMENT = 0x84,	/* at start: a segment of enforcer.conf */
};

/* Flags of a SEGMENT, carried in its reason field. */
#define ENFMSG_SEG_DEFAULT 0x0001u	/* the default segment */
#define ENFMSG_SEG_FLAGS 0x0001u	/* every flag defined */

enum enfmsg_reason {
	ENFMSG_R_NONE = 0,
	ENFMSG_R_BACKEND = 1,	/* the backend refused the change */
	ENFMSG_R_FULL = 2,	/* the enforcer's device table is full */
};

struct enfmsg {
	uint8_t type;
	uint16_t reason;	/* NAK: enum enfmsg_reason; SEGMENT: flags */
	uint32_t seq;
	uint8_t mac[ENFMSG_MAC_LEN];
	char segment[ENFMSG_SEGMENT_MAX + 1];	/* NUL-terminated */
};

/*
 * Checks m against the rules of its type: known type, version-independent
 * field rules, segment name, unicast non-zero MAC where one is carried,
 * zero where none is. 0 or WG_ERR_FORMAT with the reason in d.
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

/* "PUT", "ACK", "SEGMENT", ...; "INVALID" for an unknown type. */
const char *enfmsg_type_name(unsigned type);

/* "NONE", "BACKEND", "FULL"; "INVALID" for an unknown reason. */
const char *enfmsg_reason_name(unsigned reason);

#endif /* WG_ENFMSG_H */
