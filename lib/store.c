/*
 * store.c: the gateway's store in SQLite. All of wardgate's SQL is here.
 *
 * One connection per struct store, opened READWRITE|NOMUTEX|NOFOLLOW|
 * PRIVATECACHE and never with CREATE: the file is created beforehand with
 * open(O_CREAT|O_EXCL, 0600) so that it is never readable by others, even
 * for an instant, whatever the umask (umask is process-wide, and lib/ has
 * no globals). SQLite gives the -wal and -shm files the main file's mode.
 * NOMUTEX: the gateway uses a store from its one event-loop thread; the
 * connection mutex would only cost time.
 *
 * Pragmas: journal_mode=WAL (readers never block the writer),
 * synchronous=FULL (a commit is on disk before anyone is told),
 * foreign_keys=ON, secure_delete=FAST (zeroes freed content when that
 * costs no extra I/O: the store holds no secrets, only public keys,
 * certificates and used nonces, so the extra writes of ON buy nothing),
 * a journal_size_limit, and a busy timeout. The connection is
 * defensive (no writable_schema) and does not trust the schema.
 *
 * Every statement is prepared once (sqlite3_prepare_v3, PERSISTENT) in
 * store_open and reset and unbound after each use; every value is bound.
 *
 * Schema versions are PRAGMA user_version, written in the same
 * transaction as the migration step that reaches it; application_id
 * marks the file as a wardgate store.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "auditchain.h"
#include "store.h"
#include "wg_err.h"

#define STORE_APP_ID 0x57474154	/* "WGAT" */
#define STORE_AUDIT_TAG "wardgate-audit-v1"

/*
 * Migrations. Step n brings the schema from version n-1 to n; each runs
 * in its own transaction and ends by setting user_version to n. Later
 * versions (policies, advisories, holds) are new steps appended here:
 * never edit a step that has shipped.
 *
 * Integers that are uint64_t in C (clock, counters) are stored as their
 * two's-complement int64 bits: never compare them in SQL.
 */
static const char *const migration_1[] = {
	"CREATE TABLE provisioning ("
	" ek_fpr TEXT PRIMARY KEY NOT NULL CHECK (typeof(ek_fpr) = 'text'),"
	" name TEXT NOT NULL,"
	" serial TEXT NOT NULL,"
	" model TEXT NOT NULL,"
	" owner TEXT NOT NULL,"
	" mac TEXT NOT NULL,"
	" created_at INTEGER NOT NULL)",

	/*
	 * id is internal: attestations refer to it, which keeps their rows
	 * and index 60 bytes shorter than with the hex device_id.
	 */
	"CREATE TABLE devices ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL UNIQUE CHECK (typeof(device_id) = 'text'),"
	" name TEXT NOT NULL,"
	" model TEXT NOT NULL,"
	" owner TEXT NOT NULL,"
	" serial TEXT NOT NULL,"
	" mac TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" segment TEXT NOT NULL,"
	" reasons TEXT NOT NULL,"
	" claims TEXT NOT NULL,"
	" approved INTEGER NOT NULL CHECK (approved IN (0, 1)),"
	" ek_pub BLOB NOT NULL CHECK (typeof(ek_pub) = 'blob'),"
	" ek_cert BLOB NOT NULL CHECK (typeof(ek_cert) = 'blob'),"
	" ak_pub BLOB NOT NULL CHECK (typeof(ak_pub) = 'blob'),"
	" enrolled_at INTEGER NOT NULL,"
	" state_since INTEGER NOT NULL,"
	" last_attest_at INTEGER NOT NULL,"
	" last_good_at INTEGER NOT NULL,"
	" attest_interval INTEGER NOT NULL"
	"  CHECK (attest_interval BETWEEN 0 AND 4294967295),"
	" clock INTEGER,"
	" reset_count INTEGER CHECK (reset_count BETWEEN 0 AND 4294967295),"
	" restart_count INTEGER"
	"  CHECK (restart_count BETWEEN 0 AND 4294967295),"
	" eventlog_sha256 TEXT,"
	" attest_count INTEGER NOT NULL,"
	" fail_count INTEGER NOT NULL,"
	" CHECK ((clock IS NULL) = (reset_count IS NULL) AND"
	"  (clock IS NULL) = (restart_count IS NULL)))",
	"CREATE INDEX devices_by_name ON devices(name, device_id)",

	"CREATE TABLE eventlogs ("
	" sha256 TEXT PRIMARY KEY NOT NULL"
	"  CHECK (typeof(sha256) = 'text' AND length(sha256) = 64),"
	" data BLOB NOT NULL CHECK (typeof(data) = 'blob'),"
	" stored_at INTEGER NOT NULL)",

	/* eventlog_sha256 is no foreign key: a failed verdict may name a
	 * log the gateway never received, and must still be kept. */
	"CREATE TABLE attestations ("
	" id INTEGER PRIMARY KEY,"
	" device INTEGER NOT NULL REFERENCES devices(id),"
	" at INTEGER NOT NULL,"
	" pass INTEGER NOT NULL CHECK (pass IN (0, 1)),"
	" reasons TEXT NOT NULL,"
	" quote BLOB NOT NULL CHECK (typeof(quote) = 'blob'),"
	" sig BLOB NOT NULL CHECK (typeof(sig) = 'blob'),"
	" nonce TEXT NOT NULL,"
	" eventlog_sha256 TEXT,"
	" pcrs TEXT,"
	" clock INTEGER NOT NULL,"
	" reset_count INTEGER NOT NULL,"
	" restart_count INTEGER NOT NULL)",
	"CREATE INDEX attestations_by_device ON attestations(device, id)",

	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" device_id TEXT,"
	" action TEXT NOT NULL,"
	" \"before\" TEXT,"
	" \"after\" TEXT,"
	" detail TEXT,"
	" prev_hash BLOB NOT NULL"
	"  CHECK (typeof(prev_hash) = 'blob' AND length(prev_hash) = 32),"
	" hash BLOB NOT NULL"
	"  CHECK (typeof(hash) = 'blob' AND length(hash) = 32))",
	/* For per-device evidence bundles and reports. */
	"CREATE INDEX audit_by_device ON audit(device_id, id)",
	/* Append-only against our own mistakes; the chain is what shows
	 * tampering by anyone who can write the file. */
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",

	"CREATE TABLE blocked_eks ("
	" ek_fpr TEXT PRIMARY KEY NOT NULL CHECK (typeof(ek_fpr) = 'text'),"
	" reason TEXT NOT NULL,"
	" blocked_at INTEGER NOT NULL)",

	"PRAGMA application_id = 1464287572",	/* STORE_APP_ID */
	"PRAGMA user_version = 1",
	NULL
};

/*
 * Version 2: golden firmware policies (lib/policy.h). Every installed
 * bundle is kept, with its signature, who installed it and when; the
 * (issuer, version) pair is unique and versions only grow per issuer.
 * Devices and attestations record the firmware release that matched.
 */
static const char *const migration_2[] = {
	"CREATE TABLE policies ("
	" id INTEGER PRIMARY KEY,"
	" issuer TEXT NOT NULL CHECK (typeof(issuer) = 'text'),"
	" version INTEGER NOT NULL CHECK (version > 0),"
	" bundle BLOB NOT NULL CHECK (typeof(bundle) = 'blob'),"
	" signature BLOB NOT NULL CHECK (typeof(signature) = 'blob'),"
	" installed_at INTEGER NOT NULL,"
	" installed_by TEXT NOT NULL,"
	" UNIQUE (issuer, version))",
	"CREATE TRIGGER policies_append_only_u BEFORE UPDATE ON policies"
	" BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END",
	"CREATE TRIGGER policies_append_only_d BEFORE DELETE ON policies"
	" BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END",
	"ALTER TABLE devices ADD COLUMN release TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE attestations ADD COLUMN release TEXT",
	"PRAGMA user_version = 2",
	NULL
};

/*
 * Version 3: enforcement. Devices are found by MAC (RADIUS, enforcer);
 * clinical holds are kept with who granted them, for how long and why,
 * and how they ended. A hold row is never deleted.
 */
static const char *const migration_3[] = {
	"CREATE INDEX devices_by_mac ON devices(mac)",
	"CREATE TABLE holds ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL CHECK (typeof(device_id) = 'text'),"
	" granted_by TEXT NOT NULL,"
	" granted_at INTEGER NOT NULL,"
	" until INTEGER NOT NULL CHECK (until > granted_at),"
	" reason TEXT NOT NULL CHECK (length(reason) > 0),"
	" ended_at INTEGER,"
	" ended_by TEXT)",
	"CREATE INDEX holds_open ON holds(device_id) WHERE ended_at IS NULL",
	"CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds"
	" BEGIN SELECT RAISE(ABORT, 'holds are kept'); END",
	"PRAGMA user_version = 3",
	NULL
};

/*
 * Version 4: lifecycle evidence (EU Cyber Resilience Act). Every change
 * of a device's attested release, with the policy bundle that approved
 * it; decommissioned devices with the archive of their evidence (a
 * canonical JSON document and its SHA-256); and the audit log's head (id
 * and hash of the newest row), written with every audit row, so that a
 * cut tail shows without an outside anchor. Both new tables are
 * append-only; audit_head has one row.
 */
static const char *const migration_4[] = {
	"CREATE TABLE release_history ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL CHECK (typeof(device_id) = 'text'),"
	" at INTEGER NOT NULL,"
	" from_release TEXT NOT NULL,"
	" to_release TEXT NOT NULL,"
	" issuer TEXT NOT NULL,"
	" bundle_version INTEGER NOT NULL CHECK (bundle_version >= 0),"
	" CHECK ((issuer = '') = (bundle_version = 0)))",
	"CREATE INDEX release_history_by_device"
	" ON release_history(device_id, id)",
	"CREATE TRIGGER release_history_no_update BEFORE UPDATE"
	" ON release_history"
	" BEGIN SELECT RAISE(ABORT, 'release history is append-only'); END",
	"CREATE TRIGGER release_history_no_delete BEFORE DELETE"
	" ON release_history"
	" BEGIN SELECT RAISE(ABORT, 'release history is append-only'); END",
	"CREATE TABLE decommissions ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL UNIQUE CHECK (typeof(device_id) = 'text'),"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" reason TEXT NOT NULL CHECK (length(reason) > 0),"
	" archive BLOB NOT NULL CHECK (typeof(archive) = 'blob'),"
	" archive_sha256 TEXT NOT NULL CHECK (length(archive_sha256) = 64))",
	"CREATE TRIGGER decommissions_no_update BEFORE UPDATE ON decommissions"
	" BEGIN SELECT RAISE(ABORT, 'decommissions are kept'); END",
	"CREATE TRIGGER decommissions_no_delete BEFORE DELETE ON decommissions"
	" BEGIN SELECT RAISE(ABORT, 'decommissions are kept'); END",
	"CREATE TABLE audit_head ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" id INTEGER NOT NULL CHECK (id >= 0),"
	" hash BLOB NOT NULL"
	"  CHECK (typeof(hash) = 'blob' AND length(hash) = 32))",
	"INSERT INTO audit_head (one, id, hash)"
	" SELECT 1, 0, zeroblob(32) WHERE NOT EXISTS (SELECT 1 FROM audit)",
	"INSERT INTO audit_head (one, id, hash)"
	" SELECT 1, id, hash FROM audit ORDER BY id DESC LIMIT 1",
	"PRAGMA user_version = 4",
	NULL
};

/*
 * Version 5: vulnerability advisories (lib/advisory.h), kept as given
 * with who added them, and per device the advisories that touch its
 * attested release: opened when found, closed (with the release that
 * fixed it) when the device attests a release the advisory spares.
 */
static const char *const migration_5[] = {
	"CREATE TABLE advisories ("
	" id TEXT PRIMARY KEY CHECK (typeof(id) = 'text' AND length(id) > 0),"
	" model TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" doc BLOB NOT NULL CHECK (typeof(doc) = 'blob'),"
	" added_at INTEGER NOT NULL,"
	" added_by TEXT NOT NULL)",
	"CREATE TRIGGER advisories_no_update BEFORE UPDATE ON advisories"
	" BEGIN SELECT RAISE(ABORT, 'advisories are kept as given'); END",
	"CREATE TRIGGER advisories_no_delete BEFORE DELETE ON advisories"
	" BEGIN SELECT RAISE(ABORT, 'advisories are kept as given'); END",
	"CREATE TABLE device_advisories ("
	" device_id TEXT NOT NULL CHECK (typeof(device_id) = 'text'),"
	" advisory_id TEXT NOT NULL REFERENCES advisories(id),"
	" opened_at INTEGER NOT NULL,"
	" release TEXT NOT NULL,"
	" closed_at INTEGER,"
	" closed_release TEXT,"
	" PRIMARY KEY (device_id, advisory_id))",
	"CREATE TRIGGER device_advisories_no_delete BEFORE DELETE"
	" ON device_advisories"
	" BEGIN SELECT RAISE(ABORT, 'remediation is kept'); END",
	"PRAGMA user_version = 5",
	NULL
};

/*
 * Version 6: provisioning records carry the maker's UDI and batch, the
 * device's location, and an accountable owner per lifecycle stage
 * (owner stays the ward or department); credential rotation: when the
 * device's AK was activated, whether an admin asked for a fresh one,
 * and every AK change (append-only ak_history).
 */
static const char *const migration_6[] = {
	"ALTER TABLE provisioning ADD COLUMN udi TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN batch TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN location TEXT NOT NULL"
	" DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN owner_identity TEXT NOT NULL"
	" DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN owner_update TEXT NOT NULL"
	" DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN owner_vuln TEXT NOT NULL"
	" DEFAULT ''",
	"ALTER TABLE provisioning ADD COLUMN owner_decommission TEXT NOT NULL"
	" DEFAULT ''",
	"ALTER TABLE devices ADD COLUMN ak_created_at INTEGER NOT NULL"
	" DEFAULT 0",
	"ALTER TABLE devices ADD COLUMN rotate_ak INTEGER NOT NULL DEFAULT 0"
	" CHECK (rotate_ak IN (0, 1))",
	"CREATE TABLE ak_history ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL CHECK (typeof(device_id) = 'text'),"
	" at INTEGER NOT NULL,"
	" old_ak TEXT NOT NULL,"
	" new_ak TEXT NOT NULL,"
	" reason TEXT NOT NULL)",
	"CREATE INDEX ak_history_by_device ON ak_history(device_id, id)",
	"CREATE TRIGGER ak_history_no_update BEFORE UPDATE ON ak_history"
	" BEGIN SELECT RAISE(ABORT, 'AK history is append-only'); END",
	"CREATE TRIGGER ak_history_no_delete BEFORE DELETE ON ak_history"
	" BEGIN SELECT RAISE(ABORT, 'AK history is append-only'); END",
	"PRAGMA user_version = 6",
	NULL
};

/*
 * Version 7: devices that cannot attest, and field service. A legacy
 * device (no usable TPM) has one row of compensating controls: who owns
 * it, what protects it, when it is next reviewed and when it must be gone
 * (its sunset; sunset_done once the gateway quarantined it for that). A
 * field-service window opens a named flow of enforcer.conf to a device
 * from opened_at until `until`, approved by a named person; windows are
 * kept (closed, never deleted). And indexes for the uniqueness checks of
 * provisioning imports.
 */
