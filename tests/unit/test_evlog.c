/*
 * test_evlog.c: event log parsing and replay on logs built here, byte by
 * byte, with expected PCR values computed independently through OpenSSL's
 * one-shot EVP_Digest().
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "alg.h"
#include "evlog.h"
#include "pcr.h"
#include "wg_err.h"

#define ALG_SHA1	0x0004
#define ALG_SHA256	0x000b
#define ALG_SHA384	0x000c
#define ALG_SHA512	0x000d
#define ALG_SM3		0x0012
#define ALG_ODD		0x7777	/* an algorithm wardgate does not know */

#define LB_CAP		65536
#define LB_MAX_RECS	2048

/* A log under construction, with the end offset of each record. */
struct lb {
	uint8_t p[LB_CAP];
	size_t len;
	size_t end[LB_MAX_RECS];
	size_t nrec;
};

struct tdig {
	uint16_t alg;
	uint16_t size;
	uint8_t bytes[ALG_MAX_DIGEST];
};

static struct lb *
lb_new(void)
{
	struct lb *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	return b;
}

static void
lb_bytes(struct lb *b, const void *p, size_t n)
{
	assert_true(n <= LB_CAP - b->len);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
lb_u8(struct lb *b, uint8_t v)
{
	lb_bytes(b, &v, 1);
}

static void
lb_u16(struct lb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	lb_bytes(b, x, sizeof(x));
}

static void
lb_u32(struct lb *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	lb_bytes(b, x, sizeof(x));
}

static void
lb_mark(struct lb *b)
{
	assert_true(b->nrec < LB_MAX_RECS);
	b->end[b->nrec++] = b->len;
}

/* TCG_PCR_EVENT */
static void
lb_legacy(struct lb *b, uint32_t pcr, uint32_t type, const uint8_t *sha1,
    const void *data, size_t dlen)
{
	static const uint8_t zero[20];

	lb_u32(b, pcr);
	lb_u32(b, type);
	lb_bytes(b, sha1 != NULL ? sha1 : zero, 20);
	lb_u32(b, (uint32_t)dlen);
	lb_bytes(b, data, dlen);
	lb_mark(b);
}

/* TCG_PCR_EVENT2 with the digests in the order given. */
static void
lb_agile(struct lb *b, uint32_t pcr, uint32_t type, const struct tdig *d,
    unsigned n, const void *data, size_t dlen)
{
	unsigned i;

	lb_u32(b, pcr);
	lb_u32(b, type);
	lb_u32(b, n);
	for (i = 0; i < n; i++) {
		lb_u16(b, d[i].alg);
		lb_bytes(b, d[i].bytes, d[i].size);
	}
	lb_u32(b, (uint32_t)dlen);
	lb_bytes(b, data, dlen);
	lb_mark(b);
}

/*
 * The TCG_EfiSpecIDEvent body: n algorithms, vsize as vendorInfoSize
 * followed by vlen vendor bytes (vlen != vsize builds malformed bodies).
 */
static size_t
specid_body(uint8_t *out, size_t cap, const uint16_t *ids,
    const uint16_t *sizes, uint32_t n, uint8_t vsize, size_t vlen)
{
	struct lb *t = lb_new();
	uint32_t i;
	size_t len;

	lb_bytes(t, "Spec ID Event03", 16);
	lb_u32(t, 0);			/* platformClass */
	lb_u8(t, 0);			/* specVersionMinor */
	lb_u8(t, 2);			/* specVersionMajor */
	lb_u8(t, 0);			/* specErrata */
	lb_u8(t, 2);			/* uintnSize */
	lb_u32(t, n);
	for (i = 0; i < n; i++) {
		lb_u16(t, ids[i]);
		lb_u16(t, sizes[i]);
	}
	lb_u8(t, vsize);
	for (i = 0; i < vlen; i++)
		lb_u8(t, (uint8_t)(0xd0 + i));
	assert_true(t->len <= cap);
	memcpy(out, t->p, t->len);
	len = t->len;
	free(t);
	return len;
}

/* A well-formed Spec ID event for these algorithms. */
static void
lb_specid(struct lb *b, const uint16_t *ids, uint32_t n)
{
	uint16_t sizes[16];
	uint8_t body[512];
	const struct alg_info *ai;
	size_t len;
	uint32_t i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		ai = alg_by_id(ids[i]);
		sizes[i] = ai != NULL ? (uint16_t)ai->size : 24;
	}
	len = specid_body(body, sizeof(body), ids, sizes, n, 0, 0);
	lb_legacy(b, 0, EV_NO_ACTION, NULL, body, len);
}

/* A digest of the declared size for alg, filled with a pattern. */
static struct tdig
mkdig(uint16_t alg, uint8_t seed)
{
	const struct alg_info *ai = alg_by_id(alg);
	struct tdig d;
	unsigned i;

	memset(&d, 0, sizeof(d));
	d.alg = alg;
	d.size = ai != NULL ? (uint16_t)ai->size : 24;
	for (i = 0; i < d.size; i++)
		d.bytes[i] = (uint8_t)(seed * 31 + i * 7 + 1);
	return d;
}

static const EVP_MD *
md_of(uint16_t alg)
{
	switch (alg) {
	case ALG_SHA1:
		return EVP_sha1();
	case ALG_SHA256:
		return EVP_sha256();
	case ALG_SHA384:
		return EVP_sha384();
	case ALG_SHA512:
		return EVP_sha512();
	case ALG_SM3:
		return EVP_sm3();
	}
	fail_msg("no digest for 0x%04x", alg);
	return NULL;
}

/* Independent extend: pcr = H(pcr || d) with one-shot EVP_Digest. */
static void
ext(uint8_t *pcr, const struct tdig *d)
{
	uint8_t in[2 * ALG_MAX_DIGEST];
	unsigned int n = 0;

	memcpy(in, pcr, d->size);
	memcpy(in + d->size, d->bytes, d->size);
	assert_int_equal(EVP_Digest(in, 2u * d->size, pcr, &n, md_of(d->alg),
	    NULL), 1);
	assert_int_equal(n, d->size);
}

