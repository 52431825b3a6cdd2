/* file.c: bounded whole-file reads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

int
file_read(const char *path, size_t max, uint8_t **out, size_t *outlen,
    struct wg_diag *d)
{
	uint8_t *p = NULL, *np;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd = -1, r;

	if (path == NULL || max > SIZE_MAX - 2)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "bad file arguments");
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		r = wg_diag_set(d, WG_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap == 0 ? 65536 : cap * 2;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= cap) {
				r = wg_diag_set(d, WG_ERR_TOO_LARGE,
				    "%s: larger than %zu bytes", path, max);
				goto out;
			}
			if ((np = realloc(p, ncap)) == NULL) {
				r = wg_diag_set(d, WG_ERR_ALLOC, "%s", path);
				goto out;
			}
			p = np;
			cap = ncap;
		}
		n = read(fd, p + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = wg_diag_set(d, WG_ERR_IO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = wg_diag_set(d, WG_ERR_TOO_LARGE,
			    "%s: larger than %zu bytes", path, max);
			goto out;
		}
	}
	if (len == cap) {
		if ((np = realloc(p, cap + 1)) == NULL) {
			r = wg_diag_set(d, WG_ERR_ALLOC, "%s", path);
			goto out;
		}
		p = np;
	}
	p[len] = '\0';
	*out = p;
	*outlen = len;
	p = NULL;
	r = 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	free(p);
	return r;
}