static const char *const migration_7[] = {
	"CREATE TABLE legacy ("
	" device_id TEXT PRIMARY KEY NOT NULL"
	"  CHECK (typeof(device_id) = 'text'),"
	" controls TEXT NOT NULL CHECK (length(controls) > 0),"
	" owner TEXT NOT NULL CHECK (length(owner) > 0),"
	" segment TEXT NOT NULL CHECK (length(segment) > 0),"
	" registered_by TEXT NOT NULL,"
	" registered_at INTEGER NOT NULL,"
	" review_at INTEGER NOT NULL,"
	" sunset_at INTEGER NOT NULL CHECK (sunset_at > registered_at),"
	" reviewed_at INTEGER NOT NULL DEFAULT 0,"
	" reviewed_by TEXT NOT NULL DEFAULT '',"
	" sunset_done INTEGER NOT NULL DEFAULT 0"
	"  CHECK (sunset_done IN (0, 1)))",
	"CREATE TRIGGER legacy_no_delete BEFORE DELETE ON legacy"
	" BEGIN SELECT RAISE(ABORT, 'legacy records are kept'); END",
	"CREATE TABLE service_windows ("
	" id INTEGER PRIMARY KEY,"
	" device_id TEXT NOT NULL CHECK (typeof(device_id) = 'text'),"
	" flow TEXT NOT NULL CHECK (length(flow) > 0),"
	" approved_by TEXT NOT NULL CHECK (length(approved_by) > 0),"
	" opened_by TEXT NOT NULL,"
	" reason TEXT NOT NULL CHECK (length(reason) > 0),"
	" opened_at INTEGER NOT NULL,"
	" until INTEGER NOT NULL CHECK (until > opened_at),"
	" closed_at INTEGER,"
	" closed_by TEXT)",
	"CREATE INDEX service_open ON service_windows(until)"
	" WHERE closed_at IS NULL",
	"CREATE INDEX service_by_device ON service_windows(device_id, id)",
	"CREATE TRIGGER service_no_delete BEFORE DELETE ON service_windows"
	" BEGIN SELECT RAISE(ABORT, 'service windows are kept'); END",
	/* Import and registration check MACs, names and serials against
	 * every stored record without a scan (store_provision_clashes). */
	"CREATE INDEX provisioning_by_mac ON provisioning(mac)",
	"CREATE INDEX provisioning_by_name ON provisioning(name)",
	"CREATE INDEX provisioning_by_model_serial ON provisioning(model,"
	" serial)",
	"CREATE INDEX devices_by_model_serial ON devices(model, serial)",
	"PRAGMA user_version = 7",
	NULL
};

struct migration {
	int version;
	const char *const *sql;
};

static const struct migration migrations[] = {
	{ 1, migration_1 },
	{ 2, migration_2 },
	{ 3, migration_3 },
	{ 4, migration_4 },
	{ 5, migration_5 },
	{ 6, migration_6 },
	{ 7, migration_7 },
};
#define STORE_SCHEMA_LATEST \
	((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Columns of a device row, in the order device_from_row() reads them. */
#define DEVICE_COLS \
	"device_id, name, model, owner, serial, mac, state, segment," \
	" reasons, claims, approved, ek_pub, ek_cert, ak_pub, enrolled_at," \
	" state_since, last_attest_at, last_good_at, attest_interval, clock," \
	" reset_count, restart_count, eventlog_sha256, attest_count," \
	" fail_count, release, ak_created_at, rotate_ak"

#define HOLD_COLS \
	"id, device_id, granted_by, granted_at, until, reason, ended_at," \
	" ended_by"

#define AUDIT_COLS \
	"id, at, actor, device_id, action, \"before\", \"after\", detail," \
	" prev_hash, hash"

enum st {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PROV_PUT,
	ST_PROV_GET,
	ST_PROV_CLASH,
	ST_DEV_GET,
	ST_DEV_PUT,
	ST_DEV_EACH,
	ST_EVLOG_PUT,
	ST_EVLOG_GET,
	ST_ATT_ADD,
	ST_ATT_COUNT_DEV,
	ST_ATT_COUNT_ALL,
	ST_AUDIT_LAST,
	ST_AUDIT_ADD,
	ST_AUDIT_WALK,
	ST_EK_BLOCKED,
	ST_EK_BLOCK,
	ST_POL_MAX,
	ST_POL_ADD,
	ST_POL_LATEST,
	ST_DEV_BY_MAC,
	ST_HOLD_ADD,
	ST_HOLD_OPEN,
	ST_HOLD_END,
	ST_HOLD_DUE,
	ST_REL_ADD,
	ST_REL_EACH,
	ST_DECOM_ADD,
	ST_DECOM_GET,
	ST_ATT_EACH,
	ST_AUDIT_EACH,
	ST_AUDIT_EACH_DEV,
	ST_AUDIT_HEAD_GET,
	ST_AUDIT_HEAD_SET,
	ST_ADV_ADD,
	ST_ADV_EACH,
	ST_DEVADV_OPEN,
	ST_DEVADV_CLOSE,
	ST_DEVADV_EACH,
	ST_AKH_ADD,
	ST_LEG_PUT,
	ST_LEG_GET,
	ST_LEG_EACH,
	ST_SVC_ADD,
	ST_SVC_CLOSE,
	ST_SVC_OPEN,
	ST_SVC_DEV,
	ST_MAC_RETIRED,
	ST_MAC_RELEASE,
	ST_COUNT
};

/* A provisioning record's device state ("" before it enrolls). */
#define PROV_STATE \
	"coalesce((SELECT state FROM devices WHERE device_id = ek_fpr), '')"
#define LEGACY_COLS \
	"device_id, controls, owner, registered_by, registered_at," \
	" review_at, sunset_at, reviewed_at, reviewed_by, sunset_done, segment"
#define SERVICE_COLS \
	"id, device_id, flow, approved_by, opened_by, reason, opened_at," \
	" until, closed_at, closed_by"

static const char *const st_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_BEGIN_READ] = "BEGIN DEFERRED",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PROV_PUT] =
	    "INSERT INTO provisioning"
	    " (ek_fpr, name, serial, model, owner, mac, created_at, udi,"
	    " batch, location, owner_identity, owner_update, owner_vuln,"
	    " owner_decommission)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, ?14)"
	    " ON CONFLICT (ek_fpr) DO UPDATE SET name = excluded.name,"
	    " serial = excluded.serial, model = excluded.model,"
	    " owner = excluded.owner, mac = excluded.mac,"
	    " created_at = excluded.created_at, udi = excluded.udi,"
	    " batch = excluded.batch, location = excluded.location,"
	    " owner_identity = excluded.owner_identity,"
	    " owner_update = excluded.owner_update,"
	    " owner_vuln = excluded.owner_vuln,"
	    " owner_decommission = excluded.owner_decommission",
	[ST_PROV_GET] =
	    "SELECT ek_fpr, name, serial, model, owner, mac, created_at,"
	    " udi, batch, location, owner_identity, owner_update,"
	    " owner_vuln, owner_decommission"
	    " FROM provisioning WHERE ek_fpr = ?1",
	/*
	 * One arm per column and table, each an equality a single index
	 * can answer; the first column orders mac, name, serial.
	 */
	[ST_PROV_CLASH] =
	    "SELECT 1 AS k, 'mac', 'provisioning', ek_fpr, name, " PROV_STATE
	    " FROM provisioning WHERE ?2 <> '' AND mac = ?2 AND ek_fpr <> ?1"
	    " UNION ALL SELECT 1, 'mac', 'devices', device_id, name, state"
	    " FROM devices WHERE ?2 <> '' AND mac = ?2 AND device_id <> ?1"
	    " UNION ALL SELECT 2, 'name', 'provisioning', ek_fpr, name, "
	    PROV_STATE
	    " FROM provisioning WHERE ?3 <> '' AND name = ?3 AND ek_fpr <> ?1"
	    " UNION ALL SELECT 2, 'name', 'devices', device_id, name, state"
	    " FROM devices WHERE ?3 <> '' AND name = ?3 AND device_id <> ?1"
	    " UNION ALL SELECT 3, 'serial', 'provisioning', ek_fpr, name, "
	    PROV_STATE
	    " FROM provisioning WHERE ?5 <> '' AND model = ?4 AND serial = ?5"
	    " AND ek_fpr <> ?1"
	    " UNION ALL SELECT 3, 'serial', 'devices', device_id, name, state"
	    " FROM devices WHERE ?5 <> '' AND model = ?4 AND serial = ?5"
	    " AND device_id <> ?1"
	    " ORDER BY 1, 4, 3 DESC",
	[ST_DEV_GET] =
	    "SELECT " DEVICE_COLS " FROM devices WHERE device_id = ?1",
	[ST_DEV_PUT] =
	    "INSERT INTO devices (" DEVICE_COLS ") VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
	    " ON CONFLICT (device_id) DO UPDATE SET name = excluded.name,"
	    " model = excluded.model, owner = excluded.owner,"
	    " serial = excluded.serial, mac = excluded.mac,"
	    " state = excluded.state, segment = excluded.segment,"
	    " reasons = excluded.reasons, claims = excluded.claims,"
	    " approved = excluded.approved, ek_pub = excluded.ek_pub,"
	    " ek_cert = excluded.ek_cert, ak_pub = excluded.ak_pub,"
	    " enrolled_at = excluded.enrolled_at,"
	    " state_since = excluded.state_since,"
	    " last_attest_at = excluded.last_attest_at,"
	    " last_good_at = excluded.last_good_at,"
	    " attest_interval = excluded.attest_interval,"
	    " clock = excluded.clock, reset_count = excluded.reset_count,"
	    " restart_count = excluded.restart_count,"
	    " eventlog_sha256 = excluded.eventlog_sha256,"
	    " attest_count = excluded.attest_count,"
	    " fail_count = excluded.fail_count, release = excluded.release,"
	    " ak_created_at = excluded.ak_created_at,"
	    " rotate_ak = excluded.rotate_ak",
	[ST_DEV_EACH] =
	    "SELECT " DEVICE_COLS " FROM devices ORDER BY name, device_id",
	[ST_EVLOG_PUT] =
	    "INSERT INTO eventlogs (sha256, data, stored_at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
	[ST_EVLOG_GET] = "SELECT data FROM eventlogs WHERE sha256 = ?1",
	[ST_ATT_ADD] =
	    "INSERT INTO attestations (device, at, pass, reasons, quote, sig,"
	    " nonce, eventlog_sha256, pcrs, clock, reset_count, restart_count,"
	    " release)"
	    " SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13"
	    " FROM devices WHERE device_id = ?1",
	[ST_ATT_COUNT_DEV] =
	    "SELECT count(*) FROM attestations WHERE device ="
	    " (SELECT id FROM devices WHERE device_id = ?1)",
	[ST_ATT_COUNT_ALL] = "SELECT count(*) FROM attestations",
	[ST_AUDIT_LAST] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
	[ST_AUDIT_ADD] =
	    "INSERT INTO audit (" AUDIT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10)",
	[ST_AUDIT_WALK] = "SELECT " AUDIT_COLS " FROM audit ORDER BY id",
	[ST_EK_BLOCKED] = "SELECT 1 FROM blocked_eks WHERE ek_fpr = ?1",
	[ST_EK_BLOCK] =
	    "INSERT INTO blocked_eks (ek_fpr, reason, blocked_at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (ek_fpr) DO NOTHING",
	[ST_POL_MAX] =
	    "SELECT max(version) FROM policies WHERE issuer = ?1",
	[ST_POL_ADD] =
	    "INSERT INTO policies (issuer, version, bundle, signature,"
	    " installed_at, installed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_POL_LATEST] =
	    "SELECT p.issuer, p.version, p.bundle, p.signature,"
	    " p.installed_at, p.installed_by FROM policies p"
	    " WHERE p.version = (SELECT max(version) FROM policies"
	    " WHERE issuer = p.issuer) ORDER BY p.issuer",
	[ST_DEV_BY_MAC] =
	    "SELECT " DEVICE_COLS " FROM devices WHERE mac = ?1"
	    " ORDER BY device_id",
	[ST_HOLD_ADD] =
	    "INSERT INTO holds (device_id, granted_by, granted_at, until,"
	    " reason) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_HOLD_OPEN] =
	    "SELECT " HOLD_COLS " FROM holds WHERE device_id = ?1"
	    " AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
	[ST_HOLD_END] =
	    "UPDATE holds SET ended_at = ?2, ended_by = ?3"
	    " WHERE device_id = ?1 AND ended_at IS NULL",
	[ST_HOLD_DUE] =
	    "SELECT " HOLD_COLS " FROM holds WHERE ended_at IS NULL"
	    " AND until <= ?1 ORDER BY id",
	[ST_REL_ADD] =
	    "INSERT INTO release_history (device_id, at, from_release,"
	    " to_release, issuer, bundle_version)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_REL_EACH] =
	    "SELECT device_id, at, from_release, to_release, issuer,"
	    " bundle_version FROM release_history WHERE device_id = ?1"
	    " ORDER BY id",
	[ST_DECOM_ADD] =
	    "INSERT INTO decommissions (device_id, at, actor, reason, archive,"
	    " archive_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_DECOM_GET] =
	    "SELECT device_id, at, actor, reason, archive, archive_sha256"
	    " FROM decommissions WHERE device_id = ?1",
	[ST_ATT_EACH] =
	    "SELECT a.id, a.at, a.pass, a.release, a.eventlog_sha256"
	    " FROM attestations a WHERE a.device ="
	    " (SELECT id FROM devices WHERE device_id = ?1) ORDER BY a.id",
	[ST_AUDIT_EACH] = "SELECT " AUDIT_COLS " FROM audit ORDER BY id",
	[ST_AUDIT_EACH_DEV] =
	    "SELECT " AUDIT_COLS " FROM audit WHERE device_id = ?1"
	    " ORDER BY id",
	[ST_AUDIT_HEAD_GET] = "SELECT id, hash FROM audit_head WHERE one = 1",
	[ST_AUDIT_HEAD_SET] =
	    "INSERT INTO audit_head (one, id, hash) VALUES (1, ?1, ?2)"
	    " ON CONFLICT (one) DO UPDATE SET id = excluded.id,"
	    " hash = excluded.hash",
	[ST_ADV_ADD] =
	    "INSERT INTO advisories (id, model, action, doc, added_at,"
	    " added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ADV_EACH] =
	    "SELECT id, doc, added_at, added_by FROM advisories"
	    " ORDER BY added_at, id",
	[ST_DEVADV_OPEN] =
	    "INSERT INTO device_advisories (device_id, advisory_id,"
	    " opened_at, release) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (device_id, advisory_id) DO UPDATE SET"
	    " opened_at = excluded.opened_at, release = excluded.release,"
	    " closed_at = NULL, closed_release = NULL"
	    " WHERE closed_at IS NOT NULL",
	[ST_DEVADV_CLOSE] =
	    "UPDATE device_advisories SET closed_at = ?3,"
	    " closed_release = ?4 WHERE device_id = ?1 AND advisory_id = ?2"
	    " AND closed_at IS NULL",
	[ST_DEVADV_EACH] =
	    "SELECT advisory_id, opened_at, release, closed_at,"
	    " closed_release FROM device_advisories WHERE device_id = ?1"
	    " ORDER BY opened_at, advisory_id",
	[ST_AKH_ADD] =
	    "INSERT INTO ak_history (device_id, at, old_ak, new_ak, reason)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_LEG_PUT] =
	    "INSERT INTO legacy (device_id, controls, owner, registered_by,"
	    " registered_at, review_at, sunset_at, reviewed_at, reviewed_by,"
	    " sunset_done, segment)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	    " ON CONFLICT (device_id) DO UPDATE SET controls = excluded.controls,"
	    " segment = excluded.segment,"
	    " owner = excluded.owner, review_at = excluded.review_at,"
	    " sunset_at = excluded.sunset_at, reviewed_at = excluded.reviewed_at,"
	    " reviewed_by = excluded.reviewed_by,"
	    " sunset_done = excluded.sunset_done",
	[ST_LEG_GET] = "SELECT " LEGACY_COLS " FROM legacy WHERE device_id = ?1",
	[ST_LEG_EACH] = "SELECT " LEGACY_COLS " FROM legacy ORDER BY device_id",
	[ST_SVC_ADD] =
	    "INSERT INTO service_windows (device_id, flow, approved_by,"
	    " opened_by, reason, opened_at, until)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_SVC_CLOSE] =
	    "UPDATE service_windows SET closed_at = ?2, closed_by = ?3"
	    " WHERE id = ?1 AND closed_at IS NULL",
	[ST_SVC_OPEN] =
	    "SELECT " SERVICE_COLS " FROM service_windows"
	    " WHERE closed_at IS NULL ORDER BY until, id",
	[ST_SVC_DEV] =
	    "SELECT " SERVICE_COLS " FROM service_windows"
	    " WHERE device_id = ?1 ORDER BY id",
	[ST_MAC_RETIRED] =
	    "SELECT device_id FROM devices WHERE mac = ?1 AND device_id <> ?2"
	    " AND state = 'decommissioned' ORDER BY device_id",
	[ST_MAC_RELEASE] =
	    "UPDATE devices SET mac = '' WHERE device_id = ?1"
	    " AND state = 'decommissioned'",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	EVP_MD *sha256;
	EVP_MD_CTX *md;
	int version;
	int walking;		/* inside store_device_each */
};

