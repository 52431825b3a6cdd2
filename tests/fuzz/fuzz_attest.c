/* fuzz_attest.c: TPMS_ATTEST decoding (libtss2-mu + our checks). */
#include "config.h"

#include "quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TPMS_ATTEST att;

	(void)quote_decode_attest(data, size, &att, NULL);
	return 0;
}
