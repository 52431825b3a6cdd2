/*
 * test_evlog_decode.c: evlog_decode() on hand-built event data (every
 * decoder, correct and malformed) and on every event of the corpus in
 * tests/data/eventlogs.
 *
 * Hand-built data is copied into a heap buffer of exactly its size, so that
 * under ASan any read past the event is caught. A failed decode must return
 * WG_ERR_EVLOG_DATA, say which field in the diag, and leave *out as it was.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evlog.h"
#include "../common/testutil.h"
#include "wg_err.h"

#define BB_MAX 8192

/* Byte builder for event data. */
struct bb {
	uint8_t b[BB_MAX];
	size_t n;
};

static void
bb_u8(struct bb *b, unsigned v)
{
	assert_true(b->n + 1 <= BB_MAX);
	b->b[b->n++] = (uint8_t)v;
}

static void
bb_u16(struct bb *b, unsigned v)
{
	bb_u8(b, v & 0xff);
	bb_u8(b, v >> 8 & 0xff);
}

static void
bb_u32(struct bb *b, uint32_t v)
{
	bb_u16(b, v & 0xffff);
	bb_u16(b, v >> 16);
}

static void
bb_u64(struct bb *b, uint64_t v)
{
	bb_u32(b, (uint32_t)v);
	bb_u32(b, (uint32_t)(v >> 32));
}

static void
bb_mem(struct bb *b, const void *p, size_t n)
{
	assert_true(b->n + n <= BB_MAX);
	if (n > 0)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
bb_str(struct bb *b, const char *s)
{
	bb_mem(b, s, strlen(s));
}

static void
bb_hex(struct bb *b, const char *hex)
{
	long n;

	assert_true(b->n + strlen(hex) / 2 <= BB_MAX);
	n = tu_unhex(hex, b->b + b->n, BB_MAX - b->n);
	assert_true(n >= 0);
	b->n += (size_t)n;
}

/* ASCII s as UTF-16LE code units, no terminator. */
static void
bb_u16str(struct bb *b, const char *s)
{
	for (; *s != '\0'; s++)
		bb_u16(b, (uint8_t)*s);
}

/* EFI_GUID from its text form (mixed-endian on the wire). */
static void
bb_guid(struct bb *b, const char *text)
{
	unsigned a, c, d, e[8];

	assert_int_equal(sscanf(text,
	    "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &c, &d, &e[0], &e[1],
	    &e[2], &e[3], &e[4], &e[5], &e[6], &e[7]), 11);
	bb_u32(b, a);
	bb_u16(b, c);
	bb_u16(b, d);
	for (a = 0; a < 8; a++)
		bb_u8(b, e[a]);
}

/* An event of type with a heap copy of exactly n bytes of data. */
struct tev {
	struct evlog_event ev;
	uint8_t *buf;
};

static void
tev_init(struct tev *t, uint32_t type, const uint8_t *p, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->buf = malloc(n > 0 ? n : 1);
	assert_non_null(t->buf);
	if (n > 0)
		memcpy(t->buf, p, n);
	t->ev.index = 7;
	t->ev.offset = 1234;
	t->ev.pcr = 4;
	t->ev.type = type;
	t->ev.data = n > 0 ? t->buf : NULL;
	t->ev.data_len = n;
}

static void
tev_free(struct tev *t)
{
	free(t->buf);
	t->buf = NULL;
}

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80)
			n = 0;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 1;
		else if ((*p & 0xf0) == 0xe0)
			n = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

/* Decodes b as type into *o; asserts success and the kind. */
static void
dec_ok(uint32_t type, const struct bb *b, enum evlog_data_kind kind,
    struct evlog_data *o, struct tev *t)
{
	struct wg_diag d;

	wg_diag_clear(&d);
	tev_init(t, type, b->b, b->n);
	memset(o, 0x5a, sizeof(*o));
	if (evlog_decode(&t->ev, o, &d) != 0)
		fail_msg("decode failed: %s", d.detail);
	assert_int_equal(o->kind, kind);
	assert_int_equal(d.err, 0);
}

/*
 * Decodes n bytes at p as type; asserts WG_ERR_EVLOG_DATA, a detail that
 * names the event and contains needle, and *out untouched.
 */
static void
dec_bad_n(uint32_t type, const uint8_t *p, size_t n, const char *needle)
{
	struct evlog_data o, before;
	struct wg_diag d;
	struct tev t;
	int r;

	wg_diag_clear(&d);
	tev_init(&t, type, p, n);
	memset(&o, 0xa5, sizeof(o));
	memcpy(&before, &o, sizeof(o));
	r = evlog_decode(&t.ev, &o, &d);
	if (r != WG_ERR_EVLOG_DATA)
		fail_msg("type 0x%08x, %zu bytes: got %d (%s), EVLOG_DATA "
		    "expected", type, n, r, r == 0 ? "decoded" : d.detail);
	assert_int_equal(d.err, WG_ERR_EVLOG_DATA);
	assert_memory_equal(&o, &before, sizeof(o));
	assert_non_null(strstr(d.detail, "event 7 "));
	if (needle != NULL && strstr(d.detail, needle) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", d.detail, needle);
	/* A NULL diag is accepted. */
	assert_int_equal(evlog_decode(&t.ev, &o, NULL), WG_ERR_EVLOG_DATA);
	assert_memory_equal(&o, &before, sizeof(o));
	tev_free(&t);
}

static void
dec_bad(uint32_t type, const struct bb *b, const char *needle)
{
	dec_bad_n(type, b->b, b->n, needle);
}

/* Every prefix from `from` bytes on, and one byte more, must fail. */
static void
prefixes_and_trailing_fail_from(uint32_t type, const struct bb *b,
    size_t from)
{
	struct bb x;
	size_t k;

	for (k = from; k < b->n; k++)
		dec_bad_n(type, b->b, k, NULL);
	x = *b;
	bb_u8(&x, 0);
	dec_bad(type, &x, NULL);
}

static void
prefixes_and_trailing_fail(uint32_t type, const struct bb *b)
{
	prefixes_and_trailing_fail_from(type, b, 0);
}

/* Text ends in "..." and fits EVLOG_STR_MAX - 1 bytes. */
static void
assert_truncated(const char *s, size_t cap)
{
	size_t n = strlen(s);

	assert_true(n <= cap - 1);
	assert_true(n >= 3);
	assert_string_equal(s + n - 3, "...");
	assert_true(utf8_valid(s));
}

/* ---- EV_NO_ACTION ---- */

static void
specid(struct bb *b, unsigned vlen)
{
	memset(b, 0, sizeof(*b));
	bb_mem(b, "Spec ID Event03", 16);
	bb_u32(b, 0);		/* platformClass */
	bb_u8(b, 0);		/* specVersionMinor */
	bb_u8(b, 2);		/* specVersionMajor */
	bb_u8(b, 0);		/* specErrata */
	bb_u8(b, 2);		/* uintnSize */
	bb_u32(b, 2);
	bb_u16(b, 0x0004);
	bb_u16(b, 20);
	bb_u16(b, 0x000b);
	bb_u16(b, 32);
	bb_u8(b, vlen);
}

static void
test_specid(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b;

	(void)state;
	specid(&b, 0);
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_SPECID, &o, &t);
	tev_free(&t);
	/* Below 16 bytes there is no signature: NONE, tested elsewhere. */
	prefixes_and_trailing_fail_from(EV_NO_ACTION, &b, 16);

	specid(&b, 3);
	bb_str(&b, "abc");
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_SPECID, &o, &t);
	tev_free(&t);

	/* vendorInfoSize one more than what follows. */
	specid(&b, 4);
	bb_str(&b, "abc");
	dec_bad(EV_NO_ACTION, &b, "vendorInfoSize 4");

	/* numberOfAlgorithms one more than the list holds, and huge. */
	specid(&b, 0);
	b.b[24] = 3;
	dec_bad(EV_NO_ACTION, &b, "numberOfAlgorithms 3");
	b.b[24] = b.b[25] = b.b[26] = b.b[27] = 0xff;
	dec_bad(EV_NO_ACTION, &b, "numberOfAlgorithms 4294967295");
	memset(b.b + 24, 0, 4);
	dec_bad(EV_NO_ACTION, &b, "numberOfAlgorithms 0");
}

static void
test_startup_locality(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	bb_mem(&b, "StartupLocality", 16);
	bb_u8(&b, 3);
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_STARTUP_LOCALITY, &o, &t);
	assert_int_equal(o.u.locality, 3);
	tev_free(&t);

	b.n = 16;
	dec_bad(EV_NO_ACTION, &b, "17 expected");
	b.n = 17;
	bb_u8(&b, 0);
	dec_bad(EV_NO_ACTION, &b, "is 18 bytes");
}

static void
test_no_action_other(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	/* SP800-155 Event: the signature, then its body (not decoded). */
	bb_mem(&b, "SP800-155 Event", 16);
	bb_hex(&b, "0102030405");
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NO_ACTION, &o, &t);
	assert_string_equal(o.u.text, "SP800-155 Event");
	tev_free(&t);

	b.n = 0;
	bb_mem(&b, "NvIndexDynamic\0", 16);
	bb_u16(&b, 1);
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NO_ACTION, &o, &t);
	assert_string_equal(o.u.text, "NvIndexDynamic");
	tev_free(&t);

	/* Not a signature: no NUL, junk after the NUL, control bytes. */
	b.n = 0;
	bb_str(&b, "SPDM Device Sec2xx");
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
	b.n = 0;
	bb_mem(&b, "Abc\0\0\0\0\0\0\0\0\0\0\0\0x", 16);
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
	b.n = 0;
	bb_mem(&b, "Ab\x01\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
	/* Windows SIPA data under EV_NO_ACTION; short data; no data. */
	b.n = 0;
	bb_hex(&b, "040001c0c50100000300088018000000570069006e00");
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
	b.n = 0;
	bb_str(&b, "Startup");
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
	b.n = 0;
	dec_ok(EV_NO_ACTION, &b, EVLOG_DATA_NONE, &o, &t);
	tev_free(&t);
}

