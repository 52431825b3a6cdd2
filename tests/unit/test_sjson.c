/*
 * test_sjson.c: strict JSON decoding shared by lib/wire.c and
 * lib/policy.c (lib/sjson.c), called directly: UTF-8, text rules, the
 * counts before json-c, the parse and the scan of the raw text.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "sjson.h"
#include "wg_err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct sjson_limits wire_like = {
	1024, 4, 8, 3, 0
};
static const struct sjson_limits policy_like = {
	1024, 4, 8, 3, SJSON_INDEX_PATH | SJSON_DEPTH_PATH
};

/* sjson_utf8_next() of n bytes: the length, the code point in *cp. */
static size_t
next(const char *s, size_t n, uint32_t *cp)
{
	*cp = 0xffffffff;
	return sjson_utf8_next((const unsigned char *)s, n, cp);
}

static void
test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		size_t want;
		uint32_t cp;
	} v[] = {
		{ "A", 1, 1, 0x41 },
		{ "\x7f", 1, 1, 0x7f },
		{ "\xc2\x80", 2, 2, 0x80 },
		{ "\xdf\xbf", 2, 2, 0x7ff },
		{ "\xe0\xa0\x80", 3, 3, 0x800 },
		{ "\xed\x9f\xbf", 3, 3, 0xd7ff },
		{ "\xee\x80\x80", 3, 3, 0xe000 },
		{ "\xef\xbf\xbf", 3, 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 4, 0x10000 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		/* overlong forms */
		{ "\xc0\x80", 2, 0, 0 },
		{ "\xc1\xbf", 2, 0, 0 },
		{ "\xe0\x9f\xbf", 3, 0, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },
		/* surrogates U+D800..U+DFFF */
		{ "\xed\xa0\x80", 3, 0, 0 },
		{ "\xed\xbf\xbf", 3, 0, 0 },
		/* past U+10FFFF */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xff", 1, 0, 0 },
		/* lone continuation bytes, bad continuations */
		{ "\x80", 1, 0, 0 },
		{ "\xbf", 1, 0, 0 },
		{ "\xc2\x41", 2, 0, 0 },
		{ "\xe2\x82\x41", 3, 0, 0 },
		{ "\xf0\x9f\x98\x41", 4, 0, 0 },
		/* truncated: the bytes are there but n says they are not */
		{ "\xc2\x80", 1, 0, 0 },
		{ "\xe2\x82\xac", 2, 0, 0 },
		{ "\xf0\x9f\x98\x80", 3, 0, 0 },
	};
	uint32_t cp;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(next(v[i].s, v[i].n, &cp), v[i].want);
		if (v[i].want > 0)
			assert_int_equal(cp, v[i].cp);
	}
}

static void
test_text(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(sjson_printable('a'), 1);
	assert_int_equal(sjson_printable(0xe9), 1);
	assert_int_equal(sjson_printable(0x1f), 0);
	assert_int_equal(sjson_printable(0x7f), 0);
	assert_int_equal(sjson_printable(0x85), 0);
	assert_int_equal(sjson_printable(0x202e), 0);	/* RLO */
	assert_int_equal(sjson_printable(0x2066), 0);
	assert_int_equal(sjson_printable(0x2028), 0);
	assert_int_equal(sjson_printable(0xfeff), 0);

	assert_null(sjson_text_check("caf\xc3\xa9", 5));
	assert_null(sjson_text_check("", 0));
	assert_string_equal(sjson_text_check("a\tb", 3),
	    "holds a control or formatting character");
	assert_string_equal(sjson_text_check("\xe2\x80\xae", 3),
	    "holds a control or formatting character");
	assert_string_equal(sjson_text_check("\xc0\xaf", 2),
	    "is not valid UTF-8");
	assert_string_equal(sjson_text_check("ab\xc3", 3),
	    "is not valid UTF-8");

	sjson_text_sanitize("a\x01\xff" "b", 4, out, sizeof(out));
	assert_string_equal(out, "a??b");
	/* cut on a character boundary: "é" (2 bytes) does not fit */
	sjson_text_sanitize("abcdef\xc3\xa9", 8, out, sizeof(out));
	assert_string_equal(out, "abcdef");
	sjson_text_sanitize("abc", 3, out, 1);
	assert_string_equal(out, "");
}

