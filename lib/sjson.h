/*
 * sjson.h: strict decoding of untrusted JSON text, shared by the agent
 * protocol (lib/wire.c) and policy bundles (lib/policy.c).
 *
 * Three steps: sjson_parse() caps the size, refuses NUL bytes, counts
 * containers and commas (sjson_prescan()) and has json-c build the tree
 * in strict mode with its depth capped; sjson_scan() then takes a second
 * look at the raw text for what json-c forgives or hides (duplicate
 * names, escaped NULs, unpaired surrogates, overlong or surrogate UTF-8,
 * raw control characters, single quotes, "-0", NaN, Infinity, negative
 * numbers). A refusal is a WG_ERR_* code and a struct sjson_err that says
 * what was wrong where; each caller words it for its own diagnostics.
 * Plus the text rules both use: well-formed UTF-8, printable characters.
 */
#ifndef SJSON_H
#define SJSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define SJSON_KEYS	32	/* names kept per object; a bank has 24 */
#define SJSON_KEYLEN	24	/* bytes of a name kept, NUL included */
#define SJSON_PATH_MAX	128	/* a path in a refusal, NUL included */
#define SJSON_MSG_MAX	128	/* a refusal's words, NUL included */
#define SJSON_SHOW	40	/* bytes of a name sjson_show() prints */

/*
 * sjson_limits.flags. SJSON_INDEX_PATH: paths give an array element as
 * "[n]", else as "[]". SJSON_DEPTH_PATH: when json-c refuses the depth,
 * sjson_parse() runs the scan, which names the path (or finds an earlier
 * refusal in the text).
 */
#define SJSON_INDEX_PATH	0x1
#define SJSON_DEPTH_PATH	0x2

struct sjson_limits {
	size_t max_bytes;	/* the text's length */
	unsigned max_containers;/* objects and arrays, counted before json-c */
	unsigned max_commas;	/* members and elements, less one */
	unsigned max_depth;	/* nesting, in json-c and in the scan */
	unsigned flags;		/* SJSON_* above */
};

/* What a refusal is about; the fields of struct sjson_err each one sets. */
enum sjson_what {
	SJSON_E_ALLOC,		/* why: what could not be allocated */
	SJSON_E_SIZE,		/* n: the text's length, over max_bytes */
	SJSON_E_NUL,		/* off: a NUL byte */
	SJSON_E_CONTAINERS,	/* off: an object or array past the limit */
	SJSON_E_COMMAS,		/* off: a comma past the limit */
	SJSON_E_EARLY,		/* n: the text ends inside the value */
	SJSON_E_DEEP,		/* off, why: json-c's depth refusal */
	SJSON_E_MALFORMED,	/* off, why: json-c's other refusals */
	SJSON_E_TRAILING,	/* off: not whitespace after the value */
	SJSON_E_TYPE,		/* the value is not of the wanted type */
	SJSON_E_NESTING,	/* off, path: deeper than max_depth (scan) */
	SJSON_E_UNBALANCED,	/* off, ch: a '}' or ']' closing nothing */
	SJSON_E_NAME,		/* path, why: a name refused as a string */
	SJSON_E_STRING,		/* path, why: a string value refused */
	SJSON_E_KEYS,		/* path, name: name SJSON_KEYS + 1 */
	SJSON_E_ODD_NAME,	/* path: a non-ASCII, control or long name */
	SJSON_E_DUP,		/* path: a name given twice */
	SJSON_E_NEGATIVE,	/* path: a negative number */
	SJSON_E_NUMBER,		/* path: not a strict RFC 8259 number */
	SJSON_E_TOKEN,		/* path, off: anything else */
	SJSON_E_OPEN,		/* the text ends in an object or array */
};

/*
 * A refusal. code is the WG_ERR_* returned: ALLOC, TOO_LARGE (size and
 * counts), UNKNOWN_FIELD (names), BAD_FIELD (a negative number, an
 * escaped NUL or unpaired surrogate in a value) or JSON (the rest).
 * path is "" for the refusals above without one, else the dotted path of
 * the value ("models[2].releases[0].db"; "(top)" for the text itself);
 * for ODD_NAME and DUP it ends in the name refused.
 * msg is the refusal in words, without the path.
 */
struct sjson_err {
	enum sjson_what what;
	int code;
	size_t off;
	size_t n;
	char ch;
	const char *why;	/* static */
	char name[SJSON_KEYLEN];
	char path[SJSON_PATH_MAX];
	char msg[SJSON_MSG_MAX];
};

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes left; no
 * overlong forms, no surrogates, at most U+10FFFF) with its code point in
 * *cp, or 0.
 */
size_t sjson_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * 1 if cp may be shown as text; 0 for C0 and C1 controls, DEL, line and
 * paragraph separators, bidirectional formatting and the BOM (they make a
 * console, log line or report read differently from the bytes).
 */
int sjson_printable(uint32_t cp);

/* NULL if s (n bytes) is printable UTF-8, else why not (static text). */
const char *sjson_text_check(const char *s, size_t n);

/*
 * Copies the printable UTF-8 of s (n bytes) into out (cap > 0 bytes),
 * each invalid byte or unprintable character as '?', cut on a character
 * boundary to fit, NUL-terminated.
 */
void sjson_text_sanitize(const char *s, size_t n, char *out, size_t cap);

/*
 * Copies at most SJSON_SHOW bytes of the name s into buf (cap bytes;
 * SJSON_SHOW + 8 shows all of them) for a diagnostic, anything but
 * printable ASCII as '?', "..." where cut. Returns buf.
 */
const char *sjson_show(const char *s, char *buf, size_t cap);

/* "prefix.name", or name if prefix is "" (cut to fit cap). Returns buf. */
const char *sjson_join(char *buf, size_t cap, const char *prefix,
    const char *name);

/* 1 for JSON whitespace (space, tab, line feed, carriage return). */
int sjson_ws(char c);

/* Length of the strict RFC 8259 number at s[i] (len bytes in all), or 0. */
size_t sjson_number(const char *s, size_t len, size_t i);

/*
 * Counts objects, arrays and commas outside strings, without checking
 * the syntax: a rough count that can only come out high. 0, or
 * WG_ERR_TOO_LARGE past lim's counts with e set.
 */
int sjson_prescan(const char *s, size_t len, const struct sjson_limits *lim,
    struct sjson_err *e);

/*
 * Parses exactly len bytes (at most lim->max_bytes, no NUL) as one JSON
 * value of type want followed by nothing but whitespace, in json-c's
 * strict mode with depth lim->max_depth. 0 and the tree in *out (caller
 * puts), or a negative WG_ERR_* with e set.
 */
int sjson_parse(const char *json, size_t len, const struct sjson_limits *lim,
    json_type want, json_object **out, struct sjson_err *e);

/*
 * The second look at text json-c accepted: every object's names are
 * distinct (json-c keeps the last), ASCII without C0 controls and shorter
 * than SJSON_KEYLEN, at most SJSON_KEYS per object; no string holds an escaped
 * NUL, a raw control character, an unpaired surrogate or bad UTF-8;
 * numbers and literals are strict and never negative (this catches "-0",
 * which json-c reads as 0); nesting stays within lim->max_depth.
 * 0, or a negative WG_ERR_* with e set for the first refusal in the text.
 */
int sjson_scan(const char *json, size_t len, const struct sjson_limits *lim,
    struct sjson_err *e);

#endif /* SJSON_H */
