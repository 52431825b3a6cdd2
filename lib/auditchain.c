/*
 * auditchain.c: the hash of one audit row (auditchain.h).
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "auditchain.h"

static void
auditchain_be64(uint64_t v, uint8_t out[8])
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int
auditchain_field(EVP_MD_CTX *md, const void *p, size_t len, int present)
{
	uint8_t tag = present ? 1 : 0, n[8];

	if (EVP_DigestUpdate(md, &tag, 1) != 1)
		return -1;
	if (!present)
		return 0;
	auditchain_be64(len, n);
	if (EVP_DigestUpdate(md, n, sizeof(n)) != 1 ||
	    (len > 0 && EVP_DigestUpdate(md, p, len) != 1))
		return -1;
	return 0;
}

int
auditchain_hash(const uint8_t prev[AUDITCHAIN_HASH_LEN], int64_t id,
    int64_t at, const char *const text[AUDITCHAIN_NFIELDS],
    const size_t len[AUDITCHAIN_NFIELDS], uint8_t out[AUDITCHAIN_HASH_LEN],
    struct wg_diag *d)
{
	EVP_MD_CTX *md;
	uint8_t n[8];
	unsigned int olen = 0;
	int i, r = WG_ERR_CRYPTO;

	if (prev == NULL || text == NULL || len == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit hash");
	if ((md = EVP_MD_CTX_new()) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "audit hash");
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, prev, AUDITCHAIN_HASH_LEN) != 1 ||
	    EVP_DigestUpdate(md, AUDITCHAIN_TAG,
	    sizeof(AUDITCHAIN_TAG) - 1) != 1)
		goto out;
	/* Two's-complement bits, as the store keeps them. */
	auditchain_be64((uint64_t)id, n);
	if (EVP_DigestUpdate(md, n, sizeof(n)) != 1)
		goto out;
	auditchain_be64((uint64_t)at, n);
	if (EVP_DigestUpdate(md, n, sizeof(n)) != 1)
		goto out;
	for (i = 0; i < AUDITCHAIN_NFIELDS; i++)
		if (auditchain_field(md, text[i], len[i],
		    text[i] != NULL) != 0)
			goto out;
	if (EVP_DigestFinal_ex(md, out, &olen) != 1 ||
	    olen != AUDITCHAIN_HASH_LEN)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(md);
	if (r != 0) {
		ERR_clear_error();
		return wg_diag_set(d, r, "audit hash");
	}
	return 0;
}