/* Start value of a PCR as the TPM sets it. */
static void
start(uint8_t *pcr, size_t size, unsigned idx, uint8_t locality)
{
	memset(pcr, idx >= 17 && idx <= 22 ? 0xff : 0x00, size);
	if (idx == 0)
		pcr[size - 1] = locality;
}

static struct evlog *
parse_ok(const struct lb *b)
{
	struct evlog *log = NULL;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	r = evlog_parse(b->p, b->len, NULL, &log, &d);
	if (r != 0)
		fail_msg("parse: %s: %s", wg_errname(r), d.detail);
	assert_non_null(log);
	return log;
}

/* Parse must fail with code; *out untouched; the diag says where. */
static void
parse_err(const uint8_t *p, size_t len, const struct evlog_limits *lim,
    int code)
{
	struct evlog *sentinel = (struct evlog *)(uintptr_t)0x5a5a;
	struct evlog *log = sentinel;
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	r = evlog_parse(p, len, lim, &log, &d);
	if (r != code)
		fail_msg("parse gave %s (%s), want %s", wg_errname(r),
		    d.detail, wg_errname(code));
	assert_ptr_equal(log, sentinel);
	assert_int_equal(d.err, code);
	assert_non_null(strstr(d.detail, "event "));
	assert_non_null(strstr(d.detail, " at offset "));
}

static void
replay_ok(const struct evlog *log, struct pcr_set *set)
{
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	if ((r = evlog_replay(log, set, &d)) != 0)
		fail_msg("replay: %s: %s", wg_errname(r), d.detail);
}

static const struct pcr_bank *
bank_of(const struct pcr_set *set, uint16_t alg)
{
	const struct pcr_bank *b = pcr_set_find(set, alg);

	if (b == NULL)
		fail_msg("no bank 0x%04x in the replay", alg);
	assert_int_equal(b->present, (1u << PCR_COUNT) - 1);
	return b;
}

/* Every PCR of bank equals the values in want (size bytes each). */
static void
check_bank(const struct pcr_bank *b, uint8_t want[][ALG_MAX_DIGEST],
    uint32_t extended)
{
	unsigned i;

	for (i = 0; i < PCR_COUNT; i++)
		if (memcmp(b->value[i], want[i], b->size) != 0)
			fail_msg("bank 0x%04x PCR %u differs", b->alg, i);
	assert_int_equal(b->extended, extended);
}

static void
init_bank(uint8_t want[][ALG_MAX_DIGEST], size_t size, uint8_t locality)
{
	unsigned i;

	for (i = 0; i < PCR_COUNT; i++)
		start(want[i], size, i, locality);
}

/* ---------------------------------------------------------------- */

static void
test_legacy(void **state)
{
	struct lb *b = lb_new();
	struct tdig d[4];
	struct evlog *log;
	struct pcr_set set;
	uint8_t want[PCR_COUNT][ALG_MAX_DIGEST];
	const struct evlog_event *ev;
	size_t i, off;

	(void)state;
	for (i = 0; i < 4; i++)
		d[i] = mkdig(ALG_SHA1, (uint8_t)(i + 1));
	lb_legacy(b, 0, EV_S_CRTM_VERSION, d[0].bytes, "v1.0", 4);
	lb_legacy(b, 7, EV_SEPARATOR, d[1].bytes, "\0\0\0\0", 4);
	lb_legacy(b, 0, EV_POST_CODE, d[2].bytes, NULL, 0);
	lb_legacy(b, 4, EV_EFI_ACTION, d[3].bytes, "Calling", 7);

	log = parse_ok(b);
	assert_int_equal(log->format, EVLOG_FORMAT_SHA1);
	assert_int_equal(log->nalgs, 1);
	assert_int_equal(log->alg[0].id, ALG_SHA1);
	assert_int_equal(log->alg[0].size, 20);
	assert_int_equal(log->startup_locality, -1);
	assert_int_equal(log->has_hcrtm, 0);
	assert_int_equal(log->trailing, 0);
	assert_int_equal(log->raw_len, b->len);
	assert_int_equal(log->nevents, 4);
	for (i = 0, off = 0; i < 4; i++) {
		ev = &log->events[i];
		assert_int_equal(ev->index, i);
		assert_int_equal(ev->offset, off);
		assert_int_equal(ev->length, b->end[i] - off);
		assert_int_equal(ev->ndigests, 1);
		assert_int_equal(ev->digest[0].alg, ALG_SHA1);
		assert_int_equal(ev->digest[0].size, 20);
		assert_ptr_equal(ev->digest[0].bytes, log->raw + off + 8);
		assert_memory_equal(ev->digest[0].bytes, d[i].bytes, 20);
		assert_ptr_equal(ev->data, log->raw + off + 32);
		assert_int_equal(ev->data_len, ev->length - 32);
		off = b->end[i];
	}
	assert_int_equal(log->events[1].pcr, 7);
	assert_int_equal(log->events[1].type, EV_SEPARATOR);
	assert_memory_equal(log->events[3].data, "Calling", 7);

	replay_ok(log, &set);
	assert_int_equal(set.nbanks, 1);
	init_bank(want, 20, 0);
	ext(want[0], &d[0]);
	ext(want[7], &d[1]);
	ext(want[0], &d[2]);
	ext(want[4], &d[3]);
	check_bank(bank_of(&set, ALG_SHA1), want, 1u << 0 | 1u << 4 | 1u << 7);
	evlog_free(log);
	free(b);
}

