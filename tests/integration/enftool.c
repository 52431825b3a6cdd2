/*
 * enftool.c: test-only driver for wardgate-enforcer(8). Creates a
 * SOCK_SEQPACKET socketpair, runs the enforcer with the other end on fd 3,
 * then reads commands from stdin, one per line, and prints one result line
 * per command on stdout:
 *
 *   put MAC SEGMENT   -> ACK seq=N sent=UNIXTIME ms=T | NAK seq=N reason=R
 *   open MAC FLOW SECONDS -> the same, for an OPEN (SECONDS sent as given,
 *                        so that out-of-range values can be tried)
 *   close MAC FLOW    -> the same, for a CLOSE
 *   flush             -> ACK seq=N ...
 *   list              -> ACK seq=N ... n=COUNT entries=MAC/SEG,MAC/SEG
 *                        (the entries text is cut at 4 KiB, COUNT is not)
 *   bulk N SEG [FIRST] -> PUTs N MACs 02:xx:xx:xx:xx:xx numbered from
 *                        FIRST (default 1) in SEG, one at a time; prints
 *                        BULK n=N ack=A full=F backend=B ms=T
 *   raw HEX           -> sends the bytes as they are; prints the reply, or
 *                        EOF when the enforcer closed the socket
 *   seq N             -> the next request uses sequence N; prints OK
 *   close             -> closes the socket, waits: EXIT status
 *   wait              -> waits for the enforcer: EXIT status
 *
 * It starts by collecting the enforcer's SEGMENT and FLOW announcements
 * and its ready ACK (sequence 0) and prints "READY pid=PID segments=A,B*,C"
 * (the default segment marked with *), followed by " flows=F,G" when
 * flows were announced, or EOF/TIMEOUT/BADREPLY and the exit status. A
 * FLOW before a SEGMENT is BADREPLY.
 *
 * usage: enftool ENFORCER [ARG...]
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "enfmsg.h"

#define TIMEOUT_MS 10000

static int sock = -1;
static pid_t child = -1;
static uint32_t next_seq = 1;

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1: *m read; 0: EOF; -1: timeout or error (printed). */
static int
recv_msg(struct enfmsg *m)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	uint8_t buf[ENFMSG_LEN + 1];
	struct wg_diag d;
	ssize_t n;

	if (poll(&pfd, 1, TIMEOUT_MS) != 1) {
		printf("TIMEOUT\n");
		return -1;
	}
	n = recv(sock, buf, sizeof(buf), 0);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return 0;
	if (n < 0) {
		printf("ERROR recv: %s\n", strerror(errno));
		return -1;
	}
	if (enfmsg_decode(buf, (size_t)n, m, &d) != 0) {
		printf("BADREPLY %s\n", d.detail);
		return -1;
	}
	return 1;
}

static void
wait_child(void)
{
	int status;

	if (child < 0 || waitpid(child, &status, 0) != child) {
		printf("EXIT unknown\n");
		return;
	}
	child = -1;
	if (WIFEXITED(status))
		printf("EXIT %d\n", WEXITSTATUS(status));
	else
		printf("EXIT signal %d\n", WTERMSIG(status));
}

/* Sends bytes, then prints the answer to a request of seq (if any). */
static void
transact(const uint8_t *bytes, size_t len, const struct enfmsg *req)
{
	struct enfmsg rep;
	char mac[ENFMSG_MAC_TEXT], entries[4096] = "";
	double t0 = now_mono(), sent = now_wall();
	size_t off = 0, count = 0;
	int r;

	if (send(sock, bytes, len, MSG_NOSIGNAL) != (ssize_t)len) {
		printf("ERROR send: %s\n", strerror(errno));
		return;
	}
	for (;;) {
		if ((r = recv_msg(&rep)) == 0) {
			printf("EOF\n");
			return;
		}
		if (r < 0)
			return;
		if (req != NULL && rep.seq != req->seq) {
			printf("BADREPLY seq %u for %u\n", rep.seq, req->seq);
			return;
		}
		if (rep.type != ENFMSG_ENTRY)
			break;
		count++;
		off += (size_t)snprintf(entries + off, sizeof(entries) - off,
		    "%s%s/%s", off > 0 ? "," : "",
		    enfmsg_mac_format(rep.mac, mac), rep.segment);
		if (off >= sizeof(entries))
			off = sizeof(entries) - 1;
	}
	if (req != NULL && (req->type == ENFMSG_PUT ||
	    req->type == ENFMSG_OPEN || req->type == ENFMSG_CLOSE) &&
	    (memcmp(rep.mac, req->mac, ENFMSG_MAC_LEN) != 0 ||
	    strcmp(rep.segment, req->segment) != 0 || rep.seconds != 0)) {
		printf("BADREPLY echo differs\n");
		return;
	}
	if (rep.type == ENFMSG_NAK)
		printf("NAK seq=%u reason=%s\n", rep.seq,
		    enfmsg_reason_name(rep.reason));
	else if (req != NULL && req->type == ENFMSG_LIST)
		printf("%s seq=%u sent=%.6f ms=%.3f n=%zu entries=%s\n",
		    enfmsg_type_name(rep.type), rep.seq, sent,
		    (now_mono() - t0) * 1000.0, count, entries);
	else
		printf("%s seq=%u sent=%.6f ms=%.3f\n",
		    enfmsg_type_name(rep.type), rep.seq, sent,
		    (now_mono() - t0) * 1000.0);
}

