/*
 * test_store.c: the SQLite store, on real files in a private directory.
 *
 * A raw sqlite3 handle plays the attacker (or a later program) where a
 * test needs the file changed behind the store's back. The audit tests
 * recompute the chain's hashes here, from the format documented in
 * store.h, so that the format itself is pinned.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "store.h"
#include "testutil.h"
#include "wg_err.h"

static char tmpdir[64];

static int
group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/wg-store-XXXXXX", base) >=
	    (int)sizeof(tmpdir))
		return -1;
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	DIR *dir;
	struct dirent *e;
	char p[512];

	(void)state;
	if ((dir = opendir(tmpdir)) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(void)snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		(void)unlink(p);
	}
	closedir(dir);
	return rmdir(tmpdir);
}

/* A fresh path for each call. */
static const char *
db_path(char *buf, size_t len, const char *name)
{
	static unsigned seq;

	(void)snprintf(buf, len, "%s/%s-%u.db", tmpdir, name, ++seq);
	return buf;
}

static struct store *
open_ok(const char *path)
{
	struct store *s = NULL;
	struct wg_diag d;

	wg_diag_clear(&d);
	if (store_open(path, &s, &d) != 0)
		fail_msg("store_open %s: %s", path, d.detail);
	assert_non_null(s);
	return s;
}

/* ---- a raw handle: the file as anyone else sees it ---- */

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	return db;
}

static int
raw_rc(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	if (raw_rc(db, sql) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- fixtures ---- */

static void
id_of(unsigned n, char out[STORE_ID_LEN])
{
	(void)snprintf(out, STORE_ID_LEN, "%064x", n);
}

static void
fill_str(char *f, size_t cap, char c)
{
	memset(f, c, cap - 1);
	f[cap - 1] = '\0';
}

static void
fill_bytes(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 131 + (i >> 8));
}

/* A plain device, its name given. */
static void
simple_device(struct store_device *v, unsigned n, const char *name)
{
	memset(v, 0, sizeof(*v));
	id_of(n, v->device_id);
	(void)snprintf(v->name, sizeof(v->name), "%s", name);
	(void)snprintf(v->model, sizeof(v->model), "infusion-pump-x");
	(void)snprintf(v->state, sizeof(v->state), "pending");
	(void)snprintf(v->segment, sizeof(v->segment), "quarantine");
	(void)snprintf(v->reasons, sizeof(v->reasons), "[]");
	(void)snprintf(v->claims, sizeof(v->claims), "{}");
	v->ak_pub_len = 3;
	v->ak_pub[0] = 0x00;
	v->ak_pub[1] = 0xff;
	v->ak_pub[2] = 0x00;
}

/* Every field at or near its limit. */
static void
full_device(struct store_device *v)
{
	memset(v, 0, sizeof(*v));
	fill_str(v->device_id, sizeof(v->device_id), 'e');
	fill_str(v->release, sizeof(v->release), 'r');
	fill_str(v->name, sizeof(v->name), 'n');
	v->name[0] = 'N';
	fill_str(v->model, sizeof(v->model), 'm');
	fill_str(v->owner, sizeof(v->owner), 'o');
	(void)snprintf(v->owner, 32, "Radiologie \xc3\xa9tage 3 ");
	v->owner[strlen(v->owner)] = 'o';	/* UTF-8, then padding */
	fill_str(v->serial, sizeof(v->serial), 's');
	(void)snprintf(v->mac, sizeof(v->mac), "aa:bb:cc:dd:ee:ff");
	(void)snprintf(v->state, sizeof(v->state), "decommissioned");
	fill_str(v->segment, sizeof(v->segment), 'g');
	fill_str(v->reasons, sizeof(v->reasons), 'r');
	fill_str(v->claims, sizeof(v->claims), 'c');
	v->approved = 1;
	v->ek_pub_len = STORE_PUB_MAX;
	fill_bytes(v->ek_pub, v->ek_pub_len, 1);
	v->ek_cert_len = STORE_CERT_MAX;
	fill_bytes(v->ek_cert, v->ek_cert_len, 2);
	v->ek_cert[0] = 0;	/* a NUL first: blobs are not strings */
	v->ak_pub_len = 358;
	fill_bytes(v->ak_pub, v->ak_pub_len, 3);
	v->enrolled_at = INT64_MIN;
	v->state_since = INT64_MAX;
	v->last_attest_at = -1;
	v->last_good_at = 1700000000;
	v->attest_interval = UINT32_MAX;
	v->has_clock = 1;
	v->clock = (UINT64_C(1) << 63) + 12345;
	v->reset_count = UINT32_MAX;
	v->restart_count = UINT32_MAX - 1;
	fill_str(v->eventlog_sha256, sizeof(v->eventlog_sha256), 'a');
	v->attest_count = UINT64_MAX;
	v->fail_count = UINT64_C(1) << 63;
}

static void
assert_device_equal(const struct store_device *a, const struct store_device *b)
{
	assert_string_equal(a->device_id, b->device_id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->model, b->model);
	assert_string_equal(a->owner, b->owner);
	assert_string_equal(a->serial, b->serial);
	assert_string_equal(a->mac, b->mac);
	assert_string_equal(a->state, b->state);
	assert_string_equal(a->segment, b->segment);
	assert_string_equal(a->reasons, b->reasons);
	assert_string_equal(a->claims, b->claims);
	assert_int_equal(a->approved, b->approved);
	assert_int_equal(a->ek_pub_len, b->ek_pub_len);
	assert_memory_equal(a->ek_pub, b->ek_pub, a->ek_pub_len);
	assert_int_equal(a->ek_cert_len, b->ek_cert_len);
	assert_memory_equal(a->ek_cert, b->ek_cert, a->ek_cert_len);
	assert_int_equal(a->ak_pub_len, b->ak_pub_len);
	assert_memory_equal(a->ak_pub, b->ak_pub, a->ak_pub_len);
	assert_true(a->enrolled_at == b->enrolled_at);
	assert_true(a->state_since == b->state_since);
	assert_true(a->last_attest_at == b->last_attest_at);
	assert_true(a->last_good_at == b->last_good_at);
	assert_true(a->attest_interval == b->attest_interval);
	assert_int_equal(a->has_clock, b->has_clock);
	assert_true(a->clock == b->clock);
	assert_true(a->reset_count == b->reset_count);
	assert_true(a->restart_count == b->restart_count);
	assert_string_equal(a->eventlog_sha256, b->eventlog_sha256);
	assert_true(a->attest_count == b->attest_count);
	assert_true(a->fail_count == b->fail_count);
}

static void
put_device(struct store *s, const struct store_device *v)
{
	struct wg_diag d;

	wg_diag_clear(&d);
	if (store_device_put(s, v, &d) != 0)
		fail_msg("device_put: %s", d.detail);
}

static const uint8_t quote145[145] = { 0xff, 0x54, 0x43, 0x47, 0x80, 0x18 };
static const uint8_t sig72[72] = { 0x00, 0x18, 0x00, 0x0b };

static void
simple_attestation(struct store_attestation *a, const char *device_id)
{
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->device_id, sizeof(a->device_id), "%s", device_id);
	a->at = 1700000100;
	a->pass = 1;
	a->reasons = "[]";
	a->quote = quote145;
	a->quote_len = sizeof(quote145);
	a->sig = sig72;
	a->sig_len = sizeof(sig72);
	fill_str(a->nonce, sizeof(a->nonce), '7');
	a->clock = 1000;
}

static int64_t
count_attestations(struct store *s, const char *device_id)
{
	int64_t n = -1;

	assert_int_equal(store_attestation_count(s, device_id, &n, NULL), 0);
	return n;
}

/* ---- open, close, schema ---- */

static void
test_open_reopen_keeps_data(void **state)
{
	char path[256], wal[300];
	struct store *s;
	struct store_provision p, got;
	struct stat sb;
	mode_t old;

	(void)state;
	db_path(path, sizeof(path), "reopen");
	old = umask(022);
	s = open_ok(path);
	(void)umask(old);
	assert_int_equal(store_schema_version(s), 7);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	memset(&p, 0, sizeof(p));
	id_of(1, p.ek_fpr);
	(void)snprintf(p.name, sizeof(p.name), "pump-1");
	p.created_at = 42;
	assert_int_equal(store_provision_put(s, &p, NULL), 0);
	/* SQLite gives the WAL the main file's mode. */
	(void)snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	store_close(s);

	s = open_ok(path);
	assert_int_equal(store_schema_version(s), 7);
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL), 0);
	assert_string_equal(got.name, "pump-1");
	store_close(s);
	store_close(NULL);
}

/* The schema as text, to compare before and after. */
static char *
schema_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *t;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(type ||"
	    " name || coalesce(sql, ''), '|') FROM (SELECT * FROM"
	    " sqlite_master ORDER BY name)", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(sqlite3_column_text(st, 0));
	t = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_non_null(t);
	return t;
}

static void
test_migrations_idempotent(void **state)
{
	char path[256];
	struct store *a, *b;
	sqlite3 *db;
	char *before, *after;

	(void)state;
	db_path(path, sizeof(path), "migrate");
	a = open_ok(path);
	db = raw_open(path);
	before = schema_text(db);
	assert_true(strstr(before, "CREATE TABLE audit") != NULL);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 7);
	assert_int_equal(raw_int(db, "PRAGMA application_id"), 0x57474154);
	/* A second store on the migrated file, and a reopen: no change. */
	b = open_ok(path);
	store_close(a);
	store_close(b);
	a = open_ok(path);
	store_close(a);
	after = schema_text(db);
	assert_string_equal(before, after);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 7);
	free(before);
	free(after);
	sqlite3_close(db);
}