/* ---- EV_SEPARATOR ---- */

static void
test_separator(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	bb_u32(&b, 0);
	dec_ok(EV_SEPARATOR, &b, EVLOG_DATA_SEPARATOR, &o, &t);
	assert_int_equal(o.u.separator, 0);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_SEPARATOR, &b);

	b.n = 0;
	bb_u32(&b, 0xffffffffu);
	dec_ok(EV_SEPARATOR, &b, EVLOG_DATA_SEPARATOR, &o, &t);
	assert_int_equal(o.u.separator, 0xffffffffu);
	tev_free(&t);

	/* Windows logs "WBCL" in PCRs 12-14. */
	b.n = 0;
	bb_str(&b, "WBCL");
	dec_ok(EV_SEPARATOR, &b, EVLOG_DATA_SEPARATOR, &o, &t);
	assert_int_equal(o.u.separator, 0x4c434257u);
	tev_free(&t);

	b.n = 0;
	dec_bad(EV_SEPARATOR, &b, "separator is 0 bytes, 4 expected");
	bb_u64(&b, 0);
	dec_bad(EV_SEPARATOR, &b, "separator is 8 bytes");
}

/* ---- strings ---- */

static void
str_is(uint32_t type, const struct bb *b, const char *want)
{
	struct evlog_data o;
	struct tev t;

	dec_ok(type, b, EVLOG_DATA_STRING, &o, &t);
	assert_string_equal(o.u.text, want);
	assert_true(utf8_valid(o.u.text));
	tev_free(&t);
}

static void
kind_is(uint32_t type, const struct bb *b, enum evlog_data_kind kind)
{
	struct evlog_data o;
	struct tev t;

	dec_ok(type, b, kind, &o, &t);
	tev_free(&t);
}

static void
test_strings(void **state)
{
	struct bb b = { .n = 0 };

	(void)state;
	bb_str(&b, "Calling EFI Application from Boot Option");
	str_is(EV_EFI_ACTION, &b, "Calling EFI Application from Boot Option");
	str_is(EV_ACTION, &b, "Calling EFI Application from Boot Option");

	/* grub: NUL-terminated ASCII; the NUL is dropped, \n escaped. */
	b.n = 0;
	bb_mem(&b, "grub_cmd: menuentry x {\n\tfwsetup\n}", 34);
	bb_u8(&b, 0);
	str_is(EV_IPL, &b, "grub_cmd: menuentry x {\\x0a\\x09fwsetup\\x0a}");

	/* Only one trailing NUL is dropped; a NUL inside makes it binary. */
	b.n = 0;
	bb_mem(&b, "ab\0", 3);
	bb_u8(&b, 0);
	str_is(EV_IPL, &b, "61620000");

	/* Non-ASCII bytes in ASCII text are escaped, not passed on. */
	b.n = 0;
	bb_str(&b, "caf\xc3\xa9 ok");
	str_is(EV_EFI_ACTION, &b, "caf\\xc3\\xa9 ok");

	/* S-CRTM version: UCS-2 with NUL. */
	b.n = 0;
	bb_u16str(&b, "GCE Virtual Firmware v1");
	bb_u16(&b, 0);
	str_is(EV_S_CRTM_VERSION, &b, "GCE Virtual Firmware v1");

	/* L"" (OVMF), and no data at all. */
	b.n = 0;
	bb_u16(&b, 0);
	str_is(EV_S_CRTM_VERSION, &b, "");
	b.n = 0;
	str_is(EV_S_CRTM_VERSION, &b, "");

	/* S-CRTM version that is a GUID: hex. */
	b.n = 0;
	bb_hex(&b, "1efb6b540c1d5540a4ad4ef4bf17b83a");
	str_is(EV_S_CRTM_VERSION, &b, "1efb6b540c1d5540a4ad4ef4bf17b83a");

	/* Even-length ASCII is not taken for UTF-16. */
	b.n = 0;
	bb_str(&b, "Dell Configuration Information 1");
	str_is(EV_COMPACT_HASH, &b, "Dell Configuration Information 1");

	/* UTF-16: surrogate pair, unpaired surrogate, C0 and C1 controls. */
	b.n = 0;
	bb_u16str(&b, "ab");
	bb_u16(&b, 0xd83d);
	bb_u16(&b, 0xde00);
	bb_u16(&b, 0);
	str_is(EV_IPL, &b, "ab\xf0\x9f\x98\x80");
	b.n = 0;
	bb_u16str(&b, "abc");
	bb_u16(&b, 0xd800);
	str_is(EV_IPL, &b, "abc\xef\xbf\xbd");
	b.n = 0;
	bb_u16str(&b, "abc");
	bb_u16(&b, 0xdc00);
	bb_u16str(&b, "d");
	str_is(EV_IPL, &b, "abc\xef\xbf\xbd" "d");
	b.n = 0;
	bb_u16str(&b, "abcdefg");
	bb_u16(&b, 0x01);
	bb_u16(&b, 0x85);
	bb_u16(&b, 0xe9);
	bb_u16(&b, 0x20ac);
	str_is(EV_IPL, &b, "abcdefg\\x01\\x85\xc3\xa9\xe2\x82\xac");
	/* Mostly non-ASCII UTF-16 is not taken for text. */
	b.n = 0;
	bb_u16str(&b, "ab");
	bb_u16(&b, 0x4e2d);
	bb_u16(&b, 0x6587);
	bb_u16(&b, 0x5b57);
	bb_u16(&b, 0);
	str_is(EV_IPL, &b, "610062002d4e8765575b0000");

	/* systemd-boot's UTF-16 command line with a one-byte terminator. */
	b.n = 0;
	bb_u16str(&b, "initrd=\\x.img rw");
	bb_u8(&b, 0);
	str_is(EV_IPL, &b, "initrd=\\x.img rw");

	/* Binary (NULs inside): hex. */
	b.n = 0;
	bb_hex(&b, "eb6390000000000000");
	str_is(EV_IPL, &b, "eb6390000000000000");
}

static void
test_string_truncation(void **state)
{
	char want[EVLOG_STR_MAX * 4];
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };
	size_t i, n;

	(void)state;
	/* 600 ASCII characters: 508 kept, then "...". */
	for (i = 0; i < 600; i++)
		bb_u8(&b, 'A' + i % 26);
	dec_ok(EV_EFI_ACTION, &b, EVLOG_DATA_STRING, &o, &t);
	assert_truncated(o.u.text, sizeof(o.u.text));
	assert_int_equal(strlen(o.u.text), EVLOG_STR_MAX - 1);
	assert_memory_equal(o.u.text, b.b, EVLOG_STR_MAX - 4);
	tev_free(&t);

	/* Exactly EVLOG_STR_MAX - 1 characters fit without a marker. */
	b.n = EVLOG_STR_MAX - 1;
	dec_ok(EV_EFI_ACTION, &b, EVLOG_DATA_STRING, &o, &t);
	assert_memory_equal(o.u.text, b.b, EVLOG_STR_MAX - 1);
	assert_int_equal(o.u.text[EVLOG_STR_MAX - 1], '\0');
	tev_free(&t);

	/* UTF-16 "a\u00e9" x 200: never cut inside a UTF-8 sequence. */
	b.n = 0;
	want[0] = '\0';
	for (i = 0; i < 200; i++) {
		bb_u16(&b, 'a');
		bb_u16(&b, 0xe9);
		strcat(want, "a\xc3\xa9");
	}
	dec_ok(EV_S_CRTM_VERSION, &b, EVLOG_DATA_STRING, &o, &t);
	assert_truncated(o.u.text, sizeof(o.u.text));
	n = strlen(o.u.text) - 3;
	assert_memory_equal(o.u.text, want, n);
	assert_true(((unsigned char)want[n] & 0xc0) != 0x80);
	tev_free(&t);

	/* Escapes are never cut: "abc\x01" x 200 (a quarter escaped). */
	b.n = 0;
	want[0] = '\0';
	for (i = 0; i < 200; i++) {
		bb_str(&b, "abc\x01");
		strcat(want, "abc\\x01");
	}
	dec_ok(EV_EFI_ACTION, &b, EVLOG_DATA_STRING, &o, &t);
	assert_truncated(o.u.text, sizeof(o.u.text));
	n = strlen(o.u.text) - 3;
	assert_memory_equal(o.u.text, want, n);
	assert_true(want[n] == 'a' || want[n] == '\\');
	tev_free(&t);

	/* Long binary: hex, truncated. */
	b.n = 0;
	for (i = 0; i < 400; i++)
		bb_u8(&b, i % 3 == 0 ? 0 : 0x90);
	dec_ok(EV_IPL, &b, EVLOG_DATA_STRING, &o, &t);
	assert_truncated(o.u.text, sizeof(o.u.text));
	assert_int_equal(strncmp(o.u.text, "009090009090", 12), 0);
	/* Whole bytes, then "...". */
	assert_int_equal(strlen(o.u.text) % 2, 1);
	tev_free(&t);
}

