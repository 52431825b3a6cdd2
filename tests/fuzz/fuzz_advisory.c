/*
 * fuzz_advisory.c: vulnerability advisories (lib/advisory.c). What parses
 * must hold the parser's promises: an id of the allowed characters, 1 to
 * 64 distinct affected releases, a fixed release that is not affected, a
 * known action and severity; a refusal carries its code. Any breach
 * aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct advisory *a = malloc(sizeof(*a));
	struct wg_diag d;
	size_t i, j;
	int r;

	if (a == NULL)
		return 0;
	wg_diag_clear(&d);
	r = advisory_parse((const char *)data, size, a, &d);
	if (r != 0) {
		CHECK(r == WG_ERR_ADVISORY || r == WG_ERR_ALLOC);
		CHECK(d.err == r);
		free(a);
		return 0;
	}
	CHECK(a->id[0] != '\0' && strspn(a->id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == strlen(a->id));
	CHECK(a->naffected >= 1 && a->naffected <= ADVISORY_AFFECTED_MAX);
	for (i = 0; i < a->naffected; i++) {
		CHECK(advisory_affects(a, a->model, a->affected[i]));
		for (j = i + 1; j < a->naffected; j++)
			CHECK(strcmp(a->affected[i], a->affected[j]) != 0);
	}
	CHECK(a->fixed[0] == '\0' || !advisory_affects(a, a->model, a->fixed));
	CHECK(strcmp(advisory_action_name(a->action), "invalid") != 0);
	free(a);
	return 0;
}
