/*
 * provfile.c: batches of provisioning records (see provfile.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "enfmsg.h"
#include "hex.h"
#include "provfile.h"
#include "sjson.h"
#include "state.h"

enum col {
	C_NAME, C_SERIAL, C_MODEL, C_UDI, C_BATCH, C_OWNER, C_LOCATION,
	C_OWN_ID, C_OWN_UPD, C_OWN_VULN, C_OWN_DECOM, C_MAC, C_EK_FPR,
	C_EK_CERT, C_COUNT
};

static const char *const col_name[C_COUNT] = {
	"name", "serial", "model", "udi", "batch", "owner", "location",
	"owner_identity", "owner_update", "owner_vuln", "owner_decommission",
	"mac", "ek_fpr", "ek_cert"
};

static const struct {
	const char *alias;
	enum col c;
} col_alias[] = {
	{ "lot", C_BATCH }, { "ward", C_OWNER }, { "department", C_OWNER },
	{ "ek_fingerprint", C_EK_FPR }, { "ek_certificate", C_EK_CERT },
};

#define PROVFILE_MAX_COLS 32

struct pstate {
	struct provfile *pf;
	size_t cap;
	struct provfile_report *rep;
	unsigned nerr;
	int alloc_failed;
};

static void
report(struct pstate *ps, unsigned line, const char *col, const char *fmt,
    ...)
{
	struct provfile_report *rep = ps->rep;
	char why[256];
	va_list ap;
	int n;

	ps->nerr++;
	if (rep == NULL)
		return;
	rep->nerrors++;
	if (rep->nerrors > PROVFILE_REPORT_LINES)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (rep->len >= sizeof(rep->text) - 1)
		return;
	n = snprintf(rep->text + rep->len, sizeof(rep->text) - rep->len,
	    "line %u: %s: %s\n", line, col, why);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(rep->text) - rep->len)
		rep->len = sizeof(rep->text) - 1;
	else
		rep->len += (size_t)n;
}

/* The column a header or member name stands for, or -1. */
static int
col_lookup(const char *s)
{
	size_t i;

	for (i = 0; i < C_COUNT; i++)
		if (strcasecmp(s, col_name[i]) == 0)
			return (int)i;
	for (i = 0; i < sizeof(col_alias) / sizeof(col_alias[0]); i++)
		if (strcasecmp(s, col_alias[i].alias) == 0)
			return (int)col_alias[i].c;
	return -1;
}

