/* log.c: the agent's log lines on standard error. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* The one piece of process-wide state: the agent is one program. */
static enum log_level log_level = LOG_LVL_INFO;

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_emit(enum log_level level, const char *func, const struct wg_diag *d,
    const char *fmt, ...)
{
	static const char *const names[] = {
		"error", "warning", "info", "debug",
	};
	char line[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so that concurrent writers do not interleave. */
	if (d != NULL && d->err != 0)
		fprintf(stderr, "wardgate-agent: %s: %s: %s: %s: %s%s%s\n",
		    names[level], func, line, wg_errname(d->err),
		    wg_strerror(d->err), d->detail[0] != '\0' ? ": " : "",
		    d->detail);
	else
		fprintf(stderr, "wardgate-agent: %s: %s: %s\n", names[level],
		    func, line);
}