static void
test_newer_schema_refused(void **state)
{
	char path[256];
	struct store *s = NULL;
	struct wg_diag d;
	sqlite3 *db;
	uint8_t *f1 = NULL, *f2 = NULL;
	size_t n1 = 0, n2 = 0;

	(void)state;
	db_path(path, sizeof(path), "newer");
	store_close(open_ok(path));
	db = raw_open(path);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);

	assert_int_equal(tu_read_file(path, 1 << 24, &f1, &n1), 0);
	wg_diag_clear(&d);
	assert_int_equal(store_open(path, &s, &d), WG_ERR_DB_SCHEMA);
	assert_null(s);
	assert_int_equal(d.err, WG_ERR_DB_SCHEMA);
	assert_int_equal(tu_read_file(path, 1 << 24, &f2, &n2), 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(f1, f2, n1);
	db = raw_open(path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
	sqlite3_close(db);
	free(f1);
	free(f2);
}

static void
test_foreign_files_refused(void **state)
{
	char path[256], link[300];
	struct store *s = NULL;
	sqlite3 *db;

	(void)state;
	/* Another program's database. */
	db_path(path, sizeof(path), "foreign");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	raw_exec(db, "CREATE TABLE patients (id INTEGER)");
	sqlite3_close(db);
	assert_int_equal(store_open(path, &s, NULL), WG_ERR_DB);
	assert_null(s);

	/* Not SQLite at all. */
	db_path(path, sizeof(path), "garbage");
	{
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("this is not an SQLite database, it is long enough to "
		    "have a header that SQLite reads and rejects entirely.\n",
		    f);
		fclose(f);
		assert_int_equal(chmod(path, 0600), 0);
	}
	assert_int_equal(store_open(path, &s, NULL), WG_ERR_DB);

	/* A symbolic link to a good store. */
	db_path(path, sizeof(path), "target");
	store_close(open_ok(path));
	(void)snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(store_open(link, &s, NULL), WG_ERR_IO);

	/* A store anyone may write. */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(store_open(path, &s, NULL), WG_ERR_IO);
	assert_null(s);
}

/* ---- provisioning ---- */

static void
test_provision(void **state)
{
	char path[256];
	struct store *s;
	struct store_provision p, got;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "prov"));
	memset(&p, 0, sizeof(p));
	id_of(7, p.ek_fpr);
	(void)snprintf(p.name, sizeof(p.name), "ventilator");
	(void)snprintf(p.serial, sizeof(p.serial), "SN-1");
	(void)snprintf(p.model, sizeof(p.model), "V500");
	(void)snprintf(p.owner, sizeof(p.owner), "ICU");
	(void)snprintf(p.mac, sizeof(p.mac), "02:00:00:00:00:07");
	p.created_at = -5;
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_provision_put(s, &p, NULL), 0);
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL), 0);
	assert_memory_equal(&got, &p, sizeof(p));

	/* Replace. */
	(void)snprintf(p.owner, sizeof(p.owner), "Cardiology");
	fill_str(p.serial, sizeof(p.serial), 'z');
	assert_int_equal(store_provision_put(s, &p, NULL), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL), 0);
	assert_memory_equal(&got, &p, sizeof(p));

	/* Too long: refused, the old record stays. */
	memset(p.owner, 'x', sizeof(p.owner));
	assert_int_equal(store_provision_put(s, &p, NULL), WG_ERR_TOO_LARGE);
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL), 0);
	assert_string_equal(got.owner, "Cardiology");
	memset(&got, 0x5a, sizeof(got));
	id_of(8, p.ek_fpr);
	assert_int_equal(store_provision_get(s, p.ek_fpr, &got, NULL),
	    WG_ERR_NOT_FOUND);
	/* Untouched on failure. */
	assert_int_equal(got.created_at, 0x5a5a5a5a5a5a5a5a);
	assert_int_equal(store_provision_get(s, "", &got, NULL),
	    WG_ERR_INVALID_ARG);
	store_close(s);
}

struct clash_seen {
	unsigned n;
	char text[1024];
	int stop_at;
};

static int
clash_cb(const struct store_clash *c, void *arg)
{
	struct clash_seen *cs = arg;
	size_t len = strlen(cs->text);

	(void)snprintf(cs->text + len, sizeof(cs->text) - len,
	    "%s %s %.3s %s %s;", c->col, c->table, c->ek_fpr + 61, c->name,
	    c->state);
	return ++cs->n == (unsigned)cs->stop_at ? 42 : 0;
}

/* Another EK's record or device with the same MAC, name, model+serial. */
static void
test_provision_clashes(void **state)
{
	char path[256];
	struct store *s;
	struct store_provision p, q;
	struct store_device *v = calloc(1, sizeof(*v));
	struct clash_seen cs;

	(void)state;
	assert_non_null(v);
	s = open_ok(db_path(path, sizeof(path), "clash"));
	memset(&p, 0, sizeof(p));
	id_of(1, p.ek_fpr);
	(void)snprintf(p.name, sizeof(p.name), "pump-1");
	(void)snprintf(p.serial, sizeof(p.serial), "SN-1");
	(void)snprintf(p.model, sizeof(p.model), "P1");
	(void)snprintf(p.mac, sizeof(p.mac), "02:00:00:00:00:01");
	assert_int_equal(store_provision_put(s, &p, NULL), 0);
	/* A device of another EK (no record) with the same name. */
	simple_device(v, 2, "pump-1");
	(void)snprintf(v->serial, sizeof(v->serial), "SN-1");
	(void)snprintf(v->state, sizeof(v->state), "decommissioned");
	put_device(s, v);

	/* Its own EK: nothing from its record. */
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_provision_clashes(s, &p, clash_cb, &cs, NULL),
	    0);
	assert_string_equal(cs.text, "name devices 002 pump-1 "
	    "decommissioned;");

	/* Another EK: MAC, then name, then model and serial. */
	q = p;
	id_of(3, q.ek_fpr);
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    0);
	assert_string_equal(cs.text,
	    "mac provisioning 001 pump-1 ;"
	    "name provisioning 001 pump-1 ;"
	    "name devices 002 pump-1 decommissioned;"
	    "serial provisioning 001 pump-1 ;");

	/* The device's model differs: its serial alone is no clash. */
	(void)snprintf(q.model, sizeof(q.model), "infusion-pump-x");
	(void)snprintf(q.name, sizeof(q.name), "other");
	(void)snprintf(q.mac, sizeof(q.mac), "02:00:00:00:00:09");
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    0);
	assert_string_equal(cs.text, "serial devices 002 pump-1 "
	    "decommissioned;");

	/* Empty values match nothing (the device's MAC is ""). */
	q.mac[0] = '\0';
	q.serial[0] = '\0';
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    0);
	assert_int_equal(cs.n, 0);

	/* The callback stops the walk. */
	q = p;
	id_of(3, q.ek_fpr);
	memset(&cs, 0, sizeof(cs));
	cs.stop_at = 2;
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    42);
	assert_int_equal(cs.n, 2);
	/* The statement was reset: a second walk sees all again. */
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    0);
	assert_int_equal(cs.n, 4);

	q.ek_fpr[0] = '\0';
	assert_int_equal(store_provision_clashes(s, &q, clash_cb, &cs, NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(store_provision_clashes(s, &p, NULL, &cs, NULL),
	    WG_ERR_INVALID_ARG);
	store_close(s);
	free(v);
}

/* ---- devices ---- */

static void
test_device_roundtrip(void **state)
{
	char path[256];
	struct store *s;
	struct store_device *v = calloc(1, sizeof(*v));
	struct store_device *got = calloc(1, sizeof(*got));
	struct wg_diag d;

	(void)state;
	assert_non_null(v);
	assert_non_null(got);
	s = open_ok(db_path(path, sizeof(path), "device"));
	full_device(v);
	assert_int_equal(store_device_get(s, v->device_id, got, NULL),
	    WG_ERR_NOT_FOUND);
	put_device(s, v);
	wg_diag_clear(&d);
	if (store_device_get(s, v->device_id, got, &d) != 0)
		fail_msg("device_get: %s", d.detail);
	assert_device_equal(got, v);

	/* Survives a reopen. */
	store_close(s);
	s = open_ok(path);
	memset(got, 0, sizeof(*got));
	assert_int_equal(store_device_get(s, v->device_id, got, NULL), 0);
	assert_device_equal(got, v);

	/* Update in place: no clock, empty blobs and log reference. */
	v->has_clock = 0;
	v->clock = 99;
	v->reset_count = 1;
	v->restart_count = 2;
	v->ek_pub_len = 0;
	v->ek_cert_len = 0;
	v->ak_pub_len = 0;
	v->eventlog_sha256[0] = '\0';
	v->approved = 7;	/* any true value reads back as 1 */
	v->attest_count = 0;
	put_device(s, v);
	assert_int_equal(store_device_get(s, v->device_id, got, NULL), 0);
	v->clock = 0;
	v->reset_count = 0;
	v->restart_count = 0;
	v->approved = 1;
	assert_device_equal(got, v);
	store_close(s);
	free(v);
	free(got);
}

struct walk {
	char names[8][STORE_TEXT_LEN];
	char ids[8][STORE_ID_LEN];
	int n, stop_after;
	struct store *s;
	int inner;
};

static int
walk_cb(const struct store_device *dev, void *arg)
{
	struct walk *w = arg;

	if (w->n < 8) {
		memcpy(w->names[w->n], dev->name, STORE_TEXT_LEN);
		memcpy(w->ids[w->n], dev->device_id, STORE_ID_LEN);
	}
	w->n++;
	if (w->s != NULL)
		w->inner = store_device_each(w->s, walk_cb, w, NULL);
	return w->n == w->stop_after ? 42 : 0;
}

static void
test_device_each(void **state)
{
	char path[256];
	struct store *s;
	struct store_device *v = calloc(1, sizeof(*v));
	struct walk w;

	(void)state;
	assert_non_null(v);
	s = open_ok(db_path(path, sizeof(path), "each"));
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_device_each(s, walk_cb, &w, NULL), 0);
	assert_int_equal(w.n, 0);

	simple_device(v, 5, "bravo");
	put_device(s, v);
	simple_device(v, 9, "alpha");
	put_device(s, v);
	simple_device(v, 2, "charlie");
	put_device(s, v);
	simple_device(v, 3, "alpha");
	put_device(s, v);

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_device_each(s, walk_cb, &w, NULL), 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.names[0], "alpha");
	assert_string_equal(w.ids[0] + 60, "0003");
	assert_string_equal(w.names[1], "alpha");
	assert_string_equal(w.ids[1] + 60, "0009");
	assert_string_equal(w.names[2], "bravo");
	assert_string_equal(w.names[3], "charlie");

	/* Early stop: the callback's value comes back. */
	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	assert_int_equal(store_device_each(s, walk_cb, &w, NULL), 42);
	assert_int_equal(w.n, 2);

	/* No walk inside a walk; the outer walk goes on. */
	memset(&w, 0, sizeof(w));
	w.s = s;
	assert_int_equal(store_device_each(s, walk_cb, &w, NULL), 0);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.inner, WG_ERR_INVALID_ARG);

	/* And a walk can run again afterwards (the statement was reset). */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_device_each(s, walk_cb, &w, NULL), 0);
	assert_int_equal(w.n, 4);
	store_close(s);
	free(v);
}

