/*
 * fuzz_provfile.c: batches of provisioning records (lib/provfile.c), as
 * CSV and as JSON. What parses must hold the parser's promises (a serial,
 * model, MAC and 64-hex EK fingerprint per record, serials unique) and
 * read back the same from its JSON form; a refusal carries its code.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "provfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static void
one(const uint8_t *data, size_t size, enum provfile_format f)
{
	struct provfile *pf = NULL, *again = NULL;
	struct provfile_report *rep = malloc(sizeof(*rep));
	struct wg_diag d;
	char *s;
	size_t i, j;
	int r;

	if (rep == NULL)
		return;
	wg_diag_clear(&d);
	r = provfile_parse((const char *)data, size, f, &pf, rep, &d);
	if (r != 0) {
		CHECK(r == WG_ERR_BAD_FIELD || r == WG_ERR_ALLOC ||
		    r == WG_ERR_TOO_LARGE);
		CHECK(pf == NULL);
		CHECK(r != WG_ERR_BAD_FIELD || rep->nerrors > 0);
		free(rep);
		return;
	}
	CHECK(pf->n >= 1 && pf->n <= PROVFILE_MAX_ROWS);
	for (i = 0; i < pf->n; i++) {
		CHECK(pf->recs[i].p.serial[0] != '\0');
		CHECK(pf->recs[i].p.model[0] != '\0');
		CHECK(strlen(pf->recs[i].p.mac) == 17);
		CHECK(strlen(pf->recs[i].p.ek_fpr) == 64 &&
		    hex_is_lower(pf->recs[i].p.ek_fpr, 64));
		for (j = i + 1; j < pf->n && j < i + 64; j++)
			CHECK(strcmp(pf->recs[i].p.serial,
			    pf->recs[j].p.serial) != 0);
	}
	if ((s = provfile_to_json(pf)) != NULL) {
		CHECK(provfile_parse(s, strlen(s), PROVFILE_JSON, &again, rep,
		    &d) == 0 || d.err == WG_ERR_ALLOC);
		if (again != NULL) {
			CHECK(again->n == pf->n);
			for (i = 0; i < pf->n; i++)
				CHECK(memcmp(&again->recs[i].p,
				    &pf->recs[i].p,
				    sizeof(pf->recs[i].p)) == 0);
		}
		free(s);
	}
	provfile_free(again);
	provfile_free(pf);
	free(rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, size > 0 && data[0] == '[' ? PROVFILE_JSON :
	    PROVFILE_CSV);
	return 0;
}