static void
test_agile_order_and_partial(void **state)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256, ALG_SHA384 };
	struct lb *b = lb_new();
	struct tdig a[3], c[2], bd;
	struct evlog *log;
	struct pcr_set set;
	uint8_t w1[PCR_COUNT][ALG_MAX_DIGEST], w256[PCR_COUNT][ALG_MAX_DIGEST];
	uint8_t w384[PCR_COUNT][ALG_MAX_DIGEST];
	const struct evlog_event *ev;

	(void)state;
	lb_specid(b, ids, 3);
	/* Digests in a different order than the Spec ID declares. */
	a[0] = mkdig(ALG_SHA384, 1);
	a[1] = mkdig(ALG_SHA1, 2);
	a[2] = mkdig(ALG_SHA256, 3);
	lb_agile(b, 1, EV_EFI_VARIABLE_BOOT, a, 3, "boot", 4);
	/* Fewer digests than declared: only sha256. */
	bd = mkdig(ALG_SHA256, 4);
	lb_agile(b, 1, EV_EFI_ACTION, &bd, 1, "act", 3);
	/* sha384 and sha1, no sha256. */
	c[0] = mkdig(ALG_SHA384, 5);
	c[1] = mkdig(ALG_SHA1, 6);
	lb_agile(b, 2, EV_EFI_BOOT_SERVICES_DRIVER, c, 2, NULL, 0);

	log = parse_ok(b);
	assert_int_equal(log->format, EVLOG_FORMAT_CRYPTO_AGILE);
	assert_int_equal(log->nalgs, 3);
	assert_int_equal(log->alg[0].id, ALG_SHA1);
	assert_int_equal(log->alg[1].id, ALG_SHA256);
	assert_int_equal(log->alg[2].id, ALG_SHA384);
	assert_int_equal(log->alg[2].size, 48);
	assert_int_equal(log->spec_major, 2);
	assert_int_equal(log->spec_minor, 0);
	assert_int_equal(log->uintn_size, 2);
	assert_int_equal(log->nevents, 4);
	/* The Spec ID event is event 0 and carries no bank digest. */
	assert_int_equal(log->events[0].type, EV_NO_ACTION);
	assert_int_equal(log->events[0].ndigests, 0);
	assert_int_equal(log->events[0].length, b->end[0]);
	ev = &log->events[1];
	assert_int_equal(ev->offset, b->end[0]);
	assert_int_equal(ev->length, b->end[1] - b->end[0]);
	assert_int_equal(ev->ndigests, 3);
	assert_int_equal(ev->digest[0].alg, ALG_SHA384);
	assert_int_equal(ev->digest[0].size, 48);
	assert_memory_equal(ev->digest[0].bytes, a[0].bytes, 48);
	assert_int_equal(ev->digest[2].alg, ALG_SHA256);
	assert_memory_equal(ev->digest[2].bytes, a[2].bytes, 32);
	assert_int_equal(ev->data_len, 4);
	assert_memory_equal(ev->data, "boot", 4);
	assert_int_equal(log->events[2].ndigests, 1);
	assert_int_equal(log->events[3].data_len, 0);

	replay_ok(log, &set);
	assert_int_equal(set.nbanks, 3);
	/* Banks in the Spec ID's order. */
	assert_int_equal(set.bank[0].alg, ALG_SHA1);
	assert_int_equal(set.bank[1].alg, ALG_SHA256);
	assert_int_equal(set.bank[2].alg, ALG_SHA384);
	init_bank(w1, 20, 0);
	init_bank(w256, 32, 0);
	init_bank(w384, 48, 0);
	ext(w1[1], &a[1]);
	ext(w256[1], &a[2]);
	ext(w384[1], &a[0]);
	ext(w256[1], &bd);
	ext(w384[2], &c[0]);
	ext(w1[2], &c[1]);
	check_bank(bank_of(&set, ALG_SHA1), w1, 1u << 1 | 1u << 2);
	check_bank(bank_of(&set, ALG_SHA256), w256, 1u << 1);
	check_bank(bank_of(&set, ALG_SHA384), w384, 1u << 1 | 1u << 2);
	evlog_free(log);
	free(b);
}

static void
test_unknown_alg(void **state)
{
	static const uint16_t ids[] = { ALG_ODD, ALG_SHA256 };
	struct lb *b = lb_new();
	struct tdig d[2];
	struct evlog *log;
	struct pcr_set set;
	uint8_t w[PCR_COUNT][ALG_MAX_DIGEST];

	(void)state;
	lb_specid(b, ids, 2);
	d[0] = mkdig(ALG_ODD, 1);
	d[1] = mkdig(ALG_SHA256, 2);
	lb_agile(b, 3, EV_EFI_ACTION, d, 2, "x", 1);
	lb_agile(b, 3, EV_EFI_ACTION, d, 1, "y", 1);	/* odd only */

	log = parse_ok(b);
	assert_int_equal(log->nalgs, 2);
	assert_int_equal(log->alg[0].id, ALG_ODD);
	assert_int_equal(log->alg[0].size, 24);
	assert_int_equal(log->events[1].digest[0].alg, ALG_ODD);
	assert_int_equal(log->events[1].digest[0].size, 24);
	assert_memory_equal(log->events[1].digest[0].bytes, d[0].bytes, 24);

	replay_ok(log, &set);
	assert_int_equal(set.nbanks, 1);
	assert_null(pcr_set_find(&set, ALG_ODD));
	init_bank(w, 32, 0);
	ext(w[3], &d[1]);
	check_bank(bank_of(&set, ALG_SHA256), w, 1u << 3);
	evlog_free(log);
	free(b);
}

static void
test_big_banks(void **state)
{
	static const uint16_t ids[] = { ALG_SHA512, ALG_SM3, ALG_SHA384 };
	struct lb *b = lb_new();
	struct tdig d[3], e[3];
	struct evlog *log;
	struct pcr_set set;
	uint8_t w[3][PCR_COUNT][ALG_MAX_DIGEST];
	unsigned i;

	(void)state;
	lb_specid(b, ids, 3);
	for (i = 0; i < 3; i++) {
		d[i] = mkdig(ids[i], (uint8_t)(10 + i));
		e[i] = mkdig(ids[2 - i], (uint8_t)(20 + i));
	}
	lb_agile(b, 8, EV_IPL, d, 3, "grub", 4);
	lb_agile(b, 8, EV_IPL, e, 3, "linux", 5);
	lb_agile(b, 23, EV_IPL, d, 3, NULL, 0);

	log = parse_ok(b);
	replay_ok(log, &set);
	assert_int_equal(set.nbanks, 3);
	for (i = 0; i < 3; i++) {
		init_bank(w[i], alg_by_id(ids[i])->size, 0);
		ext(w[i][8], &d[i]);
		ext(w[i][8], &e[2 - i]);
		ext(w[i][23], &d[i]);
		check_bank(bank_of(&set, ids[i]), w[i], 1u << 8 | 1u << 23);
	}
	assert_int_equal(bank_of(&set, ALG_SM3)->size, 32);
	assert_int_equal(bank_of(&set, ALG_SHA512)->size, 64);
	evlog_free(log);
	free(b);
}

