/*
 * gwbench.c: end-to-end gateway benchmark (`make bench` runs it through
 * tests/bench/gateway-bench.sh).
 *
 *   gwbench STORE LOG NDEVICES SECONDS THREADS -- WARDGATED ARGS...
 *
 * 1. Fills STORE with NDEVICES enrolled, approved devices, each with its
 *    own software ECDSA P-256 attestation key (tests/common/swquote: real
 *    marshalled TPMS_ATTEST quotes and TPMT_SIGNATUREs), all booted with
 *    the firmware event log LOG (held by the gateway, as after a device's
 *    first attestation).
 * 2. Starts wardgated (the given command line) on that store.
 * 3. THREADS clients, each with its own keep-alive HTTPS connection, run
 *    routine attestations (challenge + evidence naming the log by hash)
 *    round-robin over the devices: first one pass over every device, then
 *    SECONDS of measurement.
 * 4. Prints BENCH lines: attestations per second, p50/p99 latency of one
 *    attestation (both requests), the gateway's peak RSS, and the store
 *    bytes added per attestation (after a WAL checkpoint).
 *
 * With GWBENCH_ADMIN=SOCKET in the environment every device also gets a
 * MAC, and before the gateway stops its enforcer figures are read from
 * the admin socket: the warm-up promotes every device (stale -> trusted),
 * so each verdict is a segment change, timed by wardgated from its commit
 * to the enforcer's ACK.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "attest.h"
#include "hex.h"
#include "pcr.h"
#include "store.h"
#include "swquote.h"
#include "testutil.h"
#include "wire.h"

struct dev {
	char id[STORE_ID_LEN];
	struct swquote_key *key;
	uint64_t clock;
};

static struct dev *devs;
static size_t ndevs;
static struct pcr_set replay;
static TPML_PCR_SELECTION sel;
static char log_hash[STORE_ID_LEN];
static const char *url_base, *ca_file;
static atomic_int phase;		/* 0 warm-up, 1 measuring, 2 stop */
static atomic_long warm_done;

struct worker {
	pthread_t th;
	unsigned idx, nthreads;
	long done;
	double *lat;
	size_t nlat, caplat;
	int failed;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct body {
	char buf[WIRE_MAX_BODY];
	size_t len;
};

static size_t
body_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = sz * n;

	if (add >= sizeof(b->buf) - b->len)
		return 0;
	memcpy(b->buf + b->len, p, add);
	b->len += add;
	b->buf[b->len] = '\0';
	return add;
}

static int
post(CURL *c, const char *path, const char *json, struct body *b)
{
	char url[256];
	long code = 0;

	snprintf(url, sizeof(url), "%s%s", url_base, path);
	b->len = 0;
	b->buf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	return code == 200 ? 0 : -1;
}