static void
test_too_long_refused(void **state)
{
	char path[256];
	struct store *s;
	struct store_device *v = calloc(1, sizeof(*v));
	struct store_device *got = calloc(1, sizeof(*got));
	struct store_attestation a;
	struct store_audit au;
	char *big;
	sqlite3 *db;
	int64_t rows = -1;

	(void)state;
	assert_non_null(v);
	assert_non_null(got);
	big = malloc(STORE_AUDIT_TEXT_MAX + 2);
	assert_non_null(big);
	s = open_ok(db_path(path, sizeof(path), "toolong"));

#define REFUSED(field) do { \
	simple_device(v, 1, "x"); \
	memset(v->field, 'q', sizeof(v->field)); \
	assert_int_equal(store_device_put(s, v, NULL), WG_ERR_TOO_LARGE); \
} while (0)
	REFUSED(device_id);
	REFUSED(name);
	REFUSED(model);
	REFUSED(owner);
	REFUSED(serial);
	REFUSED(mac);
	REFUSED(state);
	REFUSED(segment);
	REFUSED(reasons);
	REFUSED(claims);
	REFUSED(eventlog_sha256);
#undef REFUSED
	simple_device(v, 1, "x");
	v->ek_cert_len = STORE_CERT_MAX + 1;
	assert_int_equal(store_device_put(s, v, NULL), WG_ERR_TOO_LARGE);
	v->ek_cert_len = 0;
	v->ak_pub_len = STORE_PUB_MAX + 1;
	assert_int_equal(store_device_put(s, v, NULL), WG_ERR_TOO_LARGE);
	v->ak_pub_len = 0;
	v->ek_pub_len = STORE_PUB_MAX + 1;
	assert_int_equal(store_device_put(s, v, NULL), WG_ERR_TOO_LARGE);
	assert_int_equal(store_device_get(s, v->device_id, got, NULL),
	    WG_ERR_NOT_FOUND);

	/* An exact fit is fine. */
	simple_device(v, 1, "x");
	fill_str(v->mac, sizeof(v->mac), 'm');
	put_device(s, v);

	simple_attestation(&a, v->device_id);
	memset(big, 'r', STORE_REASONS_LEN);
	big[STORE_REASONS_LEN] = '\0';
	a.reasons = big;
	assert_int_equal(store_attestation_add(s, &a, NULL), WG_ERR_TOO_LARGE);
	a.reasons = "[]";
	a.quote_len = STORE_EVIDENCE_MAX + 1;
	assert_int_equal(store_attestation_add(s, &a, NULL), WG_ERR_TOO_LARGE);
	a.quote_len = sizeof(quote145);
	memset(a.nonce, 'n', sizeof(a.nonce));
	assert_int_equal(store_attestation_add(s, &a, NULL), WG_ERR_TOO_LARGE);
	assert_int_equal(count_attestations(s, NULL), 0);

	memset(&au, 0, sizeof(au));
	au.actor = "admin:uid=0";
	au.action = "approve";
	memset(big, 'd', STORE_AUDIT_TEXT_MAX + 1);
	big[STORE_AUDIT_TEXT_MAX + 1] = '\0';
	au.detail = big;
	assert_int_equal(store_audit_add(s, &au, NULL), WG_ERR_TOO_LARGE);
	big[STORE_AUDIT_TEXT_MAX] = '\0';	/* exactly the limit */
	assert_int_equal(store_audit_add(s, &au, NULL), 0);
	au.detail = NULL;
	au.actor = NULL;
	assert_int_equal(store_audit_add(s, &au, NULL), WG_ERR_INVALID_ARG);
	assert_int_equal(store_audit_verify(s, &rows, NULL, NULL), 0);
	assert_int_equal(rows, 1);

	assert_int_equal(store_ek_block(s, v->device_id, big, NULL),
	    WG_ERR_TOO_LARGE);
	assert_int_equal(store_ek_blocked(s, v->device_id, NULL), 0);
	store_close(s);

	db = raw_open(path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM devices"), 1);
	sqlite3_close(db);
	free(big);
	free(v);
	free(got);
}

/* What the file holds that does not fit the struct is refused, not cut. */
static void
test_read_refuses_unfit(void **state)
{
	static const char *const bad[] = {
		"UPDATE devices SET name = printf('%.200c', 'n')",
		"UPDATE devices SET mac = 'aa:bb:cc:dd:ee:ff:0'",
		"UPDATE devices SET claims = CAST(X'7b00417d' AS TEXT)",
		"UPDATE devices SET last_good_at = 'soon'",
		"UPDATE devices SET owner = X'41'",
		"UPDATE devices SET ek_cert = zeroblob(4097)",
		"UPDATE devices SET ak_pub = 'text'",
		"UPDATE devices SET attest_interval = 4294967296",
		"UPDATE devices SET reset_count = -1",
		"UPDATE devices SET approved = 2",
		"UPDATE devices SET enrolled_at = 1.5",
		"UPDATE devices SET eventlog_sha256 = printf('%.65c', 'a')",
		"UPDATE devices SET clock = NULL",
	};
	char path[256];
	struct store *s;
	struct store_device *v = calloc(1, sizeof(*v));
	struct store_device *got = calloc(1, sizeof(*got));
	struct wg_diag d;
	sqlite3 *db;
	size_t i;

	(void)state;
	assert_non_null(v);
	assert_non_null(got);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = open_ok(db_path(path, sizeof(path), "unfit"));
		simple_device(v, 1, "ok");
		v->has_clock = 1;
		v->clock = 5;
		put_device(s, v);
		db = raw_open(path);
		raw_exec(db, "PRAGMA ignore_check_constraints = ON");
		raw_exec(db, bad[i]);
		sqlite3_close(db);
		memset(got, 0x33, sizeof(*got));
		wg_diag_clear(&d);
		if (store_device_get(s, v->device_id, got, &d) != WG_ERR_DB)
			fail_msg("accepted after: %s", bad[i]);
		assert_int_equal(got->approved, 0x33333333); /* untouched */
		store_close(s);
	}
	free(v);
	free(got);
}

/* ---- event logs ---- */

static void
sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t h[32];
	unsigned i;

	assert_int_equal(EVP_Digest(p, n, h, NULL, EVP_sha256(), NULL), 1);
	for (i = 0; i < 32; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
test_eventlog(void **state)
{
	char path[256], hex[65], upper[65], other[65];
	struct store *s;
	uint8_t log[3000], *got = NULL;
	size_t len = 0, i;
	sqlite3 *db;

	(void)state;
	fill_bytes(log, sizeof(log), 9);
	sha256_hex(log, sizeof(log), hex);
	s = open_ok(db_path(path, sizeof(path), "evlog"));
	assert_int_equal(store_eventlog_get(s, hex, &got, &len, NULL),
	    WG_ERR_NOT_FOUND);
	assert_null(got);
	assert_int_equal(store_eventlog_put(s, hex, log, sizeof(log), NULL),
	    0);
	assert_int_equal(store_eventlog_put(s, hex, log, sizeof(log), NULL),
	    0);
	assert_int_equal(store_eventlog_get(s, hex, &got, &len, NULL), 0);
	assert_int_equal(len, sizeof(log));
	assert_memory_equal(got, log, sizeof(log));
	free(got);
	got = NULL;

	/* The bytes must be those of the hash. */
	sha256_hex(log, 10, other);
	assert_int_equal(store_eventlog_put(s, other, log, sizeof(log), NULL),
	    WG_ERR_EVENTLOG_HASH);
	for (i = 0; i < 64; i++)
		upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
	upper[64] = '\0';
	assert_int_equal(store_eventlog_put(s, upper, log, sizeof(log), NULL),
	    WG_ERR_INVALID_ARG);
	assert_int_equal(store_eventlog_get(s, other, &got, &len, NULL),
	    WG_ERR_NOT_FOUND);

	db = raw_open(path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM eventlogs"), 1);
	/* Changed in the file: the store notices on read. */
	raw_exec(db, "UPDATE eventlogs SET data = zeroblob(3000)");
	sqlite3_close(db);
	assert_int_equal(store_eventlog_get(s, hex, &got, &len, NULL),
	    WG_ERR_DB);
	assert_null(got);

	/* Over the limit, even with a matching hash: refused on both ways. */
	{
		size_t n = STORE_EVENTLOG_MAX + 1;
		uint8_t *huge = calloc(1, n);
		sqlite3_stmt *st;

		assert_non_null(huge);
		sha256_hex(huge, n, hex);
		assert_int_equal(store_eventlog_put(s, hex, huge, n, NULL),
		    WG_ERR_TOO_LARGE);
		db = raw_open(path);
		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO eventlogs"
		    " (sha256, data, stored_at) VALUES (?, ?, 0)", -1, &st,
		    NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, hex, 64, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, huge, (int)n, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		sqlite3_close(db);
		assert_int_equal(store_eventlog_get(s, hex, &got, &len, NULL),
		    WG_ERR_DB);
		assert_null(got);
		free(huge);
	}
	store_close(s);
}

/* ---- attestations ---- */

static void
test_attestation(void **state)
{
	char path[256], id1[STORE_ID_LEN], id2[STORE_ID_LEN];
	struct store *s;
	struct store_device v;
	struct store_attestation a;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "attest"));
	simple_device(&v, 1, "one");
	put_device(s, &v);
	memcpy(id1, v.device_id, sizeof(id1));
	simple_device(&v, 2, "two");
	put_device(s, &v);
	memcpy(id2, v.device_id, sizeof(id2));

	simple_attestation(&a, id1);
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	a.pass = 0;
	a.reasons = "[{\"code\":\"SIGNATURE\",\"message\":\"bad\"}]";
	a.pcrs = "{\"sha256\":{\"0\":\"00\"}}";
	(void)snprintf(a.eventlog_sha256, sizeof(a.eventlog_sha256), "%s",
	    id2);	/* any hex: no log need be held */
	a.clock = UINT64_MAX;
	a.reset_count = UINT32_MAX;
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	simple_attestation(&a, id2);
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);

	/* Unknown device: refused, nothing written. */
	id_of(3, a.device_id);
	assert_int_equal(store_attestation_add(s, &a, NULL), WG_ERR_NOT_FOUND);
	assert_int_equal(count_attestations(s, id1), 2);
	assert_int_equal(count_attestations(s, id2), 1);
	assert_int_equal(count_attestations(s, a.device_id), 0);
	assert_int_equal(count_attestations(s, NULL), 3);

	/* The raw evidence is byte-exact in the file. */
	db = raw_open(path);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT quote, sig, clock,"
	    " reset_count, pcrs, eventlog_sha256 FROM attestations"
	    " ORDER BY id", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 145);
	assert_memory_equal(sqlite3_column_blob(st, 0), quote145, 145);
	assert_int_equal(sqlite3_column_bytes(st, 1), 72);
	assert_memory_equal(sqlite3_column_blob(st, 1), sig72, 72);
	assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
	assert_int_equal(sqlite3_column_type(st, 5), SQLITE_NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_true(sqlite3_column_int64(st, 2) == -1); /* UINT64_MAX */
	assert_true(sqlite3_column_int64(st, 3) == UINT32_MAX);
	assert_string_equal(sqlite3_column_text(st, 4),
	    "{\"sha256\":{\"0\":\"00\"}}");
	assert_string_equal(sqlite3_column_text(st, 5), id2);
	sqlite3_finalize(st);
	sqlite3_close(db);
	store_close(s);
}