static const uint8_t zero_hash[STORE_HASH_LEN];

/* ---- helpers ---- */

/* Records the connection's last error; call before resetting the stmt. */
static int
db_err(struct store *s, struct wg_diag *d, const char *what)
{
	return wg_diag_set(d, WG_ERR_DB, "%s: %s (%d)", what,
	    sqlite3_errmsg(s->db), sqlite3_extended_errcode(s->db));
}

static void
st_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* 1 when str fits a char[cap] field with its NUL. */
static int
fits(const char *str, size_t cap)
{
	return str != NULL && strnlen(str, cap) < cap;
}

static int
too_large(struct wg_diag *d, const char *what, size_t max)
{
	return wg_diag_set(d, WG_ERR_TOO_LARGE, "%s is longer than %zu bytes",
	    what, max);
}

/* Checks a bounded string argument (required or not). */
static int
check_text(const char *str, size_t max, int required, const char *what,
    struct wg_diag *d)
{
	if (str == NULL)
		return required ? wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "%s is missing", what) : 0;
	if (strnlen(str, max + 1) > max)
		return too_large(d, what, max);
	return 0;
}

static int
check_key(const char *key, const char *what, struct wg_diag *d)
{
	if (key == NULL || *key == '\0')
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "%s is missing",
		    what);
	if (!fits(key, STORE_ID_LEN))
		return too_large(d, what, STORE_ID_LEN - 1);
	return 0;
}

static int
is_sha256_hex(const char *h)
{
	size_t i;

	if (h == NULL)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		    (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	return h[64] == '\0';
}

static void
to_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* uint64 <-> int64 by bits (a plain conversion is implementation-defined). */
static sqlite3_int64
u64_bits(uint64_t v)
{
	sqlite3_int64 r;

	memcpy(&r, &v, sizeof(r));
	return r;
}

static uint64_t
i64_bits(sqlite3_int64 v)
{
	uint64_t r;

	memcpy(&r, &v, sizeof(r));
	return r;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *str)
{
	if (str == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, str, (int)strlen(str), SQLITE_STATIC);
}

/* "" is stored as NULL (optional hex references). */
static int
bind_opt_text(sqlite3_stmt *st, int i, const char *str)
{
	return bind_text(st, i, str != NULL && *str != '\0' ? str : NULL);
}

/* Binds a blob; a zero-length one is X'' (never NULL). */
static int
bind_blob(sqlite3_stmt *st, int i, const uint8_t *p, size_t len)
{
	if (len == 0)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob(st, i, p, (int)len, SQLITE_STATIC);
}

/* Column readers: the value must have the expected type and fit. */

static int
col_bad(struct wg_diag *d, const char *what, const char *why)
{
	return wg_diag_set(d, WG_ERR_DB, "stored %s %s", what, why);
}

/*
 * Copies a TEXT column into out[cap]. NULL reads as "" when nullable.
 * An embedded NUL would cut the value: refused like an oversize one.
 */
static int
col_text(sqlite3_stmt *st, int i, char *out, size_t cap, int nullable,
    const char *what, struct wg_diag *d)
{
	const unsigned char *t;
	int n;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		if (!nullable)
			return col_bad(d, what, "is NULL");
		out[0] = '\0';
		return 0;
	case SQLITE_TEXT:
		break;
	default:
		return col_bad(d, what, "is not text");
	}
	if ((t = sqlite3_column_text(st, i)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "reading %s", what);
	n = sqlite3_column_bytes(st, i);
	if (n < 0 || (size_t)n >= cap)
		return col_bad(d, what, "does not fit its field");
	if (memchr(t, '\0', (size_t)n) != NULL)
		return col_bad(d, what, "contains a NUL byte");
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

static int
col_blob(sqlite3_stmt *st, int i, uint8_t *out, size_t cap, size_t *len,
    const char *what, struct wg_diag *d)
{
	const void *p;
	int n;

	if (sqlite3_column_type(st, i) != SQLITE_BLOB)
		return col_bad(d, what, "is not a blob");
	p = sqlite3_column_blob(st, i);
	n = sqlite3_column_bytes(st, i);
	if (n < 0 || (size_t)n > cap)
		return col_bad(d, what, "does not fit its field");
	if (n > 0 && p == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "reading %s", what);
	if (n > 0)
		memcpy(out, p, (size_t)n);
	*len = (size_t)n;
	return 0;
}

static int
col_i64(sqlite3_stmt *st, int i, int64_t *out, const char *what,
    struct wg_diag *d)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return col_bad(d, what, "is not an integer");
	*out = sqlite3_column_int64(st, i);
	return 0;
}

static int
col_u64(sqlite3_stmt *st, int i, uint64_t *out, const char *what,
    struct wg_diag *d)
{
	int64_t v = 0;
	int r;

	if ((r = col_i64(st, i, &v, what, d)) != 0)
		return r;
	*out = i64_bits(v);
	return 0;
}

static int
col_u32(sqlite3_stmt *st, int i, uint32_t *out, const char *what,
    struct wg_diag *d)
{
	int64_t v = 0;
	int r;

	if ((r = col_i64(st, i, &v, what, d)) != 0)
		return r;
	if (v < 0 || v > (int64_t)UINT32_MAX)
		return col_bad(d, what, "is out of range");
	*out = (uint32_t)v;
	return 0;
}

static int
col_bool(sqlite3_stmt *st, int i, int *out, const char *what,
    struct wg_diag *d)
{
	int64_t v = 0;
	int r;

	if ((r = col_i64(st, i, &v, what, d)) != 0)
		return r;
	if (v != 0 && v != 1)
		return col_bad(d, what, "is not 0 or 1");
	*out = (int)v;
	return 0;
}

/* Steps a statement expected to finish without rows. */
static int
st_run(struct store *s, enum st which, const char *what, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[which];
	int r = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_err(s, d, what);
	st_done(st);
	return r;
}

/*
 * For a function that reads and then writes: its own BEGIN IMMEDIATE
 * when the caller has no transaction open (*own = 1).
 */
static int
own_begin(struct store *s, int *own, struct wg_diag *d)
{
	*own = sqlite3_get_autocommit(s->db);
	return *own ? store_begin(s, d) : 0;
}

static int
own_end(struct store *s, int own, int r, struct wg_diag *d)
{
	if (!own)
		return r;
	if (r != 0) {
		store_rollback(s);
		return r;
	}
	return store_commit(s, d);
}

/* ---- open, migrate, close ---- */

/* Runs one constant statement (pragmas, DDL), ignoring rows. */
static int
exec1(struct store *s, const char *sql, struct wg_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v3(s->db, sql, -1, 0, &st, NULL) != SQLITE_OK)
		return db_err(s, d, sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		r = db_err(s, d, sql);
	sqlite3_finalize(st);
	return r;
}

/* Reads the single integer result of a constant query (a pragma). */
static int
query_int(struct store *s, const char *sql, int64_t *out, struct wg_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v3(s->db, sql, -1, 0, &st, NULL) != SQLITE_OK)
		return db_err(s, d, sql);
	if (sqlite3_step(st) != SQLITE_ROW)
		r = db_err(s, d, sql);
	else
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* PRAGMA journal_mode=WAL answers with the mode in force. */
static int
set_wal(struct store *s, struct wg_diag *d)
{
	static const char sql[] = "PRAGMA journal_mode = WAL";
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int r = 0;

	if (sqlite3_prepare_v3(s->db, sql, -1, 0, &st, NULL) != SQLITE_OK)
		return db_err(s, d, sql);
	if (sqlite3_step(st) != SQLITE_ROW)
		r = db_err(s, d, sql);
	else if ((mode = sqlite3_column_text(st, 0)) == NULL ||
	    strcmp((const char *)mode, "wal") != 0)
		r = wg_diag_set(d, WG_ERR_DB, "journal_mode is %s, not wal",
		    mode != NULL ? (const char *)mode : "unknown");
	sqlite3_finalize(st);
	return r;
}

/* Sets a pragma and reads it back. */
static int
set_pragma(struct store *s, const char *set, const char *get, int64_t want,
    struct wg_diag *d)
{
	int64_t v = -1;
	int r;

	if ((r = exec1(s, set, d)) != 0 || (r = query_int(s, get, &v, d)) != 0)
		return r;
	if (v != want)
		return wg_diag_set(d, WG_ERR_DB, "%s did not take (%lld)", set,
		    (long long)v);
	return 0;
}

/* Refuses a file that is not ours, or newer than this program. */
static int
check_identity(struct store *s, int64_t *version, struct wg_diag *d)
{
	int64_t app = 0, ver = 0, objects = 0;
	int r;

	if ((r = query_int(s, "PRAGMA application_id", &app, d)) != 0 ||
	    (r = query_int(s, "PRAGMA user_version", &ver, d)) != 0 ||
	    (r = query_int(s, "SELECT count(*) FROM sqlite_master", &objects,
	    d)) != 0)
		return r;
	if (app != STORE_APP_ID && (app != 0 || ver != 0 || objects != 0))
		return wg_diag_set(d, WG_ERR_DB, "not a wardgate store "
		    "(application_id 0x%llx, version %lld, %lld objects)",
		    (unsigned long long)app, (long long)ver,
		    (long long)objects);
	if (ver < 0 || ver > STORE_SCHEMA_LATEST)
		return wg_diag_set(d, WG_ERR_DB_SCHEMA,
		    "store schema version %lld, this program knows %d",
		    (long long)ver, STORE_SCHEMA_LATEST);
	*version = ver;
	return 0;
}

static int
migrate_step(struct store *s, const struct migration *m, struct wg_diag *d)
{
	const char *const *sql;
	int64_t ver = 0;
	int r;

	if ((r = exec1(s, "BEGIN IMMEDIATE", d)) != 0)
		return r;
	/* Another process may have migrated since we looked. */
	if ((r = query_int(s, "PRAGMA user_version", &ver, d)) != 0)
		goto out;
	if (ver > STORE_SCHEMA_LATEST) {
		r = wg_diag_set(d, WG_ERR_DB_SCHEMA,
		    "store schema version %lld, this program knows %d",
		    (long long)ver, STORE_SCHEMA_LATEST);
		goto out;
	}
	if (ver >= m->version)
		goto out;
	if (ver != m->version - 1) {
		r = wg_diag_set(d, WG_ERR_DB, "migration %d from version %lld",
		    m->version, (long long)ver);
		goto out;
	}
	for (sql = m->sql; *sql != NULL; sql++)
		if ((r = exec1(s, *sql, d)) != 0)
			goto out;
	if ((r = query_int(s, "PRAGMA user_version", &ver, d)) != 0)
		goto out;
	if (ver != m->version) {
		r = wg_diag_set(d, WG_ERR_INTERNAL,
		    "migration %d left version %lld", m->version,
		    (long long)ver);
		goto out;
	}
out:
	/* Also ends the read-only transaction of a step already applied. */
	if (r == 0)
		r = exec1(s, "COMMIT", d);
	if (r != 0 && !sqlite3_get_autocommit(s->db))
		(void)exec1(s, "ROLLBACK", NULL);
	return r;
}

/*
 * Creates path with mode 0600 if it does not exist; refuses what is not
 * a regular file or is writable by others.
 */
static int
prepare_file(const char *path, struct wg_diag *d)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd >= 0) {
		(void)close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return wg_diag_set(d, WG_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if (lstat(path, &sb) != 0)
		return wg_diag_set(d, WG_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return wg_diag_set(d, WG_ERR_IO, "%s: not a regular file",
		    path);
	if ((sb.st_mode & S_IWOTH) != 0)
		return wg_diag_set(d, WG_ERR_IO, "%s: writable by others",
		    path);
	return 0;
}

static int
store_open_mode(const char *path, int readonly, struct store **out,
    struct wg_diag *d)
{
	struct store *s = NULL;
	struct stat sb;
	int64_t version = 0;
	size_t i;
	int r;

	if (path == NULL || *path == '\0' || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "store_open");
	if (readonly) {
		if (lstat(path, &sb) != 0)
			return wg_diag_set(d, WG_ERR_IO, "%s: %s", path,
			    strerror(errno));
		if (!S_ISREG(sb.st_mode))
			return wg_diag_set(d, WG_ERR_IO,
			    "%s: not a regular file", path);
	} else if ((r = prepare_file(path, d)) != 0)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "store_open");
	if (sqlite3_open_v2(path, &s->db, (readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_PRIVATECACHE, NULL) != SQLITE_OK) {
		r = s->db != NULL ? db_err(s, d, path) :
		    wg_diag_set(d, WG_ERR_ALLOC, "sqlite3_open_v2");
		goto out;
	}
	(void)sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
	    NULL) != SQLITE_OK) {
		r = db_err(s, d, "configuring the connection");
		goto out;
	}
	(void)sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 0);
	(void)sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH,
	    (int)(STORE_EVENTLOG_MAX + 1024 * 1024));

	/* Read-only checks first: a refused file is left as it was. */
	if (readonly) {
		if ((r = check_identity(s, &version, d)) != 0)
			goto out;
		if (version != STORE_SCHEMA_LATEST) {
			r = wg_diag_set(d, WG_ERR_DB_SCHEMA, "store schema "
			    "version %lld, not %d: read-only access needs a "
			    "store wardgated has opened (and migrated)",
			    (long long)version, STORE_SCHEMA_LATEST);
			goto out;
		}
		if ((r = exec1(s, "PRAGMA query_only = 1", d)) != 0)
			goto out;
	} else if ((r = check_identity(s, &version, d)) != 0 ||
	    (r = set_wal(s, d)) != 0 ||
	    (r = set_pragma(s, "PRAGMA synchronous = FULL",
	    "PRAGMA synchronous", 2, d)) != 0 ||
	    (r = set_pragma(s, "PRAGMA foreign_keys = ON",
	    "PRAGMA foreign_keys", 1, d)) != 0 ||
	    (r = set_pragma(s, "PRAGMA secure_delete = FAST",
	    "PRAGMA secure_delete", 2, d)) != 0 ||
	    (r = set_pragma(s, "PRAGMA journal_size_limit = 67108864",
	    "PRAGMA journal_size_limit", 67108864, d)) != 0)
		goto out;

	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		if (migrations[i].version <= version)
			continue;
		if ((r = migrate_step(s, &migrations[i], d)) != 0)
			goto out;
	}
	if ((r = check_identity(s, &version, d)) != 0)
		goto out;
	if (version != STORE_SCHEMA_LATEST) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "schema at version %lld",
		    (long long)version);
		goto out;
	}
	s->version = (int)version;

	for (i = 0; i < ST_COUNT; i++) {
		const char *tail = NULL;

		if (sqlite3_prepare_v3(s->db, st_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], &tail) != SQLITE_OK) {
			r = db_err(s, d, st_sql[i]);
			goto out;
		}
		if (tail != NULL && *tail != '\0') {
			r = wg_diag_set(d, WG_ERR_INTERNAL, "trailing SQL: %s",
			    tail);
			goto out;
		}
	}
	if ((s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (s->md = EVP_MD_CTX_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "SHA-256");
		goto out;
	}
	r = 0;
out:
	if (r != 0) {
		store_close(s);
		return r;
	}
	*out = s;
	return 0;
}

