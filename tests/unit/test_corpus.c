/*
 * test_corpus.c: every event log in tests/data/eventlogs parses (or, for
 * negative-*.bin, is refused cleanly), and where the corpus records the
 * machine's PCR values (NAME.pcrs.json) the replay reproduces every one
 * of them except those listed under "known_mismatch".
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "alg.h"
#include "evlog.h"
#include "pcr.h"
#include "../common/testutil.h"
#include "wg_err.h"

#define CORPUS_DIR		"eventlogs"
#define CORPUS_MAX_FILE		(16u * 1024 * 1024)
#define CORPUS_MAX_NAMES	512
#define CORPUS_MIN_FILES	25

/*
 * The PCR values each recorded file must reproduce (README.md in the
 * corpus: "replay = recorded?"). Listing them keeps the test from passing
 * when a value silently stops being compared.
 */
static const struct {
	const char *name;
	unsigned compared;
	unsigned known;		/* skipped through known_mismatch */
} expect_pcrs[] = {
	{ "archlinux-workstation-systemd-boot", 18, 0 },
	{ "gce-debian10-sha1-legacy", 8, 0 },
	{ "gce-ubuntu2104-nodbx", 22, 0 },
	{ "gentoo-x1carbon-locality3", 23, 1 },
	{ "qemu-ovmf-swtpm-sha256", 23, 1 },
	{ "ubuntu2110-lenovo-amd-3banks", 46, 26 },
	{ "win10-latitude7520-sha256-wbcl", 24, 0 },
	{ "winsrv2022-supermicro-partial-digests", 34, 14 },
};
#define EXPECT_TOTAL_COMPARED	198

/* The one corpus file with bytes after its last record (evlog.c). */
#define TRAILING_FILE		"synthetic-specid-vendordata.bin"
#define TRAILING_BYTES		4

struct corpus {
	char *names[CORPUS_MAX_NAMES];
	size_t nnames;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
setup_corpus(void **state)
{
	struct corpus *c;
	char dir[4096];
	struct dirent *de;
	DIR *dp;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	tu_data_path(CORPUS_DIR, dir, sizeof(dir));
	if ((dp = opendir(dir)) == NULL) {
		print_error("cannot open %s: %s (set WG_TESTDATA)\n", dir,
		    strerror(errno));
		free(c);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".bin"))
			continue;
		assert_true(c->nnames < CORPUS_MAX_NAMES);
		c->names[c->nnames] = strdup(de->d_name);
		assert_non_null(c->names[c->nnames]);
		c->nnames++;
	}
	closedir(dp);
	qsort(c->names, c->nnames, sizeof(c->names[0]), cmp_names);
	*state = c;
	return 0;
}

static int
teardown_corpus(void **state)
{
	struct corpus *c = *state;
	size_t i;

	if (c == NULL)
		return 0;
	for (i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c);
	return 0;
}

static void
read_corpus_file(const char *name, uint8_t **buf, size_t *len)
{
	char rel[512], path[4096];

	(void)snprintf(rel, sizeof(rel), "%s/%s", CORPUS_DIR, name);
	tu_data_path(rel, path, sizeof(path));
	if (tu_read_file(path, CORPUS_MAX_FILE, buf, len) != 0)
		fail_msg("cannot read %s", path);
}

/* Structural invariants of a parsed log. */
static void
check_structure(const char *name, const struct evlog *log, size_t len)
{
	size_t i, sum = 0;
	unsigned k, j;

	assert_true(log->nevents >= 1);
	assert_int_equal(log->raw_len, len);
	assert_true(log->format == EVLOG_FORMAT_SHA1 ||
	    log->format == EVLOG_FORMAT_CRYPTO_AGILE);
	assert_true(log->nalgs >= 1 && log->nalgs <= EVLOG_MAX_ALGS);
	for (i = 0; i < log->nevents; i++) {
		const struct evlog_event *ev = &log->events[i];

		assert_int_equal(ev->index, i);
		assert_int_equal(ev->offset, sum);
		assert_true(ev->length > 0);
		sum += ev->length;
		assert_true(ev->ndigests <= log->nalgs);
		assert_true(ev->data_len <= ev->length);
		if (ev->data_len > 0) {
			assert_true(ev->data >= log->raw + ev->offset);
			assert_true(ev->data + ev->data_len <=
			    log->raw + ev->offset + ev->length);
		}
		for (k = 0; k < ev->ndigests; k++) {
			const struct evlog_digest *dg = &ev->digest[k];

			for (j = 0; j < log->nalgs; j++)
				if (log->alg[j].id == dg->alg)
					break;
			assert_true(j < log->nalgs);
			assert_int_equal(dg->size, log->alg[j].size);
			assert_true(dg->bytes >= log->raw + ev->offset);
			assert_true(dg->bytes + dg->size <=
			    log->raw + ev->offset + ev->length);
		}
	}
	if (sum + log->trailing != len)
		fail_msg("%s: records %zu + trailing %zu != %zu bytes", name,
		    sum, log->trailing, len);
}

