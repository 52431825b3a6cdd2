/* test_buf.c: the bounded reader. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "wg_err.h"

static const uint8_t sample[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
};

static void
test_integers(void **state)
{
	struct wg_buf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(buf_get_u16le(&b, &u16), 0);
	assert_int_equal(u16, 0x0302);
	assert_int_equal(buf_get_u32le(&b, &u32), 0);
	assert_int_equal(u32, 0x07060504);
	assert_int_equal(buf_offset(&b), 7);
	assert_int_equal(buf_remaining(&b), 4);
	/* Not enough for a u64: fails and does not move. */
	assert_int_equal(buf_get_u64le(&b, &u64), WG_ERR_TRUNCATED);
	assert_int_equal(buf_offset(&b), 7);
	assert_int_equal(buf_get_u32be(&b, &u32), 0);
	assert_int_equal(u32, 0x08090a0b);
	assert_int_equal(buf_expect_end(&b), 0);
	assert_int_equal(buf_get_u8(&b, &u8), WG_ERR_TRUNCATED);

	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_get_u64le(&b, &u64), 0);
	assert_true(u64 == 0x0807060504030201ULL);
	assert_int_equal(buf_get_u16be(&b, &u16), 0);
	assert_int_equal(u16, 0x090a);
	assert_int_equal(buf_expect_end(&b), WG_ERR_TRAILING);
}

static void
test_bytes_sub_skip(void **state)
{
	struct wg_buf b, sub;
	const uint8_t *p;
	uint8_t copy[3];

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_get_bytes(&b, 2, &p), 0);
	assert_ptr_equal(p, sample);
	assert_int_equal(buf_get_sub(&b, 4, &sub), 0);
	assert_int_equal(buf_remaining(&sub), 4);
	assert_int_equal(buf_get_copy(&sub, copy, 3), 0);
	assert_memory_equal(copy, sample + 2, 3);
	assert_int_equal(buf_skip(&sub, 2), WG_ERR_TRUNCATED);
	assert_int_equal(buf_skip(&sub, 1), 0);
	assert_int_equal(buf_expect_end(&sub), 0);
	/* Sizes that would wrap pointer arithmetic are refused. */
	assert_int_equal(buf_get_bytes(&b, SIZE_MAX, &p), WG_ERR_TRUNCATED);
	assert_int_equal(buf_get_sub(&b, SIZE_MAX - 1, &sub), WG_ERR_TRUNCATED);
	assert_int_equal(buf_skip(&b, 6), WG_ERR_TRUNCATED);
	assert_int_equal(buf_skip(&b, 5), 0);
	assert_int_equal(buf_skip(&b, 0), 0);
	assert_int_equal(buf_skip(&b, 1), WG_ERR_TRUNCATED);
}

static void
test_null_empty(void **state)
{
	struct wg_buf b;
	uint8_t u8;

	(void)state;
	buf_init(&b, NULL, 100);	/* NULL data is empty, whatever len says */
	assert_int_equal(buf_remaining(&b), 0);
	assert_int_equal(buf_get_u8(&b, &u8), WG_ERR_TRUNCATED);
	assert_int_equal(buf_expect_end(&b), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_bytes_sub_skip),
		cmocka_unit_test(test_null_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