static int
attest_once(CURL *c, struct dev *d, struct body *b)
{
	struct wire_challenge_req cq;
	struct wire_challenge_resp cr;
	struct wire_evidence_req *eq;
	struct wire_evidence_resp er;
	uint8_t attest[1024], sig[1024];
	size_t alen = sizeof(attest), slen = sizeof(sig);
	char *json;
	int r = -1;

	memset(&cq, 0, sizeof(cq));
	memcpy(cq.device_id, d->id, sizeof(cq.device_id));
	if ((json = wire_challenge_req_encode(&cq)) == NULL)
		return -1;
	r = post(c, "/v1/challenge", json, b);
	free(json);
	if (r != 0 || wire_challenge_resp_decode(b->buf, b->len, &cr,
	    NULL) != 0)
		return -1;
	d->clock += 1000;
	if (swquote_make(d->key, cr.nonce, sizeof(cr.nonce), &sel, &replay,
	    d->clock, attest, &alen, sig, &slen) != 0)
		return -1;
	if ((eq = calloc(1, sizeof(*eq))) == NULL)
		return -1;
	memcpy(eq->device_id, d->id, sizeof(eq->device_id));
	memcpy(eq->nonce, cr.nonce, sizeof(eq->nonce));
	eq->quote.p = attest;
	eq->quote.len = alen;
	eq->signature.p = sig;
	eq->signature.len = slen;
	memcpy(eq->eventlog_sha256, log_hash, sizeof(eq->eventlog_sha256));
	json = wire_evidence_req_encode(eq);
	free(eq);		/* blobs are on our stack */
	if (json == NULL)
		return -1;
	r = post(c, "/v1/evidence", json, b);
	free(json);
	if (r != 0 || wire_evidence_resp_decode(b->buf, b->len, &er,
	    NULL) != 0 || !er.pass) {
		fprintf(stderr, "gwbench: attestation refused: %s\n", b->buf);
		return -1;
	}
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct body *b = malloc(sizeof(*b));
	CURL *c = curl_easy_init();
	size_t i = w->idx;

	if (b == NULL || c == NULL) {
		w->failed = 1;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	while (atomic_load(&phase) < 2) {
		int measuring = atomic_load(&phase) == 1;
		double t0 = now();

		if (attest_once(c, &devs[i], b) != 0) {
			w->failed = 1;
			break;
		}
		if (measuring) {
			if (w->nlat == w->caplat) {
				size_t nc = w->caplat ? w->caplat * 2 : 4096;
				double *nl = realloc(w->lat, nc * sizeof(*nl));

				if (nl == NULL) {
					w->failed = 1;
					break;
				}
				w->lat = nl;
				w->caplat = nc;
			}
			w->lat[w->nlat++] = now() - t0;
			w->done++;
		} else
			atomic_fetch_add(&warm_done, 1);
		i += w->nthreads;
		if (i >= ndevs)
			i = w->idx;
	}
out:
	curl_easy_cleanup(c);
	free(b);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
populate(const char *path, const uint8_t *log, size_t loglen)
{
	struct store *s = NULL;
	struct store_device *dev = calloc(1, sizeof(*dev));
	struct wg_diag d;
	uint8_t rnd[32], pub[1024];
	size_t i, plen;
	int r = -1;

	if (dev == NULL || store_open(path, &s, &d) != 0 ||
	    store_begin(s, &d) != 0 ||
	    store_eventlog_put(s, log_hash, log, loglen, &d) != 0) {
		fprintf(stderr, "gwbench: store: %s\n", d.detail);
		goto out;
	}
	for (i = 0; i < ndevs; i++) {
		struct dev *v = &devs[i];

		if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
		    swquote_key_new(TPM2_ALG_ECDSA, TPM2_ALG_SHA256,
		    TPM2_ECC_NIST_P256, &v->key) != 0 ||
		    swquote_key_public(v->key, pub, sizeof(pub), &plen) != 0)
			goto out;
		hex_encode(rnd, sizeof(rnd), v->id, sizeof(v->id));
		memset(dev, 0, sizeof(*dev));
		memcpy(dev->device_id, v->id, sizeof(dev->device_id));
		snprintf(dev->name, sizeof(dev->name), "bench-%05zu", i);
		snprintf(dev->model, sizeof(dev->model), "BenchPump 3");
		snprintf(dev->owner, sizeof(dev->owner), "ICU");
		snprintf(dev->state, sizeof(dev->state), "stale");
		snprintf(dev->segment, sizeof(dev->segment), "quarantine");
		snprintf(dev->reasons, sizeof(dev->reasons), "[]");
		snprintf(dev->claims, sizeof(dev->claims), "{}");
		dev->approved = 1;
		memcpy(dev->ak_pub, pub, plen);
		dev->ak_pub_len = plen;
		dev->attest_interval = 300;
		if (getenv("GWBENCH_ADMIN") != NULL)
			snprintf(dev->mac, sizeof(dev->mac),
			    "02:42:00:%02x:%02x:%02x", (unsigned)(i >> 16) & 0xff,
			    (unsigned)(i >> 8) & 0xff, (unsigned)i & 0xff);
		memcpy(dev->eventlog_sha256, log_hash, sizeof(log_hash));
		if (store_device_put(s, dev, &d) != 0) {
			fprintf(stderr, "gwbench: store: %s\n", d.detail);
			goto out;
		}
		v->clock = 1000;
	}
	if (store_commit(s, &d) != 0)
		goto out;
	r = 0;
out:
	store_close(s);
	free(dev);
	return r;
}

static long
rss_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return v;
}