int
store_open(const char *path, struct store **out, struct wg_diag *d)
{
	return store_open_mode(path, 0, out, d);
}

int
store_open_readonly(const char *path, struct store **out, struct wg_diag *d)
{
	return store_open_mode(path, 1, out, d);
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		(void)sqlite3_finalize(s->st[i]);
	/* Rolls back an open transaction; the last one out checkpoints. */
	(void)sqlite3_close(s->db);
	EVP_MD_CTX_free(s->md);
	EVP_MD_free(s->sha256);
	free(s);
}

int
store_schema_version(struct store *s)
{
	return s != NULL ? s->version : 0;
}

/* ---- transactions ---- */

int
store_begin(struct store *s, struct wg_diag *d)
{
	return st_run(s, ST_BEGIN, "BEGIN IMMEDIATE", d);
}

int
store_commit(struct store *s, struct wg_diag *d)
{
	int r;

	if ((r = st_run(s, ST_COMMIT, "COMMIT", d)) != 0)
		store_rollback(s);
	return r;
}

void
store_rollback(struct store *s)
{
	if (s == NULL || sqlite3_get_autocommit(s->db))
		return;
	(void)sqlite3_step(s->st[ST_ROLLBACK]);
	st_done(s->st[ST_ROLLBACK]);
}

/* ---- provisioning ---- */

int
store_provision_put(struct store *s, const struct store_provision *p,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_PROV_PUT];
	int r;

	if (p == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "provision_put");
	if ((r = check_key(p->ek_fpr, "ek_fpr", d)) != 0)
		return r;
	if (!fits(p->name, sizeof(p->name)))
		return too_large(d, "name", sizeof(p->name) - 1);
	if (!fits(p->serial, sizeof(p->serial)))
		return too_large(d, "serial", sizeof(p->serial) - 1);
	if (!fits(p->model, sizeof(p->model)))
		return too_large(d, "model", sizeof(p->model) - 1);
	if (!fits(p->owner, sizeof(p->owner)))
		return too_large(d, "owner", sizeof(p->owner) - 1);
	if (!fits(p->mac, sizeof(p->mac)))
		return too_large(d, "mac", sizeof(p->mac) - 1);
	if (!fits(p->udi, sizeof(p->udi)) ||
	    !fits(p->batch, sizeof(p->batch)) ||
	    !fits(p->location, sizeof(p->location)) ||
	    !fits(p->owner_identity, sizeof(p->owner_identity)) ||
	    !fits(p->owner_update, sizeof(p->owner_update)) ||
	    !fits(p->owner_vuln, sizeof(p->owner_vuln)) ||
	    !fits(p->owner_decommission, sizeof(p->owner_decommission)))
		return too_large(d, "provisioning text", sizeof(p->udi) - 1);
	if (bind_text(st, 1, p->ek_fpr) != SQLITE_OK ||
	    bind_text(st, 2, p->name) != SQLITE_OK ||
	    bind_text(st, 3, p->serial) != SQLITE_OK ||
	    bind_text(st, 4, p->model) != SQLITE_OK ||
	    bind_text(st, 5, p->owner) != SQLITE_OK ||
	    bind_text(st, 6, p->mac) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, p->created_at) != SQLITE_OK ||
	    bind_text(st, 8, p->udi) != SQLITE_OK ||
	    bind_text(st, 9, p->batch) != SQLITE_OK ||
	    bind_text(st, 10, p->location) != SQLITE_OK ||
	    bind_text(st, 11, p->owner_identity) != SQLITE_OK ||
	    bind_text(st, 12, p->owner_update) != SQLITE_OK ||
	    bind_text(st, 13, p->owner_vuln) != SQLITE_OK ||
	    bind_text(st, 14, p->owner_decommission) != SQLITE_OK) {
		r = db_err(s, d, "provision_put");
		st_done(st);
		return r;
	}
	return st_run(s, ST_PROV_PUT, "provision_put", d);
}

int
store_provision_get(struct store *s, const char *ek_fpr,
    struct store_provision *out, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_PROV_GET];
	struct store_provision p;
	int rc, r;

	if (out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "provision_get");
	if ((r = check_key(ek_fpr, "ek_fpr", d)) != 0)
		return r;
	memset(&p, 0, sizeof(p));
	if (bind_text(st, 1, ek_fpr) != SQLITE_OK) {
		r = db_err(s, d, "provision_get");
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no provisioning record "
		    "for %s", ek_fpr);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, "provision_get");
		goto out;
	}
	if ((r = col_text(st, 0, p.ek_fpr, sizeof(p.ek_fpr), 0,
	    "provisioning.ek_fpr", d)) != 0 ||
	    (r = col_text(st, 1, p.name, sizeof(p.name), 0,
	    "provisioning.name", d)) != 0 ||
	    (r = col_text(st, 2, p.serial, sizeof(p.serial), 0,
	    "provisioning.serial", d)) != 0 ||
	    (r = col_text(st, 3, p.model, sizeof(p.model), 0,
	    "provisioning.model", d)) != 0 ||
	    (r = col_text(st, 4, p.owner, sizeof(p.owner), 0,
	    "provisioning.owner", d)) != 0 ||
	    (r = col_text(st, 5, p.mac, sizeof(p.mac), 0,
	    "provisioning.mac", d)) != 0 ||
	    (r = col_i64(st, 6, &p.created_at, "provisioning.created_at",
	    d)) != 0 ||
	    (r = col_text(st, 7, p.udi, sizeof(p.udi), 0,
	    "provisioning.udi", d)) != 0 ||
	    (r = col_text(st, 8, p.batch, sizeof(p.batch), 0,
	    "provisioning.batch", d)) != 0 ||
	    (r = col_text(st, 9, p.location, sizeof(p.location), 0,
	    "provisioning.location", d)) != 0 ||
	    (r = col_text(st, 10, p.owner_identity,
	    sizeof(p.owner_identity), 0, "provisioning.owner_identity",
	    d)) != 0 ||
	    (r = col_text(st, 11, p.owner_update, sizeof(p.owner_update), 0,
	    "provisioning.owner_update", d)) != 0 ||
	    (r = col_text(st, 12, p.owner_vuln, sizeof(p.owner_vuln), 0,
	    "provisioning.owner_vuln", d)) != 0 ||
	    (r = col_text(st, 13, p.owner_decommission,
	    sizeof(p.owner_decommission), 0,
	    "provisioning.owner_decommission", d)) != 0)
		goto out;
	*out = p;
out:
	st_done(st);
	return r;
}

int
store_provision_clashes(struct store *s, const struct store_provision *p,
    store_clash_cb cb, void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_PROV_CLASH];
	struct store_clash c;
	int rc, r, i;

	if (p == NULL || cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "provision_clashes");
	if ((r = check_key(p->ek_fpr, "ek_fpr", d)) != 0)
		return r;
	if (!fits(p->mac, sizeof(p->mac)) || !fits(p->name, sizeof(p->name)) ||
	    !fits(p->model, sizeof(p->model)) ||
	    !fits(p->serial, sizeof(p->serial)))
		return too_large(d, "provisioning text", sizeof(p->name) - 1);
	if (bind_text(st, 1, p->ek_fpr) != SQLITE_OK ||
	    bind_text(st, 2, p->mac) != SQLITE_OK ||
	    bind_text(st, 3, p->name) != SQLITE_OK ||
	    bind_text(st, 4, p->model) != SQLITE_OK ||
	    bind_text(st, 5, p->serial) != SQLITE_OK) {
		r = db_err(s, d, "provision_clashes");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t[5];

		for (i = 0; i < 5; i++)
			if ((t[i] = (const char *)sqlite3_column_text(st,
			    i + 1)) == NULL) {
				r = col_bad(d, "provision_clashes", "NULL or "
				    "out of memory");
				goto out;
			}
		c.col = t[0];
		c.table = t[1];
		c.ek_fpr = t[2];
		c.name = t[3];
		c.state = t[4];
		if ((r = cb(&c, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d, "provision_clashes");
out:
	st_done(st);
	return r;
}

/* ---- devices ---- */

static int
device_from_row(sqlite3_stmt *st, struct store_device *v, struct wg_diag *d)
{
	int r;

	memset(v, 0, sizeof(*v));
	if ((r = col_text(st, 0, v->device_id, sizeof(v->device_id), 0,
	    "devices.device_id", d)) != 0 ||
	    (r = col_text(st, 1, v->name, sizeof(v->name), 0,
	    "devices.name", d)) != 0 ||
	    (r = col_text(st, 2, v->model, sizeof(v->model), 0,
	    "devices.model", d)) != 0 ||
	    (r = col_text(st, 3, v->owner, sizeof(v->owner), 0,
	    "devices.owner", d)) != 0 ||
	    (r = col_text(st, 4, v->serial, sizeof(v->serial), 0,
	    "devices.serial", d)) != 0 ||
	    (r = col_text(st, 5, v->mac, sizeof(v->mac), 0,
	    "devices.mac", d)) != 0 ||
	    (r = col_text(st, 6, v->state, sizeof(v->state), 0,
	    "devices.state", d)) != 0 ||
	    (r = col_text(st, 7, v->segment, sizeof(v->segment), 0,
	    "devices.segment", d)) != 0 ||
	    (r = col_text(st, 8, v->reasons, sizeof(v->reasons), 0,
	    "devices.reasons", d)) != 0 ||
	    (r = col_text(st, 9, v->claims, sizeof(v->claims), 0,
	    "devices.claims", d)) != 0 ||
	    (r = col_bool(st, 10, &v->approved, "devices.approved", d)) != 0 ||
	    (r = col_blob(st, 11, v->ek_pub, sizeof(v->ek_pub),
	    &v->ek_pub_len, "devices.ek_pub", d)) != 0 ||
	    (r = col_blob(st, 12, v->ek_cert, sizeof(v->ek_cert),
	    &v->ek_cert_len, "devices.ek_cert", d)) != 0 ||
	    (r = col_blob(st, 13, v->ak_pub, sizeof(v->ak_pub),
	    &v->ak_pub_len, "devices.ak_pub", d)) != 0 ||
	    (r = col_i64(st, 14, &v->enrolled_at, "devices.enrolled_at",
	    d)) != 0 ||
	    (r = col_i64(st, 15, &v->state_since, "devices.state_since",
	    d)) != 0 ||
	    (r = col_i64(st, 16, &v->last_attest_at,
	    "devices.last_attest_at", d)) != 0 ||
	    (r = col_i64(st, 17, &v->last_good_at, "devices.last_good_at",
	    d)) != 0 ||
	    (r = col_u32(st, 18, &v->attest_interval,
	    "devices.attest_interval", d)) != 0)
		return r;
	if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
		v->has_clock = 1;
		if ((r = col_u64(st, 19, &v->clock, "devices.clock", d)) != 0 ||
		    (r = col_u32(st, 20, &v->reset_count,
		    "devices.reset_count", d)) != 0 ||
		    (r = col_u32(st, 21, &v->restart_count,
		    "devices.restart_count", d)) != 0)
			return r;
	} else if (sqlite3_column_type(st, 20) != SQLITE_NULL ||
	    sqlite3_column_type(st, 21) != SQLITE_NULL)
		return col_bad(d, "devices.clock", "is NULL, its counters not");
	if ((r = col_text(st, 22, v->eventlog_sha256,
	    sizeof(v->eventlog_sha256), 1, "devices.eventlog_sha256",
	    d)) != 0 ||
	    (r = col_u64(st, 23, &v->attest_count, "devices.attest_count",
	    d)) != 0 ||
	    (r = col_u64(st, 24, &v->fail_count, "devices.fail_count",
	    d)) != 0 ||
	    (r = col_text(st, 25, v->release, sizeof(v->release), 0,
	    "devices.release", d)) != 0 ||
	    (r = col_i64(st, 26, &v->ak_created_at, "devices.ak_created_at",
	    d)) != 0)
		return r;
	v->rotate_ak = sqlite3_column_int(st, 27) != 0;
	return 0;
}

/*
 * Runs a device query bound to key; the row is copied to out. With
 * unique, a second row is WG_ERR_CONFLICT (the key must name one device).
 */
static int
device_query(struct store *s, enum st which, const char *key, int unique,
    const char *what, struct store_device *out, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[which];
	struct store_device *v = NULL;
	int rc, r;

	if ((v = malloc(sizeof(*v))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "%s", what);
	if (bind_text(st, 1, key) != SQLITE_OK) {
		r = db_err(s, d, what);
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no device %s", key);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, what);
		goto out;
	}
	if ((r = device_from_row(st, v, d)) != 0)
		goto out;
	if (unique && (rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = rc == SQLITE_ROW ? wg_diag_set(d, WG_ERR_CONFLICT,
		    "%s is recorded for more than one device", key) :
		    db_err(s, d, what);
		goto out;
	}
	memcpy(out, v, sizeof(*out));
out:
	st_done(st);
	free(v);
	return r;
}

int
store_device_get(struct store *s, const char *device_id,
    struct store_device *out, struct wg_diag *d)
{
	int r;

	if (out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "device_get");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	return device_query(s, ST_DEV_GET, device_id, 0, "device_get", out,
	    d);
}

int
store_device_put(struct store *s, const struct store_device *v,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DEV_PUT];
	int r;

	if (v == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "device_put");
	if ((r = check_key(v->device_id, "device_id", d)) != 0)
		return r;
#define DEV_FITS(f) \
	if (!fits(v->f, sizeof(v->f))) \
		return too_large(d, #f, sizeof(v->f) - 1)
	DEV_FITS(name);
	DEV_FITS(model);
	DEV_FITS(owner);
	DEV_FITS(serial);
	DEV_FITS(mac);
	DEV_FITS(state);
	DEV_FITS(segment);
	DEV_FITS(reasons);
	DEV_FITS(claims);
	DEV_FITS(eventlog_sha256);
	DEV_FITS(release);
#undef DEV_FITS
	if (v->ek_pub_len > sizeof(v->ek_pub))
		return too_large(d, "ek_pub", sizeof(v->ek_pub));
	if (v->ek_cert_len > sizeof(v->ek_cert))
		return too_large(d, "ek_cert", sizeof(v->ek_cert));
	if (v->ak_pub_len > sizeof(v->ak_pub))
		return too_large(d, "ak_pub", sizeof(v->ak_pub));
	if (bind_text(st, 1, v->device_id) != SQLITE_OK ||
	    bind_text(st, 2, v->name) != SQLITE_OK ||
	    bind_text(st, 3, v->model) != SQLITE_OK ||
	    bind_text(st, 4, v->owner) != SQLITE_OK ||
	    bind_text(st, 5, v->serial) != SQLITE_OK ||
	    bind_text(st, 6, v->mac) != SQLITE_OK ||
	    bind_text(st, 7, v->state) != SQLITE_OK ||
	    bind_text(st, 8, v->segment) != SQLITE_OK ||
	    bind_text(st, 9, v->reasons) != SQLITE_OK ||
	    bind_text(st, 10, v->claims) != SQLITE_OK ||
	    sqlite3_bind_int(st, 11, v->approved != 0) != SQLITE_OK ||
	    bind_blob(st, 12, v->ek_pub, v->ek_pub_len) != SQLITE_OK ||
	    bind_blob(st, 13, v->ek_cert, v->ek_cert_len) != SQLITE_OK ||
	    bind_blob(st, 14, v->ak_pub, v->ak_pub_len) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 15, v->enrolled_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 16, v->state_since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 17, v->last_attest_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 18, v->last_good_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 19, v->attest_interval) != SQLITE_OK ||
	    (v->has_clock && (
	    sqlite3_bind_int64(st, 20, u64_bits(v->clock)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 21, v->reset_count) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 22, v->restart_count) != SQLITE_OK)) ||
	    bind_opt_text(st, 23, v->eventlog_sha256) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 24,
	    u64_bits(v->attest_count)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 25, u64_bits(v->fail_count)) != SQLITE_OK ||
	    bind_text(st, 26, v->release) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 27, v->ak_created_at) != SQLITE_OK ||
	    sqlite3_bind_int(st, 28, v->rotate_ak ? 1 : 0) != SQLITE_OK) {
		r = db_err(s, d, "device_put");
		st_done(st);
		return r;
	}
	return st_run(s, ST_DEV_PUT, "device_put", d);
}

