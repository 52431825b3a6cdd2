/*
 * testutil.h: small helpers for tests and benchmarks (never used by the
 * programs themselves).
 */
#ifndef WG_TESTUTIL_H
#define WG_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Path of a file under the repository's tests/data (from $WG_TESTDATA, set
 * by make check; falls back to "tests/data"). Returns buf.
 */
const char *tu_data_path(const char *rel, char *buf, size_t buflen);

/* Reads a whole file (at most max bytes) into a new buffer; caller frees. */
int tu_read_file(const char *path, size_t max, uint8_t **out, size_t *outlen);

/* Decodes a hex string (even length) into out; returns bytes or -1. */
long tu_unhex(const char *hex, uint8_t *out, size_t outlen);

#endif