/* ---- transactions ---- */

static void
test_rollback_leaves_nothing(void **state)
{
	char path[256], hex[65];
	struct store *s;
	struct store_device v, got;
	struct store_attestation a;
	struct store_audit au;
	struct store_provision p;
	uint8_t log[100], *lg = NULL;
	size_t len;
	int64_t rows = -1;
	struct wg_diag d;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "rollback"));
	store_rollback(s);	/* no transaction: nothing happens */
	fill_bytes(log, sizeof(log), 4);
	sha256_hex(log, sizeof(log), hex);
	memset(&au, 0, sizeof(au));
	au.actor = "gateway";
	au.action = "state";
	au.before = "pending";
	au.after = "trusted";
	memset(&p, 0, sizeof(p));
	id_of(1, p.ek_fpr);

	assert_int_equal(store_begin(s, NULL), 0);
	wg_diag_clear(&d);
	assert_int_equal(store_begin(s, &d), WG_ERR_DB);	/* nested */
	simple_device(&v, 1, "one");
	put_device(s, &v);
	simple_attestation(&a, v.device_id);
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	assert_int_equal(store_audit_add(s, &au, NULL), 0);
	assert_int_equal(store_audit_add(s, &au, NULL), 0);
	assert_int_equal(store_eventlog_put(s, hex, log, sizeof(log), NULL),
	    0);
	assert_int_equal(store_provision_put(s, &p, NULL), 0);
	assert_int_equal(store_ek_block(s, p.ek_fpr, "test", NULL), 0);
	/* Visible inside the transaction... */
	assert_int_equal(store_device_get(s, v.device_id, &got, NULL), 0);
	assert_int_equal(count_attestations(s, NULL), 1);
	store_rollback(s);

	/* ...and gone after it. */
	assert_int_equal(store_device_get(s, v.device_id, &got, NULL),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(count_attestations(s, NULL), 0);
	assert_int_equal(store_audit_verify(s, &rows, NULL, NULL), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(store_eventlog_get(s, hex, &lg, &len, NULL),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_provision_get(s, p.ek_fpr, &p, NULL),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_ek_blocked(s, p.ek_fpr, NULL), 0);

	/* The same work committed is there, across a reopen. */
	assert_int_equal(store_begin(s, NULL), 0);
	put_device(s, &v);
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	assert_int_equal(store_audit_add(s, &au, NULL), 0);
	assert_int_equal(store_commit(s, NULL), 0);
	store_close(s);
	s = open_ok(path);
	assert_int_equal(store_device_get(s, v.device_id, &got, NULL), 0);
	assert_int_equal(count_attestations(s, NULL), 1);
	assert_int_equal(store_audit_verify(s, &rows, NULL, NULL), 0);
	assert_int_equal(rows, 1);
	wg_diag_clear(&d);
	assert_int_equal(store_commit(s, &d), WG_ERR_DB);	/* none open */
	store_close(s);
}

/* ---- audit chain ---- */

/* The documented row hash, computed independently of store.c. */
struct row {
	int64_t id, at;
	/* actor, device_id, action, before, after, detail */
	const char *f[6];
};

static void
put64(EVP_MD_CTX *c, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	assert_int_equal(EVP_DigestUpdate(c, b, 8), 1);
}

static void
row_hash(const uint8_t prev[32], const struct row *r, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t tag;
	int i;

	assert_non_null(c);
	assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(c, prev, 32), 1);
	assert_int_equal(EVP_DigestUpdate(c, "wardgate-audit-v1", 17), 1);
	put64(c, (uint64_t)r->id);
	put64(c, (uint64_t)r->at);
	for (i = 0; i < 6; i++) {
		tag = r->f[i] != NULL;
		assert_int_equal(EVP_DigestUpdate(c, &tag, 1), 1);
		if (r->f[i] == NULL)
			continue;
		put64(c, strlen(r->f[i]));
		assert_int_equal(EVP_DigestUpdate(c, r->f[i],
		    strlen(r->f[i])), 1);
	}
	assert_int_equal(EVP_DigestFinal_ex(c, out, NULL), 1);
	EVP_MD_CTX_free(c);
}

static const struct store_audit audit_rows[5] = {
	{ 1700000001, "agent", "dev-a", "enroll", NULL, "pending", NULL },
	{ 1700000002, "admin:uid=0", "dev-a", "approve", "", "", "" },
	{ 1700000003, "gateway", "dev-a", "state", "pending", "trusted",
	    "{\"verdict\":\"pass\"}" },
	{ -1, "gateway", NULL, "policy", NULL, NULL, "bundle v7" },
	{ 1700000005, "admin:uid=1000", "dev-a", "decommission", "trusted",
	    "decommissioned", "EK blocked" },
};

/* A store with the five rows above; returns its path in buf. */
static struct store *
audited_store(char *buf, size_t len, const char *name)
{
	struct store *s = open_ok(db_path(buf, len, name));
	unsigned i;

	for (i = 0; i < 5; i++)
		assert_int_equal(store_audit_add(s, &audit_rows[i], NULL), 0);
	return s;
}

/* Drops the append-only triggers, as an attacker with the file can. */
static sqlite3 *
attacker(const char *path)
{
	sqlite3 *db = raw_open(path);

	raw_exec(db, "DROP TRIGGER audit_no_update");
	raw_exec(db, "DROP TRIGGER audit_no_delete");
	return db;
}

static void
expect_bad_why(struct store *s, int64_t row, const char *why)
{
	int64_t rows = -7, bad = -1;
	struct wg_diag d;

	wg_diag_clear(&d);
	assert_int_equal(store_audit_verify(s, &rows, &bad, &d),
	    WG_ERR_FORMAT);
	assert_int_equal(bad, row);
	assert_int_equal(rows, -7);	/* untouched on failure */
	assert_int_equal(d.err, WG_ERR_FORMAT);
	if (why != NULL && strstr(d.detail, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", d.detail, why);
}

static void
expect_bad(struct store *s, int64_t row)
{
	expect_bad_why(s, row, NULL);
}

static void
test_audit_chain_verifies(void **state)
{
	char path[256];
	struct store *s;
	int64_t rows = -1, bad = -1, head = -1;
	uint8_t h[32], prev[32], want[32];
	struct row r;
	sqlite3 *db;
	sqlite3_stmt *st;
	unsigned i;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "audit-empty"));
	assert_int_equal(store_audit_verify(s, &rows, &bad, NULL), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(bad, -1);
	assert_int_equal(store_audit_head(s, &head, h, NULL), 0);
	assert_int_equal(head, 0);
	memset(want, 0, sizeof(want));
	assert_memory_equal(h, want, 32);
	store_close(s);

	s = audited_store(path, sizeof(path), "audit");
	assert_int_equal(store_audit_verify(s, &rows, &bad, NULL), 0);
	assert_int_equal(rows, 5);

	/* Each stored hash is the documented one, chained from zeros. */
	memset(prev, 0, sizeof(prev));
	db = raw_open(path);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, prev_hash, hash"
	    " FROM audit ORDER BY id", -1, &st, NULL), SQLITE_OK);
	for (i = 0; i < 5; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(st, 0), i + 1);
		r.id = i + 1;
		r.at = audit_rows[i].at;
		r.f[0] = audit_rows[i].actor;
		r.f[1] = audit_rows[i].device_id;
		r.f[2] = audit_rows[i].action;
		r.f[3] = audit_rows[i].before;
		r.f[4] = audit_rows[i].after;
		r.f[5] = audit_rows[i].detail;
		row_hash(prev, &r, want);
		assert_memory_equal(sqlite3_column_blob(st, 1), prev, 32);
		assert_memory_equal(sqlite3_column_blob(st, 2), want, 32);
		memcpy(prev, want, 32);
	}
	sqlite3_finalize(st);

	/* The store refuses to change its own log. */
	assert_int_not_equal(raw_rc(db, "UPDATE audit SET actor = 'x'"),
	    SQLITE_OK);
	assert_int_not_equal(raw_rc(db, "DELETE FROM audit WHERE id = 5"),
	    SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_audit_head(s, &head, h, NULL), 0);
	assert_int_equal(head, 5);
	assert_memory_equal(h, prev, 32);
	assert_int_equal(store_audit_verify_anchor(s, head, h, &rows, &bad,
	    NULL), 0);
	assert_int_equal(rows, 5);
	memset(want, 0, sizeof(want));
	assert_int_equal(store_audit_verify_anchor(s, 0, want, &rows, &bad,
	    NULL), 0);
	want[0] = 1;
	assert_int_equal(store_audit_verify_anchor(s, 0, want, &rows, &bad,
	    NULL), WG_ERR_INVALID_ARG);
	store_close(s);
}