int
store_device_each(struct store *s, store_device_cb cb, void *arg,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DEV_EACH];
	struct store_device *v = NULL;
	int rc, r = 0;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "device_each");
	if (s->walking)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "device_each inside device_each");
	if ((v = malloc(sizeof(*v))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "device_each");
	s->walking = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = device_from_row(st, v, d)) != 0)
			goto out;
		if ((r = cb(v, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "device_each");
out:
	st_done(st);
	s->walking = 0;
	free(v);
	return r;
}

/* ---- event logs ---- */

static int
sha256(struct store *s, const uint8_t *p, size_t len,
    uint8_t out[STORE_HASH_LEN], struct wg_diag *d)
{
	unsigned int n = 0;

	if (EVP_DigestInit_ex2(s->md, s->sha256, NULL) != 1 ||
	    (len > 0 && EVP_DigestUpdate(s->md, p, len) != 1) ||
	    EVP_DigestFinal_ex(s->md, out, &n) != 1 || n != STORE_HASH_LEN)
		return wg_diag_set(d, WG_ERR_CRYPTO, "SHA-256");
	return 0;
}

int
store_eventlog_put(struct store *s, const char *sha256_hex,
    const uint8_t *data, size_t len, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_EVLOG_PUT];
	uint8_t h[STORE_HASH_LEN];
	char hex[2 * STORE_HASH_LEN + 1];
	int r;

	if (!is_sha256_hex(sha256_hex) || (data == NULL && len > 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "eventlog_put: "
		    "needs 64 lowercase hex digits and the bytes");
	if (len > STORE_EVENTLOG_MAX)
		return too_large(d, "event log", STORE_EVENTLOG_MAX);
	if ((r = sha256(s, data, len, h, d)) != 0)
		return r;
	to_hex(h, sizeof(h), hex);
	if (strcmp(hex, sha256_hex) != 0)
		return wg_diag_set(d, WG_ERR_EVENTLOG_HASH,
		    "event log hashes to %s, not %s", hex, sha256_hex);
	if (bind_text(st, 1, sha256_hex) != SQLITE_OK ||
	    bind_blob(st, 2, data, len) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		r = db_err(s, d, "eventlog_put");
		st_done(st);
		return r;
	}
	return st_run(s, ST_EVLOG_PUT, "eventlog_put", d);
}

int
store_eventlog_get(struct store *s, const char *sha256_hex, uint8_t **data,
    size_t *len, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_EVLOG_GET];
	uint8_t h[STORE_HASH_LEN];
	char hex[2 * STORE_HASH_LEN + 1];
	uint8_t *buf = NULL;
	const void *p;
	int rc, n, r;

	if (!is_sha256_hex(sha256_hex) || data == NULL || len == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "eventlog_get: "
		    "needs 64 lowercase hex digits");
	if (bind_text(st, 1, sha256_hex) != SQLITE_OK) {
		r = db_err(s, d, "eventlog_get");
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no event log %s",
		    sha256_hex);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, "eventlog_get");
		goto out;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_BLOB) {
		r = col_bad(d, "event log", "is not a blob");
		goto out;
	}
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (n < 0 || (size_t)n > STORE_EVENTLOG_MAX) {
		r = col_bad(d, "event log", "exceeds the size limit");
		goto out;
	}
	if (n > 0 && p == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "eventlog_get");
		goto out;
	}
	if ((buf = malloc(n > 0 ? (size_t)n : 1)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "eventlog_get");
		goto out;
	}
	if (n > 0)
		memcpy(buf, p, (size_t)n);
	if ((r = sha256(s, buf, (size_t)n, h, d)) != 0)
		goto out;
	to_hex(h, sizeof(h), hex);
	if (strcmp(hex, sha256_hex) != 0) {
		r = wg_diag_set(d, WG_ERR_DB, "stored event log %s hashes to "
		    "%s", sha256_hex, hex);
		goto out;
	}
	*data = buf;
	*len = (size_t)n;
	buf = NULL;
	r = 0;
out:
	st_done(st);
	free(buf);
	return r;
}

/* ---- attestations ---- */

int
store_attestation_add(struct store *s, const struct store_attestation *a,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_ATT_ADD];
	int r;

	if (a == NULL || a->reasons == NULL ||
	    (a->quote == NULL && a->quote_len > 0) ||
	    (a->sig == NULL && a->sig_len > 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "attestation_add");
	if ((r = check_key(a->device_id, "device_id", d)) != 0 ||
	    (r = check_text(a->reasons, STORE_REASONS_LEN - 1, 1, "reasons",
	    d)) != 0 ||
	    (r = check_text(a->pcrs, STORE_PCRS_MAX, 0, "pcrs", d)) != 0 ||
	    (r = check_text(a->release, STORE_TEXT_LEN - 1, 0, "release",
	    d)) != 0)
		return r;
	if (!fits(a->nonce, sizeof(a->nonce)))
		return too_large(d, "nonce", sizeof(a->nonce) - 1);
	if (!fits(a->eventlog_sha256, sizeof(a->eventlog_sha256)))
		return too_large(d, "eventlog_sha256",
		    sizeof(a->eventlog_sha256) - 1);
	if (a->quote_len > STORE_EVIDENCE_MAX)
		return too_large(d, "quote", STORE_EVIDENCE_MAX);
	if (a->sig_len > STORE_EVIDENCE_MAX)
		return too_large(d, "signature", STORE_EVIDENCE_MAX);
	if (bind_text(st, 1, a->device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, a->at) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, a->pass != 0) != SQLITE_OK ||
	    bind_text(st, 4, a->reasons) != SQLITE_OK ||
	    bind_blob(st, 5, a->quote, a->quote_len) != SQLITE_OK ||
	    bind_blob(st, 6, a->sig, a->sig_len) != SQLITE_OK ||
	    bind_text(st, 7, a->nonce) != SQLITE_OK ||
	    bind_opt_text(st, 8, a->eventlog_sha256) != SQLITE_OK ||
	    bind_text(st, 9, a->pcrs) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 10, u64_bits(a->clock)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 11, a->reset_count) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 12, a->restart_count) != SQLITE_OK ||
	    bind_opt_text(st, 13, a->release) != SQLITE_OK) {
		r = db_err(s, d, "attestation_add");
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = db_err(s, d, "attestation_add");
		goto out;
	}
	/* INSERT ... SELECT inserts nothing for an unknown device. */
	if (sqlite3_changes(s->db) != 1) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no device %s",
		    a->device_id);
		goto out;
	}
	r = 0;
out:
	st_done(st);
	return r;
}

int
store_attestation_count(struct store *s, const char *device_id, int64_t *n,
    struct wg_diag *d)
{
	sqlite3_stmt *st;
	int r;

	if (n == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "attestation_count");
	if (device_id != NULL) {
		if ((r = check_key(device_id, "device_id", d)) != 0)
			return r;
		st = s->st[ST_ATT_COUNT_DEV];
		if (bind_text(st, 1, device_id) != SQLITE_OK) {
			r = db_err(s, d, "attestation_count");
			goto out;
		}
	} else
		st = s->st[ST_ATT_COUNT_ALL];
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = db_err(s, d, "attestation_count");
		goto out;
	}
	*n = sqlite3_column_int64(st, 0);
	r = 0;
out:
	st_done(st);
	return r;
}

/* ---- audit ---- */

/* One audit row's fields as bytes: text[i] == NULL means SQL NULL. */
struct audit_row {
	int64_t id, at;
	/* actor, device_id, action, before, after, detail */
	const char *text[6];
	size_t len[6];
	const uint8_t *prev_hash, *hash;
};

/* The row's hash: lib/auditchain.c, shared with the offline verifier. */
static int
audit_hash(struct store *s, const struct audit_row *a,
    uint8_t out[STORE_HASH_LEN], struct wg_diag *d)
{
	(void)s;
	return auditchain_hash(a->prev_hash, a->id, a->at, a->text, a->len,
	    out, d);
}

/* The newest row's id and hash (0 and zeros when empty). */
static int
audit_last(struct store *s, int64_t *id, uint8_t hash[STORE_HASH_LEN],
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AUDIT_LAST];
	size_t n = 0;
	int rc, r = 0;

	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		*id = 0;
		memset(hash, 0, STORE_HASH_LEN);
	} else if (rc != SQLITE_ROW)
		r = db_err(s, d, "audit head");
	else if ((r = col_i64(st, 0, id, "audit.id", d)) == 0 &&
	    (r = col_blob(st, 1, hash, STORE_HASH_LEN, &n, "audit.hash",
	    d)) == 0 && n != STORE_HASH_LEN)
		r = col_bad(d, "audit.hash", "is not 32 bytes");
	st_done(st);
	return r;
}

int
store_audit_add(struct store *s, const struct store_audit *a,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AUDIT_ADD];
	struct audit_row row;
	uint8_t prev[STORE_HASH_LEN], hash[STORE_HASH_LEN];
	int64_t last = 0;
	int i, own = 0, r;

	if (a == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit_add");
	memset(&row, 0, sizeof(row));
	row.at = a->at;
	row.text[0] = a->actor;
	row.text[1] = a->device_id;
	row.text[2] = a->action;
	row.text[3] = a->before;
	row.text[4] = a->after;
	row.text[5] = a->detail;
	if ((r = check_text(a->actor, STORE_AUDIT_TEXT_MAX, 1, "actor",
	    d)) != 0 ||
	    (r = check_text(a->device_id, STORE_AUDIT_TEXT_MAX, 0,
	    "device_id", d)) != 0 ||
	    (r = check_text(a->action, STORE_AUDIT_TEXT_MAX, 1, "action",
	    d)) != 0 ||
	    (r = check_text(a->before, STORE_AUDIT_TEXT_MAX, 0, "before",
	    d)) != 0 ||
	    (r = check_text(a->after, STORE_AUDIT_TEXT_MAX, 0, "after",
	    d)) != 0 ||
	    (r = check_text(a->detail, STORE_AUDIT_TEXT_MAX, 0, "detail",
	    d)) != 0)
		return r;
	for (i = 0; i < 6; i++)
		row.len[i] = row.text[i] != NULL ? strlen(row.text[i]) : 0;

	/* The last row and the new one must not interleave with a writer. */
	if ((r = own_begin(s, &own, d)) != 0)
		return r;
	if ((r = audit_last(s, &last, prev, d)) != 0)
		goto out;
	if (last == INT64_MAX) {
		r = wg_diag_set(d, WG_ERR_DB, "audit ids exhausted");
		goto out;
	}
	row.id = last + 1;
	row.prev_hash = prev;
	if ((r = audit_hash(s, &row, hash, d)) != 0)
		goto out;
	if (sqlite3_bind_int64(st, 1, row.id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, row.at) != SQLITE_OK ||
	    bind_text(st, 3, a->actor) != SQLITE_OK ||
	    bind_text(st, 4, a->device_id) != SQLITE_OK ||
	    bind_text(st, 5, a->action) != SQLITE_OK ||
	    bind_text(st, 6, a->before) != SQLITE_OK ||
	    bind_text(st, 7, a->after) != SQLITE_OK ||
	    bind_text(st, 8, a->detail) != SQLITE_OK ||
	    bind_blob(st, 9, prev, sizeof(prev)) != SQLITE_OK ||
	    bind_blob(st, 10, hash, sizeof(hash)) != SQLITE_OK) {
		r = db_err(s, d, "audit_add");
		st_done(st);
		goto out;
	}
	if ((r = st_run(s, ST_AUDIT_ADD, "audit_add", d)) != 0)
		goto out;
	/* The head moves with the row: a cut tail no longer matches it. */
	st = s->st[ST_AUDIT_HEAD_SET];
	if (sqlite3_bind_int64(st, 1, row.id) != SQLITE_OK ||
	    bind_blob(st, 2, hash, sizeof(hash)) != SQLITE_OK) {
		r = db_err(s, d, "audit_add head");
		st_done(st);
		goto out;
	}
	r = st_run(s, ST_AUDIT_HEAD_SET, "audit_add head", d);
out:
	return own_end(s, own, r, d);
}

/*
 * Reads one walked row; 1 when a field has a type or size the chain
 * cannot have (the row is bad), 0 when read.
 */
