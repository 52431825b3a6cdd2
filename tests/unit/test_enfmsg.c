/* test_enfmsg.c: the enforcer's fixed-size message codec. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "enfmsg.h"
#include "wg_err.h"

static const uint8_t dev_mac[6] = { 0x02, 0x77, 0x00, 0x00, 0x00, 0x10 };

static struct enfmsg
make(uint8_t type, uint32_t seq, int with_pair)
{
	struct enfmsg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.seq = seq;
	if (with_pair) {
		memcpy(m.mac, dev_mac, sizeof(dev_mac));
		strcpy(m.segment, "clinical");
	}
	return m;
}

/* A good PUT as bytes, to corrupt. */
static void
good_put(uint8_t out[ENFMSG_LEN])
{
	struct enfmsg m = make(ENFMSG_PUT, 0x01020304, 1);

	assert_int_equal(enfmsg_encode(&m, out, NULL), 0);
}

static void
assert_refused(const uint8_t *p, size_t len, const char *needle)
{
	struct enfmsg m;
	struct wg_diag d;

	memset(&m, 0xa5, sizeof(m));
	wg_diag_clear(&d);
	assert_int_equal(enfmsg_decode(p, len, &m, &d), WG_ERR_FORMAT);
	if (needle != NULL && strstr(d.detail, needle) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", d.detail, needle);
	assert_int_equal(m.type, 0xa5);	/* output untouched */
}

static void
test_layout(void **state)
{
	uint8_t b[ENFMSG_LEN];
	size_t i;

	(void)state;
	good_put(b);
	assert_int_equal(b[0], ENFMSG_VERSION);
	assert_int_equal(b[1], ENFMSG_PUT);
	assert_int_equal(b[2] | b[3], 0);
	assert_memory_equal(b + 4, "\x01\x02\x03\x04", 4);
	assert_memory_equal(b + 8, dev_mac, 6);
	assert_int_equal(b[14] | b[15], 0);
	assert_memory_equal(b + 16, "clinical", 8);
	for (i = 24; i < ENFMSG_LEN; i++)
		assert_int_equal(b[i], 0);
}

static void
test_round_trip(void **state)
{
	struct enfmsg in[8], out;
	uint8_t b[ENFMSG_LEN];
	size_t i;

	(void)state;
	in[0] = make(ENFMSG_PUT, 1, 1);
	in[1] = make(ENFMSG_FLUSH, 2, 0);
	in[2] = make(ENFMSG_LIST, UINT32_MAX, 0);
	in[3] = make(ENFMSG_ACK, 0, 0);			/* ready */
	in[4] = make(ENFMSG_ACK, 7, 1);			/* echo of a PUT */
	in[5] = make(ENFMSG_NAK, 8, 1);
	in[5].reason = ENFMSG_R_BACKEND;
	in[6] = make(ENFMSG_NAK, 9, 0);
	in[6].reason = ENFMSG_R_FULL;
	in[7] = make(ENFMSG_ENTRY, 10, 1);
	/* A 32-byte name fills the field with no NUL. */
	memset(in[7].segment, 'z', ENFMSG_SEGMENT_MAX);
	in[7].segment[ENFMSG_SEGMENT_MAX] = '\0';
	for (i = 0; i < 8; i++) {
		assert_int_equal(enfmsg_encode(&in[i], b, NULL), 0);
		assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
		assert_int_equal(out.type, in[i].type);
		assert_int_equal(out.reason, in[i].reason);
		assert_int_equal(out.seq, in[i].seq);
		assert_memory_equal(out.mac, in[i].mac, 6);
		assert_string_equal(out.segment, in[i].segment);
	}
}

static void
test_bytes_refused(void **state)
{
	uint8_t b[ENFMSG_LEN + 1], c[ENFMSG_LEN + 1];
	size_t i;

	(void)state;
	good_put(b);
	b[ENFMSG_LEN] = 0;
	assert_refused(b, ENFMSG_LEN - 1, "63 bytes");
	assert_refused(b, ENFMSG_LEN + 1, "65 bytes");
	assert_refused(b, 0, NULL);
	assert_refused(NULL, 0, NULL);

#define CORRUPT(off, val, needle) do { \
	memcpy(c, b, ENFMSG_LEN); c[off] = (val); \
	assert_refused(c, ENFMSG_LEN, needle); } while (0)

	CORRUPT(0, 0, "version");
	CORRUPT(0, 2, "version");
	CORRUPT(1, 0, "unknown type");
	CORRUPT(1, 6, "unknown type");
	CORRUPT(1, 0x86, "unknown type");
	CORRUPT(1, 0x80, "unknown type");
	CORRUPT(1, 0xff, "unknown type");
	CORRUPT(3, 1, "reason");		/* reason on a PUT */
	CORRUPT(8, 0x03, "MAC");		/* multicast */
	CORRUPT(8, 0xff, "MAC");		/* broadcast-ish */
	/* Every reserved byte, every padding byte. */
	for (i = 14; i < 16; i++)
		CORRUPT(i, 1, "reserved");
	for (i = 48; i < 52; i++)
		CORRUPT(i, 0x80, "seconds");	/* a PUT carries none */
	for (i = 52; i < ENFMSG_LEN; i++)
		CORRUPT(i, 0x80, "reserved");
	for (i = 16 + 9; i < 48; i++)
		CORRUPT(i, 'a', "padding");	/* after "clinical\0" */
	/* Segment name rules on the wire. */
	CORRUPT(16, 0, "segment");		/* empty name on a PUT */
	CORRUPT(16, 'C', "segment");		/* upper case */
	CORRUPT(17, ' ', "segment");
	CORRUPT(17, '.', "segment");
	CORRUPT(17, '/', "segment");
	CORRUPT(17, 0xc3, "segment");
	CORRUPT(16, '-', "segment");		/* leading dash */
	CORRUPT(16, '_', "segment");
	/* Zero MAC on a PUT. */
	memcpy(c, b, ENFMSG_LEN);
	memset(c + 8, 0, 6);
	assert_refused(c, ENFMSG_LEN, "MAC");
#undef CORRUPT
}

