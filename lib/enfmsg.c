/* enfmsg.c: fixed-size messages between wardgated and the enforcer. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "enfmsg.h"

#define OFF_RESERVED1 14
#define OFF_SEGMENT 16
#define OFF_SECONDS 48
#define OFF_RESERVED2 52
#define RESERVED2_LEN (ENFMSG_LEN - OFF_RESERVED2)

static const uint8_t zero_mac[ENFMSG_MAC_LEN];

const char *
enfmsg_type_name(unsigned type)
{
	switch (type) {
	case ENFMSG_PUT: return "PUT";
	case ENFMSG_FLUSH: return "FLUSH";
	case ENFMSG_LIST: return "LIST";
	case ENFMSG_OPEN: return "OPEN";
	case ENFMSG_CLOSE: return "CLOSE";
	case ENFMSG_ACK: return "ACK";
	case ENFMSG_NAK: return "NAK";
	case ENFMSG_ENTRY: return "ENTRY";
	case ENFMSG_SEGMENT: return "SEGMENT";
	case ENFMSG_FLOW: return "FLOW";
	default: return "INVALID";
	}
}

const char *
enfmsg_reason_name(unsigned reason)
{
	switch (reason) {
	case ENFMSG_R_NONE: return "NONE";
	case ENFMSG_R_BACKEND: return "BACKEND";
	case ENFMSG_R_FULL: return "FULL";
	case ENFMSG_R_UNKNOWN: return "UNKNOWN";
	default: return "INVALID";
	}
}

int
enfmsg_segment_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '_')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= ENFMSG_SEGMENT_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return 1;
}

int
enfmsg_mac_valid(const uint8_t mac[ENFMSG_MAC_LEN])
{
	return (mac[0] & 0x01) == 0 &&
	    memcmp(mac, zero_mac, ENFMSG_MAC_LEN) != 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
enfmsg_mac_parse(const char *s, uint8_t mac[ENFMSG_MAC_LEN])
{
	uint8_t out[ENFMSG_MAC_LEN];
	int hi, lo;
	size_t i;

	if (s == NULL || strlen(s) != ENFMSG_MAC_TEXT - 1)
		return WG_ERR_FORMAT;
	for (i = 0; i < ENFMSG_MAC_LEN; i++) {
		hi = hexval(s[3 * i]);
		lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0 ||
		    (i + 1 < ENFMSG_MAC_LEN && s[3 * i + 2] != ':'))
			return WG_ERR_FORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, sizeof(out));
	return 0;
}

char *
enfmsg_mac_format(const uint8_t mac[ENFMSG_MAC_LEN], char out[ENFMSG_MAC_TEXT])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < ENFMSG_MAC_LEN; i++) {
		out[3 * i] = hex[mac[i] >> 4];
		out[3 * i + 1] = hex[mac[i] & 0x0f];
		out[3 * i + 2] = i + 1 < ENFMSG_MAC_LEN ? ':' : '\0';
	}
	return out;
}

/* A MAC and a segment (or flow) name together, or neither. */
static int
check_pair(const struct enfmsg *m, int required, struct wg_diag *d)
{
	int has_mac = memcmp(m->mac, zero_mac, ENFMSG_MAC_LEN) != 0;
	int has_seg = m->segment[0] != '\0';
	const char *what = m->type == ENFMSG_OPEN || m->type == ENFMSG_CLOSE ?
	    "flow" : m->type == ENFMSG_PUT || m->type == ENFMSG_ENTRY ?
	    "segment" : "segment or flow";

	if (!has_mac && !has_seg && !required)
		return 0;
	if (!enfmsg_mac_valid(m->mac))
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "%s: MAC missing, multicast or zero",
		    enfmsg_type_name(m->type));
	if (!enfmsg_segment_valid(m->segment))
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "%s: %s name missing or not [a-z0-9_-]{1,32}",
		    enfmsg_type_name(m->type), what);
	return 0;
}