static int
audit_read(sqlite3_stmt *st, struct audit_row *row)
{
	static const int nullable[6] = { 0, 1, 0, 1, 1, 1 };
	int i, t;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_INTEGER)
		return 1;
	row->at = sqlite3_column_int64(st, 1);
	for (i = 0; i < 6; i++) {
		t = sqlite3_column_type(st, 2 + i);
		if (t == SQLITE_NULL && nullable[i])
			continue;
		if (t != SQLITE_TEXT)
			return 1;
		row->text[i] = (const char *)sqlite3_column_text(st, 2 + i);
		row->len[i] = (size_t)sqlite3_column_bytes(st, 2 + i);
		if (row->text[i] == NULL)
			return 1;
	}
	if (sqlite3_column_type(st, 8) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 8) != STORE_HASH_LEN ||
	    sqlite3_column_type(st, 9) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 9) != STORE_HASH_LEN)
		return 1;
	row->prev_hash = sqlite3_column_blob(st, 8);
	row->hash = sqlite3_column_blob(st, 9);
	return row->prev_hash == NULL || row->hash == NULL;
}

/*
 * The recorded head (schema 4): 0 and *id, hash; 1 when the row is gone
 * or malformed (the log was tampered with); <0 on error.
 */
static int
audit_head_row(struct store *s, int64_t *id, uint8_t hash[STORE_HASH_LEN],
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AUDIT_HEAD_GET];
	int rc, r = 0;

	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		r = 1;
	else if (rc != SQLITE_ROW)
		r = db_err(s, d, "audit head row");
	else if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
	    sqlite3_column_type(st, 1) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 1) != STORE_HASH_LEN ||
	    sqlite3_column_blob(st, 1) == NULL)
		r = 1;
	else {
		*id = sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
	}
	st_done(st);
	return r;
}

/*
 * Walks the chain; the row anchor_id must have anchor_hash (an outside
 * anchor, 0 for none) and the newest row must be the recorded head.
 */
static int
audit_walk(struct store *s, int64_t anchor_id, const uint8_t *anchor_hash,
    int64_t *rows, int64_t *first_bad, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AUDIT_WALK];
	struct audit_row row;
	uint8_t prev[STORE_HASH_LEN], h[STORE_HASH_LEN];
	uint8_t head_hash[STORE_HASH_LEN];
	int64_t expect = 1, bad = 0, head_id = 0;
	int rc, r = 0;
	const char *why = NULL;

	memcpy(prev, zero_hash, sizeof(prev));
	if ((r = audit_head_row(s, &head_id, head_hash, d)) < 0)
		return r;
	if (r == 1) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "audit row 1: the recorded "
		    "head of the log is missing or malformed");
		if (first_bad != NULL)
			*first_bad = 1;
		return r;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (audit_read(st, &row) != 0) {
			why = "has a field of the wrong type or size";
			bad = row.id;
			goto fail;
		}
		if (row.id != expect) {
			why = "does not follow the previous row (rows missing)";
			bad = row.id;
			goto fail;
		}
		if (memcmp(row.prev_hash, prev, STORE_HASH_LEN) != 0) {
			why = "prev_hash is not the previous row's hash";
			bad = row.id;
			goto fail;
		}
		if ((r = audit_hash(s, &row, h, d)) != 0)
			goto out;
		if (memcmp(row.hash, h, STORE_HASH_LEN) != 0) {
			why = "hash does not match its content";
			bad = row.id;
			goto fail;
		}
		if (row.id == anchor_id &&
		    memcmp(h, anchor_hash, STORE_HASH_LEN) != 0) {
			why = "is not the anchored row (the chain was rebuilt)";
			bad = row.id;
			goto fail;
		}
		if (row.id > head_id) {
			why = "is past the recorded head (added outside the "
			    "gateway)";
			bad = row.id;
			goto fail;
		}
		if (row.id == head_id &&
		    memcmp(h, head_hash, STORE_HASH_LEN) != 0) {
			why = "is not the recorded head (the chain was rebuilt)";
			bad = row.id;
			goto fail;
		}
		memcpy(prev, h, sizeof(prev));
		expect++;
	}
	if (rc != SQLITE_DONE) {
		r = db_err(s, d, "audit_verify");
		goto out;
	}
	if (anchor_id >= expect) {
		why = "is missing: the log ends before the anchor";
		bad = expect;
		goto fail;
	}
	if (head_id >= expect) {
		why = "is missing: the log ends before its recorded head "
		    "(rows were cut)";
		bad = expect;
		goto fail;
	}
	if (rows != NULL)
		*rows = expect - 1;
	r = 0;
	goto out;
fail:
	r = wg_diag_set(d, WG_ERR_FORMAT, "audit row %lld %s",
	    (long long)bad, why);
	if (first_bad != NULL)
		*first_bad = bad;
out:
	st_done(st);
	return r;
}

/* The walk in one read snapshot: the head and the rows agree. */
static int
audit_walk_snapshot(struct store *s, int64_t anchor_id,
    const uint8_t *anchor_hash, int64_t *rows, int64_t *first_bad,
    struct wg_diag *d)
{
	int own = sqlite3_get_autocommit(s->db), r;

	if (own && (r = st_run(s, ST_BEGIN_READ, "BEGIN", d)) != 0)
		return r;
	r = audit_walk(s, anchor_id, anchor_hash, rows, first_bad, d);
	if (own)
		store_rollback(s);	/* nothing written */
	return r;
}

int
store_audit_verify(struct store *s, int64_t *rows, int64_t *first_bad,
    struct wg_diag *d)
{
	return audit_walk_snapshot(s, 0, zero_hash, rows, first_bad, d);
}

int
store_audit_verify_anchor(struct store *s, int64_t anchor_id,
    const uint8_t anchor_hash[STORE_HASH_LEN], int64_t *rows,
    int64_t *first_bad, struct wg_diag *d)
{
	if (anchor_hash == NULL || anchor_id < 0 || (anchor_id == 0 &&
	    memcmp(anchor_hash, zero_hash, STORE_HASH_LEN) != 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit anchor");
	return audit_walk_snapshot(s, anchor_id, anchor_hash, rows, first_bad,
	    d);
}

int
store_audit_head(struct store *s, int64_t *id, uint8_t hash[STORE_HASH_LEN],
    struct wg_diag *d)
{
	uint8_t h[STORE_HASH_LEN];
	int64_t last = 0;
	int r;

	if (id == NULL || hash == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit_head");
	if ((r = audit_last(s, &last, h, d)) != 0)
		return r;
	*id = last;
	memcpy(hash, h, sizeof(h));
	return 0;
}

/* ---- blocked EKs ---- */

int
store_ek_blocked(struct store *s, const char *ek_fpr, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_EK_BLOCKED];
	int rc, r;

	if ((r = check_key(ek_fpr, "ek_fpr", d)) != 0)
		return r;
	if (bind_text(st, 1, ek_fpr) != SQLITE_OK) {
		r = db_err(s, d, "ek_blocked");
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r = 1;
	else if (rc == SQLITE_DONE)
		r = 0;
	else
		r = db_err(s, d, "ek_blocked");
out:
	st_done(st);
	return r;
}

int
store_ek_block(struct store *s, const char *ek_fpr, const char *reason,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_EK_BLOCK];
	int r;

	if ((r = check_key(ek_fpr, "ek_fpr", d)) != 0 ||
	    (r = check_text(reason, STORE_TEXT_LEN - 1, 1, "reason", d)) != 0)
		return r;
	if (bind_text(st, 1, ek_fpr) != SQLITE_OK ||
	    bind_text(st, 2, reason) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		r = db_err(s, d, "ek_block");
		st_done(st);
		return r;
	}
	return st_run(s, ST_EK_BLOCK, "ek_block", d);
}

/* ---- policies ---- */

int
store_policy_add(struct store *s, const struct store_policy *p,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_POL_MAX];
	int64_t max = 0;
	int rc, r;

	if (p == NULL || p->bundle == NULL || p->sig == NULL ||
	    p->bundle_len == 0 || p->sig_len == 0 || p->version == 0 ||
	    p->version > INT64_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "policy_add");
	if ((r = check_text(p->issuer, STORE_TEXT_LEN - 1, 1, "issuer",
	    d)) != 0 ||
	    (r = check_text(p->installed_by, STORE_TEXT_LEN - 1, 1,
	    "installed_by", d)) != 0)
		return r;
	if (p->bundle_len > STORE_POLICY_MAX || p->sig_len > STORE_EVIDENCE_MAX)
		return too_large(d, "policy", STORE_POLICY_MAX);
	if (bind_text(st, 1, p->issuer) != SQLITE_OK) {
		r = db_err(s, d, "policy_add");
		st_done(st);
		return r;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		max = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_ROW) {
		r = db_err(s, d, "policy_add");
		st_done(st);
		return r;
	}
	st_done(st);
	if ((int64_t)p->version <= max)
		return wg_diag_set(d, WG_ERR_POLICY_ROLLBACK,
		    "issuer %s: version %llu is not above the installed %lld",
		    p->issuer, (unsigned long long)p->version, (long long)max);
	st = s->st[ST_POL_ADD];
	if (bind_text(st, 1, p->issuer) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (int64_t)p->version) != SQLITE_OK ||
	    bind_blob(st, 3, p->bundle, p->bundle_len) != SQLITE_OK ||
	    bind_blob(st, 4, p->sig, p->sig_len) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, p->installed_at) != SQLITE_OK ||
	    bind_text(st, 6, p->installed_by) != SQLITE_OK) {
		r = db_err(s, d, "policy_add");
		st_done(st);
		return r;
	}
	return st_run(s, ST_POL_ADD, "policy_add", d);
}

int
store_policy_each(struct store *s, store_policy_cb cb, void *arg,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_POL_LATEST];
	struct store_policy p;
	int rc, r = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t v;

		memset(&p, 0, sizeof(p));
		if ((r = col_text(st, 0, p.issuer, sizeof(p.issuer), 0,
		    "policies.issuer", d)) != 0)
			break;
		v = sqlite3_column_int64(st, 1);
		if (v <= 0) {
			r = col_bad(d, "policies.version", "is not positive");
			break;
		}
		p.version = (uint64_t)v;
		p.bundle = sqlite3_column_blob(st, 2);
		p.bundle_len = (size_t)sqlite3_column_bytes(st, 2);
		p.sig = sqlite3_column_blob(st, 3);
		p.sig_len = (size_t)sqlite3_column_bytes(st, 3);
		p.installed_at = sqlite3_column_int64(st, 4);
		if ((r = col_text(st, 5, p.installed_by,
		    sizeof(p.installed_by), 0, "policies.installed_by",
		    d)) != 0)
			break;
		if (p.bundle == NULL || p.sig == NULL) {
			r = col_bad(d, "policies.bundle", "is empty");
			break;
		}
		if ((r = cb(&p, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_err(s, d, "policy_each");
	st_done(st);
	return r;
}

/* ---- devices by MAC, clinical holds (schema 3) ---- */

int
store_device_by_mac(struct store *s, const char *mac,
    struct store_device *out, struct wg_diag *d)
{
	if (out == NULL || mac == NULL || *mac == '\0')
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "device_by_mac");
	if (!fits(mac, STORE_MAC_LEN))
		return too_large(d, "mac", STORE_MAC_LEN - 1);
	/* Two devices claiming one MAC: trust neither with a segment. */
	return device_query(s, ST_DEV_BY_MAC, mac, 1, "device_by_mac", out,
	    d);
}

static int
hold_from_row(sqlite3_stmt *st, struct store_hold *h, struct wg_diag *d)
{
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = col_i64(st, 0, &h->id, "holds.id", d)) != 0 ||
	    (r = col_text(st, 1, h->device_id, sizeof(h->device_id), 0,
	    "holds.device_id", d)) != 0 ||
	    (r = col_text(st, 2, h->granted_by, sizeof(h->granted_by), 0,
	    "holds.granted_by", d)) != 0 ||
	    (r = col_i64(st, 3, &h->granted_at, "holds.granted_at", d)) != 0 ||
	    (r = col_i64(st, 4, &h->until, "holds.until", d)) != 0 ||
	    (r = col_text(st, 5, h->reason, sizeof(h->reason), 0,
	    "holds.reason", d)) != 0)
		return r;
	if (sqlite3_column_type(st, 6) != SQLITE_NULL &&
	    (r = col_i64(st, 6, &h->ended_at, "holds.ended_at", d)) != 0)
		return r;
	return col_text(st, 7, h->ended_by, sizeof(h->ended_by), 1,
	    "holds.ended_by", d);
}

int
store_hold_add(struct store *s, const struct store_hold *h, int64_t *id,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_HOLD_ADD];
	int r;

	if (h == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "hold_add");
	if ((r = check_key(h->device_id, "device_id", d)) != 0 ||
	    (r = check_text(h->granted_by, STORE_TEXT_LEN - 1, 1,
	    "granted_by", d)) != 0 ||
	    (r = check_text(h->reason, STORE_TEXT_LEN - 1, 1, "reason",
	    d)) != 0)
		return r;
	if (h->reason[0] == '\0' || h->until <= h->granted_at)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "a hold needs a reason and an end after its start");
	if (bind_text(st, 1, h->device_id) != SQLITE_OK ||
	    bind_text(st, 2, h->granted_by) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, h->granted_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, h->until) != SQLITE_OK ||
	    bind_text(st, 5, h->reason) != SQLITE_OK) {
		r = db_err(s, d, "hold_add");
		st_done(st);
		return r;
	}
	if ((r = st_run(s, ST_HOLD_ADD, "hold_add", d)) == 0 && id != NULL)
		*id = (int64_t)sqlite3_last_insert_rowid(s->db);
	return r;
}

int
store_hold_open(struct store *s, const char *device_id,
    struct store_hold *out, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_HOLD_OPEN];
	struct store_hold h;
	int rc, r;

	if (out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "hold_open");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "hold_open");
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no open hold");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, "hold_open");
		goto out;
	}
	if ((r = hold_from_row(st, &h, d)) == 0)
		*out = h;
out:
	st_done(st);
	return r;
}

int
store_hold_end(struct store *s, const char *device_id, int64_t at,
    const char *by, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_HOLD_END];
	int r;

	if ((r = check_key(device_id, "device_id", d)) != 0 ||
	    (r = check_text(by, STORE_TEXT_LEN - 1, 1, "ended_by", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, at) != SQLITE_OK ||
	    bind_text(st, 3, by) != SQLITE_OK) {
		r = db_err(s, d, "hold_end");
		st_done(st);
		return r;
	}
	return st_run(s, ST_HOLD_END, "hold_end", d);
}

int
store_hold_due(struct store *s, int64_t now, store_hold_cb cb, void *arg,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_HOLD_DUE];
	struct store_hold h;
	int rc, r = 0;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "hold_due");
	if (sqlite3_bind_int64(st, 1, now) != SQLITE_OK) {
		r = db_err(s, d, "hold_due");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = hold_from_row(st, &h, d)) != 0 ||
		    (r = cb(&h, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "hold_due");
out:
	st_done(st);
	return r;
}

/* ---- lifecycle evidence (schema 4) ---- */