static void
test_show_join_ws(void **state)
{
	char buf[SJSON_SHOW + 8], small[8], path[16];
	char longname[SJSON_SHOW + 11];

	(void)state;
	assert_string_equal(sjson_show("a\tb\x80", buf, sizeof(buf)), "a?b?");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	sjson_show(longname, buf, sizeof(buf));
	assert_int_equal(strlen(buf), SJSON_SHOW + 3);
	assert_string_equal(buf + SJSON_SHOW, "...");
	assert_string_equal(sjson_show("abcdefghij", small, sizeof(small)),
	    "abcd...");

	assert_string_equal(sjson_join(path, sizeof(path), "", "a"), "a");
	assert_string_equal(sjson_join(path, sizeof(path), "a.b", "c"),
	    "a.b.c");
	assert_string_equal(sjson_join(path, sizeof(path), "0123456789",
	    "abcdefgh"), "0123456789.abcd");

	assert_int_equal(sjson_ws(' '), 1);
	assert_int_equal(sjson_ws('\r'), 1);
	assert_int_equal(sjson_ws('\f'), 0);
	assert_int_equal(sjson_ws('\v'), 0);
}

static void
test_number(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} v[] = {
		{ "0", 1 }, { "10", 2 }, { "-3", 2 }, { "1.5", 3 },
		{ "1e9", 3 }, { "1E+9", 4 }, { "2.5e-3,", 6 }, { "0x1", 1 },
		{ "01", 1 }, { "1.", 0 }, { ".5", 0 }, { "1e", 0 },
		{ "1e+", 0 }, { "-", 0 }, { "NaN", 0 }, { "Infinity", 0 },
		{ "+1", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++)
		assert_int_equal(sjson_number(v[i].s, strlen(v[i].s), 0),
		    v[i].want);
}

static int
prescan(const char *s, struct sjson_err *e)
{
	return sjson_prescan(s, strlen(s), &wire_like, e);
}

static void
test_prescan(void **state)
{
	struct sjson_err e;

	(void)state;
	/* 4 containers and 8 commas pass; brackets in strings do not count */
	assert_int_equal(prescan("[[[[1,2,3,4,5,6,7,8,9]]]]", &e), 0);
	assert_int_equal(prescan("[\"{{{{{\",'[[[[',\"\\\"[[[\"]", &e), 0);
	assert_int_equal(prescan("[[[[[]]]]]", &e), WG_ERR_TOO_LARGE);
	assert_int_equal(e.what, SJSON_E_CONTAINERS);
	assert_int_equal(e.off, 4);
	assert_string_equal(e.msg, "more than 4 objects and arrays (offset 4)");
	assert_string_equal(e.path, "");
	assert_int_equal(prescan("[1,2,3,4,5,6,7,8,9,10]", &e),
	    WG_ERR_TOO_LARGE);
	assert_int_equal(e.what, SJSON_E_COMMAS);
	assert_string_equal(e.msg, "more than 9 values (offset 18)");
}

/* sjson_parse() of a C string; the code, e filled on failure. */
static int
parse(const char *s, const struct sjson_limits *lim, json_type want,
    struct sjson_err *e)
{
	json_object *o = NULL;
	int r;

	r = sjson_parse(s, strlen(s), lim, want, &o, e);
	if (r == 0)
		assert_non_null(o);
	else
		assert_null(o);
	json_object_put(o);
	return r;
}

