/*
 * test_policy.c: policy bundles (lib/policy.c): parse, print, sign,
 * verify, learn.
 *
 * The golden is tests/data/policy/golden.json (hand-written, keys out of
 * order, both note spellings); golden.expected is its normalised print.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "alg.h"
#include "evlog.h"
#include "hex.h"
#include "pcr.h"
#include "policy.h"
#include "../common/testutil.h"
#include "wg_err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define GOLDEN		"policy/golden.json"
#define GOLDEN_PRINT	"policy/golden.expected"
#define T_UNTIL		INT64_C(1814400000)	/* 2027-07-01T00:00:00Z */
#define T_ISSUED	INT64_C(1793491200)	/* 2026-11-01T00:00:00Z */

static char *
read_text(const char *rel, size_t *len)
{
	char path[512];
	uint8_t *b = NULL;
	size_t n = 0;

	assert_int_equal(tu_read_file(tu_data_path(rel, path, sizeof(path)),
	    4u << 20, &b, &n), 0);
	b = realloc(b, n + 1);
	assert_non_null(b);
	b[n] = '\0';
	*len = n;
	return (char *)b;
}

static struct policy *
parse_ok(const char *json, size_t len)
{
	struct policy *p = NULL;
	struct wg_diag d;

	wg_diag_clear(&d);
	if (policy_parse(json, len, &p, &d) != 0)
		fail_msg("policy_parse: %s", d.detail);
	assert_non_null(p);
	return p;
}

/* print(p), parse(print), print again: the same text. Returns print. */
static char *
print_stable(const struct policy *p)
{
	struct policy *q;
	char *a, *b;

	assert_non_null(a = policy_print(p));
	assert_true(strlen(a) > 0 && a[strlen(a) - 1] == '\n');
	q = parse_ok(a, strlen(a));
	assert_non_null(b = policy_print(q));
	assert_string_equal(a, b);
	free(b);
	policy_free(q);
	return a;
}

/* ---- golden ------------------------------------------------------------- */

static void
test_golden(void **state)
{
	struct policy *p;
	const struct policy_model *m;
	const struct policy_release *r;
	char *json, *want, *got;
	size_t len, wlen;

	(void)state;
	json = read_text(GOLDEN, &len);
	want = read_text(GOLDEN_PRINT, &wlen);
	p = parse_ok(json, len);
	got = print_stable(p);
	assert_string_equal(got, want);

	assert_string_equal(p->issuer, "acme-medical-psirt");
	assert_int_equal(p->version, 7);
	assert_int_equal(p->issued_at, T_ISSUED);
	assert_int_equal(p->nmodels, 2);
	assert_null(policy_model_find(p, "Infusomat"));
	assert_null(policy_model_find(p, "infusomat space"));
	m = policy_model_find(p, "Infusomat Space");
	assert_non_null(m);
	assert_ptr_equal(m, &p->models[0]);
	assert_non_null(policy_model_find(p,
	    "Vital Signs Monitor \xc3\x89lite"));
	assert_int_equal(m->nrel, 3);

	r = &m->rel[0];
	assert_string_equal(r->release, "4.2.1");
	assert_int_equal(r->status, POLICY_APPROVED);
	assert_int_equal(r->n_scrtm, 2);
	assert_string_equal(r->scrtm[0], "GCE Virtual Firmware v1");
	assert_int_equal(r->firmware.n, 2);
	assert_int_equal(r->firmware.v[1].alg, TPM2_ALG_SHA1);
	assert_string_equal(r->firmware.v[1].note, "option ROM");
	assert_int_equal(r->boot_apps.n, 3);
	assert_string_equal(r->boot_apps.v[0].note, "\\EFI\\BOOT\\BOOTX64.EFI");
	assert_int_equal(r->boot_apps.v[2].alg, TPM2_ALG_SHA384);
	assert_string_equal(r->boot_apps.v[2].note, "");
	assert_int_equal(r->drivers.n, 1);
	assert_int_equal(r->secure_boot, 1);
	assert_int_equal(r->pk.n, 1);
	assert_int_equal(r->kek.n, 1);
	assert_int_equal(r->db.n, 1);
	assert_int_equal(r->dbx.n, 2);
	assert_true(r->has_pcrs);
	assert_int_equal(r->pcrs.nbanks, 2);
	assert_int_equal(r->pcrs.bank[0].alg, TPM2_ALG_SHA256);
	assert_int_equal(r->pcrs.bank[0].present, 0x81);
	assert_int_equal(r->pcrs.bank[1].alg, TPM2_ALG_SHA1);
	assert_int_equal(r->pcrs.bank[1].present, 0x01);

	r = &m->rel[1];
	assert_int_equal(r->status, POLICY_DEPRECATED);
	/* through the end of 2027-06-30 UTC */
	assert_int_equal(r->until, T_UNTIL);
	assert_int_equal(r->secure_boot, -1);	/* false: not checked */
	assert_int_equal(r->n_scrtm, 0);
	assert_int_equal(r->firmware.n, 0);
	assert_false(r->has_pcrs);

	r = &m->rel[2];
	assert_int_equal(r->status, POLICY_REVOKED);
	assert_string_equal(r->advisory, "ACME-2026-001");
	assert_int_equal(r->boot_apps.n, 0);

	free(got);
	policy_free(p);
	free(json);
	free(want);
}

