/* test_report_esc.c: HTML escaping, CSV fields and truncation of wardgate report. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static void
html_is(const char *in, const char *want)
{
	char *got = report_esc_html(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
csv_is(const char *in, const char *want)
{
	char *got = report_esc_csv(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_html(void **state)
{
	(void)state;
	html_is("pump-icu-01", "pump-icu-01");
	html_is("", "");
	html_is(NULL, "");
	html_is("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	html_is("a & b", "a &amp; b");
	html_is("\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	html_is("it's", "it&#39;s");
	/* Entities are escaped again, not passed through. */
	html_is("&lt;", "&amp;lt;");
	/* Controls become U+FFFD; tab and newline stay; UTF-8 stays. */
	html_is("a\x01z\x7f", "a\xef\xbf\xbdz\xef\xbf\xbd");
	html_is("a\tb\nc", "a\tb\nc");
	html_is("Station \xc3\xa9t\xc3\xa9", "Station \xc3\xa9t\xc3\xa9");
}

static void
test_html_worst_case(void **state)
{
	char in[201], *out;
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		in[i] = '"';
	in[200] = '\0';
	out = report_esc_html(in);
	assert_non_null(out);
	assert_int_equal(strlen(out), 200 * 6);
	free(out);
}

static void
test_csv(void **state)
{
	(void)state;
	csv_is("pump-icu-01", "pump-icu-01");
	csv_is("", "");
	csv_is(NULL, "");
	csv_is("a,b", "\"a,b\"");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	csv_is("two\nlines", "\"two\nlines\"");
	csv_is("cr\rhere", "\"cr\rhere\"");
	/* Formula injection: a leading = + - @ tab or CR is made text. */
	csv_is("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	csv_is("+1", "'+1");
	csv_is("-2+3", "'-2+3");
	csv_is("@SUM(A1)", "'@SUM(A1)");
	csv_is("\t=1", "'\t=1");
	csv_is("\r=1", "\"'\r=1\"");
	/* Only the first character matters. */
	csv_is("a=b", "a=b");
	csv_is("<script>", "<script>");
}

static void
test_trunc(void **state)
{
	char out[32];

	(void)state;
	report_trunc("short", 24, out, sizeof(out));
	assert_string_equal(out, "short");
	report_trunc("abcdefghij", 4, out, sizeof(out));
	assert_string_equal(out, "abcd\xe2\x80\xa6");
	/* Never cuts inside a UTF-8 sequence (e-acute is 2 bytes). */
	report_trunc("ab\xc3\xa9z", 3, out, sizeof(out));
	assert_string_equal(out, "ab\xe2\x80\xa6");
	report_trunc(NULL, 4, out, sizeof(out));
	assert_string_equal(out, "");
	/* The buffer bounds the result whatever max says. */
	report_trunc("abcdefghijklmnop", 100, out, 8);
	assert_string_equal(out, "abcd\xe2\x80\xa6");
	report_trunc("abc", 100, out, 2);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_worst_case),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_trunc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
