/*
 * test_metrics: the Prometheus text exposition (metrics_text.c) checked
 * line by line against the 0.0.4 grammar by a strict parser of our own,
 * and the state change messages (notify_fmt.c).
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "metrics_text.h"
#include "notify_fmt.h"

/* ---- a strict exposition parser ---- */

#define MAXFAM 32
#define MAXSER 256

struct fam {
	char name[128];
	char type[16];
	int help, ended;
};

struct expo {
	struct fam fam[MAXFAM];
	size_t nfam;
	char series[MAXSER][256];	/* name{labels} seen */
	size_t nser;
	int cur;			/* family of the last sample, -1 */
};

static const char *
metric_name(const char *p)
{
	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return NULL;
	for (p++; isalnum((unsigned char)*p) || *p == '_' || *p == ':'; p++)
		;
	return p;
}

static const char *
label_name(const char *p)
{
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return NULL;
	for (p++; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	return p;
}

static int
float_valid(const char *s)
{
	char *end;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 ||
	    strcmp(s, "NaN") == 0)
		return 1;
	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	(void)strtod(s, &end);
	return *end == '\0' && strpbrk(s, "xXpP") == NULL &&
	    strstr(s, "inf") == NULL && strstr(s, "nan") == NULL;
}

static struct fam *
fam_of(struct expo *e, const char *name, size_t len, int *idx)
{
	static const char *const suffix[] = { "_bucket", "_sum", "_count" };
	size_t i, j, sl;

	for (i = 0; i < e->nfam; i++) {
		size_t fl = strlen(e->fam[i].name);

		if (fl == len && strncmp(e->fam[i].name, name, len) == 0)
			goto found;
		if (strcmp(e->fam[i].type, "histogram") != 0)
			continue;
		for (j = 0; j < 3; j++) {
			sl = strlen(suffix[j]);
			if (fl + sl == len &&
			    strncmp(e->fam[i].name, name, fl) == 0 &&
			    strncmp(name + fl, suffix[j], sl) == 0)
				goto found;
		}
	}
	return NULL;
found:
	*idx = (int)i;
	return &e->fam[i];
}

/* One line (without its newline); fails the test on any deviation. */
static void
expo_line(struct expo *e, const char *line)
{
	const char *p = line, *q;
	struct fam *f;
	char key[256];
	int idx = -1;

	if (*line == '\0')
		return;
	if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
		int help = line[2] == 'H';
		size_t n;

		p = line + 7;
		if ((q = metric_name(p)) == NULL || *q != ' ')
			fail_msg("bad name: %s", line);
		n = (size_t)(q - p);
		for (idx = 0; idx < (int)e->nfam; idx++)
			if (strlen(e->fam[idx].name) == n &&
			    strncmp(e->fam[idx].name, p, n) == 0)
				break;
		if (idx == (int)e->nfam) {
			assert_true(e->nfam < MAXFAM);
			memcpy(e->fam[e->nfam].name, p, n);
			e->fam[e->nfam++].name[n] = '\0';
		}
		f = &e->fam[idx];
		if (f->ended || e->cur == idx)
			fail_msg("HELP/TYPE after samples: %s", line);
		if (help) {
			if (f->help++)
				fail_msg("second HELP: %s", line);
			for (q++; *q != '\0'; q++)
				if (*q == '\\' && q[1] != '\\' && q[1] != 'n')
					fail_msg("bad HELP escape: %s", line);
			return;
		}
		if (f->type[0] != '\0')
			fail_msg("second TYPE: %s", line);
		q++;
		if (strcmp(q, "counter") != 0 && strcmp(q, "gauge") != 0 &&
		    strcmp(q, "histogram") != 0 && strcmp(q, "summary") != 0 &&
		    strcmp(q, "untyped") != 0)
			fail_msg("bad TYPE: %s", line);
		snprintf(f->type, sizeof(f->type), "%s", q);
		return;
	}
	if (*line == '#')
		return;		/* a comment */
	if ((q = metric_name(p)) == NULL)
		fail_msg("bad sample name: %s", line);
	if ((f = fam_of(e, p, (size_t)(q - p), &idx)) == NULL ||
	    f->type[0] == '\0' || !f->help)
		fail_msg("sample without HELP and TYPE first: %s", line);
	if (e->cur != idx) {
		if (f->ended)
			fail_msg("family split: %s", line);
		if (e->cur >= 0)
			e->fam[e->cur].ended = 1;
		e->cur = idx;
	}
	if (strcmp(f->type, "counter") == 0 &&
	    ((size_t)(q - p) < 6 || strncmp(q - 6, "_total", 6) != 0))
		fail_msg("counter without _total: %s", line);
	p = q;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if ((q = label_name(p)) == NULL || q[0] != '=' ||
			    q[1] != '"')
				fail_msg("bad label: %s", line);
			for (p = q + 2; *p != '"'; p++) {
				if (*p == '\0' || *p == '\n')
					fail_msg("open label value: %s", line);
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						fail_msg("bad escape: %s", line);
				}
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				fail_msg("bad label list: %s", line);
		}
		p++;
	}
	if ((size_t)(p - line) >= sizeof(key))
		fail_msg("series too long: %s", line);
	memcpy(key, line, (size_t)(p - line));
	key[p - line] = '\0';
	for (size_t i = 0; i < e->nser; i++)
		if (strcmp(e->series[i], key) == 0)
			fail_msg("series twice: %s", line);
	assert_true(e->nser < MAXSER);
	memcpy(e->series[e->nser++], key, strlen(key) + 1);
	if (*p != ' ')
		fail_msg("no value: %s", line);
	p++;
	{
		char val[64];
		const char *sp = strchr(p, ' ');
		size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);

		if (n == 0 || n >= sizeof(val))
			fail_msg("bad value: %s", line);
		memcpy(val, p, n);
		val[n] = '\0';
		if (!float_valid(val))
			fail_msg("bad value: %s", line);
		if (sp != NULL) {	/* a timestamp: an integer */
			for (q = sp + 1; *q != '\0'; q++)
				if (!isdigit((unsigned char)*q) &&
				    !(q == sp + 1 && *q == '-'))
					fail_msg("bad timestamp: %s", line);
		}
	}
}

