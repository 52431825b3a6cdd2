/* fuzz_pcrs.c: PCR value files (tpm2_quote -o), both forms. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pcr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TPML_PCR_SELECTION sel;
	struct pcr_set *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return 0;
	(void)pcr_read_tpm2_tools(data, size, NULL, s, NULL);
	/* The "values" form, read in a selection like a quote's. */
	memset(&sel, 0, sizeof(sel));
	if (pcr_selection_parse("sha256:0-9+sha1:0,7", &sel, NULL) == 0)
		(void)pcr_read_tpm2_tools(data, size, &sel, s, NULL);
	free(s);
	return 0;
}
