/*
 * alg.h: TPM hash algorithms known to wardgate, by TPM2_ALG_ID and name.
 */
#ifndef WG_ALG_H
#define WG_ALG_H

#include <stddef.h>
#include <stdint.h>

#define ALG_MAX_DIGEST 64	/* sha512 */

struct alg_info {
	uint16_t id;		/* TPM2_ALG_ID, e.g. 0x000b for sha256 */
	const char *name;	/* "sha1", "sha256", "sha384", "sha512", "sm3_256" */
	size_t size;		/* digest size in bytes */
	const char *ossl_name;	/* name for EVP_MD_fetch() */
};

/* The entry for a TPM hash algorithm ID, or NULL when unknown. */
const struct alg_info *alg_by_id(uint16_t id);

/* The entry for a name as listed above (case-sensitive), or NULL. */
const struct alg_info *alg_by_name(const char *name);

/* Name of any algorithm ID, "0x%04x" for unknown ones (buf >= 8 bytes). */
const char *alg_name(uint16_t id, char *buf, size_t buflen);

#endif /* WG_ALG_H */
