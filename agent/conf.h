/*
 * conf.h: the agent's settings, from the command line and from a
 * configuration file of "key = value" lines.
 *
 * The keys are the long option names (gateway, ca, state-dir, tcti,
 * eventlog, ek, ak, interval, timeout, hostname, serial, mac, verbose).
 * Lines starting with '#' and blank lines are ignored; an unknown key, a
 * key given twice or a bad value is an error naming the line. Options on
 * the command line override the file. conf_print writes the normalised
 * form, which parses again to the same settings.
 */
#ifndef WG_AGENT_CONF_H
#define WG_AGENT_CONF_H

#include <stdio.h>

#include "tpm.h"
#include "wg_err.h"
#include "wire.h"

#define CONF_DEFAULT_STATE_DIR	"/var/lib/wardgate-agent"
#define CONF_DEFAULT_EVENTLOG \
	"/sys/kernel/security/tpm0/binary_bios_measurements"
#define CONF_DEFAULT_TIMEOUT	30	/* seconds per HTTPS request */
#define CONF_MAX_INTERVAL	86400u
#define CONF_STR_MAX		1024

struct conf {
	char gateway[CONF_STR_MAX];	/* https://host[:port][/prefix], no
					   trailing '/'; "" when unset */
	char ca[CONF_STR_MAX];		/* PEM file: the gateway's CA */
	char state_dir[CONF_STR_MAX];
	char tcti[CONF_STR_MAX];	/* "": the environment or default */
	char eventlog[CONF_STR_MAX];
	enum tpm_ek_kind ek;
	enum tpm_ak_kind ak;
	int ek_set, ak_set;		/* given, not the default */
	unsigned interval;		/* seconds; 0: as the gateway says */
	unsigned timeout;		/* seconds per request */
	char hostname[WIRE_TEXT_LEN];	/* claims; "" for none / default */
	char serial[WIRE_TEXT_LEN];
	char mac[WIRE_MAC_LEN];
	int verbose;			/* 0..3 */
};

/* The defaults. */
void conf_init(struct conf *c);

/* Sets one key; WG_ERR_CONFIG naming the key for anything invalid. */
int conf_set(struct conf *c, const char *key, const char *value,
    struct wg_diag *d);

/* Reads a configuration file into c (over what c holds). */
int conf_load(struct conf *c, const char *path, struct wg_diag *d);

/* What attesting needs: a gateway URL and its CA. WG_ERR_CONFIG. */
int conf_check_gateway(const struct conf *c, struct wg_diag *d);

/* Writes the normalised "key = value" form. */
void conf_print(const struct conf *c, FILE *f);

#endif