static void
test_type_rules(void **state)
{
	struct enfmsg m;
	uint8_t b[ENFMSG_LEN];

	(void)state;
	/* Requests need a sequence number. */
	m = make(ENFMSG_PUT, 0, 1);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_FLUSH, 0, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* FLUSH and LIST carry nothing. */
	m = make(ENFMSG_FLUSH, 1, 1);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_LIST, 1, 0);
	m.mac[5] = 1;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_LIST, 1, 0);
	strcpy(m.segment, "x");
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* A MAC without a segment, or the other way round. */
	m = make(ENFMSG_ACK, 1, 1);
	m.segment[0] = '\0';
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_ACK, 1, 1);
	memset(m.mac, 0, 6);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* ENTRY needs both. */
	m = make(ENFMSG_ENTRY, 1, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* NAK needs a known reason; others none. */
	m = make(ENFMSG_NAK, 1, 1);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.reason = 4;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_ACK, 1, 1);
	m.reason = ENFMSG_R_FULL;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* An unterminated segment in the struct is refused, not read past. */
	m = make(ENFMSG_PUT, 1, 1);
	memset(m.segment, 'a', sizeof(m.segment));
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* Unknown type. */
	m = make(0x42, 1, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
}

/* SEGMENT: at start, sequence 0, no MAC, a name, flags in reason. */
static void
test_segment_msg(void **state)
{
	struct enfmsg m, out;
	uint8_t b[ENFMSG_LEN], c[ENFMSG_LEN];
	size_t i;

	(void)state;
	m = make(ENFMSG_SEGMENT, 0, 0);
	strcpy(m.segment, "quarantine");
	m.reason = ENFMSG_SEG_DEFAULT;
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	/* The layout, byte by byte. */
	assert_int_equal(b[0], ENFMSG_VERSION);
	assert_int_equal(b[1], 0x84);
	assert_int_equal(b[2], 0x00);
	assert_int_equal(b[3], 0x01);		/* default flag */
	for (i = 4; i < 16; i++)
		assert_int_equal(b[i], 0);	/* seq 0, MAC 0, reserved */
	assert_memory_equal(b + 16, "quarantine", 10);
	for (i = 26; i < ENFMSG_LEN; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.type, ENFMSG_SEGMENT);
	assert_int_equal(out.reason, ENFMSG_SEG_DEFAULT);
	assert_int_equal(out.seq, 0);
	assert_string_equal(out.segment, "quarantine");
	assert_string_equal(enfmsg_type_name(ENFMSG_SEGMENT), "SEGMENT");

	/* Not the default: flags 0. */
	m.reason = 0;
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.reason, 0);

	/* Refused as structs. */
	m = make(ENFMSG_SEGMENT, 1, 0);		/* sequence not 0 */
	strcpy(m.segment, "clinical");
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_SEGMENT, 0, 1);		/* carries a MAC */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_SEGMENT, 0, 0);		/* no name */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	strcpy(m.segment, "Clinical");		/* bad name */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	strcpy(m.segment, "clinical");
	m.reason = 2;				/* undefined flag */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.reason = 0x8001;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);

	/* Refused as bytes. */
	m = make(ENFMSG_SEGMENT, 0, 0);
	strcpy(m.segment, "clinical");
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
#define CORRUPT(off, val, needle) do { \
	memcpy(c, b, ENFMSG_LEN); c[off] = (val); \
	assert_refused(c, ENFMSG_LEN, needle); } while (0)
	CORRUPT(2, 0x80, "flags");
	CORRUPT(3, 0x02, "flags");
	CORRUPT(3, 0xff, "flags");
	CORRUPT(7, 1, "sequence");
	CORRUPT(4, 1, "sequence");
	CORRUPT(8, 0x02, "MAC");		/* a unicast MAC too */
	CORRUPT(13, 0x01, "MAC");
	CORRUPT(16, 0, "segment");		/* empty name */
	CORRUPT(16, '-', "segment");
	CORRUPT(14, 1, "reserved");
	CORRUPT(48, 1, "seconds");
	CORRUPT(51, 1, "seconds");
	CORRUPT(52, 1, "reserved");
