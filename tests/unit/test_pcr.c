/* test_pcr.c: PCR selections, the quoted PCR digest and PCR files. */
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
#include <tss2/tss2_mu.h>

#include "pcr.h"
#include "../common/testutil.h"
#include "wg_err.h"

/* Layout of the serialized tpm2-tools PCR file (see lib/pcr.c). */
#define SER_SEL_SIZE	132
#define SER_HDR_SIZE	136
#define SER_LIST_SIZE	532

static void
read_fixture(const char *rel, uint8_t **buf, size_t *len)
{
	char path[512], name[128];

	(void)snprintf(name, sizeof(name), "quote/%s", rel);
	if (tu_read_file(tu_data_path(name, path, sizeof(path)), 1 << 20, buf,
	    len) != 0)
		fail_msg("cannot read %s (set WG_TESTDATA)", path);
}

/* Digest of buf with an OpenSSL hash name, independent of lib/. */
static size_t
ref_hash(const char *md, const void *buf, size_t len, uint8_t *out)
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(buf, len, out, &n, EVP_get_digestbyname(md),
	    NULL), 1);
	return n;
}

static void
put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* ---- pcr_selection_parse ---------------------------------------------- */

struct parse_good {
	const char *text;
	uint32_t count;
	struct {
		uint16_t hash;
		uint8_t sel[3];
	} bank[5];
};

static const struct parse_good parse_good[] = {
	{ "sha256:0,1,2+sha1:0-7", 2, {
	    { TPM2_ALG_SHA256, { 0x07, 0x00, 0x00 } },
	    { TPM2_ALG_SHA1, { 0xff, 0x00, 0x00 } } } },
	{ "all", 1, { { TPM2_ALG_SHA256, { 0xff, 0xff, 0xff } } } },
	{ "sha384:all", 1, { { TPM2_ALG_SHA384, { 0xff, 0xff, 0xff } } } },
	{ "sha1:all+sha256:23", 2, {
	    { TPM2_ALG_SHA1, { 0xff, 0xff, 0xff } },
	    { TPM2_ALG_SHA256, { 0x00, 0x00, 0x80 } } } },
	{ "sha256:7,3,5", 1, { { TPM2_ALG_SHA256, { 0xa8, 0x00, 0x00 } } } },
	{ "sha256:10-12,20", 1, { { TPM2_ALG_SHA256, { 0x00, 0x1c, 0x10 } } } },
	{ "sha256:0-23", 1, { { TPM2_ALG_SHA256, { 0xff, 0xff, 0xff } } } },
	{ "sha256:4-4", 1, { { TPM2_ALG_SHA256, { 0x10, 0x00, 0x00 } } } },
	{ "sha256:09", 1, { { TPM2_ALG_SHA256, { 0x00, 0x02, 0x00 } } } },
	{ "sha512:0+sha384:1+sha256:2+sha1:3+sm3_256:4", 5, {
	    { TPM2_ALG_SHA512, { 0x01, 0x00, 0x00 } },
	    { TPM2_ALG_SHA384, { 0x02, 0x00, 0x00 } },
	    { TPM2_ALG_SHA256, { 0x04, 0x00, 0x00 } },
	    { TPM2_ALG_SHA1, { 0x08, 0x00, 0x00 } },
	    { TPM2_ALG_SM3_256, { 0x10, 0x00, 0x00 } } } },
};

static void
test_parse_good(void **state)
{
	TPML_PCR_SELECTION sel;
	struct wg_diag d;
	size_t i;
	uint32_t j;

	(void)state;
	for (i = 0; i < sizeof(parse_good) / sizeof(parse_good[0]); i++) {
		const struct parse_good *g = &parse_good[i];

		memset(&sel, 0xa5, sizeof(sel));
		wg_diag_clear(&d);
		if (pcr_selection_parse(g->text, &sel, &d) != 0)
			fail_msg("\"%s\" refused: %s", g->text, d.detail);
		assert_int_equal(sel.count, g->count);
		for (j = 0; j < g->count; j++) {
			assert_int_equal(sel.pcrSelections[j].hash,
			    g->bank[j].hash);
			assert_int_equal(sel.pcrSelections[j].sizeofSelect, 3);
			assert_memory_equal(sel.pcrSelections[j].pcrSelect,
			    g->bank[j].sel, 3);
			assert_int_equal(sel.pcrSelections[j].pcrSelect[3], 0);
		}
	}
}

