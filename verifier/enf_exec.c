/* enf_exec.c: the exec backend: an administrator's program per change. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "enf_exec.h"

struct enf_exec {
	const struct enf_exec_conf *c;	/* borrowed */
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, between fork and execve: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(const char *program, char *const argv[], char *const envp[])
{
	sigset_t none;
	int fd;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) != 0 ||
	    dup2(2, 1) != 1)
		_exit(126);
	/* Nothing else: not the socket to wardgated above all. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
		for (fd = 3; fd < 65536; fd++)
			(void)close(fd);
	execve(program, argv, envp);
	_exit(127);
}

/* Waits for pid until deadline (CLOCK_MONOTONIC ms); 1: reaped, 0: not. */
static int
wait_until(pid_t pid, long deadline, int *status)
{
	struct pollfd pfd;
	long left;
	pid_t w;
	int pidfd = -1;

#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	for (;;) {
		w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			*status = -1;	/* gone: not ours any more */
			break;
		}
		if ((left = deadline - now_ms()) <= 0) {
			if (pidfd >= 0)
				close(pidfd);
			return 0;
		}
		if (pidfd >= 0) {
			pfd.fd = pidfd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, (int)left);
		} else {
			struct timespec ts = { 0, 2 * 1000 * 1000 };

			(void)nanosleep(&ts, NULL);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return 1;
}

int
enf_exec_run(const char *program, const char *const args[],
    unsigned timeout_ms, struct wg_diag *d)
{
	char *argv[ENF_EXEC_ARGS_MAX + 2], *envp[2];
	long deadline;
	pid_t pid;
	size_t i;
	int status = 0;

	argv[0] = (char *)program;
	for (i = 0; i < ENF_EXEC_ARGS_MAX && args[i] != NULL; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	envp[0] = (char *)ENF_EXEC_PATH;
	envp[1] = NULL;
	fflush(stderr);
	if ((pid = fork()) < 0)
		return wg_diag_set(d, WG_ERR_IO, "fork: %s", strerror(errno));
	if (pid == 0)
		child(program, argv, envp);
	(void)setpgid(pid, pid);	/* either of us may win the race */
	deadline = now_ms() + (long)timeout_ms;
	if (!wait_until(pid, deadline, &status)) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return wg_diag_set(d, WG_ERR_IO, "%s: timed out after %u ms, "
		    "killed", args[0], timeout_ms);
	}
	if (status == -1)
		return wg_diag_set(d, WG_ERR_IO, "%s: lost the child",
		    args[0]);
	if (WIFSIGNALED(status))
		return wg_diag_set(d, WG_ERR_IO, "%s: killed by signal %d",
		    args[0], WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return wg_diag_set(d, WG_ERR_IO, "%s: exit status %d%s",
		    args[0], WEXITSTATUS(status),
		    WEXITSTATUS(status) == 127 ? " (could not execute?)" : "");
	return 0;
}

/* ---- configuration ---- */

static void *
x_conf_new(void)
{
	struct enf_exec_conf *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->timeout_ms = 5000;
	return c;
}

static void
x_conf_free(void *c)
{
	free(c);
}

/* An absolute path of printable characters, no "." or ".." parts. */
static int
program_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (s[0] != '/' || n < 2 || n >= PATH_MAX || s[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	if (strstr(s, "/./") != NULL || strstr(s, "/../") != NULL ||
	    strstr(s, "//") != NULL)
		return 0;
	if (strcmp(s + n - 2, "/.") == 0 ||
	    (n >= 3 && strcmp(s + n - 3, "/..") == 0))
		return 0;
	return 1;
}

static int
x_conf_set(void *cv, const char *key, const char *val, struct wg_diag *d)
{
	struct enf_exec_conf *c = cv;
	unsigned long v;
	char *end;

	if (strcmp(key, "exec_program") == 0) {
		if (c->seen_program++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "exec_program given twice");
		if (!program_valid(val))
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "exec_program: an absolute path, no blanks, no "
			    "\".\" or \"..\" parts");
		strcpy(c->program, val);
		return 0;
	}
	if (strcmp(key, "exec_timeout_ms") == 0) {
		if (c->seen_timeout++)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "exec_timeout_ms given twice");
		errno = 0;
		v = strtoul(val, &end, 10);
		if (val[0] < '1' || val[0] > '9' || *end != '\0' ||
		    errno != 0 || v < ENF_EXEC_TIMEOUT_MIN ||
		    v > ENF_EXEC_TIMEOUT_MAX)
			return wg_diag_set(d, WG_ERR_CONFIG,
			    "exec_timeout_ms: a whole number from %d to %d",
			    ENF_EXEC_TIMEOUT_MIN, ENF_EXEC_TIMEOUT_MAX);
		c->timeout_ms = (unsigned)v;
		return 0;
	}
	return WG_ERR_NOT_FOUND;
}

static int
x_seg_set(void *cv, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_exec_conf *c = cv;

	if (i != c->nseg)
		return wg_diag_set(d, WG_ERR_CONFIG, "segment: bad argument");
	if (strcmp(val, "none") != 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "segment %s: the exec backend takes \"none\" (the "
		    "program decides what a segment reaches)", name);
	c->nseg++;
	return 0;
}

/* A flow's value: targets as for the nft backend, at least one. */
static int
x_flow_set(void *cv, size_t i, const char *name, const char *val,
    struct wg_diag *d)
{
	struct enf_exec_conf *c = cv;

	if (i != c->nflow || i >= ENF_FLOWS_MAX)
		return wg_diag_set(d, WG_ERR_CONFIG, "flow: bad argument");
	if (enf_nft_targets_parse(name, val, c->flow_target[i],
	    &c->flow_ntargets[i], d) != 0)
		return WG_ERR_CONFIG;
	if (c->flow_ntargets[i] == 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "flow %s: a flow must reach something", name);
	c->nflow++;
	return 0;
}