/* The printed golden is already normal: it prints as itself. */
static void
test_expected_is_fixed_point(void **state)
{
	struct policy *p;
	char *want, *got;
	size_t wlen;

	(void)state;
	want = read_text(GOLDEN_PRINT, &wlen);
	p = parse_ok(want, wlen);
	got = policy_print(p);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	policy_free(p);
	free(want);
}

static void
test_minimal_and_empty(void **state)
{
	static const char j[] = "{\"wardgate_policy\":1,\"issuer\":\"x\","
	    "\"version\":9007199254740992,\"issued_at\":"
	    "\"2000-02-29T23:59:59Z\",\"models\":[]}";
	struct policy *p;
	char *s;

	(void)state;
	p = parse_ok(j, strlen(j));
	assert_int_equal(p->version, UINT64_C(9007199254740992));
	assert_int_equal(p->issued_at, INT64_C(951868799));
	assert_int_equal(p->nmodels, 0);
	assert_null(policy_model_find(p, "x"));
	s = print_stable(p);
	assert_string_equal(s, "{\n  \"wardgate_policy\": 1,\n"
	    "  \"issuer\": \"x\",\n  \"version\": 9007199254740992,\n"
	    "  \"issued_at\": \"2000-02-29T23:59:59Z\",\n  \"models\": []\n}\n");
	free(s);
	policy_free(p);
	policy_free(NULL);
	assert_null(policy_print(NULL));
}

/* ---- refusals ----------------------------------------------------------- */

#define H20	"0123456789abcdef0123456789abcdef01234567"
#define H32	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"
#define TOP(models) "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1," \
	"\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[" models "]}"
#define MODEL(name, rels) "{\"model\":\"" name "\",\"releases\":[" rels "]}"
#define REL(name, rest) "{\"release\":\"" name "\",\"status\":\"approved\"" \
	rest "}"
#define ONE(rest)	TOP(MODEL("m", REL("1", rest)))
#define RP		"models[0].releases[0]."

struct bad_case {
	const char *json;
	const char *want;	/* in the diagnostic */
};