/* Checks a whole exposition; returns how many sample lines it had. */
static size_t
expo_check(const char *text)
{
	struct expo *e = calloc(1, sizeof(*e));
	const char *p = text, *nl;
	char line[1024];
	size_t n;

	assert_non_null(e);
	e->cur = -1;
	assert_true(strlen(text) > 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	while (*p != '\0') {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		n = (size_t)(nl - p);
		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		assert_null(strchr(line, '\r'));
		expo_line(e, line);
		p = nl + 1;
	}
	n = e->nser;
	free(e);
	return n;
}

/* The value of the sample line that starts with series, or -1. */
static double
sample(const char *text, const char *series)
{
	const char *p = text;
	size_t n = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

/* ---- tests ---- */

static void
test_render_empty(void **state)
{
	struct metrics_counts m;
	char *t;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_non_null(t = metrics_text_render(&m));
	expo_check(t);
	/* Device counts unknown: no samples, but the family is declared. */
	assert_non_null(strstr(t, "# TYPE wardgate_devices gauge\n"));
	assert_null(strstr(t, "wardgate_devices{"));
	assert_true(sample(t, "wardgate_attestation_duration_seconds_count")
	    == 0);
	assert_true(sample(t,
	    "wardgate_attestation_duration_seconds_bucket{le=\"+Inf\"}") == 0);
	free(t);
}

static void
test_render_counts(void **state)
{
	struct metrics_counts m;
	char *t, code[32];
	size_t i, nsamples;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.devices_known = 1;
	m.devices[DEV_TRUSTED] = 3;
	m.devices[DEV_UNTRUSTED] = 1;
	m.attest_pass = 10;
	m.attest_fail = 2;
	metrics_text_reason(&m, "PCR_MISMATCH");
	metrics_text_reason(&m, "PCR_MISMATCH");
	metrics_text_reason(&m, "QUOTE_PCR_DIGEST");
	metrics_text_reason(&m, "not a code");
	metrics_text_observe(&m, 0.0005);
	metrics_text_observe(&m, 0.001);	/* le is inclusive */
	metrics_text_observe(&m, 0.003);
	metrics_text_observe(&m, 0.7);
	metrics_text_observe(&m, 5);
	metrics_text_observe(&m, -1);		/* clock went back: 0 */
	m.enforcer_in_force = 1;
	m.service_known = 1;
	m.service_open = 2;
	m.legacy_past_sunset = 1;
	m.state_changes = 7;
	m.webhook_sent = 5;
	m.webhook_failed = 1;
	m.webhook_dropped = 2;
	m.notify_dropped = 1;
	assert_non_null(t = metrics_text_render(&m));
	nsamples = expo_check(t);
	/* 7 states, 2 results, 3 reasons, 11 buckets + sum + count, 5 more,
	 * open windows and 2 legacy counts */
	assert_int_equal(nsamples, 7 + 2 + 3 + 13 + 5 + 3);
	assert_true(sample(t, "wardgate_service_windows_open") == 2);
	assert_true(sample(t,
	    "wardgate_legacy_devices_attention{reason=\"past_sunset\"}") == 1);
	assert_true(sample(t,
	    "wardgate_legacy_devices_attention{reason=\"review_overdue\"}") ==
	    0);
	assert_true(sample(t, "wardgate_devices{state=\"trusted\"}") == 3);
	assert_true(sample(t, "wardgate_devices{state=\"untrusted\"}") == 1);
	assert_true(sample(t, "wardgate_devices{state=\"decommissioned\"}") == 0);
	assert_true(sample(t, "wardgate_devices{state=\"legacy\"}") == 0);
	assert_true(sample(t, "wardgate_attestations_total{result=\"pass\"}")
	    == 10);
	assert_true(sample(t, "wardgate_attestations_total{result=\"fail\"}")
	    == 2);
	assert_true(sample(t, "wardgate_attestation_failures_total"
	    "{reason=\"PCR_MISMATCH\"}") == 2);
	assert_true(sample(t, "wardgate_attestation_failures_total"
	    "{reason=\"QUOTE_PCR_DIGEST\"}") == 1);
	assert_true(sample(t, "wardgate_attestation_failures_total"
	    "{reason=\"OTHER\"}") == 1);
	assert_true(sample(t, "wardgate_attestation_duration_seconds_bucket"
	    "{le=\"0.001\"}") == 3);
	assert_true(sample(t, "wardgate_attestation_duration_seconds_bucket"
	    "{le=\"0.005\"}") == 4);
	assert_true(sample(t, "wardgate_attestation_duration_seconds_bucket"
	    "{le=\"1\"}") == 5);
	assert_true(sample(t, "wardgate_attestation_duration_seconds_bucket"
	    "{le=\"+Inf\"}") == 6);
	assert_true(sample(t, "wardgate_attestation_duration_seconds_count")
	    == 6);
	assert_true(fabs(sample(t, "wardgate_attestation_duration_seconds_sum")
	    - 5.7045) < 1e-9);
	assert_true(sample(t, "wardgate_enforcer_in_force") == 1);
	assert_true(sample(t, "wardgate_state_changes_total") == 7);
	assert_true(sample(t, "wardgate_webhook_sent_total") == 5);
	assert_true(sample(t, "wardgate_webhook_failed_total") == 1);
	assert_true(sample(t, "wardgate_webhook_dropped_total") == 3);
	free(t);

	/* Buckets cumulative; every reason slot full, then OTHER. */
	for (i = 0; i < METRICS_MAX_REASONS + 5; i++) {
		snprintf(code, sizeof(code), "CODE_%zu", i);
		metrics_text_reason(&m, code);
	}
	assert_int_equal(m.nreasons, METRICS_MAX_REASONS);
	assert_non_null(t = metrics_text_render(&m));
	expo_check(t);
	assert_true(sample(t, "wardgate_attestation_failures_total"
	    "{reason=\"OTHER\"}") == 1 + 5 + 2);
	free(t);
}

/* The checker itself refuses what Prometheus would. */
static void
test_checker(void **state)
{
	struct expo e;
	static const char *const good[] = {
		"# HELP a_total x\n# TYPE a_total counter\na_total 1\n",
		"# HELP a y\n# TYPE a gauge\na{b=\"c\\\"d\",e=\"\"} -1.5e3\n",
		"# HELP a y\n# TYPE a gauge\na NaN 1700000000000\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expo_check(good[i]);
	memset(&e, 0, sizeof(e));
	e.cur = -1;
	expo_line(&e, "# HELP g y");
	expo_line(&e, "# TYPE g gauge");
	expo_line(&e, "g{a=\"1\"} 2");
	expo_line(&e, "g{a=\"2\"} +Inf");
	assert_int_equal(e.nser, 2);
	assert_true(float_valid("1e-05"));
	assert_false(float_valid("0x10"));
	assert_false(float_valid("1 "));
	assert_false(float_valid("inf"));
	assert_non_null(metric_name("a:b_c"));
	assert_null(metric_name("1a"));
	assert_null(label_name(":x"));
}

static void
test_notify_json(void **state)
{
	struct notify_event e;
	struct json_object *o, *v;
	char *s;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(e.device_id, 'a', 64);
	strcpy(e.name, "infusion \"07\"");
	strcpy(e.from, "trusted");
	strcpy(e.to, "untrusted");
	strcpy(e.segment, "quarantine");
	strcpy(e.reason, "PCR mismatch: PCR 4 / sha256");
	e.at = 1700000000;
	assert_non_null(s = notify_fmt_json(&e));
	assert_non_null(o = json_tokener_parse(s));
	assert_true(json_object_object_get_ex(o, "event", &v));
	assert_string_equal(json_object_get_string(v), "state_change");
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "infusion \"07\"");
	assert_true(json_object_object_get_ex(o, "from", &v));
	assert_string_equal(json_object_get_string(v), "trusted");
	assert_true(json_object_object_get_ex(o, "to", &v));
	assert_string_equal(json_object_get_string(v), "untrusted");
	assert_true(json_object_object_get_ex(o, "segment", &v));
	assert_string_equal(json_object_get_string(v), "quarantine");
	assert_true(json_object_object_get_ex(o, "reason", &v));
	assert_string_equal(json_object_get_string(v),
	    "PCR mismatch: PCR 4 / sha256");
	assert_true(json_object_object_get_ex(o, "at", &v));
	assert_string_equal(json_object_get_string(v), "2023-11-14T22:13:20Z");
	assert_true(json_object_object_get_ex(o, "at_unix", &v));
	assert_int_equal(json_object_get_int64(v), 1700000000);
	assert_true(json_object_object_get_ex(o, "device_id", &v));
	assert_int_equal(strlen(json_object_get_string(v)), 64);
	json_object_put(o);
	free(s);

	/* A new device: from is null. */
	e.from[0] = '\0';
	assert_non_null(s = notify_fmt_json(&e));
	assert_non_null(o = json_tokener_parse(s));
	assert_true(json_object_object_get_ex(o, "from", &v));
	assert_null(v);
	json_object_put(o);
	free(s);
}

static void
test_notify_syslog(void **state)
{
	struct notify_event e;
	char line[NOTIFY_LINE_MAX], small[40];

	(void)state;
	memset(&e, 0, sizeof(e));
	strcpy(e.device_id, "ab12");
	strcpy(e.name, "pump-07");
	strcpy(e.from, "trusted");
	strcpy(e.to, "untrusted");
	strcpy(e.segment, "quarantine");
	strcpy(e.reason, "PCR_MISMATCH: \"x\" \\ \x01\xc3\xa9");
	notify_fmt_syslog(&e, line, sizeof(line));
	assert_string_equal(line, "state-change device=pump-07 id=ab12 "
	    "from=trusted to=untrusted segment=quarantine reason=\""
	    "PCR_MISMATCH: \\\"x\\\" \\\\ \\x01\\xc3\\xa9\"");
	strcpy(e.name, "ward 3 pump");
	e.from[0] = '\0';
	e.reason[0] = '\0';
	notify_fmt_syslog(&e, line, sizeof(line));
	assert_string_equal(line, "state-change device=\"ward 3 pump\" "
	    "id=ab12 from=- to=untrusted segment=quarantine reason=\"\"");
	/* Truncated, always terminated. */
	notify_fmt_syslog(&e, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, line, sizeof(small) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_render_counts),
		cmocka_unit_test(test_notify_json),
		cmocka_unit_test(test_notify_syslog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
