/* test_b64.c: strict base64 and base64url (lib/b64.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64.h"
#include "wg_err.h"

/* RFC 4648 section 10, both alphabets. */
static void
test_vectors(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const std[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	uint8_t *out;
	size_t i, n;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_non_null(s = b64_encode((const uint8_t *)in[i],
		    strlen(in[i]), B64_STD));
		assert_string_equal(s, std[i]);
		free(s);
		assert_non_null(s = b64_encode((const uint8_t *)in[i],
		    strlen(in[i]), B64_URL));
		assert_string_equal(s, url[i]);
		free(s);
		assert_int_equal(b64_decode(std[i], strlen(std[i]), B64_STD,
		    &out, &n), 0);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(out, in[i], n);
		assert_int_equal(out[n], 0);
		free(out);
		assert_int_equal(b64_decode(url[i], strlen(url[i]), B64_URL,
		    &out, &n), 0);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(out, in[i], n);
		free(out);
	}
}

/* The two alphabets differ in 62 and 63; every byte value round-trips. */
static void
test_alphabets(void **state)
{
	uint8_t all[256], *out;
	size_t i, n;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	assert_non_null(s = b64_encode(all, sizeof(all), B64_URL));
	assert_null(strpbrk(s, "+/="));
	assert_non_null(strchr(s, '-'));
	assert_non_null(strchr(s, '_'));
	assert_int_equal(b64_decode(s, strlen(s), B64_STD, &out, &n),
	    WG_ERR_FORMAT);
	assert_int_equal(b64_decode(s, strlen(s), B64_URL, &out, &n), 0);
	assert_int_equal(n, sizeof(all));
	assert_memory_equal(out, all, n);
	free(out);
	free(s);
	assert_non_null(s = b64_encode(all, sizeof(all), B64_STD));
	assert_null(strpbrk(s, "-_"));
	assert_int_equal(b64_decode(s, strlen(s), B64_URL, &out, &n),
	    WG_ERR_FORMAT);
	assert_int_equal(b64_decode(s, strlen(s), B64_STD, &out, &n), 0);
	assert_memory_equal(out, all, n);
	free(out);
	free(s);
}

/* One encoding per byte string: anything else is refused. */
static void
test_strict(void **state)
{
	static const char *const bad_std[] = {
		"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm9v=",
		"Zm9v\n", " Zm9v", "Zm 9", "Zg=A", "=Zg=", "Zm-v", "Zm_v",
		"Zm9vY===",
	};
	static const char *const bad_url[] = {
		"Z", "Zg==", "Zh", "Zm9", "Zm8=", "Zm+v", "Zm/v", "Zm9vY",
		"Zm 9",
	};
	uint8_t *out = NULL;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
		assert_int_equal(b64_decode(bad_std[i], strlen(bad_std[i]),
		    B64_STD, &out, &n), WG_ERR_FORMAT);
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
		assert_int_equal(b64_decode(bad_url[i], strlen(bad_url[i]),
		    B64_URL, &out, &n), WG_ERR_FORMAT);
	/* A NUL inside the counted length is a character like any other. */
	assert_int_equal(b64_decode("Zm\0v", 4, B64_STD, &out, &n),
	    WG_ERR_FORMAT);
	assert_int_equal(b64_decode(NULL, 0, B64_STD, &out, &n),
	    WG_ERR_FORMAT);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_alphabets),
		cmocka_unit_test(test_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