static void
test_post_code_and_printable(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	/* UEFI_PLATFORM_FIRMWARE_BLOB form. */
	bb_u64(&b, 0xffa90000u);
	bb_u64(&b, 0x350000u);
	dec_ok(EV_POST_CODE, &b, EVLOG_DATA_FIRMWARE_BLOB, &o, &t);
	assert_true(o.u.blob.base == 0xffa90000u);
	assert_true(o.u.blob.length == 0x350000u);
	assert_string_equal(o.u.blob.description, "");
	tev_free(&t);

	b.n = 0;
	bb_str(&b, "ACPI DATA");
	str_is(EV_POST_CODE, &b, "ACPI DATA");
	b.n = 0;
	/* 16 printable bytes: a string, not a blob. */
	bb_str(&b, "POST CODE STRING");
	str_is(EV_POST_CODE, &b, "POST CODE STRING");

	/* Empty or binary POST code (legacy BIOS): not decoded. */
	b.n = 0;
	kind_is(EV_POST_CODE, &b, EVLOG_DATA_NONE);
	bb_hex(&b, "94188238e482");
	kind_is(EV_POST_CODE, &b, EVLOG_DATA_NONE);
	b.n = 0;
	bb_u16(&b, 0);
	kind_is(EV_POST_CODE, &b, EVLOG_DATA_NONE);

	/* Windows compact hashes are binary; printable ones are text. */
	b.n = 0;
	bb_hex(&b, "10000000");
	kind_is(EV_COMPACT_HASH, &b, EVLOG_DATA_NONE);
	b.n = 0;
	bb_hex(&b, "ffff0000");
	kind_is(EV_COMPACT_HASH, &b, EVLOG_DATA_NONE);
	b.n = 0;
	bb_str(&b, "Boot attempts omitted");
	str_is(EV_OMIT_BOOT_DEVICE_EVENTS, &b, "Boot attempts omitted");
	b.n = 0;
	bb_str(&b, "tab\there");
	kind_is(EV_COMPACT_HASH, &b, EVLOG_DATA_STRING);
	b.n = 0;
	bb_str(&b, "bell\a");
	kind_is(EV_COMPACT_HASH, &b, EVLOG_DATA_NONE);
}

/* ---- UEFI_VARIABLE_DATA ---- */

static const char global_guid[] = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

static void
variable(struct bb *b, uint64_t nchars, uint64_t dlen, const char *name,
    const char *datahex)
{
	memset(b, 0, sizeof(*b));
	bb_guid(b, global_guid);
	bb_u64(b, nchars);
	bb_u64(b, dlen);
	bb_u16str(b, name);
	bb_hex(b, datahex);
}

static void
test_variable(void **state)
{
	static const uint32_t types[] = { EV_EFI_VARIABLE_DRIVER_CONFIG,
	    EV_EFI_VARIABLE_BOOT, EV_EFI_VARIABLE_BOOT2,
	    EV_EFI_VARIABLE_AUTHORITY, EV_EFI_SPDM_DEVICE_POLICY,
	    EV_EFI_SPDM_DEVICE_AUTHORITY };
	struct evlog_data o;
	struct tev t;
	struct bb b;
	size_t i;

	(void)state;
	variable(&b, 10, 1, "SecureBoot", "01");
	/* The wire form of the GUID is mixed-endian. */
	assert_memory_equal(b.b, "\x61\xdf\xe4\x8b\xca\x93\xd2\x11\xaa\x0d",
	    10);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		dec_ok(types[i], &b, EVLOG_DATA_EFI_VARIABLE, &o, &t);
		assert_string_equal(o.u.var.guid, global_guid);
		assert_string_equal(o.u.var.name, "SecureBoot");
		assert_int_equal(o.u.var.data_len, 1);
		assert_ptr_equal(o.u.var.data, t.buf + 32 + 20);
		assert_int_equal(o.u.var.data[0], 1);
		tev_free(&t);
	}
	prefixes_and_trailing_fail(EV_EFI_VARIABLE_DRIVER_CONFIG, &b);

	/* Empty data (an unset variable) and an empty name. */
	variable(&b, 2, 0, "PK", "");
	dec_ok(EV_EFI_VARIABLE_DRIVER_CONFIG, &b, EVLOG_DATA_EFI_VARIABLE, &o,
	    &t);
	assert_string_equal(o.u.var.name, "PK");
	assert_int_equal(o.u.var.data_len, 0);
	assert_null(o.u.var.data);
	tev_free(&t);
	variable(&b, 0, 2, "", "abcd");
	dec_ok(EV_EFI_VARIABLE_BOOT, &b, EVLOG_DATA_EFI_VARIABLE, &o, &t);
	assert_string_equal(o.u.var.name, "");
	tev_free(&t);

	/* Each length one too large, and the name one byte short. */
	variable(&b, 11, 1, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_DRIVER_CONFIG, &b, "UnicodeNameLength 11");
	variable(&b, 10, 2, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_DRIVER_CONFIG, &b, "VariableDataLength 2");
	variable(&b, 10, 0, "SecureBoot", "");
	b.n--;	/* odd: 19 bytes for 10 characters */
	dec_bad(EV_EFI_VARIABLE_DRIVER_CONFIG, &b, "UnicodeNameLength 10");
	/*
	 * shim < 15.3's padding: exactly 6 stray bytes after the data, only
	 * in EV_EFI_VARIABLE_AUTHORITY, are tolerated; 5, 7, or the same 6
	 * in another variable event are not.
	 */
	variable(&b, 10, 1, "SecureBoot", "01000000000000");
	dec_ok(EV_EFI_VARIABLE_AUTHORITY, &b, EVLOG_DATA_EFI_VARIABLE, &o, &t);
	assert_int_equal(o.padding, 6);
	assert_int_equal(o.u.var.data_len, 1);
	tev_free(&t);
	variable(&b, 10, 1, "SecureBoot", "01000000000000");
	dec_bad(EV_EFI_VARIABLE_DRIVER_CONFIG, &b, "6 trailing bytes");
	variable(&b, 10, 1, "SecureBoot", "010000000000");
	dec_bad(EV_EFI_VARIABLE_AUTHORITY, &b, "5 trailing bytes");
	variable(&b, 10, 1, "SecureBoot", "0100000000000000");
	dec_bad(EV_EFI_VARIABLE_AUTHORITY, &b, "7 trailing bytes");

	/* Lengths near 2^64; a character count whose x2 wraps. */
	variable(&b, UINT64_MAX, 1, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_BOOT, &b, "UnicodeNameLength");
	variable(&b, 0x8000000000000005ull, 1, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_BOOT, &b, "UnicodeNameLength");
	variable(&b, 0x8000000000000000ull, 0, "", "");
	dec_bad(EV_EFI_VARIABLE_BOOT, &b, "UnicodeNameLength");
	variable(&b, 10, UINT64_MAX, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_BOOT, &b, "VariableDataLength");
	variable(&b, 10, UINT64_MAX - 19, "SecureBoot", "01");
	dec_bad(EV_EFI_VARIABLE_BOOT, &b, "VariableDataLength");

	/* A name longer than the output: truncated, marked. */
	memset(&b, 0, sizeof(b));
	bb_guid(&b, global_guid);
	bb_u64(&b, 600);
	bb_u64(&b, 0);
	for (i = 0; i < 600; i++)
		bb_u16(&b, 'n');
	dec_ok(EV_EFI_VARIABLE_BOOT, &b, EVLOG_DATA_EFI_VARIABLE, &o, &t);
	assert_truncated(o.u.var.name, sizeof(o.u.var.name));
	tev_free(&t);

	/* Non-ASCII and control characters in a name. */
	memset(&b, 0, sizeof(b));
	bb_guid(&b, global_guid);
	bb_u64(&b, 3);
	bb_u64(&b, 0);
	bb_u16(&b, 0xfc);
	bb_u16(&b, 0);
	bb_u16(&b, 0xd801);
	dec_ok(EV_EFI_VARIABLE_BOOT, &b, EVLOG_DATA_EFI_VARIABLE, &o, &t);
	assert_string_equal(o.u.var.name, "\xc3\xbc\\x00\xef\xbf\xbd");
	tev_free(&t);
}

/* ---- UEFI_IMAGE_LOAD_EVENT and device paths ---- */

/* An image load event whose device path is the hex nodes given. */
static void
image(struct bb *b, const char *pathhex)
{
	size_t n = strlen(pathhex) / 2;

	memset(b, 0, sizeof(*b));
	bb_u64(b, 0x3d03f018u);
	bb_u64(b, 934240);
	bb_u64(b, 0);
	bb_u64(b, n);
	bb_hex(b, pathhex);
}

static void
path_is(const char *pathhex, const char *want)
{
	struct evlog_data o;
	struct tev t;
	struct bb b;

	image(&b, pathhex);
	dec_ok(EV_EFI_BOOT_SERVICES_APPLICATION, &b, EVLOG_DATA_EFI_IMAGE, &o,
	    &t);
	if (strcmp(o.u.image.device_path, want) != 0)
		fail_msg("path %s: \"%s\", \"%s\" expected", pathhex,
		    o.u.image.device_path, want);
	tev_free(&t);
}

#define END "7fff0400"

