/* test_err.c: error names, sentences and diagnostics. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wg_err.h"

static const int all_codes[] = {
#define CODE_(sym, val, name, text) WG_ERR_##sym,
	WG_ERR_LIST(CODE_)
#undef CODE_
};

static void
test_names_unique_and_known(void **state)
{
	size_t i, j, n = sizeof(all_codes) / sizeof(all_codes[0]);

	(void)state;
	assert_true(n > 30);
	for (i = 0; i < n; i++) {
		assert_true(all_codes[i] < 0);
		assert_string_not_equal(wg_errname(all_codes[i]), "UNKNOWN");
		assert_string_not_equal(wg_strerror(all_codes[i]), "unknown error");
		for (j = i + 1; j < n; j++) {
			assert_int_not_equal(all_codes[i], all_codes[j]);
			assert_string_not_equal(wg_errname(all_codes[i]),
			    wg_errname(all_codes[j]));
		}
	}
	assert_string_equal(wg_errname(WG_OK), "OK");
	assert_string_equal(wg_errname(WG_ERR_SIGNATURE), "SIGNATURE");
	assert_string_equal(wg_errname(-9999), "UNKNOWN");
	assert_string_equal(wg_strerror(12345), "unknown error");
}

static void
test_diag(void **state)
{
	struct wg_diag d;
	char big[600];

	(void)state;
	wg_diag_clear(&d);
	assert_int_equal(d.err, WG_OK);
	assert_int_equal(wg_diag_set(&d, WG_ERR_EVLOG_EVENT, "event %d at %s",
	    7, "offset 12"), WG_ERR_EVLOG_EVENT);
	assert_int_equal(d.err, WG_ERR_EVLOG_EVENT);
	assert_string_equal(d.detail, "event 7 at offset 12");
	/* NULL diag is allowed and still returns the code. */
	assert_int_equal(wg_diag_set(NULL, WG_ERR_IO, "x"), WG_ERR_IO);
	/* Overlong details are truncated, never overflow. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	wg_diag_set(&d, WG_ERR_IO, "%s", big);
	assert_int_equal(strlen(d.detail), WG_DIAG_DETAIL_MAX - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_and_known),
		cmocka_unit_test(test_diag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