static void
test_parse(void **state)
{
	struct sjson_limits lim = wire_like;
	struct sjson_err e;

	(void)state;
	assert_int_equal(parse(" {\"a\": [1, 2]}\n ", &lim, json_type_object,
	    &e), 0);
	assert_int_equal(parse("[]", &lim, json_type_array, &e), 0);
	assert_int_equal(parse("[]", &lim, json_type_object, &e), WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_TYPE);
	/* json-c's strict mode refuses trailing data itself */
	assert_int_equal(parse("{} x", &lim, json_type_object, &e),
	    WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_MALFORMED);
	assert_int_equal(e.off, 3);
	assert_int_equal(parse("{\"a\":", &lim, json_type_object, &e),
	    WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_EARLY);
	assert_int_equal(parse("{\"a\" 1}", &lim, json_type_object, &e),
	    WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_MALFORMED);
	/* json-c takes single quotes even when strict: the scan does not */
	assert_int_equal(parse("{'a':1}", &lim, json_type_object, &e), 0);
	assert_int_equal(sjson_parse("{}\0", 3, &lim, json_type_object,
	    &(json_object *){ NULL }, &e), WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_NUL);
	assert_int_equal(e.off, 2);

	lim.max_bytes = 4;
	assert_int_equal(parse("{}  ", &lim, json_type_object, &e), 0);
	assert_int_equal(parse("{}   ", &lim, json_type_object, &e),
	    WG_ERR_TOO_LARGE);
	assert_int_equal(e.what, SJSON_E_SIZE);
	assert_int_equal(e.n, 5);

	/*
	 * json-c's depth refusal (its limit of N takes N - 1 levels), and
	 * the same through the scan (N levels: only deeper text gets a path)
	 */
	assert_int_equal(parse("[[1]]", &wire_like, json_type_array, &e), 0);
	assert_int_equal(parse("[[[1]]]", &wire_like, json_type_array, &e),
	    WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_DEEP);
	assert_int_equal(parse("[[[1]]]", &policy_like, json_type_array, &e),
	    WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_DEEP);
	assert_string_equal(e.msg, "nested more than 3 deep (offset 3)");
	assert_int_equal(parse("[0,[1,{\"k\":[2]}]]", &policy_like,
	    json_type_array, &e), WG_ERR_JSON);
	assert_int_equal(e.what, SJSON_E_NESTING);
	assert_string_equal(e.path, "[1][1].k");
	assert_string_equal(e.msg, "nested more than 3 deep");
	/* the scan reports the first refusal in the text */
	assert_int_equal(parse("[-1,[[[2]]]]", &policy_like,
	    json_type_array, &e), WG_ERR_BAD_FIELD);
	assert_int_equal(e.what, SJSON_E_NEGATIVE);
	assert_string_equal(e.path, "[0]");
}

/* sjson_scan() of a C string. */
static int
scan(const char *s, const struct sjson_limits *lim, struct sjson_err *e)
{
	return sjson_scan(s, strlen(s), lim, e);
}

static void
test_scan_duplicates(void **state)
{
	static const char *const dups[] = {
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"\\u0061\":2}",
		"{\"a\":1,\"\\u0041\":2,\"\\u0061\":3}",
		"{\"/\":1,\"\\/\":2}",
		"{\"a\\\"\":1,\"a\\u0022\":2}",
		"{\"ab\":1,\"a\\u0062\":2}",
		"{\"x\":{\"a\":1},\"a\":2,\"\\u0061\":3}",
	};
	struct sjson_err e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(dups); i++) {
		assert_int_equal(scan(dups[i], &policy_like, &e), WG_ERR_JSON);
		assert_int_equal(e.what, SJSON_E_DUP);
		assert_string_equal(e.msg, "field appears twice");
	}
	/* the path ends in the name given twice, as decoded */
	assert_int_equal(scan("{\"x\":{\"b\":1,\"c\":2,\"\\u0062\":3}}",
	    &policy_like, &e), WG_ERR_JSON);
	assert_string_equal(e.path, "x.b");

	/* the same name in different objects, or differing in case */
	assert_int_equal(scan("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}",
	    &policy_like, &e), 0);
	assert_int_equal(scan("{\"a\":1,\"A\":2}", &policy_like, &e), 0);

	/* a name past SJSON_KEYLEN - 1 bytes or not ASCII is odd */
	assert_int_equal(scan("{\"abcdefghijklmnopqrstuvw\":1}", &policy_like,
	    &e), 0);
	assert_int_equal(scan("{\"abcdefghijklmnopqrstuvwx\":1}", &policy_like,
	    &e), WG_ERR_UNKNOWN_FIELD);
	assert_int_equal(e.what, SJSON_E_ODD_NAME);
	assert_int_equal(scan("{\"k\":{\"caf\xc3\xa9\":1}}", &policy_like, &e),
	    WG_ERR_UNKNOWN_FIELD);
	assert_int_equal(e.what, SJSON_E_ODD_NAME);
	assert_string_equal(e.path, "k.caf?");
	assert_int_equal(scan("{\"a\\tb\":1}", &policy_like, &e),
	    WG_ERR_UNKNOWN_FIELD);
	assert_string_equal(e.path, "a?b");
}

static void
test_scan_keys_limit(void **state)
{
	char json[SJSON_KEYS * 8 + 16];
	size_t o = 0;
	struct sjson_err e;
	int i;

	(void)state;
	json[o++] = '{';
	for (i = 0; i < SJSON_KEYS; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o, "%s\"k%d\":0",
		    i > 0 ? "," : "", i);
	json[o++] = '}';
	json[o] = '\0';
	assert_int_equal(scan(json, &policy_like, &e), 0);
	json[o - 1] = '\0';
	strcat(json, ",\"k0\":1}");
	assert_int_equal(scan(json, &policy_like, &e), WG_ERR_UNKNOWN_FIELD);
	assert_int_equal(e.what, SJSON_E_KEYS);
	assert_string_equal(e.name, "k0");
	assert_string_equal(e.path, "k31");
}