#undef CORRUPT
	/* The other types still refuse flags in reason. */
	m = make(ENFMSG_ACK, 0, 0);
	m.reason = ENFMSG_SEG_DEFAULT;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_ENTRY, 1, 1);
	m.reason = ENFMSG_SEG_DEFAULT;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
}

/* A field-service message with MAC, flow name and seconds. */
static struct enfmsg
make_flow(uint8_t type, uint32_t seq, uint32_t seconds)
{
	struct enfmsg m = make(type, seq, 1);

	strcpy(m.segment, "vendor-support");
	m.seconds = seconds;
	return m;
}

/* OPEN: MAC, flow, seconds 1..604800 big-endian at byte 48. */
static void
test_open_msg(void **state)
{
	struct enfmsg m, out;
	uint8_t b[ENFMSG_LEN], c[ENFMSG_LEN];
	size_t i;

	(void)state;
	m = make_flow(ENFMSG_OPEN, 5, 0x00093a80);	/* 604800 */
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(b[0], ENFMSG_VERSION);
	assert_int_equal(b[1], 4);
	assert_int_equal(b[2] | b[3], 0);
	assert_memory_equal(b + 4, "\x00\x00\x00\x05", 4);
	assert_memory_equal(b + 8, dev_mac, 6);
	assert_int_equal(b[14] | b[15], 0);
	assert_memory_equal(b + 16, "vendor-support", 14);
	for (i = 30; i < 48; i++)
		assert_int_equal(b[i], 0);
	assert_memory_equal(b + 48, "\x00\x09\x3a\x80", 4);
	for (i = 52; i < ENFMSG_LEN; i++)
		assert_int_equal(b[i], 0);
	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.type, ENFMSG_OPEN);
	assert_int_equal(out.seq, 5);
	assert_int_equal(out.seconds, ENFMSG_OPEN_MAX);
	assert_memory_equal(out.mac, dev_mac, 6);
	assert_string_equal(out.segment, "vendor-support");

	/* The bounds: 1 and 604800 pass, 0 and 604801 do not. */
	m = make_flow(ENFMSG_OPEN, 1, 1);
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.seconds, 1);
	m.seconds = 0;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.seconds = ENFMSG_OPEN_MAX + 1;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.seconds = UINT32_MAX;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* A request: sequence >= 1; MAC and flow required; no reason. */
	m = make_flow(ENFMSG_OPEN, 0, 60);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_OPEN, 1, 60);
	memset(m.mac, 0, 6);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_OPEN, 1, 60);
	m.mac[0] = 0x01;			/* multicast */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_OPEN, 1, 60);
	m.segment[0] = '\0';
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	strcpy(m.segment, "Vendor");
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_OPEN, 1, 60);
	m.reason = ENFMSG_R_UNKNOWN;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);

	/* As bytes. */
	m = make_flow(ENFMSG_OPEN, 1, 3600);
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
#define CORRUPT(off, val, needle) do { \
	memcpy(c, b, ENFMSG_LEN); c[off] = (val); \
	assert_refused(c, ENFMSG_LEN, needle); } while (0)
	CORRUPT(48, 0x01, "seconds");		/* 16781840: too long */
	CORRUPT(49, 0x0a, "seconds");		/* 658960: too long */
	memcpy(c, b, ENFMSG_LEN);
	memset(c + 48, 0, 4);
	assert_refused(c, ENFMSG_LEN, "seconds");	/* 0 */
	for (i = 52; i < ENFMSG_LEN; i++)
		CORRUPT(i, 1, "reserved");
	CORRUPT(14, 1, "reserved");
	CORRUPT(7, 0, "sequence");
	CORRUPT(3, 1, "reason");
	CORRUPT(16, 0, "padding");	/* empty name, then "endor..." */
	CORRUPT(16, '-', "flow");
	CORRUPT(8, 0x03, "MAC");
	for (i = 16 + 15; i < 48; i++)
		CORRUPT(i, 'a', "padding");	/* after "vendor-support\0" */
	memcpy(c, b, ENFMSG_LEN);
	memset(c + 8, 0, 6);
	assert_refused(c, ENFMSG_LEN, "MAC");