static const char *const parse_bad[] = {
	"", "sha256", "sha256:", ":0", "sha256::0", "sha256:24", "sha256:99",
	"sha256:100", "sha256:007", "sha256:4294967296", "sha256:0,",
	"sha256:,0", "sha256:0,,1", "sha256:0-", "sha256:-1", "sha256:5-3",
	"sha256:1-2-3", "sha256:0-24", "sha256:0+sha256:1", "sha1:0+sha1:0",
	"md5:0", "SHA256:0", "sha256 :0", "sha:0", "sha256:0+", "+sha256:0",
	"sha256:0++sha1:0", "sha256:0 ", " sha256:0", "sha256:0\n",
	"sha256:1x", "sha256:a", "sha256:0,0", "sha256:0-3,2", "sha256:all,1",
	"sha256:alll", "sha256:al", "all+sha1:0", "all ", "ALL", "sha256:0;sha1:1",
	"sha256:0,sha1:1", "sha256:+", "sha256:0-0-", "sha256:3-2",
	"averyveryverylongbankname:0", "sha256:0\xff", "sha256:\xc2\xb9",
};

static void
test_parse_bad(void **state)
{
	TPML_PCR_SELECTION sel, before;
	struct wg_diag d;
	size_t i;

	(void)state;
	memset(&before, 0x5a, sizeof(before));
	for (i = 0; i < sizeof(parse_bad) / sizeof(parse_bad[0]); i++) {
		sel = before;
		wg_diag_clear(&d);
		if (pcr_selection_parse(parse_bad[i], &sel, &d) !=
		    WG_ERR_FORMAT)
			fail_msg("\"%s\" accepted or wrong code", parse_bad[i]);
		assert_int_equal(d.err, WG_ERR_FORMAT);
		assert_true(d.detail[0] != '\0');
		/* Output untouched on failure. */
		assert_memory_equal(&sel, &before, sizeof(sel));
	}
	assert_int_equal(pcr_selection_parse(NULL, &sel, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(pcr_selection_parse("sha256:0", NULL, NULL),
	    WG_ERR_INVALID_ARG);
}

/* ---- pcr_selection_has / covers --------------------------------------- */

static void
test_has(void **state)
{
	TPMS_PCR_SELECTION s;
	unsigned i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.hash = TPM2_ALG_SHA256;
	s.sizeofSelect = 3;
	s.pcrSelect[0] = 0x81;
	s.pcrSelect[2] = 0x80;
	s.pcrSelect[3] = 0x01;	/* beyond sizeofSelect: not selected */
	for (i = 0; i < 40; i++)
		assert_int_equal(pcr_selection_has(&s, i),
		    i == 0 || i == 7 || i == 23);
	s.sizeofSelect = 4;
	assert_int_equal(pcr_selection_has(&s, 24), 1);
	assert_int_equal(pcr_selection_has(&s, 32), 0);
	s.sizeofSelect = 5;	/* out of bounds: nothing */
	assert_int_equal(pcr_selection_has(&s, 0), 0);
	s.sizeofSelect = 0;
	assert_int_equal(pcr_selection_has(&s, 0), 0);
	assert_int_equal(pcr_selection_has(NULL, 0), 0);
}

static void
sel_of(const char *text, TPML_PCR_SELECTION *sel)
{
	assert_int_equal(pcr_selection_parse(text, sel, NULL), 0);
}

static void
test_covers(void **state)
{
	TPML_PCR_SELECTION have, need, split;
	struct wg_diag d;

	(void)state;
	sel_of("sha256:0-7+sha1:0-7", &have);
	sel_of("sha256:0,7", &need);
	assert_int_equal(pcr_selection_covers(&have, &need, NULL), 0);
	sel_of("sha1:0-7+sha256:3", &need);
	assert_int_equal(pcr_selection_covers(&have, &need, NULL), 0);

	sel_of("sha256:0-8", &need);
	assert_int_equal(pcr_selection_covers(&have, &need, &d),
	    WG_ERR_QUOTE_PCR_SELECT);
	assert_non_null(strstr(d.detail, "sha256:8"));
	sel_of("sha384:0", &need);
	assert_int_equal(pcr_selection_covers(&have, &need, &d),
	    WG_ERR_QUOTE_PCR_SELECT);
	assert_non_null(strstr(d.detail, "sha384:0"));
	sel_of("sha256:23", &need);
	assert_int_equal(pcr_selection_covers(&have, &need, NULL),
	    WG_ERR_QUOTE_PCR_SELECT);

	/* Nothing needed: covered. */
	memset(&need, 0, sizeof(need));
	assert_int_equal(pcr_selection_covers(&have, &need, NULL), 0);

	/* A bank split over two entries (a TPM may report it so). */
	sel_of("sha256:0-3", &split);
	split.count = 2;
	split.pcrSelections[1] = split.pcrSelections[0];
	memset(split.pcrSelections[1].pcrSelect, 0, 4);
	split.pcrSelections[1].pcrSelect[0] = 0xf0;
	sel_of("sha256:0-7", &need);
	assert_int_equal(pcr_selection_covers(&split, &need, NULL), 0);
	sel_of("sha256:0-8", &need);
	assert_int_equal(pcr_selection_covers(&split, &need, NULL),
	    WG_ERR_QUOTE_PCR_SELECT);

	/* Out of bounds. */
	sel_of("sha256:0", &need);
	have.count = TPM2_NUM_PCR_BANKS + 1;
	assert_int_equal(pcr_selection_covers(&have, &need, NULL),
	    WG_ERR_INVALID_ARG);
	sel_of("sha256:0-7", &have);
	need.pcrSelections[0].sizeofSelect = TPM2_PCR_SELECT_MAX + 1;
	assert_int_equal(pcr_selection_covers(&have, &need, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(pcr_selection_covers(NULL, &have, NULL),
	    WG_ERR_INVALID_ARG);
}

/* ---- pcr_selection_digest --------------------------------------------- */

/* A set with sha1 and sha256 banks, every PCR a distinct pattern. */
static void
pattern_set(struct pcr_set *s)
{
	struct pcr_bank *b;
	unsigned i, j;

	pcr_set_init(s);
	assert_int_equal(pcr_set_add_bank(s, TPM2_ALG_SHA1, &b), 0);
	for (i = 0; i < PCR_COUNT; i++)
		for (j = 0; j < 20; j++)
			b->value[i][j] = (uint8_t)(0x10 + i * 7 + j);
	b->present = 0xffffff;
	assert_int_equal(pcr_set_add_bank(s, TPM2_ALG_SHA256, &b), 0);
	for (i = 0; i < PCR_COUNT; i++)
		for (j = 0; j < 32; j++)
			b->value[i][j] = (uint8_t)(0x80 + i * 5 + j * 3);
	b->present = 0xffffff;
}

static void
test_digest_known(void **state)
{
	struct pcr_set s;
	TPML_PCR_SELECTION sel;
	uint8_t cat[5 * 32], want[64], got[64], before[64];
	size_t wlen, glen, n;
	struct wg_diag d;
	const struct pcr_bank *b1, *b256;

	(void)state;
	pattern_set(&s);
	b1 = pcr_set_find(&s, TPM2_ALG_SHA1);
	b256 = pcr_set_find(&s, TPM2_ALG_SHA256);

	/* sha256 0,3,7 then sha1 1,2: banks in selection order. */
	n = 0;
	memcpy(cat + n, b256->value[0], 32), n += 32;
	memcpy(cat + n, b256->value[3], 32), n += 32;
	memcpy(cat + n, b256->value[7], 32), n += 32;
	memcpy(cat + n, b1->value[1], 20), n += 20;
	memcpy(cat + n, b1->value[2], 20), n += 20;
	sel_of("sha256:7,3,0+sha1:2,1", &sel);
	wlen = ref_hash("SHA256", cat, n, want);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, NULL), 0);
	assert_int_equal(glen, 32);
	assert_memory_equal(got, want, wlen);
	wlen = ref_hash("SHA384", cat, n, want);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA384, got,
	    &glen, NULL), 0);
	assert_int_equal(glen, 48);
	assert_memory_equal(got, want, wlen);
	wlen = ref_hash("SHA1", cat, n, want);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA1, got,
	    &glen, NULL), 0);
	assert_int_equal(glen, 20);
	assert_memory_equal(got, want, wlen);

	/* The other bank order is another digest. */
	n = 0;
	memcpy(cat + n, b1->value[1], 20), n += 20;
	memcpy(cat + n, b1->value[2], 20), n += 20;
	memcpy(cat + n, b256->value[0], 32), n += 32;
	memcpy(cat + n, b256->value[3], 32), n += 32;
	memcpy(cat + n, b256->value[7], 32), n += 32;
	sel_of("sha1:1,2+sha256:0,3,7", &sel);
	wlen = ref_hash("SHA256", cat, n, want);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, NULL), 0);
	assert_memory_equal(got, want, wlen);

	/* An empty selection digests nothing. */
	memset(&sel, 0, sizeof(sel));
	wlen = ref_hash("SHA256", "", 0, want);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, NULL), 0);
	assert_memory_equal(got, want, wlen);

	/* A value that is absent; outputs untouched. */
	memset(got, 0xee, sizeof(got));
	memcpy(before, got, sizeof(got));
	glen = 12345;
	s.bank[1].present &= ~(1u << 3);
	sel_of("sha256:0-7", &sel);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, &d), WG_ERR_QUOTE_PCR_MISSING);
	assert_non_null(strstr(d.detail, "sha256:3"));
	assert_memory_equal(got, before, sizeof(got));
	assert_int_equal(glen, 12345);
	/* A bank that is absent. */
	sel_of("sha384:0", &sel);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, &d), WG_ERR_QUOTE_PCR_MISSING);
	assert_non_null(strstr(d.detail, "sha384:0"));
	/* PCR 24 (sizeofSelect 4) has no value. */
	sel_of("sha1:0", &sel);
	sel.pcrSelections[0].sizeofSelect = 4;
	sel.pcrSelections[0].pcrSelect[3] = 0x01;
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, &d), WG_ERR_QUOTE_PCR_MISSING);
	assert_non_null(strstr(d.detail, "sha1:24"));
	/* Bounds. */
	sel.pcrSelections[0].sizeofSelect = TPM2_PCR_SELECT_MAX + 1;
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, NULL), WG_ERR_INVALID_ARG);
	sel_of("sha1:0", &sel);
	sel.count = TPM2_NUM_PCR_BANKS + 1;
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_SHA256, got,
	    &glen, NULL), WG_ERR_INVALID_ARG);
	sel_of("sha1:0", &sel);
	assert_int_equal(pcr_selection_digest(&s, &sel, 0x0099, got, &glen,
	    NULL), WG_ERR_UNSUPPORTED);
	assert_int_equal(pcr_selection_digest(&s, &sel, TPM2_ALG_NULL, got,
	    &glen, NULL), WG_ERR_UNSUPPORTED);
	assert_memory_equal(got, before, sizeof(got));
}