static void
test_audit_edit_detected(void **state)
{
	static const char *const edits[] = {
		"UPDATE audit SET at = at + 1 WHERE id = 3",
		"UPDATE audit SET actor = 'admin:uid=0' WHERE id = 3",
		"UPDATE audit SET device_id = 'dev-b' WHERE id = 3",
		"UPDATE audit SET device_id = NULL WHERE id = 3",
		"UPDATE audit SET action = 'approve' WHERE id = 3",
		"UPDATE audit SET \"before\" = 'untrusted' WHERE id = 3",
		"UPDATE audit SET \"after\" = 'pending' WHERE id = 3",
		"UPDATE audit SET detail = NULL WHERE id = 3",
		/* NULL and "" differ */
		"UPDATE audit SET \"before\" = '' WHERE id = 1",
		"UPDATE audit SET detail = NULL WHERE id = 2",
		"UPDATE audit SET detail = CAST(detail AS BLOB) WHERE id = 3",
		"UPDATE audit SET prev_hash = zeroblob(32) WHERE id = 3",
		"UPDATE audit SET hash = zeroblob(32) WHERE id = 3",
		"UPDATE audit SET hash = substr(hash, 1, 31) WHERE id = 3",
	};
	static const int64_t first_bad[] = {
		3, 3, 3, 3, 3, 3, 3, 3, 1, 2, 3, 3, 3, 3
	};
	char path[256];
	struct store *s;
	sqlite3 *db;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		s = audited_store(path, sizeof(path), "audit-edit");
		db = attacker(path);
		raw_exec(db, "PRAGMA ignore_check_constraints = ON");
		raw_exec(db, edits[i]);
		assert_int_equal(sqlite3_changes(db), 1);
		sqlite3_close(db);
		expect_bad(s, first_bad[i]);
		store_close(s);
	}
}

static void
test_audit_insert_detected(void **state)
{
	char path[256];
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	uint8_t prev[32], h[32];
	struct row r = { 3, 1700000003, { "admin:uid=0", "dev-a", "approve",
	    NULL, NULL, "forged" } };
	int i;

	(void)state;
	/* In the middle: make room at id 3, with a well-formed row. */
	s = audited_store(path, sizeof(path), "audit-insert");
	db = attacker(path);
	for (i = 5; i >= 3; i--) {
		char sql[80];

		(void)snprintf(sql, sizeof(sql),
		    "UPDATE audit SET id = %d WHERE id = %d", i + 1, i);
		raw_exec(db, sql);
	}
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM audit"
	    " WHERE id = 2", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memcpy(prev, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
	row_hash(prev, &r, h);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit (id, at,"
	    " actor, device_id, action, detail, prev_hash, hash) VALUES (3,"
	    " 1700000003, 'admin:uid=0', 'dev-a', 'approve', 'forged', ?, ?)",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, prev, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* The forged row 3 chains; the old row 3, now 4, no longer does. */
	expect_bad(s, 4);
	store_close(s);

	/* At the end, with a made-up hash. */
	s = audited_store(path, sizeof(path), "audit-append");
	db = attacker(path);
	raw_exec(db, "INSERT INTO audit (id, at, actor, action, prev_hash,"
	    " hash) SELECT 6, 0, 'admin', 'approve', hash, randomblob(32)"
	    " FROM audit WHERE id = 5");
	sqlite3_close(db);
	expect_bad(s, 6);
	store_close(s);

	/* Before the first row. */
	s = audited_store(path, sizeof(path), "audit-prepend");
	db = attacker(path);
	raw_exec(db, "INSERT INTO audit (id, at, actor, action, prev_hash,"
	    " hash) VALUES (0, 0, 'admin', 'approve', zeroblob(32),"
	    " zeroblob(32))");
	sqlite3_close(db);
	expect_bad(s, 0);
	store_close(s);
}

static void
test_audit_delete_detected(void **state)
{
	char path[256];
	struct store *s;
	sqlite3 *db;

	(void)state;
	s = audited_store(path, sizeof(path), "audit-del-mid");
	db = attacker(path);
	raw_exec(db, "DELETE FROM audit WHERE id = 3");
	sqlite3_close(db);
	expect_bad_why(s, 4, "rows missing");
	store_close(s);

	s = audited_store(path, sizeof(path), "audit-del-first");
	db = attacker(path);
	raw_exec(db, "DELETE FROM audit WHERE id = 1");
	sqlite3_close(db);
	expect_bad(s, 2);
	store_close(s);
}

/*
 * A cut tail, and a chain rebuilt after an edit, both verify on their
 * own (documented in store.h): only an anchor kept elsewhere shows them.
 */
static void
test_audit_anchor(void **state)
{
	char path[256];
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st, *up;
	uint8_t anchor[32], h[32], prev[32];
	int64_t anchor_id = 0, id = 0, rows = -1, bad = -1;
	struct row r;
	unsigned i;

	(void)state;
	s = audited_store(path, sizeof(path), "audit-cut");
	assert_int_equal(store_audit_head(s, &anchor_id, anchor, NULL), 0);
	assert_int_equal(anchor_id, 5);
	db = attacker(path);
	raw_exec(db, "DELETE FROM audit WHERE id = 5");
	/* The recorded head shows the cut (schema 4)... */
	expect_bad_why(s, 5, "rows were cut");
	/* ...unless it is moved back too: then only an outside anchor. */
	raw_exec(db, "UPDATE audit_head SET id = 4, hash ="
	    " (SELECT hash FROM audit WHERE id = 4)");
	sqlite3_close(db);
	assert_int_equal(store_audit_verify(s, &rows, &bad, NULL), 0);
	assert_int_equal(rows, 4);	/* the chain alone cannot tell */
	assert_int_equal(store_audit_head(s, &id, h, NULL), 0);
	assert_int_equal(id, 4);	/* but the head moved back */
	assert_int_equal(store_audit_verify_anchor(s, anchor_id, anchor,
	    &rows, &bad, NULL), WG_ERR_FORMAT);
	assert_int_equal(bad, 5);
	/* New rows after the cut do not hide it. */
	assert_int_equal(store_audit_add(s, &audit_rows[0], NULL), 0);
	assert_int_equal(store_audit_verify(s, &rows, &bad, NULL), 0);
	assert_int_equal(store_audit_verify_anchor(s, anchor_id, anchor,
	    &rows, &bad, NULL), WG_ERR_FORMAT);
	assert_int_equal(bad, 5);
	store_close(s);

	/* The last two rows cut, and the head row itself deleted. */
	s = audited_store(path, sizeof(path), "audit-cut2");
	db = attacker(path);
	raw_exec(db, "DELETE FROM audit WHERE id >= 4");
	expect_bad_why(s, 4, "rows were cut");
	raw_exec(db, "DELETE FROM audit_head");
	expect_bad_why(s, 1, "head");
	sqlite3_close(db);
	store_close(s);

	/* An anchor in the past still checks while rows are appended. */
	s = audited_store(path, sizeof(path), "audit-grow");
	assert_int_equal(store_audit_head(s, &anchor_id, anchor, NULL), 0);
	assert_int_equal(store_audit_add(s, &audit_rows[1], NULL), 0);
	assert_int_equal(store_audit_verify_anchor(s, anchor_id, anchor,
	    &rows, &bad, NULL), 0);
	assert_int_equal(rows, 6);

	/* Edit row 2 and rebuild the chain from there on. */
	db = attacker(path);
	raw_exec(db, "UPDATE audit SET actor = 'gateway' WHERE id = 2");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, at, actor,"
	    " device_id, action, \"before\", \"after\", detail FROM audit"
	    " ORDER BY id", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET"
	    " prev_hash = ?, hash = ? WHERE id = ?", -1, &up, NULL),
	    SQLITE_OK);
	memset(prev, 0, sizeof(prev));
	for (i = 0; i < 6; i++) {
		int k;

		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		r.id = sqlite3_column_int64(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		for (k = 0; k < 6; k++)
			r.f[k] = (const char *)sqlite3_column_text(st, 2 + k);
		row_hash(prev, &r, h);
		sqlite3_bind_blob(up, 1, prev, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 2, h, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, r.id);
		assert_int_equal(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
		memcpy(prev, h, 32);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	/* The recorded head is row 6 as it was: the rebuild shows... */
	expect_bad_why(s, 6, "recorded head");
	/* ...until the head is rebuilt too. */
	raw_exec(db, "UPDATE audit_head SET hash ="
	    " (SELECT hash FROM audit WHERE id = 6)");
	sqlite3_close(db);
	assert_int_equal(store_audit_verify(s, &rows, &bad, NULL), 0);
	assert_int_equal(store_audit_verify_anchor(s, anchor_id, anchor,
	    &rows, &bad, NULL), WG_ERR_FORMAT);
	assert_int_equal(bad, anchor_id);
	store_close(s);
}

/* Two connections appending in turn keep one chain. */
static void
test_audit_two_writers(void **state)
{
	char path[256];
	struct store *a, *b;
	int64_t rows = -1;
	unsigned i;

	(void)state;
	a = open_ok(db_path(path, sizeof(path), "audit-two"));
	b = open_ok(path);
	for (i = 0; i < 5; i++)
		assert_int_equal(store_audit_add(i % 2 ? a : b,
		    &audit_rows[i], NULL), 0);
	/* Inside a caller's transaction too. */
	assert_int_equal(store_begin(a, NULL), 0);
	assert_int_equal(store_audit_add(a, &audit_rows[0], NULL), 0);
	assert_int_equal(store_audit_add(a, &audit_rows[1], NULL), 0);
	assert_int_equal(store_commit(a, NULL), 0);
	assert_int_equal(store_audit_verify(b, &rows, NULL, NULL), 0);
	assert_int_equal(rows, 7);
	store_close(a);
	store_close(b);
}

/* ---- blocked EKs ---- */

static void
test_ek_block(void **state)
{
	char path[256], fpr[STORE_ID_LEN];
	struct store *s;
	sqlite3 *db;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "ek"));
	id_of(77, fpr);
	assert_int_equal(store_ek_blocked(s, fpr, NULL), 0);
	assert_int_equal(store_ek_block(s, fpr, "decommissioned", NULL), 0);
	assert_int_equal(store_ek_blocked(s, fpr, NULL), 1);
	assert_int_equal(store_ek_block(s, fpr, "again", NULL), 0);
	assert_int_equal(store_ek_blocked(s, fpr, NULL), 1);
	id_of(78, fpr);
	assert_int_equal(store_ek_blocked(s, fpr, NULL), 0);
	assert_int_equal(store_ek_block(s, fpr, NULL, NULL),
	    WG_ERR_INVALID_ARG);
	store_close(s);
	db = raw_open(path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM blocked_eks"
	    " WHERE reason = 'decommissioned'"), 1);
	sqlite3_close(db);
}

/* ---- two stores on one file ---- */

