/*
 * fuzz_enfmsg.c: the enforcer's fixed-size messages. What decodes must
 * encode back to the same 64 bytes (nothing is accepted loosely).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "enfmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enfmsg m;
	uint8_t out[ENFMSG_LEN];

	if (enfmsg_decode(data, size, &m, NULL) != 0)
		return 0;
	if (enfmsg_encode(&m, out, NULL) != 0 || size != ENFMSG_LEN ||
	    memcmp(out, data, ENFMSG_LEN) != 0)
		abort();
	return 0;
}
