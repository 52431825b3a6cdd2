/* statedir.c: the agent's state directory and its one state file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "file.h"
#include "hex.h"
#include "statedir.h"

#define STATEDIR_MAX_FILE (64u * 1024)
#define STATEDIR_VERSION "1"

int
statedir_prepare(const char *dir, struct wg_diag *d)
{
	struct stat st;

	if (dir == NULL || dir[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG, "no state directory");
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return wg_diag_set(d, WG_ERR_IO, "cannot create the state "
		    "directory %s: %s", dir, strerror(errno));
	if (stat(dir, &st) == -1)
		return wg_diag_set(d, WG_ERR_IO, "%s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return wg_diag_set(d, WG_ERR_CONFIG, "%s is not a directory",
		    dir);
	if (st.st_uid != geteuid())
		return wg_diag_set(d, WG_ERR_CONFIG, "state directory %s "
		    "belongs to uid %u, not to this user (uid %u)", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) == -1)
		return wg_diag_set(d, WG_ERR_IO, "chmod 0700 %s: %s", dir,
		    strerror(errno));
	return 0;
}

int
statedir_write(const char *dir, const char *name, const void *buf,
    size_t len, mode_t mode, struct wg_diag *d)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	const uint8_t *p = buf;
	size_t done = 0;
	ssize_t n;
	int fd = -1, dfd = -1, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    sizeof(tmp) || (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir,
	    name) >= sizeof(dst))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "path too long: "
		    "%s/%s", dir, name);
	if ((fd = mkstemp(tmp)) == -1)
		return wg_diag_set(d, WG_ERR_IO, "cannot create a file in "
		    "%s: %s", dir, strerror(errno));
	if (fchmod(fd, mode) == -1) {
		r = wg_diag_set(d, WG_ERR_IO, "fchmod %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = wg_diag_set(d, WG_ERR_IO, "write %s: %s", tmp,
			    strerror(errno));
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) == -1) {
		r = wg_diag_set(d, WG_ERR_IO, "fsync %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		r = wg_diag_set(d, WG_ERR_IO, "close %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1) {
		r = wg_diag_set(d, WG_ERR_IO, "rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		goto fail;
	}
	/* The rename itself must reach the disk. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		r = wg_diag_set(d, WG_ERR_IO, "fsync %s: %s", dir,
		    strerror(errno));
		if (dfd != -1)
			close(dfd);
		return r;
	}
	close(dfd);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return r;
}

/* Decodes hex text into a new buffer; caller frees. */
static int
unhex_alloc(const char *text, uint8_t **out, size_t *outlen)
{
	size_t cap = strlen(text) / 2 + 1;
	uint8_t *p;
	int r;

	if ((p = malloc(cap)) == NULL)
		return WG_ERR_ALLOC;
	if ((r = hex_decode(text, p, cap, outlen)) != 0) {
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

static int
valid_device_id(const char *s)
{
	return strlen(s) == WIRE_ID_LEN - 1 && hex_is_lower(s, WIRE_ID_LEN - 1);
}

int
statedir_load(const char *dir, struct agent_state *out, struct wg_diag *d)
{
	char path[PATH_MAX];
	struct agent_state st;
	struct stat sb;
	uint8_t *text = NULL, *bin = NULL;
	size_t len, blen;
	char *line, *next, *eq, *key, *val;
	int have_ek = 0, have_pub = 0, have_priv = 0, have_version = 0;
	unsigned lineno = 0;
	int r;

	memset(&st, 0, sizeof(st));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    STATEDIR_FILE) >= sizeof(path))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "path too long: %s",
		    dir);
	if (stat(path, &sb) == -1 && errno == ENOENT) {
		*out = st;
		return 0;
	}
	if ((r = file_read(path, STATEDIR_MAX_FILE, &text, &len, d)) != 0)
		return r;
	if (memchr(text, '\0', len) != NULL) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "%s: NUL byte", path);
		goto out;
	}
	for (line = (char *)text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((eq = strstr(line, " = ")) == NULL) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "%s:%u: not \"key "
			    "= value\"", path, lineno);
			goto out;
		}
		*eq = '\0';
		key = line;
		val = eq + 3;
		free(bin);
		bin = NULL;
		if (strcmp(key, "version") == 0 && !have_version) {
			if (strcmp(val, STATEDIR_VERSION) != 0) {
				r = wg_diag_set(d, WG_ERR_FORMAT, "%s:%u: "
				    "state version %s is not %s", path, lineno,
				    val, STATEDIR_VERSION);
				goto out;
			}
			have_version = 1;
		} else if (strcmp(key, "ek") == 0 && !have_ek) {
			if (tpm_ek_kind_parse(val, &st.ak.ek) != 0)
				goto bad;
			have_ek = 1;
		} else if (strcmp(key, "ak_pub") == 0 && !have_pub) {
			if (unhex_alloc(val, &bin, &blen) != 0 ||
			    tpm_public_unmarshal(bin, blen, &st.ak.pub,
			    NULL) != 0)
				goto bad;
			have_pub = 1;
		} else if (strcmp(key, "ak_priv") == 0 && !have_priv) {
			if (unhex_alloc(val, &bin, &blen) != 0 ||
			    tpm_private_unmarshal(bin, blen, &st.ak.priv,
			    NULL) != 0)
				goto bad;
			have_priv = 1;
		} else if (strcmp(key, "device_id") == 0 &&
		    st.device_id[0] == '\0') {
			if (!valid_device_id(val))
				goto bad;
			memcpy(st.device_id, val, WIRE_ID_LEN);
		} else {
			r = wg_diag_set(d, WG_ERR_FORMAT, "%s:%u: unknown or "
			    "repeated key \"%s\"", path, lineno, key);
			goto out;
		}
		continue;