/* SHA-256 of the certificate's SubjectPublicKeyInfo, as ek_fingerprint(). */
static int
pem_fpr(const char *pem, size_t len, char out[STORE_ID_LEN])
{
	BIO *b = NULL;
	X509 *x = NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n, r = -1;

	if (len > PROVFILE_CERT_MAX ||
	    (b = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL)
		goto out;
	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0 ||
	    EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		goto out;
	hex_encode(md, 32, out, STORE_ID_LEN);
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return r;
}

static int
cell_text(struct pstate *ps, unsigned line, int c, const char *v,
    char *out, size_t cap)
{
	const char *why;
	size_t n = strlen(v);

	if (n >= cap) {
		report(ps, line, col_name[c], "longer than %zu bytes",
		    cap - 1);
		return -1;
	}
	if ((why = sjson_text_check(v, n)) != NULL) {
		report(ps, line, col_name[c], "%s", why);
		return -1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

/*
 * Checks one row (v[c] NULL or "" when absent) and appends its record;
 * errors go to the report.
 */
static void
row_add(struct pstate *ps, const char *const v[C_COUNT], unsigned line)
{
	struct provfile_rec rec;
	struct store_provision *p = &rec.p;
	char fpr[STORE_ID_LEN];
	uint8_t mac[ENFMSG_MAC_LEN];
	char mtext[ENFMSG_MAC_TEXT];
	unsigned before = ps->nerr;
	static const int req[] = { C_SERIAL, C_MODEL, C_MAC };
	size_t i;
	struct {
		int c;
		char *out;
		size_t cap;
	} txt[] = {
		{ C_NAME, p->name, sizeof(p->name) },
		{ C_SERIAL, p->serial, sizeof(p->serial) },
		{ C_MODEL, p->model, sizeof(p->model) },
		{ C_UDI, p->udi, sizeof(p->udi) },
		{ C_BATCH, p->batch, sizeof(p->batch) },
		{ C_OWNER, p->owner, sizeof(p->owner) },
		{ C_LOCATION, p->location, sizeof(p->location) },
		{ C_OWN_ID, p->owner_identity, sizeof(p->owner_identity) },
		{ C_OWN_UPD, p->owner_update, sizeof(p->owner_update) },
		{ C_OWN_VULN, p->owner_vuln, sizeof(p->owner_vuln) },
		{ C_OWN_DECOM, p->owner_decommission,
		    sizeof(p->owner_decommission) },
	};

	memset(&rec, 0, sizeof(rec));
	rec.line = line;
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (v[req[i]] == NULL || v[req[i]][0] == '\0')
			report(ps, line, col_name[req[i]], "missing");
	for (i = 0; i < sizeof(txt) / sizeof(txt[0]); i++)
		if (v[txt[i].c] != NULL)
			(void)cell_text(ps, line, txt[i].c, v[txt[i].c],
			    txt[i].out, txt[i].cap);
	if (p->name[0] == '\0')
		memcpy(p->name, p->serial, sizeof(p->name));
	if (v[C_MAC] != NULL && v[C_MAC][0] != '\0') {
		if (strlen(v[C_MAC]) != ENFMSG_MAC_TEXT - 1 ||
		    enfmsg_mac_parse(v[C_MAC], mac) != 0)
			report(ps, line, "mac", "not aa:bb:cc:dd:ee:ff");
		else if (!enfmsg_mac_valid(mac))
			report(ps, line, "mac", "multicast or all zero");
		else
			memcpy(p->mac, enfmsg_mac_format(mac, mtext),
			    sizeof(p->mac));
	}
	if (v[C_EK_FPR] != NULL && v[C_EK_FPR][0] != '\0') {
		if (strlen(v[C_EK_FPR]) != 64 || !hex_is_lower(v[C_EK_FPR], 64))
			report(ps, line, "ek_fpr", "not 64 lowercase hex "
			    "digits");
		else
			memcpy(p->ek_fpr, v[C_EK_FPR], 65);
	}
	if (v[C_EK_CERT] != NULL && v[C_EK_CERT][0] != '\0') {
		if (pem_fpr(v[C_EK_CERT], strlen(v[C_EK_CERT]), fpr) != 0)
			report(ps, line, "ek_cert", "not a PEM certificate");
		else if (p->ek_fpr[0] != '\0' && strcmp(p->ek_fpr, fpr) != 0)
			report(ps, line, "ek_cert", "its key's fingerprint is "
			    "not ek_fpr");
		else
			memcpy(p->ek_fpr, fpr, sizeof(fpr));
	}
	if ((v[C_EK_FPR] == NULL || v[C_EK_FPR][0] == '\0') &&
	    (v[C_EK_CERT] == NULL || v[C_EK_CERT][0] == '\0'))
		report(ps, line, "ek_fpr", "missing (give ek_fpr or ek_cert)");
	for (i = 0; i < ps->pf->n; i++) {
		const struct provfile_rec *o = &ps->pf->recs[i];

		if (p->serial[0] != '\0' && strcmp(o->p.serial, p->serial) == 0)
			report(ps, line, "serial", "also on line %u", o->line);
		else if (p->name[0] != '\0' && strcmp(o->p.name, p->name) == 0)
			report(ps, line, "name", "also on line %u", o->line);
		if (p->mac[0] != '\0' && strcmp(o->p.mac, p->mac) == 0)
			report(ps, line, "mac", "also on line %u", o->line);
		if (p->ek_fpr[0] != '\0' && strcmp(o->p.ek_fpr, p->ek_fpr) == 0)
			report(ps, line, "ek_fpr", "also on line %u", o->line);
	}
	if (ps->nerr != before)
		return;
	if (ps->pf->n == PROVFILE_MAX_ROWS) {
		report(ps, line, "(row)", "more than %u records",
		    PROVFILE_MAX_ROWS);
		return;
	}
	if (ps->pf->n == ps->cap) {
		size_t ncap = ps->cap == 0 ? 16 : ps->cap * 2;
		struct provfile_rec *n = reallocarray(ps->pf->recs, ncap,
		    sizeof(*n));

		if (n == NULL) {
			ps->alloc_failed = 1;
			return;
		}
		ps->pf->recs = n;
		ps->cap = ncap;
	}
	ps->pf->recs[ps->pf->n++] = rec;
}

/* ---- CSV (RFC 4180) ---- */

/*
 * Reads one record at *pos into fields (offsets into scratch, each
 * NUL-terminated). *line counts newlines. Returns the number of fields,
 * 0 at the end of the text, or -1 on a malformed record (reported; *pos
 * is then past the record's line).
 */
static int
csv_record(struct pstate *ps, const char *buf, size_t len, size_t *pos,
    unsigned *line, char *scratch, size_t *sp, const char *fields[],
    int *overflow)
{
	size_t i = *pos, o = *sp;
	int nf = 0, quoted;
	unsigned start = *line;

	if (i >= len)
		return 0;
	*overflow = 0;
	for (;;) {
		if (nf < PROVFILE_MAX_COLS)
			fields[nf] = scratch + o;
		else
			*overflow = 1;
		nf++;
		quoted = i < len && buf[i] == '"';
		if (quoted) {
			i++;
			for (;;) {
				if (i >= len) {
					report(ps, start, "(row)", "quoted "
					    "field not closed");
					*pos = len;
					return -1;
				}
				if (buf[i] == '"') {
					if (i + 1 < len && buf[i + 1] == '"') {
						scratch[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (buf[i] == '\n')
					(*line)++;
				if (buf[i] == '\0')
					goto nul;
				scratch[o++] = buf[i++];
			}
		} else {
			while (i < len && buf[i] != ',' && buf[i] != '\n' &&
			    buf[i] != '\r') {
				if (buf[i] == '"') {
					report(ps, start, "(row)", "quote "
					    "inside an unquoted field");
					goto skip;
				}
				if (buf[i] == '\0')
					goto nul;
				scratch[o++] = buf[i++];
			}
		}
		scratch[o++] = '\0';
		if (i >= len)
			break;
		if (buf[i] == ',') {
			i++;
			continue;
		}
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		if (buf[i] == '\n') {
			i++;
			(*line)++;
			break;
		}
		report(ps, start, "(row)", quoted ? "text after a closing "
		    "quote" : "carriage return without line feed");
		goto skip;
	}
	*pos = i;
	*sp = o;
	return nf;
nul:
	report(ps, start, "(row)", "NUL byte");
skip:
	while (i < len && buf[i] != '\n')
		i++;
	if (i < len) {
		i++;
		(*line)++;
	}
	*pos = i;
	return -1;
}

static void
csv_parse(struct pstate *ps, const char *buf, size_t len)
{
	const char *f[PROVFILE_MAX_COLS];
	const char *v[C_COUNT];
	int map[PROVFILE_MAX_COLS];
	char *scratch;
	size_t pos = 0, sp, ncols = 0;
	unsigned line = 1, start;
	int nf, i, c, over, header = 1;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	/* Unquoting never lengthens; one NUL per field fits too. */
	if ((scratch = malloc(2 * len + 2)) == NULL) {
		ps->alloc_failed = 1;
		return;
	}
	for (;;) {
		sp = 0;
		start = line;
		if ((nf = csv_record(ps, buf, len, &pos, &line, scratch, &sp,
		    f, &over)) == 0)
			break;
		if (nf < 0) {
			if (header)
				break;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue;	/* a blank line */
		if (over) {
			report(ps, start, "(row)", "more than %d fields",
			    PROVFILE_MAX_COLS);
			if (header)
				break;
			continue;
		}
		if (header) {
			header = 0;
			ncols = (size_t)nf;
			for (i = 0; i < nf; i++) {
				map[i] = col_lookup(f[i]);
				if (map[i] < 0) {
					char shown[SJSON_SHOW + 8];

					report(ps, start, sjson_show(f[i],
					    shown, sizeof(shown)),
					    "unknown column");
				}
				for (c = 0; c < i; c++)
					if (map[i] >= 0 && map[c] == map[i])
						report(ps, start,
						    col_name[map[i]],
						    "column given twice");
			}
			continue;
		}
		if ((size_t)nf != ncols) {
			report(ps, start, "(row)", "%d fields, the header "
			    "has %zu", nf, ncols);
			continue;
		}
		memset(v, 0, sizeof(v));
		for (i = 0; i < nf; i++)
			if (map[i] >= 0)
				v[map[i]] = f[i];
		row_add(ps, v, start);
		if (ps->alloc_failed)
			break;
	}
	if (header && ps->nerr == 0)
		report(ps, 1, "(file)", "no header row");
	free(scratch);
}

/* ---- JSON ---- */

static const struct sjson_limits pf_limits = {
	PROVFILE_MAX_BYTES, PROVFILE_MAX_ROWS + 1,
	PROVFILE_MAX_ROWS * (C_COUNT + 1), 3, SJSON_INDEX_PATH
};

static unsigned
line_at(const char *buf, size_t off, size_t len)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off && i < len; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/* The line where each element of the top-level array starts. */
static void
json_lines(const char *buf, size_t len, unsigned *lines, size_t n)
{
	size_t i, k = 0;
	unsigned line = 1;
	int depth = 0, str = 0, esc = 0;

	for (i = 0; i < len && k < n; i++) {
		char ch = buf[i];

		if (ch == '\n')
			line++;
		if (str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				str = 0;
			continue;
		}
		if (ch == '"')
			str = 1;
		else if (ch == '[' || ch == '{') {
			if (depth == 1)
				lines[k++] = line;
			depth++;
		} else if (ch == ']' || ch == '}')
			depth--;
		else if (depth == 1 && ch != ',' && ch != ' ' &&
		    ch != '\t' && ch != '\n' && ch != '\r' && (i == 0 ||
		    buf[i - 1] == ',' || buf[i - 1] == '[' ||
		    buf[i - 1] == ' ' || buf[i - 1] == '\t' ||
		    buf[i - 1] == '\n' || buf[i - 1] == '\r'))
			lines[k++] = line;	/* a scalar element */
	}
	while (k < n)
		lines[k++] = line;
}

static void
json_parse(struct pstate *ps, const char *buf, size_t len)
{
	json_object *root = NULL, *o, *m;
	struct json_object_iterator it, end;
	struct sjson_err e;
	const char *v[C_COUNT];
	unsigned *lines = NULL;
	size_t i, n;
	int c;

	if (sjson_parse(buf, len, &pf_limits, json_type_array, &root,
	    &e) != 0 || sjson_scan(buf, len, &pf_limits, &e) != 0) {
		if (e.code == WG_ERR_ALLOC)
			ps->alloc_failed = 1;
		else
			report(ps, line_at(buf, e.off, len), e.path[0] != '\0' ?
			    e.path : "(file)", "%s", e.msg);
		goto out;
	}
	n = json_object_array_length(root);
	if (n > PROVFILE_MAX_ROWS) {
		report(ps, 1, "(file)", "more than %u records",
		    PROVFILE_MAX_ROWS);
		goto out;
	}
	if (n > 0 && (lines = calloc(n, sizeof(*lines))) == NULL) {
		ps->alloc_failed = 1;
		goto out;
	}
	json_lines(buf, len, lines, n);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(root, i);
		if (!json_object_is_type(o, json_type_object)) {
			report(ps, lines[i], "(row)", "not an object");
			continue;
		}
		memset(v, 0, sizeof(v));
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			const char *k = json_object_iter_peek_name(&it);
			char shown[SJSON_SHOW + 8];

			m = json_object_iter_peek_value(&it);
			if ((c = col_lookup(k)) < 0) {
				report(ps, lines[i], sjson_show(k, shown,
				    sizeof(shown)), "unknown column");
				continue;
			}
			if (!json_object_is_type(m, json_type_string)) {
				report(ps, lines[i], col_name[c], "not a "
				    "string");
				continue;
			}
			if (v[c] != NULL) {
				report(ps, lines[i], col_name[c], "given "
				    "twice");
				continue;
			}
			v[c] = json_object_get_string(m);
		}
		row_add(ps, v, lines[i]);
		if (ps->alloc_failed)
			break;
	}
out:
	free(lines);
	json_object_put(root);
}

int
provfile_parse(const char *buf, size_t len, enum provfile_format fmt,
    struct provfile **out, struct provfile_report *rep, struct wg_diag *d)
{
	struct pstate ps;
	int r;

	if (buf == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "provfile_parse");
	if (len > PROVFILE_MAX_BYTES)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "provisioning file "
		    "over %u bytes", PROVFILE_MAX_BYTES);
	memset(&ps, 0, sizeof(ps));
	if (rep != NULL)
		memset(rep, 0, sizeof(*rep));
	ps.rep = rep;
	if ((ps.pf = calloc(1, sizeof(*ps.pf))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "provfile");
	if (fmt == PROVFILE_JSON)
		json_parse(&ps, buf, len);
	else
		csv_parse(&ps, buf, len);
	if (ps.alloc_failed) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "provfile");
		goto fail;
	}
	if (ps.nerr == 0 && ps.pf->n == 0)
		report(&ps, 1, "(file)", "no records");
	if (ps.nerr != 0) {
		r = wg_diag_set(d, WG_ERR_BAD_FIELD, "provisioning file: %u "
		    "error%s", ps.nerr, ps.nerr == 1 ? "" : "s");
		goto fail;
	}
	*out = ps.pf;
	return 0;
fail:
	provfile_free(ps.pf);
	return r;
}

void
provfile_free(struct provfile *pf)
{
	if (pf == NULL)
		return;
	free(pf->recs);
	free(pf);
}

char *
provfile_to_json(const struct provfile *pf)
{
	json_object *a, *o;
	const struct store_provision *p;
	char *s = NULL;
	size_t i, k;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < pf->n; i++) {
		const char *val[C_COUNT];

		p = &pf->recs[i].p;
		val[C_NAME] = p->name;
		val[C_SERIAL] = p->serial;
		val[C_MODEL] = p->model;
		val[C_UDI] = p->udi;
		val[C_BATCH] = p->batch;
		val[C_OWNER] = p->owner;
		val[C_LOCATION] = p->location;
		val[C_OWN_ID] = p->owner_identity;
		val[C_OWN_UPD] = p->owner_update;
		val[C_OWN_VULN] = p->owner_vuln;
		val[C_OWN_DECOM] = p->owner_decommission;
		val[C_MAC] = p->mac;
		val[C_EK_FPR] = p->ek_fpr;
		val[C_EK_CERT] = NULL;
		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(a, o) != 0) {
			json_object_put(o);
			goto out;
		}
		for (k = 0; k < C_COUNT; k++)
			if (val[k] != NULL && json_object_object_add(o,
			    col_name[k], json_object_new_string(val[k])) != 0)
				goto out;
	}
	s = strdup(json_object_to_json_string_ext(a,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(a);
	return s;
}

/* ---- against what is stored ---- */

unsigned
provfile_differs(const struct store_provision *a,
    const struct store_provision *b, char *out, size_t cap)
{
	const struct {
		enum col c;
		const char *x, *y;
	} f[] = {
		{ C_NAME, a->name, b->name },
		{ C_SERIAL, a->serial, b->serial },
		{ C_MODEL, a->model, b->model },
		{ C_UDI, a->udi, b->udi },
		{ C_BATCH, a->batch, b->batch },
		{ C_OWNER, a->owner, b->owner },
		{ C_LOCATION, a->location, b->location },
		{ C_OWN_ID, a->owner_identity, b->owner_identity },
		{ C_OWN_UPD, a->owner_update, b->owner_update },
		{ C_OWN_VULN, a->owner_vuln, b->owner_vuln },
		{ C_OWN_DECOM, a->owner_decommission, b->owner_decommission },
		{ C_MAC, a->mac, b->mac },
		{ C_EK_FPR, a->ek_fpr, b->ek_fpr },
	};
	size_t i, len = 0;
	unsigned n = 0;
	int k;

	if (cap > 0)
		out[0] = '\0';
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (strcmp(f[i].x, f[i].y) == 0)
			continue;
		if (len < cap) {
			k = snprintf(out + len, cap - len, "%s%s", n > 0 ?
			    ", " : "", col_name[f[i].c]);
			len = k < 0 || (size_t)k >= cap - len ? cap :
			    len + (size_t)k;
		}
		n++;
	}
	return n;
}

static void
conflict_add(struct provfile_conflicts *out, size_t rec, int err,
    int replaceable, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
conflict_add(struct provfile_conflicts *out, size_t rec, int err,
    int replaceable, const char *col, const char *fmt, ...)
{
	struct provfile_conflict *c;
	va_list ap;

	out->n++;
	if (out->nkept == PROVFILE_REPORT_LINES)
		return;
	c = &out->c[out->nkept++];
	c->rec = rec;
	c->err = err;
	c->replaceable = replaceable;
	(void)snprintf(c->col, sizeof(c->col), "%s", col);
	va_start(ap, fmt);
	(void)vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static int
ek_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct clash_walk {
	const struct provfile *pf;
	const char **eks;		/* the batch's EKs, sorted */
	size_t rec;
	struct provfile_conflicts *out;
	char col[16];			/* the last one reported */
	char ek[STORE_ID_LEN];
};

static int
clash_cb(const struct store_clash *c, void *arg)
{
	struct clash_walk *w = arg;
	const struct store_provision *p = &w->pf->recs[w->rec].p;
	const char *key = c->ek_fpr;
	char what[2 * STORE_TEXT_LEN];

	if (bsearch(&key, w->eks, w->pf->n, sizeof(*w->eks), ek_cmp) != NULL)
		return 0;	/* the batch itself rewrites that EK's values */
	/* A repaired device (new TPM) keeps its network card and serial:
	 * a decommissioned device's MAC is handed over (store_mac_release),
	 * its serial may return. Its name stays its own. */
	if (strcmp(c->state, state_name(DEV_DECOMMISSIONED)) == 0 &&
	    strcmp(c->col, "name") != 0)
		return 0;
	if (strcmp(w->col, c->col) == 0 && strcmp(w->ek, c->ek_fpr) == 0)
		return 0;	/* its record and its device: said once */
	(void)snprintf(w->col, sizeof(w->col), "%s", c->col);
	(void)snprintf(w->ek, sizeof(w->ek), "%s", c->ek_fpr);
	if (strcmp(c->col, "serial") == 0)
		(void)snprintf(what, sizeof(what), "%.48s %.48s", p->model,
		    p->serial);
	else
		(void)snprintf(what, sizeof(what), "%.64s",
		    strcmp(c->col, "mac") == 0 ? p->mac : p->name);
	conflict_add(w->out, w->rec, WG_ERR_CONFLICT, 0, c->col, "%s is "
	    "already %.64s's (EK %.16s..., %s%s)", what, c->name, c->ek_fpr,
	    strcmp(c->table, "devices") == 0 ? "device" :
	    "provisioning record",
	    strcmp(c->state, state_name(DEV_DECOMMISSIONED)) == 0 ?
	    ", decommissioned" : "");
	return 0;
}

/* Whether ek's device is decommissioned (or the EK blocked): 1, 0, <0. */
static int
ek_retired(struct store *s, const char *ek, struct store_device *dev,
    struct wg_diag *d)
{
	int r;

	if ((r = store_ek_blocked(s, ek, d)) != 0)
		return r;
	if ((r = store_device_get(s, ek, dev, d)) == WG_ERR_NOT_FOUND)
		return 0;
	if (r != 0)
		return r;
	return strcmp(dev->state, state_name(DEV_DECOMMISSIONED)) == 0;
}

int
provfile_check_stored(struct store *s, struct provfile *pf, int replace,
    struct provfile_conflicts *out, struct wg_diag *d)
{
	struct clash_walk w;
	struct store_device *dev = NULL;
	struct store_provision old;
	char cols[160];
	size_t i;
	int r;

	if (s == NULL || pf == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "provfile_check_stored");
	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.pf = pf;
	w.out = out;
	if ((dev = malloc(sizeof(*dev))) == NULL ||
	    (pf->n > 0 && (w.eks = calloc(pf->n, sizeof(*w.eks))) == NULL)) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "provfile_check_stored");
		goto out;
	}
	for (i = 0; i < pf->n; i++)
		w.eks[i] = pf->recs[i].p.ek_fpr;
	if (pf->n > 0)
		qsort(w.eks, pf->n, sizeof(*w.eks), ek_cmp);
	for (i = 0; i < pf->n; i++) {
		struct provfile_rec *rec = &pf->recs[i];

		rec->act = PROVFILE_ADD;
		if ((r = ek_retired(s, rec->p.ek_fpr, dev, d)) < 0)
			goto out;
		if (r == 1)
			conflict_add(out, i, WG_ERR_DEVICE_DECOMMISSIONED, 0,
			    "ek_fpr", "its device was decommissioned; a "
			    "retired EK is not provisioned again");
		else if ((r = store_provision_get(s, rec->p.ek_fpr, &old,
		    d)) == 0) {
			if (provfile_differs(&old, &rec->p, cols,
			    sizeof(cols)) == 0)
				rec->act = PROVFILE_SAME;
			else if (replace)
				rec->act = PROVFILE_REPLACE;
			else
				conflict_add(out, i, WG_ERR_CONFLICT, 1,
				    "ek_fpr", "provisioned already as %.64s, "
				    "which differs in %s (replace not asked)",
				    old.name, cols);
		} else if (r != WG_ERR_NOT_FOUND)
			goto out;
		w.rec = i;
		w.col[0] = '\0';
		w.ek[0] = '\0';
		if ((r = store_provision_clashes(s, &rec->p, clash_cb, &w,
		    d)) != 0)
			goto out;
	}
	r = out->n == 0 ? 0 : wg_diag_set(d, WG_ERR_CONFLICT, "%u "
	    "conflict%s with stored records", out->n, out->n == 1 ? "" : "s");
out:
	free(w.eks);
	free(dev);
	return r;
}

int
provfile_check_one(struct store *s, const struct store_provision *p,
    enum provfile_act *act, struct wg_diag *d)
{
	struct provfile_conflicts *out;
	struct provfile_rec rec;
	struct provfile pf;
	int r;

	if (p == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "provfile_check_one");
	/*
	 * Stored MACs are compared as text: one written otherwise
	 * ("02:1E:..." for "02:1e:...") would not clash with its twin, yet
	 * the enforcer would take both for the same device. Only the form
	 * a file's records get (lowercase, unicast) is checked.
	 */
	if (p->mac[0] != '\0') {
		uint8_t m[ENFMSG_MAC_LEN];
		char t[ENFMSG_MAC_TEXT];

		if (enfmsg_mac_parse(p->mac, m) != 0 || !enfmsg_mac_valid(m) ||
		    strcmp(enfmsg_mac_format(m, t), p->mac) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "mac \"%.32s\": "
			    "not a unicast lowercase aa:bb:cc:dd:ee:ff", p->mac);
	}
	if ((out = calloc(1, sizeof(*out))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "conflicts");
	memset(&rec, 0, sizeof(rec));
	rec.p = *p;
	rec.line = 1;
	pf.recs = &rec;
	pf.n = 1;
	r = provfile_check_stored(s, &pf, 1, out, d);
	if (r == WG_ERR_CONFLICT && out->nkept > 0)
		r = wg_diag_set(d, out->c[0].err, "%s: %s", out->c[0].col,
		    out->c[0].why);
	else if (r == 0 && act != NULL)
		*act = rec.act;
	free(out);
	return r;
}
