/*
 * wardgate-agent: the program on each medical device.
 *
 *   wardgate-agent [options]            enroll once, then attest in a loop
 *   wardgate-agent --once [options]     enroll if needed, attest once
 *   wardgate-agent -n [options]         check and print the configuration
 *   wardgate-agent quote --nonce HEX --selection SEL -o DIR [options]
 *   wardgate-agent ek [-o DIR] [options]
 *   wardgate-agent status [options]
 *
 * Exit status: enum agent_exit (agent.h, wardgate-agent(8)).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "agent.h"
#include "alg.h"
#include "conf.h"
#include "ek.h"
#include "hex.h"
#include "log.h"
#include "pcr.h"
#include "statedir.h"
#include "tpm.h"

#define BACKOFF_MIN	1u	/* seconds */
#define BACKOFF_MAX	300u
#define DEFAULT_NEXT	300u	/* when the gateway names no interval */

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wardgate-agent [-nv] [--once] [--config FILE] "
	    "[--gateway URL] [--ca FILE]\n"
	    "           [--state-dir DIR] [--tcti TCTI] [--eventlog FILE] "
	    "[--ek rsa|ecc]\n"
	    "           [--ak ecc|rsa] [--interval SECONDS] "
	    "[--timeout SECONDS]\n"
	    "           [--hostname NAME] [--serial SERIAL] [--mac MAC]\n"
	    "       wardgate-agent quote --nonce HEX --selection SEL -o DIR "
	    "[options]\n"
	    "       wardgate-agent ek [-o DIR] [options]\n"
	    "       wardgate-agent status [options]\n"
	    "exit status: 0 passed, 1 refused, 2 usage or configuration, "
	    "3 TPM, 4 gateway\n");
}

/* ---- options ------------------------------------------------------- */

#define MAX_SETTINGS 32

struct args {
	const char *cmd;		/* NULL, "quote", "ek", "status" */
	const char *config;
	const char *nonce, *selection, *outdir;
	int once, check, verbose;
	unsigned nset;
	const char *key[MAX_SETTINGS], *val[MAX_SETTINGS];
};

enum {
	OPT_GATEWAY = 256, OPT_CA, OPT_STATE_DIR, OPT_TCTI, OPT_EVENTLOG,
	OPT_EK, OPT_AK, OPT_INTERVAL, OPT_TIMEOUT, OPT_ONCE, OPT_CONFIG,
	OPT_NONCE, OPT_SELECTION, OPT_VERSION, OPT_HOSTNAME, OPT_SERIAL,
	OPT_MAC,
};

static const struct option long_opts[] = {
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "tcti", required_argument, NULL, OPT_TCTI },
	{ "eventlog", required_argument, NULL, OPT_EVENTLOG },
	{ "ek", required_argument, NULL, OPT_EK },
	{ "ak", required_argument, NULL, OPT_AK },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "nonce", required_argument, NULL, OPT_NONCE },
	{ "selection", required_argument, NULL, OPT_SELECTION },
	{ "output", required_argument, NULL, 'o' },
	{ "check", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	if (argc >= 2 && argv[1][0] != '-') {
		a->cmd = argv[1];
		if (strcmp(a->cmd, "quote") != 0 && strcmp(a->cmd, "ek") != 0 &&
		    strcmp(a->cmd, "status") != 0) {
			fprintf(stderr, "wardgate-agent: unknown command "
			    "\"%s\"\n", a->cmd);
			usage(stderr);
			return AGENT_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "no:vh", long_opts, NULL)) != -1) {
		const char *key = NULL;
		int i;

		switch (c) {
		case OPT_ONCE: a->once = 1; continue;
		case OPT_CONFIG: a->config = optarg; continue;
		case OPT_NONCE: a->nonce = optarg; continue;
		case OPT_SELECTION: a->selection = optarg; continue;
		case 'o': a->outdir = optarg; continue;
		case 'n': a->check = 1; continue;
		case 'v': a->verbose++; continue;
		case 'h':
			usage(stdout);
			return AGENT_EXIT_OK;
		case OPT_VERSION:
			printf("wardgate-agent %s\n", PACKAGE_VERSION);
			return AGENT_EXIT_OK;
		case '?':
			usage(stderr);
			return AGENT_EXIT_USAGE;
		}
		/* A setting: the option's name is the configuration key. */
		for (i = 0; long_opts[i].name != NULL; i++)
			if (long_opts[i].val == c)
				key = long_opts[i].name;
		if (key == NULL || a->nset == MAX_SETTINGS) {
			usage(stderr);
			return AGENT_EXIT_USAGE;
		}
		a->key[a->nset] = key;
		a->val[a->nset++] = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "wardgate-agent: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	if (a->cmd == NULL || strcmp(a->cmd, "quote") != 0) {
		if (a->nonce != NULL || a->selection != NULL) {
			fprintf(stderr, "wardgate-agent: --nonce and "
			    "--selection belong to the quote command\n");
			return AGENT_EXIT_USAGE;
		}
	}
	if (a->cmd == NULL && a->outdir != NULL) {
		fprintf(stderr, "wardgate-agent: -o belongs to the quote and "
		    "ek commands\n");
		return AGENT_EXIT_USAGE;
	}
	if (a->cmd != NULL && a->once) {
		fprintf(stderr, "wardgate-agent: --once does not apply to "
		    "\"%s\"\n", a->cmd);
		return AGENT_EXIT_USAGE;
	}
	return -1;
}