static const struct bad_case bad_cases[] = {
	/* the valid base, for the record: */
	{ NULL, NULL },
	/* unknown fields */
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[],\"extra\":1}",
	  "extra: unknown field" },
	{ ONE(",\"colour\":\"red\""), RP "colour: unknown field" },
	{ TOP("{\"model\":\"m\",\"releases\":[" REL("1", "") "],\"x\":0}"),
	  "models[0].x: unknown field" },
	{ ONE(",\"drivers\":[{\"md5\":\"" H20 "\"}]"),
	  RP "drivers[0].md5: unknown field" },
	{ ONE(",\"pcrs\":{\"md5\":{\"0\":\"" H32 "\"}}"),
	  RP "pcrs.md5: unknown field" },
	{ ONE(",\"pcrs\":{\"sha256\":{\"24\":\"" H32 "\"}}"),
	  RP "pcrs.sha256.24: unknown field" },
	{ ONE(",\"pcrs\":{\"sha256\":{\"07\":\"" H32 "\"}}"),
	  RP "pcrs.sha256.07: unknown field" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"p\\u00e4th\":\"x\"}]"),
	  RP "drivers[0].p?th: unknown field" },
	/* duplicate names */
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"issuer\":\"j\","
	  "\"version\":1,\"issued_at\":\"2026-11-01T00:00:00Z\","
	  "\"models\":[]}", "issuer: field appears twice" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\"},{\"sha256\":\"" H32
	  "\",\"sha256\":\"" H32 "\"}]"),
	  RP "drivers[1].sha256: field appears twice" },
	{ ONE(",\"secure_boot\":true,\"secure_b\\u006fot\":true"),
	  RP "secure_boot: field appears twice" },
	/* wrong types */
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":\"7\","
	  "\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[]}",
	  "version: must be an integer, not string" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":7.0,"
	  "\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[]}",
	  "version: must be an integer, not double" },
	{ ONE(",\"secure_boot\":1"), RP "secure_boot: must be a boolean" },
	{ ONE(",\"secure_boot\":null"), RP "secure_boot: null is not" },
	{ ONE(",\"drivers\":null"), RP "drivers: null is not" },
	{ ONE(",\"until\":null"), RP "until: null is not" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":null}]"),
	  RP "drivers[0].note: null is not" },
	{ ONE(",\"drivers\":[{\"sha256\":null}]"),
	  RP "drivers[0].sha256: must be a string, not null" },
	{ ONE(",\"drivers\":[null]"), RP "drivers[0]: must be an object" },
	{ "{\"wardgate_policy\":1,\"issuer\":null,\"version\":1,"
	  "\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[]}",
	  "issuer: null is not" },
	{ ONE(",\"drivers\":{\"sha256\":\"" H32 "\"}"),
	  RP "drivers: must be an array" },
	{ ONE(",\"drivers\":[\"" H32 "\"]"), RP "drivers[0]: must be an object" },
	{ ONE(",\"scrtm_version\":[1]"), RP "scrtm_version[0]: must be a string" },
	{ TOP("[]"), "models[0]: must be an object" },
	{ "[]", "(top): the bundle is not a JSON object" },
	/* hex */
	{ ONE(",\"boot_applications\":[{\"sha256\":\"" H20 "\"}]"),
	  RP "boot_applications[0].sha256: must be 64 lowercase hex" },
	{ ONE(",\"boot_applications\":[{\"sha256\":\"" H32 "0\"}]"),
	  RP "boot_applications[0].sha256: must be 64" },
	{ ONE(",\"boot_applications\":[{\"sha256\":"
	  "\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"}]"),
	  RP "boot_applications[0].sha256: must be 64 lowercase" },
	{ ONE(",\"boot_applications\":[{\"sha256\":"
	  "\"0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef\"}]"),
	  RP "boot_applications[0].sha256: must be 64 lowercase" },
	{ ONE(",\"pcrs\":{\"sha1\":{\"0\":\"" H32 "\"}}"),
	  RP "pcrs.sha1.0: must be 40 lowercase hex" },
	/* digest entries */
	{ ONE(",\"boot_applications\":[{\"sha1\":\"" H20 "\",\"sha256\":\""
	  H32 "\"}]"), RP "boot_applications[0].sha256: a second digest" },
	{ ONE(",\"boot_applications\":[{\"path\":\"x\"}]"),
	  RP "boot_applications[0]: no digest" },
	{ ONE(",\"boot_applications\":[{\"sha256\":\"" H32 "\",\"path\":\"x\","
	  "\"note\":\"y\"}]"), RP "boot_applications[0].note: both path" },
	{ ONE(",\"pk\":[{\"sha1\":\"" H20 "\"}]"), RP "pk[0].sha1: pk lists "
	  "SHA-256" },
	{ ONE(",\"dbx\":[{\"sha384\":\"" H32 H32 "\"}]"), RP "dbx[0].sha384" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":\"\"}]"),
	  RP "drivers[0].note: 0 bytes" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":\"a\\u0007\"}]"),
	  RP "drivers[0].note: holds a control" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":\"a\\u202eb\"}]"),
	  RP "drivers[0].note: holds a control or formatting" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":\"a\\u0000\"}]"),
	  RP "drivers[0].note: escaped NUL" },
	{ ONE(",\"drivers\":[{\"sha256\":\"" H32 "\",\"note\":\"\\ud800\"}]"),
	  RP "drivers[0].note: unpaired surrogate" },
	{ ONE(",\"drivers\":[]"), RP "drivers: empty list" },
	{ ONE(",\"scrtm_version\":[]"), RP "scrtm_version: empty list" },
	{ ONE(",\"scrtm_version\":[\"\"]"), RP "scrtm_version[0]: 0 bytes" },
	{ ONE(",\"pcrs\":{}"), RP "pcrs: no bank" },
	{ ONE(",\"pcrs\":{\"sha256\":{}}"), RP "pcrs.sha256: no PCR" },
	/* dates and status */
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-02-29T00:00:00Z\",\"models\":[]}", "issued_at: not a UTC" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01T24:00:00Z\",\"models\":[]}", "issued_at: not a UTC" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01T00:00:00+00:00\",\"models\":[]}", "issued_at: not" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01 00:00:00Z\",\"models\":[]}", "issued_at: not" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"1969-12-31T23:59:59Z\",\"models\":[]}", "issued_at: not" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"deprecated\","
	  "\"until\":\"2027-13-01\"}")), RP "until: not a date" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"deprecated\","
	  "\"until\":\"2027-06-31\"}")), RP "until: not a date" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"deprecated\","
	  "\"until\":\"2027-06-30T00:00:00Z\"}")), RP "until: not a date" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"deprecated\"}")),
	  RP "until: required with status \"deprecated\"" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"revoked\"}")),
	  RP "advisory: required with status \"revoked\"" },
	{ ONE(",\"advisory\":\"ACME-1\""),
	  RP "advisory: allowed only with status \"revoked\"" },
	{ ONE(",\"until\":\"2027-06-30\""),
	  RP "until: allowed only with status \"deprecated\"" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"revoked\","
	  "\"advisory\":\"A\",\"until\":\"2027-06-30\"}")),
	  RP "until: allowed only" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"Approved\"}")),
	  RP "status: must be" },
	{ TOP(MODEL("m", "{\"release\":\"1\"}")), RP "status: missing" },
	{ TOP(MODEL("m", "{\"release\":\"1\",\"status\":\"revoked\","
	  "\"advisory\":\"" "01234567890123456789012345678901234567890123456789"
	  "012345678901234\"}")), RP "advisory: 65 bytes" },
	/* top-level values */
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":0,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[]}", "version: 0 is outside" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":-1,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[]}", "version: negative" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":"
	  "9007199254740993,\"issued_at\":\"2026-11-01T00:00:00Z\","
	  "\"models\":[]}", "version: 9007199254740993 is outside" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"i\",\"version\":"
	  "99999999999999999999999,\"issued_at\":\"2026-11-01T00:00:00Z\","
	  "\"models\":[]}", "version:" },
	{ "{\"wardgate_policy\":2,\"issuer\":\"i\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[]}", "wardgate_policy: 2 is" },
	{ "{\"wardgate_policy\":1,\"version\":1,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[]}", "issuer: missing" },
	{ "{\"wardgate_policy\":1,\"issuer\":\"\",\"version\":1,\"issued_at\":"
	  "\"2026-11-01T00:00:00Z\",\"models\":[]}", "issuer: 0 bytes" },
	{ TOP(MODEL("m", "")), "models[0].releases: empty list" },
	{ TOP(MODEL("m", REL("", ""))), RP "release: 0 bytes" },
	/* uniqueness */
	{ TOP(MODEL("m", REL("1", "")) "," MODEL("n", REL("1", "")) ","
	  MODEL("m", REL("2", ""))), "models[2].model: model also listed in "
	  "models[0]" },
	{ TOP(MODEL("m", REL("1", "") "," REL("2", "") "," REL("1", ""))),
	  "models[0].releases[2].release: release also listed in "
	  "releases[0]" },
	/* syntax */
	{ ONE("") "x", "(top): malformed JSON: unexpected character at offset 155" },
	{ ONE("") "{}", "(top)" },
	{ ONE("") "\n\t ", NULL },	/* trailing space is fine */
	{ ONE(""), NULL },
	{ "", "(top)" },
	{ "{", "(top): JSON ends early" },
	{ "{\"wardgate_policy\":1,}", "(top)" },
	{ "{'wardgate_policy':1}", "(top)" },
	{ ONE(",\"drivers\":[[[[[[[[[[[[]]]]]]]]]]]]"),
	  RP "drivers[0][0][0][0][0]: nested more than 10 deep" },
	{ ONE(",\"secure_boot\":tru"), "(top)" },
	/* ten levels are allowed (the format needs seven), eleven not */
	{ ONE(",\"drivers\":[[[[[]]]]]"), RP "drivers[0]: must be an object" },
	{ ONE(",\"drivers\":[[[[[[]]]]]]"), RP "drivers[0][0][0][0][0]: nested "
	  "more than 10 deep" },
	{ ONE(",\"pcrs\":{\"sha256\":{\"0\":{\"a\":{\"b\":{\"c\":{}}}}}}"),
	  RP "pcrs.sha256.0.a.b.c: nested more than 10 deep" },
};