/* Builds Spec ID (from a raw body) + one sha256 event. */
static void
specid_case(const uint8_t *body, size_t blen, int code)
{
	struct lb *b = lb_new();
	struct tdig d = mkdig(ALG_SHA256, 1);

	lb_legacy(b, 0, EV_NO_ACTION, NULL, body, blen);
	lb_agile(b, 0, EV_POST_CODE, &d, 1, "x", 1);
	if (code != 0)
		parse_err(b->p, b->len, NULL, code);
	else
		evlog_free(parse_ok(b));
	free(b);
}

static void
test_specid_errors(void **state)
{
	uint16_t ids[9], sizes[9];
	uint8_t body[512];
	size_t n, i;
	struct lb *b;
	static const uint8_t one[20] = { [19] = 1 };

	(void)state;
	/* A duplicate algorithm. */
	ids[0] = ALG_SHA256; sizes[0] = 32;
	ids[1] = ALG_SHA1; sizes[1] = 20;
	ids[2] = ALG_SHA256; sizes[2] = 32;
	n = specid_body(body, sizeof(body), ids, sizes, 3, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	/* No algorithm. */
	n = specid_body(body, sizeof(body), ids, sizes, 0, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	/* Nine algorithms (distinct, unknown, 20 bytes). */
	for (i = 0; i < 9; i++) {
		ids[i] = (uint16_t)(0x7000 + i);
		sizes[i] = 20;
	}
	n = specid_body(body, sizeof(body), ids, sizes, 9, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	/* Eight are fine. */
	ids[7] = ALG_SHA256; sizes[7] = 32;
	n = specid_body(body, sizeof(body), ids, sizes, 8, 0, 0);
	specid_case(body, n, WG_OK);
	/* A known algorithm with the wrong size. */
	ids[0] = ALG_SHA256; sizes[0] = 20;
	n = specid_body(body, sizeof(body), ids, sizes, 1, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	/* Unknown algorithm sizes: 0 and 65 refused, 64 and 1 accepted. */
	ids[0] = ALG_SHA256; sizes[0] = 32;
	ids[1] = ALG_ODD; sizes[1] = 0;
	n = specid_body(body, sizeof(body), ids, sizes, 2, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	sizes[1] = 65;
	n = specid_body(body, sizeof(body), ids, sizes, 2, 0, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	sizes[1] = 64;
	n = specid_body(body, sizeof(body), ids, sizes, 2, 0, 0);
	specid_case(body, n, WG_OK);
	sizes[1] = 1;
	n = specid_body(body, sizeof(body), ids, sizes, 2, 0, 0);
	specid_case(body, n, WG_OK);
	/* vendorInfoSize beyond the event data, more events follow. */
	n = specid_body(body, sizeof(body), ids, sizes, 1, 10, 0);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	n = specid_body(body, sizeof(body), ids, sizes, 1, 10, 9);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	/* Bytes after vendorInfo. */
	n = specid_body(body, sizeof(body), ids, sizes, 1, 2, 3);
	specid_case(body, n, WG_ERR_EVLOG_SPECID);
	n = specid_body(body, sizeof(body), ids, sizes, 1, 3, 3);
	specid_case(body, n, WG_OK);
	/* Data ending inside the algorithm list / before vendorInfoSize. */
	n = specid_body(body, sizeof(body), ids, sizes, 2, 0, 0);
	specid_case(body, n - 1 - 4 - 2, WG_ERR_EVLOG_SPECID);
	specid_case(body, n - 1, WG_ERR_EVLOG_SPECID);
	/* Too short for the fixed part (signature + 4 bytes). */
	specid_case(body, 20, WG_ERR_EVLOG_SPECID);
	/* numberOfAlgorithms huge. */
	n = specid_body(body, sizeof(body), ids, sizes, 1, 0, 0);
	body[24] = 0xff; body[25] = 0xff; body[26] = 0xff; body[27] = 0xff;
	specid_case(body, n, WG_ERR_EVLOG_SPECID);

	/* A Spec ID event must have a zero digest. */
	n = specid_body(body, sizeof(body), ids, sizes, 1, 0, 0);
	b = lb_new();
	lb_legacy(b, 0, EV_NO_ACTION, one, body, n);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_SPECID);
	free(b);
}

/*
 * vendorInfo running past the Spec ID event data is tolerated only when
 * the missing bytes are exactly the rest of the log and fewer than an
 * agile record header (the tpm2-tools specid-vendordata.bin form).
 */
static void
vendor_tail(uint8_t vsize, size_t tail, int code)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256 };
	static const uint16_t sizes[] = { 20, 32 };
	uint8_t body[128];
	struct lb *b = lb_new();
	struct evlog *log = NULL;
	struct wg_diag d;
	size_t n, i;
	int r;

	n = specid_body(body, sizeof(body), ids, sizes, 2, vsize, 0);
	lb_legacy(b, 0, EV_NO_ACTION, NULL, body, n);
	for (i = 0; i < tail; i++)
		lb_u8(b, (uint8_t)(0xde + i));
	if (code != 0) {
		parse_err(b->p, b->len, NULL, code);
		free(b);
		return;
	}
	wg_diag_clear(&d);
	r = evlog_parse(b->p, b->len, NULL, &log, &d);
	if (r != 0)
		fail_msg("vendor_tail(%u, %zu): %s: %s", vsize, tail,
		    wg_errname(r), d.detail);
	assert_int_equal(log->nevents, 1);
	assert_int_equal(log->events[0].length, b->end[0]);
	assert_int_equal(log->events[0].data_len, n);
	assert_int_equal(log->trailing, tail);
	assert_int_equal(log->format, EVLOG_FORMAT_CRYPTO_AGILE);
	assert_int_equal(log->nalgs, 2);
	evlog_free(log);
	free(b);
}

static void
test_specid_vendor_tail(void **state)
{
	(void)state;
	vendor_tail(4, 4, WG_OK);	/* specid-vendordata.bin */
	vendor_tail(11, 11, WG_OK);
	vendor_tail(4, 3, WG_ERR_EVLOG_SPECID);
	vendor_tail(4, 5, WG_ERR_EVLOG_SPECID);
	vendor_tail(4, 0, WG_ERR_EVLOG_SPECID);
	vendor_tail(12, 12, WG_ERR_EVLOG_SPECID);
	vendor_tail(200, 200, WG_ERR_EVLOG_SPECID);
	/* Normal Spec ID with short tails: trailing fragments. */
	vendor_tail(0, 0, WG_OK);
	vendor_tail(0, 11, WG_OK);
	/* 12 bytes are a record header: read as one (count 0xe9e8e7e6). */
	vendor_tail(0, 12, WG_ERR_EVLOG_DIGEST);
}

static void
test_event_digest_errors(void **state)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256 };
	struct tdig d[3];
	struct lb *b;

	(void)state;
	/* The same algorithm twice in one event. */
	b = lb_new();
	lb_specid(b, ids, 2);
	d[0] = mkdig(ALG_SHA256, 1);
	d[1] = mkdig(ALG_SHA256, 2);
	lb_agile(b, 0, EV_POST_CODE, d, 2, NULL, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* An algorithm the Spec ID does not declare (known to wardgate). */
	b = lb_new();
	lb_specid(b, ids, 2);
	d[0] = mkdig(ALG_SHA1, 1);
	d[1] = mkdig(ALG_SHA384, 2);
	lb_agile(b, 0, EV_POST_CODE, d, 2, NULL, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* ... and one nobody knows, after a valid event. */
	b = lb_new();
	lb_specid(b, ids, 2);
	d[0] = mkdig(ALG_SHA1, 1);
	lb_agile(b, 0, EV_POST_CODE, d, 1, NULL, 0);
	d[0] = mkdig(0x4242, 1);
	lb_agile(b, 0, EV_POST_CODE, d, 1, NULL, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* More digests than declared algorithms. */
	b = lb_new();
	lb_specid(b, ids, 2);
	d[0] = mkdig(ALG_SHA1, 1);
	d[1] = mkdig(ALG_SHA256, 2);
	d[2] = mkdig(ALG_SHA1, 3);
	lb_agile(b, 0, EV_POST_CODE, d, 3, NULL, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* No digest at all. */
	b = lb_new();
	lb_specid(b, ids, 2);
	lb_agile(b, 0, EV_POST_CODE, d, 0, NULL, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* A huge digest count. */
	b = lb_new();
	lb_specid(b, ids, 2);
	lb_u32(b, 0);
	lb_u32(b, EV_POST_CODE);
	lb_u32(b, 0xffffffffu);
	lb_u16(b, ALG_SHA1);
	lb_bytes(b, d[0].bytes, 20);
	lb_u32(b, 0);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_DIGEST);
	free(b);
	/* A huge eventSize, agile and legacy. */
	b = lb_new();
	lb_specid(b, ids, 2);
	lb_u32(b, 0);
	lb_u32(b, EV_POST_CODE);
	lb_u32(b, 1);
	lb_u16(b, ALG_SHA1);
	lb_bytes(b, d[0].bytes, 20);
	lb_u32(b, 0xffffffffu);
	lb_bytes(b, "abcd", 4);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_TRUNCATED);
	free(b);
	b = lb_new();
	lb_legacy(b, 0, EV_POST_CODE, NULL, "ab", 2);
	lb_u32(b, 1);
	lb_u32(b, EV_POST_CODE);
	lb_bytes(b, d[0].bytes, 20);
	lb_u32(b, 0xffffffffu);
	lb_bytes(b, "abcd", 4);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_TRUNCATED);
	free(b);
	/* ... and as the very first record. */
	b = lb_new();
	lb_u32(b, 0);
	lb_u32(b, EV_NO_ACTION);
	lb_bytes(b, d[0].bytes, 20);
	lb_u32(b, 0xffffffffu);
	lb_bytes(b, "Spec ID Event03", 16);
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_TRUNCATED);
	free(b);
}

static const uint8_t loc_data[17] = "StartupLocality\0\3";

static void
test_startup_locality(void **state)
{
	static const uint16_t ids[] = { ALG_SHA256 };
	struct lb *b;
	struct tdig z = mkdig(ALG_SHA256, 0), d = mkdig(ALG_SHA256, 9);
	struct tdig s1 = mkdig(ALG_SHA1, 9);
	struct evlog *log;
	struct pcr_set set;
	uint8_t w[PCR_COUNT][ALG_MAX_DIGEST];
	uint8_t longer[18];

	(void)state;
	memset(z.bytes, 0, sizeof(z.bytes));
	/* Crypto-agile: PCR 0 starts at 00..03. */
	b = lb_new();
	lb_specid(b, ids, 1);
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, loc_data, sizeof(loc_data));
	lb_agile(b, 0, EV_S_CRTM_VERSION, &d, 1, "v", 1);
	log = parse_ok(b);
	assert_int_equal(log->startup_locality, 3);
	assert_int_equal(log->has_hcrtm, 0);
	replay_ok(log, &set);
	init_bank(w, 32, 3);
	ext(w[0], &d);
	check_bank(bank_of(&set, ALG_SHA256), w, 1u << 0);
	evlog_free(log);
	free(b);

	/* PCR 0 untouched except by its start value. */
	b = lb_new();
	lb_specid(b, ids, 1);
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, loc_data, sizeof(loc_data));
	log = parse_ok(b);
	replay_ok(log, &set);
	init_bank(w, 32, 3);
	check_bank(bank_of(&set, ALG_SHA256), w, 0);
	evlog_free(log);
	free(b);

	/* Legacy: the first record itself (as short-no-action-only.bin). */
	b = lb_new();
	lb_legacy(b, 0, EV_NO_ACTION, NULL, loc_data, sizeof(loc_data));
	lb_legacy(b, 0, EV_S_CRTM_VERSION, s1.bytes, "v", 1);
	log = parse_ok(b);
	assert_int_equal(log->format, EVLOG_FORMAT_SHA1);
	assert_int_equal(log->startup_locality, 3);
	replay_ok(log, &set);
	init_bank(w, 20, 3);
	ext(w[0], &s1);
	check_bank(bank_of(&set, ALG_SHA1), w, 1u << 0);
	evlog_free(log);
	free(b);

	/* Not in PCR 0, or not exactly 17 bytes: not a StartupLocality. */
	memcpy(longer, loc_data, sizeof(loc_data));
	longer[17] = 0;
	b = lb_new();
	lb_specid(b, ids, 1);
	lb_agile(b, 1, EV_NO_ACTION, &z, 1, loc_data, sizeof(loc_data));
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, longer, sizeof(longer));
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, loc_data, 16);
	log = parse_ok(b);
	assert_int_equal(log->startup_locality, -1);
	replay_ok(log, &set);
	init_bank(w, 32, 0);
	check_bank(bank_of(&set, ALG_SHA256), w, 0);
	evlog_free(log);
	free(b);

	/* Two StartupLocality events leave PCR 0 ambiguous. */
	b = lb_new();
	lb_specid(b, ids, 1);
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, loc_data, sizeof(loc_data));
	lb_agile(b, 0, EV_NO_ACTION, &z, 1, loc_data, sizeof(loc_data));
	parse_err(b->p, b->len, NULL, WG_ERR_EVLOG_EVENT);
	free(b);
}

