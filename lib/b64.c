/* b64.c: strict base64 and base64url (b64.h). */
#include "config.h"

#include <stdlib.h>

#include "b64.h"
#include "wg_err.h"

static const char b64_chars[2][65] = {
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
};

char *
b64_encode(const uint8_t *p, size_t len, enum b64_alpha a)
{
	const char *al = b64_chars[a == B64_URL];
	size_t i, o = 0;
	uint32_t w;
	char *out;

	if (len > (SIZE_MAX - 8) / 4 * 3 ||
	    (out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = al[w >> 18 & 63];
		out[o++] = al[w >> 12 & 63];
		out[o++] = al[w >> 6 & 63];
		out[o++] = al[w & 63];
	}
	if (len - i > 0) {
		w = (uint32_t)p[i] << 16;
		if (len - i == 2)
			w |= (uint32_t)p[i + 1] << 8;
		out[o++] = al[w >> 18 & 63];
		out[o++] = al[w >> 12 & 63];
		if (len - i == 2)
			out[o++] = al[w >> 6 & 63];
		if (a == B64_STD) {
			if (len - i == 1)
				out[o++] = '=';
			out[o++] = '=';
		}
	}
	out[o] = '\0';
	return out;
}

static int
b64_val(char c, enum b64_alpha a)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (a == B64_URL ? '-' : '+'))
		return 62;
	if (c == (a == B64_URL ? '_' : '/'))
		return 63;
	return -1;
}

int
b64_decode(const char *s, size_t n, enum b64_alpha a, uint8_t **out,
    size_t *outlen)
{
	size_t i, o = 0, body = n;
	uint32_t w = 0;
	int bits = 0, x;
	uint8_t *p;

	if (s == NULL || out == NULL || outlen == NULL)
		return WG_ERR_FORMAT;
	if (a == B64_STD) {
		if (n % 4 != 0)
			return WG_ERR_FORMAT;
		while (n - body < 2 && body > 0 && s[body - 1] == '=')
			body--;
	}
	/* One character alone carries 6 bits: no byte. */
	if (body % 4 == 1)
		return WG_ERR_FORMAT;
	if ((p = malloc(body / 4 * 3 + 3)) == NULL)
		return WG_ERR_ALLOC;
	for (i = 0; i < body; i++) {
		if ((x = b64_val(s[i], a)) < 0)
			goto bad;
		w = w << 6 | (uint32_t)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[o++] = (uint8_t)(w >> bits);
			w &= (1u << bits) - 1;
		}
	}
	/* Padding must be exactly what the length asks for (checked by
	 * n % 4 above), and the leftover bits zero. */
	if (w != 0)
		goto bad;
	p[o] = '\0';
	*out = p;
	*outlen = o;
	return 0;
bad:
	free(p);
	return WG_ERR_FORMAT;
}
