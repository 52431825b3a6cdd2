/*
 * sjson.c: strict decoding of untrusted JSON text (see sjson.h), the one
 * copy of what lib/wire.c and lib/policy.c both need.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sjson.h"
#include "wg_err.h"

#define PARSE_FLAGS	(JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8)

/* ---- text --------------------------------------------------------------- */

size_t
sjson_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t k, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return k;
}

int
sjson_printable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	if (cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xfeff)
		return 0;
	return 1;
}

const char *
sjson_text_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = sjson_utf8_next(u + i, n - i, &cp)) == 0)
			return "is not valid UTF-8";
		if (!sjson_printable(cp))
			return "holds a control or formatting character";
		i += k;
	}
	return NULL;
}

void
sjson_text_sanitize(const char *s, size_t n, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;
	uint32_t cp;

	while (i < n) {
		k = sjson_utf8_next(u + i, n - i, &cp);
		if (k == 0 || !sjson_printable(cp)) {
			if (o + 1 >= cap)
				break;
			out[o++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		if (o + k >= cap)
			break;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
}

const char *
sjson_show(const char *s, char *buf, size_t cap)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && i < SJSON_SHOW && i + 4 < cap; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n && i + 4 <= cap) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

const char *
sjson_join(char *buf, size_t cap, const char *prefix, const char *name)
{
	int n;

	if (prefix[0] == '\0')
		n = snprintf(buf, cap, "%s", name);
	else
		n = snprintf(buf, cap, "%s.%s", prefix, name);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

int
sjson_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t
sjson_number(const char *s, size_t len, size_t i)
{
	size_t j = i, k;

	if (j < len && s[j] == '-')
		j++;
	if (j < len && s[j] == '0') {
		j++;
	} else if (j < len && s[j] >= '1' && s[j] <= '9') {
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
	} else {
		return 0;
	}
	if (j < len && s[j] == '.') {
		k = ++j;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == k)
			return 0;
	}
	if (j < len && (s[j] == 'e' || s[j] == 'E')) {
		j++;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		k = j;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == k)
			return 0;
	}
	return j - i;
}

/* ---- refusals ----------------------------------------------------------- */

static int refuse(struct sjson_err *e, enum sjson_what what, int code,
    size_t off, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fills e (path "") with what, code, off and the words; returns code. */
static int
refuse(struct sjson_err *e, enum sjson_what what, int code, size_t off,
    const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->what = what;
	e->code = code;
	e->off = off;
	va_start(ap, fmt);
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
		e->msg[0] = '\0';
	va_end(ap);
	return code;
}

/* ---- size caps and json-c ----------------------------------------------- */

int
sjson_prescan(const char *s, size_t len, const struct sjson_limits *lim,
    struct sjson_err *e)
{
	size_t i, nc = 0, nv = 0;
	char q = 0;	/* the quote of the string we are in */

	for (i = 0; i < len; i++) {
		if (q != 0) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			q = s[i];
		} else if ((s[i] == '{' || s[i] == '[') &&
		    ++nc > lim->max_containers) {
			return refuse(e, SJSON_E_CONTAINERS, WG_ERR_TOO_LARGE,
			    i, "more than %u objects and arrays (offset %zu)",
			    lim->max_containers, i);
		} else if (s[i] == ',' && ++nv > lim->max_commas) {
			return refuse(e, SJSON_E_COMMAS, WG_ERR_TOO_LARGE, i,
			    "more than %lu values (offset %zu)",
			    (unsigned long)lim->max_commas + 1, i);
		}
	}
	return 0;
}

int
sjson_parse(const char *json, size_t len, const struct sjson_limits *lim,
    json_type want, json_object **out, struct sjson_err *e)
{
	struct json_tokener *tok = NULL;
	json_object *o = NULL;
	enum json_tokener_error te;
	const char *nul;
	size_t end, i;
	int r;

	if (len > lim->max_bytes || len > INT_MAX) {
		r = refuse(e, SJSON_E_SIZE, WG_ERR_TOO_LARGE, 0, "%zu bytes, "
		    "more than %zu", len, lim->max_bytes);
		e->n = len;
		goto out;
	}
	if ((nul = memchr(json, '\0', len)) != NULL) {
		r = refuse(e, SJSON_E_NUL, WG_ERR_JSON, (size_t)(nul - json),
		    "NUL byte at offset %zu", (size_t)(nul - json));
		goto out;
	}
	if ((r = sjson_prescan(json, len, lim, e)) != 0)
		goto out;
	if ((tok = json_tokener_new_ex((int)lim->max_depth)) == NULL) {
		r = refuse(e, SJSON_E_ALLOC, WG_ERR_ALLOC, 0, "JSON tokener");
		e->why = "JSON tokener";
		goto out;
	}
	json_tokener_set_flags(tok, PARSE_FLAGS);
	o = json_tokener_parse_ex(tok, json, (int)len);
	te = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (te == json_tokener_continue) {
		r = refuse(e, SJSON_E_EARLY, WG_ERR_JSON, 0, "JSON ends early "
		    "(%zu bytes)", len);
		e->n = len;
		goto out;
	}
	if (te == json_tokener_error_depth) {
		/* the scan names the path where it went too deep */
		if ((lim->flags & SJSON_DEPTH_PATH) &&
		    (r = sjson_scan(json, len, lim, e)) != 0)
			goto out;
		r = refuse(e, SJSON_E_DEEP, WG_ERR_JSON, end, "nested more "
		    "than %u deep (offset %zu)", lim->max_depth, end);
		e->why = json_tokener_error_desc(te);
		goto out;
	}
	if (te != json_tokener_success) {
		r = refuse(e, SJSON_E_MALFORMED, WG_ERR_JSON, end, "malformed "
		    "JSON: %s at offset %zu", json_tokener_error_desc(te), end);
		e->why = json_tokener_error_desc(te);
		goto out;
	}
	for (i = end; i < len; i++) {
		if (!sjson_ws(json[i])) {
			r = refuse(e, SJSON_E_TRAILING, WG_ERR_JSON, i,
			    "unexpected data after the JSON value at offset "
			    "%zu", i);
			goto out;
		}
	}
	if (o == NULL || !json_object_is_type(o, want)) {
		r = refuse(e, SJSON_E_TYPE, WG_ERR_JSON, 0, "the JSON text is "
		    "not %s", want == json_type_array ? "an array" :
		    "an object");
		goto out;
	}
	*out = o;
	o = NULL;
	r = 0;
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return r;
}

/* ---- strict scan of the raw text ---------------------------------------- */

struct scan_frame {
	int object;
	int want_key;
	size_t index;		/* arrays: the element being read */
	unsigned nkeys;
	char key[SJSON_KEYS][SJSON_KEYLEN];
};

struct scan {
	const char *s;
	size_t len;
	unsigned flags;
	unsigned depth;
	struct scan_frame *f;	/* max_depth of them */
};

/* The path of the value being scanned into e->path; "(top)" if none. */
static void
scan_path(const struct scan *sc, struct sjson_err *e)
{
	char *buf = e->path;
	size_t o = 0, cap = sizeof(e->path);
	unsigned i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < sc->depth && o < cap; i++) {
		const struct scan_frame *f = &sc->f[i];

		if (f->object && f->nkeys > 0)
			n = snprintf(buf + o, cap - o, "%s%s", o ? "." : "",
			    f->key[f->nkeys - 1]);
		else if (!f->object && (sc->flags & SJSON_INDEX_PATH))
			n = snprintf(buf + o, cap - o, "[%zu]", f->index);
		else if (!f->object)
			n = snprintf(buf + o, cap - o, "[]");
		else
			n = 0;
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (buf[0] == '\0')
		(void)snprintf(buf, cap, "(top)");
}

static int
hex4(const char *s, size_t len, size_t i, unsigned *out)
{
	unsigned v = 0, k;
	char c;

	if (i + 4 > len)
		return -1;
	for (k = 0; k < 4; k++) {
		c = s[i + k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * Scans the string at s[*i] == '"'. For a name (name != NULL), decodes it
 * into name[SJSON_KEYLEN] with each non-ASCII or control character as '?'
 * (escaped spellings decoded, so "\u0061" is "a"); *odd is set for a name
 * that holds one or does not fit. Returns NULL or why the string is
 * refused; *value_err says whether that is about the value (an escaped
 * NUL or unpaired surrogate, which JSON allows) rather than the syntax.
 */
static const char *
scan_string(struct scan *sc, size_t *i, char *name, int *odd, int *value_err)
{
	const char *s = sc->s;
	size_t j = *i + 1, o = 0, k;
	uint32_t cp;
	unsigned u, lo;
	unsigned char c;
	int ch;

	*value_err = 0;
	for (;;) {
		if (j >= sc->len)
			return "unterminated string";
		c = (unsigned char)s[j];
		if (c == '"')
			break;
		if (c < 0x20)
			return "raw control character in a string";
		if (c >= 0x80) {
			/* json-c lets overlong forms and surrogates by */
			if ((k = sjson_utf8_next((const unsigned char *)s + j,
			    sc->len - j, &cp)) == 0)
				return "invalid UTF-8 in a string";
			ch = 0x80;
			j += k;
		} else if (c != '\\') {
			ch = c;
			j++;
		} else {
			if (j + 1 >= sc->len)
				return "unterminated escape";
			switch (s[j + 1]) {
			case '"':	ch = '"'; break;
			case '\\':	ch = '\\'; break;
			case '/':	ch = '/'; break;
			case 'b':	ch = '\b'; break;
			case 'f':	ch = '\f'; break;
			case 'n':	ch = '\n'; break;
			case 'r':	ch = '\r'; break;
			case 't':	ch = '\t'; break;
			case 'u':	ch = -1; break;
			default:
				return "bad escape in a string";
			}
			j += 2;
			if (ch == -1) {
				if (hex4(s, sc->len, j, &u) != 0)
					return "bad \\u escape in a string";
				j += 4;
				*value_err = 1;
				if (u == 0)
					return "escaped NUL character";
				if (u >= 0xdc00 && u <= 0xdfff)
					return "unpaired surrogate escape";
				if (u >= 0xd800 && u <= 0xdbff) {
					if (j + 6 > sc->len || s[j] != '\\' ||
					    s[j + 1] != 'u' ||
					    hex4(s, sc->len, j + 2, &lo) != 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return "unpaired surrogate "
						    "escape";
					j += 6;
					u = 0x80;	/* non-ASCII */
				}
				*value_err = 0;
				ch = (int)u;
			}
		}
		if (name != NULL) {
			if (ch >= 0x80 || ch < 0x20 || o + 1 >= SJSON_KEYLEN) {
				*odd = 1;
				if (o + 1 < SJSON_KEYLEN)
					name[o++] = '?';
			} else {
				name[o++] = (char)ch;
			}
		}
	}
	if (name != NULL)
		name[o] = '\0';
	*i = j + 1;
	return NULL;
}

/* Fills e as refuse() does, with the path of the value being scanned. */
#define REFUSE_AT(sc, e, what, code, off, ...) \
	(refuse((e), (what), (code), (off), __VA_ARGS__), \
	 scan_path((sc), (e)), (code))

int
sjson_scan(const char *json, size_t len, const struct sjson_limits *lim,
    struct sjson_err *e)
{
	struct scan sc;
	struct scan_frame *f;
	char name[SJSON_KEYLEN];
	const char *why;
	size_t i = 0, n;
	unsigned k;
	int r = WG_ERR_INTERNAL, odd, value_err;

	memset(&sc, 0, sizeof(sc));
	sc.s = json;
	sc.len = len;
	sc.flags = lim->flags;
	if ((sc.f = calloc(lim->max_depth > 0 ? lim->max_depth : 1,
	    sizeof(*sc.f))) == NULL) {
		r = refuse(e, SJSON_E_ALLOC, WG_ERR_ALLOC, 0, "JSON scan");
		e->why = "JSON scan";
		return r;
	}
	while (i < len) {
		char c = json[i];
		f = sc.depth > 0 ? &sc.f[sc.depth - 1] : NULL;

		if (sjson_ws(c) || c == ':') {
			i++;
		} else if (c == ',') {
			if (f != NULL && f->object)
				f->want_key = 1;
			else if (f != NULL)
				f->index++;
			i++;
		} else if (c == '{' || c == '[') {
			if (sc.depth >= lim->max_depth) {
				r = REFUSE_AT(&sc, e, SJSON_E_NESTING,
				    WG_ERR_JSON, i, "nested more than %u deep",
				    lim->max_depth);
				goto out;
			}
			f = &sc.f[sc.depth++];
			f->object = c == '{';
			f->want_key = f->object;
			f->nkeys = 0;
			f->index = 0;
			i++;
		} else if (c == '}' || c == ']') {
			if (sc.depth == 0) {
				r = refuse(e, SJSON_E_UNBALANCED, WG_ERR_JSON,
				    i, "unbalanced '%c' at offset %zu", c, i);
				e->ch = c;
				goto out;
			}
			sc.depth--;
			i++;
		} else if (c == '"') {
			int is_key = f != NULL && f->object && f->want_key;

			odd = 0;
			why = scan_string(&sc, &i, is_key ? name : NULL, &odd,
			    &value_err);
			if (why != NULL && is_key) {
				r = REFUSE_AT(&sc, e, SJSON_E_NAME,
				    WG_ERR_UNKNOWN_FIELD, i, "a field name: %s",
				    why);
				e->why = why;
				goto out;
			}
			if (why != NULL) {
				r = REFUSE_AT(&sc, e, SJSON_E_STRING,
				    value_err ? WG_ERR_BAD_FIELD : WG_ERR_JSON,
				    i, "%s", why);
				e->why = why;
				goto out;
			}
			if (!is_key)
				continue;
			if (f->nkeys >= SJSON_KEYS) {
				r = REFUSE_AT(&sc, e, SJSON_E_KEYS,
				    WG_ERR_UNKNOWN_FIELD, i, "an object with "
				    "more than %d fields", SJSON_KEYS);
				memcpy(e->name, name, SJSON_KEYLEN);
				goto out;
			}
			for (k = 0; k < f->nkeys; k++)
				if (strcmp(f->key[k], name) == 0)
					break;
			/* kept even when refused: the path ends in it */
			memcpy(f->key[f->nkeys++], name, SJSON_KEYLEN);
			f->want_key = 0;
			if (odd) {
				r = REFUSE_AT(&sc, e, SJSON_E_ODD_NAME,
				    WG_ERR_UNKNOWN_FIELD, i, "unknown field");
				goto out;
			}
			if (k < f->nkeys - 1) {
				r = REFUSE_AT(&sc, e, SJSON_E_DUP, WG_ERR_JSON,
				    i, "field appears twice");
				goto out;
			}
		} else if (c == '-') {
			r = REFUSE_AT(&sc, e, SJSON_E_NEGATIVE,
			    WG_ERR_BAD_FIELD, i, "negative number");
			goto out;
		} else if (c >= '0' && c <= '9') {
			if ((n = sjson_number(json, len, i)) == 0) {
				r = REFUSE_AT(&sc, e, SJSON_E_NUMBER,
				    WG_ERR_JSON, i, "not a strict JSON number");
				goto out;
			}
			i += n;
		} else if (len - i >= 4 && (memcmp(json + i, "true", 4) == 0 ||
		    memcmp(json + i, "null", 4) == 0)) {
			i += 4;
		} else if (len - i >= 5 && memcmp(json + i, "false", 5) == 0) {
			i += 5;
		} else {
			r = REFUSE_AT(&sc, e, SJSON_E_TOKEN, WG_ERR_JSON, i,
			    "not strict JSON at offset %zu", i);
			goto out;
		}
	}
	if (sc.depth != 0) {
		r = refuse(e, SJSON_E_OPEN, WG_ERR_JSON, len,
		    "unbalanced JSON");
		goto out;
	}
	r = 0;
out:
	free(sc.f);
	return r;
}
