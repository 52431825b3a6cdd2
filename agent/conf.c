/* conf.c: the agent's settings: command line and "key = value" file. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "file.h"

#define CONF_MAX_FILE (64u * 1024)

enum conf_key {
	K_GATEWAY, K_CA, K_STATE_DIR, K_TCTI, K_EVENTLOG, K_EK, K_AK,
	K_INTERVAL, K_TIMEOUT, K_HOSTNAME, K_SERIAL, K_MAC, K_VERBOSE,
	K_COUNT
};

static const char *const conf_keys[K_COUNT] = {
	"gateway", "ca", "state-dir", "tcti", "eventlog", "ek", "ak",
	"interval", "timeout", "hostname", "serial", "mac", "verbose",
};

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->state_dir, CONF_DEFAULT_STATE_DIR);
	strcpy(c->eventlog, CONF_DEFAULT_EVENTLOG);
	c->ek = TPM_EK_RSA;
	c->ak = TPM_AK_ECC;
	c->timeout = CONF_DEFAULT_TIMEOUT;
}

static int
key_index(const char *key)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (strcmp(conf_keys[i], key) == 0)
			return i;
	return -1;
}

/* Printable ASCII, no spaces at either end (they would not round-trip). */
static int
printable(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return n == 0 || (s[0] != ' ' && s[n - 1] != ' ');
}

static int
copy_str(char *dst, size_t cap, const char *key, const char *v,
    int allow_empty, struct wg_diag *d)
{
	if (strlen(v) >= cap)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: longer than %zu "
		    "bytes", key, cap - 1);
	if (!printable(v))
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: control characters "
		    "or surrounding spaces", key);
	if (!allow_empty && v[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: empty", key);
	strcpy(dst, v);
	return 0;
}

static int
parse_uint(const char *key, const char *v, unsigned lo, unsigned hi,
    unsigned *out, struct wg_diag *d)
{
	unsigned long n;
	char *end;

	errno = 0;
	if (v[0] < '0' || v[0] > '9' ||
	    (n = strtoul(v, &end, 10), errno != 0) || *end != '\0' ||
	    n < lo || n > hi)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: \"%s\" is not a "
		    "number from %u to %u", key, v, lo, hi);
	*out = (unsigned)n;
	return 0;
}

