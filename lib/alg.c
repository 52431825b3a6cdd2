/* alg.c: TPM hash algorithms by ID and name. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tss2/tss2_tpm2_types.h>

#include "alg.h"

static const struct alg_info alg_table[] = {
	{ TPM2_ALG_SHA1,    "sha1",    20, "SHA1" },
	{ TPM2_ALG_SHA256,  "sha256",  32, "SHA256" },
	{ TPM2_ALG_SHA384,  "sha384",  48, "SHA384" },
	{ TPM2_ALG_SHA512,  "sha512",  64, "SHA512" },
	{ TPM2_ALG_SM3_256, "sm3_256", 32, "SM3" },
};

const struct alg_info *
alg_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(alg_table) / sizeof(alg_table[0]); i++)
		if (alg_table[i].id == id)
			return &alg_table[i];
	return NULL;
}

const struct alg_info *
alg_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(alg_table) / sizeof(alg_table[0]); i++)
		if (strcmp(alg_table[i].name, name) == 0)
			return &alg_table[i];
	return NULL;
}

const char *
alg_name(uint16_t id, char *buf, size_t buflen)
{
	const struct alg_info *a = alg_by_id(id);

	if (a != NULL)
		return a->name;
	(void)snprintf(buf, buflen, "0x%04x", id);
	return buf;
}