static void
test_image(void **state)
{
	/* qemu-ovmf-swtpm-sha256.bin event 26 (tpm2_eventlog hex). */
	static const char qemu[] =
	    "02010c00d041030a0000000001010600021f03120a000000ffff000004012a"
	    "000100000000080000000000000000100000000000097db965d4d4a445b2f3"
	    "523b736ddd320202040434005c004500460049005c00640065006200690061"
	    "006e005c007300680069006d007800360034002e0065006600690000007fff"
	    "0400";
	static const uint32_t types[] = { EV_EFI_BOOT_SERVICES_APPLICATION,
	    EV_EFI_BOOT_SERVICES_DRIVER, EV_EFI_RUNTIME_SERVICES_DRIVER };
	struct evlog_data o;
	struct tev t;
	struct bb b;
	size_t i;

	(void)state;
	image(&b, qemu);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		dec_ok(types[i], &b, EVLOG_DATA_EFI_IMAGE, &o, &t);
		assert_true(o.u.image.location == 0x3d03f018u);
		assert_true(o.u.image.length == 934240);
		assert_true(o.u.image.link_time_address == 0);
		assert_string_equal(o.u.image.device_path,
		    "PciRoot(0x0)/Pci(0x1f,0x2)/Sata(0x0,0xffff,0x0)/"
		    "HD(1,GPT,65b97d09-d4d4-45a4-b2f3-523b736ddd32,0x800,"
		    "0x100000)/\\EFI\\debian\\shimx64.efi");
		assert_ptr_equal(o.u.image.path, t.buf + 32);
		assert_int_equal(o.u.image.path_len, strlen(qemu) / 2);
		tev_free(&t);
	}
	prefixes_and_trailing_fail(EV_EFI_BOOT_SERVICES_APPLICATION, &b);

	/* A zero-length device path (an image loaded from memory). */
	image(&b, "");
	dec_ok(EV_EFI_BOOT_SERVICES_APPLICATION, &b, EVLOG_DATA_EFI_IMAGE, &o,
	    &t);
	assert_string_equal(o.u.image.device_path, "");
	assert_null(o.u.image.path);
	assert_int_equal(o.u.image.path_len, 0);
	tev_free(&t);

	/*
	 * shim 15's image events: no path, 9 stray bytes after it (a padded
	 * 41-byte struct): tolerated in exactly that shape, nothing else.
	 */
	image(&b, "");
	bb_hex(&b, "0090150000a01500af");
	dec_ok(EV_EFI_BOOT_SERVICES_APPLICATION, &b, EVLOG_DATA_EFI_IMAGE, &o,
	    &t);
	assert_int_equal(o.padding, 9);
	assert_string_equal(o.u.image.device_path, "");
	tev_free(&t);
	image(&b, "");
	bb_hex(&b, "0090150000a01500");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "8 trailing bytes");
	image(&b, END);
	bb_hex(&b, "0090150000a01500af");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "9 trailing bytes");

	/* LengthOfDevicePath one too large, and near 2^64. */
	image(&b, END);
	b.b[24] = 5;
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "LengthOfDevicePath 5");
	memset(b.b + 24, 0xff, 8);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b,
	    "LengthOfDevicePath 18446744073709551615");
	memset(b.b + 24, 0xff, 7);
	b.b[31] = 0x7f;
	dec_bad(EV_EFI_BOOT_SERVICES_DRIVER, &b, "LengthOfDevicePath");
}

static void
test_device_path_nodes(void **state)
{
	(void)state;
	path_is(END, "");
	path_is("02010c00d041080a05000000" END, "PcieRoot(0x5)");
	path_is("02010c00d041010500000000" END, "Acpi(PNP0501,0x0)");
	path_is("02010c00123456780a000000" END, "Acpi(0x78563412,0xa)");
	path_is("02030800000100" "80" END, "AcpiAdr(0x80000100)");
	path_is("01010600031f" END, "Pci(0x1f,0x3)");
	path_is("010508000200000" "0" END, "Ctrl(0x2)");
	path_is("0301080001000000" END, "Ata(Secondary,Master,0x0)");
	path_is("0302080001000200" END, "Scsi(0x1,0x2)");
	path_is("030506000b00" END, "USB(0xb,0x0)");
	path_is("030f0b0086806b0f0e0102" END,
	    "UsbClass(0x8086,0xf6b,0xe,0x1,0x2)");
	path_is("0311050003" END, "Unit(0x3)");
	path_is("03120a000000ffff0000" END, "Sata(0x0,0xffff,0x0)");
	path_is("0314060064" "00" END, "Vlan(100)");
	path_is("03171000010000000102030405060708" END,
	    "NVMe(0x1,08-07-06-05-04-03-02-01)");
	path_is("030b2500" "0cc47aff601c" "0000000000000000000000000000"
	    "000000000000000000000000" "01" END, "MAC(0cc47aff601c,0x1)");
	path_is("030b2500" "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff" "06" END,
	    "MAC(00112233445566778899aabbccddeeff00112233445566778899aabbccdd"
	    "eeff,0x6)");
	/* IPv4, 27 bytes: remote 192.168.0.141, TCP, static. */
	path_is("030c1b000a000001c0a8008d00004500060001" "0a0000fe" "ffffff00"
	    END, "IPv4(192.168.0.141,TCP,Static,10.0.0.1,10.0.0.254,"
	    "255.255.255.0)");
	/* IPv4, the older 19-byte form: no gateway and mask. */
	path_is("030c13000a000001c0a8008d000045001100" "00" END,
	    "IPv4(192.168.0.141,UDP,DHCP,10.0.0.1)");
	/* IPv6, 60 bytes. */
	path_is("030d3c00" "fe800000000000000000000000000001"
	    "20010db8000000000000000000000002" "0000" "0000" "0600" "01"
	    "40" "fe8000000000000000000000000000fe" END,
	    "IPv6(2001:0db8:0000:0000:0000:0000:0000:0002,TCP,"
	    "StatelessAutoConfigure,fe80:0000:0000:0000:0000:0000:0000:0001,"
	    "0x40,fe80:0000:0000:0000:0000:0000:0000:00fe)");
	path_is("03181600" "687474703a2f2f782f626f6f742e656669" "0a" END,
	    "Uri(http://x/boot.efi\\x0a)");
	path_is("030a1400" "e0bc1c53c08c94469ee0e9b04e5a6f97" END,
	    "VenMsg(531cbce0-8cc0-4694-9ee0-e9b04e5a6f97)");
	path_is("01041600" "e0bc1c53c08c94469ee0e9b04e5a6f97" "abcd" END,
	    "VenHw(531cbce0-8cc0-4694-9ee0-e9b04e5a6f97,abcd)");
	/* HD, MBR signature. */
	path_is("04012a00" "02000000" "0008000000000000" "0000100000000000"
	    "efbeadde000000000000000000000000" "01" "01" END,
	    "HD(2,MBR,0xdeadbeef,0x800,0x100000)");
	path_is("04021800" "01000000" "1000000000000000" "2000000000000000"
	    END, "CDROM(0x1,0x10,0x20)");
	path_is("04041000" "5c0041005c00420000000000" END, "\\A\\B\\x00");
	path_is("04040c00" "5c0041005c004200" END, "\\A\\B");
	path_is("04071400" "ae51c18f6fc9c94b8c33107992c7735b"
	    "04061400" "3a4248352c2b93439826b202959d2362" END,
	    "Fv(8fc151ae-c96f-4bc9-8c33-107992c7735b)/"
	    "FvFile(3548423a-2b2c-4393-9826-b202959d2362)");
	path_is("04081800" "00000000" "50f2000000000000" "ff01020000000000"
	    END, "Offset(0xf250,0x201ff)");
	path_is("04051400" "e0bc1c53c08c94469ee0e9b04e5a6f97" END,
	    "Media(531cbce0-8cc0-4694-9ee0-e9b04e5a6f97)");
	/* Unknown nodes, BBS among them: Path(type,subtype,data). */
	path_is("05010800" "0100" "0000" END, "Path(5,1,01000000)");
	path_is("03ff0400" END, "Path(3,255)");
	/* End of instance separates instances; End Entire is optional. */
	path_is("01010600031f" "7f010400" "01010600001e" END,
	    "Pci(0x1f,0x3),Pci(0x1e,0x0)");
	path_is("01010600031f", "Pci(0x1f,0x3)");
}

