/*
 * b64.h: base64 (RFC 4648): the standard alphabet with padding (evidence
 * bundles, policy bundles on the admin API) and base64url without padding
 * (JWS, EARs). Decoding is strict: only the alphabet, padding exactly as
 * the alphabet wants it, no whitespace, and the unused bits of the last
 * character zero, so that every byte string has one encoding.
 */
#ifndef WG_B64_H
#define WG_B64_H

#include <stddef.h>
#include <stdint.h>

enum b64_alpha {
	B64_STD,	/* A-Z a-z 0-9 + /, padded with = to a multiple of 4 */
	B64_URL,	/* A-Z a-z 0-9 - _, no padding */
};

/* New NUL-terminated encoding of p; NULL when too long or no memory. */
char *b64_encode(const uint8_t *p, size_t len, enum b64_alpha a);

/*
 * Decodes the n characters at s into a new buffer, NUL-terminated one
 * past *outlen. 0, WG_ERR_FORMAT (not a canonical encoding) or
 * WG_ERR_ALLOC.
 */
int b64_decode(const char *s, size_t n, enum b64_alpha a, uint8_t **out,
    size_t *outlen);

#endif
