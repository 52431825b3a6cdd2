/* metrics_text.c: Prometheus text exposition of wardgated's counters. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_text.h"

const double metrics_buckets[METRICS_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
};

static int
code_valid(const char *code)
{
	size_t i;

	if (code[0] < 'A' || code[0] > 'Z')
		return 0;
	for (i = 1; code[i] != '\0'; i++)
		if (!((code[i] >= 'A' && code[i] <= 'Z') ||
		    (code[i] >= '0' && code[i] <= '9') || code[i] == '_'))
			return 0;
	return i < METRICS_REASON_LEN;
}

void
metrics_text_reason(struct metrics_counts *m, const char *code)
{
	size_t i;

	if (!code_valid(code)) {
		m->reasons_other++;
		return;
	}
	for (i = 0; i < m->nreasons; i++)
		if (strcmp(m->reason[i].code, code) == 0) {
			m->reason[i].n++;
			return;
		}
	if (m->nreasons == METRICS_MAX_REASONS) {
		m->reasons_other++;
		return;
	}
	memcpy(m->reason[m->nreasons].code, code, strlen(code) + 1);
	m->reason[m->nreasons++].n = 1;
}

void
metrics_text_observe(struct metrics_counts *m, double seconds)
{
	size_t i;

	if (!(seconds >= 0))	/* NaN too */
		seconds = 0;
	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (seconds <= metrics_buckets[i])
			break;
	m->hist[i]++;
	m->hist_sum += seconds;
}

struct out {
	char *p;
	size_t len;
	int err;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, METRICS_TEXT_MAX - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= METRICS_TEXT_MAX - o->len) {
		o->err = 1;
		return;
	}
	o->len += (size_t)n;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *
metrics_text_render(const struct metrics_counts *m)
{
	struct out o = { NULL, 0, 0 };
	uint64_t cum = 0;
	size_t i;

	if ((o.p = malloc(METRICS_TEXT_MAX)) == NULL)
		return NULL;
	o.p[0] = '\0';
	head(&o, "wardgate_devices", "gauge", "Devices by state.");
	for (i = 0; m->devices_known && i < DEV_NSTATES; i++)
		put(&o, "wardgate_devices{state=\"%s\"} %llu\n",
		    state_name((enum dev_state)i),
		    (unsigned long long)m->devices[i]);
	head(&o, "wardgate_attestations_total", "counter",
	    "Evidence judged, by verdict.");
	put(&o, "wardgate_attestations_total{result=\"pass\"} %llu\n",
	    (unsigned long long)m->attest_pass);
	put(&o, "wardgate_attestations_total{result=\"fail\"} %llu\n",
	    (unsigned long long)m->attest_fail);
	head(&o, "wardgate_attestation_failures_total", "counter",
	    "Failing verdicts by reason code (a verdict may give several).");
	for (i = 0; i < m->nreasons; i++)
		put(&o, "wardgate_attestation_failures_total{reason=\"%s\"} "
		    "%llu\n", m->reason[i].code,
		    (unsigned long long)m->reason[i].n);
	if (m->reasons_other > 0)
		put(&o, "wardgate_attestation_failures_total{reason=\"OTHER\"} "
		    "%llu\n", (unsigned long long)m->reasons_other);
	head(&o, "wardgate_attestation_duration_seconds", "histogram",
	    "Evidence handling, from the request to its verdict queued.");
	for (i = 0; i < METRICS_NBUCKETS; i++) {
		cum += m->hist[i];
		put(&o, "wardgate_attestation_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", metrics_buckets[i],
		    (unsigned long long)cum);
	}
	cum += m->hist[METRICS_NBUCKETS];
	put(&o, "wardgate_attestation_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\n", (unsigned long long)cum);
	put(&o, "wardgate_attestation_duration_seconds_sum %.9f\n",
	    m->hist_sum);
	put(&o, "wardgate_attestation_duration_seconds_count %llu\n",
	    (unsigned long long)cum);
	head(&o, "wardgate_enforcer_in_force", "gauge",
	    "1 when the enforcer applies segments (or enforcer = none).");
	put(&o, "wardgate_enforcer_in_force %d\n", m->enforcer_in_force ? 1 : 0);
	head(&o, "wardgate_service_windows_open", "gauge",
	    "Field-service windows open now.");
	if (m->service_known)
		put(&o, "wardgate_service_windows_open %llu\n",
		    (unsigned long long)m->service_open);
	head(&o, "wardgate_legacy_devices_attention", "gauge",
	    "Legacy devices (no TPM) whose review is overdue or whose "
	    "sunset has passed.");
	if (m->service_known) {
		put(&o, "wardgate_legacy_devices_attention{reason="
		    "\"review_overdue\"} %llu\n",
		    (unsigned long long)m->legacy_review_overdue);
		put(&o, "wardgate_legacy_devices_attention{reason="
		    "\"past_sunset\"} %llu\n",
		    (unsigned long long)m->legacy_past_sunset);
	}
	head(&o, "wardgate_state_changes_total", "counter",
	    "Committed device state changes.");
	put(&o, "wardgate_state_changes_total %llu\n",
	    (unsigned long long)m->state_changes);
	head(&o, "wardgate_webhook_sent_total", "counter",
	    "State change messages the webhook accepted (2xx).");
	put(&o, "wardgate_webhook_sent_total %llu\n",
	    (unsigned long long)m->webhook_sent);
	head(&o, "wardgate_webhook_failed_total", "counter",
	    "State change messages given up after every retry.");
	put(&o, "wardgate_webhook_failed_total %llu\n",
	    (unsigned long long)m->webhook_failed);
	head(&o, "wardgate_webhook_dropped_total", "counter",
	    "State change messages dropped unsent: queue full (oldest first) "
	    "or more changes in one commit than notifications may hold.");
	put(&o, "wardgate_webhook_dropped_total %llu\n",
	    (unsigned long long)(m->webhook_dropped + m->notify_dropped));
	if (o.err) {
		free(o.p);
		return NULL;
	}
	return o.p;
}
