/* buf.c: bounded reader over untrusted bytes. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "wg_err.h"

void
buf_init(struct wg_buf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = p != NULL ? len : 0;
	b->off = 0;
}

size_t
buf_remaining(const struct wg_buf *b)
{
	return b->len - b->off;
}

size_t
buf_offset(const struct wg_buf *b)
{
	return b->off;
}

int
buf_get_bytes(struct wg_buf *b, size_t n, const uint8_t **p)
{
	if (n > buf_remaining(b))
		return WG_ERR_TRUNCATED;
	*p = b->p + b->off;
	b->off += n;
	return 0;
}

int
buf_get_copy(struct wg_buf *b, void *out, size_t n)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, n, &p)) != 0)
		return r;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
buf_get_u8(struct wg_buf *b, uint8_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, 1, &p)) != 0)
		return r;
	*v = p[0];
	return 0;
}

int
buf_get_u16le(struct wg_buf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, 2, &p)) != 0)
		return r;
	*v = (uint16_t)(p[0] | (p[1] << 8));
	return 0;
}

int
buf_get_u32le(struct wg_buf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, 4, &p)) != 0)
		return r;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

int
buf_get_u64le(struct wg_buf *b, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int i, r;

	if ((r = buf_get_bytes(b, 8, &p)) != 0)
		return r;
	for (i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	*v = x;
	return 0;
}

int
buf_get_u16be(struct wg_buf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, 2, &p)) != 0)
		return r;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return 0;
}

int
buf_get_u32be(struct wg_buf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, 4, &p)) != 0)
		return r;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return 0;
}

int
buf_get_sub(struct wg_buf *b, size_t n, struct wg_buf *sub)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_bytes(b, n, &p)) != 0)
		return r;
	sub->p = p;
	sub->len = n;
	sub->off = 0;
	return 0;
}

int
buf_skip(struct wg_buf *b, size_t n)
{
	const uint8_t *p;

	return buf_get_bytes(b, n, &p);
}

int
buf_expect_end(const struct wg_buf *b)
{
	return buf_remaining(b) == 0 ? 0 : WG_ERR_TRAILING;
}