static void
test_two_stores(void **state)
{
	char path[256];
	struct store *a, *b;
	struct store_device v, got;
	struct wg_diag d;

	(void)state;
	a = open_ok(db_path(path, sizeof(path), "shared"));
	b = open_ok(path);
	simple_device(&v, 1, "shared");

	assert_int_equal(store_begin(a, NULL), 0);
	put_device(a, &v);
	/* Not committed: the other connection does not see it. */
	assert_int_equal(store_device_get(b, v.device_id, &got, NULL),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_commit(a, NULL), 0);
	assert_int_equal(store_device_get(b, v.device_id, &got, NULL), 0);
	assert_device_equal(&got, &v);

	/* b writes, a reads. */
	(void)snprintf(v.state, sizeof(v.state), "trusted");
	put_device(b, &v);
	assert_int_equal(store_device_get(a, v.device_id, &got, NULL), 0);
	assert_string_equal(got.state, "trusted");

	/* While b reads in a transaction, a may commit (WAL). */
	assert_int_equal(store_begin(b, NULL), 0);
	assert_int_equal(store_device_get(b, v.device_id, &got, NULL), 0);
	store_rollback(b);
	assert_int_equal(store_begin(a, NULL), 0);
	(void)snprintf(v.state, sizeof(v.state), "stale");
	put_device(a, &v);
	wg_diag_clear(&d);
	assert_int_equal(store_commit(a, &d), 0);
	assert_int_equal(store_device_get(b, v.device_id, &got, NULL), 0);
	assert_string_equal(got.state, "stale");
	store_close(a);
	store_close(b);
}

static double
seconds(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * store_begin takes the write lock at once (BEGIN IMMEDIATE); a writer
 * that cannot get it fails with WG_ERR_DB after the busy timeout.
 */
static void
test_begin_immediate_busy(void **state)
{
	char path[256];
	struct store *s;
	struct store_device v, got;
	struct wg_diag d;
	sqlite3 *db;
	double t0, waited;

	(void)state;
	s = open_ok(db_path(path, sizeof(path), "busy"));
	simple_device(&v, 1, "one");
	put_device(s, &v);
	db = raw_open(path);	/* no busy timeout: fails at once */

	assert_int_equal(store_begin(s, NULL), 0);
	assert_int_equal(raw_rc(db, "BEGIN IMMEDIATE"), SQLITE_BUSY);
	store_rollback(s);

	raw_exec(db, "BEGIN IMMEDIATE");
	/* Readers go on while another connection writes (WAL). */
	assert_int_equal(store_device_get(s, v.device_id, &got, NULL), 0);
	t0 = seconds();
	wg_diag_clear(&d);
	assert_int_equal(store_begin(s, &d), WG_ERR_DB);
	waited = seconds() - t0;
	assert_true(strstr(d.detail, "locked") != NULL);
	assert_true(waited >= STORE_BUSY_TIMEOUT_MS / 1000.0 * 0.9);
	raw_exec(db, "ROLLBACK");
	sqlite3_close(db);

	assert_int_equal(store_begin(s, NULL), 0);
	put_device(s, &v);
	assert_int_equal(store_commit(s, NULL), 0);
	store_close(s);
}

/* ---- policies (schema version 2) ---- */

struct pol_seen {
	int n;
	char issuer[4][STORE_TEXT_LEN];
	uint64_t version[4];
	size_t len[4];
};

static int
pol_cb(const struct store_policy *p, void *arg)
{
	struct pol_seen *ps = arg;

	if (ps->n >= 4)
		return -1;
	memcpy(ps->issuer[ps->n], p->issuer, sizeof(p->issuer));
	ps->version[ps->n] = p->version;
	ps->len[ps->n] = p->bundle_len;
	ps->n++;
	return 0;
}

static void
test_policies(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "policies"));
	struct store_policy p;
	struct pol_seen seen;
	struct wg_diag d;
	static const uint8_t b7[] = "{\"version\": 7}", b8[] = "{\"v\":8}";
	static const uint8_t sig[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02,
	    0x01, 0x01 };
	sqlite3 *db;

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.issuer, sizeof(p.issuer), "acme-psirt");
	snprintf(p.installed_by, sizeof(p.installed_by), "admin:uid=0");
	p.version = 7;
	p.bundle = b7;
	p.bundle_len = sizeof(b7);
	p.sig = sig;
	p.sig_len = sizeof(sig);
	p.installed_at = 1700000000;
	assert_int_equal(store_policy_add(s, &p, &d), 0);
	/* Rollback: the same or a lower version is refused, nothing written. */
	assert_int_equal(store_policy_add(s, &p, &d), WG_ERR_POLICY_ROLLBACK);
	p.version = 6;
	assert_int_equal(store_policy_add(s, &p, &d), WG_ERR_POLICY_ROLLBACK);
	/* Versions are per issuer. */
	snprintf(p.issuer, sizeof(p.issuer), "hospital-sec");
	p.version = 1;
	assert_int_equal(store_policy_add(s, &p, &d), 0);
	snprintf(p.issuer, sizeof(p.issuer), "acme-psirt");
	p.version = 8;
	p.bundle = b8;
	p.bundle_len = sizeof(b8);
	assert_int_equal(store_policy_add(s, &p, &d), 0);
	p.version = 0;
	assert_int_equal(store_policy_add(s, &p, &d), WG_ERR_INVALID_ARG);
	/* The newest bundle of each issuer, ordered by issuer. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_policy_each(s, pol_cb, &seen, &d), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.issuer[0], "acme-psirt");
	assert_int_equal(seen.version[0], 8);
	assert_int_equal(seen.len[0], sizeof(b8));
	assert_string_equal(seen.issuer[1], "hospital-sec");
	assert_int_equal(seen.version[1], 1);
	store_close(s);
	/* Installed bundles are append-only. */
	db = raw_open(path);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM policies", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE policies SET version = 99",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM policies"), 3);
	sqlite3_close(db);
}

/* A version 1 store (before policies) is migrated and keeps its rows. */
static void
test_migrate_v1_to_v2(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "v1"));
	struct store_device *dev = calloc(1, sizeof(*dev)), *got;
	sqlite3 *db;

	(void)state;
	assert_non_null(dev);
	full_device(dev);
	assert_int_equal(store_device_put(s, dev, NULL), 0);
	store_close(s);
	/* Undo versions 7, 6, 5, 4, 3 and 2 by hand: a store written by 0.1. */
	db = raw_open(path);
	raw_exec(db, "DROP INDEX provisioning_by_mac");
	raw_exec(db, "DROP INDEX provisioning_by_name");
	raw_exec(db, "DROP INDEX provisioning_by_model_serial");
	raw_exec(db, "DROP INDEX devices_by_model_serial");
	raw_exec(db, "DROP TRIGGER service_no_delete");
	raw_exec(db, "DROP TABLE service_windows");
	raw_exec(db, "DROP TRIGGER legacy_no_delete");
	raw_exec(db, "DROP TABLE legacy");
	raw_exec(db, "DROP TRIGGER ak_history_no_update");
	raw_exec(db, "DROP TRIGGER ak_history_no_delete");
	raw_exec(db, "DROP TABLE ak_history");
	raw_exec(db, "ALTER TABLE devices DROP COLUMN rotate_ak");
	raw_exec(db, "ALTER TABLE devices DROP COLUMN ak_created_at");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN udi");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN batch");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN location");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN owner_identity");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN owner_update");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN owner_vuln");
	raw_exec(db, "ALTER TABLE provisioning DROP COLUMN owner_decommission");
	raw_exec(db, "DROP TABLE device_advisories");
	raw_exec(db, "DROP TABLE advisories");
	raw_exec(db, "DROP TABLE release_history");
	raw_exec(db, "DROP TABLE decommissions");
	raw_exec(db, "DROP TABLE audit_head");
	raw_exec(db, "DROP TRIGGER holds_no_delete");
	raw_exec(db, "DROP TABLE holds");
	raw_exec(db, "DROP INDEX devices_by_mac");
	raw_exec(db, "DROP TRIGGER policies_append_only_u");
	raw_exec(db, "DROP TRIGGER policies_append_only_d");
	raw_exec(db, "DROP TABLE policies");
	raw_exec(db, "ALTER TABLE devices DROP COLUMN release");
	raw_exec(db, "ALTER TABLE attestations DROP COLUMN release");
	raw_exec(db, "PRAGMA user_version = 1");
	sqlite3_close(db);
	s = open_ok(path);
	assert_int_equal(store_schema_version(s), 7);
	got = calloc(1, sizeof(*got));
	assert_non_null(got);
	assert_int_equal(store_device_get(s, dev->device_id, got, NULL), 0);
	assert_string_equal(got->name, dev->name);
	assert_string_equal(got->release, "");
	store_close(s);
	free(dev);
	free(got);
}

/* ---- devices by MAC, clinical holds (schema version 3) ---- */

static void
test_device_by_mac(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "mac"));
	struct store_device *a = calloc(1, sizeof(*a)), *got;
	struct wg_diag d;

	(void)state;
	got = calloc(1, sizeof(*got));
	assert_non_null(a);
	assert_non_null(got);
	full_device(a);
	snprintf(a->mac, sizeof(a->mac), "02:00:00:00:00:01");
	assert_int_equal(store_device_put(s, a, NULL), 0);
	assert_int_equal(store_device_by_mac(s, "02:00:00:00:00:01", got, &d),
	    0);
	assert_string_equal(got->device_id, a->device_id);
	assert_int_equal(store_device_by_mac(s, "02:00:00:00:00:02", got, &d),
	    WG_ERR_NOT_FOUND);
	/* A second device with the same MAC: neither is returned. */
	a->device_id[0] = a->device_id[0] == 'a' ? 'b' : 'a';
	assert_int_equal(store_device_put(s, a, NULL), 0);
	assert_int_equal(store_device_by_mac(s, "02:00:00:00:00:01", got, &d),
	    WG_ERR_CONFLICT);
	assert_int_equal(store_device_by_mac(s, "", got, &d),
	    WG_ERR_INVALID_ARG);
	store_close(s);
	free(a);
	free(got);
}

struct due_walk {
	int n;
	int64_t id[4];
};

static int
due_cb(const struct store_hold *h, void *arg)
{
	struct due_walk *w = arg;

	if (w->n < 4)
		w->id[w->n] = h->id;
	w->n++;
	return 0;
}

