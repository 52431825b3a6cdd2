/*
 * auditchain.h: the hash of one audit row (lib/store.h explains the
 * chain). Pure: the store computes it when it appends a row, and the
 * offline evidence verifier (lib/evidence.h) recomputes it from an
 * exported row, so both must use this one function.
 */
#ifndef WG_AUDITCHAIN_H
#define WG_AUDITCHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

#define AUDITCHAIN_HASH_LEN 32
#define AUDITCHAIN_TAG "wardgate-audit-v1"
#define AUDITCHAIN_NFIELDS 6	/* actor, device_id, action, before, after, detail */

/*
 * out = SHA-256(prev || "wardgate-audit-v1" || be64(id) || be64(at) ||
 * F(text[0]) || ... || F(text[5])), F(NULL) = 0x00, F(s) = 0x01 ||
 * be64(len) || s. text[i] == NULL is an absent field (SQL NULL); len[i]
 * is its length (it may hold NUL bytes). 0 or WG_ERR_CRYPTO.
 */
int auditchain_hash(const uint8_t prev[AUDITCHAIN_HASH_LEN], int64_t id,
    int64_t at, const char *const text[AUDITCHAIN_NFIELDS],
    const size_t len[AUDITCHAIN_NFIELDS], uint8_t out[AUDITCHAIN_HASH_LEN],
    struct wg_diag *d);

#endif