/* Store size after folding the WAL into the database. */
static long long
store_size(const char *path)
{
	sqlite3 *db;
	struct stat st;

	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
		    NULL);
		sqlite3_close(db);
	}
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static long long
attest_rows(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM attestations", -1,
	    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static struct body admin_body;

/* GET path on the admin socket into admin_body; 0 or -1. */
static int
admin_get(const char *sock, const char *path)
{
	CURL *c = curl_easy_init();
	char url[128];
	int r = -1;

	if (c == NULL)
		return -1;
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &admin_body);
	admin_body.len = 0;
	admin_body.buf[0] = '\0';
	if (curl_easy_perform(c) == CURLE_OK)
		r = 0;
	curl_easy_cleanup(c);
	return r;
}

/* Waits until the enforcer has reconciled every device (in force). */
static int
enforcer_wait(const char *sock)
{
	double t0 = now();

	while (now() - t0 < 120) {
		if (admin_get(sock, "/admin/v1/enforcement") == 0 &&
		    strstr(admin_body.buf, "\"in_force\":true") != NULL) {
			printf("# enforcer in force, %zu devices reconciled in "
			    "%.1fs\n", ndevs, now() - t0);
			return 0;
		}
		usleep(50000);
	}
	fprintf(stderr, "gwbench: the enforcer never came into force: "
	    "%.300s\n", admin_body.buf);
	return -1;
}

/* The enforcer's latency figures from the admin socket, as BENCH lines. */
static void
enforcer_figures(const char *sock)
{
	struct body *b = &admin_body;
	const char *p;
	double p50 = -1, p99 = -1;
	long n = -1;

	if (admin_get(sock, "/admin/v1/enforcement") == 0 &&
	    (p = strstr(b->buf, "\"latency_ms\"")) != NULL) {
		const char *q;

		if ((q = strstr(p, "\"n\":")) != NULL)
			n = strtol(q + 4, NULL, 10);
		if ((q = strstr(p, "\"p50\":")) != NULL)
			p50 = strtod(q + 6, NULL);
		if ((q = strstr(p, "\"p99\":")) != NULL)
			p99 = strtod(q + 6, NULL);
	}
	if (n <= 0 || p50 < 0 || p99 < 0) {
		fprintf(stderr, "gwbench: no enforcer figures: %.200s\n",
		    b->buf);
		return;
	}
	printf("# enforcer: last %ld segment changes, commit to ACK, while "
	    "every device was promoted at full attestation rate\n", n);
	printf("BENCH enforce_latency_gateway_ms_p50 %.3f ms\n", p50);
	printf("BENCH enforce_latency_gateway_ms_p99 %.3f ms\n", p99);
}

