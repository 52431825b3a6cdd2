/* testutil.c: helpers for tests and benchmarks. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "testutil.h"

const char *
tu_data_path(const char *rel, char *buf, size_t buflen)
{
	const char *base = getenv("WG_TESTDATA");

	if (base == NULL || *base == '\0')
		base = "tests/data";
	(void)snprintf(buf, buflen, "%s/%s", base, rel);
	return buf;
}

int
tu_read_file(const char *path, size_t max, uint8_t **out, size_t *outlen)
{
	FILE *f;
	uint8_t *p = NULL;
	size_t cap = 0, len = 0, n;
	int ret = -1;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (len == cap) {
			uint8_t *np;
			cap = cap ? cap * 2 : 65536;
			if ((np = realloc(p, cap)) == NULL)
				goto out;
			p = np;
		}
		n = fread(p + len, 1, cap - len, f);
		len += n;
		if (len > max)
			goto out;
		if (n == 0) {
			if (ferror(f))
				goto out;
			break;
		}
	}
	*out = p;
	*outlen = len;
	p = NULL;
	ret = 0;
out:
	free(p);
	fclose(f);
	return ret;
}

long
tu_unhex(const char *hex, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	return hex_decode(hex, out, outlen, &n) == 0 ? (long)n : -1;
}