int
enfmsg_check(const struct enfmsg *m, struct wg_diag *d)
{
	const char *tn = enfmsg_type_name(m->type);

	if (memchr(m->segment, '\0', sizeof(m->segment)) == NULL)
		return wg_diag_set(d, WG_ERR_FORMAT, "segment not terminated");
	/* Only an OPEN carries seconds. */
	if (m->type == ENFMSG_OPEN) {
		if (m->seconds == 0 || m->seconds > ENFMSG_OPEN_MAX)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "OPEN: seconds %u not in 1..%u", m->seconds,
			    ENFMSG_OPEN_MAX);
	} else if (m->seconds != 0 && strcmp(tn, "INVALID") != 0)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "%s: carries no seconds (%u)", tn, m->seconds);
	switch (m->type) {
	case ENFMSG_PUT:
	case ENFMSG_FLUSH:
	case ENFMSG_LIST:
	case ENFMSG_OPEN:
	case ENFMSG_CLOSE:
		if (m->seq == 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "%s: sequence number 0 (requests start at 1)", tn);
		break;
	case ENFMSG_ACK:
	case ENFMSG_NAK:
	case ENFMSG_ENTRY:
		break;
	case ENFMSG_SEGMENT:
		if (m->seq != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "SEGMENT: sequence number %u (only 0, at start)",
			    m->seq);
		if ((m->reason & ~ENFMSG_SEG_FLAGS) != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "SEGMENT: unknown flags 0x%04x", m->reason);
		if (memcmp(m->mac, zero_mac, ENFMSG_MAC_LEN) != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "SEGMENT: carries no MAC");
		if (!enfmsg_segment_valid(m->segment))
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "SEGMENT: segment name missing or not "
			    "[a-z0-9_-]{1,32}");
		return 0;
	case ENFMSG_FLOW:
		if (m->seq != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "FLOW: sequence number %u (only 0, at start)",
			    m->seq);
		if (m->reason != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "FLOW: reason must be 0 (no flags)");
		if (memcmp(m->mac, zero_mac, ENFMSG_MAC_LEN) != 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "FLOW: carries no MAC");
		if (!enfmsg_segment_valid(m->segment))
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "FLOW: flow name missing or not [a-z0-9_-]{1,32}");
		return 0;
	default:
		return wg_diag_set(d, WG_ERR_FORMAT, "unknown type 0x%02x",
		    m->type);
	}
	if (m->type == ENFMSG_NAK) {
		if (m->reason == ENFMSG_R_NONE ||
		    strcmp(enfmsg_reason_name(m->reason), "INVALID") == 0)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "NAK: unknown reason %u", m->reason);
	} else if (m->reason != ENFMSG_R_NONE)
		return wg_diag_set(d, WG_ERR_FORMAT, "%s: reason must be 0", tn);

	switch (m->type) {
	case ENFMSG_PUT:
	case ENFMSG_ENTRY:
	case ENFMSG_OPEN:
	case ENFMSG_CLOSE:
		return check_pair(m, 1, d);
	case ENFMSG_FLUSH:
	case ENFMSG_LIST:
		if (memcmp(m->mac, zero_mac, ENFMSG_MAC_LEN) != 0 ||
		    m->segment[0] != '\0')
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "%s: carries no MAC and no segment", tn);
		return 0;
	default:	/* ACK, NAK: echo of a PUT, OPEN or CLOSE, or nothing */
		return check_pair(m, 0, d);
	}
}

int
enfmsg_encode(const struct enfmsg *m, uint8_t out[ENFMSG_LEN],
    struct wg_diag *d)
{
	int r;

	if ((r = enfmsg_check(m, d)) != 0)
		return r;
	memset(out, 0, ENFMSG_LEN);
	out[0] = ENFMSG_VERSION;
	out[1] = m->type;
	out[2] = (uint8_t)(m->reason >> 8);
	out[3] = (uint8_t)m->reason;
	out[4] = (uint8_t)(m->seq >> 24);
	out[5] = (uint8_t)(m->seq >> 16);
	out[6] = (uint8_t)(m->seq >> 8);
	out[7] = (uint8_t)m->seq;
	memcpy(out + 8, m->mac, ENFMSG_MAC_LEN);
	memcpy(out + OFF_SEGMENT, m->segment, strlen(m->segment));
	out[OFF_SECONDS] = (uint8_t)(m->seconds >> 24);
	out[OFF_SECONDS + 1] = (uint8_t)(m->seconds >> 16);
	out[OFF_SECONDS + 2] = (uint8_t)(m->seconds >> 8);
	out[OFF_SECONDS + 3] = (uint8_t)m->seconds;
	return 0;
}

/* Index of the first non-zero byte of the n at p; n when all are zero. */
static size_t
first_nonzero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return i;
	return n;
}

int
enfmsg_decode(const uint8_t *p, size_t len, struct enfmsg *m,
    struct wg_diag *d)
{
	struct enfmsg t;
	struct wg_buf b;
	const uint8_t *res1, *seg, *res2;
	uint8_t version;
	size_t i, n;
	int r;

	if (len != ENFMSG_LEN)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "message of %zu bytes, expected %d", len, ENFMSG_LEN);
	memset(&t, 0, sizeof(t));
	buf_init(&b, p, len);
	if (buf_get_u8(&b, &version) != 0 || buf_get_u8(&b, &t.type) != 0 ||
	    buf_get_u16be(&b, &t.reason) != 0 ||
	    buf_get_u32be(&b, &t.seq) != 0 ||
	    buf_get_copy(&b, t.mac, ENFMSG_MAC_LEN) != 0 ||
	    buf_get_bytes(&b, OFF_SEGMENT - OFF_RESERVED1, &res1) != 0 ||
	    buf_get_bytes(&b, ENFMSG_SEGMENT_MAX, &seg) != 0 ||
	    buf_get_u32be(&b, &t.seconds) != 0 ||
	    buf_get_bytes(&b, RESERVED2_LEN, &res2) != 0 ||
	    buf_expect_end(&b) != 0)
		return wg_diag_set(d, WG_ERR_FORMAT, "message cut short");
	if (version != ENFMSG_VERSION)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "byte 0: version %u, expected %d", version, ENFMSG_VERSION);
	if ((i = first_nonzero(res1, OFF_SEGMENT - OFF_RESERVED1)) !=
	    OFF_SEGMENT - OFF_RESERVED1)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "byte %zu: reserved byte not zero", OFF_RESERVED1 + i);
	if ((i = first_nonzero(res2, RESERVED2_LEN)) != RESERVED2_LEN)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "byte %zu: reserved byte not zero", OFF_RESERVED2 + i);
	/* The name, then only NUL padding. */
	for (n = 0; n < ENFMSG_SEGMENT_MAX && seg[n] != 0; n++)
		;
	if ((i = first_nonzero(seg + n, ENFMSG_SEGMENT_MAX - n)) !=
	    ENFMSG_SEGMENT_MAX - n)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "byte %zu: segment padding not zero", OFF_SEGMENT + n + i);
	memcpy(t.segment, seg, n);
	t.segment[n] = '\0';
	if ((r = enfmsg_check(&t, d)) != 0)
		return r;
	*m = t;
	return 0;
}
