/*
 * rcache.c: bounded LRU cache of event-log replays, keyed by SHA-256.
 *
 * A chained hash table (bucket = first key bytes, which are uniformly
 * distributed because they are a SHA-256 output) plus a doubly linked
 * recency list. Keys are compared in full: a hit means the same log bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rcache.h"
#include "wg_err.h"

struct rcache_entry {
	uint8_t key[RCACHE_KEY_LEN];
	struct pcr_set val;
	struct rcache_entry *next_in_bucket;
	struct rcache_entry *newer, *older;
};

struct rcache {
	size_t max, count, nbuckets;
	struct rcache_entry **buckets;
	struct rcache_entry *newest, *oldest;
};

static size_t
rcache_bucket(const struct rcache *c, const uint8_t *key)
{
	size_t h = 0;
	unsigned i;

	for (i = 0; i < sizeof(h); i++)
		h = (h << 8) | key[i];
	return h % c->nbuckets;
}

struct rcache *
rcache_new(size_t max_entries)
{
	struct rcache *c;

	if (max_entries == 0 || max_entries > (1u << 24))
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max = max_entries;
	c->nbuckets = max_entries;
	if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
rcache_free(struct rcache *c)
{
	struct rcache_entry *e, *next;

	if (c == NULL)
		return;
	for (e = c->newest; e != NULL; e = next) {
		next = e->older;
		free(e);
	}
	free(c->buckets);
	free(c);
}

static void
rcache_unlink(struct rcache *c, struct rcache_entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
rcache_push_newest(struct rcache *c, struct rcache_entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

static struct rcache_entry *
rcache_find(const struct rcache *c, const uint8_t *key)
{
	struct rcache_entry *e;

	for (e = c->buckets[rcache_bucket(c, key)]; e != NULL;
	    e = e->next_in_bucket)
		if (memcmp(e->key, key, RCACHE_KEY_LEN) == 0)
			return e;
	return NULL;
}

static void
rcache_evict_oldest(struct rcache *c)
{
	struct rcache_entry *e = c->oldest, **pp;

	if (e == NULL)
		return;
	for (pp = &c->buckets[rcache_bucket(c, e->key)]; *pp != NULL;
	    pp = &(*pp)->next_in_bucket) {
		if (*pp == e) {
			*pp = e->next_in_bucket;
			break;
		}
	}
	rcache_unlink(c, e);
	free(e);
	c->count--;
}

int
rcache_get(struct rcache *c, const uint8_t key[RCACHE_KEY_LEN],
    const struct pcr_set **out)
{
	struct rcache_entry *e;

	if (c == NULL || (e = rcache_find(c, key)) == NULL)
		return WG_ERR_NOT_FOUND;
	rcache_unlink(c, e);
	rcache_push_newest(c, e);
	*out = &e->val;
	return 0;
}

int
rcache_put(struct rcache *c, const uint8_t key[RCACHE_KEY_LEN],
    const struct pcr_set *val)
{
	struct rcache_entry *e;
	size_t b;

	if (c == NULL)
		return WG_ERR_INVALID_ARG;
	if ((e = rcache_find(c, key)) != NULL) {
		memcpy(&e->val, val, sizeof(e->val));
		rcache_unlink(c, e);
		rcache_push_newest(c, e);
		return 0;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return WG_ERR_ALLOC;
	if (c->count >= c->max)
		rcache_evict_oldest(c);
	memcpy(e->key, key, RCACHE_KEY_LEN);
	memcpy(&e->val, val, sizeof(e->val));
	b = rcache_bucket(c, key);
	e->next_in_bucket = c->buckets[b];
	c->buckets[b] = e;
	rcache_push_newest(c, e);
	c->count++;
	return 0;
}

size_t
rcache_count(const struct rcache *c)
{
	return c != NULL ? c->count : 0;
}
