/* test_rcache.c: the bounded LRU replay cache. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rcache.h"
#include "wg_err.h"

static void
key_of(uint8_t key[RCACHE_KEY_LEN], unsigned n)
{
	memset(key, 0, RCACHE_KEY_LEN);
	key[0] = (uint8_t)n;
	key[31] = (uint8_t)(n >> 8);
}

static void
set_of(struct pcr_set *s, unsigned n)
{
	struct pcr_bank *b;

	pcr_set_init(s);
	assert_int_equal(pcr_set_add_bank(s, TPM2_ALG_SHA256, &b), 0);
	pcr_bank_reset(b);
	b->value[3][0] = (uint8_t)n;
}

static void
test_put_get_evict(void **state)
{
	struct rcache *c = rcache_new(3);
	struct pcr_set *s = malloc(sizeof(*s));
	const struct pcr_set *got;
	uint8_t k[RCACHE_KEY_LEN];
	unsigned i;

	(void)state;
	assert_non_null(c);
	assert_non_null(s);
	for (i = 1; i <= 3; i++) {
		key_of(k, i);
		set_of(s, i);
		assert_int_equal(rcache_put(c, k, s), 0);
	}
	assert_int_equal(rcache_count(c), 3);
	/* Touch 1 so that 2 is the least recently used. */
	key_of(k, 1);
	assert_int_equal(rcache_get(c, k, &got), 0);
	assert_int_equal(got->bank[0].value[3][0], 1);
	key_of(k, 4);
	set_of(s, 4);
	assert_int_equal(rcache_put(c, k, s), 0);
	assert_int_equal(rcache_count(c), 3);
	key_of(k, 2);
	assert_int_equal(rcache_get(c, k, &got), WG_ERR_NOT_FOUND);
	key_of(k, 1);
	assert_int_equal(rcache_get(c, k, &got), 0);
	key_of(k, 3);
	assert_int_equal(rcache_get(c, k, &got), 0);
	key_of(k, 4);
	assert_int_equal(rcache_get(c, k, &got), 0);
	assert_int_equal(got->bank[0].value[3][0], 4);
	/* Same key again replaces the value, count unchanged. */
	set_of(s, 44);
	assert_int_equal(rcache_put(c, k, s), 0);
	assert_int_equal(rcache_count(c), 3);
	assert_int_equal(rcache_get(c, k, &got), 0);
	assert_int_equal(got->bank[0].value[3][0], 44);
	/* Keys differing only in the last byte are different keys. */
	key_of(k, 1);
	k[31] ^= 0x80;
	assert_int_equal(rcache_get(c, k, &got), WG_ERR_NOT_FOUND);
	free(s);
	rcache_free(c);
	rcache_free(NULL);
}

static void
test_many(void **state)
{
	struct rcache *c = rcache_new(100);
	struct pcr_set *s = malloc(sizeof(*s));
	const struct pcr_set *got;
	uint8_t k[RCACHE_KEY_LEN];
	unsigned i, hits = 0;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 1000; i++) {
		key_of(k, i);
		set_of(s, i);
		assert_int_equal(rcache_put(c, k, s), 0);
		assert_true(rcache_count(c) <= 100);
	}
	for (i = 0; i < 1000; i++) {
		key_of(k, i);
		if (rcache_get(c, k, &got) == 0) {
			hits++;
			assert_true(i >= 900);
			assert_int_equal(got->bank[0].value[3][0], (uint8_t)i);
		}
	}
	assert_int_equal(hits, 100);
	assert_null(rcache_new(0));
	free(s);
	rcache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_evict),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