static void
test_holds(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "holds"));
	struct store_hold h, got;
	struct due_walk w = { 0, { 0 } };
	struct wg_diag d;
	sqlite3 *db;
	int64_t id1 = 0, id2 = 0;

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(h.device_id, sizeof(h.device_id), "%064d", 7);
	snprintf(h.granted_by, sizeof(h.granted_by), "uid 1000 (nurse)");
	snprintf(h.reason, sizeof(h.reason), "bed 4, surgery until 14:00");
	h.granted_at = 1000;
	h.until = 1000;
	/* No end after the start, no reason: refused. */
	assert_int_equal(store_hold_add(s, &h, NULL, &d), WG_ERR_INVALID_ARG);
	h.until = 4600;
	h.reason[0] = '\0';
	assert_int_equal(store_hold_add(s, &h, NULL, &d), WG_ERR_INVALID_ARG);
	snprintf(h.reason, sizeof(h.reason), "bed 4, surgery until 14:00");
	assert_int_equal(store_hold_open(s, h.device_id, &got, &d),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_hold_add(s, &h, &id1, &d), 0);
	assert_true(id1 > 0);
	assert_int_equal(store_hold_open(s, h.device_id, &got, &d), 0);
	assert_int_equal(got.id, id1);
	assert_int_equal(got.until, 4600);
	assert_int_equal(got.ended_at, 0);
	assert_string_equal(got.ended_by, "");
	assert_string_equal(got.granted_by, "uid 1000 (nurse)");
	/* Due only once until has passed. */
	assert_int_equal(store_hold_due(s, 4599, due_cb, &w, &d), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(store_hold_due(s, 4600, due_cb, &w, &d), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.id[0], id1);
	assert_int_equal(store_hold_end(s, h.device_id, 4601, "expired", &d),
	    0);
	assert_int_equal(store_hold_open(s, h.device_id, &got, &d),
	    WG_ERR_NOT_FOUND);
	w.n = 0;
	assert_int_equal(store_hold_due(s, 9999, due_cb, &w, &d), 0);
	assert_int_equal(w.n, 0);
	/* A new hold is a new row; the old one is kept and cannot go. */
	h.granted_at = 5000;
	h.until = 6000;
	assert_int_equal(store_hold_add(s, &h, &id2, &d), 0);
	assert_true(id2 > id1);
	store_close(s);
	db = raw_open(path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM holds"), 2);
	assert_int_equal(raw_int(db, "SELECT ended_at FROM holds WHERE id = 1"),
	    4601);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM holds", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM holds"), 2);
	sqlite3_close(db);
}

/* ---- lifecycle evidence (schema version 4) ---- */

struct rel_seen {
	struct store_release r[4];
	unsigned n;
};

static int
rel_cb(const struct store_release *r, void *arg)
{
	struct rel_seen *w = arg;

	if (w->n < 4)
		w->r[w->n] = *r;
	w->n++;
	return 0;
}

static void
test_release_history(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "releases"));
	struct store_release r;
	struct rel_seen w;
	struct wg_diag d;
	sqlite3 *db;

	(void)state;
	wg_diag_clear(&d);
	memset(&r, 0, sizeof(r));
	id_of(1, r.device_id);
	r.at = 1000;
	strcpy(r.from_release, "");
	strcpy(r.to_release, "1.0");
	strcpy(r.issuer, "acme");
	r.bundle_version = 3;
	/* In the caller's transaction, as the gateway writes it. */
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_release_history_add(s, &r, &d), 0);
	assert_int_equal(store_commit(s, &d), 0);
	r.at = 2000;
	strcpy(r.from_release, "1.0");
	strcpy(r.to_release, "1.1");
	r.bundle_version = 4;
	assert_int_equal(store_release_history_add(s, &r, &d), 0);
	/* A rolled-back change leaves nothing. */
	assert_int_equal(store_begin(s, &d), 0);
	strcpy(r.to_release, "9.9");
	assert_int_equal(store_release_history_add(s, &r, &d), 0);
	store_rollback(s);
	/* Cleared: no bundle. Half a bundle is refused. */
	strcpy(r.from_release, "1.1");
	strcpy(r.to_release, "");
	strcpy(r.issuer, "");
	assert_int_equal(store_release_history_add(s, &r, &d),
	    WG_ERR_INVALID_ARG);
	r.bundle_version = 0;
	r.at = 3000;
	assert_int_equal(store_release_history_add(s, &r, &d), 0);
	/* Another device's change is not listed. */
	id_of(2, r.device_id);
	assert_int_equal(store_release_history_add(s, &r, &d), 0);

	memset(&w, 0, sizeof(w));
	id_of(1, r.device_id);
	assert_int_equal(store_release_history_each(s, r.device_id, rel_cb,
	    &w, &d), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.r[0].from_release, "");
	assert_string_equal(w.r[0].to_release, "1.0");
	assert_string_equal(w.r[0].issuer, "acme");
	assert_int_equal(w.r[0].bundle_version, 3);
	assert_int_equal(w.r[0].at, 1000);
	assert_string_equal(w.r[1].from_release, "1.0");
	assert_string_equal(w.r[1].to_release, "1.1");
	assert_int_equal(w.r[1].bundle_version, 4);
	assert_string_equal(w.r[2].to_release, "");
	assert_string_equal(w.r[2].issuer, "");
	assert_int_equal(w.r[2].bundle_version, 0);
	memset(&w, 0, sizeof(w));
	id_of(3, r.device_id);
	assert_int_equal(store_release_history_each(s, r.device_id, rel_cb,
	    &w, &d), 0);
	assert_int_equal(w.n, 0);
	store_close(s);
	/* Append-only. */
	db = raw_open(path);
	assert_int_not_equal(raw_rc(db, "DELETE FROM release_history"),
	    SQLITE_OK);
	assert_int_not_equal(raw_rc(db, "UPDATE release_history SET"
	    " to_release = 'x'"), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM release_history"),
	    4);
	sqlite3_close(db);
}

struct att_seen {
	int64_t id[4];
	int pass[4];
	char release[4][STORE_TEXT_LEN];
	unsigned n;
};

static int
att_cb(const struct store_attestation_row *a, void *arg)
{
	struct att_seen *w = arg;

	if (w->n < 4) {
		w->id[w->n] = a->id;
		w->pass[w->n] = a->pass;
		strcpy(w->release[w->n], a->release);
	}
	w->n++;
	return 0;
}

struct aud_seen {
	int64_t id[8];
	char action[8][32];
	unsigned n;
};

static int
aud_cb(const struct store_audit_row *a, void *arg)
{
	struct aud_seen *w = arg;

	if (w->n < 8) {
		w->id[w->n] = a->id;
		(void)snprintf(w->action[w->n], sizeof(w->action[0]), "%s",
		    a->a.action);
	}
	w->n++;
	return 0;
}

static void
test_decommission(void **state)
{
	char path[512], hex[STORE_ID_LEN];
	struct store *s = open_ok(db_path(path, sizeof(path), "decom"));
	struct store *ro = NULL;
	struct store_device v;
	struct store_attestation a;
	struct store_decommission dc, got;
	struct store_audit au;
	struct att_seen w;
	struct aud_seen aw;
	struct wg_diag d;
	static const char archive[] = "{\"device\":\"x\"}";
	uint8_t *copy = NULL;
	int64_t rows = 0;
	sqlite3 *db;

	(void)state;
	wg_diag_clear(&d);
	simple_device(&v, 1, "one");
	put_device(s, &v);
	simple_attestation(&a, v.device_id);
	a.release = "1.0";
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	a.pass = 0;
	a.release = NULL;
	assert_int_equal(store_attestation_add(s, &a, NULL), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_attestation_each(s, v.device_id, att_cb, &w,
	    &d), 0);
	assert_int_equal(w.n, 2);
	assert_true(w.id[0] < w.id[1]);
	assert_int_equal(w.pass[0], 1);
	assert_string_equal(w.release[0], "1.0");
	assert_int_equal(w.pass[1], 0);
	assert_string_equal(w.release[1], "");

	memset(&au, 0, sizeof(au));
	au.at = 10;
	au.actor = "gateway";
	au.device_id = v.device_id;
	au.action = "enroll";
	assert_int_equal(store_audit_add(s, &au, &d), 0);
	au.device_id = NULL;
	au.action = "refused";
	assert_int_equal(store_audit_add(s, &au, &d), 0);
	au.device_id = v.device_id;
	au.action = "decommission";
	au.before = "trusted";
	assert_int_equal(store_audit_add(s, &au, &d), 0);
	memset(&aw, 0, sizeof(aw));
	assert_int_equal(store_audit_each(s, v.device_id, aud_cb, &aw, &d), 0);
	assert_int_equal(aw.n, 2);
	assert_int_equal(aw.id[0], 1);
	assert_int_equal(aw.id[1], 3);
	assert_string_equal(aw.action[1], "decommission");
	memset(&aw, 0, sizeof(aw));
	assert_int_equal(store_audit_each(s, NULL, aud_cb, &aw, &d), 0);
	assert_int_equal(aw.n, 3);

	memset(&dc, 0, sizeof(dc));
	memcpy(dc.device_id, v.device_id, sizeof(dc.device_id));
	dc.at = 20;
	strcpy(dc.actor, "admin:uid=0 role=admin");
	dc.archive = (const uint8_t *)archive;
	dc.archive_len = strlen(archive);
	assert_int_equal(store_decommission_add(s, &dc, hex, &d),
	    WG_ERR_INVALID_ARG);	/* no reason */
	strcpy(dc.reason, "returned to the maker");
	assert_int_equal(store_decommission_get(s, v.device_id, &got, &copy,
	    &d), WG_ERR_NOT_FOUND);
	assert_int_equal(store_decommission_add(s, &dc, hex, &d), 0);
	/* SHA-256 of {"device":"x"} */
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(store_decommission_add(s, &dc, NULL, &d), WG_ERR_DB);
	assert_int_equal(store_decommission_get(s, v.device_id, &got, &copy,
	    &d), 0);
	assert_string_equal(got.archive_sha256, hex);
	assert_string_equal(got.reason, "returned to the maker");
	assert_string_equal(got.actor, "admin:uid=0 role=admin");
	assert_int_equal(got.at, 20);
	assert_int_equal(got.archive_len, strlen(archive));
	assert_memory_equal(copy, archive, strlen(archive));
	free(copy);
	copy = NULL;

	/* Read-only: reads and verifies, writes nothing. */
	assert_int_equal(store_open_readonly(path, &ro, &d), 0);
	assert_int_equal(store_audit_verify(ro, &rows, NULL, &d), 0);
	assert_int_equal(rows, 3);
	assert_int_equal(store_audit_add(ro, &au, &d), WG_ERR_DB);
	assert_int_equal(store_decommission_get(ro, v.device_id, &got, &copy,
	    &d), 0);
	free(copy);
	copy = NULL;
	store_close(ro);
	store_close(s);

	/* Kept, and a changed archive no longer matches its hash. */
	db = raw_open(path);
	assert_int_not_equal(raw_rc(db, "DELETE FROM decommissions"),
	    SQLITE_OK);
	assert_int_not_equal(raw_rc(db, "UPDATE decommissions SET reason ="
	    " 'x'"), SQLITE_OK);
	raw_exec(db, "DROP TRIGGER decommissions_no_update");
	raw_exec(db, "UPDATE decommissions SET archive = CAST('{}' AS BLOB)");
	sqlite3_close(db);
	s = open_ok(path);
	assert_int_equal(store_decommission_get(s, v.device_id, &got, &copy,
	    &d), WG_ERR_DB);
	assert_null(copy);
	store_close(s);

	/* Read-only needs an existing store at this version. */
	ro = NULL;
	assert_int_equal(store_open_readonly(db_path(path, sizeof(path),
	    "absent"), &ro, &d), WG_ERR_IO);
	assert_null(ro);
}

