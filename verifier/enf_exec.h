/*
 * enf_exec.h: the exec backend of wardgate-enforcer(8), for a site's own
 * network access control product. Each change runs exec_program, with no
 * shell, as
 *
 *   PROGRAM start              at start: every device to the default
 *   PROGRAM put MAC SEGMENT    MAC as aa:bb:cc:dd:ee:ff, a segment name
 *   PROGRAM flush              every device to the default
 *   PROGRAM demote             devices in segments that reach something
 *                              back to the default; blocked ones stay;
 *                              every flow closed
 *   PROGRAM open MAC FLOW SECONDS  open the field-service flow FLOW for
 *                              MAC for SECONDS (1..604800), replacing the
 *                              time left of an open one; the program
 *                              closes it when the time is up
 *   PROGRAM close MAC FLOW     close it now (not open: no error)
 *
 * (start and flush close every flow too)
 * with the environment PATH=/usr/sbin:/usr/bin:/sbin:/bin only, standard
 * input /dev/null, standard output and error the enforcer's standard
 * error, no other file descriptor, in a process group of its own. Exit
 * status 0 within exec_timeout_ms is success; anything else (another
 * status, a signal, the timeout: then the group is killed and reaped) is
 * failure. The arguments are validated before: a MAC as formatted by
 * enfmsg_mac_format, a segment or flow name of [a-z0-9_-], SECONDS in
 * decimal without leading zeros.
 */
#ifndef WG_ENF_EXEC_H
#define WG_ENF_EXEC_H

#include <limits.h>
#include <stdio.h>

#include "enf_backend.h"
#include "enf_nft.h"

#define ENF_EXEC_TIMEOUT_MIN 100
#define ENF_EXEC_TIMEOUT_MAX 60000
#define ENF_EXEC_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct enf_exec_conf {
	char program[PATH_MAX];
	unsigned timeout_ms;		/* default 5000 */
	size_t nseg;
	/* A flow's targets: checked and printed, for the reader; what a
	 * flow opens is the program's business, it gets the name. */
	struct enf_target flow_target[ENF_FLOWS_MAX][ENF_TARGETS_MAX];
	size_t flow_ntargets[ENF_FLOWS_MAX];
	size_t nflow;
	const struct enf_segs *segs;	/* borrowed, set by conf_check */
	int seen_program, seen_timeout;
};

#define ENF_EXEC_ARGS_MAX 4

/*
 * Runs program with args (NULL-terminated, at most ENF_EXEC_ARGS_MAX) as
 * above, waits at
 * most timeout_ms. 0 when it exited 0; else WG_ERR_IO with what happened
 * in d ("exit status 3", "killed by signal 9", "timed out after 5000 ms").
 */
int enf_exec_run(const char *program, const char *const args[],
    unsigned timeout_ms, struct wg_diag *d);

extern const struct enf_backend enf_exec_backend;

#endif /* WG_ENF_EXEC_H */