/* PUTs n MACs numbered from first into seg; one summary line. */
static void
bulk(unsigned long n, const char *seg, unsigned long first)
{
	uint8_t buf[ENFMSG_LEN];
	struct enfmsg m, rep;
	struct wg_diag d;
	unsigned long i, ack = 0, full = 0, backend = 0;
	double t0 = now_mono();
	int r;

	for (i = 0; i < n; i++) {
		unsigned long k = first + i;

		memset(&m, 0, sizeof(m));
		m.type = ENFMSG_PUT;
		m.seq = next_seq++;
		m.mac[0] = 0x02;
		m.mac[2] = (uint8_t)(k >> 24);
		m.mac[3] = (uint8_t)(k >> 16);
		m.mac[4] = (uint8_t)(k >> 8);
		m.mac[5] = (uint8_t)k;
		strcpy(m.segment, seg);
		if (enfmsg_encode(&m, buf, &d) != 0) {
			printf("ERROR encode: %s\n", d.detail);
			return;
		}
		if (send(sock, buf, sizeof(buf), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(buf)) {
			printf("ERROR send: %s\n", strerror(errno));
			return;
		}
		if ((r = recv_msg(&rep)) == 0) {
			printf("EOF\n");
			return;
		}
		if (r < 0)
			return;
		if (rep.seq != m.seq) {
			printf("BADREPLY seq %u for %u\n", rep.seq, m.seq);
			return;
		}
		if (rep.type == ENFMSG_ACK)
			ack++;
		else if (rep.type == ENFMSG_NAK && rep.reason == ENFMSG_R_FULL)
			full++;
		else
			backend++;
	}
	printf("BULK n=%lu ack=%lu full=%lu backend=%lu ms=%.1f\n", n, ack,
	    full, backend, (now_mono() - t0) * 1000.0);
}

/* Sends m; an OPEN's seconds as given, even out of range (the enforcer
 * must refuse them). */
static void
request(struct enfmsg *m)
{
	uint8_t buf[ENFMSG_LEN];
	struct wg_diag d;
	uint32_t secs = m->seconds;

	m->seq = next_seq++;
	if (m->type == ENFMSG_OPEN && (secs == 0 || secs > ENFMSG_OPEN_MAX))
		m->seconds = 1;	/* encode, then write the bad value in */
	if (enfmsg_encode(m, buf, &d) != 0) {
		printf("ERROR encode: %s\n", d.detail);
		return;
	}
	buf[48] = (uint8_t)(secs >> 24);
	buf[49] = (uint8_t)(secs >> 16);
	buf[50] = (uint8_t)(secs >> 8);
	buf[51] = (uint8_t)secs;
	m->seconds = secs;
	transact(buf, sizeof(buf), m);
}

static void
command(char *line)
{
	char *argv[5], *save = NULL, *w, *end;
	struct enfmsg m;
	size_t argc = 0;
	unsigned long secs;

	for (w = strtok_r(line, " \t\n", &save); w != NULL && argc < 5;
	    w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	if (argc == 0)
		return;
	memset(&m, 0, sizeof(m));
	if (strcmp(argv[0], "put") == 0 && argc == 3) {
		if (enfmsg_mac_parse(argv[1], m.mac) != 0 ||
		    strlen(argv[2]) > ENFMSG_SEGMENT_MAX) {
			printf("ERROR usage: put MAC SEGMENT\n");
			return;
		}
		strcpy(m.segment, argv[2]);
		m.type = ENFMSG_PUT;
		request(&m);
	} else if ((strcmp(argv[0], "open") == 0 && argc == 4) ||
	    (strcmp(argv[0], "close") == 0 && argc == 3)) {
		secs = 0;
		if (argc == 4) {
			secs = strtoul(argv[3], &end, 10);
			if (*end != '\0' || secs > UINT32_MAX) {
				printf("ERROR usage: open MAC FLOW SECONDS\n");
				return;
			}
		}
		if (enfmsg_mac_parse(argv[1], m.mac) != 0 ||
		    strlen(argv[2]) > ENFMSG_SEGMENT_MAX) {
			printf("ERROR usage: open|close MAC FLOW [SECONDS]\n");
			return;
		}
		strcpy(m.segment, argv[2]);
		m.type = argc == 4 ? ENFMSG_OPEN : ENFMSG_CLOSE;
		m.seconds = (uint32_t)secs;
		request(&m);
	} else if (strcmp(argv[0], "flush") == 0 && argc == 1) {
		m.type = ENFMSG_FLUSH;
		request(&m);
	} else if (strcmp(argv[0], "list") == 0 && argc == 1) {
		m.type = ENFMSG_LIST;
		request(&m);
	} else if (strcmp(argv[0], "bulk") == 0 && (argc == 3 || argc == 4)) {
		if (strlen(argv[2]) > ENFMSG_SEGMENT_MAX) {
			printf("ERROR usage: bulk N SEGMENT [FIRST]\n");
			return;
		}
		bulk(strtoul(argv[1], NULL, 10), argv[2],
		    argc == 4 ? strtoul(argv[3], NULL, 10) : 1);
	} else if (strcmp(argv[0], "raw") == 0 && argc == 2) {
		uint8_t buf[256];
		size_t n = strlen(argv[1]) / 2, i;
		unsigned v;

		if (strlen(argv[1]) % 2 != 0 || n > sizeof(buf)) {
			printf("ERROR usage: raw HEX\n");
			return;
		}
		for (i = 0; i < n; i++) {
			if (sscanf(argv[1] + 2 * i, "%2x", &v) != 1) {
				printf("ERROR usage: raw HEX\n");
				return;
			}
			buf[i] = (uint8_t)v;
		}
		transact(buf, n, NULL);
	} else if (strcmp(argv[0], "seq") == 0 && argc == 2) {
		next_seq = (uint32_t)strtoul(argv[1], NULL, 10);
		printf("OK\n");
	} else if (strcmp(argv[0], "close") == 0 && argc == 1) {
		close(sock);
		sock = -1;
		wait_child();
	} else if (strcmp(argv[0], "wait") == 0 && argc == 1) {
		wait_child();
	} else
		printf("ERROR unknown command\n");
}

int
main(int argc, char **argv)
{
	struct enfmsg ready;
	char line[1024], segs[ENFMSG_SEGMENT_MAX * 64 + 64] = "";
	char flows[ENFMSG_SEGMENT_MAX * 64 + 64] = "";
	size_t off = 0, foff = 0, ndef = 0;
	int sv[2], r;

	if (argc < 2) {
		fprintf(stderr, "usage: enftool ENFORCER [ARG...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		perror("enftool: socketpair");
		return 1;
	}
	if ((child = fork()) < 0) {
		perror("enftool: fork");
		return 1;
	}
	if (child == 0) {
		/* dup2 clears close-on-exec on fd 3 only. */
		if (dup2(sv[1], 3) != 3)
			_exit(127);
		execv(argv[1], argv + 1);
		perror("enftool: exec");
		_exit(127);
	}
	close(sv[1]);
	sock = sv[0];
	/* SEGMENT, then FLOW announcements, then the ACK with sequence 0. */
	while ((r = recv_msg(&ready)) == 1 && ready.type == ENFMSG_SEGMENT &&
	    off < sizeof(segs) - ENFMSG_SEGMENT_MAX - 3) {
		off += (size_t)snprintf(segs + off, sizeof(segs) - off,
		    "%s%s%s", off > 0 ? "," : "", ready.segment,
		    ready.reason & ENFMSG_SEG_DEFAULT ? "*" : "");
		if (ready.reason & ENFMSG_SEG_DEFAULT)
			ndef++;
	}
	while (r == 1 && ready.type == ENFMSG_FLOW &&
	    foff < sizeof(flows) - ENFMSG_SEGMENT_MAX - 3) {
		foff += (size_t)snprintf(flows + foff, sizeof(flows) - foff,
		    "%s%s", foff > 0 ? "," : "", ready.segment);
		r = recv_msg(&ready);
	}
	if (r == 1 && ready.type == ENFMSG_ACK && ready.seq == 0 &&
	    ready.segment[0] == '\0' && ndef == 1)
		printf("READY pid=%ld segments=%s%s%s\n", (long)child, segs,
		    foff > 0 ? " flows=" : "", flows);
	else {
		if (r == 1)
			printf("BADREPLY %s seq=%u at start (%zu defaults)\n",
			    enfmsg_type_name(ready.type), ready.seq, ndef);
		if (r == 0)
			printf("EOF\n");
		wait_child();
		return 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL)
		command(line);
	if (sock >= 0)
		close(sock);
	if (child > 0)
		wait_child();
	return 0;
}