static void
test_device_path_malformed(void **state)
{
	struct bb b;

	(void)state;
	/* Node length below 4, beyond the path by one, zero. */
	image(&b, "01010300" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "is below 4");
	image(&b, "01010000" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 0 is below 4");
	image(&b, "01010700031f");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 7 exceeds");
	image(&b, "7fff0500");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 5 exceeds");
	image(&b, "7fffffff");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 65535 exceeds");
	/* A header cut short. */
	image(&b, "0101");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "node length");
	/* Known nodes of the wrong size. */
	image(&b, "01010700031f00" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 7, 6 expected");
	image(&b, "02010800d041030a" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 8, 12 expected");
	image(&b, "04012900" "02000000" "0008000000000000" "0000100000000000"
	    "efbeadde000000000000000000000000" "01" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "42 expected");
	image(&b, "030c1c000a000001c0a8008d00004500060001" "0a0000fe" "ffffff00"
	    "00" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "27 expected");
	image(&b, "040407005c0041" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "length 7");
	image(&b, "04071300" "ae51c18f6fc9c94b8c33107992c773" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "20 expected");
	image(&b, "030a1300" "e0bc1c53c08c94469ee0e9b04e5a6f" END);
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "20 expected");
	/* Bytes after End Entire. */
	image(&b, END "01010600031f");
	dec_bad(EV_EFI_BOOT_SERVICES_APPLICATION, &b, "after the device path");
}

static void
test_device_path_truncation(void **state)
{
	char hex[2 * BB_MAX];
	struct evlog_data o;
	struct tev t;
	struct bb b;
	size_t i;

	(void)state;
	hex[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(hex, "010106000100");
	strcat(hex, END);
	image(&b, hex);
	dec_ok(EV_EFI_BOOT_SERVICES_DRIVER, &b, EVLOG_DATA_EFI_IMAGE, &o, &t);
	assert_truncated(o.u.image.device_path,
	    sizeof(o.u.image.device_path));
	assert_int_equal(strncmp(o.u.image.device_path,
	    "Pci(0x0,0x1)/Pci(0x0,0x1)/", 26), 0);
	tev_free(&t);

	/* A malformed node after the cut is still found. */
	hex[strlen(hex) - strlen(END)] = '\0';
	strcat(hex, "01010300" END);
	image(&b, hex);
	dec_bad(EV_EFI_BOOT_SERVICES_DRIVER, &b, "node 100 ");
}

/* ---- firmware blobs ---- */

static void
test_blob(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	bb_u64(&b, 0xff340000u);
	bb_u64(&b, 0x430000u);
	dec_ok(EV_EFI_PLATFORM_FIRMWARE_BLOB, &b, EVLOG_DATA_FIRMWARE_BLOB,
	    &o, &t);
	assert_true(o.u.blob.base == 0xff340000u);
	assert_true(o.u.blob.length == 0x430000u);
	assert_string_equal(o.u.blob.description, "");
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_PLATFORM_FIRMWARE_BLOB, &b);

	b.n = 0;
	bb_u8(&b, 9);
	bb_str(&b, "POST CODE");
	bb_u64(&b, UINT64_MAX);
	bb_u64(&b, 1);
	dec_ok(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, EVLOG_DATA_FIRMWARE_BLOB,
	    &o, &t);
	assert_string_equal(o.u.blob.description, "POST CODE");
	assert_true(o.u.blob.base == UINT64_MAX);
	assert_true(o.u.blob.length == 1);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b);

	/* BlobDescriptionSize one too large (eats into base), and 255. */
	b.b[0] = 10;
	dec_bad(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, "BlobLength");
	b.b[0] = 26;
	dec_bad(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, "BlobDescriptionSize 26");
	b.b[0] = 255;
	dec_bad(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, "BlobDescriptionSize 255");

	/* A description with a NUL and control bytes; 255 bytes long. */
	b.n = 0;
	bb_u8(&b, 5);
	bb_mem(&b, "a\x01" "b\0", 5);
	bb_u64(&b, 1);
	bb_u64(&b, 2);
	dec_ok(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, EVLOG_DATA_FIRMWARE_BLOB,
	    &o, &t);
	assert_string_equal(o.u.blob.description, "a\\x01b\\x00");
	tev_free(&t);
	b.n = 0;
	bb_u8(&b, 255);
	while (b.n < 256)
		bb_u8(&b, 'd');
	bb_u64(&b, 1);
	bb_u64(&b, 2);
	dec_ok(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, EVLOG_DATA_FIRMWARE_BLOB,
	    &o, &t);
	assert_int_equal(strlen(o.u.blob.description), 255);
	assert_string_equal(o.u.blob.description + 254, "d");
	tev_free(&t);
	b.b[256 - 1] = 0x01;	/* one escape more no longer fits */
	dec_ok(EV_EFI_PLATFORM_FIRMWARE_BLOB2, &b, EVLOG_DATA_FIRMWARE_BLOB,
	    &o, &t);
	assert_truncated(o.u.blob.description, sizeof(o.u.blob.description));
	tev_free(&t);
}

/* ---- handoff tables ---- */

static void
test_handoff_tables(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	bb_u64(&b, 2);
	bb_guid(&b, "eb9d2d31-2d88-11d3-9a16-0090273fc14d");
	bb_u64(&b, 0x5fd70000u);
	bb_guid(&b, "8868e871-e4f1-11d3-bc22-0080c73c8881");
	bb_u64(&b, 0x5fd80000u);
	dec_ok(EV_EFI_HANDOFF_TABLES, &b, EVLOG_DATA_HANDOFF_TABLES, &o, &t);
	assert_true(o.u.tables.count == 2);
	assert_string_equal(o.u.tables.first_guid,
	    "eb9d2d31-2d88-11d3-9a16-0090273fc14d");
	assert_string_equal(o.u.tables.description, "");
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_HANDOFF_TABLES, &b);

	/* NumberOfTables one too large; near 2^64; x24 wrapping to 8. */
	b.b[0] = 3;
	dec_bad(EV_EFI_HANDOFF_TABLES, &b, "NumberOfTables 3");
	b.b[0] = 1;
	dec_bad(EV_EFI_HANDOFF_TABLES, &b, "NumberOfTables 1");
	memset(b.b, 0xff, 8);
	dec_bad(EV_EFI_HANDOFF_TABLES, &b, "NumberOfTables");
	b.n = 0;
	bb_u64(&b, 768614336404564651ull);	/* x 24 = 2^64 + 8 */
	bb_u64(&b, 0);
	dec_bad(EV_EFI_HANDOFF_TABLES, &b, "NumberOfTables");

	/* No tables. */
	b.n = 0;
	bb_u64(&b, 0);
	dec_ok(EV_EFI_HANDOFF_TABLES, &b, EVLOG_DATA_HANDOFF_TABLES, &o, &t);
	assert_true(o.u.tables.count == 0);
	assert_string_equal(o.u.tables.first_guid, "");
	tev_free(&t);

	/* TABLES2: a description first. */
	b.n = 0;
	bb_u8(&b, 4);
	bb_str(&b, "ACPI");
	bb_u64(&b, 1);
	bb_guid(&b, "8868e871-e4f1-11d3-bc22-0080c73c8881");
	bb_u64(&b, 0x5fd80000u);
	dec_ok(EV_EFI_HANDOFF_TABLES2, &b, EVLOG_DATA_HANDOFF_TABLES, &o, &t);
	assert_string_equal(o.u.tables.description, "ACPI");
	assert_true(o.u.tables.count == 1);
	assert_string_equal(o.u.tables.first_guid,
	    "8868e871-e4f1-11d3-bc22-0080c73c8881");
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_HANDOFF_TABLES2, &b);
	b.b[0] = 5;
	dec_bad(EV_EFI_HANDOFF_TABLES2, &b, "NumberOfTables");
	b.b[0] = 40;
	dec_bad(EV_EFI_HANDOFF_TABLES2, &b, "TableDescriptionSize 40");
}

/* ---- GPT ---- */

static void
gpt(struct bb *b, uint32_t hsize, uint32_t nentries, uint32_t esize,
    uint64_t nparts, size_t entries)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	bb_str(b, "EFI PART");
	bb_u32(b, 0x10000);
	bb_u32(b, hsize);
	bb_u32(b, 0x7e4c86d1);
	bb_u32(b, 0);
	bb_u64(b, 1);
	bb_u64(b, 0x13fffff);
	bb_u64(b, 0x22);
	bb_u64(b, 0x13fffde);
	bb_guid(b, "cb2b7180-7317-44b2-b13d-ea395dabb1a7");
	bb_u64(b, 2);
	bb_u32(b, nentries);
	bb_u32(b, esize);
	bb_u32(b, 0x4f717292);
	assert_int_equal(b->n, 92);
	bb_u64(b, nparts);
	for (i = 0; i < entries; i++) {
		bb_guid(b, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
		while ((b->n - 100) % esize != 0)
			bb_u8(b, (uint8_t)i);
	}
}

static void
test_gpt(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b;

	(void)state;
	gpt(&b, 92, 128, 128, 3, 3);
	dec_ok(EV_EFI_GPT_EVENT, &b, EVLOG_DATA_GPT, &o, &t);
	assert_string_equal(o.u.gpt.disk_guid,
	    "cb2b7180-7317-44b2-b13d-ea395dabb1a7");
	assert_true(o.u.gpt.partitions == 3);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_GPT_EVENT, &b);

	/* A larger on-disk header and 256-byte entries are valid. */
	gpt(&b, 512, 4, 256, 2, 2);
	dec_ok(EV_EFI_GPT_EVENT, &b, EVLOG_DATA_GPT, &o, &t);
	assert_true(o.u.gpt.partitions == 2);
	tev_free(&t);
	gpt(&b, 92, 128, 128, 0, 0);
	dec_ok(EV_EFI_GPT_EVENT, &b, EVLOG_DATA_GPT, &o, &t);
	assert_true(o.u.gpt.partitions == 0);
	tev_free(&t);

	gpt(&b, 92, 128, 128, 3, 3);
	b.b[0] = 'X';
	dec_bad(EV_EFI_GPT_EVENT, &b, "EFI PART");
	gpt(&b, 91, 128, 128, 3, 3);
	dec_bad(EV_EFI_GPT_EVENT, &b, "HeaderSize 91");
	gpt(&b, 92, 128, 128, 4, 3);
	dec_bad(EV_EFI_GPT_EVENT, &b, "NumberOfPartitions 4 x 128");
	gpt(&b, 92, 128, 128, 2, 3);
	dec_bad(EV_EFI_GPT_EVENT, &b, "NumberOfPartitions 2 x 128");
	gpt(&b, 92, 2, 128, 3, 3);
	dec_bad(EV_EFI_GPT_EVENT, &b, "NumberOfPartitionEntries 2");
	gpt(&b, 92, 128, 0, 0, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "SizeOfPartitionEntry 0");
	gpt(&b, 92, 128, 64, 0, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "SizeOfPartitionEntry 64");
	gpt(&b, 92, 128, 129, 0, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "SizeOfPartitionEntry 129");
	gpt(&b, 92, 128, 384, 0, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "SizeOfPartitionEntry 384");
	/* Counts near the top of their ranges. */
	gpt(&b, 92, UINT32_MAX, 0x80000000u, UINT32_MAX, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "NumberOfPartitions 4294967295");
	gpt(&b, 92, UINT32_MAX, 128, UINT64_MAX, 0);
	dec_bad(EV_EFI_GPT_EVENT, &b, "NumberOfPartitions");
	/* The header cut short. */
	gpt(&b, 92, 128, 128, 0, 0);
	b.n = 91;
	dec_bad(EV_EFI_GPT_EVENT, &b, "EFI_PARTITION_TABLE_HEADER");
}