int
main(int argc, char **argv)
{
	struct worker *w;
	uint8_t *log = NULL, h[RCACHE_KEY_LEN];
	size_t loglen, i, nthreads, total = 0, nl = 0;
	double seconds, t0, elapsed, *all;
	long long size0, size1, rows0, rows1;
	long hwm;
	pid_t pid;
	int status, failed = 0;

	if (argc < 9 || strcmp(argv[6], "--") != 0) {
		fprintf(stderr, "usage: gwbench STORE LOG NDEVICES SECONDS "
		    "THREADS -- URL CA WARDGATED ARGS...\n");
		return 2;
	}
	ndevs = strtoul(argv[3], NULL, 10);
	seconds = atof(argv[4]);
	nthreads = strtoul(argv[5], NULL, 10);
	url_base = argv[7];
	ca_file = argv[8];
	if (ndevs == 0 || nthreads == 0 || seconds <= 0 ||
	    (devs = calloc(ndevs, sizeof(*devs))) == NULL ||
	    (w = calloc(nthreads, sizeof(*w))) == NULL)
		return 2;
	if (tu_read_file(argv[2], WIRE_MAX_EVENTLOG, &log, &loglen) != 0 ||
	    attest_replay(NULL, log, loglen, NULL, &replay, h, NULL) != 0 ||
	    pcr_selection_parse("sha256:0,1,2,3,4,5,6,7", &sel, NULL) != 0) {
		fprintf(stderr, "gwbench: cannot read or replay %s\n", argv[2]);
		return 1;
	}
	hex_encode(h, sizeof(h), log_hash, sizeof(log_hash));
	t0 = now();
	if (populate(argv[1], log, loglen) != 0)
		return 1;
	printf("# gwbench: %zu devices enrolled in %.1fs; log %s (%zu bytes)\n",
	    ndevs, now() - t0, argv[2], loglen);
	size0 = store_size(argv[1]);

	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		execv(argv[9], argv + 9);
		_exit(127);
	}
	/* Wait for the gateway to answer. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (i = 0; i < 200; i++) {
		CURL *c = curl_easy_init();
		char url[256];
		CURLcode cr;

		snprintf(url, sizeof(url), "%s/v1/none", url_base);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		cr = curl_easy_perform(c);
		curl_easy_cleanup(c);
		if (cr == CURLE_OK)
			break;
		usleep(50000);
	}
	if (getenv("GWBENCH_ADMIN") != NULL &&
	    enforcer_wait(getenv("GWBENCH_ADMIN")) != 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		return 1;
	}
	for (i = 0; i < nthreads; i++) {
		w[i].idx = (unsigned)i;
		w[i].nthreads = (unsigned)nthreads;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			return 1;
	}
	/* Warm-up: every device attests once (AKs loaded, log replayed). */
	t0 = now();
	while (atomic_load(&warm_done) < (long)ndevs && now() - t0 < 120)
		usleep(20000);
	rows0 = -1;
	printf("# warm-up: %ld attestations in %.1fs\n",
	    (long)atomic_load(&warm_done), now() - t0);
	atomic_store(&phase, 1);
	t0 = now();
	usleep((useconds_t)(seconds * 1e6));
	atomic_store(&phase, 2);
	elapsed = now() - t0;
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		total += (size_t)w[i].done;
		nl += w[i].nlat;
		failed |= w[i].failed;
	}
	hwm = rss_kb(pid, "VmHWM:");
	if (getenv("GWBENCH_ADMIN") != NULL)
		enforcer_figures(getenv("GWBENCH_ADMIN"));
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (failed) {
		fprintf(stderr, "gwbench: a client failed\n");
		return 1;
	}
	if ((all = malloc((nl ? nl : 1) * sizeof(*all))) == NULL)
		return 1;
	nl = 0;
	for (i = 0; i < nthreads; i++) {
		memcpy(all + nl, w[i].lat, w[i].nlat * sizeof(*all));
		nl += w[i].nlat;
	}
	qsort(all, nl, sizeof(*all), cmp_double);
	size1 = store_size(argv[1]);
	rows1 = attest_rows(argv[1]);
	(void)rows0;
	printf("# %zu attestations in %.2fs over %zu connections; "
	    "%lld attestation rows stored\n", total, elapsed, nthreads, rows1);
	printf("BENCH gateway_attest_per_s %.0f attestations/s\n",
	    (double)total / elapsed);
	printf("BENCH gateway_p50_ms %.2f ms\n", nl ? all[nl / 2] * 1e3 : 0);
	printf("BENCH gateway_p99_ms %.2f ms\n",
	    nl ? all[(size_t)((double)nl * 0.99)] * 1e3 : 0);
	printf("BENCH gateway_rss_peak_kb %ld kB\n", hwm);
	if (rows1 > 0)
		printf("BENCH store_bytes_per_attestation %.0f bytes\n",
		    (double)(size1 - size0) / (double)rows1);
	free(all);
	free(log);
	return 0;
}