static int
set_gateway(struct conf *c, const char *v, struct wg_diag *d)
{
	char tmp[CONF_STR_MAX];
	size_t n;
	int r;

	if ((r = copy_str(tmp, sizeof(tmp), "gateway", v, 0, d)) != 0)
		return r;
	if (strncmp(tmp, "https://", 8) != 0 || tmp[8] == '\0' ||
	    tmp[8] == '/')
		return wg_diag_set(d, WG_ERR_CONFIG, "gateway: \"%s\" is not "
		    "an https:// URL (the agent speaks HTTPS only)", v);
	if (strpbrk(tmp, " ?#") != NULL)
		return wg_diag_set(d, WG_ERR_CONFIG, "gateway: \"%s\" has a "
		    "space, query or fragment", v);
	n = strlen(tmp);
	while (n > 8 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	strcpy(c->gateway, tmp);
	return 0;
}

static int
set_mac(struct conf *c, const char *v, struct wg_diag *d)
{
	char tmp[WIRE_MAC_LEN];
	size_t i;

	if (strlen(v) != WIRE_MAC_LEN - 1)
		goto bad;
	for (i = 0; i < WIRE_MAC_LEN - 1; i++) {
		if (i % 3 == 2) {
			if (v[i] != ':')
				goto bad;
			tmp[i] = ':';
		} else {
			if (!isxdigit((unsigned char)v[i]))
				goto bad;
			tmp[i] = (char)tolower((unsigned char)v[i]);
		}
	}
	tmp[WIRE_MAC_LEN - 1] = '\0';
	strcpy(c->mac, tmp);
	return 0;
bad:
	return wg_diag_set(d, WG_ERR_CONFIG, "mac: \"%s\" is not "
	    "aa:bb:cc:dd:ee:ff", v);
}

int
conf_set(struct conf *c, const char *key, const char *v, struct wg_diag *d)
{
	unsigned u;
	int r;

	switch (key_index(key)) {
	case K_GATEWAY:
		return set_gateway(c, v, d);
	case K_CA:
		return copy_str(c->ca, sizeof(c->ca), key, v, 0, d);
	case K_STATE_DIR:
		return copy_str(c->state_dir, sizeof(c->state_dir), key, v, 0,
		    d);
	case K_TCTI:
		return copy_str(c->tcti, sizeof(c->tcti), key, v, 1, d);
	case K_EVENTLOG:
		return copy_str(c->eventlog, sizeof(c->eventlog), key, v, 0,
		    d);
	case K_EK:
		if (tpm_ek_kind_parse(v, &c->ek) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG, "ek: \"%s\" is "
			    "not rsa or ecc", v);
		c->ek_set = 1;
		return 0;
	case K_AK:
		if (tpm_ak_kind_parse(v, &c->ak) != 0)
			return wg_diag_set(d, WG_ERR_CONFIG, "ak: \"%s\" is "
			    "not ecc or rsa", v);
		c->ak_set = 1;
		return 0;
	case K_INTERVAL:
		if ((r = parse_uint(key, v, 1, CONF_MAX_INTERVAL, &u, d)) != 0)
			return r;
		c->interval = u;
		return 0;
	case K_TIMEOUT:
		if ((r = parse_uint(key, v, 1, 600, &u, d)) != 0)
			return r;
		c->timeout = u;
		return 0;
	case K_HOSTNAME:
		return copy_str(c->hostname, sizeof(c->hostname), key, v, 1,
		    d);
	case K_SERIAL:
		return copy_str(c->serial, sizeof(c->serial), key, v, 1, d);
	case K_MAC:
		return set_mac(c, v, d);
	case K_VERBOSE:
		if ((r = parse_uint(key, v, 0, 3, &u, d)) != 0)
			return r;
		c->verbose = (int)u;
		return 0;
	}
	return wg_diag_set(d, WG_ERR_CONFIG, "unknown setting \"%s\"", key);
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int
conf_load(struct conf *c, const char *path, struct wg_diag *d)
{
	uint8_t *text = NULL;
	size_t len;
	char *line, *next, *eq, *key, *val;
	unsigned lineno = 0, seen = 0;
	int k, r;

	if ((r = file_read(path, CONF_MAX_FILE, &text, &len, d)) != 0) {
		wg_diag_set(d, WG_ERR_CONFIG, "cannot read %s: %s", path,
		    d != NULL ? d->detail : wg_strerror(r));
		free(text);
		return WG_ERR_CONFIG;
	}
	if (memchr(text, '\0', len) != NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s: NUL byte", path);
		goto out;
	}
	for (line = (char *)text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: not \"key = "
			    "value\"", path, lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if ((k = key_index(key)) < 0) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: unknown "
			    "setting \"%s\"", path, lineno, key);
			goto out;
		}
		if (seen & (1u << k)) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: \"%s\" given "
			    "twice", path, lineno, key);
			goto out;
		}
		seen |= 1u << k;
		if ((r = conf_set(c, key, val, d)) != 0) {
			char detail[WG_DIAG_DETAIL_MAX];

			snprintf(detail, sizeof(detail), "%s",
			    d != NULL ? d->detail : "");
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s:%u: %s", path,
			    lineno, detail);
			goto out;
		}
	}
	r = 0;
out:
	free(text);
	return r;
}

int
conf_check_gateway(const struct conf *c, struct wg_diag *d)
{
	if (c->gateway[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG, "no gateway: give "
		    "--gateway https://HOST:PORT or \"gateway\" in the "
		    "configuration file");
	if (c->ca[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG, "no CA: give --ca FILE, "
		    "the PEM certificate of the CA that signed the gateway's "
		    "certificate (the system CA store is never used)");
	if (access(c->ca, R_OK) == -1)
		return wg_diag_set(d, WG_ERR_CONFIG, "CA file %s: %s", c->ca,
		    strerror(errno));
	return 0;
}

void
conf_print(const struct conf *c, FILE *f)
{
	if (c->gateway[0] != '\0')
		fprintf(f, "gateway = %s\n", c->gateway);
	if (c->ca[0] != '\0')
		fprintf(f, "ca = %s\n", c->ca);
	fprintf(f, "state-dir = %s\n", c->state_dir);
	if (c->tcti[0] != '\0')
		fprintf(f, "tcti = %s\n", c->tcti);
	fprintf(f, "eventlog = %s\n", c->eventlog);
	/* Unset kinds follow the saved AK (or the defaults): keep them so. */
	if (c->ek_set)
		fprintf(f, "ek = %s\n", tpm_ek_kind_name(c->ek));
	if (c->ak_set)
		fprintf(f, "ak = %s\n", tpm_ak_kind_name(c->ak));
	if (c->interval != 0)
		fprintf(f, "interval = %u\n", c->interval);
	fprintf(f, "timeout = %u\n", c->timeout);
	if (c->hostname[0] != '\0')
		fprintf(f, "hostname = %s\n", c->hostname);
	if (c->serial[0] != '\0')
		fprintf(f, "serial = %s\n", c->serial);
	if (c->mac[0] != '\0')
		fprintf(f, "mac = %s\n", c->mac);
	fprintf(f, "verbose = %d\n", c->verbose);
}