static void
test_refusals(void **state)
{
	struct policy *p;
	struct wg_diag d;
	size_t i;
	int r;

	(void)state;
	for (i = 1; i < NELEM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		p = (struct policy *)(uintptr_t)0x1;
		wg_diag_clear(&d);
		r = policy_parse(c->json, strlen(c->json), &p, &d);
		if (c->want == NULL) {
			if (r != 0)
				fail_msg("case %zu refused: %s", i, d.detail);
			policy_free(p);
			continue;
		}
		if (r != WG_ERR_POLICY)
			fail_msg("case %zu (%s): got %d, want POLICY", i,
			    c->want, r);
		assert_int_equal(d.err, r);
		/* outputs only on success */
		assert_ptr_equal(p, (struct policy *)(uintptr_t)0x1);
		if (strstr(d.detail, c->want) == NULL)
			fail_msg("case %zu: \"%s\" does not name \"%s\"", i,
			    d.detail, c->want);
	}
}

/* A bundle with n entries in one list. */
static char *
many(const char *list, size_t n, size_t pad)
{
	static const char head[] = "{\"wardgate_policy\":1,\"issuer\":\"i\","
	    "\"version\":1,\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":"
	    "[{\"model\":\"m\",\"releases\":[{\"release\":\"1\",\"status\":"
	    "\"approved\",\"";
	static const char entry[] = "{\"sha256\":\"" H32 "\"}";
	size_t cap = sizeof(head) + strlen(list) + n * sizeof(entry) + pad +
	    64, i;
	char *s, *o;

	assert_non_null(s = malloc(cap));
	o = s + sprintf(s, "%s%s\":[", head, list);
	for (i = 0; i < n; i++)
		o += sprintf(o, "%s%s", i ? "," : "", entry);
	o += sprintf(o, "]}]}]}");
	memset(o, ' ', pad);
	o[pad] = '\0';
	return s;
}

