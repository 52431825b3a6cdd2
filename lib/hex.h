/* hex.h: lowercase hexadecimal encoding and strict decoding. */
#ifndef WG_HEX_H
#define WG_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes 2*len lowercase hex digits and a NUL to out (outlen must be at
 * least 2*len+1). Returns out, or NULL if out is too small.
 */
char *hex_encode(const uint8_t *p, size_t len, char *out, size_t outlen);

/*
 * Decodes hex text (even length, digits only, either case) into out of
 * capacity cap. *outlen gets the byte count. WG_ERR_FORMAT on bad text,
 * WG_ERR_TOO_LARGE if it does not fit.
 */
int hex_decode(const char *text, uint8_t *out, size_t cap, size_t *outlen);

/* 1 if the n characters at s are all lowercase hex digits, else 0. */
int hex_is_lower(const char *s, size_t n);

#endif
