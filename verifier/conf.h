/*
 * conf.h: wardgated.conf(5). "key = value" lines, '#' comments; every
 * key known, every value checked; conf_print() writes the normalised form
 * (every key, defaults included), which parses again to the same config.
 */
#ifndef WG_CONF_H
#define WG_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "state.h"
#include "wg_err.h"

#define CONF_PATH_MAX 512
#define CONF_SEGMENT_MAX 33

struct conf {
	char listen[128];		/* "127.0.0.1:8443", "[::1]:8443" */
	char tls_cert[CONF_PATH_MAX];	/* PEM chain */
	char tls_key[CONF_PATH_MAX];
	char ek_ca_bundle[CONF_PATH_MAX];	/* TPM-manufacturer CAs */
	char store[CONF_PATH_MAX];	/* SQLite file */
	char admin_socket[CONF_PATH_MAX];
	char pcr_selection[128];	/* what every quote must cover */
	char policy_issuers[CONF_PATH_MAX];	/* dir of ISSUER.pem keys */
	uint32_t policy_required;	/* no policy for a model: not trusted */
	uint32_t attest_interval;	/* seconds */
	uint32_t attest_grace;
	uint32_t ak_max_age;		/* seconds an AK may attest; 0: no limit */
	uint32_t nonce_lifetime;
	uint32_t enroll_lifetime;
	uint32_t max_devices;		/* in-memory tables */
	uint32_t max_eventlog;		/* bytes */
	uint32_t commit_batch;		/* group commit: verdicts per commit */
	uint32_t commit_delay_ms;	/* longest a verdict waits to commit */
	char segment[DEV_NSTATES][CONF_SEGMENT_MAX];

	/* Enforcement (wardgate-enforcer(8)); "none": segments recorded only. */
	char enforcer[CONF_PATH_MAX];	/* program, or "none" */
	char enforcer_conf[CONF_PATH_MAX];	/* passed as -f */
	char segment_hold[CONF_SEGMENT_MAX];	/* clinical holds */
	uint32_t hold_max;		/* longest hold, seconds */
	uint32_t service_max;		/* longest field-service window, s */
	char segment_restricted[CONF_SEGMENT_MAX];	/* advisory: restrict */

	/* RADIUS: rlm_rest decision endpoint and RFC 5176 client. */
	char radius_listen[128];	/* plain HTTP, "none" or IPV4:PORT */
	char radius_auth_file[CONF_PATH_MAX];	/* "user:password" (Basic) */
	char radius_vlans[512];		/* "segment=vlan ..." */
	char radius_das[128];		/* "none" or HOST:PORT */
	char radius_das_secret_file[CONF_PATH_MAX];
	char radius_das_action[16];	/* "disconnect" or "coa" */

	/* Admin roles: "none" or uid:N gid:N user:NAME group:NAME ... */
	char role_admin[512];
	char role_security[512];
	char role_clinical[512];
	/* Admin API over TLS: roles from client certificates (cert:NAME). */
	char admin_listen[128];		/* "none" or ADDR:PORT */
	char admin_tls_ca[CONF_PATH_MAX];	/* operator CA (PEM), or "none" */
	char admin_tls_crl[CONF_PATH_MAX];	/* PEM CRL, or "none" */

	/* EAR signing key (PEM P-256, mode 600), or "none". */
	char ear_key[CONF_PATH_MAX];

	/* Operations (docs/operations.md): /metrics, webhook, syslog. */
	char metrics_listen[128];	/* plain HTTP, "none" or ADDR:PORT */
	char webhook_url[512];		/* "none" or https://HOST[:PORT]/PATH */
	char webhook_ca[CONF_PATH_MAX];	/* PEM, or "system" */
	uint32_t syslog;		/* a line per state change */
	char syslog_facility[16];	/* daemon, user, local0..local7 ... */
};

/*
 * The VLAN id radius_vlans gives segment (1..4094), or 0 when the segment
 * has none (a device there is rejected). radius_vlans must have passed
 * conf_check.
 */
unsigned conf_vlan(const struct conf *c, const char *segment);

/* Fills c with the defaults (see wardgated.conf(5)). */
void conf_defaults(struct conf *c);

/*
 * Reads path over the defaults. WG_ERR_CONFIG with "path:line: reason" in
 * d for an unknown key, a bad value, a duplicate key or a syntax error.
 */
int conf_load(const char *path, struct conf *c, struct wg_diag *d);

/* Parses config text (for tests); name is used in messages. */
int conf_parse(const char *text, const char *name, struct conf *c,
    struct wg_diag *d);

/* Checks cross-field rules (paths set, selection parses, ...). */
int conf_check(const struct conf *c, struct wg_diag *d);

/*
 * Splits "ADDRESS:PORT" or "[IPV6]:PORT" into host and port; -1 when the
 * form or the port (1..65535) is wrong.
 */
int conf_listen_split(const char *listen, char *host, size_t hlen,
    unsigned short *port);

/*
 * The syslog(3) facility (LOG_DAEMON, ...) named by name, or -1 when it
 * is not one of daemon, user, auth, authpriv, local0 to local7.
 */
int conf_syslog_facility(const char *name);

/*
 * Checks "https://HOST[:PORT][/PATH]" (HOST a name, an IPv4 address or
 * [IPv6]); copies HOST (without brackets) to host. -1 when malformed.
 */
int conf_https_url(const char *url, char *host, size_t hlen,
    unsigned short *port);

/* Writes the normalised configuration. */
void conf_print(const struct conf *c, FILE *f);

#endif