/* ---- advisories (schema version 5) ---- */

struct devadv_walk {
	int n;
	struct store_devadv last;
};

static int
devadv_cb(const struct store_devadv *v, void *arg)
{
	struct devadv_walk *w = arg;

	w->n++;
	w->last = *v;
	return 0;
}

static int
adv_count_cb(const struct store_advisory *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
test_advisories(void **state)
{
	char path[512], dev[STORE_ID_LEN];
	struct store *s = open_ok(db_path(path, sizeof(path), "adv"));
	static const uint8_t doc[] = "{\"id\":\"PHI-1\"}";
	struct store_advisory a;
	struct devadv_walk w;
	struct wg_diag d;
	sqlite3 *db;
	int n = 0, closed = -1;

	(void)state;
	snprintf(dev, sizeof(dev), "%064d", 5);
	memset(&a, 0, sizeof(a));
	a.id = "PHI-1";
	a.model = "Infusomat Space";
	a.action = "quarantine";
	a.doc = doc;
	a.doc_len = sizeof(doc) - 1;
	a.added_at = 100;
	a.added_by = "admin:uid=0 role=security";
	assert_int_equal(store_advisory_add(s, &a, &d), 0);
	assert_int_equal(store_advisory_add(s, &a, &d), WG_ERR_CONFLICT);
	assert_int_equal(store_advisory_each(s, adv_count_cb, &n, &d), 0);
	assert_int_equal(n, 1);
	/* Open, close with the fixing release, open again when it returns. */
	assert_int_equal(store_devadv_open(s, dev, "PHI-1", 200, "4.2.1", &d),
	    0);
	assert_int_equal(store_devadv_open(s, dev, "PHI-1", 250, "4.2.1", &d),
	    0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_devadv_each(s, dev, devadv_cb, &w, &d), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.last.opened_at, 200);	/* still the first */
	assert_int_equal(w.last.closed_at, 0);
	assert_int_equal(store_devadv_close(s, dev, "PHI-1", 300, "4.2.2",
	    &closed, &d), 0);
	assert_int_equal(closed, 1);
	assert_int_equal(store_devadv_close(s, dev, "PHI-1", 310, "4.2.2",
	    &closed, &d), 0);
	assert_int_equal(closed, 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_devadv_each(s, dev, devadv_cb, &w, &d), 0);
	assert_int_equal(w.last.closed_at, 300);
	assert_string_equal(w.last.closed_release, "4.2.2");
	assert_int_equal(store_devadv_open(s, dev, "PHI-1", 400, "4.2.1", &d),
	    0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_devadv_each(s, dev, devadv_cb, &w, &d), 0);
	assert_int_equal(w.last.opened_at, 400);
	assert_int_equal(w.last.closed_at, 0);
	store_close(s);
	/* Advisories are kept as given. */
	db = raw_open(path);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM advisories", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE advisories SET action ="
	    " 'notify'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* ---- legacy devices and field service (schema version 7) ---- */

struct svc_seen {
	struct store_service w[4];
	unsigned n;
};

static int
svc_cb(const struct store_service *w, void *arg)
{
	struct svc_seen *a = arg;

	if (a->n < 4)
		a->w[a->n] = *w;
	a->n++;
	return 0;
}

static int
leg_count_cb(const struct store_legacy *l, void *arg)
{
	(void)l;
	(*(unsigned *)arg)++;
	return 0;
}

static void
test_legacy_and_service(void **state)
{
	char path[512];
	struct store *s = open_ok(db_path(path, sizeof(path), "legacy"));
	struct store_legacy l, got;
	struct store_service w;
	struct svc_seen seen;
	struct wg_diag d;
	sqlite3 *db;
	unsigned n = 0;
	int64_t id1 = 0, id2 = 0;

	(void)state;
	memset(&l, 0, sizeof(l));
	snprintf(l.device_id, sizeof(l.device_id), "%064d", 9);
	snprintf(l.controls, sizeof(l.controls), "VLAN 40, no internet");
	snprintf(l.owner, sizeof(l.owner), "A. Biomed");
	snprintf(l.segment, sizeof(l.segment), "legacy-40");
	snprintf(l.registered_by, sizeof(l.registered_by), "admin:uid=0");
	l.registered_at = 1000;
	l.review_at = 2000;
	l.sunset_at = 1000;
	/* A sunset not after the registration, no controls: refused. */
	assert_int_equal(store_legacy_put(s, &l, &d), WG_ERR_INVALID_ARG);
	l.sunset_at = 5000;
	l.controls[0] = '\0';
	assert_int_equal(store_legacy_put(s, &l, &d), WG_ERR_INVALID_ARG);
	snprintf(l.controls, sizeof(l.controls), "VLAN 40, no internet");
	assert_int_equal(store_legacy_get(s, l.device_id, &got, &d),
	    WG_ERR_NOT_FOUND);
	assert_int_equal(store_legacy_put(s, &l, &d), 0);
	assert_int_equal(store_legacy_get(s, l.device_id, &got, &d), 0);
	assert_string_equal(got.owner, "A. Biomed");
	assert_string_equal(got.segment, "legacy-40");
	assert_int_equal(got.sunset_at, 5000);
	assert_int_equal(got.sunset_done, 0);
	/* A review updates in place; the registration is kept. */
	l.reviewed_at = 1900;
	snprintf(l.reviewed_by, sizeof(l.reviewed_by), "admin:uid=7");
	l.review_at = 3000;
	l.sunset_done = 1;
	snprintf(l.registered_by, sizeof(l.registered_by), "someone else");
	assert_int_equal(store_legacy_put(s, &l, &d), 0);
	assert_int_equal(store_legacy_get(s, l.device_id, &got, &d), 0);
	assert_int_equal(got.review_at, 3000);
	assert_int_equal(got.reviewed_at, 1900);
	assert_int_equal(got.sunset_done, 1);
	assert_string_equal(got.registered_by, "admin:uid=0");
	assert_int_equal(store_legacy_each(s, leg_count_cb, &n, &d), 0);
	assert_int_equal(n, 1);

	memset(&w, 0, sizeof(w));
	snprintf(w.device_id, sizeof(w.device_id), "%064d", 9);
	snprintf(w.flow, sizeof(w.flow), "vendor-support");
	snprintf(w.approved_by, sizeof(w.approved_by), "Dr. Ward");
	snprintf(w.opened_by, sizeof(w.opened_by), "admin:uid=0");
	snprintf(w.reason, sizeof(w.reason), "pump firmware update");
	w.opened_at = 100;
	w.until = 100;
	assert_int_equal(store_service_add(s, &w, NULL, &d),
	    WG_ERR_INVALID_ARG);
	w.until = 400;
	w.approved_by[0] = '\0';
	assert_int_equal(store_service_add(s, &w, NULL, &d),
	    WG_ERR_INVALID_ARG);
	snprintf(w.approved_by, sizeof(w.approved_by), "Dr. Ward");
	assert_int_equal(store_service_add(s, &w, &id1, &d), 0);
	w.until = 300;
	assert_int_equal(store_service_add(s, &w, &id2, &d), 0);
	assert_true(id2 > id1);
	/* Open ones, soonest end first. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_service_each(s, NULL, svc_cb, &seen, &d), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.w[0].id, id2);
	assert_int_equal(seen.w[1].id, id1);
	assert_int_equal(store_service_close(s, id2, 250, "expired", &d), 0);
	assert_int_equal(store_service_close(s, id2, 260, "again", &d),
	    WG_ERR_NOT_FOUND);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_service_each(s, NULL, svc_cb, &seen, &d), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.w[0].id, id1);
	/* The device's history keeps both, oldest first. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_service_each(s, w.device_id, svc_cb, &seen,
	    &d), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.w[1].closed_at, 250);
	assert_string_equal(seen.w[1].closed_by, "expired");
	assert_string_equal(seen.w[0].closed_by, "");
	store_close(s);
	db = raw_open(path);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM service_windows",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM legacy", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM service_windows"),
	    2);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_reopen_keeps_data),
		cmocka_unit_test(test_migrations_idempotent),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_foreign_files_refused),
		cmocka_unit_test(test_provision),
		cmocka_unit_test(test_provision_clashes),
		cmocka_unit_test(test_device_roundtrip),
		cmocka_unit_test(test_device_each),
		cmocka_unit_test(test_too_long_refused),
		cmocka_unit_test(test_read_refuses_unfit),
		cmocka_unit_test(test_eventlog),
		cmocka_unit_test(test_attestation),
		cmocka_unit_test(test_rollback_leaves_nothing),
		cmocka_unit_test(test_audit_chain_verifies),
		cmocka_unit_test(test_audit_edit_detected),
		cmocka_unit_test(test_audit_insert_detected),
		cmocka_unit_test(test_audit_delete_detected),
		cmocka_unit_test(test_audit_anchor),
		cmocka_unit_test(test_audit_two_writers),
		cmocka_unit_test(test_ek_block),
		cmocka_unit_test(test_two_stores),
		cmocka_unit_test(test_begin_immediate_busy),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_migrate_v1_to_v2),
		cmocka_unit_test(test_device_by_mac),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_advisories),
		cmocka_unit_test(test_release_history),
		cmocka_unit_test(test_decommission),
		cmocka_unit_test(test_legacy_and_service),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