static void
test_limits(void **state)
{
	struct policy *p = NULL;
	struct wg_diag d;
	char *s, *big;
	size_t n;
	int i;

	(void)state;
	s = many("drivers", POLICY_MAX_LIST, 0);
	p = parse_ok(s, strlen(s));
	assert_int_equal(p->models[0].rel[0].drivers.n, POLICY_MAX_LIST);
	policy_free(p);
	free(s);

	s = many("drivers", POLICY_MAX_LIST + 1, 0);
	p = NULL;
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(s, strlen(s), &p, &d), WG_ERR_POLICY);
	assert_null(p);
	assert_non_null(strstr(d.detail, RP "drivers: 1025 entries, at most "
	    "1024"));
	free(s);

	/* just at the size limit (space padded) parses; one byte more not */
	s = many("db", 1, 0);
	n = strlen(s);
	free(s);
	s = many("db", 1, POLICY_MAX_BYTES - n);
	assert_int_equal(strlen(s), POLICY_MAX_BYTES);
	p = parse_ok(s, strlen(s));
	policy_free(p);
	free(s);
	s = many("db", 1, POLICY_MAX_BYTES - n + 1);
	p = NULL;
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(s, strlen(s), &p, &d), WG_ERR_POLICY);
	assert_null(p);
	assert_non_null(strstr(d.detail, "(top): bundle of 1048577 bytes"));
	free(s);

	/* too many models, and 300 models of 20 releases */
	assert_non_null(big = malloc(POLICY_MAX_BYTES));
	n = (size_t)sprintf(big, "{\"wardgate_policy\":1,\"issuer\":\"i\","
	    "\"version\":1,\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[");
	for (i = 0; i <= POLICY_MAX_MODELS; i++)
		n += (size_t)sprintf(big + n, "%s{\"model\":\"m%d\",\"releases\":"
		    "[{\"release\":\"1\",\"status\":\"approved\"}]}", i ? "," : "",
		    i);
	n += (size_t)sprintf(big + n, "]}");
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(big, n, &p, &d), WG_ERR_POLICY);
	assert_non_null(strstr(d.detail, "models: 257 entries"));

	/* a bundle-wide cap on releases (each holds a PCR set) */
	n = (size_t)sprintf(big, "{\"wardgate_policy\":1,\"issuer\":\"i\","
	    "\"version\":1,\"issued_at\":\"2026-11-01T00:00:00Z\",\"models\":[");
	for (i = 0; i < 17; i++) {
		int k;

		n += (size_t)sprintf(big + n, "%s{\"model\":\"m%d\",\"releases\":"
		    "[", i ? "," : "", i);
		for (k = 0; k < 256; k++)
			n += (size_t)sprintf(big + n, "%s{\"release\":\"%d\","
			    "\"status\":\"approved\"}", k ? "," : "", k);
		n += (size_t)sprintf(big + n, "]}");
	}
	n += (size_t)sprintf(big + n, "]}");
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(big, n, &p, &d), WG_ERR_POLICY);
	assert_non_null(strstr(d.detail, "models[16].releases: more than 4096 "
	    "releases"));

	/* containers are counted before json-c: 1 MiB of {} */
	for (n = 0; n + 3 < POLICY_MAX_BYTES; n += 3)
		memcpy(big + n, "{},", 3);
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(big, n, &p, &d), WG_ERR_POLICY);
	assert_non_null(strstr(d.detail, "more than 32768 objects"));

	/* a NUL byte */
	memcpy(big, ONE(""), sizeof(ONE("")));
	wg_diag_clear(&d);
	assert_int_equal(policy_parse(big, sizeof(ONE("")), &p, &d),
	    WG_ERR_POLICY);
	assert_non_null(strstr(d.detail, "NUL byte"));
	free(big);

	assert_int_equal(policy_parse(NULL, 0, &p, NULL), WG_ERR_INVALID_ARG);
	assert_int_equal(policy_parse("{}", 2, NULL, NULL),
	    WG_ERR_INVALID_ARG);
}

/* ---- signatures --------------------------------------------------------- */

static EVP_PKEY *
keygen(const char *type)
{
	EVP_PKEY *k;

	if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (strcmp(type, "P-384") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	else if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	assert_non_null(k);
	return k;
}

/* The public half of k alone (as the gateway holds it). */
static EVP_PKEY *
public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int n;

	n = i2d_PUBKEY(k, &der);
	assert_true(n > 0);
	p = der;
	assert_non_null(pub = d2i_PUBKEY(NULL, &p, n));
	OPENSSL_free(der);
	return pub;
}