bad:
		r = wg_diag_set(d, WG_ERR_FORMAT, "%s:%u: bad value for %s",
		    path, lineno, key);
		goto out;
	}
	if (!have_version || !have_ek || !have_pub || !have_priv) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "%s: incomplete (needs "
		    "version, ek, ak_pub and ak_priv)", path);
		goto out;
	}
	st.has_ak = 1;
	*out = st;
	r = 0;
out:
	OPENSSL_cleanse(&st, sizeof(st));
	free(bin);
	free(text);
	return r;
}

int
statedir_save(const char *dir, const struct agent_state *st,
    struct wg_diag *d)
{
	uint8_t pub[sizeof(TPM2B_PUBLIC)], priv[sizeof(TPM2B_PRIVATE)];
	char *text = NULL, *hpub = NULL, *hpriv = NULL;
	size_t publen, privlen, cap;
	int n, r;

	if (!st->has_ak)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "no AK to save");
	if ((r = tpm_public_marshal(&st->ak.pub, pub, sizeof(pub), &publen,
	    d)) != 0 || (r = tpm_private_marshal(&st->ak.priv, priv,
	    sizeof(priv), &privlen, d)) != 0)
		return r;
	cap = 2 * (publen + privlen) + 512;
	if ((text = malloc(cap)) == NULL ||
	    (hpub = malloc(2 * publen + 1)) == NULL ||
	    (hpriv = malloc(2 * privlen + 1)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "state");
		goto out;
	}
	hex_encode(pub, publen, hpub, 2 * publen + 1);
	hex_encode(priv, privlen, hpriv, 2 * privlen + 1);
	n = snprintf(text, cap,
	    "# wardgate-agent state: written by the agent, do not edit.\n"
	    "# Remove this file to create a new AK and enroll again.\n"
	    "version = " STATEDIR_VERSION "\n"
	    "ek = %s\n"
	    "ak_pub = %s\n"
	    "ak_priv = %s\n"
	    "%s%s%s",
	    tpm_ek_kind_name(st->ak.ek), hpub, hpriv,
	    st->device_id[0] != '\0' ? "device_id = " : "", st->device_id,
	    st->device_id[0] != '\0' ? "\n" : "");
	if (n < 0 || (size_t)n >= cap) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "state text");
		goto out;
	}
	r = statedir_write(dir, STATEDIR_FILE, text, (size_t)n, 0600, d);
out:
	free(text);
	free(hpub);
	free(hpriv);
	return r;
}
