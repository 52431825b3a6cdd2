/*
 * test_appraise.c: appraise() against real corpus logs.
 *
 * Releases are built by hand from a log's own events (mk_release below,
 * independent of policy_learn): a release made from a log must pass that
 * log, for every corpus log that parses; then one thing at a time is
 * changed, in the policy or in a copy of the log, and the appraisal must
 * fail with the reason code that names it.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "alg.h"
#include "evlog.h"
#include "pcr.h"
#include "policy.h"
#include "../common/testutil.h"
#include "wg_err.h"

#define GUID_GLOBAL	"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define GUID_IMAGE_SEC	"d719b2cb-3d3a-4596-a3bc-dad00e67656f"

#define ARCH	"eventlogs/archlinux-workstation-systemd-boot.bin"
#define GCE	"eventlogs/gce-ubuntu2104-nodbx.bin"
#define LENOVO	"eventlogs/ubuntu2110-lenovo-amd-3banks.bin"
#define GENTOO	"eventlogs/gentoo-x1carbon-locality3.bin"	/* Secure Boot on */

struct loaded {
	uint8_t *raw;
	size_t len;
	struct evlog *log;
	struct pcr_set pcrs;
};

static int
load_bytes(const uint8_t *raw, size_t len, struct loaded *l)
{
	memset(l, 0, sizeof(*l));
	if ((l->raw = malloc(len)) == NULL)
		return -1;
	memcpy(l->raw, raw, len);
	l->len = len;
	if (evlog_parse(l->raw, l->len, NULL, &l->log, NULL) != 0)
		return -1;
	if (evlog_replay(l->log, &l->pcrs, NULL) != 0)
		return -1;
	return 0;
}

static void
load(const char *rel, struct loaded *l)
{
	char path[512];
	uint8_t *raw;
	size_t len;

	tu_data_path(rel, path, sizeof(path));
	assert_int_equal(tu_read_file(path, EVLOG_DEFAULT_MAX_BYTES, &raw,
	    &len), 0);
	assert_int_equal(load_bytes(raw, len, l), 0);
	free(raw);
}

static void
unload(struct loaded *l)
{
	evlog_free(l->log);
	free(l->raw);
	memset(l, 0, sizeof(*l));
}

/* A copy of l's bytes with the byte at off XORed with x, parsed again. */
static void
load_flipped(const struct loaded *l, size_t off, uint8_t x,
    struct loaded *out)
{
	uint8_t *copy;

	assert_true(off < l->len);
	copy = malloc(l->len);
	assert_non_null(copy);
	memcpy(copy, l->raw, l->len);
	copy[off] ^= x;
	assert_int_equal(load_bytes(copy, l->len, out), 0);
	free(copy);
}

/* ---- building releases by hand ---- */

static int
counts(const struct evlog_event *ev)
{
	return ev->pcr < 24 && ev->type != EV_NO_ACTION;
}

/* Independent check that ev's data hashes to every known digest. */
static int
bound(const struct evlog_event *ev)
{
	const struct alg_info *ai;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned k, hl, n = 0;

	for (k = 0; k < ev->ndigests; k++) {
		if ((ai = alg_by_id(ev->digest[k].alg)) == NULL)
			continue;
		assert_int_equal(EVP_Digest(ev->data, ev->data_len, h, &hl,
		    EVP_get_digestbyname(ai->ossl_name), NULL), 1);
		if (hl != ev->digest[k].size ||
		    memcmp(h, ev->digest[k].bytes, hl) != 0)
			return 0;
		n++;
	}
	return n > 0;
}

static void
add_digest(struct policy_digests *l, uint16_t alg, const uint8_t *p,
    size_t len)
{
	size_t i;

	assert_true(len <= ALG_MAX_DIGEST);
	for (i = 0; i < l->n; i++)
		if (l->v[i].alg == alg && memcmp(l->v[i].digest, p, len) == 0)
			return;
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	assert_non_null(l->v);
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].alg = alg;
	memcpy(l->v[l->n].digest, p, len);
	l->n++;
}

static void
add_event_digests(struct policy_digests *l, const struct evlog_event *ev)
{
	unsigned k;

	for (k = 0; k < ev->ndigests; k++)
		if (alg_by_id(ev->digest[k].alg) != NULL)
			add_digest(l, ev->digest[k].alg, ev->digest[k].bytes,
			    ev->digest[k].size);
}

