/*
 * log.h: the agent's log lines on standard error.
 *
 * Every line names the program and the function it comes from; the
 * *_diag variants add the reason code (wg_errname), its sentence and the
 * diag's detail: "wardgate-agent: error: agent_round: quote failed:
 * IO: input/output error: Esys_Quote: tcti:IO failure".
 * Debug lines appear with -v only. Each macro is one statement.
 */
#ifndef WG_AGENT_LOG_H
#define WG_AGENT_LOG_H

#include "wg_err.h"

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Messages above level are dropped (default LOG_LVL_INFO). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/*
 * Writes one line: the level, func, the formatted text and, when d is
 * non-NULL and d->err is set, ": REASON: sentence[: detail]".
 */
void log_emit(enum log_level level, const char *func,
    const struct wg_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(...) \
	do { log_emit(LOG_LVL_ERROR, __func__, NULL, __VA_ARGS__); } while (0)
#define log_warn(...) \
	do { log_emit(LOG_LVL_WARN, __func__, NULL, __VA_ARGS__); } while (0)
#define log_info(...) \
	do { log_emit(LOG_LVL_INFO, __func__, NULL, __VA_ARGS__); } while (0)
#define log_debug(...) \
	do { log_emit(LOG_LVL_DEBUG, __func__, NULL, __VA_ARGS__); } while (0)
#define log_error_diag(d, ...) \
	do { log_emit(LOG_LVL_ERROR, __func__, (d), __VA_ARGS__); } while (0)
#define log_warn_diag(d, ...) \
	do { log_emit(LOG_LVL_WARN, __func__, (d), __VA_ARGS__); } while (0)

#endif
