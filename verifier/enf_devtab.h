/*
 * enf_devtab.h: the enforcer's table of devices it has put, keyed by MAC:
 * open addressing with linear probing over a power-of-two index at most
 * half full, with a random seed so that chosen MACs cannot be made to
 * collide. Lookup and insertion are O(1) on average; the entries sit in
 * one dense array in insertion order, for LIST.
 */
#ifndef WG_ENF_DEVTAB_H
#define WG_ENF_DEVTAB_H

#include <stddef.h>
#include <stdint.h>

#include "enfmsg.h"
#include "wg_err.h"

#define ENF_DEVTAB_MAX 1000000u

struct enf_dev {
	uint8_t mac[ENFMSG_MAC_LEN];
	uint8_t seg;		/* index into the segments */
};

struct enf_devtab;

/*
 * A table for at most max devices (1..ENF_DEVTAB_MAX). *out set on
 * success; free with enf_devtab_free. WG_ERR_INVALID_ARG, WG_ERR_ALLOC,
 * or WG_ERR_IO when no random seed could be had.
 */
int enf_devtab_new(uint32_t max, struct enf_devtab **out);

/* The entry for mac, or NULL. Borrowed: valid until the next add/clear. */
struct enf_dev *enf_devtab_find(struct enf_devtab *t,
    const uint8_t mac[ENFMSG_MAC_LEN]);

/*
 * Adds mac (not in the table) with segment seg; the new entry, or NULL
 * when the table holds max devices already.
 */
struct enf_dev *enf_devtab_add(struct enf_devtab *t,
    const uint8_t mac[ENFMSG_MAC_LEN], uint8_t seg);

/* Number of entries; entry i (0 <= i < count), in insertion order. */
size_t enf_devtab_count(const struct enf_devtab *t);
const struct enf_dev *enf_devtab_at(const struct enf_devtab *t, size_t i);

/* Forgets every entry. */
void enf_devtab_clear(struct enf_devtab *t);

/* Frees t (NULL allowed). */
void enf_devtab_free(struct enf_devtab *t);

#endif /* WG_ENF_DEVTAB_H */