static void
free_list(struct policy_digests *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
free_release(struct policy_release *r)
{
	free(r->scrtm);
	free_list(&r->firmware);
	free_list(&r->boot_apps);
	free_list(&r->drivers);
	free_list(&r->pk);
	free_list(&r->kek);
	free_list(&r->db);
	free_list(&r->dbx);
}

static void
free_model(struct policy_model *m)
{
	size_t i;

	for (i = 0; i < m->nrel; i++)
		free_release(&m->rel[i]);
	free(m->rel);
	free(m);
}

static struct policy_model *
new_model(size_t nrel)
{
	struct policy_model *m = calloc(1, sizeof(*m));
	size_t i;

	assert_non_null(m);
	snprintf(m->model, sizeof(m->model), "test-model");
	m->nrel = nrel;
	if (nrel > 0) {
		m->rel = calloc(nrel, sizeof(*m->rel));
		assert_non_null(m->rel);
	}
	for (i = 0; i < nrel; i++) {
		snprintf(m->rel[i].release, sizeof(m->rel[i].release),
		    "rel-%zu", i);
		m->rel[i].secure_boot = -1;
	}
	return m;
}

/*
 * Fills r with every rule the log supports: S-CRTM versions, firmware
 * blobs, boot applications, drivers, Secure Boot if on, PK/KEK/db/dbx and
 * the replayed PCRs 0-7 of every bank. Data not bound to its digest is not
 * used (that rule is left out).
 */
static void
mk_release(struct policy_release *r, const struct loaded *l)
{
	struct policy_digests *vl;
	struct evlog_data dd;
	const struct evlog_event *ev;
	uint8_t h[32];
	unsigned hl, b;
	size_t e, nsc = 0;
	int sb_on = -1, sc_ok = 1;
	int var_ok[4] = { 1, 1, 1, 1 };
	struct policy_digests vars[4];

	memset(vars, 0, sizeof(vars));
	for (e = 0; e < l->log->nevents; e++) {
		ev = &l->log->events[e];
		if (!counts(ev))
			continue;
		switch (ev->type) {
		case EV_S_CRTM_VERSION:
			if (!bound(ev) || evlog_decode(ev, &dd, NULL) != 0 ||
			    dd.kind != EVLOG_DATA_STRING ||
			    strlen(dd.u.text) >= POLICY_TEXT_LEN) {
				sc_ok = 0;
				break;
			}
			r->scrtm = realloc(r->scrtm, (nsc + 1) *
			    sizeof(*r->scrtm));
			assert_non_null(r->scrtm);
			memcpy(r->scrtm[nsc++], dd.u.text,
			    strlen(dd.u.text) + 1);
			break;
		case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		case EV_POST_CODE:
			if (ev->pcr == 0)
				add_event_digests(&r->firmware, ev);
			break;
		case EV_EFI_BOOT_SERVICES_APPLICATION:
			add_event_digests(&r->boot_apps, ev);
			break;
		case EV_EFI_BOOT_SERVICES_DRIVER:
		case EV_EFI_RUNTIME_SERVICES_DRIVER:
			add_event_digests(&r->drivers, ev);
			break;
		case EV_EFI_VARIABLE_DRIVER_CONFIG:
			if (evlog_decode(ev, &dd, NULL) != 0 ||
			    dd.kind != EVLOG_DATA_EFI_VARIABLE)
				break;
			if (strcmp(dd.u.var.guid, GUID_GLOBAL) == 0 &&
			    strcmp(dd.u.var.name, "SecureBoot") == 0) {
				if (bound(ev) && dd.u.var.data_len == 1 &&
				    dd.u.var.data[0] == 1 && sb_on != 0)
					sb_on = 1;
				else
					sb_on = 0;
				break;
			}
			{
				static const char *g[4] = { GUID_GLOBAL,
				    GUID_GLOBAL, GUID_IMAGE_SEC,
				    GUID_IMAGE_SEC };
				static const char *nm[4] = { "PK", "KEK", "db",
				    "dbx" };
				int i;

				for (i = 0; i < 4; i++) {
					if (strcmp(dd.u.var.guid, g[i]) != 0 ||
					    strcmp(dd.u.var.name, nm[i]) != 0)
						continue;
					if (!bound(ev)) {
						var_ok[i] = 0;
						break;
					}
					assert_int_equal(EVP_Digest(
					    dd.u.var.data, dd.u.var.data_len,
					    h, &hl, EVP_sha256(), NULL), 1);
					add_digest(&vars[i], 0x000b, h, 32);
				}
			}
			break;
		default:
			break;
		}
	}
	if (sc_ok)
		r->n_scrtm = nsc;
	else {
		free(r->scrtm);
		r->scrtm = NULL;
	}
	r->secure_boot = sb_on == 1 ? 1 : -1;
	for (b = 0; b < 4; b++) {
		vl = b == 0 ? &r->pk : b == 1 ? &r->kek : b == 2 ? &r->db :
		    &r->dbx;
		if (var_ok[b])
			*vl = vars[b];
		else
			free_list(&vars[b]);
	}
	r->has_pcrs = 1;
	pcr_set_init(&r->pcrs);
	for (b = 0; b < l->pcrs.nbanks; b++) {
		r->pcrs.bank[b] = l->pcrs.bank[b];
		r->pcrs.bank[b].present &= 0xffu;
	}
	r->pcrs.nbanks = l->pcrs.nbanks;
}

static const struct appraise_reason *
find_reason(const struct appraise_result *res, int code)
{
	unsigned i;

	for (i = 0; i < res->nreasons; i++)
		if (res->reasons[i].code == code)
			return &res->reasons[i];
	return NULL;
}

/* The first reason with code, or the test fails. */
static const struct appraise_reason *
must_reason(const struct appraise_result *res, int code)
{
	const struct appraise_reason *r = find_reason(res, code);

	if (r == NULL) {
		fail_msg("no %s reason", wg_errname(code));
		abort();
	}
	return r;
}

static void
dump(const struct appraise_result *res)
{
	unsigned i;

	for (i = 0; i < res->nreasons; i++)
		print_message("  %s: %s\n", wg_errname(res->reasons[i].code),
		    res->reasons[i].text);
}

static void
run(const struct policy_model *m, const struct loaded *l, int64_t now,
    struct appraise_result *res)
{
	struct wg_diag d;

	memset(res, 0xa5, sizeof(*res));
	wg_diag_clear(&d);
	if (appraise(m, l->log, &l->pcrs, now, res, &d) != 0)
		fail_msg("appraise: %s", d.detail);
	assert_true(res->nreasons <= APPRAISE_MAX_REASONS);
}

static void
assert_passes(const struct policy_model *m, const struct loaded *l,
    size_t idx)
{
	struct appraise_result res;

	run(m, l, 0, &res);
	if (!res.pass) {
		dump(&res);
		fail_msg("release %s did not pass", m->rel[idx].release);
	}
	assert_ptr_equal(res.release, &m->rel[idx]);
	assert_int_equal(res.warning, 0);
	assert_int_equal(res.nreasons, 0);
}

/* The first event of type t (in PCRs 0-23), or fail. */
static const struct evlog_event *
first_of(const struct loaded *l, uint32_t t)
{
	size_t e;

	for (e = 0; e < l->log->nevents; e++)
		if (counts(&l->log->events[e]) && l->log->events[e].type == t)
			return &l->log->events[e];
	fail_msg("no event of type 0x%08x", t);
	abort();
}

static const struct evlog_digest *
digest_of(const struct evlog_event *ev, uint16_t alg)
{
	unsigned k;

	if (ev == NULL)
		abort();
	for (k = 0; k < ev->ndigests; k++)
		if (ev->digest[k].alg == alg)
			return &ev->digest[k];
	fail_msg("event %zu has no digest 0x%04x", ev->index, alg);
	abort();
}

/* The SecureBoot variable event and the offset of its data in the log. */
static const struct evlog_event *
secureboot_event(const struct loaded *l, size_t *data_off)
{
	struct evlog_data dd;
	const struct evlog_event *ev;
	size_t e;

	for (e = 0; e < l->log->nevents; e++) {
		ev = &l->log->events[e];
		if (ev->type != EV_EFI_VARIABLE_DRIVER_CONFIG ||
		    evlog_decode(ev, &dd, NULL) != 0 ||
		    strcmp(dd.u.var.name, "SecureBoot") != 0)
			continue;
		*data_off = (size_t)(dd.u.var.data - l->log->raw);
		return ev;
	}
	fail_msg("no SecureBoot event");
	abort();
}

/* ---- tests ---- */

/* Every corpus log that parses passes a release made from it. */
static void
test_corpus_learned_passes(void **state)
{
	char dir[512], rel[600];
	struct dirent *de;
	DIR *dp;
	struct loaded l;
	struct policy_model *m;
	uint8_t *raw;
	size_t len, n = 0, napps = 0, nvars = 0, nsb = 0, nsc = 0;

	(void)state;
	tu_data_path("eventlogs", dir, sizeof(dir));
	assert_non_null(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);
		char path[1200];

		if (nl < 4 || strcmp(de->d_name + nl - 4, ".bin") != 0 ||
		    strncmp(de->d_name, "negative-", 9) == 0)
			continue;
		snprintf(rel, sizeof(rel), "eventlogs/%s", de->d_name);
		tu_data_path(rel, path, sizeof(path));
		assert_int_equal(tu_read_file(path, EVLOG_DEFAULT_MAX_BYTES,
		    &raw, &len), 0);
		if (load_bytes(raw, len, &l) != 0) {
			free(raw);
			unload(&l);
			continue;
		}
		free(raw);
		m = new_model(1);
		mk_release(&m->rel[0], &l);
		napps += m->rel[0].boot_apps.n;
		nvars += m->rel[0].db.n + m->rel[0].pk.n;
		nsb += m->rel[0].secure_boot == 1;
		nsc += m->rel[0].n_scrtm;
		print_message("%s: %zu scrtm, %zu fw, %zu apps, %zu drv, "
		    "sb %d, pk %zu kek %zu db %zu dbx %zu, %u banks\n",
		    de->d_name, m->rel[0].n_scrtm, m->rel[0].firmware.n,
		    m->rel[0].boot_apps.n, m->rel[0].drivers.n,
		    m->rel[0].secure_boot, m->rel[0].pk.n, m->rel[0].kek.n,
		    m->rel[0].db.n, m->rel[0].dbx.n, m->rel[0].pcrs.nbanks);
		assert_passes(m, &l, 0);
		free_model(m);
		unload(&l);
		n++;
	}
	closedir(dp);
	/* The corpus exercises the rules, not an empty release. */
	assert_true(n >= 20);
	assert_true(napps > 10);
	assert_true(nvars > 4);
	assert_true(nsb >= 3);
	assert_true(nsc >= 3);
}

