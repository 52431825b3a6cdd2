/*
 * nonce.h: the gateway's outstanding challenges. A nonce is random, good
 * once, for one device, until it expires; a device holds at most
 * NONCE_PER_DEVICE unused ones (the oldest goes). The table is bounded
 * (the least recently issued device's nonces go first when full).
 * Time is passed in, so tests need no clock. Not thread-safe.
 */
#ifndef WG_NONCE_H
#define WG_NONCE_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

#define NONCE_LEN 32
#define NONCE_PER_DEVICE 4
#define NONCE_DEVICE_ID_LEN 65

struct nonce_table;

/* A table for at most max_devices devices; NULL on allocation failure. */
struct nonce_table *nonce_table_new(size_t max_devices);
void nonce_table_free(struct nonce_table *t);

/*
 * Issues a fresh random nonce (OpenSSL RAND_bytes) for device_id, valid
 * until now + lifetime. WG_ERR_CRYPTO if the RNG fails.
 */
int nonce_issue(struct nonce_table *t, const char *device_id, int64_t now,
    int64_t lifetime, uint8_t out[NONCE_LEN]);

/*
 * Consumes nonce for device_id: 0 if it was issued to this device and has
 * not expired; WG_ERR_NONCE_UNKNOWN otherwise (unknown, used, expired, or
 * another device's). A matching nonce is removed whatever the outcome.
 */
int nonce_consume(struct nonce_table *t, const char *device_id,
    const uint8_t nonce[NONCE_LEN], int64_t now);

/* Nonces held (for tests and metrics). */
size_t nonce_count(const struct nonce_table *t);

#endif
