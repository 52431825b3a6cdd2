/* enf_devtab.c: devices by MAC, open addressing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "enf_devtab.h"

struct enf_devtab {
	struct enf_dev *dev;	/* dense, insertion order */
	size_t ndev, max;
	uint32_t *slot;		/* 0: empty; else index into dev + 1 */
	size_t mask;		/* slots - 1, slots a power of two */
	uint64_t seed;
};

/* splitmix64's finaliser over the MAC mixed with the secret seed. */
static size_t
hash(const struct enf_devtab *t, const uint8_t mac[ENFMSG_MAC_LEN])
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < ENFMSG_MAC_LEN; i++)
		x = x << 8 | mac[i];
	x ^= t->seed;
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x & t->mask;
}

int
enf_devtab_new(uint32_t max, struct enf_devtab **out)
{
	struct enf_devtab *t;
	size_t slots = 16;

	if (max == 0 || max > ENF_DEVTAB_MAX)
		return WG_ERR_INVALID_ARG;
	while (slots < 2 * (size_t)max)
		slots *= 2;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return WG_ERR_ALLOC;
	t->max = max;
	t->mask = slots - 1;
	if ((t->dev = calloc(max, sizeof(*t->dev))) == NULL ||
	    (t->slot = calloc(slots, sizeof(*t->slot))) == NULL) {
		enf_devtab_free(t);
		return WG_ERR_ALLOC;
	}
	if (getrandom(&t->seed, sizeof(t->seed), 0) !=
	    (ssize_t)sizeof(t->seed)) {
		enf_devtab_free(t);
		return WG_ERR_IO;
	}
	*out = t;
	return 0;
}

/* The slot that holds mac, or the empty slot where it would go. */
static size_t
probe(const struct enf_devtab *t, const uint8_t mac[ENFMSG_MAC_LEN])
{
	size_t i = hash(t, mac);

	/* Never more than half full: an empty slot always ends the probe. */
	while (t->slot[i] != 0 &&
	    memcmp(t->dev[t->slot[i] - 1].mac, mac, ENFMSG_MAC_LEN) != 0)
		i = (i + 1) & t->mask;
	return i;
}

struct enf_dev *
enf_devtab_find(struct enf_devtab *t, const uint8_t mac[ENFMSG_MAC_LEN])
{
	size_t i = probe(t, mac);

	return t->slot[i] != 0 ? &t->dev[t->slot[i] - 1] : NULL;
}

struct enf_dev *
enf_devtab_add(struct enf_devtab *t, const uint8_t mac[ENFMSG_MAC_LEN],
    uint8_t seg)
{
	struct enf_dev *e;
	size_t i;

	if (t->ndev == t->max)
		return NULL;
	i = probe(t, mac);
	if (t->slot[i] != 0)
		return NULL;	/* already there: the caller's mistake */
	e = &t->dev[t->ndev];
	memcpy(e->mac, mac, ENFMSG_MAC_LEN);
	e->seg = seg;
	t->slot[i] = (uint32_t)++t->ndev;
	return e;
}

size_t
enf_devtab_count(const struct enf_devtab *t)
{
	return t->ndev;
}

const struct enf_dev *
enf_devtab_at(const struct enf_devtab *t, size_t i)
{
	return i < t->ndev ? &t->dev[i] : NULL;
}

void
enf_devtab_clear(struct enf_devtab *t)
{
	memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
	t->ndev = 0;
}

void
enf_devtab_free(struct enf_devtab *t)
{
	if (t == NULL)
		return;
	free(t->dev);
	free(t->slot);
	free(t);
}