/* A boot application digest the policy does not list fails and names it. */
static void
test_boot_app_changed_in_policy(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	const struct evlog_event *ev;
	const struct evlog_digest *dg;
	const struct appraise_reason *r;
	size_t i;

	(void)state;
	load(GCE, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	ev = first_of(&l, EV_EFI_BOOT_SERVICES_APPLICATION);
	dg = digest_of(ev, 0x000b);
	for (i = 0; i < m->rel[0].boot_apps.n; i++)
		if (m->rel[0].boot_apps.v[i].alg == 0x000b &&
		    memcmp(m->rel[0].boot_apps.v[i].digest, dg->bytes, 32) == 0)
			m->rel[0].boot_apps.v[i].digest[5] ^= 0x40;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_null(res.release);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_NO_RELEASE);
	assert_int_equal(res.nreasons, 2);
	r = &res.reasons[1];
	assert_int_equal(r->code, WG_ERR_POLICY_BOOT_APP);
	assert_int_equal(r->event, (long)ev->index);
	assert_int_equal(r->pcr, ev->pcr);
	assert_int_equal(r->type, EV_EFI_BOOT_SERVICES_APPLICATION);
	assert_non_null(strstr(r->text, "boot application sha256"));
	assert_non_null(strstr(r->text, "unverified"));
	assert_non_null(strstr(r->text, "rel-0"));
	free_model(m);
	unload(&l);
}

