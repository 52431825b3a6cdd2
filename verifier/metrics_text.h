/*
 * metrics_text.h: the Prometheus text exposition (format 0.0.4) of
 * wardgated's counters (docs/operations.md). A pure function over a
 * snapshot, so tests can check every line against the grammar.
 */
#ifndef WG_METRICS_TEXT_H
#define WG_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

#define METRICS_MAX_REASONS 64		/* distinct failure reason codes */
#define METRICS_REASON_LEN 32
#define METRICS_NBUCKETS 10		/* finite buckets; +Inf besides */

/* Upper bounds of the duration histogram, seconds (0.001 to 1). */
extern const double metrics_buckets[METRICS_NBUCKETS];

struct metrics_counts {
	int devices_known;		/* devices[] holds a count */
	uint64_t devices[DEV_NSTATES];	/* by state */
	uint64_t attest_pass, attest_fail;
	size_t nreasons;
	struct {
		char code[METRICS_REASON_LEN];	/* a wg_errname() */
		uint64_t n;
	} reason[METRICS_MAX_REASONS];
	uint64_t reasons_other;		/* codes beyond METRICS_MAX_REASONS */
	uint64_t hist[METRICS_NBUCKETS + 1];	/* per bucket, last +Inf */
	double hist_sum;		/* seconds */
	int enforcer_in_force;
	int service_known;		/* the three below hold a count */
	uint64_t service_open;		/* field-service windows open */
	uint64_t legacy_review_overdue, legacy_past_sunset;
	uint64_t state_changes;
	uint64_t webhook_sent, webhook_failed, webhook_dropped;
	uint64_t notify_dropped;	/* changes beyond the pending bound */
};

/* Counts one failure reason code (a wg_errname(), [A-Z][A-Z0-9_]*). */
void metrics_text_reason(struct metrics_counts *m, const char *code);

/* Puts one duration, in seconds, into the histogram. */
void metrics_text_observe(struct metrics_counts *m, double seconds);

/*
 * The exposition of m as a NUL-terminated string (caller frees), with
 * HELP and TYPE lines; NULL when out of memory. At most
 * METRICS_TEXT_MAX bytes.
 */
#define METRICS_TEXT_MAX (64u * 1024)
char *metrics_text_render(const struct metrics_counts *m);

#endif