#undef CORRUPT
}

/* CLOSE: MAC and flow, no seconds. */
static void
test_close_msg(void **state)
{
	struct enfmsg m, out;
	uint8_t b[ENFMSG_LEN], c[ENFMSG_LEN];
	size_t i;

	(void)state;
	m = make_flow(ENFMSG_CLOSE, 9, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(b[1], 5);
	for (i = 48; i < ENFMSG_LEN; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.type, ENFMSG_CLOSE);
	assert_int_equal(out.seconds, 0);
	assert_string_equal(out.segment, "vendor-support");
	m.seconds = 1;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_CLOSE, 0, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_CLOSE, 1, 0);
	memset(m.mac, 0, 6);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make_flow(ENFMSG_CLOSE, 1, 0);
	m.segment[0] = '\0';
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);

	m = make_flow(ENFMSG_CLOSE, 9, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	memcpy(c, b, ENFMSG_LEN);
	c[51] = 1;
	assert_refused(c, ENFMSG_LEN, "seconds");
	memcpy(c, b, ENFMSG_LEN);
	c[16] = '_';
	assert_refused(c, ENFMSG_LEN, "flow");
}

/* FLOW: at start, sequence 0, no MAC, a name, nothing else. */
static void
test_flow_announce(void **state)
{
	struct enfmsg m, out;
	uint8_t b[ENFMSG_LEN], c[ENFMSG_LEN];
	size_t i;

	(void)state;
	m = make(ENFMSG_FLOW, 0, 0);
	strcpy(m.segment, "vendor-support");
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(b[1], 0x85);
	for (i = 2; i < 16; i++)
		assert_int_equal(b[i], 0);
	for (i = 48; i < ENFMSG_LEN; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.type, ENFMSG_FLOW);
	assert_string_equal(out.segment, "vendor-support");

	m.seq = 1;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.seq = 0;
	m.reason = ENFMSG_SEG_DEFAULT;		/* no flags on a FLOW */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.reason = 0;
	m.seconds = 60;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m.seconds = 0;
	memcpy(m.mac, dev_mac, 6);
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	m = make(ENFMSG_FLOW, 0, 0);		/* no name */
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	strcpy(m.segment, "_x");
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);

	m = make(ENFMSG_FLOW, 0, 0);
	strcpy(m.segment, "vendor-support");
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
#define CORRUPT(off, val, needle) do { \
	memcpy(c, b, ENFMSG_LEN); c[off] = (val); \
	assert_refused(c, ENFMSG_LEN, needle); } while (0)
	CORRUPT(3, 1, "reason");
	CORRUPT(7, 1, "sequence");
	CORRUPT(8, 0x02, "MAC");
	CORRUPT(16, 0, "padding");	/* empty name, then "endor..." */
	CORRUPT(50, 1, "seconds");
	CORRUPT(60, 1, "reserved");