/* One event's digest changed in a copy of the log: that event is named. */
static void
test_boot_app_changed_in_log(void **state)
{
	struct loaded l, bad;
	struct policy_model *m;
	struct appraise_result res;
	const struct evlog_event *ev;
	const struct evlog_digest *dg;
	const struct appraise_reason *r;
	char hex[8];
	size_t i, off, napp = 0;

	(void)state;
	load(LENOVO, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	/* The last boot application, so an index past the first is named. */
	ev = NULL;
	for (i = 0; i < l.log->nevents; i++)
		if (l.log->events[i].type == EV_EFI_BOOT_SERVICES_APPLICATION) {
			ev = &l.log->events[i];
			napp++;
		}
	assert_non_null(ev);
	assert_true(napp >= 2);
	dg = digest_of(ev, 0x000b);
	off = (size_t)(dg->bytes - l.log->raw);
	load_flipped(&l, off, 0x01, &bad);
	run(m, &bad, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_null(res.release);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_NO_RELEASE);
	r = must_reason(&res, WG_ERR_POLICY_BOOT_APP);
	assert_int_equal(r->event, (long)ev->index);
	assert_int_equal(r->pcr, 4);
	snprintf(hex, sizeof(hex), "%02x", dg->bytes[0] ^ 0x01);
	assert_non_null(strstr(r->text, "sha256 "));
	assert_non_null(strstr(r->text, hex));
	/* Only that event among the applications; PCR 4 differs too. */
	for (i = 0; i < res.nreasons; i++)
		if (res.reasons[i].code == WG_ERR_POLICY_BOOT_APP)
			assert_int_equal(res.reasons[i].event,
			    (long)ev->index);
	r = must_reason(&res, WG_ERR_POLICY_PCR);
	assert_int_equal(r->pcr, 4);
	free_model(m);
	unload(&bad);
	unload(&l);
}

/*
 * Secure Boot required. archlinux measures SecureBoot empty (quirk: off);
 * gce-ubuntu2104-nodbx measures it as one byte 0x00 (off, and bound to
 * its digest); gentoo-x1carbon measures 0x01 (on).
 */
static void
test_secure_boot(void **state)
{
	static const char *off[] = { ARCH, GCE };
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	const struct appraise_reason *r;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		load(off[i], &l);
		m = new_model(1);
		m->rel[0].secure_boot = 1;
		run(m, &l, 0, &res);
		dump(&res);
		assert_int_equal(res.pass, 0);
		assert_null(res.release);
		assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_NO_RELEASE);
		r = must_reason(&res, WG_ERR_POLICY_SECURE_BOOT);
		assert_non_null(strstr(r->text, "Secure Boot is off"));
		assert_int_equal(r->pcr, 7);
		assert_int_equal(r->type, EV_EFI_VARIABLE_DRIVER_CONFIG);
		/* The release made from the log does not require it. */
		free_model(m);
		m = new_model(1);
		mk_release(&m->rel[0], &l);
		assert_int_equal(m->rel[0].secure_boot, -1);
		assert_passes(m, &l, 0);
		free_model(m);
		unload(&l);
	}

	load(GENTOO, &l);
	m = new_model(1);
	m->rel[0].secure_boot = 1;
	assert_passes(m, &l, 0);
	free_model(m);
	unload(&l);
}