static void
test_hcrtm(void **state)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256 };
	struct lb *b;
	struct tdig z[2], h[2], p[2];
	struct evlog *log;
	struct pcr_set set;
	uint8_t w1[PCR_COUNT][ALG_MAX_DIGEST], w2[PCR_COUNT][ALG_MAX_DIGEST];

	(void)state;
	z[0] = mkdig(ALG_SHA1, 0);
	z[1] = mkdig(ALG_SHA256, 0);
	memset(z[0].bytes, 0, sizeof(z[0].bytes));
	memset(z[1].bytes, 0, sizeof(z[1].bytes));
	h[0] = mkdig(ALG_SHA1, 1);
	h[1] = mkdig(ALG_SHA256, 2);
	p[0] = mkdig(ALG_SHA256, 3);
	p[1] = mkdig(ALG_SHA1, 4);
	b = lb_new();
	lb_specid(b, ids, 2);
	/* A StartupLocality 3 too: H-CRTM's 4 wins. */
	lb_agile(b, 0, EV_NO_ACTION, z, 2, loc_data, sizeof(loc_data));
	lb_agile(b, 0, EV_EFI_HCRTM_EVENT, h, 2, "HCRTM", 5);
	lb_agile(b, 0, EV_POST_CODE, p, 2, NULL, 0);
	log = parse_ok(b);
	assert_int_equal(log->has_hcrtm, 1);
	assert_int_equal(log->startup_locality, 3);
	replay_ok(log, &set);
	init_bank(w1, 20, 4);
	init_bank(w2, 32, 4);
	ext(w1[0], &h[0]);
	ext(w2[0], &h[1]);
	ext(w2[0], &p[0]);
	ext(w1[0], &p[1]);
	check_bank(bank_of(&set, ALG_SHA1), w1, 1u << 0);
	check_bank(bank_of(&set, ALG_SHA256), w2, 1u << 0);
	evlog_free(log);
	free(b);

	/* H-CRTM only counts in PCR 0. */
	b = lb_new();
	lb_specid(b, ids, 2);
	lb_agile(b, 1, EV_EFI_HCRTM_EVENT, h, 2, "HCRTM", 5);
	log = parse_ok(b);
	assert_int_equal(log->has_hcrtm, 0);
	evlog_free(log);
	free(b);
}

