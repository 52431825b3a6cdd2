/* test_state.c: device states, transitions and the nonce table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nonce.h"
#include "state.h"
#include "wg_err.h"

static const enum dev_event all_events[] = {
	DEV_EV_ACTIVATED, DEV_EV_APPROVED, DEV_EV_ATTEST_PASS,
	DEV_EV_ATTEST_FAIL, DEV_EV_EXPIRED, DEV_EV_DECOMMISSION,
};
#define NEVENTS (sizeof(all_events) / sizeof(all_events[0]))

static void
test_names(void **state)
{
	enum dev_state s;
	unsigned i;

	(void)state;
	for (i = 0; i < DEV_NSTATES; i++) {
		assert_int_equal(state_parse(state_name((enum dev_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_string_equal(state_name(DEV_TRUSTED), "trusted");
	assert_string_equal(state_name(DEV_NSTATES), "invalid");
	assert_int_equal(state_parse("Trusted", &s), -1);
	assert_int_equal(state_parse(NULL, &s), -1);
}

/* Only a pass of an admitted device leads to trusted. */
static void
test_only_pass_trusts(void **state)
{
	unsigned i, e;
	int approved;

	(void)state;
	for (i = 0; i < DEV_NSTATES; i++)
		for (e = 0; e < NEVENTS; e++)
			for (approved = 0; approved <= 1; approved++) {
				enum dev_state n = state_next((enum dev_state)i,
				    approved, all_events[e]);

				if (n == DEV_TRUSTED)
					assert_true(approved &&
					    all_events[e] == DEV_EV_ATTEST_PASS &&
					    i != DEV_DECOMMISSIONED);
			}
}

static void
test_transitions(void **state)
{
	unsigned i, e;

	(void)state;
	/* Unadmitted devices stay pending whatever they do. */
	assert_int_equal(state_next(DEV_PENDING, 0, DEV_EV_ATTEST_PASS),
	    DEV_PENDING);
	assert_int_equal(state_next(DEV_PENDING, 0, DEV_EV_ACTIVATED),
	    DEV_PENDING);
	/* Admission gives stale: it must still attest. */
	assert_int_equal(state_next(DEV_PENDING, 1, DEV_EV_APPROVED), DEV_STALE);
	assert_int_equal(state_next(DEV_PENDING, 1, DEV_EV_ACTIVATED),
	    DEV_STALE);
	assert_int_equal(state_next(DEV_STALE, 1, DEV_EV_ATTEST_PASS),
	    DEV_TRUSTED);
	assert_int_equal(state_next(DEV_TRUSTED, 1, DEV_EV_ATTEST_FAIL),
	    DEV_UNTRUSTED);
	assert_int_equal(state_next(DEV_TRUSTED, 1, DEV_EV_EXPIRED), DEV_STALE);
	assert_int_equal(state_next(DEV_UNTRUSTED, 1, DEV_EV_EXPIRED),
	    DEV_UNTRUSTED);
	assert_int_equal(state_next(DEV_UNTRUSTED, 1, DEV_EV_ATTEST_PASS),
	    DEV_TRUSTED);
	/* A re-enrollment of a trusted device must attest again. */
	assert_int_equal(state_next(DEV_TRUSTED, 1, DEV_EV_ACTIVATED),
	    DEV_STALE);
	/* Decommissioned is terminal, from anywhere. */
	for (i = 0; i < DEV_NSTATES; i++)
		assert_int_equal(state_next((enum dev_state)i, 1,
		    DEV_EV_DECOMMISSION), DEV_DECOMMISSIONED);
	for (e = 0; e < NEVENTS; e++)
		assert_int_equal(state_next(DEV_DECOMMISSIONED, 1,
		    all_events[e]), DEV_DECOMMISSIONED);
	/* A legacy device (no TPM) is never trusted by any event; only
	 * decommissioning moves it. */
	for (e = 0; e < NEVENTS; e++)
		for (i = 0; i <= 1; i++)
			assert_int_equal(state_next(DEV_LEGACY, (int)i,
			    all_events[e]), all_events[e] ==
			    DEV_EV_DECOMMISSION ? DEV_DECOMMISSIONED :
			    DEV_LEGACY);
	assert_string_equal(state_name(DEV_LEGACY), "legacy");
	/* A corrupt state goes to quarantine, never to trust. */
	assert_int_equal(state_next((enum dev_state)99, 1, DEV_EV_ATTEST_PASS),
	    DEV_UNTRUSTED);
}