/* A log with no SecureBoot variable at all fails a release requiring it. */
static void
test_secure_boot_not_measured(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	const struct appraise_reason *r;

	(void)state;
	load("eventlogs/hp-proliant-tpm12-bios-legacy.bin", &l);
	m = new_model(1);
	m->rel[0].secure_boot = 1;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_SECURE_BOOT);
	assert_non_null(strstr(r->text, "no SecureBoot variable"));
	free_model(m);
	unload(&l);
}

/*
 * SecureBoot data that does not hash to its digest is not believed: the
 * digest (and so the replay) is unchanged, only the data is edited.
 */
static void
test_data_not_bound(void **state)
{
	struct loaded l, bad;
	struct policy_model *m;
	struct appraise_result res;
	const struct evlog_event *ev;
	const struct appraise_reason *r;
	size_t off;

	(void)state;
	/* gce-ubuntu2104: 0x00 made 0x01 ("on") in a copy. */
	load(GCE, &l);
	ev = secureboot_event(&l, &off);
	assert_int_equal(l.raw[off], 0x00);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	m->rel[0].secure_boot = 1;
	load_flipped(&l, off, 0x01, &bad);
	run(m, &bad, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_DATA);
	assert_int_equal(r->event, (long)ev->index);
	assert_int_equal(r->type, EV_EFI_VARIABLE_DRIVER_CONFIG);
	assert_null(find_reason(&res, WG_ERR_POLICY_PCR));
	assert_null(find_reason(&res, WG_ERR_POLICY_SECURE_BOOT));
	unload(&bad);
	free_model(m);
	unload(&l);

	/* gentoo (on): any edit of the byte is refused, even with PCRs ok. */
	load(GENTOO, &l);
	ev = secureboot_event(&l, &off);
	assert_int_equal(l.raw[off], 0x01);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	assert_int_equal(m->rel[0].secure_boot, 1);
	assert_passes(m, &l, 0);
	load_flipped(&l, off, 0x02, &bad);
	run(m, &bad, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_DATA);
	assert_int_equal(r->event, (long)ev->index);
	assert_null(find_reason(&res, WG_ERR_POLICY_PCR));
	unload(&bad);
	free_model(m);
	unload(&l);
}