/* The configuration: the file first, the command line over it. */
static int
load_conf(const struct args *a, struct conf *c)
{
	struct wg_diag d;
	unsigned i;

	conf_init(c);
	wg_diag_clear(&d);
	if (a->config != NULL && conf_load(c, a->config, &d) != 0)
		goto bad;
	for (i = 0; i < a->nset; i++)
		if (conf_set(c, a->key[i], a->val[i], &d) != 0)
			goto bad;
	c->verbose += a->verbose;
	if (c->verbose > 3)
		c->verbose = 3;
	return 0;
bad:
	fprintf(stderr, "wardgate-agent: configuration: %s\n", d.detail);
	return -1;
}

/* ---- the loop ------------------------------------------------------ */

/* A uniform number in [0, 1). */
static double
random_unit(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		x = (uint32_t)time(NULL) * 2654435761u;
	return (double)x / 4294967296.0;
}

/* seconds +- fraction, in milliseconds, at least 100 ms. */
static uint64_t
jitter_ms(unsigned seconds, double fraction)
{
	double ms = (double)seconds * 1000.0 *
	    (1.0 - fraction + 2.0 * fraction * random_unit());

	return ms < 100.0 ? 100 : (uint64_t)ms;
}

/* Sleeps ms milliseconds unless a signal asks to stop. */
static void
sleep_ms(uint64_t ms)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (!stop_signal && nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

static int
run_loop(struct agent *a)
{
	const struct conf *c = a->conf;
	struct agent_result res;
	unsigned backoff = BACKOFF_MIN, next;
	uint64_t wait;
	int ret;

	for (;;) {
		ret = agent_round(a, &res);
		if (stop_signal)
			break;
		if (res.stop) {
			log_error("the gateway refuses this device for good; "
			    "stopping");
			return AGENT_EXIT_REFUSED;
		}
		if (ret == AGENT_EXIT_USAGE) {
			log_error("stopping: fix the configuration or the "
			    "state directory");
			return ret;
		}
		if (res.evidence) {
			backoff = BACKOFF_MIN;
			next = c->interval != 0 ? c->interval :
			    res.next != 0 ? res.next : DEFAULT_NEXT;
			if (next > CONF_MAX_INTERVAL)
				next = CONF_MAX_INTERVAL;
			wait = jitter_ms(next, 0.1);
		} else {
			wait = jitter_ms(backoff, 0.2);
			log_info("retrying in %.1f s", (double)wait / 1000.0);
			backoff = backoff >= BACKOFF_MAX / 2 ? BACKOFF_MAX :
			    backoff * 2;
		}
		log_debug("next round in %.1f s", (double)wait / 1000.0);
		sleep_ms(wait);
		if (stop_signal)
			break;
	}
	log_info("stopping on signal %d", (int)stop_signal);
	return AGENT_EXIT_OK;
}

static int
cmd_attest(const struct args *args, const struct conf *c)
{
	struct agent a;
	struct agent_result res;
	struct sigaction sa;
	struct wg_diag d;
	int ret;

	wg_diag_clear(&d);
	if (conf_check_gateway(c, &d) != 0) {
		log_error_diag(&d, "cannot attest");
		return AGENT_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if ((ret = agent_init(&a, c)) == AGENT_EXIT_OK) {
		if (args->once)
			ret = agent_round(&a, &res);
		else
			ret = run_loop(&a);
	}
	agent_cleanup(&a);
	return ret;
}

/* ---- quote, ek, status ---------------------------------------------- */

static int
write_out(const char *dir, const char *name, const void *buf, size_t len)
{
	struct wg_diag d;

	wg_diag_clear(&d);
	if (statedir_write(dir, name, buf, len, 0644, &d) != 0) {
		log_error_diag(&d, "cannot write %s/%s", dir, name);
		return -1;
	}
	return 0;
}

static int
make_outdir(const char *dir)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_error("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* {"sha256": {"0": "hex", ...}, ...} */
static char *
pcrs_json(const struct pcr_set *s)
{
	struct json_object *o = json_object_new_object(), *b;
	char hex[2 * ALG_MAX_DIGEST + 1], key[4], abuf[8];
	char *out = NULL;
	unsigned i, p;

	if (o == NULL)
		return NULL;
	for (i = 0; i < s->nbanks; i++) {
		const struct pcr_bank *bk = &s->bank[i];

		if ((b = json_object_new_object()) == NULL)
			goto out;
		json_object_object_add(o, alg_name(bk->alg, abuf, sizeof(abuf)),
		    b);
		for (p = 0; p < PCR_COUNT; p++) {
			if (!(bk->present & (1u << p)))
				continue;
			snprintf(key, sizeof(key), "%u", p);
			hex_encode(bk->value[p], bk->size, hex, sizeof(hex));
			json_object_object_add(b, key,
			    json_object_new_string(hex));
		}
	}
	out = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return out;
}

static void
print_name(const char *label, const TPM2B_PUBLIC *pub)
{
	uint8_t name[2 + ALG_MAX_DIGEST];
	char hex[2 * sizeof(name) + 1];
	size_t len;
	struct wg_diag d;

	wg_diag_clear(&d);
	if (tpm_public_name(pub, name, &len, &d) == 0)
		printf("%s: %s\n", label, hex_encode(name, len, hex,
		    sizeof(hex)));
}

static int
cmd_quote(const struct args *args, const struct conf *c)
{
	struct agent a;
	struct tpm *t = NULL;
	struct tpm_quote *q = NULL;
	struct pcr_set *pcrs = NULL;
	TPML_PCR_SELECTION sel;
	uint8_t nonce[64], pub[sizeof(TPM2B_PUBLIC)];
	size_t nlen, publen;
	char *json = NULL;
	struct wg_diag d;
	int ret;

	wg_diag_clear(&d);
	memset(&a, 0, sizeof(a));
	if (args->nonce == NULL || args->selection == NULL ||
	    args->outdir == NULL) {
		fprintf(stderr, "wardgate-agent: quote needs --nonce, "
		    "--selection and -o\n");
		usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	if (hex_decode(args->nonce, nonce, sizeof(nonce), &nlen) != 0 ||
	    nlen == 0) {
		fprintf(stderr, "wardgate-agent: --nonce must be 1 to 64 bytes "
		    "of hex\n");
		return AGENT_EXIT_USAGE;
	}
	if (pcr_selection_parse(args->selection, &sel, &d) != 0) {
		fprintf(stderr, "wardgate-agent: --selection: %s\n", d.detail);
		return AGENT_EXIT_USAGE;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (pcrs = calloc(1, sizeof(*pcrs))) == NULL) {
		log_error("out of memory");
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	if ((ret = agent_init(&a, c)) != AGENT_EXIT_OK)
		goto out;
	if (tpm_open(a.tcti, &t, &d) != 0) {
		log_error_diag(&d, "cannot open the TPM");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	if ((ret = agent_ensure_ak(&a, t)) != AGENT_EXIT_OK)
		goto out;
	if (tpm_quote(t, &a.st.ak, nonce, nlen, &sel, q, pcrs, &d) != 0) {
		log_error_diag(&d, "TPM2_Quote failed");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	if (tpm_public_marshal(&a.st.ak.pub, pub, sizeof(pub), &publen,
	    &d) != 0) {
		log_error_diag(&d, "AK public");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	if ((json = pcrs_json(pcrs)) == NULL) {
		log_error("out of memory");
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	ret = AGENT_EXIT_USAGE;
	if (make_outdir(args->outdir) != 0 ||
	    write_out(args->outdir, "ak.pub", pub, publen) != 0 ||
	    write_out(args->outdir, "quote.msg", q->attest,
	    q->attest_len) != 0 ||
	    write_out(args->outdir, "quote.sig", q->sig, q->sig_len) != 0 ||
	    write_out(args->outdir, "pcrs.json", json, strlen(json)) != 0)
		goto out;
	print_name("ak-name", &a.st.ak.pub);
	ret = AGENT_EXIT_OK;
out:
	tpm_close(t);
	agent_cleanup(&a);
	free(json);
	free(q);
	free(pcrs);
	return ret;
}

static int
cmd_ek(const struct args *args, const struct conf *c)
{
	struct agent a;
	struct tpm *t = NULL;
	TPM2B_PUBLIC ek;
	enum tpm_ek_kind kind;
	uint8_t pub[sizeof(TPM2B_PUBLIC)], fpr[EK_FPR_LEN];
	char hex[2 * EK_FPR_LEN + 1];
	size_t publen, certlen = 0;
	uint8_t *cert = NULL;
	struct wg_diag d;
	int ret;

	wg_diag_clear(&d);
	if ((ret = agent_init(&a, c)) != AGENT_EXIT_OK)
		goto out;
	/* The EK the saved AK lives under, unless asked for another. */
	kind = a.st.has_ak && !c->ek_set ? a.st.ak.ek : c->ek;
	if (tpm_open(a.tcti, &t, &d) != 0) {
		log_error_diag(&d, "cannot open the TPM");
		ret = AGENT_EXIT_TPM;
		goto out;
	}
	ret = AGENT_EXIT_TPM;
	if (tpm_ek_public(t, kind, &ek, &d) != 0) {
		log_error_diag(&d, "cannot create the %s EK",
		    tpm_ek_kind_name(kind));
		goto out;
	}
	if (tpm_public_marshal(&ek, pub, sizeof(pub), &publen, &d) != 0 ||
	    ek_fingerprint(&ek.publicArea, fpr, &d) != 0) {
		log_error_diag(&d, "EK public");
		goto out;
	}
	printf("ek: %s\n", tpm_ek_kind_name(kind));
	printf("ek-fingerprint: %s\n", hex_encode(fpr, sizeof(fpr), hex,
	    sizeof(hex)));
	print_name("ek-name", &ek);
	if (args->outdir != NULL && (make_outdir(args->outdir) != 0 ||
	    write_out(args->outdir, "ek.pub", pub, publen) != 0)) {
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	if (tpm_ek_cert(t, kind, &cert, &certlen, &d) != 0) {
		log_error_diag(&d, "no EK certificate");
		goto out;
	}
	printf("ek-certificate: %zu bytes\n", certlen);
	if (args->outdir != NULL &&
	    write_out(args->outdir, "ek.crt", cert, certlen) != 0) {
		ret = AGENT_EXIT_USAGE;
		goto out;
	}
	ret = AGENT_EXIT_OK;
out:
	free(cert);
	tpm_close(t);
	agent_cleanup(&a);
	return ret;
}

static int
cmd_status(const struct conf *c)
{
	struct agent a;
	enum tpm_ak_kind kind;
	struct wg_diag d;
	int ret;

	wg_diag_clear(&d);
	if ((ret = agent_init(&a, c)) != AGENT_EXIT_OK)
		goto out;
	printf("state-dir: %s\n", c->state_dir);
	if (!a.st.has_ak) {
		printf("ak: none (the next run creates one and enrolls)\n");
		goto out;
	}
	printf("ek: %s\n", tpm_ek_kind_name(a.st.ak.ek));
	if (tpm_ak_kind_of(&a.st.ak, &kind, &d) == 0)
		printf("ak: %s\n", tpm_ak_kind_name(kind));
	print_name("ak-name", &a.st.ak.pub);
	printf("device-id: %s\n", a.st.device_id[0] != '\0' ?
	    a.st.device_id : "none (not enrolled)");
out:
	agent_cleanup(&a);
	return ret;
}

int
main(int argc, char **argv)
{
	struct args args;
	struct conf *c;
	int ret;

	if ((ret = parse_args(argc, argv, &args)) >= 0)
		return ret;
	if ((c = malloc(sizeof(*c))) == NULL) {
		fprintf(stderr, "wardgate-agent: out of memory\n");
		return AGENT_EXIT_USAGE;
	}
	if (load_conf(&args, c) != 0) {
		free(c);
		return AGENT_EXIT_USAGE;
	}
	log_set_level(c->verbose >= 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/* ESAPI's own messages only from -vv on: ours carry the TSS text. */
	if (c->verbose < 2 && getenv("TSS2_LOG") == NULL)
		setenv("TSS2_LOG", "all+none", 1);
	signal(SIGPIPE, SIG_IGN);

	if (args.check) {
		struct wg_diag d;

		wg_diag_clear(&d);
		if (args.cmd == NULL && conf_check_gateway(c, &d) != 0) {
			fprintf(stderr, "wardgate-agent: configuration: %s\n",
			    d.detail);
			ret = AGENT_EXIT_USAGE;
		} else {
			conf_print(c, stdout);
			ret = AGENT_EXIT_OK;
		}
	} else if (args.cmd == NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fprintf(stderr, "wardgate-agent: curl_global_init "
			    "failed\n");
			ret = AGENT_EXIT_GATEWAY;
		} else {
			ret = cmd_attest(&args, c);
			curl_global_cleanup();
		}
	} else if (strcmp(args.cmd, "quote") == 0)
		ret = cmd_quote(&args, c);
	else if (strcmp(args.cmd, "ek") == 0)
		ret = cmd_ek(&args, c);
	else
		ret = cmd_status(c);
	free(c);
	return ret;
}
