/* test_advisory.c: lib/advisory.c, strict advisory parsing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory.h"

static int
parse(const char *text, struct advisory *a, struct wg_diag *d)
{
	wg_diag_clear(d);
	return advisory_parse(text, strlen(text), a, d);
}

static void
test_good(void **state)
{
	static const char text[] = "{\"id\": \"PHI-2026-031\", \"model\": "
	    "\"Infusomat Space\", \"affected\": [\"4.2.0\", \"4.2.1\"], "
	    "\"fixed\": \"4.2.2\", \"severity\": \"critical\", \"action\": "
	    "\"restrict\", \"title\": \"Bolus\", \"published\": "
	    "\"2026-11-20\"}";
	struct advisory *a = malloc(sizeof(*a));
	struct wg_diag d;

	(void)state;
	assert_non_null(a);
	assert_int_equal(parse(text, a, &d), 0);
	assert_string_equal(a->id, "PHI-2026-031");
	assert_int_equal(a->naffected, 2);
	assert_int_equal(a->action, ADVISORY_RESTRICT);
	assert_string_equal(a->fixed, "4.2.2");
	assert_true(advisory_affects(a, "Infusomat Space", "4.2.1"));
	assert_false(advisory_affects(a, "Infusomat Space", "4.2.2"));
	assert_false(advisory_affects(a, "Infusomat", "4.2.1"));
	assert_false(advisory_affects(a, "Infusomat Space", ""));
	free(a);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\"}",			/* no action */
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"block\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"urgent\",\"action\":\"notify\"}",
		"{\"id\":\"A B\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\",\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[1],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],\"fixed\":"
		    "\"1\",\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\",\"cvss\":9}",
		"{\"id\":\"A\",\"id\":\"B\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\\u0000\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\"}",
		"{\"id\":\"A\",\"model\":\"M\",\"affected\":[\"1\"],"
		    "\"severity\":\"high\",\"action\":\"notify\"} x",
	};
	struct advisory *a = malloc(sizeof(*a));
	struct wg_diag d;
	size_t i;
	int r;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse(bad[i], a, &d);
		if (r != WG_ERR_ADVISORY)
			fail_msg("accepted or wrong code %d: %s", r, bad[i]);
		assert_true(d.detail[0] != '\0');
	}
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