int
store_release_history_add(struct store *s, const struct store_release *rel,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_REL_ADD];
	int r;

	if (rel == NULL || rel->bundle_version > INT64_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "release_history_add");
	if ((r = check_key(rel->device_id, "device_id", d)) != 0 ||
	    (r = check_text(rel->from_release, STORE_TEXT_LEN - 1, 1,
	    "from_release", d)) != 0 ||
	    (r = check_text(rel->to_release, STORE_TEXT_LEN - 1, 1,
	    "to_release", d)) != 0 ||
	    (r = check_text(rel->issuer, STORE_TEXT_LEN - 1, 1, "issuer",
	    d)) != 0)
		return r;
	if ((rel->issuer[0] == '\0') != (rel->bundle_version == 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "a bundle is an issuer and a version, or neither");
	if (bind_text(st, 1, rel->device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, rel->at) != SQLITE_OK ||
	    bind_text(st, 3, rel->from_release) != SQLITE_OK ||
	    bind_text(st, 4, rel->to_release) != SQLITE_OK ||
	    bind_text(st, 5, rel->issuer) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, (int64_t)rel->bundle_version) !=
	    SQLITE_OK) {
		r = db_err(s, d, "release_history_add");
		st_done(st);
		return r;
	}
	return st_run(s, ST_REL_ADD, "release_history_add", d);
}

int
store_release_history_each(struct store *s, const char *device_id,
    store_release_cb cb, void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_REL_EACH];
	struct store_release rel;
	int64_t v = 0;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "release_history_each");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "release_history_each");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&rel, 0, sizeof(rel));
		if ((r = col_text(st, 0, rel.device_id, sizeof(rel.device_id),
		    0, "release_history.device_id", d)) != 0 ||
		    (r = col_i64(st, 1, &rel.at, "release_history.at",
		    d)) != 0 ||
		    (r = col_text(st, 2, rel.from_release,
		    sizeof(rel.from_release), 0, "release_history.from_release",
		    d)) != 0 ||
		    (r = col_text(st, 3, rel.to_release, sizeof(rel.to_release),
		    0, "release_history.to_release", d)) != 0 ||
		    (r = col_text(st, 4, rel.issuer, sizeof(rel.issuer), 0,
		    "release_history.issuer", d)) != 0 ||
		    (r = col_i64(st, 5, &v, "release_history.bundle_version",
		    d)) != 0)
			goto out;
		if (v < 0) {
			r = col_bad(d, "release_history.bundle_version",
			    "is negative");
			goto out;
		}
		rel.bundle_version = (uint64_t)v;
		if ((r = cb(&rel, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d, "release_history_each");
out:
	st_done(st);
	return r;
}

int
store_decommission_add(struct store *s, const struct store_decommission *dc,
    char sha256_hex[STORE_ID_LEN], struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DECOM_ADD];
	uint8_t h[STORE_HASH_LEN];
	char hex[STORE_ID_LEN];
	int r;

	if (dc == NULL || dc->archive == NULL || dc->archive_len == 0)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "decommission_add");
	if ((r = check_key(dc->device_id, "device_id", d)) != 0 ||
	    (r = check_text(dc->actor, STORE_TEXT_LEN - 1, 1, "actor",
	    d)) != 0 ||
	    (r = check_text(dc->reason, STORE_TEXT_LEN - 1, 1, "reason",
	    d)) != 0)
		return r;
	if (dc->reason[0] == '\0')
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "a decommission needs a reason");
	if (dc->archive_len > STORE_ARCHIVE_MAX)
		return too_large(d, "archive", STORE_ARCHIVE_MAX);
	if ((r = sha256(s, dc->archive, dc->archive_len, h, d)) != 0)
		return r;
	to_hex(h, sizeof(h), hex);
	if (bind_text(st, 1, dc->device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, dc->at) != SQLITE_OK ||
	    bind_text(st, 3, dc->actor) != SQLITE_OK ||
	    bind_text(st, 4, dc->reason) != SQLITE_OK ||
	    bind_blob(st, 5, dc->archive, dc->archive_len) != SQLITE_OK ||
	    bind_text(st, 6, hex) != SQLITE_OK) {
		r = db_err(s, d, "decommission_add");
		st_done(st);
		return r;
	}
	if ((r = st_run(s, ST_DECOM_ADD, "decommission_add", d)) != 0)
		return r;
	if (sha256_hex != NULL)
		memcpy(sha256_hex, hex, STORE_ID_LEN);
	return 0;
}

int
store_decommission_get(struct store *s, const char *device_id,
    struct store_decommission *out, uint8_t **archive, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DECOM_GET];
	struct store_decommission dc;
	uint8_t h[STORE_HASH_LEN], *copy = NULL;
	char hex[STORE_ID_LEN];
	const void *blob;
	int rc, r;

	if (out == NULL || archive == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "decommission_get");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	memset(&dc, 0, sizeof(dc));
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "decommission_get");
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "not decommissioned");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, "decommission_get");
		goto out;
	}
	if ((r = col_text(st, 0, dc.device_id, sizeof(dc.device_id), 0,
	    "decommissions.device_id", d)) != 0 ||
	    (r = col_i64(st, 1, &dc.at, "decommissions.at", d)) != 0 ||
	    (r = col_text(st, 2, dc.actor, sizeof(dc.actor), 0,
	    "decommissions.actor", d)) != 0 ||
	    (r = col_text(st, 3, dc.reason, sizeof(dc.reason), 0,
	    "decommissions.reason", d)) != 0 ||
	    (r = col_text(st, 5, dc.archive_sha256, sizeof(dc.archive_sha256),
	    0, "decommissions.archive_sha256", d)) != 0)
		goto out;
	if (sqlite3_column_type(st, 4) != SQLITE_BLOB ||
	    (blob = sqlite3_column_blob(st, 4)) == NULL ||
	    (dc.archive_len = (size_t)sqlite3_column_bytes(st, 4)) == 0 ||
	    dc.archive_len > STORE_ARCHIVE_MAX) {
		r = col_bad(d, "decommissions.archive", "is not an archive");
		goto out;
	}
	if ((r = sha256(s, blob, dc.archive_len, h, d)) != 0)
		goto out;
	to_hex(h, sizeof(h), hex);
	if (strcmp(hex, dc.archive_sha256) != 0) {
		r = col_bad(d, "decommissions.archive", "does not match its "
		    "SHA-256");
		goto out;
	}
	if ((copy = malloc(dc.archive_len)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "decommission_get");
		goto out;
	}
	memcpy(copy, blob, dc.archive_len);
	dc.archive = copy;
	*out = dc;
	*archive = copy;
	r = 0;
out:
	st_done(st);
	return r;
}

int
store_attestation_each(struct store *s, const char *device_id,
    store_attestation_cb cb, void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_ATT_EACH];
	struct store_attestation_row a;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "attestation_each");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "attestation_each");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		if ((r = col_i64(st, 0, &a.id, "attestations.id", d)) != 0 ||
		    (r = col_i64(st, 1, &a.at, "attestations.at", d)) != 0 ||
		    (r = col_bool(st, 2, &a.pass, "attestations.pass",
		    d)) != 0 ||
		    (r = col_text(st, 3, a.release, sizeof(a.release), 1,
		    "attestations.release", d)) != 0 ||
		    (r = col_text(st, 4, a.eventlog_sha256,
		    sizeof(a.eventlog_sha256), 1,
		    "attestations.eventlog_sha256", d)) != 0 ||
		    (r = cb(&a, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d, "attestation_each");
out:
	st_done(st);
	return r;
}

int
store_audit_each(struct store *s, const char *device_id, store_audit_cb cb,
    void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st;
	struct store_audit_row a;
	struct audit_row row;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit_each");
	if (device_id != NULL) {
		if ((r = check_text(device_id, STORE_AUDIT_TEXT_MAX, 1,
		    "device_id", d)) != 0)
			return r;
		st = s->st[ST_AUDIT_EACH_DEV];
		if (bind_text(st, 1, device_id) != SQLITE_OK) {
			r = db_err(s, d, "audit_each");
			goto out;
		}
	} else
		st = s->st[ST_AUDIT_EACH];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (audit_read(st, &row) != 0) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "audit row %lld has a "
			    "field of the wrong type or size",
			    (long long)row.id);
			goto out;
		}
		memset(&a, 0, sizeof(a));
		a.id = row.id;
		a.a.at = row.at;
		a.a.actor = row.text[0];
		a.a.device_id = row.text[1];
		a.a.action = row.text[2];
		a.a.before = row.text[3];
		a.a.after = row.text[4];
		a.a.detail = row.text[5];
		if ((r = cb(&a, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d, "audit_each");
out:
	st_done(st);
	return r;
}

/* ---- advisories (schema 5) ---- */

int
store_advisory_add(struct store *s, const struct store_advisory *a,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_ADV_ADD];
	int r, rc;

	if (a == NULL || a->doc == NULL || a->doc_len == 0)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "advisory_add");
	if ((r = check_key(a->id, "advisory id", d)) != 0 ||
	    (r = check_text(a->model, STORE_TEXT_LEN - 1, 1, "model",
	    d)) != 0 ||
	    (r = check_text(a->action, STORE_TEXT_LEN - 1, 1, "action",
	    d)) != 0 ||
	    (r = check_text(a->added_by, STORE_TEXT_LEN - 1, 1, "added_by",
	    d)) != 0)
		return r;
	if (bind_text(st, 1, a->id) != SQLITE_OK ||
	    bind_text(st, 2, a->model) != SQLITE_OK ||
	    bind_text(st, 3, a->action) != SQLITE_OK ||
	    bind_blob(st, 4, a->doc, a->doc_len) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, a->added_at) != SQLITE_OK ||
	    bind_text(st, 6, a->added_by) != SQLITE_OK) {
		r = db_err(s, d, "advisory_add");
		st_done(st);
		return r;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		r = 0;
	else if (sqlite3_extended_errcode(s->db) ==
	    SQLITE_CONSTRAINT_PRIMARYKEY)
		r = wg_diag_set(d, WG_ERR_CONFLICT, "advisory %s is already "
		    "recorded", a->id);
	else
		r = db_err(s, d, "advisory_add");
	st_done(st);
	return r;
}

int
store_advisory_each(struct store *s, store_advisory_cb cb, void *arg,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_ADV_EACH];
	struct store_advisory a;
	char id[STORE_ID_LEN], by[STORE_TEXT_LEN];
	const void *p;
	int rc, r = 0, n;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "advisory_each");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		if ((r = col_text(st, 0, id, sizeof(id), 0, "advisories.id",
		    d)) != 0 ||
		    (r = col_i64(st, 2, &a.added_at, "advisories.added_at",
		    d)) != 0 ||
		    (r = col_text(st, 3, by, sizeof(by), 0,
		    "advisories.added_by", d)) != 0)
			goto out;
		if (sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		    (n = sqlite3_column_bytes(st, 1)) <= 0 ||
		    (p = sqlite3_column_blob(st, 1)) == NULL) {
			r = col_bad(d, "advisories.doc", "is not a blob");
			goto out;
		}
		a.id = id;
		a.added_by = by;
		a.doc = p;
		a.doc_len = (size_t)n;
		if ((r = cb(&a, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "advisory_each");
out:
	st_done(st);
	return r;
}

int
store_devadv_open(struct store *s, const char *device_id,
    const char *advisory_id, int64_t at, const char *release,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DEVADV_OPEN];
	int r;

	if ((r = check_key(device_id, "device_id", d)) != 0 ||
	    (r = check_key(advisory_id, "advisory id", d)) != 0 ||
	    (r = check_text(release, STORE_TEXT_LEN - 1, 1, "release",
	    d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK ||
	    bind_text(st, 2, advisory_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, at) != SQLITE_OK ||
	    bind_text(st, 4, release) != SQLITE_OK) {
		r = db_err(s, d, "devadv_open");
		st_done(st);
		return r;
	}
	return st_run(s, ST_DEVADV_OPEN, "devadv_open", d);
}

int
store_devadv_close(struct store *s, const char *device_id,
    const char *advisory_id, int64_t at, const char *release, int *closed,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DEVADV_CLOSE];
	int r;

	if ((r = check_key(device_id, "device_id", d)) != 0 ||
	    (r = check_key(advisory_id, "advisory id", d)) != 0 ||
	    (r = check_text(release, STORE_TEXT_LEN - 1, 1, "release",
	    d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK ||
	    bind_text(st, 2, advisory_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, at) != SQLITE_OK ||
	    bind_text(st, 4, release) != SQLITE_OK) {
		r = db_err(s, d, "devadv_close");
		st_done(st);
		return r;
	}
	if ((r = st_run(s, ST_DEVADV_CLOSE, "devadv_close", d)) == 0 &&
	    closed != NULL)
		*closed = sqlite3_changes(s->db) > 0;
	return r;
}

int
store_devadv_each(struct store *s, const char *device_id,
    store_devadv_cb cb, void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_DEVADV_EACH];
	struct store_devadv v;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "devadv_each");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "devadv_each");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		if ((r = col_text(st, 0, v.advisory_id,
		    sizeof(v.advisory_id), 0, "device_advisories.advisory_id",
		    d)) != 0 ||
		    (r = col_i64(st, 1, &v.opened_at,
		    "device_advisories.opened_at", d)) != 0 ||
		    (r = col_text(st, 2, v.release, sizeof(v.release), 0,
		    "device_advisories.release", d)) != 0 ||
		    (r = col_text(st, 4, v.closed_release,
		    sizeof(v.closed_release), 1,
		    "device_advisories.closed_release", d)) != 0)
			goto out;
		if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    (r = col_i64(st, 3, &v.closed_at,
		    "device_advisories.closed_at", d)) != 0)
			goto out;
		if ((r = cb(&v, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "devadv_each");
out:
	st_done(st);
	return r;
}

/* ---- evidence export (read-only) ---- */

_Static_assert(STORE_HASH_LEN == AUDITCHAIN_HASH_LEN, "audit hash size");

int
store_audit_chain_each(struct store *s, const char *device_id,
    store_audit_link_cb cb, void *arg, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AUDIT_EACH_DEV];
	struct store_audit_link l;
	struct audit_row row;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "audit_chain_each");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "audit_chain_each");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (audit_read(st, &row) != 0) {
			r = wg_diag_set(d, WG_ERR_FORMAT, "audit row %lld has a "
			    "field of the wrong type or size",
			    (long long)row.id);
			goto out;
		}
		memset(&l, 0, sizeof(l));
		l.row.id = row.id;
		l.row.a.at = row.at;
		l.row.a.actor = row.text[0];
		l.row.a.device_id = row.text[1];
		l.row.a.action = row.text[2];
		l.row.a.before = row.text[3];
		l.row.a.after = row.text[4];
		l.row.a.detail = row.text[5];
		l.prev_hash = row.prev_hash;
		l.hash = row.hash;
		if ((r = cb(&l, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d, "audit_chain_each");
out:
	st_done(st);
	return r;
}

int
store_attestation_evidence_each(struct store *s, const char *device_id,
    store_attestation_ev_cb cb, void *arg, struct wg_diag *d)
{
	static const char sql[] =
	    "SELECT a.id, a.at, a.pass, a.reasons, a.quote, a.sig, a.nonce,"
	    " a.eventlog_sha256, a.release FROM attestations a WHERE a.device ="
	    " (SELECT id FROM devices WHERE device_id = ?1) ORDER BY a.id";
	sqlite3_stmt *st = NULL;
	struct store_attestation a;
	int64_t id = 0;
	int rc, r;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "attestation_evidence_each");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (sqlite3_prepare_v3(s->db, sql, -1, 0, &st, NULL) != SQLITE_OK ||
	    bind_text(st, 1, device_id) != SQLITE_OK) {
		r = db_err(s, d, "attestation_evidence_each");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		snprintf(a.device_id, sizeof(a.device_id), "%s", device_id);
		if ((r = col_i64(st, 0, &id, "attestations.id", d)) != 0 ||
		    (r = col_i64(st, 1, &a.at, "attestations.at", d)) != 0 ||
		    (r = col_bool(st, 2, &a.pass, "attestations.pass",
		    d)) != 0 ||
		    (r = col_text(st, 6, a.nonce, sizeof(a.nonce), 0,
		    "attestations.nonce", d)) != 0 ||
		    (r = col_text(st, 7, a.eventlog_sha256,
		    sizeof(a.eventlog_sha256), 1,
		    "attestations.eventlog_sha256", d)) != 0)
			goto out;
		if (sqlite3_column_type(st, 3) != SQLITE_TEXT ||
		    sqlite3_column_type(st, 4) != SQLITE_BLOB ||
		    sqlite3_column_type(st, 5) != SQLITE_BLOB) {
			r = col_bad(d, "attestation", "has a field of the wrong "
			    "type");
			goto out;
		}
		a.reasons = (const char *)sqlite3_column_text(st, 3);
		a.quote = sqlite3_column_blob(st, 4);
		a.quote_len = (size_t)sqlite3_column_bytes(st, 4);
		a.sig = sqlite3_column_blob(st, 5);
		a.sig_len = (size_t)sqlite3_column_bytes(st, 5);
		if (sqlite3_column_type(st, 8) == SQLITE_TEXT)
			a.release = (const char *)sqlite3_column_text(st, 8);
		if (a.reasons == NULL || a.quote == NULL || a.sig == NULL) {
			r = col_bad(d, "attestation", "has an empty field");
			goto out;
		}
		if ((r = cb(id, &a, arg)) != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : db_err(s, d,
	    "attestation_evidence_each");
out:
	sqlite3_finalize(st);
	return r;
}

int
store_policy_get(struct store *s, const char *issuer, uint64_t version,
    store_policy_cb cb, void *arg, struct wg_diag *d)
{
	static const char sql[] =
	    "SELECT bundle, signature, installed_at, installed_by FROM policies"
	    " WHERE issuer = ?1 AND version = ?2";
	sqlite3_stmt *st = NULL;
	struct store_policy p;
	int rc, r;

	if (cb == NULL || issuer == NULL || version > INT64_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "policy_get");
	if ((r = check_text(issuer, STORE_TEXT_LEN - 1, 1, "issuer",
	    d)) != 0)
		return r;
	if (sqlite3_prepare_v3(s->db, sql, -1, 0, &st, NULL) != SQLITE_OK ||
	    bind_text(st, 1, issuer) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)version) != SQLITE_OK) {
		r = db_err(s, d, "policy_get");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no policy bundle %s "
		    "version %llu", issuer, (unsigned long long)version);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_err(s, d, "policy_get");
		goto out;
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.issuer, sizeof(p.issuer), "%s", issuer);
	p.version = version;
	if (sqlite3_column_type(st, 0) != SQLITE_BLOB ||
	    sqlite3_column_type(st, 1) != SQLITE_BLOB) {
		r = col_bad(d, "policy", "has a field of the wrong type");
		goto out;
	}
	p.bundle = sqlite3_column_blob(st, 0);
	p.bundle_len = (size_t)sqlite3_column_bytes(st, 0);
	p.sig = sqlite3_column_blob(st, 1);
	p.sig_len = (size_t)sqlite3_column_bytes(st, 1);
	if ((r = col_i64(st, 2, &p.installed_at, "policies.installed_at",
	    d)) != 0 || (r = col_text(st, 3, p.installed_by,
	    sizeof(p.installed_by), 0, "policies.installed_by", d)) != 0)
		goto out;
	r = cb(&p, arg);