static int
x_conf_check(void *cv, const struct enf_segs *s, struct wg_diag *d)
{
	struct enf_exec_conf *c = cv;

	if (!c->seen_program)
		return wg_diag_set(d, WG_ERR_CONFIG, "exec_program missing");
	if (s->n == 0 || s->n != c->nseg)
		return wg_diag_set(d, WG_ERR_CONFIG, "no segment defined");
	if (s->nflows != c->nflow)
		return wg_diag_set(d, WG_ERR_CONFIG, "flows: internal error");
	c->segs = s;
	return 0;
}

static void
x_conf_print(const void *cv, FILE *f)
{
	const struct enf_exec_conf *c = cv;

	fprintf(f, "exec_program = %s\nexec_timeout_ms = %u\n", c->program,
	    c->timeout_ms);
}

static void
x_seg_print(const void *c, size_t i, FILE *f)
{
	(void)c;
	(void)i;
	fputs("none", f);
}

static void
x_flow_print(const void *cv, size_t i, FILE *f)
{
	const struct enf_exec_conf *c = cv;

	if (i < c->nflow)
		enf_nft_targets_print(c->flow_target[i], c->flow_ntargets[i],
		    f);
}

/* ---- changes ---- */

static int
x_run4(struct enf_exec *x, const char *a, const char *b, const char *c,
    const char *e, struct wg_diag *d)
{
	const char *args[ENF_EXEC_ARGS_MAX + 1] = { a, b, c, e, NULL };

	return enf_exec_run(x->c->program, args, x->c->timeout_ms, d);
}

static int
x_run(struct enf_exec *x, const char *a, const char *b, const char *c,
    struct wg_diag *d)
{
	return x_run4(x, a, b, c, NULL, d);
}

static int
x_open(const void *cv, void **h, struct wg_diag *d)
{
	const struct enf_exec_conf *c = cv;
	struct enf_exec *x;
	struct stat st;
	int r;

	/* The program runs for a privileged component: only its owner
	 * (root or the enforcer's user) may have written it. */
	if (stat(c->program, &st) != 0)
		return wg_diag_set(d, WG_ERR_IO, "exec_program %.160s: %s",
		    c->program, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(c->program, X_OK) != 0)
		return wg_diag_set(d, WG_ERR_IO,
		    "exec_program %.160s: not an executable file", c->program);
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0)
		return wg_diag_set(d, WG_ERR_IO, "exec_program %.160s: owned "
		    "by uid %u with mode %04o: it must be owned by root or "
		    "uid %u and not writable by group or others", c->program,
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (unsigned)geteuid());
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "exec handle");
	x->c = c;
	if ((r = x_run(x, "start", NULL, NULL, d)) != 0) {
		free(x);
		return r;
	}
	enf_log("exec: %s start: done; every device in %s", c->program,
	    c->segs->name[c->segs->def]);
	*h = x;
	return 0;
}

static int
x_put(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t seg,
    struct wg_diag *d)
{
	struct enf_exec *x = h;
	char m[ENFMSG_MAC_TEXT];
	const char *name;

	if (seg >= x->c->segs->n || !enfmsg_mac_valid(mac))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "put: bad argument");
	name = x->c->segs->name[seg];
	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "put: bad segment");
	return x_run(x, "put", enfmsg_mac_format(mac, m), name, d);
}

static int
x_flush(void *h, struct wg_diag *d)
{
	return x_run(h, "flush", NULL, NULL, d);
}

static int
x_demote(void *h, struct wg_diag *d)
{
	return x_run(h, "demote", NULL, NULL, d);
}

static int
x_flow_open(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    uint32_t seconds, struct wg_diag *d)
{
	struct enf_exec *x = h;
	char m[ENFMSG_MAC_TEXT], secs[16];
	const char *name;

	if (flow >= x->c->segs->nflows || !enfmsg_mac_valid(mac) ||
	    seconds == 0 || seconds > ENFMSG_OPEN_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "open: bad argument");
	name = x->c->segs->flow[flow];
	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "open: bad flow");
	snprintf(secs, sizeof(secs), "%u", seconds);
	return x_run4(x, "open", enfmsg_mac_format(mac, m), name, secs, d);
}

static int
x_flow_close(void *h, const uint8_t mac[ENFMSG_MAC_LEN], size_t flow,
    struct wg_diag *d)
{
	struct enf_exec *x = h;
	char m[ENFMSG_MAC_TEXT];
	const char *name;

	if (flow >= x->c->segs->nflows || !enfmsg_mac_valid(mac))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "close: bad argument");
	name = x->c->segs->flow[flow];
	if (!enfmsg_segment_valid(name))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "close: bad flow");
	return x_run(x, "close", enfmsg_mac_format(mac, m), name, d);
}

static void
x_free(void *h)
{
	free(h);
}

const struct enf_backend enf_exec_backend = {
	.name = "exec",
	.net_admin = 0,
	.conf_new = x_conf_new,
	.conf_free = x_conf_free,
	.conf_set = x_conf_set,
	.seg_set = x_seg_set,
	.flow_set = x_flow_set,
	.conf_check = x_conf_check,
	.conf_print = x_conf_print,
	.seg_print = x_seg_print,
	.flow_print = x_flow_print,
	.rules = NULL,
	.open = x_open,
	.put = x_put,
	.flush = x_flush,
	.demote = x_demote,
	.flow_open = x_flow_open,
	.flow_close = x_flow_close,
	.free = x_free,
};