static void
test_no_action_and_skip(void **state)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256 };
	struct lb *b;
	struct tdig d[2], e;
	struct evlog *log;
	struct pcr_set set;
	uint8_t w1[PCR_COUNT][ALG_MAX_DIGEST], w2[PCR_COUNT][ALG_MAX_DIGEST];
	unsigned i;

	(void)state;
	d[0] = mkdig(ALG_SHA1, 1);
	d[1] = mkdig(ALG_SHA256, 2);
	e = mkdig(ALG_SHA256, 3);
	b = lb_new();
	lb_specid(b, ids, 2);
	/* Never extended, whatever its digests. */
	lb_agile(b, 5, EV_NO_ACTION, d, 2, "SP800-155 Event3", 16);
	lb_agile(b, 0, EV_NO_ACTION, d, 2, "other", 5);
	/* Outside the 24 PCRs: skipped. */
	lb_agile(b, EVLOG_PCR_SKIP, EV_EVENT_TAG, d, 2, "win", 3);
	lb_agile(b, EVLOG_PCR_SKIP, EV_NO_ACTION, d, 2, NULL, 0);
	lb_agile(b, 24, EV_EVENT_TAG, d, 2, NULL, 0);
	lb_agile(b, 12, EV_EVENT_TAG, &e, 1, "wbcl", 4);
	log = parse_ok(b);
	assert_int_equal(log->nevents, 7);
	assert_int_equal(log->events[3].pcr, EVLOG_PCR_SKIP);
	replay_ok(log, &set);
	init_bank(w1, 20, 0);
	init_bank(w2, 32, 0);
	ext(w2[12], &e);
	check_bank(bank_of(&set, ALG_SHA1), w1, 0);
	check_bank(bank_of(&set, ALG_SHA256), w2, 1u << 12);
	evlog_free(log);
	free(b);

	/* Legacy: the same. */
	b = lb_new();
	lb_legacy(b, 3, EV_POST_CODE, d[0].bytes, NULL, 0);
	lb_legacy(b, EVLOG_PCR_SKIP, EV_EVENT_TAG, d[0].bytes, NULL, 0);
	lb_legacy(b, 6, EV_NO_ACTION, d[0].bytes, NULL, 0);
	log = parse_ok(b);
	replay_ok(log, &set);
	init_bank(w1, 20, 0);
	ext(w1[3], &d[0]);
	check_bank(bank_of(&set, ALG_SHA1), w1, 1u << 3);
	for (i = 0; i < log->nevents; i++)
		assert_int_equal(log->events[i].index, i);
	evlog_free(log);
	free(b);
}