/* ---- pcr_read_tpm2_tools on the swtpm fixtures ------------------------- */

/*
 * The fixtures' PCR values, computed here from how they were made
 * (tests/data/quote/README.md): PCRs 0-4 and 7 extended once with
 * H("wardgate fixture pcr N") from zero, 17-22 all-ones, others zero.
 */
static void
expected_value(uint16_t alg, unsigned pcr, uint8_t *out, size_t *len)
{
	const char *md = alg == TPM2_ALG_SHA1 ? "SHA1" : "SHA256";
	size_t n = alg == TPM2_ALG_SHA1 ? 20 : 32;
	uint8_t buf[64];
	char text[64];

	*len = n;
	if (pcr <= 4 || pcr == 7) {
		memset(buf, 0, n);
		(void)snprintf(text, sizeof(text), "wardgate fixture pcr %u",
		    pcr);
		assert_int_equal(ref_hash(md, text, strlen(text), buf + n), n);
		assert_int_equal(ref_hash(md, buf, 2 * n, out), n);
	} else {
		memset(out, pcr >= 17 && pcr <= 22 ? 0xff : 0x00, n);
	}
}

static void
check_fixture_set(const struct pcr_set *s, uint16_t alg, uint32_t mask)
{
	const struct pcr_bank *b = pcr_set_find(s, alg);
	uint8_t want[64];
	size_t n;
	unsigned i;

	assert_non_null(b);
	assert_int_equal(b->present, mask);
	for (i = 0; i < PCR_COUNT; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		expected_value(alg, i, want, &n);
		assert_int_equal(b->size, n);
		assert_memory_equal(b->value[i], want, n);
	}
}