static void
test_pcr_mismatch(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	const struct appraise_reason *r;
	unsigned b;

	(void)state;
	load(LENOVO, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	assert_true(m->rel[0].pcrs.nbanks >= 2);
	b = m->rel[0].pcrs.nbanks - 1;
	m->rel[0].pcrs.bank[b].value[7][0] ^= 0x80;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_int_equal(res.nreasons, 2);
	r = must_reason(&res, WG_ERR_POLICY_PCR);
	assert_int_equal(r->pcr, 7);
	assert_int_equal(r->event, -1);
	assert_non_null(strstr(r->text, "PCR 7"));

	/* A bank the replay lacks is a failure, not a skip. */
	m->rel[0].pcrs.bank[b].value[7][0] ^= 0x80;
	m->rel[0].pcrs.bank[b].alg = 0x0012;	/* sm3_256: not in the log */
	m->rel[0].pcrs.bank[b].size = 32;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_PCR);
	assert_non_null(strstr(r->text, "no sm3_256 bank"));
	free_model(m);
	unload(&l);
}

/* S-CRTM, firmware blob and key database mismatches fail with their codes. */
static void
test_other_rules(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	const struct appraise_reason *r;

	(void)state;
	load(LENOVO, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	assert_true(m->rel[0].n_scrtm > 0);
	assert_true(m->rel[0].firmware.n > 0);
	assert_true(m->rel[0].db.n > 0);
	assert_true(m->rel[0].dbx.n > 0);
	m->rel[0].has_pcrs = 0;

	m->rel[0].scrtm[0][0] ^= 0x20;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_SCRTM);
	assert_int_equal(r->type, EV_S_CRTM_VERSION);
	m->rel[0].scrtm[0][0] ^= 0x20;
	assert_passes(m, &l, 0);

	m->rel[0].firmware.v[0].digest[0] ^= 1;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_FIRMWARE);
	assert_int_equal(r->pcr, 0);
	m->rel[0].firmware.v[0].digest[0] ^= 1;
	assert_passes(m, &l, 0);

	m->rel[0].dbx.v[0].digest[31] ^= 1;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	r = must_reason(&res, WG_ERR_POLICY_VARIABLE);
	assert_non_null(strstr(r->text, "dbx"));
	m->rel[0].dbx.v[0].digest[31] ^= 1;
	assert_passes(m, &l, 0);

	/* An allow-list of another bank only does not cover the event. */
	m->rel[0].boot_apps.v[0].alg = 0x000d;
	m->rel[0].boot_apps.n = 1;
	run(m, &l, 0, &res);
	assert_int_equal(res.pass, 0);
	assert_non_null(find_reason(&res, WG_ERR_POLICY_BOOT_APP));
	free_model(m);
	unload(&l);
}

static void
test_revoked(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;

	(void)state;
	load(GCE, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	m->rel[0].status = POLICY_REVOKED;
	snprintf(m->rel[0].advisory, sizeof(m->rel[0].advisory),
	    "WG-SA-2024-007");
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_ptr_equal(res.release, &m->rel[0]);
	assert_int_equal(res.nreasons, 1);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_REVOKED);
	assert_non_null(strstr(res.reasons[0].text, "WG-SA-2024-007"));
	free_model(m);
	unload(&l);
}