/* ---- EV_EVENT_TAG ---- */

static void
test_tagged(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };

	(void)state;
	/* systemd-stub's initrd tag (sd-boot-fedora37-sha256.bin). */
	bb_u32(&b, 0x8f3b22ec);
	bb_u32(&b, 13);
	bb_mem(&b, "Linux initrd", 13);
	dec_ok(EV_EVENT_TAG, &b, EVLOG_DATA_TAGGED, &o, &t);
	assert_int_equal(o.u.tagged.id, 0x8f3b22ec);
	assert_int_equal(o.u.tagged.data_len, 13);
	assert_ptr_equal(o.u.tagged.data, t.buf + 8);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EVENT_TAG, &b);

	b.b[4] = 14;
	dec_bad(EV_EVENT_TAG, &b, "taggedEventDataSize 14, 13 bytes follow");
	b.b[4] = 12;
	dec_bad(EV_EVENT_TAG, &b, "taggedEventDataSize 12, 13 bytes follow");
	memset(b.b + 4, 0xff, 4);
	dec_bad(EV_EVENT_TAG, &b, "taggedEventDataSize 4294967295");

	b.n = 0;
	bb_u32(&b, 0x40010001);
	bb_u32(&b, 0);
	dec_ok(EV_EVENT_TAG, &b, EVLOG_DATA_TAGGED, &o, &t);
	assert_int_equal(o.u.tagged.data_len, 0);
	assert_null(o.u.tagged.data);
	tev_free(&t);
}

/* ---- SPDM ---- */

static void
spdm1(struct bb *b, unsigned len)
{
	memset(b, 0, sizeof(*b));
	bb_mem(b, "SPDM Device Sec", 16);
	bb_u16(b, 1);
	bb_u16(b, len);
	bb_u32(b, 0x02);	/* SpdmHashAlgo */
	bb_u32(b, 1);		/* DeviceType: PCI */
	bb_hex(b, "01010400aabbccdd");
}

static void
spdm2(struct bb *b, uint32_t len, uint32_t sublen, uint64_t plen)
{
	memset(b, 0, sizeof(*b));
	bb_mem(b, "SPDM Device Sec2", 16);
	bb_u16(b, 2);
	bb_u8(b, 0);		/* AuthState */
	bb_u8(b, 0);
	bb_u32(b, len);
	bb_u32(b, 1);
	bb_u32(b, 0);		/* SubHeaderType */
	bb_u32(b, sublen);
	bb_u64(b, 0x1122334455667788ull);
	bb_u64(b, plen);
	bb_hex(b, "01010600031f" END);
	bb_hex(b, "0102030405060708");	/* sub header */
}

static void
test_spdm(void **state)
{
	struct evlog_data o;
	struct tev t;
	struct bb b;

	(void)state;
	spdm1(&b, 36);
	dec_ok(EV_EFI_SPDM_FIRMWARE_BLOB, &b, EVLOG_DATA_SPDM, &o, &t);
	assert_string_equal(o.u.spdm.signature, "SPDM Device Sec");
	assert_int_equal(o.u.spdm.version, 1);
	assert_int_equal(o.u.spdm.data_len, 8);
	assert_ptr_equal(o.u.spdm.data, t.buf + 28);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_SPDM_FIRMWARE_BLOB, &b);
	spdm1(&b, 37);
	dec_bad(EV_EFI_SPDM_FIRMWARE_CONFIG, &b, "SPDM Length 37");
	spdm1(&b, 35);
	dec_bad(EV_EFI_SPDM_FIRMWARE_CONFIG, &b, "SPDM Length 35");

	spdm2(&b, 70, 8, 10);
	dec_ok(EV_EFI_SPDM_FIRMWARE_CONFIG, &b, EVLOG_DATA_SPDM, &o, &t);
	assert_string_equal(o.u.spdm.signature, "SPDM Device Sec2");
	assert_int_equal(o.u.spdm.version, 2);
	assert_int_equal(o.u.spdm.data_len, 26);
	assert_ptr_equal(o.u.spdm.data, t.buf + 44);
	tev_free(&t);
	prefixes_and_trailing_fail(EV_EFI_SPDM_FIRMWARE_CONFIG, &b);
	spdm2(&b, 70, 9, 10);
	dec_bad(EV_EFI_SPDM_FIRMWARE_BLOB, &b, "SubHeaderLength 9");
	spdm2(&b, 70, 8, 19);
	dec_bad(EV_EFI_SPDM_FIRMWARE_BLOB, &b, "DevicePathLength 19");
	spdm2(&b, 70, 8, UINT64_MAX);
	dec_bad(EV_EFI_SPDM_FIRMWARE_BLOB, &b, "DevicePathLength");
	spdm2(&b, 71, 8, 10);
	dec_bad(EV_EFI_SPDM_FIRMWARE_BLOB, &b, "SPDM Length 71");

	/* Another signature under an SPDM firmware type. */
	spdm1(&b, 36);
	b.b[0] = 's';
	dec_bad(EV_EFI_SPDM_FIRMWARE_BLOB, &b, "signature");
	/* The SPDM header is accepted for device policy events too. */
	spdm1(&b, 36);
	dec_ok(EV_EFI_SPDM_DEVICE_POLICY, &b, EVLOG_DATA_SPDM, &o, &t);
	tev_free(&t);
}

/* ---- no decoder; arguments ---- */

static void
test_no_decoder(void **state)
{
	static const uint32_t types[] = { EV_PREBOOT_CERT, EV_UNUSED,
	    EV_S_CRTM_CONTENTS, EV_CPU_MICROCODE, EV_PLATFORM_CONFIG_FLAGS,
	    EV_TABLE_OF_DEVICES, EV_IPL_PARTITION_DATA, EV_NONHOST_CODE,
	    EV_NONHOST_CONFIG, EV_NONHOST_INFO, EV_POST_CODE2,
	    EV_EFI_EVENT_BASE, EV_EFI_GPT_EVENT2, EV_EFI_HCRTM_EVENT,
	    0x7fffffffu, 0xffffffffu };
	struct evlog_data o;
	struct tev t;
	struct bb b = { .n = 0 };
	size_t i;

	(void)state;
	bb_str(&b, "HCRTM");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		dec_ok(types[i], &b, EVLOG_DATA_NONE, &o, &t);
		tev_free(&t);
	}
}

static void
test_arguments(void **state)
{
	struct evlog_event ev;
	struct evlog_data o;
	struct wg_diag d;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_SEPARATOR;
	ev.data_len = 4;
	ev.data = NULL;
	wg_diag_clear(&d);
	assert_int_equal(evlog_decode(&ev, &o, &d), WG_ERR_INVALID_ARG);
	assert_int_equal(d.err, WG_ERR_INVALID_ARG);
	assert_int_equal(evlog_decode(NULL, &o, NULL), WG_ERR_INVALID_ARG);
	ev.data = (const uint8_t *)"\0\0\0\0";
	assert_int_equal(evlog_decode(&ev, NULL, NULL), WG_ERR_INVALID_ARG);
}

/* ---- the corpus ---- */

static struct evlog *
corpus_load(const char *name, uint8_t **raw)
{
	char rel[256], path[1024];
	struct evlog *log = NULL;
	struct wg_diag d;
	size_t len;
	int r;

	(void)snprintf(rel, sizeof(rel), "eventlogs/%s", name);
	tu_data_path(rel, path, sizeof(path));
	if (tu_read_file(path, EVLOG_DEFAULT_MAX_BYTES, raw, &len) != 0)
		fail_msg("cannot read %s", path);
	wg_diag_clear(&d);
	r = evlog_parse(*raw, len, NULL, &log, &d);
	if (r != 0) {
		print_message("note: %s does not parse (%s: %s)\n", name,
		    wg_errname(r), d.detail);
		return NULL;
	}
	return log;
}

/* Text fields of a decoded event are terminated, bounded UTF-8. */
static void
check_text(const struct evlog_data *o)
{
	switch (o->kind) {
	case EVLOG_DATA_NO_ACTION:
	case EVLOG_DATA_STRING:
		assert_true(memchr(o->u.text, 0, sizeof(o->u.text)) != NULL);
		assert_true(utf8_valid(o->u.text));
		break;
	case EVLOG_DATA_EFI_VARIABLE:
		assert_int_equal(strlen(o->u.var.guid), 36);
		assert_true(utf8_valid(o->u.var.name));
		break;
	case EVLOG_DATA_EFI_IMAGE:
		assert_true(utf8_valid(o->u.image.device_path));
		break;
	case EVLOG_DATA_FIRMWARE_BLOB:
		assert_true(utf8_valid(o->u.blob.description));
		break;
	case EVLOG_DATA_HANDOFF_TABLES:
		assert_true(utf8_valid(o->u.tables.description));
		break;
	case EVLOG_DATA_GPT:
		assert_int_equal(strlen(o->u.gpt.disk_guid), 36);
		break;
	default:
		break;
	}
}

/*
 * Events the decoder rejects, and why: each is shown malformed by its own
 * bytes (see the comment at each entry). Nothing else may fail.
 */
struct corpus_fail {
	const char *file;
	size_t index;
	const char *why;	/* a substring of the diag detail */
	size_t padding;		/* > 0: decodes, with this shim padding */
};