static void
sign_roundtrip(const char *type, const char *other_type)
{
	EVP_PKEY *k, *pub, *other, *otherpub, *third, *thirdpub;
	struct wg_diag d;
	uint8_t *sig = NULL, *osig = NULL, *b;
	size_t siglen = 0, osiglen = 0, len, i;
	char *json;

	json = read_text(GOLDEN, &len);
	b = (uint8_t *)json;
	k = keygen(type);
	pub = public_only(k);
	other = keygen(other_type);
	otherpub = public_only(other);
	third = keygen(type);
	thirdpub = public_only(third);

	wg_diag_clear(&d);
	assert_int_equal(policy_sign(b, len, k, &sig, &siglen, &d), 0);
	assert_non_null(sig);
	assert_true(siglen > 0 && siglen <= 72);
	assert_int_equal(policy_verify(b, len, sig, siglen, pub, &d), 0);
	assert_int_equal(policy_verify(b, len, sig, siglen, k, &d), 0);

	/* every bit of the bundle and of the signature matters */
	for (i = 0; i < len; i += len / 61 + 1) {
		b[i] ^= 0x01;
		wg_diag_clear(&d);
		assert_int_equal(policy_verify(b, len, sig, siglen, pub, &d),
		    WG_ERR_POLICY_SIGNATURE);
		assert_int_equal(d.err, WG_ERR_POLICY_SIGNATURE);
		b[i] ^= 0x01;
	}
	for (i = 0; i < siglen * 8; i++) {
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(policy_verify(b, len, sig, siglen, pub, NULL),
		    WG_ERR_POLICY_SIGNATURE);
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* a byte less, a byte more, nothing */
	assert_int_equal(policy_verify(b, len - 1, sig, siglen, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, sig, siglen - 1, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	sig = realloc(sig, siglen + 1);
	assert_non_null(sig);
	sig[siglen] = 0;
	assert_int_equal(policy_verify(b, len, sig, siglen + 1, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, sig, 0, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, NULL, siglen, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, sig, siglen, NULL, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, sig, siglen, pub, NULL), 0);

	/* another issuer's key of the same kind, and of the other kind */
	assert_int_equal(policy_verify(b, len, sig, siglen, thirdpub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, sig, siglen, otherpub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	/* the other kind's signature under this key */
	assert_int_equal(policy_sign(b, len, other, &osig, &osiglen, NULL), 0);
	assert_int_equal(policy_verify(b, len, osig, osiglen, pub, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, len, osig, osiglen, otherpub, NULL),
	    0);

	/* a public key cannot sign */
	wg_diag_clear(&d);
	assert_int_not_equal(policy_sign(b, len, pub, &osig, &osiglen, &d), 0);

	free(sig);
	free(osig);
	EVP_PKEY_free(k);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(other);
	EVP_PKEY_free(otherpub);
	EVP_PKEY_free(third);
	EVP_PKEY_free(thirdpub);
	free(json);
}

static void
test_sign_p256(void **state)
{
	(void)state;
	sign_roundtrip("EC", "ED25519");
}

static void
test_sign_ed25519(void **state)
{
	(void)state;
	sign_roundtrip("ED25519", "EC");
}

static void
test_sign_unsupported(void **state)
{
	static const uint8_t b[] = "{}";
	static const char *const types[] = { "RSA", "P-384", "X25519",
	    "ED448" };
	EVP_PKEY *k, *p256;
	struct wg_diag d;
	uint8_t *sig = NULL, fake[64];
	size_t siglen = 0, i;

	(void)state;
	p256 = keygen("EC");
	assert_int_equal(policy_sign(b, 2, p256, &sig, &siglen, NULL), 0);
	for (i = 0; i < NELEM(types); i++) {
		k = keygen(types[i]);
		wg_diag_clear(&d);
		assert_int_equal(policy_sign(b, 2, k, &sig, &siglen, &d),
		    WG_ERR_UNSUPPORTED);
		assert_int_equal(d.err, WG_ERR_UNSUPPORTED);
		assert_int_equal(policy_verify(b, 2, sig, siglen, k, &d),
		    WG_ERR_UNSUPPORTED);
		EVP_PKEY_free(k);
	}
	/* an Ed25519 key and a 64-byte "signature" of zeros */
	k = keygen("ED25519");
	memset(fake, 0, sizeof(fake));
	assert_int_equal(policy_verify(b, 2, fake, sizeof(fake), k, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	/* an ECDSA signature with trailing garbage in DER */
	sig = realloc(sig, siglen + 2);
	assert_non_null(sig);
	sig[siglen] = 0;
	sig[siglen + 1] = 0;
	assert_int_equal(policy_verify(b, 2, sig, siglen + 2, p256, NULL),
	    WG_ERR_POLICY_SIGNATURE);
	assert_int_equal(policy_verify(b, 2, sig, siglen, p256, NULL), 0);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p256);
	free(sig);
	assert_int_equal(policy_sign(b, 2, NULL, &sig, &siglen, NULL),
	    WG_ERR_INVALID_ARG);
}

/* ---- learning ----------------------------------------------------------- */

static struct evlog *
load_log(const char *name)
{
	char rel[256];
	struct evlog *log = NULL;
	uint8_t *b;
	size_t n;

	(void)snprintf(rel, sizeof(rel), "eventlogs/%s", name);
	b = (uint8_t *)read_text(rel, &n);
	if (evlog_parse(b, n, NULL, &log, NULL) != 0)
		log = NULL;
	free(b);
	return log;
}

static int
has_digest(const struct policy_digests *l, const struct evlog_digest *dg)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].alg == dg->alg && memcmp(l->v[i].digest,
		    dg->bytes, dg->size) == 0)
			return 1;
	return 0;
}

/* The digest a learned list records for ev: sha256, else sha1, else any. */
static const struct evlog_digest *
pick(const struct evlog_event *ev)
{
	unsigned k;

	for (k = 0; k < ev->ndigests; k++)
		if (ev->digest[k].alg == TPM2_ALG_SHA256)
			return &ev->digest[k];
	for (k = 0; k < ev->ndigests; k++)
		if (ev->digest[k].alg == TPM2_ALG_SHA1)
			return &ev->digest[k];
	return ev->ndigests > 0 ? &ev->digest[0] : NULL;
}

static struct policy *
learn_check(const struct evlog *log)
{
	const struct policy_release *r;
	const struct evlog_digest *dg;
	const struct pcr_bank *pb, *rb;
	struct pcr_set replay;
	struct policy *p = NULL;
	struct wg_diag d;
	char *s;
	size_t e, i, k;

	wg_diag_clear(&d);
	if (policy_learn(log, "hospital-secops", "Model X", "learned", &p,
	    &d) != 0)
		fail_msg("policy_learn: %s", d.detail);
	assert_int_equal(p->version, 1);
	assert_true(p->issued_at > INT64_C(1700000000));
	assert_int_equal(p->nmodels, 1);
	assert_string_equal(p->models[0].model, "Model X");
	assert_int_equal(p->models[0].nrel, 1);
	r = &p->models[0].rel[0];
	assert_int_equal(r->status, POLICY_APPROVED);
	s = print_stable(p);
	free(s);

	for (e = 0; e < log->nevents; e++) {
		const struct evlog_event *ev = &log->events[e];

		if (ev->type == EV_EFI_BOOT_SERVICES_APPLICATION &&
		    (dg = pick(ev)) != NULL && !has_digest(&r->boot_apps, dg))
			fail_msg("event %zu: boot application not learned", e);
		if ((ev->type == EV_EFI_BOOT_SERVICES_DRIVER ||
		    ev->type == EV_EFI_RUNTIME_SERVICES_DRIVER) &&
		    (dg = pick(ev)) != NULL && !has_digest(&r->drivers, dg))
			fail_msg("event %zu: driver not learned", e);
		if ((ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB ||
		    ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB2) &&
		    ev->pcr == 0 && (dg = pick(ev)) != NULL &&
		    !has_digest(&r->firmware, dg))
			fail_msg("event %zu: firmware blob not learned", e);
	}
	/* each list once per digest */
	for (i = 0; i < r->boot_apps.n; i++)
		for (k = i + 1; k < r->boot_apps.n; k++)
			assert_false(r->boot_apps.v[i].alg ==
			    r->boot_apps.v[k].alg && memcmp(
			    r->boot_apps.v[i].digest, r->boot_apps.v[k].digest,
			    ALG_MAX_DIGEST) == 0);
	/* learned PCRs are the replay's 0-7 */
	assert_int_equal(evlog_replay(log, &replay, NULL), 0);
	for (i = 0; i < r->pcrs.nbanks; i++) {
		rb = &r->pcrs.bank[i];
		assert_int_equal(rb->present, 0xff);
		pb = pcr_set_find(&replay, rb->alg);
		assert_non_null(pb);
		for (k = 0; k < 8; k++)
			assert_memory_equal(rb->value[k], pb->value[k],
			    pb->size);
	}
	assert_int_equal(r->has_pcrs, r->pcrs.nbanks > 0);
	return p;
}

static void
test_learn_corpus(void **state)
{
	char dir[512];
	struct dirent *de;
	struct evlog *log;
	struct policy *p;
	DIR *dp;
	size_t n, learned = 0;

	(void)state;
	assert_non_null(dp = opendir(tu_data_path("eventlogs", dir,
	    sizeof(dir))));
	while ((de = readdir(dp)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".bin") != 0 ||
		    strncmp(de->d_name, "negative-", 9) == 0)
			continue;
		if ((log = load_log(de->d_name)) == NULL)
			continue;
		print_message("learn %s\n", de->d_name);
		p = learn_check(log);
		learned++;
		policy_free(p);
		evlog_free(log);
	}
	closedir(dp);
	assert_true(learned >= 20);
}

static void
test_learn_gce(void **state)
{
	static const char shim_path_tail[] = "shimx64.efi";
	const struct policy_release *r;
	struct evlog *log;
	struct policy *p;
	size_t i, paths = 0;

	(void)state;
	assert_non_null(log = load_log("gce-ubuntu2104-nodbx.bin"));
	p = learn_check(log);
	r = &p->models[0].rel[0];
	/*
	 * This VM booted with Secure Boot off: its SecureBoot variable
	 * (event 3) holds the byte 0x00, and no db authority was logged.
	 */
	assert_int_equal(r->secure_boot, -1);
	assert_int_equal(r->n_scrtm, 1);
	assert_string_equal(r->scrtm[0], "GCE Virtual Firmware v1");
	/* shim and grub (and the kernel via shim's own measurement) */
	assert_true(r->boot_apps.n >= 2);
	for (i = 0; i < r->boot_apps.n; i++) {
		assert_int_equal(r->boot_apps.v[i].alg, TPM2_ALG_SHA256);
		if (strstr(r->boot_apps.v[i].note, shim_path_tail) != NULL ||
		    strstr(r->boot_apps.v[i].note, "grubx64.efi") != NULL)
			paths++;
	}
	assert_true(paths >= 2);
	/* the Secure Boot databases this VM has */
	assert_int_equal(r->pk.n, 1);
	assert_int_equal(r->kek.n, 1);
	assert_int_equal(r->db.n, 1);
	/* sha1, sha256 and sha384 banks, all events carry all three */
	assert_int_equal(r->pcrs.nbanks, 3);
	policy_free(p);
	evlog_free(log);
}

/* Secure Boot on (SecureBoot = 0x01, data matches its SHA-1 digest). */
static void
test_learn_gce_debian10(void **state)
{
	const struct policy_release *r;
	struct evlog *log;
	struct policy *p;

	(void)state;
	assert_non_null(log = load_log("gce-debian10-sha1-legacy.bin"));
	p = learn_check(log);
	r = &p->models[0].rel[0];
	assert_int_equal(r->secure_boot, 1);
	assert_int_equal(r->n_scrtm, 1);
	assert_string_equal(r->scrtm[0], "GCE Virtual Firmware v1");
	assert_int_equal(r->boot_apps.n, 3);
	assert_int_equal(r->boot_apps.v[0].alg, TPM2_ALG_SHA1);
	assert_int_equal(r->pcrs.nbanks, 1);
	assert_int_equal(r->pcrs.bank[0].alg, TPM2_ALG_SHA1);
	policy_free(p);
	evlog_free(log);

	/* and OVMF: on, and an empty S-CRTM version is not learned */
	assert_non_null(log = load_log("qemu-ovmf-swtpm-sha256.bin"));
	p = learn_check(log);
	r = &p->models[0].rel[0];
	assert_int_equal(r->secure_boot, 1);
	assert_int_equal(r->n_scrtm, 0);
	policy_free(p);
	evlog_free(log);
}

static void
test_learn_arch(void **state)
{
	struct evlog *log;
	struct policy *p;

	(void)state;
	assert_non_null(log = load_log("archlinux-workstation-systemd-boot.bin"));
	p = learn_check(log);
	/* Secure Boot off (and its variable measured with no data) */
	assert_int_equal(p->models[0].rel[0].secure_boot, -1);
	assert_true(p->models[0].rel[0].boot_apps.n >= 1);
	policy_free(p);
	evlog_free(log);
}

/* Windows caps SHA-1 without logging it: only sha256 is learned. */
static void
test_learn_windows_partial(void **state)
{
	struct evlog *log;
	struct policy *p;

	(void)state;
	assert_non_null(log = load_log(
	    "winsrv2022-supermicro-partial-digests.bin"));
	p = learn_check(log);
	assert_int_equal(p->models[0].rel[0].pcrs.nbanks, 1);
	assert_int_equal(p->models[0].rel[0].pcrs.bank[0].alg,
	    TPM2_ALG_SHA256);
	policy_free(p);
	evlog_free(log);
}

/* A tampered SecureBoot variable (data no longer its digest) is not learned. */
static void
test_learn_tampered(void **state)
{
	struct evlog *log;
	struct policy *p;
	struct evlog_data data;
	size_t e;
	int done = 0;

	(void)state;
	assert_non_null(log = load_log("gce-debian10-sha1-legacy.bin"));
	for (e = 0; e < log->nevents; e++) {
		struct evlog_event *ev = &log->events[e];

		if (ev->type == EV_S_CRTM_VERSION) {
			ev->digest[0].bytes = log->raw;
			done++;
		}
		if (ev->type != EV_EFI_VARIABLE_DRIVER_CONFIG ||
		    evlog_decode(ev, &data, NULL) != 0 ||
		    (strcmp(data.u.var.name, "SecureBoot") != 0 &&
		    strcmp(data.u.var.name, "PK") != 0))
			continue;
		/* re-point the digest at other bytes of the log */
		ev->digest[0].bytes = log->raw;
		done++;
	}
	assert_int_equal(done, 3);
	p = learn_check(log);
	assert_int_equal(p->models[0].rel[0].secure_boot, -1);
	assert_int_equal(p->models[0].rel[0].n_scrtm, 0);
	assert_int_equal(p->models[0].rel[0].pk.n, 0);
	assert_int_equal(p->models[0].rel[0].kek.n, 1);
	policy_free(p);
	evlog_free(log);

	assert_int_equal(policy_learn(NULL, "i", "m", "r", &p, NULL),
	    WG_ERR_INVALID_ARG);
	assert_non_null(log = load_log("gce-ubuntu2104-nodbx.bin"));
	assert_int_equal(policy_learn(log, "", "m", "r", &p, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(policy_learn(log, "i", "m\n", "r", &p, NULL),
	    WG_ERR_INVALID_ARG);
	evlog_free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_expected_is_fixed_point),
		cmocka_unit_test(test_minimal_and_empty),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sign_p256),
		cmocka_unit_test(test_sign_ed25519),
		cmocka_unit_test(test_sign_unsupported),
		cmocka_unit_test(test_learn_corpus),
		cmocka_unit_test(test_learn_gce),
		cmocka_unit_test(test_learn_gce_debian10),
		cmocka_unit_test(test_learn_arch),
		cmocka_unit_test(test_learn_windows_partial),
		cmocka_unit_test(test_learn_tampered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