static void
test_deprecated(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;

	(void)state;
	load(GCE, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	m->rel[0].status = POLICY_DEPRECATED;
	m->rel[0].until = 1735689600;	/* 2025-01-01 */
	run(m, &l, 1735689599, &res);
	assert_int_equal(res.pass, 1);
	assert_int_equal(res.warning, 1);
	assert_ptr_equal(res.release, &m->rel[0]);
	run(m, &l, 1735689600, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_int_equal(res.warning, 0);
	assert_ptr_equal(res.release, &m->rel[0]);
	assert_int_equal(res.nreasons, 1);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_EXPIRED);
	assert_non_null(strstr(res.reasons[0].text, "2025-01-01"));
	free_model(m);
	unload(&l);
}

/* The first matching release is the match, not the first release. */
static void
test_second_release_matches(void **state)
{
	struct loaded l;
	struct policy_model *m;

	(void)state;
	load(GCE, &l);
	m = new_model(3);
	mk_release(&m->rel[0], &l);
	mk_release(&m->rel[1], &l);
	mk_release(&m->rel[2], &l);
	m->rel[0].boot_apps.v[0].digest[0] ^= 1;
	m->rel[2].status = POLICY_REVOKED;
	assert_passes(m, &l, 1);
	free_model(m);
	unload(&l);
}

/* No match: NO_RELEASE first, then the closest release's reasons. */
static void
test_no_match_closest(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	char want[32];
	unsigned i, b;

	(void)state;
	load(LENOVO, &l);
	m = new_model(3);
	mk_release(&m->rel[0], &l);
	mk_release(&m->rel[1], &l);
	mk_release(&m->rel[2], &l);
	/* rel-0: every PCR 0-7 of every bank wrong. */
	for (b = 0; b < m->rel[0].pcrs.nbanks; b++)
		for (i = 0; i < 8; i++)
			m->rel[0].pcrs.bank[b].value[i][3] ^= 1;
	/* rel-1: one PCR wrong (closest). rel-2: two. */
	m->rel[1].pcrs.bank[0].value[2][0] ^= 1;
	m->rel[2].pcrs.bank[0].value[1][0] ^= 1;
	m->rel[2].pcrs.bank[0].value[3][0] ^= 1;
	run(m, &l, 0, &res);
	dump(&res);
	assert_int_equal(res.pass, 0);
	assert_null(res.release);
	assert_int_equal(res.nreasons, 2);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_NO_RELEASE);
	assert_non_null(strstr(res.reasons[0].text, "rel-1"));
	assert_int_equal(res.reasons[1].code, WG_ERR_POLICY_PCR);
	assert_int_equal(res.reasons[1].pcr, 2);

	/* A tie goes to the first; reasons are capped. */
	m->rel[1].pcrs.bank[0].value[3][0] ^= 1;
	run(m, &l, 0, &res);
	assert_non_null(strstr(res.reasons[0].text, "rel-1"));
	m->rel[1].pcrs.bank[0].value[3][0] ^= 1;
	m->rel[1].pcrs.bank[0].value[2][0] ^= 1;
	m->nrel = 1;
	run(m, &l, 0, &res);
	assert_int_equal(res.nreasons, APPRAISE_MAX_REASONS);
	assert_non_null(strstr(res.reasons[0].text, "rel-0"));
	snprintf(want, sizeof(want), "fails %u checks",
	    8 * m->rel[0].pcrs.nbanks);
	assert_non_null(strstr(res.reasons[0].text, want));
	for (i = 1; i < res.nreasons; i++)
		assert_int_equal(res.reasons[i].code, WG_ERR_POLICY_PCR);
	m->nrel = 3;
	free_model(m);
	unload(&l);
}

static void
test_no_releases(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;

	(void)state;
	load(GCE, &l);
	m = new_model(0);
	run(m, &l, 0, &res);
	assert_int_equal(res.pass, 0);
	assert_null(res.release);
	assert_int_equal(res.nreasons, 1);
	assert_int_equal(res.reasons[0].code, WG_ERR_POLICY_NO_RELEASE);
	free_model(m);
	unload(&l);
}

