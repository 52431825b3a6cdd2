/*
 * buf.h: bounded reader over untrusted bytes.
 *
 * A struct wg_buf is a cursor over a borrowed byte range. Every get checks
 * the remaining length first; on failure it returns WG_ERR_TRUNCATED and
 * leaves the cursor where it was. Integers are decoded byte by byte (no
 * struct or unaligned load is laid over the input).
 */
#ifndef WG_BUF_H
#define WG_BUF_H

#include <stddef.h>
#include <stdint.h>

struct wg_buf {
	const uint8_t *p;	/* borrowed */
	size_t len;
	size_t off;
};

/* Points b at len bytes at p (borrowed; p may be NULL when len is 0). */
void buf_init(struct wg_buf *b, const void *p, size_t len);

/* Bytes not yet read. */
size_t buf_remaining(const struct wg_buf *b);

/* Current offset from the start of the range. */
size_t buf_offset(const struct wg_buf *b);

int buf_get_u8(struct wg_buf *b, uint8_t *v);
int buf_get_u16le(struct wg_buf *b, uint16_t *v);
int buf_get_u32le(struct wg_buf *b, uint32_t *v);
int buf_get_u64le(struct wg_buf *b, uint64_t *v);
int buf_get_u16be(struct wg_buf *b, uint16_t *v);
int buf_get_u32be(struct wg_buf *b, uint32_t *v);

/* Borrows n bytes: *p points into the underlying range. */
int buf_get_bytes(struct wg_buf *b, size_t n, const uint8_t **p);

/* Copies n bytes into out. */
int buf_get_copy(struct wg_buf *b, void *out, size_t n);

/* Makes sub a reader over the next n bytes and advances b past them. */
int buf_get_sub(struct wg_buf *b, size_t n, struct wg_buf *sub);

/* Advances by n bytes. */
int buf_skip(struct wg_buf *b, size_t n);

/* 0 when every byte was read, WG_ERR_TRAILING otherwise. */
int buf_expect_end(const struct wg_buf *b);

#endif /* WG_BUF_H */