#undef CORRUPT
}

/* The answers to OPEN and CLOSE; seconds on no type but OPEN. */
static void
test_flow_answers(void **state)
{
	static const uint8_t types[] = { ENFMSG_PUT, ENFMSG_FLUSH,
	    ENFMSG_LIST, ENFMSG_CLOSE, ENFMSG_ACK, ENFMSG_NAK, ENFMSG_ENTRY,
	    ENFMSG_SEGMENT, ENFMSG_FLOW };
	struct enfmsg m, out;
	uint8_t b[ENFMSG_LEN];
	size_t i;

	(void)state;
	/* ACK echoes MAC and flow, not the seconds. */
	m = make_flow(ENFMSG_ACK, 3, 0);
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_string_equal(out.segment, "vendor-support");
	m.seconds = 3600;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	/* NAK UNKNOWN: a flow the enforcer does not have. */
	m = make_flow(ENFMSG_NAK, 3, 0);
	m.reason = ENFMSG_R_UNKNOWN;
	assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
	assert_int_equal(b[3], 3);
	assert_int_equal(enfmsg_decode(b, sizeof(b), &out, NULL), 0);
	assert_int_equal(out.reason, ENFMSG_R_UNKNOWN);
	m.seconds = 1;
	assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);

	/* Every type but OPEN refuses any seconds, well-formed otherwise. */
	for (i = 0; i < sizeof(types); i++) {
		int pair = types[i] != ENFMSG_FLUSH &&
		    types[i] != ENFMSG_LIST && types[i] != ENFMSG_SEGMENT &&
		    types[i] != ENFMSG_FLOW;
		uint32_t seq = types[i] == ENFMSG_SEGMENT ||
		    types[i] == ENFMSG_FLOW ? 0 : 1;

		m = make(types[i], seq, pair);
		if (!pair && seq == 0)
			strcpy(m.segment, "clinical");
		if (types[i] == ENFMSG_NAK)
			m.reason = ENFMSG_R_BACKEND;
		assert_int_equal(enfmsg_encode(&m, b, NULL), 0);
		m.seconds = 1;
		assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
		m.seconds = 0x01000000;
		assert_int_equal(enfmsg_encode(&m, b, NULL), WG_ERR_FORMAT);
	}
}

