/*
 * cli.h: what the parts of the wardgate command share (wardgate.c holds
 * main, the offline event-log and quote tools, and gateway
 * administration; cli_policy.c the policy and appraisal commands).
 */
#ifndef WG_CLI_H
#define WG_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "wg_err.h"

enum wg_exit {
	WG_EXIT_OK = 0,		/* everything checked holds */
	WG_EXIT_REFUSED = 1,	/* the evidence was checked and refused */
	WG_EXIT_ERROR = 2,	/* usage, unreadable input, internal error */
};

/* Largest evidence file read: quotes and keys are small, logs bounded. */
#define SMALL_FILE_MAX (64u * 1024)

extern const char *progname;

/* One line on stderr: "wardgate: ...". */
void errx_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr: "wardgate: REASON: sentence: detail". */
void report_diag(const struct wg_diag *d, int err);

/* Pretty JSON on stdout. */
void print_json(struct json_object *o);

/* A new JSON string of lowercase hex. */
struct json_object *json_hex(const uint8_t *p, size_t len);

/*
 * One request to wardgated's admin socket (GET, or POST with a JSON
 * body); *reply is the parsed JSON reply (caller puts). Returns an exit
 * status: WG_EXIT_OK when a reply came, whatever its HTTP status.
 */
int admin_call(const char *method, const char *path, const char *body,
    struct json_object **reply, long *status);

/* Prints a gateway error reply; returns the exit status for it. */
int admin_error(struct json_object *reply, long status);

/* One admin request; the reply printed as JSON, or the error. Exit status. */
int admin_print(const char *method, const char *path, const char *body);

/* Percent-encodes everything but unreserved characters; caller frees.
 * NULL when s is longer than 1024 bytes or no memory. */
char *url_escape(const char *s);

/* cli_adv.c */
int cmd_advisory(int argc, char **argv);

/* cli_enf.c */
int cmd_hold(int argc, char **argv);
int cmd_enforcement(int argc, char **argv);

/*
 * Parses a hold's end: "+N" with unit s, m, h or d (from now), or UTC
 * "YYYY-MM-DDTHH:MM[:SS]Z" or "YYYY-MM-DD" (its first second, UTC).
 * 0 and *out (unix seconds), or -1.
 */
int cli_parse_until(const char *s, int64_t now, int64_t *out);

/* cli_service.c */
int cmd_legacy(int argc, char **argv);
int cmd_service(int argc, char **argv);

/* cli_life.c */
int cmd_decommission(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* cli_policy.c */
struct evlog;
struct pcr_set;
/*
 * Reads, parses and replays the event log at path (caller frees *log);
 * prints the reason on failure. WG_EXIT_OK; WG_EXIT_REFUSED for a log
 * that is too large, malformed or does not replay; WG_EXIT_ERROR else.
 */
int cli_load_log(const char *path, struct evlog **log,
    struct pcr_set *replay);
int cmd_policy(int argc, char **argv);
int cmd_appraise(int argc, char **argv);

/* cli_report.c */
int cmd_report(int argc, char **argv);

/*
 * report_esc.c: text helpers of wardgate report (pure). NULL is "".
 * report_esc_html: s with & < > " ' as entities and control characters
 * (but tab and newline) as U+FFFD; caller frees; NULL when s exceeds
 * 1 MiB or no memory.
 * report_esc_csv: one RFC 4180 field: quoted when s holds , " CR or LF
 * (quotes doubled); a leading = + - @ tab or CR gets a ' before it, so
 * that a spreadsheet reads text, not a formula. Caller frees; NULL as
 * above.
 * report_trunc: at most max bytes of s into out (cap bytes), cut at a
 * UTF-8 boundary with "..." (U+2026) when shortened.
 */
char *report_esc_html(const char *s);
char *report_esc_csv(const char *s);
void report_trunc(const char *s, size_t max, char *out, size_t cap);

/* cli_ear.c: wardgate ear DEVICE | --all [--json]; ear verify --key PUB. */
int cmd_ear(int argc, char **argv);

/* cli_evidence.c: wardgate evidence export DEVICE -o FILE; verify FILE. */
int cmd_evidence(int argc, char **argv);

#endif
