/*
 * enfbench.c: how long a segment change takes to be in force (`make
 * bench` runs it through tests/bench/enforce-bench.sh, as root, in a
 * network namespace of its own).
 *
 *   enfbench ENFORCER CONF TABLE NDEVICES NCHANGES
 *
 * 1. Starts ENFORCER -S 3 -f CONF over a socketpair, as wardgated does,
 *    and waits for its ruleset (ACK 0).
 * 2. Fills the sets: NDEVICES MACs PUT in a pipeline (as a reconciliation
 *    does), half clinical, half quarantine.
 * 3. NCHANGES single changes, one at a time: a random device moves to the
 *    other segment; the time from sending the PUT to its ACK is the time
 *    to the rule in place (the enforcer ACKs once nftables committed).
 * 4. The machine's own limit, in the same run: the same change as one
 *    raw libnftables transaction ("delete element" from one set, "add
 *    element" to the other) on the enforcer's table.
 * Prints BENCH lines.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <nftables/libnftables.h>

#include "enfmsg.h"

static int fd = -1;
static uint32_t seq;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
mac_of(size_t i, uint8_t mac[ENFMSG_MAC_LEN])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static int
put(size_t i, const char *segment)
{
	struct enfmsg m;
	uint8_t buf[ENFMSG_LEN];

	memset(&m, 0, sizeof(m));
	m.type = ENFMSG_PUT;
	m.seq = ++seq;
	mac_of(i, m.mac);
	snprintf(m.segment, sizeof(m.segment), "%s", segment);
	if (enfmsg_encode(&m, buf, NULL) != 0 ||
	    send(fd, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
		return -1;
	return 0;
}

/* Reads one message; -1 on error or EOF. */
static int
get(struct enfmsg *m)
{
	uint8_t buf[ENFMSG_LEN + 1];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || enfmsg_decode(buf, (size_t)n, m, NULL) != 0)
		return -1;
	return 0;
}

static int
ack(void)
{
	struct enfmsg m;

	if (get(&m) != 0 || m.type != ENFMSG_ACK) {
		fprintf(stderr, "enfbench: expected an ACK\n");
		return -1;
	}
	return 0;
}

static void
pct(const char *name, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("BENCH %s_ms_p50 %.3f ms\n", name, v[(n - 1) / 2]);
	printf("BENCH %s_ms_p99 %.3f ms\n", name, v[(n - 1) * 99 / 100]);
}

int
main(int argc, char **argv)
{
	struct nft_ctx *nft;
	struct enfmsg m;
	double t0, *lat, *raw;
	char *seg, cmd[512], mac[ENFMSG_MAC_TEXT];
	uint8_t mb[ENFMSG_MAC_LEN];
	size_t ndev, nchg, i, window;
	int sv[2], status;
	pid_t pid;

	if (argc != 6) {
		fprintf(stderr, "usage: enfbench ENFORCER CONF TABLE NDEVICES "
		    "NCHANGES\n");
		return 2;
	}
	ndev = strtoul(argv[4], NULL, 10);
	nchg = strtoul(argv[5], NULL, 10);
	if (ndev < 2 || nchg < 10 || (seg = calloc(ndev, 1)) == NULL ||
	    (lat = calloc(nchg, sizeof(*lat))) == NULL ||
	    (raw = calloc(nchg, sizeof(*raw))) == NULL)
		return 2;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
	    (pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		char *const av[] = { argv[1], (char *)"-S", (char *)"3",
		    (char *)"-f", argv[2], NULL };

		if (dup2(sv[1], 3) < 0)
			_exit(127);
		execv(argv[1], av);
		_exit(127);
	}
	close(sv[1]);
	fd = sv[0];
	do {
		if (get(&m) != 0) {
			fprintf(stderr, "enfbench: the enforcer did not start\n");
			return 1;
		}
	} while (m.type != ENFMSG_ACK);

	/* Fill: a pipeline of PUTs, as a reconciliation sends them. */
	t0 = now_ms();
	window = 64;
	for (i = 0; i < ndev; i++) {
		seg[i] = (char)(i & 1);
		if (put(i, seg[i] ? "clinical" : "quarantine") != 0)
			return 1;
		if (i + 1 >= window && ack() != 0)
			return 1;
	}
	for (i = 0; i < (ndev < window ? ndev : window - 1); i++)
		if (ack() != 0)
			return 1;
	t0 = now_ms() - t0;
	printf("# enfbench: %zu devices put in %.0f ms\n", ndev, t0);
	printf("BENCH enforce_reconcile_per_s %.0f devices/s\n",
	    (double)ndev / (t0 / 1e3));

	/* Single changes, one at a time. */
	srand(1);
	for (i = 0; i < nchg; i++) {
		size_t k = (size_t)rand() % ndev;

		seg[k] ^= 1;
		t0 = now_ms();
		if (put(k, seg[k] ? "clinical" : "quarantine") != 0 ||
		    ack() != 0)
			return 1;
		lat[i] = now_ms() - t0;
	}

	/* The limit: one raw nftables transaction doing the same. */
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return 1;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	for (i = 0; i < nchg; i++) {
		size_t k = (size_t)rand() % ndev;
		const char *from = seg[k] ? "s_clinical" : "s_quarantine";
		const char *to = seg[k] ? "s_quarantine" : "s_clinical";

		mac_of(k, mb);
		enfmsg_mac_format(mb, mac);
		snprintf(cmd, sizeof(cmd), "delete element bridge %s %s { %s }\n"
		    "add element bridge %s %s { %s }\n", argv[3], from, mac,
		    argv[3], to, mac);
		t0 = now_ms();
		if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
			fprintf(stderr, "enfbench: nft: %s",
			    nft_ctx_get_error_buffer(nft));
			return 1;
		}
		raw[i] = now_ms() - t0;
		seg[k] ^= 1;
	}
	nft_ctx_free(nft);

	printf("# %zu single changes with %zu devices in the sets\n", nchg,
	    ndev);
	pct("enforce_latency", lat, nchg);
	pct("nft_raw_transaction", raw, nchg);
	close(fd);
	waitpid(pid, &status, 0);
	free(seg);
	free(lat);
	free(raw);
	return 0;
}