/* The quote's selection and pcrDigest out of a fixture .msg. */
static void
fixture_quote(const char *rel, TPMS_ATTEST *a)
{
	uint8_t *msg;
	size_t len, off = 0;

	read_fixture(rel, &msg, &len);
	memset(a, 0, sizeof(*a));
	assert_int_equal(Tss2_MU_TPMS_ATTEST_Unmarshal(msg, len, &off, a), 0);
	assert_int_equal(off, len);
	free(msg);
}

static void
test_read_serialized(void **state)
{
	static const char *const one[] = { "rsa.pcrs", "rsapss.pcrs",
	    "ecc.pcrs" };
	struct pcr_set s;
	TPMS_ATTEST a;
	uint8_t *buf, dig[64];
	size_t len, dlen, i;

	(void)state;
	for (i = 0; i < 3; i++) {
		read_fixture(one[i], &buf, &len);
		assert_int_equal(len, SER_HDR_SIZE + SER_LIST_SIZE);
		assert_int_equal(pcr_read_tpm2_tools(buf, len, NULL, &s, NULL),
		    0);
		assert_int_equal(s.nbanks, 1);
		check_fixture_set(&s, TPM2_ALG_SHA256, 0xff);
		free(buf);
	}

	/* Two banks, 35 digests over 5 TPML_DIGEST (one mixing banks). */
	read_fixture("multi.pcrs", &buf, &len);
	assert_int_equal(len, SER_HDR_SIZE + 5 * SER_LIST_SIZE);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, NULL, &s, NULL), 0);
	assert_int_equal(s.nbanks, 2);
	assert_int_equal(s.bank[0].alg, TPM2_ALG_SHA1);
	check_fixture_set(&s, TPM2_ALG_SHA1, 0x7ff);
	check_fixture_set(&s, TPM2_ALG_SHA256, 0xffffff);
	/* The TPM's own pcrDigest agrees with the values read. */
	fixture_quote("multi.msg", &a);
	assert_int_equal(pcr_selection_digest(&s, &a.attested.quote.pcrSelect,
	    TPM2_ALG_SHA256, dig, &dlen, NULL), 0);
	assert_int_equal(dlen, a.attested.quote.pcrDigest.size);
	assert_memory_equal(dig, a.attested.quote.pcrDigest.buffer, dlen);
	/* Also with the quote's selection given. */
	assert_int_equal(pcr_read_tpm2_tools(buf, len,
	    &a.attested.quote.pcrSelect, &s, NULL), 0);
	check_fixture_set(&s, TPM2_ALG_SHA256, 0xffffff);
	free(buf);

	read_fixture("rsa.pcrs", &buf, &len);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, NULL, &s, NULL), 0);
	fixture_quote("rsa.msg", &a);
	assert_int_equal(pcr_selection_digest(&s, &a.attested.quote.pcrSelect,
	    TPM2_ALG_SHA256, dig, &dlen, NULL), 0);
	assert_memory_equal(dig, a.attested.quote.pcrDigest.buffer, dlen);
	free(buf);
}