/* A second parse of a copy gives the same log. */
static void
check_deterministic(const char *name, const struct evlog *a,
    const uint8_t *buf, size_t len)
{
	struct evlog *b = NULL;
	struct wg_diag d;
	uint8_t *copy;
	size_t i;
	unsigned k;

	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	wg_diag_clear(&d);
	if (evlog_parse(copy, len, NULL, &b, &d) != 0)
		fail_msg("%s: second parse failed: %s", name, d.detail);
	/* The log owns its bytes: scribbling on the input changes nothing. */
	memset(copy, 0xa5, len);
	free(copy);
	assert_int_equal(a->format, b->format);
	assert_int_equal(a->nalgs, b->nalgs);
	assert_memory_equal(a->alg, b->alg, sizeof(a->alg));
	assert_int_equal(a->startup_locality, b->startup_locality);
	assert_int_equal(a->has_hcrtm, b->has_hcrtm);
	assert_int_equal(a->trailing, b->trailing);
	assert_int_equal(a->nevents, b->nevents);
	assert_memory_equal(a->raw, b->raw, len);
	for (i = 0; i < a->nevents; i++) {
		const struct evlog_event *x = &a->events[i], *y = &b->events[i];

		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->length, y->length);
		assert_int_equal(x->pcr, y->pcr);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->ndigests, y->ndigests);
		assert_int_equal(x->data_len, y->data_len);
		assert_int_equal(x->data - a->raw, y->data - b->raw);
		for (k = 0; k < x->ndigests; k++) {
			assert_int_equal(x->digest[k].alg, y->digest[k].alg);
			assert_int_equal(x->digest[k].size, y->digest[k].size);
			assert_memory_equal(x->digest[k].bytes,
			    y->digest[k].bytes, x->digest[k].size);
		}
	}
	evlog_free(b);
}

static int
is_known(json_object *known, const char *bank, const char *pcr)
{
	json_object *kb, *v;

	if (known == NULL || !json_object_object_get_ex(known, bank, &kb))
		return 0;
	return json_object_object_get_ex(kb, "*", &v) ||
	    json_object_object_get_ex(kb, pcr, &v);
}

/*
 * Compares the replay with NAME.pcrs.json if it exists. Returns how many
 * values were compared; *known gets how many were skipped as known.
 * -1 when there is no such file.
 */
