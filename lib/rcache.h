/*
 * rcache.h: replay cache. Remembers the replayed PCR values of event logs,
 * keyed by the SHA-256 of the log's exact bytes, so that a device that
 * re-attests the same boot is not replayed again. Bounded: the least
 * recently used entry goes when the cache is full. Not thread-safe.
 */
#ifndef WG_RCACHE_H
#define WG_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pcr.h"

#define RCACHE_KEY_LEN 32	/* SHA-256 */

struct rcache;

/* A cache of at most max_entries (>= 1) replays; NULL on allocation failure. */
struct rcache *rcache_new(size_t max_entries);

/* Frees c; NULL is accepted. */
void rcache_free(struct rcache *c);

/*
 * Looks up key. On a hit *out borrows the entry (valid until the next
 * rcache_put or rcache_free) and it becomes the most recently used.
 * WG_ERR_NOT_FOUND on a miss.
 */
int rcache_get(struct rcache *c, const uint8_t key[RCACHE_KEY_LEN],
    const struct pcr_set **out);

/* Stores a copy of val under key (replacing any older value). */
int rcache_put(struct rcache *c, const uint8_t key[RCACHE_KEY_LEN],
    const struct pcr_set *val);

/* Number of entries held. */
size_t rcache_count(const struct rcache *c);

#endif
