/* fuzz_pub.c: attestation key loading (TPM2B_PUBLIC, TPMT_PUBLIC, PEM). */
#include "config.h"

#include "quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quote_key *k = NULL;

	if (quote_key_load(data, size, 0, &k, NULL) == 0)
		quote_key_free(k);
	if (quote_key_load(data, size, 1, &k, NULL) == 0)
		quote_key_free(k);
	return 0;
}