static void
test_limits(void **state)
{
	static const uint16_t ids[] = { ALG_SHA256 };
	struct evlog_limits lim;
	struct lb *b;
	struct tdig d = mkdig(ALG_SHA1, 7);
	struct evlog *log = NULL;
	struct pcr_set set;
	struct wg_diag diag;
	uint8_t w[PCR_COUNT][ALG_MAX_DIGEST];
	unsigned i;

	(void)state;
	parse_err((const uint8_t *)"", 0, NULL, WG_ERR_EVLOG_EMPTY);
	parse_err(NULL, 0, NULL, WG_ERR_EVLOG_EMPTY);

	b = lb_new();
	lb_specid(b, ids, 1);
	for (i = 0; i < 9; i++) {
		struct tdig e = mkdig(ALG_SHA256, (uint8_t)i);

		lb_agile(b, i, EV_POST_CODE, &e, 1, "p", 1);
	}
	/* max_bytes: exactly the size passes, one byte less refuses. */
	memset(&lim, 0, sizeof(lim));
	lim.max_bytes = b->len;
	wg_diag_clear(&diag);
	assert_int_equal(evlog_parse(b->p, b->len, &lim, &log, &diag), 0);
	evlog_free(log);
	lim.max_bytes = b->len - 1;
	parse_err(b->p, b->len, &lim, WG_ERR_EVLOG_TOO_LARGE);
	/* max_events counts every record, the Spec ID included. */
	memset(&lim, 0, sizeof(lim));
	lim.max_events = 10;
	assert_int_equal(evlog_parse(b->p, b->len, &lim, &log, &diag), 0);
	assert_int_equal(log->nevents, 10);
	evlog_free(log);
	lim.max_events = 9;
	parse_err(b->p, b->len, &lim, WG_ERR_EVLOG_TOO_MANY);
	lim.max_events = 1;
	parse_err(b->p, b->len, &lim, WG_ERR_EVLOG_TOO_MANY);
	free(b);

	/* Many events: the array grows; the replay still adds up. */
	b = lb_new();
	init_bank(w, 20, 0);
	for (i = 0; i < 1500; i++) {
		d.bytes[0] = (uint8_t)i;
		d.bytes[1] = (uint8_t)(i >> 8);
		lb_legacy(b, i % 8, EV_POST_CODE, d.bytes, NULL, 0);
		ext(w[i % 8], &d);
	}
	log = parse_ok(b);
	assert_int_equal(log->nevents, 1500);
	assert_int_equal(log->events[1499].offset, 1499 * 32);
	replay_ok(log, &set);
	check_bank(bank_of(&set, ALG_SHA1), w, 0xffu);
	evlog_free(log);
	memset(&lim, 0, sizeof(lim));
	lim.max_events = 1499;
	parse_err(b->p, b->len, &lim, WG_ERR_EVLOG_TOO_MANY);
	free(b);
}

/*
 * Cuts a valid log at every length. A cut parses only on a record
 * boundary plus a fragment shorter than the fixed header (after the
 * first record); every other cut is EVLOG_TRUNCATED (EMPTY at 0).
 * Each prefix is in its own exact-size allocation so that a sanitizer
 * sees any read past it.
 */
static void
truncate_all(const struct lb *b, size_t hdr)
{
	struct evlog *log;
	struct pcr_set set;
	struct wg_diag d;
	uint8_t *p;
	size_t cut, k, bnd, parsed = 0;
	int r, want;

	for (cut = 0; cut <= b->len; cut++) {
		for (k = 0, bnd = 0; k < b->nrec && b->end[k] <= cut; k++)
			bnd = b->end[k];
		if (cut == 0)
			want = WG_ERR_EVLOG_EMPTY;
		else if (k == 0 || cut - bnd >= hdr)
			want = WG_ERR_EVLOG_TRUNCATED;
		else
			want = 0;
		p = malloc(cut > 0 ? cut : 1);
		assert_non_null(p);
		memcpy(p, b->p, cut);
		log = NULL;
		wg_diag_clear(&d);
		r = evlog_parse(p, cut, NULL, &log, &d);
		if (r != want)
			fail_msg("cut at %zu: %s (%s), want %s", cut,
			    wg_errname(r), d.detail, wg_errname(want));
		if (r == 0) {
			assert_int_equal(log->nevents, k);
			assert_int_equal(log->trailing, cut - bnd);
			replay_ok(log, &set);
			evlog_free(log);
			parsed++;
		} else {
			assert_null(log);
			assert_true(d.detail[0] != '\0');
		}
		free(p);
	}
	/* Each record end plus the fragments after it. */
	assert_true(parsed >= b->nrec);
}

static void
test_truncate_everywhere(void **state)
{
	static const uint16_t ids[] = { ALG_SHA1, ALG_SHA256, ALG_ODD };
	struct lb *b;
	struct tdig d[3];
	unsigned i;

	(void)state;
	b = lb_new();
	lb_specid(b, ids, 3);
	for (i = 0; i < 3; i++)
		d[i] = mkdig(ids[i], (uint8_t)i);
	lb_agile(b, 0, EV_NO_ACTION, d, 1, loc_data, sizeof(loc_data));
	lb_agile(b, 0, EV_S_CRTM_VERSION, d, 3, "version", 7);
	lb_agile(b, 7, EV_SEPARATOR, &d[1], 2, "\0\0\0\0", 4);
	lb_agile(b, 4, EV_EFI_BOOT_SERVICES_APPLICATION, d, 2, NULL, 0);
	lb_agile(b, EVLOG_PCR_SKIP, EV_EVENT_TAG, &d[2], 1, "x", 1);
	truncate_all(b, 12);
	free(b);

	b = lb_new();
	lb_legacy(b, 0, EV_NO_ACTION, NULL, loc_data, sizeof(loc_data));
	lb_legacy(b, 0, EV_S_CRTM_VERSION, d[0].bytes, "version", 7);
	lb_legacy(b, 7, EV_SEPARATOR, d[0].bytes, "\0\0\0\0", 4);
	lb_legacy(b, 4, EV_IPL, d[0].bytes, NULL, 0);
	truncate_all(b, 32);
	free(b);
}

