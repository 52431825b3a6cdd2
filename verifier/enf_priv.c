/* enf_priv.c: capabilities (libcap), no_new_privs, safe paths. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <sys/capability.h>

#include "enf_priv.h"

int
enf_priv_secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

static int
has(cap_t c, cap_value_t v, cap_flag_t set)
{
	cap_flag_value_t f = CAP_CLEAR;

	return cap_get_flag(c, v, set, &f) == 0 && f == CAP_SET;
}

int
enf_priv_drop(int net_admin, int *kept, struct wg_diag *d)
{
	cap_t cur = NULL, tmp = NULL, want = NULL;
	const cap_value_t admin = CAP_NET_ADMIN, setpcap = CAP_SETPCAP;
	cap_value_t v, nbits;
	int r = WG_ERR_IO, keep;

	if ((cur = cap_get_proc()) == NULL || (want = cap_init()) == NULL) {
		r = wg_diag_set(d, WG_ERR_IO, "capabilities: %s",
		    strerror(errno));
		goto out;
	}
	keep = net_admin && has(cur, CAP_NET_ADMIN, CAP_PERMITTED);
	/* The bounding set needs CAP_SETPCAP in effect to shrink. Without
	 * it (file capabilities, unprivileged user) no_new_privs below
	 * keeps anything it runs from gaining more than it has. */
	if (has(cur, CAP_SETPCAP, CAP_PERMITTED)) {
		if ((tmp = cap_dup(cur)) == NULL ||
		    cap_set_flag(tmp, CAP_EFFECTIVE, 1, &setpcap,
		    CAP_SET) != 0 || cap_set_proc(tmp) != 0) {
			r = wg_diag_set(d, WG_ERR_IO,
			    "capabilities: raise CAP_SETPCAP: %s",
			    strerror(errno));
			goto out;
		}
		nbits = cap_max_bits();
		for (v = 0; v < nbits; v++) {
			if (v == CAP_NET_ADMIN && keep)
				continue;
			if (cap_get_bound(v) == 1 && cap_drop_bound(v) != 0) {
				r = wg_diag_set(d, WG_ERR_IO,
				    "capabilities: drop %d from the bounding "
				    "set: %s", (int)v, strerror(errno));
				goto out;
			}
		}
	}
	/* Ambient capabilities: EINVAL where the kernel has none. */
	if (cap_reset_ambient() != 0 && errno != EINVAL) {
		r = wg_diag_set(d, WG_ERR_IO, "capabilities: ambient: %s",
		    strerror(errno));
		goto out;
	}
	if (keep && (cap_set_flag(want, CAP_PERMITTED, 1, &admin,
	    CAP_SET) != 0 || cap_set_flag(want, CAP_EFFECTIVE, 1, &admin,
	    CAP_SET) != 0)) {
		r = wg_diag_set(d, WG_ERR_IO, "capabilities: %s",
		    strerror(errno));
		goto out;
	}
	if (cap_set_proc(want) != 0) {
		r = wg_diag_set(d, WG_ERR_IO, "capabilities: set: %s",
		    strerror(errno));
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		r = wg_diag_set(d, WG_ERR_IO, "no_new_privs: %s",
		    strerror(errno));
		goto out;
	}
	/* Check what the kernel now says, rather than trust the calls. */
	cap_free(cur);
	if ((cur = cap_get_proc()) == NULL ||
	    cap_compare(cur, want) != 0) {
		r = wg_diag_set(d, WG_ERR_IO,
		    "capabilities: not as set after cap_set_proc");
		goto out;
	}
	*kept = keep;
	r = 0;
out:
	cap_free(cur);
	cap_free(tmp);
	cap_free(want);
	return r;
}

/* Owner root and no write for group and others (sticky allowed too). */
static int
safe_stat(const char *path, int want_file, int allow_sticky,
    struct wg_diag *d)
{
	struct stat st;
	const char *what = want_file ? "file" : "directory";

	if (stat(path, &st) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "%.160s: %s", path,
		    strerror(errno));
	if (want_file ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode))
		return wg_diag_set(d, WG_ERR_CONFIG, "%.160s: not a %s",
		    path, what);
	if (st.st_uid != 0 || ((st.st_mode & 022) != 0 &&
	    !(allow_sticky && (st.st_mode & S_ISVTX) != 0)))
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "%.160s: %s owned by uid %u with mode %04o: it must be "
		    "owned by root and not writable by group or others",
		    path, what, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

int
enf_priv_path_check(const char *path, char *real, struct wg_diag *d)
{
	char buf[PATH_MAX], *slash;
	int r, first = 1;

	if (realpath(path, buf) == NULL)
		return wg_diag_set(d, WG_ERR_CONFIG, "%.160s: %s", path,
		    strerror(errno));
	if ((r = safe_stat(buf, 1, 0, d)) != 0)
		return r;
	memcpy(real, buf, strlen(buf) + 1);
	/* Every directory up to the root. */
	while ((slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf)
			slash[1] = '\0';	/* "/" */
		else
			*slash = '\0';
		if ((r = safe_stat(buf, 0, !first, d)) != 0)
			return r;
		first = 0;
		if (strcmp(buf, "/") == 0)
			break;
	}
	return 0;
}

void
enf_priv_describe(char *out, size_t len)
{
	cap_t c = cap_get_proc();
	char *text = c != NULL ? cap_to_text(c, NULL) : NULL;

	snprintf(out, len, "%s", text != NULL ? text : "unknown");
	cap_free(text);
	cap_free(c);
}