static const struct corpus_fail corpus_fails[] = {
	/*
	 * shim 15 (before 15.3) logs the image it loads (grub) as a
	 * UEFI_IMAGE_LOAD_EVENT with LengthOfDevicePath 0 followed by 9
	 * bytes that no field covers (the event is 41 bytes, the structure
	 * 32): sizeof() of its padded struct. tpm2_eventlog 5.4 shows them
	 * as "LengthOfDevicePath: 0 / DevicePath: '0090150000a01500af'".
	 * The decoder tolerates exactly this shape and reports the padding.
	 */
	{ "bootorder.bin", 26, NULL, 9 },
	{ "gce-debian10-sha1-legacy.bin", 22, NULL, 9 },
	{ "gce-debian10-sha1-legacy.bin", 24, NULL, 9 },
	{ "postcode.bin", 39, NULL, 9 },
	{ "postcode.bin", 53, NULL, 9 },
	{ "uefi-sha1-legacy.bin", 16, NULL, 9 },
	/*
	 * The same shim's EV_EFI_VARIABLE_AUTHORITY for its vendor
	 * certificate ("Shim", 4 characters): VariableDataLength 930 makes
	 * 970 bytes, the event is 976, 6 bytes of struct padding follow
	 * (rhboot/shim issue #184 shows this very event).
	 */
	{ "gce-debian10-sha1-legacy.bin", 23, NULL, 6 },
	{ "postcode.bin", 40, NULL, 6 },
	{ "postcode.bin", 54, NULL, 6 },
	/*
	 * A synthetic Spec ID event (tpm2-tools fixture) declaring
	 * vendorInfoSize 4 while its event data ends right after that byte;
	 * the 4 bytes sit outside the event.
	 */
	{ "synthetic-specid-vendordata.bin", 0, "vendorInfoSize 4 exceeds", 0 },
};

