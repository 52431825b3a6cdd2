/* hex.c: hexadecimal encoding and decoding. */
#include "config.h"

#include <string.h>

#include "hex.h"
#include "wg_err.h"

char *
hex_encode(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (len > (SIZE_MAX - 1) / 2 || outlen < 2 * len + 1)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return out;
}

int
hex_is_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *text, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n, i;

	if (text == NULL)
		return WG_ERR_INVALID_ARG;
	n = strlen(text);
	if (n % 2 != 0)
		return WG_ERR_FORMAT;
	if (n / 2 > cap)
		return WG_ERR_TOO_LARGE;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_nibble(text[2 * i]), lo = hex_nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return WG_ERR_FORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return 0;
}