static const char dev_a[] = "aaaa000000000000000000000000000000000000000000000000000000000001";
static const char dev_b[] = "bbbb000000000000000000000000000000000000000000000000000000000002";

static void
test_nonce_single_use(void **state)
{
	struct nonce_table *t = nonce_table_new(8);
	uint8_t n1[NONCE_LEN], n2[NONCE_LEN], zero[NONCE_LEN] = { 0 };

	(void)state;
	assert_non_null(t);
	assert_int_equal(nonce_issue(t, dev_a, 1000, 30, n1), 0);
	assert_int_equal(nonce_issue(t, dev_a, 1000, 30, n2), 0);
	assert_memory_not_equal(n1, n2, NONCE_LEN);
	assert_memory_not_equal(n1, zero, NONCE_LEN);
	assert_int_equal(nonce_count(t), 2);
	/* Another device's nonce is refused, and stays valid for its owner. */
	assert_int_equal(nonce_consume(t, dev_b, n1, 1001), WG_ERR_NONCE_UNKNOWN);
	assert_int_equal(nonce_consume(t, dev_a, n1, 1001), 0);
	/* Reuse is refused. */
	assert_int_equal(nonce_consume(t, dev_a, n1, 1001), WG_ERR_NONCE_UNKNOWN);
	/* Expired: refused and removed. */
	assert_int_equal(nonce_consume(t, dev_a, n2, 1030), WG_ERR_NONCE_UNKNOWN);
	assert_int_equal(nonce_count(t), 0);
	assert_int_equal(nonce_consume(t, dev_a, zero, 1001), WG_ERR_NONCE_UNKNOWN);
	nonce_table_free(t);
	nonce_table_free(NULL);
}

static void
test_nonce_bounds(void **state)
{
	struct nonce_table *t = nonce_table_new(4);
	uint8_t n[8][NONCE_LEN];
	char id[NONCE_DEVICE_ID_LEN];
	unsigned i;

	(void)state;
	assert_non_null(t);
	/* At most NONCE_PER_DEVICE per device: the oldest goes. */
	for (i = 0; i < NONCE_PER_DEVICE + 2; i++)
		assert_int_equal(nonce_issue(t, dev_a, 100, 30, n[i]), 0);
	assert_int_equal(nonce_count(t), NONCE_PER_DEVICE);
	assert_int_equal(nonce_consume(t, dev_a, n[0], 101), WG_ERR_NONCE_UNKNOWN);
	assert_int_equal(nonce_consume(t, dev_a, n[1], 101), WG_ERR_NONCE_UNKNOWN);
	assert_int_equal(nonce_consume(t, dev_a, n[2], 101), 0);
	assert_int_equal(nonce_consume(t, dev_a, n[5], 101), 0);
	/* More devices than the table holds: the least recent goes. */
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "%064u", i);
		assert_int_equal(nonce_issue(t, id, 200 + i, 30, n[i % 8]), 0);
		assert_true(nonce_count(t) <= 4 * NONCE_PER_DEVICE);
	}
	/* The last four devices still hold theirs. */
	snprintf(id, sizeof(id), "%064u", 9u);
	assert_int_equal(nonce_consume(t, id, n[9 % 8], 210), 0);
	snprintf(id, sizeof(id), "%064u", 0u);
	assert_int_equal(nonce_consume(t, id, n[0], 210), WG_ERR_NONCE_UNKNOWN);
	assert_int_equal(nonce_issue(t, "x", 0, 0, n[0]), WG_ERR_INVALID_ARG);
	assert_null(nonce_table_new(0));
	nonce_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_only_pass_trusts),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_nonce_single_use),
		cmocka_unit_test(test_nonce_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
