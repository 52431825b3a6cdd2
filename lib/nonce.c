/*
 * nonce.c: outstanding challenges, per device, single use, expiring.
 *
 * A small open table: devices in an array searched through a hash index
 * (device ids are hex SHA-256, so their first bytes spread well), each
 * with NONCE_PER_DEVICE slots.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "nonce.h"

struct nonce_slot {
	uint8_t nonce[NONCE_LEN];
	int64_t expires;
	int used;		/* slot holds a live nonce */
	uint64_t seq;		/* issue order, to find the oldest */
};

struct nonce_dev {
	char id[NONCE_DEVICE_ID_LEN];
	int live;
	uint64_t last_issue;
	struct nonce_slot slot[NONCE_PER_DEVICE];
};

struct nonce_table {
	size_t max, nbuckets;
	struct nonce_dev *devs;		/* max entries */
	size_t *index;			/* nbuckets: dev index + 1, 0 empty */
	uint64_t seq;
	size_t count;
};

static size_t
nonce_hash(const char *id)
{
	size_t h = 5381;

	while (*id != '\0')
		h = h * 33 + (unsigned char)*id++;
	return h;
}

struct nonce_table *
nonce_table_new(size_t max_devices)
{
	struct nonce_table *t;

	if (max_devices == 0 || max_devices > (1u << 24))
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->max = max_devices;
	t->nbuckets = max_devices * 2;
	t->devs = calloc(t->max, sizeof(*t->devs));
	t->index = calloc(t->nbuckets, sizeof(*t->index));
	if (t->devs == NULL || t->index == NULL) {
		nonce_table_free(t);
		return NULL;
	}
	return t;
}

void
nonce_table_free(struct nonce_table *t)
{
	if (t == NULL)
		return;
	if (t->devs != NULL)
		OPENSSL_cleanse(t->devs, t->max * sizeof(*t->devs));
	free(t->devs);
	free(t->index);
	free(t);
}

/* Bucket of id (linear probing); *found says whether it holds id. */
static size_t
nonce_find(const struct nonce_table *t, const char *id, int *found)
{
	size_t b = nonce_hash(id) % t->nbuckets, n;

	for (n = 0; n < t->nbuckets; n++, b = (b + 1) % t->nbuckets) {
		size_t i = t->index[b];

		if (i == 0) {
			*found = 0;
			return b;
		}
		if (strcmp(t->devs[i - 1].id, id) == 0) {
			*found = 1;
			return b;
		}
	}
	*found = 0;
	return t->nbuckets;	/* cannot happen: the index is half empty */
}

/* Rebuilds the index after a removal (keeps probing chains intact). */
static void
nonce_reindex(struct nonce_table *t)
{
	size_t i;
	int found;

	memset(t->index, 0, t->nbuckets * sizeof(*t->index));
	for (i = 0; i < t->max; i++) {
		size_t b;

		if (!t->devs[i].live)
			continue;
		b = nonce_find(t, t->devs[i].id, &found);
		t->index[b] = i + 1;
	}
}

/* A free device entry, evicting the least recently issued one if full. */
static struct nonce_dev *
nonce_new_dev(struct nonce_table *t, const char *id)
{
	struct nonce_dev *victim = NULL;
	size_t i, b;
	int found, evicted = 0;

	for (i = 0; i < t->max; i++) {
		if (!t->devs[i].live) {
			victim = &t->devs[i];
			break;
		}
		if (victim == NULL || t->devs[i].last_issue < victim->last_issue)
			victim = &t->devs[i];
	}
	if (victim == NULL)
		return NULL;
	if (victim->live) {
		for (i = 0; i < NONCE_PER_DEVICE; i++)
			if (victim->slot[i].used)
				t->count--;
		evicted = 1;
	}
	OPENSSL_cleanse(victim, sizeof(*victim));
	memcpy(victim->id, id, strlen(id) + 1);
	victim->live = 1;
	if (evicted)
		nonce_reindex(t);
	else {
		b = nonce_find(t, id, &found);
		t->index[b] = (size_t)(victim - t->devs) + 1;
	}
	return victim;
}

int
nonce_issue(struct nonce_table *t, const char *device_id, int64_t now,
    int64_t lifetime, uint8_t out[NONCE_LEN])
{
	struct nonce_dev *dev;
	struct nonce_slot *s = NULL;
	size_t b;
	int found, i;

	if (t == NULL || device_id == NULL ||
	    strlen(device_id) >= NONCE_DEVICE_ID_LEN || lifetime <= 0)
		return WG_ERR_INVALID_ARG;
	b = nonce_find(t, device_id, &found);
	dev = found ? &t->devs[t->index[b] - 1] : nonce_new_dev(t, device_id);
	if (dev == NULL)
		return WG_ERR_INTERNAL;
	/* A free or expired slot, else the oldest. */
	for (i = 0; i < NONCE_PER_DEVICE; i++) {
		struct nonce_slot *c = &dev->slot[i];

		if (!c->used || c->expires <= now) {
			s = c;
			break;
		}
		if (s == NULL || c->seq < s->seq)
			s = c;
	}
	if (RAND_bytes(s->nonce, NONCE_LEN) != 1) {
		OPENSSL_cleanse(s, sizeof(*s));
		return WG_ERR_CRYPTO;
	}
	if (!s->used)
		t->count++;
	s->used = 1;
	s->expires = now + lifetime;
	s->seq = ++t->seq;
	dev->last_issue = s->seq;
	memcpy(out, s->nonce, NONCE_LEN);
	return 0;
}

int
nonce_consume(struct nonce_table *t, const char *device_id,
    const uint8_t nonce[NONCE_LEN], int64_t now)
{
	struct nonce_dev *dev;
	size_t b;
	int found, i, r = WG_ERR_NONCE_UNKNOWN;

	if (t == NULL || device_id == NULL || nonce == NULL)
		return WG_ERR_NONCE_UNKNOWN;
	b = nonce_find(t, device_id, &found);
	if (!found)
		return WG_ERR_NONCE_UNKNOWN;
	dev = &t->devs[t->index[b] - 1];
	for (i = 0; i < NONCE_PER_DEVICE; i++) {
		struct nonce_slot *s = &dev->slot[i];

		if (!s->used || CRYPTO_memcmp(s->nonce, nonce, NONCE_LEN) != 0)
			continue;
		r = s->expires > now ? 0 : WG_ERR_NONCE_UNKNOWN;
		OPENSSL_cleanse(s, sizeof(*s));
		t->count--;
		break;
	}
	return r;
}

size_t
nonce_count(const struct nonce_table *t)
{
	return t != NULL ? t->count : 0;
}