/* The corpus's logs: every NAME.bin but negative-*.bin, sorted. */
#define CORPUS_MAX_NAMES 256

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
corpus_names(char **names, size_t max)
{
	char path[1024];
	struct dirent *de;
	DIR *dp;
	size_t n = 0, len;

	tu_data_path("eventlogs", path, sizeof(path));
	if ((dp = opendir(path)) == NULL)
		fail_msg("cannot open %s", path);
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".bin") != 0 ||
		    strncmp(de->d_name, "negative-", 9) == 0)
			continue;
		assert_true(n < max);
		names[n] = strdup(de->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

#define NCORPUS_FAILS (sizeof(corpus_fails) / sizeof(corpus_fails[0]))

/* The expected failure for this event, or NULL; marks it seen. */
static const struct corpus_fail *
corpus_expected_fail(const char *file, size_t index, int *seen)
{
	size_t i;

	for (i = 0; i < NCORPUS_FAILS; i++)
		if (strcmp(corpus_fails[i].file, file) == 0 &&
		    corpus_fails[i].index == index) {
			seen[i] = 1;
			return &corpus_fails[i];
		}
	return NULL;
}

static void
test_corpus_all_events(void **state)
{
	const struct corpus_fail *want;
	struct evlog_data o, before;
	struct evlog *log;
	struct wg_diag d;
	char *corpus_files[CORPUS_MAX_NAMES];
	int seen[NCORPUS_FAILS] = { 0 };
	uint8_t *raw;
	size_t f, i, nfiles, decoded = 0, failed = 0, parsed = 0, padded = 0;
	int r;

	(void)state;
	nfiles = corpus_names(corpus_files, CORPUS_MAX_NAMES);
	for (f = 0; f < nfiles; f++) {
		raw = NULL;
		if ((log = corpus_load(corpus_files[f], &raw)) == NULL) {
			free(raw);
			continue;
		}
		parsed++;
		for (i = 0; i < log->nevents; i++) {
			want = corpus_expected_fail(corpus_files[f], i, seen);
			wg_diag_clear(&d);
			memset(&o, 0x3c, sizeof(o));
			before = o;
			r = evlog_decode(&log->events[i], &o, &d);
			if (want != NULL && want->padding > 0) {
				if (r != 0)
					fail_msg("%s event %zu: %s (expected "
					    "shim padding %zu)", corpus_files[f],
					    i, d.detail, want->padding);
				assert_int_equal(o.padding, want->padding);
				check_text(&o);
				decoded++;
				padded++;
				continue;
			}
			if (r == 0 && o.padding != 0)
				fail_msg("%s event %zu: unexpected padding %zu",
				    corpus_files[f], i, o.padding);
			if (want != NULL && r == 0)
				fail_msg("%s event %zu decoded; expected to "
				    "fail (%s)", corpus_files[f], i,
				    want->why);
			if (r != 0) {
				if (want == NULL) {
					fail_msg("%s event %zu: %s",
					    corpus_files[f], i, d.detail);
					continue;
				}
				assert_int_equal(r, WG_ERR_EVLOG_DATA);
				assert_memory_equal(&o, &before, sizeof(o));
				if (strstr(d.detail, want->why) == NULL)
					fail_msg("%s event %zu: \"%s\" lacks "
					    "\"%s\"", corpus_files[f], i,
					    d.detail, want->why);
				failed++;
				continue;
			}
			check_text(&o);
			decoded++;
		}
		evlog_free(log);
		free(raw);
	}
	for (f = 0; f < nfiles; f++)
		free(corpus_files[f]);
	print_message("corpus: %zu logs, %zu events decoded, %zu rejected "
	    "as malformed\n", parsed, decoded, failed);
	/* Every expected failure was met; the decoder did real work. */
	for (f = 0; f < NCORPUS_FAILS; f++)
		if (!seen[f])
			fail_msg("%s event %zu: not in the corpus any more",
			    corpus_fails[f].file, corpus_fails[f].index);
	assert_int_equal(failed, 1);	/* the synthetic Spec ID only */
	assert_int_equal(padded, 9);	/* shim < 15.3's events */
	assert_true(parsed >= 20);
	assert_true(decoded > 1000);
}

/* Decodes event idx of log; asserts success and the type and kind. */
static void
corpus_event(const struct evlog *log, size_t idx, uint32_t type,
    enum evlog_data_kind kind, struct evlog_data *o)
{
	struct wg_diag d;

	assert_true(idx < log->nevents);
	assert_int_equal(log->events[idx].type, type);
	wg_diag_clear(&d);
	if (evlog_decode(&log->events[idx], o, &d) != 0)
		fail_msg("event %zu: %s", idx, d.detail);
	assert_int_equal(o->kind, kind);
}

static void
test_corpus_gce_ubuntu(void **state)
{
	struct evlog_data o;
	struct evlog *log;
	uint8_t *raw = NULL;

	(void)state;
	log = corpus_load("gce-ubuntu2104-nodbx.bin", &raw);
	assert_non_null(log);

	/*
	 * tpm2_eventlog 5.4, event 1: EV_S_CRTM_VERSION, Event:
	 * "47004300450020005600690072007400750061006c0020004600690072006d00
	 * 77006100720065002000760031000000" (UCS-2 "GCE Virtual Firmware v1").
	 */
	corpus_event(log, 1, EV_S_CRTM_VERSION, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text, "GCE Virtual Firmware v1");

	/*
	 * tpm2_eventlog --eventlog-version=2, event 3:
	 * VariableName: 8be4df61-93ca-11d2-aa0d-00e098032b8c,
	 * UnicodeNameLength: 10, VariableDataLength: 1,
	 * UnicodeName: SecureBoot, VariableData: Enabled: 'No' ("00").
	 */
	corpus_event(log, 3, EV_EFI_VARIABLE_DRIVER_CONFIG,
	    EVLOG_DATA_EFI_VARIABLE, &o);
	assert_string_equal(o.u.var.guid,
	    "8be4df61-93ca-11d2-aa0d-00e098032b8c");
	assert_string_equal(o.u.var.name, "SecureBoot");
	assert_int_equal(o.u.var.data_len, 1);
	assert_int_equal(o.u.var.data[0], 0);

	/* Event 6: VariableName d719b2cb-..., UnicodeName: db, 3143 bytes. */
	corpus_event(log, 6, EV_EFI_VARIABLE_DRIVER_CONFIG,
	    EVLOG_DATA_EFI_VARIABLE, &o);
	assert_string_equal(o.u.var.guid,
	    "d719b2cb-3d3a-4596-a3bc-dad00e67656f");
	assert_string_equal(o.u.var.name, "db");
	assert_int_equal(o.u.var.data_len, 3143);

	/* Event 8: EV_SEPARATOR, Event: "00000000". */
	corpus_event(log, 8, EV_SEPARATOR, EVLOG_DATA_SEPARATOR, &o);
	assert_int_equal(o.u.separator, 0);

	/* Event 14: EV_EFI_ACTION, "Calling EFI Application from Boot
	 * Option". */
	corpus_event(log, 14, EV_EFI_ACTION, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text,
	    "Calling EFI Application from Boot Option");

	/*
	 * Event 22 (--eventlog-version=2): DiskGUID:
	 * cb2b7180-7317-44b2-b13d-ea395dabb1a7, NumberOfPartitions: 3, the
	 * third with UniquePartitionGUID 6ea6f740-25ef-4269-838d-1a6f21ebf27f,
	 * StartingLBA 0x2800, EndingLBA 0x377ff.
	 */
	corpus_event(log, 22, EV_EFI_GPT_EVENT, EVLOG_DATA_GPT, &o);
	assert_string_equal(o.u.gpt.disk_guid,
	    "cb2b7180-7317-44b2-b13d-ea395dabb1a7");
	assert_true(o.u.gpt.partitions == 3);

	/*
	 * Event 23: ImageLocationInMemory: 0xbdde4018,
	 * ImageLengthInMemory: 955072, LengthOfDevicePath: 124, DevicePath:
	 * '02010c00d041030a00000000 01010600 0003 03020800 01000000
	 * 04012a00 0f000000 0028000000000000 0050030000000000
	 * 40f7a66eef256942838d1a6f21ebf27f 0202 0404 3400 5c00450046...
	 * 7fff0400': the ESP (partition 15, 0x35000 blocks from 0x2800,
	 * the partition GUID of event 22), then \EFI\ubuntu\shimx64.efi.
	 */
	corpus_event(log, 23, EV_EFI_BOOT_SERVICES_APPLICATION,
	    EVLOG_DATA_EFI_IMAGE, &o);
	assert_true(o.u.image.location == 0xbdde4018u);
	assert_true(o.u.image.length == 955072);
	assert_int_equal(o.u.image.path_len, 124);
	assert_string_equal(o.u.image.device_path,
	    "PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0)/"
	    "HD(15,GPT,6ea6f740-25ef-4269-838d-1a6f21ebf27f,0x2800,0x35000)/"
	    "\\EFI\\ubuntu\\shimx64.efi");

	/* Event 27: LengthOfDevicePath: 56, a lone FilePath node (grub). */
	corpus_event(log, 27, EV_EFI_BOOT_SERVICES_APPLICATION,
	    EVLOG_DATA_EFI_IMAGE, &o);
	assert_true(o.u.image.location == 0xbd23a018u);
	assert_string_equal(o.u.image.device_path,
	    "\\EFI\\ubuntu\\grubx64.efi");

	/* Event 25: EV_IPL "MokListX\0" (shim, PCR 14). */
	corpus_event(log, 25, EV_IPL, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text, "MokListX");

	evlog_free(log);
	free(raw);
}

static void
test_corpus_spot_checks(void **state)
{
	struct evlog_data o;
	struct evlog *log;
	uint8_t *raw = NULL;

	(void)state;
	/*
	 * win10-latitude7520-sha256-wbcl.bin (tpm2_eventlog 5.4): event 1
	 * Event "537461727475704c6f63616c6974790003"; event 23 EV_COMPACT_HASH
	 * "Dell Configuration Information 1"; event 50 EV_EVENT_TAG, 216
	 * bytes "01000140d0000000...": SIPA 0x40010001, 0xd0 = 208 bytes;
	 * event 57 EV_SEPARATOR "5742434c" ("WBCL"); event 49 EV_COMPACT_HASH
	 * "10000000" (binary, not decoded).
	 */
	log = corpus_load("win10-latitude7520-sha256-wbcl.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 1, EV_NO_ACTION, EVLOG_DATA_STARTUP_LOCALITY, &o);
	assert_int_equal(o.u.locality, 3);
	corpus_event(log, 23, EV_COMPACT_HASH, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text, "Dell Configuration Information 1");
	corpus_event(log, 49, EV_COMPACT_HASH, EVLOG_DATA_NONE, &o);
	corpus_event(log, 50, EV_EVENT_TAG, EVLOG_DATA_TAGGED, &o);
	assert_int_equal(o.u.tagged.id, 0x40010001);
	assert_int_equal(o.u.tagged.data_len, 208);
	corpus_event(log, 57, EV_SEPARATOR, EVLOG_DATA_SEPARATOR, &o);
	assert_int_equal(o.u.separator, 0x4c434257u);
	/* Event 28: EV_EFI_HANDOFF_TABLES "0100000000000000f216f93f2062...". */
	corpus_event(log, 28, EV_EFI_HANDOFF_TABLES, EVLOG_DATA_HANDOFF_TABLES,
	    &o);
	assert_true(o.u.tables.count == 1);
	assert_string_equal(o.u.tables.first_guid,
	    "3ff916f2-6220-446f-8d98-bf08fe7ccb9f");
	evlog_free(log);
	free(raw);

	/*
	 * sd-boot-fedora37-sha256.bin event 25: EV_EVENT_TAG, 21 bytes
	 * "ec223b8f0d0000004c696e757820696e6974726400" (systemd-stub's
	 * initrd tag); event 23: EV_IPL, UTF-16 " console=ttyS0 ...".
	 */
	log = corpus_load("sd-boot-fedora37-sha256.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 25, EV_EVENT_TAG, EVLOG_DATA_TAGGED, &o);
	assert_int_equal(o.u.tagged.id, 0x8f3b22ec);
	assert_int_equal(o.u.tagged.data_len, 13);
	assert_memory_equal(o.u.tagged.data, "Linux initrd", 13);
	corpus_event(log, 23, EV_IPL, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text,
	    " console=ttyS0 console=tty0 efi=debug ");
	evlog_free(log);
	free(raw);

	/*
	 * gentoo-x1carbon-locality3.bin: event 3 EV_S_CRTM_VERSION
	 * "4e00330032004500540036003800570020000000" (UCS-2 "N32ET68W ");
	 * event 10 EV_POST_CODE "ACPI DATA"; event 4 blob
	 * "0000f0ff000000000000010000000000"; event 50 boot application on
	 * NVMe, EUI-64 printed high byte first as the UEFI text form does.
	 */
	log = corpus_load("gentoo-x1carbon-locality3.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 3, EV_S_CRTM_VERSION, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text, "N32ET68W ");
	corpus_event(log, 10, EV_POST_CODE, EVLOG_DATA_STRING, &o);
	assert_string_equal(o.u.text, "ACPI DATA");
	corpus_event(log, 4, EV_EFI_PLATFORM_FIRMWARE_BLOB,
	    EVLOG_DATA_FIRMWARE_BLOB, &o);
	assert_true(o.u.blob.base == 0xfff00000u);
	assert_true(o.u.blob.length == 0x10000);
	corpus_event(log, 50, EV_EFI_BOOT_SERVICES_APPLICATION,
	    EVLOG_DATA_EFI_IMAGE, &o);
	assert_non_null(strstr(o.u.image.device_path,
	    "/NVMe(0x1,33-39-b3-11-b3-38-25-00)/HD(1,GPT,"));
	evlog_free(log);
	free(raw);

	/*
	 * postcode.bin event 38: DevicePath '02010c00d041030a03000000
	 * 01010600 0000 01010600 0000 030b2500 0cc47aff601c... 01 030c1b00
	 * ... 7fff0400' (PXE: MAC, then IPv4 with all-zero addresses);
	 * event 2: EV_POST_CODE "000013ff0000000000f0a70000000000".
	 */
	log = corpus_load("postcode.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 38, EV_EFI_BOOT_SERVICES_APPLICATION,
	    EVLOG_DATA_EFI_IMAGE, &o);
	assert_string_equal(o.u.image.device_path,
	    "PciRoot(0x3)/Pci(0x0,0x0)/Pci(0x0,0x0)/MAC(0cc47aff601c,0x1)/"
	    "IPv4(0.0.0.0,0x0,DHCP,0.0.0.0,0.0.0.0,0.0.0.0)");
	corpus_event(log, 2, EV_POST_CODE, EVLOG_DATA_FIRMWARE_BLOB, &o);
	assert_true(o.u.blob.base == 0xff130000u);
	assert_true(o.u.blob.length == 0xa7f000);
	evlog_free(log);
	free(raw);

	/*
	 * archlinux-workstation-systemd-boot.bin event 24: EV_IPL, 365
	 * bytes, tpm2_eventlog 5.4 String "i\0n\0i\0t\0r\0d\0=\0\\\0..."
	 * ending "o\0f\0f\0\0": UTF-16 with a one-byte terminator.
	 */
	log = corpus_load("archlinux-workstation-systemd-boot.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 24, EV_IPL, EVLOG_DATA_STRING, &o);
	assert_int_equal(strncmp(o.u.text, "initrd=\\intel-ucode.img initrd=",
	    31), 0);
	assert_non_null(strstr(o.u.text, " l1tf=off"));
	assert_string_equal(o.u.text + strlen(o.u.text) - 9, " l1tf=off");
	evlog_free(log);
	free(raw);

	/*
	 * linux-locality3-sha1-sha256.bin event 18: DevicePath
	 * '04071400ae51c18f6fc9c94b8c33107992c7735b04061400
	 * 3a4248352c2b93439826b202959d23627fff0400' (a driver from a
	 * firmware volume).
	 */
	log = corpus_load("linux-locality3-sha1-sha256.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 18, EV_EFI_BOOT_SERVICES_DRIVER, EVLOG_DATA_EFI_IMAGE,
	    &o);
	assert_string_equal(o.u.image.device_path,
	    "Fv(8fc151ae-c96f-4bc9-8c33-107992c7735b)/"
	    "FvFile(3548423a-2b2c-4393-9826-b202959d2362)");
	evlog_free(log);
	free(raw);

	/* hp-proliant-tpm12-bios-legacy.bin: separators "ffffffff". */
	log = corpus_load("hp-proliant-tpm12-bios-legacy.bin", &raw);
	assert_non_null(log);
	corpus_event(log, 6, EV_SEPARATOR, EVLOG_DATA_SEPARATOR, &o);
	assert_int_equal(o.u.separator, 0xffffffffu);
	evlog_free(log);
	free(raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specid),
		cmocka_unit_test(test_startup_locality),
		cmocka_unit_test(test_no_action_other),
		cmocka_unit_test(test_separator),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_string_truncation),
		cmocka_unit_test(test_post_code_and_printable),
		cmocka_unit_test(test_variable),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_device_path_nodes),
		cmocka_unit_test(test_device_path_malformed),
		cmocka_unit_test(test_device_path_truncation),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_handoff_tables),
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_tagged),
		cmocka_unit_test(test_spdm),
		cmocka_unit_test(test_no_decoder),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_corpus_all_events),
		cmocka_unit_test(test_corpus_gce_ubuntu),
		cmocka_unit_test(test_corpus_spot_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