/* Errors are errors (never a pass), and leave the result untouched. */
static void
test_errors(void **state)
{
	struct loaded l;
	struct policy_model *m;
	struct appraise_result res;
	struct wg_diag d;

	(void)state;
	load(GCE, &l);
	m = new_model(1);
	mk_release(&m->rel[0], &l);
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(appraise(NULL, l.log, &l.pcrs, 0, &res, &d),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(appraise(m, NULL, &l.pcrs, 0, &res, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(appraise(m, l.log, NULL, 0, &res, NULL),
	    WG_ERR_INVALID_ARG);
	m->rel[0].secure_boot = 0;	/* undefined */
	assert_int_equal(appraise(m, l.log, &l.pcrs, 0, &res, &d),
	    WG_ERR_INVALID_ARG);
	m->rel[0].secure_boot = -1;
	m->rel[0].status = (enum policy_status)7;
	assert_int_equal(appraise(m, l.log, &l.pcrs, 0, &res, &d),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(res.pass, 0x5a5a5a5a);
	free_model(m);
	unload(&l);
}

/*
 * The issue's own test: a policy drafted by policy_learn() from a log
 * passes that log, for every corpus log that parses; it also survives
 * print and parse (the form an administrator signs), and a draft from
 * one machine does not pass another machine's boot.
 */
static void
test_corpus_policy_learn_passes(void **state)
{
	char dir[512], rel[600], path[1200];
	struct dirent *de;
	DIR *dp;
	struct loaded l, other;
	struct policy *p = NULL, *p2 = NULL;
	struct appraise_result res;
	struct wg_diag d;
	uint8_t *raw;
	size_t len, n = 0;
	char *text;

	(void)state;
	load(GENTOO, &other);
	tu_data_path("eventlogs", dir, sizeof(dir));
	assert_non_null(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (nl < 4 || strcmp(de->d_name + nl - 4, ".bin") != 0 ||
		    strncmp(de->d_name, "negative-", 9) == 0)
			continue;
		snprintf(rel, sizeof(rel), "eventlogs/%s", de->d_name);
		tu_data_path(rel, path, sizeof(path));
		assert_int_equal(tu_read_file(path, EVLOG_DEFAULT_MAX_BYTES,
		    &raw, &len), 0);
		if (load_bytes(raw, len, &l) != 0) {
			free(raw);
			unload(&l);
			continue;
		}
		free(raw);
		wg_diag_clear(&d);
		if (policy_learn(l.log, "test", "Model X", "1.0", &p, &d) != 0)
			fail_msg("%s: learn: %s", de->d_name, d.detail);
		assert_non_null(text = policy_print(p));
		assert_int_equal(policy_parse(text, strlen(text), &p2, &d), 0);
		free(text);
		memset(&res, 0, sizeof(res));
		assert_int_equal(appraise(policy_model_find(p2, "Model X"), l.log,
		    &l.pcrs, 1700000000, &res, &d), 0);
		if (!res.pass)
			fail_msg("%s: the learned policy fails its own log: %s",
			    de->d_name, res.nreasons ? res.reasons[0].text : "");
		assert_string_equal(res.release->release, "1.0");
		if (strcmp(de->d_name, "gentoo-x1carbon-locality3.bin") != 0) {
			memset(&res, 0, sizeof(res));
			assert_int_equal(appraise(policy_model_find(p2,
			    "Model X"), other.log, &other.pcrs, 1700000000, &res,
			    &d), 0);
			if (res.pass)
				fail_msg("%s: its policy passes another boot",
				    de->d_name);
		}
		policy_free(p);
		policy_free(p2);
		p = p2 = NULL;
		unload(&l);
		n++;
	}
	closedir(dp);
	unload(&other);
	print_message("%zu corpus logs: learned, printed, parsed, passed\n", n);
	assert_true(n >= 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_learned_passes),
		cmocka_unit_test(test_corpus_policy_learn_passes),
		cmocka_unit_test(test_boot_app_changed_in_policy),
		cmocka_unit_test(test_boot_app_changed_in_log),
		cmocka_unit_test(test_secure_boot),
		cmocka_unit_test(test_secure_boot_not_measured),
		cmocka_unit_test(test_data_not_bound),
		cmocka_unit_test(test_pcr_mismatch),
		cmocka_unit_test(test_other_rules),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_deprecated),
		cmocka_unit_test(test_second_release_matches),
		cmocka_unit_test(test_no_match_closest),
		cmocka_unit_test(test_no_releases),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
