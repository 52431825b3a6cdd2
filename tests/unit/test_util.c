/* test_util.c: hex, bounded file reads, hash algorithm table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <tss2/tss2_tpm2_types.h>

#include "alg.h"
#include "file.h"
#include "hex.h"
#include "wg_err.h"

static void
test_hex(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };
	uint8_t out[8];
	char text[11];
	size_t n = 0;

	(void)state;
	assert_non_null(hex_encode(bytes, sizeof(bytes), text, sizeof(text)));
	assert_string_equal(text, "007f80ffab");
	assert_null(hex_encode(bytes, sizeof(bytes), text, sizeof(text) - 1));
	assert_int_equal(hex_decode("007F80ffAB", out, sizeof(out), &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, bytes, 5);
	assert_int_equal(hex_decode("", out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hex_decode("abc", out, sizeof(out), &n), WG_ERR_FORMAT);
	assert_int_equal(hex_decode("zz", out, sizeof(out), &n), WG_ERR_FORMAT);
	assert_int_equal(hex_decode("0 ", out, sizeof(out), &n), WG_ERR_FORMAT);
	assert_int_equal(hex_decode("000000000000000000", out, sizeof(out), &n),
	    WG_ERR_TOO_LARGE);
}

static void
test_file(void **state)
{
	char path[] = "/tmp/wg-test-file.XXXXXX";
	struct wg_diag d;
	uint8_t *buf = NULL, data[1000];
	size_t len = 0;
	int fd;

	(void)state;
	memset(data, 'x', sizeof(data));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);

	assert_int_equal(file_read(path, 1000, &buf, &len, &d), 0);
	assert_int_equal(len, 1000);
	assert_memory_equal(buf, data, len);
	assert_int_equal(buf[len], 0);	/* NUL after the data */
	free(buf);
	buf = NULL;
	assert_int_equal(file_read(path, 999, &buf, &len, &d), WG_ERR_TOO_LARGE);
	assert_null(buf);
	assert_int_equal(file_read(path, 0, &buf, &len, &d), WG_ERR_TOO_LARGE);
	unlink(path);
	assert_int_equal(file_read(path, 10, &buf, &len, &d), WG_ERR_IO);
	assert_non_null(strstr(d.detail, path));
}

static void
test_alg(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(alg_by_name("sha256")->id, TPM2_ALG_SHA256);
	assert_int_equal(alg_by_id(TPM2_ALG_SHA1)->size, 20);
	assert_int_equal(alg_by_id(TPM2_ALG_SHA384)->size, 48);
	assert_int_equal(alg_by_id(TPM2_ALG_SHA512)->size, 64);
	assert_int_equal(alg_by_id(TPM2_ALG_SM3_256)->size, 32);
	assert_string_equal(alg_by_id(TPM2_ALG_SM3_256)->name, "sm3_256");
	assert_null(alg_by_id(0x0099));
	assert_null(alg_by_name("SHA256"));
	assert_null(alg_by_name(NULL));
	assert_string_equal(alg_name(0x0099, buf, sizeof(buf)), "0x0099");
	assert_string_equal(alg_name(TPM2_ALG_SHA512, buf, sizeof(buf)), "sha512");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_alg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