out:
	sqlite3_finalize(st);
	return r;
}

/* ---- AK history (schema 6) ---- */

int
store_ak_history_add(struct store *s, const char *device_id, int64_t at,
    const char *old_ak, const char *new_ak, const char *reason,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_AKH_ADD];
	int r;

	if (old_ak == NULL || new_ak == NULL || reason == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "ak_history_add");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, at) != SQLITE_OK ||
	    bind_text(st, 3, old_ak) != SQLITE_OK ||
	    bind_text(st, 4, new_ak) != SQLITE_OK ||
	    bind_text(st, 5, reason) != SQLITE_OK) {
		r = db_err(s, d, "ak_history_add");
		st_done(st);
		return r;
	}
	return st_run(s, ST_AKH_ADD, "ak_history_add", d);
}

/* ---- legacy devices and field service (schema 7) ---- */

static int
legacy_from_row(sqlite3_stmt *st, struct store_legacy *l, struct wg_diag *d)
{
	int64_t done = 0;
	int r;

	memset(l, 0, sizeof(*l));
	if ((r = col_text(st, 0, l->device_id, sizeof(l->device_id), 0,
	    "legacy.device_id", d)) != 0 ||
	    (r = col_text(st, 1, l->controls, sizeof(l->controls), 0,
	    "legacy.controls", d)) != 0 ||
	    (r = col_text(st, 2, l->owner, sizeof(l->owner), 0,
	    "legacy.owner", d)) != 0 ||
	    (r = col_text(st, 3, l->registered_by, sizeof(l->registered_by),
	    0, "legacy.registered_by", d)) != 0 ||
	    (r = col_i64(st, 4, &l->registered_at, "legacy.registered_at",
	    d)) != 0 ||
	    (r = col_i64(st, 5, &l->review_at, "legacy.review_at", d)) != 0 ||
	    (r = col_i64(st, 6, &l->sunset_at, "legacy.sunset_at", d)) != 0 ||
	    (r = col_i64(st, 7, &l->reviewed_at, "legacy.reviewed_at",
	    d)) != 0 ||
	    (r = col_text(st, 8, l->reviewed_by, sizeof(l->reviewed_by), 0,
	    "legacy.reviewed_by", d)) != 0 ||
	    (r = col_i64(st, 9, &done, "legacy.sunset_done", d)) != 0 ||
	    (r = col_text(st, 10, l->segment, sizeof(l->segment), 0,
	    "legacy.segment", d)) != 0)
		return r;
	l->sunset_done = done != 0;
	return 0;
}

int
store_legacy_put(struct store *s, const struct store_legacy *l,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_LEG_PUT];
	int r;

	if (l == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "legacy_put");
	if ((r = check_key(l->device_id, "device_id", d)) != 0 ||
	    (r = check_text(l->controls, STORE_TEXT_LEN - 1, 1, "controls",
	    d)) != 0 ||
	    (r = check_text(l->owner, STORE_TEXT_LEN - 1, 1, "owner", d)) != 0 ||
	    (r = check_text(l->registered_by, STORE_TEXT_LEN - 1, 1,
	    "registered_by", d)) != 0 ||
	    (r = check_text(l->reviewed_by, STORE_TEXT_LEN - 1, 1,
	    "reviewed_by", d)) != 0 ||
	    (r = check_text(l->segment, STORE_SEGMENT_LEN - 1, 1, "segment",
	    d)) != 0)
		return r;
	if (l->controls[0] == '\0' || l->owner[0] == '\0' ||
	    l->segment[0] == '\0' ||
	    l->sunset_at <= l->registered_at)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "a legacy device "
		    "needs controls, an owner, a segment and a sunset after "
		    "its registration");
	if (bind_text(st, 1, l->device_id) != SQLITE_OK ||
	    bind_text(st, 2, l->controls) != SQLITE_OK ||
	    bind_text(st, 3, l->owner) != SQLITE_OK ||
	    bind_text(st, 4, l->registered_by) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, l->registered_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, l->review_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, l->sunset_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, l->reviewed_at) != SQLITE_OK ||
	    bind_text(st, 9, l->reviewed_by) != SQLITE_OK ||
	    sqlite3_bind_int(st, 10, l->sunset_done ? 1 : 0) != SQLITE_OK ||
	    bind_text(st, 11, l->segment) != SQLITE_OK) {
		r = db_err(s, d, "legacy_put");
		st_done(st);
		return r;
	}
	return st_run(s, ST_LEG_PUT, "legacy_put", d);
}

int
store_legacy_get(struct store *s, const char *device_id,
    struct store_legacy *out, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_LEG_GET];
	int rc, r;

	if (out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "legacy_get");
	if ((r = check_key(device_id, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, device_id) != SQLITE_OK)
		r = db_err(s, d, "legacy_get");
	else if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "not a legacy device");
	else if (rc != SQLITE_ROW)
		r = db_err(s, d, "legacy_get");
	else
		r = legacy_from_row(st, out, d);
	st_done(st);
	return r;
}

int
store_legacy_each(struct store *s, store_legacy_cb cb, void *arg,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_LEG_EACH];
	struct store_legacy l;
	int rc, r = 0;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "legacy_each");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = legacy_from_row(st, &l, d)) != 0 ||
		    (r = cb(&l, arg)) != 0)
			goto out;
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "legacy_each");
out:
	st_done(st);
	return r;
}

static int
service_from_row(sqlite3_stmt *st, struct store_service *w,
    struct wg_diag *d)
{
	int r;

	memset(w, 0, sizeof(*w));
	if ((r = col_i64(st, 0, &w->id, "service_windows.id", d)) != 0 ||
	    (r = col_text(st, 1, w->device_id, sizeof(w->device_id), 0,
	    "service_windows.device_id", d)) != 0 ||
	    (r = col_text(st, 2, w->flow, sizeof(w->flow), 0,
	    "service_windows.flow", d)) != 0 ||
	    (r = col_text(st, 3, w->approved_by, sizeof(w->approved_by), 0,
	    "service_windows.approved_by", d)) != 0 ||
	    (r = col_text(st, 4, w->opened_by, sizeof(w->opened_by), 0,
	    "service_windows.opened_by", d)) != 0 ||
	    (r = col_text(st, 5, w->reason, sizeof(w->reason), 0,
	    "service_windows.reason", d)) != 0 ||
	    (r = col_i64(st, 6, &w->opened_at, "service_windows.opened_at",
	    d)) != 0 ||
	    (r = col_i64(st, 7, &w->until, "service_windows.until", d)) != 0)
		return r;
	if (sqlite3_column_type(st, 8) != SQLITE_NULL &&
	    (r = col_i64(st, 8, &w->closed_at, "service_windows.closed_at",
	    d)) != 0)
		return r;
	return col_text(st, 9, w->closed_by, sizeof(w->closed_by), 1,
	    "service_windows.closed_by", d);
}

int
store_service_add(struct store *s, const struct store_service *w,
    int64_t *id, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_SVC_ADD];
	int r;

	if (w == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "service_add");
	if ((r = check_key(w->device_id, "device_id", d)) != 0 ||
	    (r = check_text(w->flow, STORE_SEGMENT_LEN - 1, 1, "flow",
	    d)) != 0 ||
	    (r = check_text(w->approved_by, STORE_TEXT_LEN - 1, 1,
	    "approved_by", d)) != 0 ||
	    (r = check_text(w->opened_by, STORE_TEXT_LEN - 1, 1, "opened_by",
	    d)) != 0 ||
	    (r = check_text(w->reason, STORE_TEXT_LEN - 1, 1, "reason",
	    d)) != 0)
		return r;
	if (w->flow[0] == '\0' || w->approved_by[0] == '\0' ||
	    w->reason[0] == '\0' || w->until <= w->opened_at)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "a service window "
		    "needs a flow, an approver, a reason and an end after "
		    "its start");
	if (bind_text(st, 1, w->device_id) != SQLITE_OK ||
	    bind_text(st, 2, w->flow) != SQLITE_OK ||
	    bind_text(st, 3, w->approved_by) != SQLITE_OK ||
	    bind_text(st, 4, w->opened_by) != SQLITE_OK ||
	    bind_text(st, 5, w->reason) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, w->opened_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, w->until) != SQLITE_OK) {
		r = db_err(s, d, "service_add");
		st_done(st);
		return r;
	}
	if ((r = st_run(s, ST_SVC_ADD, "service_add", d)) == 0 && id != NULL)
		*id = (int64_t)sqlite3_last_insert_rowid(s->db);
	return r;
}

int
store_service_close(struct store *s, int64_t id, int64_t at, const char *by,
    struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_SVC_CLOSE];
	int r;

	if ((r = check_text(by, STORE_TEXT_LEN - 1, 1, "closed_by", d)) != 0)
		return r;
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, at) != SQLITE_OK ||
	    bind_text(st, 3, by) != SQLITE_OK) {
		r = db_err(s, d, "service_close");
		st_done(st);
		return r;
	}
	if ((r = st_run(s, ST_SVC_CLOSE, "service_close", d)) == 0 &&
	    sqlite3_changes(s->db) != 1)
		r = wg_diag_set(d, WG_ERR_NOT_FOUND, "no open service window "
		    "%lld", (long long)id);
	return r;
}

int
store_service_each(struct store *s, const char *device_id,
    store_service_cb cb, void *arg, struct wg_diag *d)
{
	enum st which = device_id != NULL ? ST_SVC_DEV : ST_SVC_OPEN;
	sqlite3_stmt *st = s->st[which];
	struct store_service w;
	int rc, r = 0;

	if (cb == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "service_each");
	if (device_id != NULL) {
		if ((r = check_key(device_id, "device_id", d)) != 0)
			return r;
		if (bind_text(st, 1, device_id) != SQLITE_OK) {
			r = db_err(s, d, "service_each");
			goto out;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = service_from_row(st, &w, d)) != 0 ||
		    (r = cb(&w, arg)) != 0)
			goto out;
	if (rc != SQLITE_DONE)
		r = db_err(s, d, "service_each");
out:
	st_done(st);
	return r;
}

/* ---- MACs of decommissioned devices (repaired devices) ---- */

int
store_mac_release(struct store *s, const char *mac, const char *keep,
    char (*ids)[STORE_ID_LEN], size_t max, size_t *n, struct wg_diag *d)
{
	sqlite3_stmt *st = s->st[ST_MAC_RETIRED];
	size_t i;
	int rc, r = 0;

	*n = 0;
	if (mac == NULL || *mac == '\0')
		return 0;
	if (!fits(mac, STORE_MAC_LEN))
		return too_large(d, "mac", STORE_MAC_LEN - 1);
	if ((r = check_key(keep, "device_id", d)) != 0)
		return r;
	if (bind_text(st, 1, mac) != SQLITE_OK ||
	    bind_text(st, 2, keep) != SQLITE_OK) {
		r = db_err(s, d, "mac_release");
		st_done(st);
		return r;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			r = wg_diag_set(d, WG_ERR_TOO_LARGE, "more than %zu "
			    "decommissioned devices with MAC %s", max, mac);
			break;
		}
		if ((r = col_text(st, 0, ids[*n], STORE_ID_LEN, 0,
		    "devices.device_id", d)) != 0)
			break;
		(*n)++;
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = db_err(s, d, "mac_release");
	st_done(st);
	for (i = 0; r == 0 && i < *n; i++) {
		st = s->st[ST_MAC_RELEASE];
		if (bind_text(st, 1, ids[i]) != SQLITE_OK) {
			r = db_err(s, d, "mac_release");
			st_done(st);
			break;
		}
		r = st_run(s, ST_MAC_RELEASE, "mac_release", d);
	}
	return r;
}