static void
test_diag_and_ownership(void **state)
{
	static const uint16_t ids[] = { ALG_SHA256 };
	struct lb *b = lb_new();
	struct tdig d = mkdig(ALG_SHA256, 1), bad = mkdig(ALG_SHA1, 2);
	struct evlog *log = NULL;
	struct pcr_set set, before;
	struct wg_diag diag;
	uint8_t *copy;
	char want[64];
	int r;

	(void)state;
	lb_specid(b, ids, 1);
	lb_agile(b, 1, EV_POST_CODE, &d, 1, "a", 1);
	lb_agile(b, 2, EV_POST_CODE, &bad, 1, "b", 1);
	wg_diag_clear(&diag);
	r = evlog_parse(b->p, b->len, NULL, &log, &diag);
	assert_int_equal(r, WG_ERR_EVLOG_DIGEST);
	assert_null(log);
	(void)snprintf(want, sizeof(want), "event 2 at offset %zu:",
	    b->end[1]);
	if (strstr(diag.detail, want) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", diag.detail, want);
	assert_non_null(strstr(diag.detail, "sha1"));

	/* The log owns a copy: the input may go away. */
	b->len = b->end[1];
	copy = malloc(b->len);
	assert_non_null(copy);
	memcpy(copy, b->p, b->len);
	assert_int_equal(evlog_parse(copy, b->len, NULL, &log, NULL), 0);
	memset(copy, 0, b->len);
	free(copy);
	assert_memory_equal(log->raw, b->p, b->len);
	assert_memory_equal(log->events[1].digest[0].bytes, d.bytes, 32);
	assert_ptr_equal(log->events[1].data, log->raw + b->end[1] - 1);

	/* A replay that fails leaves *out alone. */
	memset(&set, 0x3c, sizeof(set));
	memcpy(&before, &set, sizeof(set));
	log->events[1].digest[0].size = 20;
	wg_diag_clear(&diag);
	assert_int_equal(evlog_replay(log, &set, &diag), WG_ERR_EVLOG_DIGEST);
	assert_memory_equal(&set, &before, sizeof(set));
	assert_non_null(strstr(diag.detail, "event 1 at offset"));
	evlog_free(log);
	free(b);
}

static void
test_args(void **state)
{
	struct evlog *log = NULL;
	struct pcr_set set;
	uint8_t x[40];

	(void)state;
	evlog_free(NULL);
	memset(x, 0, sizeof(x));
	assert_int_equal(evlog_parse(x, sizeof(x), NULL, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(evlog_parse(NULL, 5, NULL, &log, NULL),
	    WG_ERR_INVALID_ARG);
	assert_null(log);
	assert_int_equal(evlog_replay(NULL, &set, NULL), WG_ERR_INVALID_ARG);
	/* Fewer bytes than one record header. */
	parse_err(x, 31, NULL, WG_ERR_EVLOG_TRUNCATED);
	parse_err(x, 1, NULL, WG_ERR_EVLOG_TRUNCATED);
}

static void
test_type_names(void **state)
{
	static const struct {
		uint32_t type;
		const char *name;
	} t[] = {
#define T(x) { x, #x }
		T(EV_PREBOOT_CERT), T(EV_POST_CODE), T(EV_UNUSED),
		T(EV_NO_ACTION), T(EV_SEPARATOR), T(EV_ACTION),
		T(EV_EVENT_TAG), T(EV_S_CRTM_CONTENTS), T(EV_S_CRTM_VERSION),
		T(EV_CPU_MICROCODE), T(EV_PLATFORM_CONFIG_FLAGS),
		T(EV_TABLE_OF_DEVICES), T(EV_COMPACT_HASH), T(EV_IPL),
		T(EV_IPL_PARTITION_DATA), T(EV_NONHOST_CODE),
		T(EV_NONHOST_CONFIG), T(EV_NONHOST_INFO),
		T(EV_OMIT_BOOT_DEVICE_EVENTS), T(EV_POST_CODE2),
		T(EV_EFI_EVENT_BASE), T(EV_EFI_VARIABLE_DRIVER_CONFIG),
		T(EV_EFI_VARIABLE_BOOT), T(EV_EFI_BOOT_SERVICES_APPLICATION),
		T(EV_EFI_BOOT_SERVICES_DRIVER),
		T(EV_EFI_RUNTIME_SERVICES_DRIVER), T(EV_EFI_GPT_EVENT),
		T(EV_EFI_ACTION), T(EV_EFI_PLATFORM_FIRMWARE_BLOB),
		T(EV_EFI_HANDOFF_TABLES), T(EV_EFI_PLATFORM_FIRMWARE_BLOB2),
		T(EV_EFI_HANDOFF_TABLES2), T(EV_EFI_VARIABLE_BOOT2),
		T(EV_EFI_GPT_EVENT2), T(EV_EFI_HCRTM_EVENT),
		T(EV_EFI_VARIABLE_AUTHORITY), T(EV_EFI_SPDM_FIRMWARE_BLOB),
		T(EV_EFI_SPDM_FIRMWARE_CONFIG), T(EV_EFI_SPDM_DEVICE_POLICY),
		T(EV_EFI_SPDM_DEVICE_AUTHORITY),
#undef T
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(t) / sizeof(t[0]), 40);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *n = evlog_type_name(t[i].type);

		assert_non_null(n);
		assert_string_equal(n, t[i].name);
	}
	assert_null(evlog_type_name(0x14));
	assert_null(evlog_type_name(0x8000000e));
	assert_null(evlog_type_name(0x80000011));
	assert_null(evlog_type_name(0x800000e5));
	assert_null(evlog_type_name(0xffffffffu));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_agile_order_and_partial),
		cmocka_unit_test(test_unknown_alg),
		cmocka_unit_test(test_big_banks),
		cmocka_unit_test(test_specid_errors),
		cmocka_unit_test(test_specid_vendor_tail),
		cmocka_unit_test(test_event_digest_errors),
		cmocka_unit_test(test_startup_locality),
		cmocka_unit_test(test_hcrtm),
		cmocka_unit_test(test_no_action_and_skip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncate_everywhere),
		cmocka_unit_test(test_diag_and_ownership),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