static void
test_scan_refusals(void **state)
{
	static const struct {
		const char *s;
		int code;
		enum sjson_what what;
		const char *wire_path;	/* and the message */
		const char *policy_path;
		const char *msg;
	} v[] = {
		{ "[1,{\"a\":-0}]", WG_ERR_BAD_FIELD, SJSON_E_NEGATIVE,
		  "[].a", "[1].a", "negative number" },
		{ "{\"a\":[true,1.]}", WG_ERR_JSON, SJSON_E_NUMBER, "a[]",
		  "a[1]", "not a strict JSON number" },
		{ "{\"a\":NaN}", WG_ERR_JSON, SJSON_E_TOKEN, "a", "a",
		  "not strict JSON at offset 5" },
		{ "[Infinity]", WG_ERR_JSON, SJSON_E_TOKEN, "[]", "[0]",
		  "not strict JSON at offset 1" },
		{ "{'a':1}", WG_ERR_JSON, SJSON_E_TOKEN, "(top)", "(top)",
		  "not strict JSON at offset 1" },
		{ "{\"a\":\"x\\u0000\"}", WG_ERR_BAD_FIELD, SJSON_E_STRING,
		  "a", "a", "escaped NUL character" },
		{ "{\"a\":\"\\ud800\"}", WG_ERR_BAD_FIELD, SJSON_E_STRING, "a",
		  "a", "unpaired surrogate escape" },
		{ "{\"a\":\"\\udc00\\ud800\"}", WG_ERR_BAD_FIELD,
		  SJSON_E_STRING, "a", "a", "unpaired surrogate escape" },
		{ "{\"a\":\"\\ud83d\\ude00\"}", 0, 0, "", "", "" },
		{ "{\"a\":\"\\x41\"}", WG_ERR_JSON, SJSON_E_STRING, "a", "a",
		  "bad escape in a string" },
		{ "{\"a\":\"\\u12g4\"}", WG_ERR_JSON, SJSON_E_STRING, "a", "a",
		  "bad \\u escape in a string" },
		{ "{\"a\":\"\t\"}", WG_ERR_JSON, SJSON_E_STRING, "a", "a",
		  "raw control character in a string" },
		{ "{\"a\":\"\xc0\xaf\"}", WG_ERR_JSON, SJSON_E_STRING, "a",
		  "a", "invalid UTF-8 in a string" },
		{ "{\"a\":\"\xed\xa0\x80\"}", WG_ERR_JSON, SJSON_E_STRING, "a",
		  "a", "invalid UTF-8 in a string" },
		{ "{\"a\":\"abc", WG_ERR_JSON, SJSON_E_STRING, "a", "a",
		  "unterminated string" },
		{ "{\"a\":1,\"b\\u0000\":2}", WG_ERR_UNKNOWN_FIELD,
		  SJSON_E_NAME, "a", "a", "a field name: escaped NUL "
		  "character" },
		{ "{\"a\":1}}", WG_ERR_JSON, SJSON_E_UNBALANCED, "", "",
		  "unbalanced '}' at offset 7" },
		{ "{\"a\":[1]", WG_ERR_JSON, SJSON_E_OPEN, "", "",
		  "unbalanced JSON" },
		{ "[[[[]]]]", WG_ERR_JSON, SJSON_E_NESTING, "[][][]",
		  "[0][0][0]", "nested more than 3 deep" },
	};
	struct sjson_err e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(scan(v[i].s, &wire_like, &e), v[i].code);
		if (v[i].code == 0) {
			assert_int_equal(scan(v[i].s, &policy_like, &e), 0);
			continue;
		}
		assert_int_equal(e.what, v[i].what);
		assert_string_equal(e.path, v[i].wire_path);
		assert_string_equal(e.msg, v[i].msg);
		assert_int_equal(scan(v[i].s, &policy_like, &e), v[i].code);
		assert_string_equal(e.path, v[i].policy_path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_show_join_ws),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_prescan),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_scan_duplicates),
		cmocka_unit_test(test_scan_keys_limit),
		cmocka_unit_test(test_scan_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
