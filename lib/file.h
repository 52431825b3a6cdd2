/* file.h: bounded whole-file reads. */
#ifndef WG_FILE_H
#define WG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

/*
 * Reads all of path ("-" is standard input) into a new buffer, refusing
 * files larger than max bytes (WG_ERR_TOO_LARGE) without reading past
 * max+1. Works for files whose size stat() does not know (securityfs).
 * On success *out (caller frees; NUL-terminated one byte past *outlen for
 * the convenience of text parsers) and *outlen are set.
 */
int file_read(const char *path, size_t max, uint8_t **out, size_t *outlen,
    struct wg_diag *d);

#endif