static void
test_read_values(void **state)
{
	struct pcr_set s, ser;
	TPMS_ATTEST a;
	TPML_PCR_SELECTION sel;
	uint8_t *buf, *sbuf, dig[64];
	size_t len, slen, dlen;
	struct wg_diag d;

	(void)state;
	read_fixture("ecc-values.pcrs", &buf, &len);
	assert_int_equal(len, 8 * 32);
	fixture_quote("ecc-values.msg", &a);
	assert_int_equal(pcr_read_tpm2_tools(buf, len,
	    &a.attested.quote.pcrSelect, &s, NULL), 0);
	assert_int_equal(s.nbanks, 1);
	check_fixture_set(&s, TPM2_ALG_SHA256, 0xff);
	assert_int_equal(pcr_selection_digest(&s, &a.attested.quote.pcrSelect,
	    TPM2_ALG_SHA256, dig, &dlen, NULL), 0);
	assert_memory_equal(dig, a.attested.quote.pcrDigest.buffer, dlen);
	/* Same values as the serialized file of the same PCRs. */
	read_fixture("ecc.pcrs", &sbuf, &slen);
	assert_int_equal(pcr_read_tpm2_tools(sbuf, slen, NULL, &ser, NULL), 0);
	assert_memory_equal(&ser.bank[0], &s.bank[0], sizeof(s.bank[0]));
	free(sbuf);

	/* Without a selection a values file cannot be read. */
	assert_int_equal(pcr_read_tpm2_tools(buf, len, NULL, &s, &d),
	    WG_ERR_PCRS_DECODE);
	/* A selection that does not fit the length. */
	sel_of("sha256:0-6", &sel);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	sel_of("sha256:0-8", &sel);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	/* Any selection of 256 bytes reads it: 8 * 20 + 3 * 32. */
	sel_of("sha1:0-7+sha256:0-2", &sel);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL), 0);
	assert_int_equal(s.nbanks, 2);
	assert_memory_equal(s.bank[0].value[0], buf, 20);
	assert_memory_equal(s.bank[1].value[2], buf + 160 + 64, 32);
	/* Selections a file cannot hold. */
	sel_of("sha256:0-7", &sel);
	sel.pcrSelections[0].sizeofSelect = 4;
	sel.pcrSelections[0].pcrSelect[3] = 0x01;	/* PCR 24 */
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	sel_of("sha1:0-7+sha256:0-7", &sel);
	sel.pcrSelections[0].sizeofSelect = TPM2_PCR_SELECT_MAX + 1;
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	sel_of("sha256:0-3+sha1:0", &sel);
	sel.pcrSelections[1].hash = TPM2_ALG_SHA256;	/* bank twice */
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	sel_of("sha256:0-7", &sel);
	sel.pcrSelections[0].hash = 0x0099;
	assert_int_equal(pcr_read_tpm2_tools(buf, len, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	memset(&sel, 0, sizeof(sel));
	assert_int_equal(pcr_read_tpm2_tools(buf, 0, &sel, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	free(buf);
}

/* Every shorter file and some longer ones fail; out stays as it was. */
static void
check_all_lengths(const char *rel, const char *msgrel)
{
	struct pcr_set s, before;
	TPMS_ATTEST a;
	uint8_t *buf, *big;
	size_t len, n;
	int r;

	read_fixture(rel, &buf, &len);
	fixture_quote(msgrel, &a);
	memset(&before, 0x77, sizeof(before));
	for (n = 0; n < len; n++) {
		memcpy(&s, &before, sizeof(s));
		r = pcr_read_tpm2_tools(buf, n, NULL, &s, NULL);
		if (r != WG_ERR_PCRS_DECODE)
			fail_msg("%s cut to %zu bytes: %d", rel, n, r);
		r = pcr_read_tpm2_tools(buf, n, &a.attested.quote.pcrSelect,
		    &s, NULL);
		if (r != WG_ERR_PCRS_DECODE)
			fail_msg("%s cut to %zu bytes, with sel: %d", rel, n, r);
		assert_memory_equal(&s, &before, sizeof(s));
	}
	/* Longer: one byte, a whole zero list, a copy of the last list. */
	assert_non_null(big = calloc(1, len + SER_LIST_SIZE));
	memcpy(big, buf, len);
	assert_int_equal(pcr_read_tpm2_tools(big, len + 1, NULL, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	assert_int_equal(pcr_read_tpm2_tools(big, len + 1,
	    &a.attested.quote.pcrSelect, &s, NULL), WG_ERR_PCRS_DECODE);
	assert_int_equal(pcr_read_tpm2_tools(big, len + SER_LIST_SIZE, NULL,
	    &s, NULL), WG_ERR_PCRS_DECODE);
	memcpy(big + len, buf + len - SER_LIST_SIZE, SER_LIST_SIZE);
	assert_int_equal(pcr_read_tpm2_tools(big, len + SER_LIST_SIZE, NULL,
	    &s, NULL), WG_ERR_PCRS_DECODE);
	/* ... even when the list count says so. */
	put_u32le(big + SER_SEL_SIZE, (uint32_t)((len - SER_HDR_SIZE) /
	    SER_LIST_SIZE + 1));
	assert_int_equal(pcr_read_tpm2_tools(big, len + SER_LIST_SIZE, NULL,
	    &s, NULL), WG_ERR_PCRS_DECODE);
	assert_memory_equal(&s, &before, sizeof(s));
	free(big);
	free(buf);
}

static void
test_read_lengths(void **state)
{
	uint8_t *buf;
	size_t len, n;
	TPMS_ATTEST a;
	struct pcr_set s;

	(void)state;
	check_all_lengths("rsa.pcrs", "rsa.msg");
	check_all_lengths("multi.pcrs", "multi.msg");

	/* The values form: every other length fails too. */
	read_fixture("ecc-values.pcrs", &buf, &len);
	fixture_quote("ecc-values.msg", &a);
	for (n = 0; n < len + 64; n++) {
		uint8_t big[512];

		memset(big, 0, sizeof(big));
		memcpy(big, buf, len);
		if (n == len)
			continue;
		assert_int_equal(pcr_read_tpm2_tools(big, n,
		    &a.attested.quote.pcrSelect, &s, NULL),
		    WG_ERR_PCRS_DECODE);
	}
	free(buf);
}

/* A mutation of multi.pcrs and whether it must still decode. */
static void
mutate_check(const uint8_t *orig, size_t len, void (*fn)(uint8_t *),
    int want, const char *what)
{
	uint8_t *buf;
	struct pcr_set s;
	struct wg_diag d;
	int r;

	assert_non_null(buf = malloc(len));
	memcpy(buf, orig, len);
	fn(buf);
	wg_diag_clear(&d);
	r = pcr_read_tpm2_tools(buf, len, NULL, &s, &d);
	if (r != want)
		fail_msg("%s: got %d (%s), want %d", what, r, d.detail, want);
	free(buf);
}

/* multi.pcrs: selection sha1:0-10 (entry 0) + sha256:0-23 (entry 1). */
#define SEL(i)		(4 + 8 * (i))
#define LIST(j)		(SER_HDR_SIZE + SER_LIST_SIZE * (j))
#define DIG(j, k)	(LIST(j) + 4 + 66 * (k))

static void m_selcount0(uint8_t *b) { put_u32le(b, 0); }
static void m_selcount3(uint8_t *b) { put_u32le(b, 3); }
static void m_selcount17(uint8_t *b) { put_u32le(b, 17); }
static void m_selcount_big(uint8_t *b) { put_u32le(b, 0x80000002u); }
static void m_sizeof5(uint8_t *b) { b[SEL(0) + 2] = 5; }
static void m_sizeof255(uint8_t *b) { b[SEL(1) + 2] = 255; }
static void m_unknown_alg(uint8_t *b) { put_u16le(b + SEL(1), 0x0099); }
static void m_dup_bank(uint8_t *b) { put_u16le(b + SEL(1), TPM2_ALG_SHA1); }
static void m_pcr24(uint8_t *b) { b[SEL(1) + 2] = 4; b[SEL(1) + 6] = 1; }
static void m_no_pcr(uint8_t *b)
{
	memset(b + SEL(0) + 3, 0, 4);
	memset(b + SEL(1) + 3, 0, 4);
}
static void m_fewer_sel(uint8_t *b) { b[SEL(0) + 3] &= 0xfe; }
static void m_more_sel(uint8_t *b) { b[SEL(0) + 4] |= 0x08; }
static void m_bank_swap(uint8_t *b)
{
	uint8_t t[8];

	memcpy(t, b + SEL(0), 8);
	memcpy(b + SEL(0), b + SEL(1), 8);
	memcpy(b + SEL(1), t, 8);
}
static void m_nlists0(uint8_t *b) { put_u32le(b + SER_SEL_SIZE, 0); }
static void m_nlists4(uint8_t *b) { put_u32le(b + SER_SEL_SIZE, 4); }
static void m_nlists6(uint8_t *b) { put_u32le(b + SER_SEL_SIZE, 6); }
static void m_nlists33(uint8_t *b) { put_u32le(b + SER_SEL_SIZE, 33); }
static void m_listcnt0(uint8_t *b) { put_u32le(b + LIST(2), 0); }
static void m_listcnt9(uint8_t *b) { put_u32le(b + LIST(0), 9); }
static void m_lastcnt2(uint8_t *b) { put_u32le(b + LIST(4), 2); }
static void m_lastcnt4(uint8_t *b)
{
	put_u32le(b + LIST(4), 4);
	put_u16le(b + DIG(4, 3), 32);
}
static void m_move_one(uint8_t *b)
{
	/* 7 in list 0, 9 digests then: list 1 cannot take 9. */
	put_u32le(b + LIST(0), 7);
}
static void m_dsize31(uint8_t *b) { put_u16le(b + DIG(2, 5), 31); }
static void m_dsize20(uint8_t *b) { put_u16le(b + DIG(1, 3), 20); }
static void m_dsize32(uint8_t *b) { put_u16le(b + DIG(1, 2), 32); }
static void m_dsize65(uint8_t *b) { put_u16le(b + DIG(3, 0), 65); }
static void m_dsize0(uint8_t *b) { put_u16le(b + DIG(0, 0), 0); }
/* Bytes that are never read: padding, unused entries and slots. */
static void m_padding(uint8_t *b) { b[SEL(0) + 7] = 0xaa; }
static void m_unused_sel(uint8_t *b) { memset(b + SEL(5), 0xcc, 8); }
static void m_unused_slot(uint8_t *b) { memset(b + DIG(4, 5), 0xdd, 66); }
static void m_digest_tail(uint8_t *b) { b[DIG(0, 0) + 2 + 20] = 0x01; }

static void
test_read_inconsistent(void **state)
{
	static const struct {
		void (*fn)(uint8_t *);
		int want;
		const char *what;
	} m[] = {
		{ m_selcount0, WG_ERR_PCRS_DECODE, "selection count 0" },
		{ m_selcount3, WG_ERR_PCRS_DECODE, "selection count 3" },
		{ m_selcount17, WG_ERR_PCRS_DECODE, "selection count 17" },
		{ m_selcount_big, WG_ERR_PCRS_DECODE, "selection count huge" },
		{ m_sizeof5, WG_ERR_PCRS_DECODE, "sizeofSelect 5" },
		{ m_sizeof255, WG_ERR_PCRS_DECODE, "sizeofSelect 255" },
		{ m_unknown_alg, WG_ERR_PCRS_DECODE, "unknown bank" },
		{ m_dup_bank, WG_ERR_PCRS_DECODE, "bank twice" },
		{ m_pcr24, WG_ERR_PCRS_DECODE, "PCR 24" },
		{ m_no_pcr, WG_ERR_PCRS_DECODE, "no PCR selected" },
		{ m_fewer_sel, WG_ERR_PCRS_DECODE, "one PCR less selected" },
		{ m_more_sel, WG_ERR_PCRS_DECODE, "one PCR more selected" },
		{ m_bank_swap, WG_ERR_PCRS_DECODE, "banks swapped" },
		{ m_nlists0, WG_ERR_PCRS_DECODE, "0 lists" },
		{ m_nlists4, WG_ERR_PCRS_DECODE, "4 lists of 5" },
		{ m_nlists6, WG_ERR_PCRS_DECODE, "6 lists of 5" },
		{ m_nlists33, WG_ERR_PCRS_DECODE, "33 lists" },
		{ m_listcnt0, WG_ERR_PCRS_DECODE, "empty list" },
		{ m_listcnt9, WG_ERR_PCRS_DECODE, "list of 9" },
		{ m_lastcnt2, WG_ERR_PCRS_DECODE, "a digest short" },
		{ m_lastcnt4, WG_ERR_PCRS_DECODE, "a digest too many" },
		{ m_move_one, WG_ERR_PCRS_DECODE, "digest lost" },
		{ m_dsize31, WG_ERR_PCRS_DECODE, "digest size 31" },
		{ m_dsize20, WG_ERR_PCRS_DECODE, "sha1 size in sha256" },
		{ m_dsize32, WG_ERR_PCRS_DECODE, "sha256 size in sha1" },
		{ m_dsize65, WG_ERR_PCRS_DECODE, "digest size 65" },
		{ m_dsize0, WG_ERR_PCRS_DECODE, "digest size 0" },
		{ m_padding, 0, "padding byte" },
		{ m_unused_sel, 0, "unused selection entry" },
		{ m_unused_slot, 0, "unused digest slot" },
		{ m_digest_tail, 0, "bytes past a digest's size" },
	};
	uint8_t *buf;
	size_t len, i;

	(void)state;
	read_fixture("multi.pcrs", &buf, &len);
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		mutate_check(buf, len, m[i].fn, m[i].want, m[i].what);
	free(buf);
}

static void
test_read_args(void **state)
{
	uint8_t *buf;
	size_t len;
	struct pcr_set s;

	(void)state;
	read_fixture("rsa.pcrs", &buf, &len);
	assert_int_equal(pcr_read_tpm2_tools(buf, len, NULL, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(pcr_read_tpm2_tools(NULL, 10, NULL, &s, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(pcr_read_tpm2_tools(NULL, 0, NULL, &s, NULL),
	    WG_ERR_PCRS_DECODE);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_digest_known),
		cmocka_unit_test(test_read_serialized),
		cmocka_unit_test(test_read_values),
		cmocka_unit_test(test_read_lengths),
		cmocka_unit_test(test_read_inconsistent),
		cmocka_unit_test(test_read_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
