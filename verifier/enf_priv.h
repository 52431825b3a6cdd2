/*
 * enf_priv.h: what wardgate-enforcer(8) does about its own privilege.
 *
 * Two ways to run it: started by root (or by a wardgated that has
 * capabilities), it drops every capability but CAP_NET_ADMIN; or, the
 * production model, started by an unprivileged wardgated from a binary
 * with the file capability cap_net_admin=ep. Then the kernel runs it in
 * secure-execution mode (AT_SECURE): its caller is less trusted than it
 * is, so it ignores its environment and reads only a configuration file
 * that nobody but root can have written.
 */
#ifndef WG_ENF_PRIV_H
#define WG_ENF_PRIV_H

#include "wg_err.h"

/* 1 when the process runs in secure-execution mode (AT_SECURE). */
int enf_priv_secure(void);

/*
 * Leaves the process with CAP_NET_ADMIN permitted and effective (when
 * net_admin and it had it; else nothing), nothing inheritable or ambient,
 * and, when it holds CAP_SETPCAP, a bounding set of CAP_NET_ADMIN only
 * (or empty). Sets PR_SET_NO_NEW_PRIVS. *kept is 1 when CAP_NET_ADMIN is
 * effective afterwards. 0, or WG_ERR_IO with the reason in d.
 */
int enf_priv_drop(int net_admin, int *kept, struct wg_diag *d);

/*
 * For secure-execution mode: resolves path (symbolic links followed)
 * into real (size PATH_MAX) and checks that the file is a regular file
 * and it and its directory are owned by root and writable by neither
 * group nor others; further ancestors as well, except that they may be
 * world-writable when sticky (/tmp). 0, or WG_ERR_CONFIG naming the
 * offending path and its owner and mode.
 */
int enf_priv_path_check(const char *path, char *real, struct wg_diag *d);

/* Writes the process's capabilities as text ("cap_net_admin=ep") to out. */
void enf_priv_describe(char *out, size_t len);

#endif /* WG_ENF_PRIV_H */