static long
compare_pcrs(const char *name, const struct pcr_set *set, unsigned *known)
{
	char rel[512], path[4096], base[256];
	json_object *root, *banks, *km = NULL;
	const struct alg_info *ai;
	const struct pcr_bank *bank;
	uint8_t want[ALG_MAX_DIGEST];
	size_t n = strlen(name) - strlen(".bin");
	long compared = 0;
	FILE *f;

	*known = 0;
	assert_true(n < sizeof(base));
	memcpy(base, name, n);
	base[n] = '\0';
	(void)snprintf(rel, sizeof(rel), "%s/%s.pcrs.json", CORPUS_DIR, base);
	tu_data_path(rel, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	fclose(f);
	if ((root = json_object_from_file(path)) == NULL)
		fail_msg("%s: not JSON", path);
	if (!json_object_object_get_ex(root, "banks", &banks) ||
	    !json_object_is_type(banks, json_type_object))
		fail_msg("%s: no \"banks\" object", path);
	(void)json_object_object_get_ex(root, "known_mismatch", &km);

	json_object_object_foreach(banks, bname, bvals) {
		if ((ai = alg_by_name(bname)) == NULL)
			fail_msg("%s: unknown bank %s", path, bname);
		bank = pcr_set_find(set, ai->id);
		if (bank == NULL && !is_known(km, bname, "*"))
			fail_msg("%s: bank %s is recorded, not replayed, and "
			    "not listed as a known mismatch", path, bname);
		json_object_object_foreach(bvals, pname, pval) {
			const char *hex = json_object_get_string(pval);
			char *end;
			unsigned long idx;

			errno = 0;
			idx = strtoul(pname, &end, 10);
			if (errno != 0 || *end != '\0' || end == pname ||
			    idx >= PCR_COUNT)
				fail_msg("%s: bad PCR index %s", path, pname);
			if (is_known(km, bname, pname)) {
				(*known)++;
				continue;
			}
			assert_non_null(bank);
			if (hex == NULL ||
			    tu_unhex(hex, want, sizeof(want)) != (long)ai->size)
				fail_msg("%s: %s:%s is not a %zu-byte hex value",
				    path, bname, pname, ai->size);
			if ((bank->present & (1u << idx)) == 0)
				fail_msg("%s: replay has no %s:%lu", name,
				    bname, idx);
			if (memcmp(bank->value[idx], want, ai->size) != 0)
				fail_msg("%s: replay of %s:%lu differs from "
				    "the recorded value %s", name, bname, idx,
				    hex);
			compared++;
		}
	}
	json_object_put(root);
	return compared;
}

static void
test_corpus(void **state)
{
	struct corpus *c = *state;
	unsigned long total_compared = 0, total_known = 0;
	size_t i, j, parsed = 0, refused = 0, recorded = 0;

	print_message("corpus: %zu .bin files\n", c->nnames);
	assert_true(c->nnames >= CORPUS_MIN_FILES);
	for (i = 0; i < c->nnames; i++) {
		const char *name = c->names[i];
		struct evlog *log = NULL;
		struct pcr_set set;
		struct wg_diag d;
		uint8_t *buf = NULL;
		size_t len = 0;
		unsigned known;
		long compared;
		int r;

		read_corpus_file(name, &buf, &len);
		wg_diag_clear(&d);
		r = evlog_parse(buf, len, NULL, &log, &d);
		if (strncmp(name, "negative-", 9) == 0) {
			if (r == 0)
				fail_msg("%s: a negative file parsed", name);
			assert_null(log);
			assert_true(r < 0);
			assert_int_equal(d.err, r);
			assert_true(d.detail[0] != '\0');
			assert_string_not_equal(wg_errname(r), "UNKNOWN");
			print_message("  %-45s refused: %s (%s)\n", name,
			    wg_errname(r), d.detail);
			refused++;
			free(buf);
			continue;
		}
		if (r != 0)
			fail_msg("%s: %s: %s", name, wg_errname(r), d.detail);
		check_structure(name, log, len);
		check_deterministic(name, log, buf, len);
		/* Only the tpm2-tools fixture ends in a fragment. */
		if (log->trailing != (strcmp(name, TRAILING_FILE) == 0 ?
		    TRAILING_BYTES : 0))
			fail_msg("%s: %zu trailing bytes", name, log->trailing);
		if ((r = evlog_replay(log, &set, &d)) != 0)
			fail_msg("%s: replay: %s: %s", name, wg_errname(r),
			    d.detail);
		compared = compare_pcrs(name, &set, &known);
		for (j = 0; j < sizeof(expect_pcrs) / sizeof(expect_pcrs[0]);
		    j++) {
			size_t n = strlen(expect_pcrs[j].name);

			if (strncmp(name, expect_pcrs[j].name, n) != 0 ||
			    strcmp(name + n, ".bin") != 0)
				continue;
			if (compared != (long)expect_pcrs[j].compared ||
			    known != expect_pcrs[j].known)
				fail_msg("%s: compared %ld (want %u), known "
				    "%u (want %u)", name, compared,
				    expect_pcrs[j].compared, known,
				    expect_pcrs[j].known);
		}
		if (compared >= 0) {
			assert_true(compared > 0);
			recorded++;
			total_compared += (unsigned long)compared;
			total_known += known;
			print_message("  %-45s %3zu events, %u banks, "
			    "%ld PCR values equal, %u known mismatches\n",
			    name, log->nevents, set.nbanks, compared, known);
		} else {
			print_message("  %-45s %3zu events, %u banks, "
			    "trailing %zu, no recorded PCRs\n", name,
			    log->nevents, set.nbanks, log->trailing);
		}
		parsed++;
		evlog_free(log);
		free(buf);
	}
	print_message("corpus: %zu parsed, %zu refused, %zu with recorded "
	    "PCRs: %lu values compared, %lu known mismatches skipped\n",
	    parsed, refused, recorded, total_compared, total_known);
	assert_int_equal(refused, 2);
	assert_int_equal(parsed + refused, c->nnames);
	assert_int_equal(recorded,
	    sizeof(expect_pcrs) / sizeof(expect_pcrs[0]));
	assert_true(total_compared >= EXPECT_TOTAL_COMPARED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_corpus, setup_corpus,
		    teardown_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