static void
test_segment_names(void **state)
{
	char name[40];

	(void)state;
	assert_true(enfmsg_segment_valid("clinical"));
	assert_true(enfmsg_segment_valid("quarantine"));
	assert_true(enfmsg_segment_valid("a"));
	assert_true(enfmsg_segment_valid("0"));
	assert_true(enfmsg_segment_valid("icu-2_b"));
	memset(name, 'a', 32);
	name[32] = '\0';
	assert_true(enfmsg_segment_valid(name));
	name[32] = 'a';
	name[33] = '\0';
	assert_false(enfmsg_segment_valid(name));
	assert_false(enfmsg_segment_valid(NULL));
	assert_false(enfmsg_segment_valid(""));
	assert_false(enfmsg_segment_valid("-x"));
	assert_false(enfmsg_segment_valid("_x"));
	assert_false(enfmsg_segment_valid("Clinical"));
	assert_false(enfmsg_segment_valid("a b"));
	assert_false(enfmsg_segment_valid("a.b"));
	assert_false(enfmsg_segment_valid("a/b"));
	assert_false(enfmsg_segment_valid("a\"b"));
	assert_false(enfmsg_segment_valid("a;b"));
	assert_false(enfmsg_segment_valid("caf\xc3\xa9"));
}

static void
test_mac_text(void **state)
{
	uint8_t mac[6], keep[6] = { 9, 9, 9, 9, 9, 9 };
	char text[ENFMSG_MAC_TEXT];

	(void)state;
	assert_int_equal(enfmsg_mac_parse("02:77:00:00:00:10", mac), 0);
	assert_memory_equal(mac, dev_mac, 6);
	assert_int_equal(enfmsg_mac_parse("AA:bb:Cc:00:01:ff", mac), 0);
	assert_string_equal(enfmsg_mac_format(mac, text), "aa:bb:cc:00:01:ff");
	memcpy(mac, keep, 6);
	assert_int_equal(enfmsg_mac_parse("02:77:00:00:00", mac),
	    WG_ERR_FORMAT);
	assert_int_equal(enfmsg_mac_parse("02:77:00:00:00:100", mac),
	    WG_ERR_FORMAT);
	assert_int_equal(enfmsg_mac_parse("02-77-00-00-00-10", mac),
	    WG_ERR_FORMAT);
	assert_int_equal(enfmsg_mac_parse("02:77:00:00:0g:10", mac),
	    WG_ERR_FORMAT);
	assert_int_equal(enfmsg_mac_parse(" 2:77:00:00:00:10", mac),
	    WG_ERR_FORMAT);
	assert_int_equal(enfmsg_mac_parse(NULL, mac), WG_ERR_FORMAT);
	assert_memory_equal(mac, keep, 6);
	assert_true(enfmsg_mac_valid(dev_mac));
	assert_false(enfmsg_mac_valid((const uint8_t *)"\0\0\0\0\0\0"));
	assert_false(enfmsg_mac_valid((const uint8_t *)"\x01\0\0\0\0\1"));
	assert_false(enfmsg_mac_valid((const uint8_t *)"\xff\xff\xff\xff\xff\xff"));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(enfmsg_type_name(ENFMSG_PUT), "PUT");
	assert_string_equal(enfmsg_type_name(ENFMSG_ENTRY), "ENTRY");
	assert_string_equal(enfmsg_type_name(0), "INVALID");
	assert_string_equal(enfmsg_reason_name(ENFMSG_R_FULL), "FULL");
	assert_string_equal(enfmsg_type_name(ENFMSG_OPEN), "OPEN");
	assert_string_equal(enfmsg_type_name(ENFMSG_CLOSE), "CLOSE");
	assert_string_equal(enfmsg_type_name(ENFMSG_FLOW), "FLOW");
	assert_string_equal(enfmsg_reason_name(ENFMSG_R_UNKNOWN), "UNKNOWN");
	assert_string_equal(enfmsg_reason_name(4), "INVALID");
	assert_string_equal(enfmsg_reason_name(99), "INVALID");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bytes_refused),
		cmocka_unit_test(test_type_rules),
		cmocka_unit_test(test_segment_msg),
		cmocka_unit_test(test_open_msg),
		cmocka_unit_test(test_close_msg),
		cmocka_unit_test(test_flow_announce),
		cmocka_unit_test(test_flow_answers),
		cmocka_unit_test(test_segment_names),
		cmocka_unit_test(test_mac_text),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
