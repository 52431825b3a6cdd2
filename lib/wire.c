/*
 * wire.c: the JSON messages of the agent protocol (docs/protocol.md).
 *
 * Each message is a table of fields; one walker decodes and one encodes
 * every table, so that a rule (type, size, encoding, optional or not)
 * holds in both directions. Decoding is three passes over bounded input:
 * json-c in strict mode builds the tree (size capped before, depth capped
 * in the tokener), the walker checks every field against the table, and
 * a strict scan of the raw text catches what json-c forgives or hides:
 * duplicate names (json-c keeps the last), a "\u0000" in a name (json-c
 * cuts the name there), unpaired surrogate escapes (json-c substitutes
 * U+FFFD), single-quoted names, overlong or surrogate UTF-8, raw control
 * characters in strings, "-0", NaN and Infinity.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "alg.h"
#include "hex.h"
#include "pcr.h"
#include "sjson.h"
#include "state.h"
#include "wire.h"

/* Decoded size caps of the base64 fields. */
#define WIRE_MAX_TPM_PUB	1024	/* ek_pub, ak_pub: TPM2B_PUBLIC */
#define WIRE_MAX_CERT		4096	/* ek_cert: DER */
#define WIRE_MAX_TPM_BLOB	1024	/* quote, signature, credential */
#define WIRE_MAX_SECRET		64	/* activate secret */

/*
 * Before json-c builds a tree: an empty object costs it about 1 KiB, so
 * 1 MiB of "{}," would take some 300 MiB. No message has more than 10
 * objects and arrays or more than 140 members and elements.
 */
#define WIRE_MAX_CONTAINERS	32	/* objects and arrays */
#define WIRE_MAX_COMMAS		512	/* members and elements, less one */

#define WIRE_PATH_LEN		96	/* a field's name in a diagnostic */

#define WIRE_PRINT_FLAGS	(JSON_C_TO_STRING_PLAIN | \
				 JSON_C_TO_STRING_NOSLASHESCAPE)
#define WIRE_ADD_FLAGS		(JSON_C_OBJECT_ADD_KEY_IS_NEW | \
				 JSON_C_OBJECT_ADD_CONSTANT_KEY)

#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))
#define MSIZE(type, member)	sizeof(((type *)0)->member)

enum wkind {
	WK_HEXID,	/* char[WIRE_ID_LEN]: 64 lowercase hex digits */
	WK_HEXID_NULL,	/* the same, or JSON null for "" */
	WK_HEXBYTES,	/* uint8_t[size]: 2*size lowercase hex digits */
	WK_BLOB,	/* struct wire_blob: base64 of aux..size bytes */
	WK_U32,		/* uint32_t: a JSON integer 0..UINT32_MAX */
	WK_TEXT,	/* char[size]: printable UTF-8, 1..size-1 bytes */
	WK_MESSAGE,	/* char[size]: printable UTF-8, 0..size-1 bytes */
	WK_MAC,		/* char[WIRE_MAC_LEN]: aa:bb:cc:dd:ee:ff */
	WK_STATE,	/* char[size]: a state_name() */
	WK_SEGMENT,	/* char[size]: [A-Za-z0-9_.-], 1..size-1 */
	WK_CODE,	/* char[size]: [A-Z][A-Z0-9_]*, 1..size-1 */
	WK_SELECTION,	/* char[size]: pcr_selection_parse() text */
	WK_VERDICT,	/* int: "pass" 1, "fail" 0 */
	WK_OBJECT,	/* nested object, fields in sub, same base */
	WK_PCRS,	/* struct pcr_set; aux: offset of the int "has" */
	WK_REASONS,	/* struct wire_reason[]; aux: offset of the count */
	WK_FLAG,	/* int: JSON true or false; sent only when true */
};

#define WF_OPTIONAL	0x1	/* may be absent (then zero / "") */
#define WF_SECRET	0x2	/* wipe json-c's copies too */

struct wmsg;

struct wfield {
	const char *name;
	enum wkind kind;
	unsigned flags;
	size_t off;
	size_t size;	/* array size; HEXBYTES bytes; BLOB max bytes */
	size_t aux;	/* BLOB min bytes; PCRS/REASONS offset (above) */
	const struct wmsg *sub;
};

struct wmsg {
	const struct wfield *f;
	size_t n;
	size_t cap;	/* body size limit */
	/* Checks that need the whole decoded message, or NULL. */
	int (*check)(const void *m, size_t len, struct wg_diag *d);
};

/* A field stored in a char array of its struct member's size. */
#define FS(name, type, member, kind, flags) \
	{ name, kind, flags, offsetof(type, member), MSIZE(type, member), 0, \
	  NULL }
#define FB(name, type, member, flags, min, max) \
	{ name, WK_BLOB, flags, offsetof(type, member), max, min, NULL }
#define FX(name, type, member) \
	{ name, WK_HEXBYTES, 0, offsetof(type, member), MSIZE(type, member), \
	  0, NULL }
#define FU(name, type, member) \
	{ name, WK_U32, 0, offsetof(type, member), 0, 0, NULL }

static const struct wfield claims_f[] = {
	FS("hostname", struct wire_enroll_req, hostname, WK_TEXT, WF_OPTIONAL),
	FS("serial", struct wire_enroll_req, serial, WK_TEXT, WF_OPTIONAL),
	FS("mac", struct wire_enroll_req, mac, WK_MAC, WF_OPTIONAL),
	FS("agent_version", struct wire_enroll_req, agent_version, WK_TEXT,
	    WF_OPTIONAL),
};
static const struct wmsg claims_m = { claims_f, NELEM(claims_f), 0, NULL };

static const struct wfield enroll_req_f[] = {
	FB("ek_pub", struct wire_enroll_req, ek_pub, 0, 1, WIRE_MAX_TPM_PUB),
	FB("ek_cert", struct wire_enroll_req, ek_cert, 0, 1, WIRE_MAX_CERT),
	FB("ak_pub", struct wire_enroll_req, ak_pub, 0, 1, WIRE_MAX_TPM_PUB),
	{ "claims", WK_OBJECT, 0, 0, 0, 0, &claims_m },
};
static const struct wmsg enroll_req_m = {
	enroll_req_f, NELEM(enroll_req_f), WIRE_MAX_BODY, NULL
};

static const struct wfield enroll_resp_f[] = {
	FX("enrollment_id", struct wire_enroll_resp, enrollment_id),
	FB("credential_blob", struct wire_enroll_resp, credential_blob, 0, 1,
	    WIRE_MAX_TPM_BLOB),
	FB("encrypted_secret", struct wire_enroll_resp, encrypted_secret, 0, 1,
	    WIRE_MAX_TPM_BLOB),
	FU("expires_in", struct wire_enroll_resp, expires_in),
};
static const struct wmsg enroll_resp_m = {
	enroll_resp_f, NELEM(enroll_resp_f), WIRE_MAX_BODY, NULL
};

static const struct wfield activate_req_f[] = {
	FX("enrollment_id", struct wire_activate_req, enrollment_id),
	FB("secret", struct wire_activate_req, secret, WF_SECRET, 1,
	    WIRE_MAX_SECRET),
};
static const struct wmsg activate_req_m = {
	activate_req_f, NELEM(activate_req_f), WIRE_MAX_BODY, NULL
};

static const struct wfield activate_resp_f[] = {
	FS("device_id", struct wire_activate_resp, device_id, WK_HEXID, 0),
	FS("state", struct wire_activate_resp, state, WK_STATE, 0),
	FS("segment", struct wire_activate_resp, segment, WK_SEGMENT, 0),
	FU("attest_interval", struct wire_activate_resp, attest_interval),
};
static const struct wmsg activate_resp_m = {
	activate_resp_f, NELEM(activate_resp_f), WIRE_MAX_BODY, NULL
};

static const struct wfield challenge_req_f[] = {
	FS("device_id", struct wire_challenge_req, device_id, WK_HEXID, 0),
};
static const struct wmsg challenge_req_m = {
	challenge_req_f, NELEM(challenge_req_f), WIRE_MAX_BODY, NULL
};

static const struct wfield challenge_resp_f[] = {
	FX("nonce", struct wire_challenge_resp, nonce),
	FS("pcr_selection", struct wire_challenge_resp, pcr_selection,
	    WK_SELECTION, 0),
	FU("expires_in", struct wire_challenge_resp, expires_in),
	FS("eventlog_sha256", struct wire_challenge_resp, eventlog_sha256,
	    WK_HEXID_NULL, 0),
};
static const struct wmsg challenge_resp_m = {
	challenge_resp_f, NELEM(challenge_resp_f), WIRE_MAX_BODY, NULL
};

static int evidence_req_check(const void *m, size_t len, struct wg_diag *d);

static const struct wfield evidence_req_f[] = {
	FS("device_id", struct wire_evidence_req, device_id, WK_HEXID, 0),
	FX("nonce", struct wire_evidence_req, nonce),
	FB("quote", struct wire_evidence_req, quote, 0, 1, WIRE_MAX_TPM_BLOB),
	FB("signature", struct wire_evidence_req, signature, 0, 1,
	    WIRE_MAX_TPM_BLOB),
	{ "pcrs", WK_PCRS, WF_OPTIONAL, offsetof(struct wire_evidence_req,
	    pcrs), 0, offsetof(struct wire_evidence_req, has_pcrs), NULL },
	FS("eventlog_sha256", struct wire_evidence_req, eventlog_sha256,
	    WK_HEXID, 0),
	FB("eventlog", struct wire_evidence_req, eventlog, WF_OPTIONAL, 1,
	    WIRE_MAX_EVENTLOG),
};
static const struct wmsg evidence_req_m = {
	evidence_req_f, NELEM(evidence_req_f), WIRE_MAX_EVIDENCE_BODY,
	evidence_req_check
};

static const struct wfield reason_f[] = {
	FS("code", struct wire_reason, code, WK_CODE, 0),
	FS("message", struct wire_reason, message, WK_MESSAGE, 0),
};
static const struct wmsg reason_m = { reason_f, NELEM(reason_f), 0, NULL };

static const struct wfield evidence_resp_f[] = {
	{ "verdict", WK_VERDICT, 0, offsetof(struct wire_evidence_resp, pass),
	  0, 0, NULL },
	FS("state", struct wire_evidence_resp, state, WK_STATE, 0),
	FS("segment", struct wire_evidence_resp, segment, WK_SEGMENT, 0),
	{ "reasons", WK_REASONS, 0, offsetof(struct wire_evidence_resp,
	    reasons), 0, offsetof(struct wire_evidence_resp, nreasons), NULL },
	FU("next_attest_in", struct wire_evidence_resp, next_attest_in),
	{ "rotate", WK_FLAG, WF_OPTIONAL, offsetof(struct wire_evidence_resp,
	  rotate), 0, 0, NULL },
};
static const struct wmsg evidence_resp_m = {
	evidence_resp_f, NELEM(evidence_resp_f), WIRE_MAX_BODY, NULL
};

static const struct wfield error_f[] = {
	FS("error", struct wire_error, error, WK_CODE, 0),
	FS("message", struct wire_error, message, WK_MESSAGE, 0),
};
static const struct wmsg error_m = {
	error_f, NELEM(error_f), WIRE_MAX_BODY, NULL
};

/* The canonical PCR index names, the only keys of a bank object. */
static const char *const pcr_keys[PCR_COUNT] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
	"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
};

/* ---- small helpers ------------------------------------------------------ */

static void *
at(void *base, size_t off)
{
	return (uint8_t *)base + off;
}

static const void *
cat(const void *base, size_t off)
{
	return (const uint8_t *)base + off;
}

static int
anyhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* "aa:bb:cc:dd:ee:ff" in either case into out, lowercased. 0 or -1. */
static int
mac_parse(const char *s, size_t n, char out[WIRE_MAC_LEN])
{
	size_t i;

	if (n != WIRE_MAC_LEN - 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return -1;
			out[i] = ':';
		} else {
			if (!anyhex(s[i]))
				return -1;
			out[i] = (s[i] >= 'A' && s[i] <= 'F') ?
			    (char)(s[i] - 'A' + 'a') : s[i];
		}
	}
	out[n] = '\0';
	return 0;
}

static int
token_check(const char *s, size_t n, int code)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if ((c >= 'A' && c <= 'Z') || (c == '_' && i > 0) ||
		    (c >= '0' && c <= '9' && i > 0))
			continue;
		if (!code && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			continue;
		return -1;
	}
	return 0;
}

/* ---- base64 ------------------------------------------------------------- */

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Checks strict RFC 4648 base64 (standard alphabet, padding required and
 * canonical, nothing else): NULL and the decoded length in *n, or why
 * not. EVP_DecodeBlock() is laxer (whitespace) and counts padding as data.
 */
static const char *
b64_check(const char *s, size_t len, size_t *n)
{
	size_t i, pad = 0, body;
	int last;

	if (len % 4 != 0)
		return "base64 length is not a multiple of 4";
	if (len > 0 && s[len - 1] == '=')
		pad = (s[len - 2] == '=') ? 2 : 1;
	body = len - pad;
	for (i = 0; i < body; i++) {
		if (b64_val(s[i]) >= 0)
			continue;
		if (s[i] == '=')
			return "base64 padding inside the text";
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			return "whitespace in base64";
		return "character outside the base64 alphabet";
	}
	if (pad > 0) {
		/* body >= 2: len >= 4 and pad <= 2 */
		last = b64_val(s[body - 1]);
		if ((pad == 2 && (last & 0x0f) != 0) ||
		    (pad == 1 && (last & 0x03) != 0))
			return "non-canonical base64 (padding bits set)";
	}
	*n = len / 4 * 3 - pad;
	return NULL;
}

/* Decodes checked base64 of n bytes into a new blob. */
static int
b64_decode(const char *s, size_t len, size_t n, struct wire_blob *out)
{
	size_t full = len / 4 * 3;
	uint8_t *p;

	if (len > INT32_MAX || (p = malloc(full > 0 ? full : 1)) == NULL)
		return WG_ERR_ALLOC;
	if (len > 0 && EVP_DecodeBlock(p, (const unsigned char *)s, (int)len) !=
	    (int)full) {
		OPENSSL_cleanse(p, full);
		free(p);
		return WG_ERR_CRYPTO;
	}
	out->p = p;
	out->len = n;
	return 0;
}

static json_object *
b64_json(const struct wire_blob *b)
{
	json_object *v = NULL;
	size_t olen;
	char *t;

	if (b->len > INT32_MAX / 2)
		return NULL;
	olen = 4 * ((b->len + 2) / 3);
	if ((t = malloc(olen + 1)) == NULL)
		return NULL;
	if (EVP_EncodeBlock((unsigned char *)t, b->p, (int)b->len) == (int)olen)
		v = json_object_new_string_len(t, (int)olen);
	OPENSSL_cleanse(t, olen + 1);
	free(t);
	return v;
}

static void
blob_free(struct wire_blob *b)
{
	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->len);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* The limits of a message body of at most cap bytes. */
static struct sjson_limits
wire_limits(size_t cap)
{
	struct sjson_limits lim = {
		cap, WIRE_MAX_CONTAINERS, WIRE_MAX_COMMAS, WIRE_MAX_DEPTH, 0
	};

	return lim;
}

/*
 * Records a refusal of lib/sjson.c in d in the protocol's words: the
 * error code as sjson gives it, the path before the message where there
 * is one. Returns the code.
 */
static int
wire_refusal(const struct sjson_err *e, const struct sjson_limits *lim,
    struct wg_diag *d)
{
	char shown[SJSON_SHOW + 8];

	switch (e->what) {
	case SJSON_E_SIZE:
		return wg_diag_set(d, e->code, "body of %zu bytes, more than "
		    "%zu", e->n, lim->max_bytes);
	case SJSON_E_DEEP:
	case SJSON_E_MALFORMED:
		return wg_diag_set(d, e->code, "%s at offset %zu", e->why,
		    e->off);
	case SJSON_E_NESTING:
		return wg_diag_set(d, e->code, "nesting too deep at offset %zu",
		    e->off);
	case SJSON_E_NAME:
		return wg_diag_set(d, e->code, "a field name after %s: %s",
		    e->path, e->why);
	case SJSON_E_KEYS:
		return wg_diag_set(d, e->code, "an object with more than %d "
		    "fields (\"%s\")", SJSON_KEYS, sjson_show(e->name, shown,
		    sizeof(shown)));
	case SJSON_E_ODD_NAME:
		return wg_diag_set(d, e->code, "%s: a field name that is not a "
		    "protocol name", e->path);
	default:
		if (e->path[0] != '\0')
			return wg_diag_set(d, e->code, "%s: %s", e->path,
			    e->msg);
		return wg_diag_set(d, e->code, "%s", e->msg);
	}
}

/*
 * Parses exactly len bytes (at most cap) as one JSON value of type want,
 * followed by nothing but whitespace. *out is the caller's to put.
 */
static int
wire_parse(const char *json, size_t len, size_t cap, json_type want,
    json_object **out, struct wg_diag *d)
{
	struct sjson_limits lim = wire_limits(cap);
	struct sjson_err e;

	if (sjson_parse(json, len, &lim, want, out, &e) != 0)
		return wire_refusal(&e, &lim, d);
	return 0;
}

/*
 * The second look at text json-c accepted (and the walker checked), see
 * sjson_scan(): no field takes a negative number either.
 */
static int
strict_scan(const char *json, size_t len, struct wg_diag *d)
{
	struct sjson_limits lim = wire_limits(len);
	struct sjson_err e;

	if (sjson_scan(json, len, &lim, &e) != 0)
		return wire_refusal(&e, &lim, d);
	return 0;
}
/* ---- decoding ----------------------------------------------------------- */

static int dec_object(const struct wmsg *m, json_object *o, void *base,
    const char *prefix, struct wg_diag *d);

static const char *
type_name(json_object *v)
{
	return json_type_to_name(json_object_get_type(v));
}

/* A JSON string without NUL characters. */
static int
get_str(json_object *v, const char *path, const char **s, size_t *len,
    struct wg_diag *d)
{
	int n;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be a string, "
		    "not %s", path, type_name(v));
	*s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (*s == NULL || n < 0 || memchr(*s, '\0', (size_t)n) != NULL)
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: NUL character",
		    path);
	*len = (size_t)n;
	return 0;
}

static int
get_u32(json_object *v, const char *path, uint32_t *out, struct wg_diag *d)
{
	int64_t x;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an integer, "
		    "not %s", path, type_name(v));
	/* Integers beyond INT64_MAX read as INT64_MAX: still refused. */
	x = json_object_get_int64(v);
	if (x < 0 || x > (int64_t)UINT32_MAX)
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %lld is outside "
		    "0..4294967295", path, (long long)x);
	*out = (uint32_t)x;
	return 0;
}

/*
 * Checks the text s (len bytes, no NUL) of a string field f. For a blob,
 * *blen gets the decoded length. 0 or WG_ERR_BAD_FIELD naming path.
 */
static int
check_str(const struct wfield *f, const char *s, size_t len, size_t *blen,
    const char *path, struct wg_diag *d)
{
	TPML_PCR_SELECTION sel;
	struct wg_diag sub;
	enum dev_state st;
	char mac[WIRE_MAC_LEN];
	const char *why;
	size_t n = 0;

	switch (f->kind) {
	case WK_HEXID:
	case WK_HEXID_NULL:
		if (len != WIRE_ID_LEN - 1 || !hex_is_lower(s, len))
			goto bad_hex;
		return 0;
	case WK_HEXBYTES:
		if (len != 2 * f->size || !hex_is_lower(s, len))
			goto bad_hex;
		return 0;
	case WK_BLOB:
		if ((why = b64_check(s, len, &n)) != NULL)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %s", path,
			    why);
		if (n < f->aux || n > f->size)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: decodes to "
			    "%zu bytes, not %zu..%zu", path, n, f->aux, f->size);
		*blen = n;
		return 0;
	case WK_TEXT:
	case WK_MESSAGE:
		if (len >= f->size || (len == 0 && f->kind == WK_TEXT))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %zu bytes, "
			    "not %d..%zu", path, len, f->kind == WK_TEXT,
			    f->size - 1);
		if ((why = sjson_text_check(s, len)) != NULL)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %s", path,
			    why);
		return 0;
	case WK_MAC:
		if (mac_parse(s, len, mac) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: not a MAC "
			    "address aa:bb:cc:dd:ee:ff", path);
		return 0;
	case WK_STATE:
		if (len >= f->size || state_parse(s, &st) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: not a device "
			    "state", path);
		return 0;
	case WK_SEGMENT:
	case WK_CODE:
		if (len == 0 || len >= f->size ||
		    token_check(s, len, f->kind == WK_CODE) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: not a %s of "
			    "1..%zu characters", path, f->kind == WK_CODE ?
			    "reason code [A-Z0-9_]" : "segment name [A-Za-z0-9_.-]",
			    f->size - 1);
		return 0;
	case WK_SELECTION:
		if (len == 0 || len >= f->size)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %zu bytes, "
			    "not 1..%zu", path, len, f->size - 1);
		wg_diag_clear(&sub);
		if (pcr_selection_parse(s, &sel, &sub) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %s", path,
			    sub.detail);
		return 0;
	case WK_VERDICT:
		if (!(len == 4 && (memcmp(s, "pass", 4) == 0 ||
		    memcmp(s, "fail", 4) == 0)))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be "
			    "\"pass\" or \"fail\"", path);
		return 0;
	default:
		return wg_diag_set(d, WG_ERR_INTERNAL, "%s: not a string field",
		    path);
	}
bad_hex:
	return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be %zu lowercase hex "
	    "digits", path, f->kind == WK_HEXBYTES ? 2 * f->size :
	    (size_t)WIRE_ID_LEN - 1);
}

static int
dec_pcrs(json_object *v, struct pcr_set *out, const char *path,
    struct wg_diag *d)
{
	struct json_object_iterator it, end, it2, end2;
	const struct alg_info *a;
	struct pcr_bank *b;
	json_object *bv, *pv;
	const char *bank, *idx, *s;
	char bpath[WIRE_PATH_LEN], ppath[WIRE_PATH_LEN], shown[SJSON_SHOW + 8];
	size_t len, n;
	unsigned i;
	int r;

	if (v == NULL || !json_object_is_type(v, json_type_object))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an object, "
		    "not %s", path, type_name(v));
	pcr_set_init(out);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		bank = json_object_iter_peek_name(&it);
		bv = json_object_iter_peek_value(&it);
		sjson_join(bpath, sizeof(bpath), path, sjson_show(bank, shown,
		    sizeof(shown)));
		if ((a = alg_by_name(bank)) == NULL)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: unknown PCR "
			    "bank", bpath);
		if (bv == NULL || !json_object_is_type(bv, json_type_object))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an "
			    "object, not %s", bpath, type_name(bv));
		if (pcr_set_find(out, a->id) != NULL ||
		    pcr_set_add_bank(out, a->id, &b) != 0)
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: bank given "
			    "twice or too many banks", bpath);
		it2 = json_object_iter_begin(bv);
		end2 = json_object_iter_end(bv);
		for (; !json_object_iter_equal(&it2, &end2);
		    json_object_iter_next(&it2)) {
			idx = json_object_iter_peek_name(&it2);
			pv = json_object_iter_peek_value(&it2);
			sjson_join(ppath, sizeof(ppath), bpath,
			    sjson_show(idx, shown, sizeof(shown)));
			for (i = 0; i < PCR_COUNT; i++)
				if (strcmp(idx, pcr_keys[i]) == 0)
					break;
			if (i == PCR_COUNT)
				return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: not "
				    "a PCR index 0..23", ppath);
			if ((r = get_str(pv, ppath, &s, &len, d)) != 0)
				return r;
			if (len != 2 * a->size || !hex_is_lower(s, len))
				return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must "
				    "be %zu lowercase hex digits (%s)", ppath,
				    2 * a->size, a->name);
			if (hex_decode(s, b->value[i], sizeof(b->value[i]),
			    &n) != 0 || n != a->size)
				return wg_diag_set(d, WG_ERR_INTERNAL, "%s", ppath);
			b->present |= 1u << i;
		}
	}
	return 0;
}

static int
dec_reasons(json_object *v, struct wire_reason *rs, unsigned *count,
    const char *path, struct wg_diag *d)
{
	json_object *e;
	char epath[WIRE_PATH_LEN];
	size_t n, i;
	int r;

	if (v == NULL || !json_object_is_type(v, json_type_array))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an array, "
		    "not %s", path, type_name(v));
	if ((n = json_object_array_length(v)) > WIRE_MAX_REASONS)
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: %zu entries, at "
		    "most %d", path, n, WIRE_MAX_REASONS);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (snprintf(epath, sizeof(epath), "%s[%zu]", path, i) < 0)
			epath[0] = '\0';
		if (e == NULL || !json_object_is_type(e, json_type_object))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an "
			    "object, not %s", epath, type_name(e));
		if ((r = dec_object(&reason_m, e, &rs[i], epath, d)) != 0)
			return r;
	}
	*count = (unsigned)n;
	return 0;
}

static int
dec_value(const struct wfield *f, json_object *v, void *base,
    const char *path, struct wg_diag *d)
{
	const char *s;
	char *dst = at(base, f->off);
	size_t len, n = 0;
	int r;

	switch (f->kind) {
	case WK_OBJECT:
		if (v == NULL || !json_object_is_type(v, json_type_object))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be an "
			    "object, not %s", path, type_name(v));
		return dec_object(f->sub, v, base, path, d);
	case WK_PCRS:
		if ((r = dec_pcrs(v, at(base, f->off), path, d)) != 0)
			return r;
		*(int *)at(base, f->aux) = 1;
		return 0;
	case WK_REASONS:
		return dec_reasons(v, at(base, f->off), at(base, f->aux), path,
		    d);
	case WK_U32:
		return get_u32(v, path, at(base, f->off), d);
	case WK_FLAG:
		if (v == NULL || !json_object_is_type(v, json_type_boolean))
			return wg_diag_set(d, WG_ERR_BAD_FIELD, "%s: must be "
			    "true or false, not %s", path, type_name(v));
		*(int *)dst = json_object_get_boolean(v) ? 1 : 0;
		return 0;
	case WK_HEXID_NULL:
		if (v == NULL) {
			dst[0] = '\0';
			return 0;
		}
		break;
	default:
		break;
	}
	if ((r = get_str(v, path, &s, &len, d)) != 0 ||
	    (r = check_str(f, s, len, &n, path, d)) != 0)
		return r;
	switch (f->kind) {
	case WK_HEXBYTES:
		if (hex_decode(s, (uint8_t *)dst, f->size, &n) != 0 ||
		    n != f->size)
			return wg_diag_set(d, WG_ERR_INTERNAL, "%s", path);
		return 0;
	case WK_BLOB:
		if ((r = b64_decode(s, len, n, (struct wire_blob *)dst)) != 0)
			return wg_diag_set(d, r, "%s: base64", path);
		return 0;
	case WK_MAC:
		return mac_parse(s, len, dst);
	case WK_VERDICT:
		*(int *)dst = s[0] == 'p';
		return 0;
	default:
		/* check_str bounded len below f->size */
		memcpy(dst, s, len);
		dst[len] = '\0';
		return 0;
	}
}

static const struct wfield *
field_find(const struct wmsg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

static int
dec_object(const struct wmsg *m, json_object *o, void *base,
    const char *prefix, struct wg_diag *d)
{
	struct json_object_iterator it, end;
	json_object *v;
	char path[WIRE_PATH_LEN], shown[SJSON_SHOW + 8];
	const char *name;
	size_t i;
	int r;

	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		if (field_find(m, name) == NULL)
			return wg_diag_set(d, WG_ERR_UNKNOWN_FIELD, "%s: unknown "
			    "field", sjson_join(path, sizeof(path), prefix,
			    sjson_show(name, shown, sizeof(shown))));
	}
	for (i = 0; i < m->n; i++) {
		sjson_join(path, sizeof(path), prefix, m->f[i].name);
		if (!json_object_object_get_ex(o, m->f[i].name, &v)) {
			if (m->f[i].flags & WF_OPTIONAL)
				continue;
			return wg_diag_set(d, WG_ERR_MISSING_FIELD, "%s: "
			    "missing", path);
		}
		if ((r = dec_value(&m->f[i], v, base, path, d)) != 0)
			return r;
	}
	return 0;
}

/* Frees what a decoder allocated in base (blobs, wiped). */
static void
release(const struct wmsg *m, void *base)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->f[i].kind == WK_BLOB)
			blob_free(at(base, m->f[i].off));
		else if (m->f[i].kind == WK_OBJECT)
			release(m->f[i].sub, base);
	}
}

/* Wipes json-c's copies of the secret fields of a top-level object. */
static void
wipe_secrets(const struct wmsg *m, json_object *o)
{
	json_object *v;
	size_t i;
	int n;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return;
	for (i = 0; i < m->n; i++) {
		if (!(m->f[i].flags & WF_SECRET) ||
		    !json_object_object_get_ex(o, m->f[i].name, &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		if ((n = json_object_get_string_len(v)) > 0)
			OPENSSL_cleanse((char *)json_object_get_string(v),
			    (size_t)n);
	}
}

/*
 * Parses, walks and scans one message into a zeroed copy of out (size
 * bytes), which is copied to out only on success.
 */
static int
wire_decode(const struct wmsg *m, const char *json, size_t len, void *out,
    size_t size, struct wg_diag *d)
{
	json_object *root = NULL;
	void *tmp = NULL;
	int r;

	if (json == NULL || out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no JSON or no output");
		goto out;
	}
	if ((r = wire_parse(json, len, m->cap, json_type_object, &root,
	    d)) != 0)
		goto out;
	if ((tmp = calloc(1, size)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "message");
		goto out;
	}
	if ((r = dec_object(m, root, tmp, "", d)) != 0 ||
	    (r = strict_scan(json, len, d)) != 0 ||
	    (m->check != NULL && (r = m->check(tmp, len, d)) != 0))
		goto out;
	memcpy(out, tmp, size);
	r = 0;
out:
	if (tmp != NULL) {
		if (r != 0)
			release(m, tmp);
		OPENSSL_cleanse(tmp, size);
		free(tmp);
	}
	wipe_secrets(m, root);
	json_object_put(root);
	return r;
}

/*
 * docs/protocol.md: only an event log may take an evidence request past
 * WIRE_MAX_BODY; everything around the log's base64 must fit in it.
 */
static int
evidence_req_check(const void *p, size_t len, struct wg_diag *d)
{
	const struct wire_evidence_req *m = p;
	size_t b64 = 4 * ((m->eventlog.len + 2) / 3);
	size_t rest = len > b64 ? len - b64 : 0;

	if (rest > WIRE_MAX_BODY)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "evidence of %zu bytes "
		    "besides the event log, more than %u", rest, WIRE_MAX_BODY);
	return 0;
}

/* ---- encoding ----------------------------------------------------------- */

static json_object *enc_object(const struct wmsg *m, const void *base);

/* Adds v (NULL: allocation failed) to o under a static name. */
static int
add(json_object *o, const char *name, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add_ex(o, name, v, WIRE_ADD_FLAGS) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static json_object *
enc_pcrs(const struct pcr_set *s)
{
	json_object *o, *bo = NULL;
	const struct alg_info *a;
	const struct pcr_bank *b;
	char hex[2 * ALG_MAX_DIGEST + 1];
	unsigned i, j, p;

	if (s->nbanks > PCR_MAX_BANKS || (o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < s->nbanks; i++) {
		b = &s->bank[i];
		if ((a = alg_by_id(b->alg)) == NULL || b->size != a->size ||
		    (b->present >> PCR_COUNT) != 0)
			goto fail;
		for (j = 0; j < i; j++)
			if (s->bank[j].alg == b->alg)
				goto fail;
		if ((bo = json_object_new_object()) == NULL)
			goto fail;
		for (p = 0; p < PCR_COUNT; p++) {
			if (!(b->present & (1u << p)))
				continue;
			if (hex_encode(b->value[p], a->size, hex,
			    sizeof(hex)) == NULL ||
			    add(bo, pcr_keys[p], json_object_new_string(hex)) != 0)
				goto fail;
		}
		if (add(o, a->name, bo) != 0) {
			bo = NULL;
			goto fail;
		}
		bo = NULL;
	}
	return o;
fail:
	json_object_put(bo);
	json_object_put(o);
	return NULL;
}

static json_object *
enc_reasons(const struct wire_reason *rs, unsigned n)
{
	json_object *a, *e;
	unsigned i;

	if (n > WIRE_MAX_REASONS || (a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((e = enc_object(&reason_m, &rs[i])) == NULL ||
		    json_object_array_add(a, e) != 0) {
			json_object_put(e);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* Adds field f of base to o; -1 on allocation failure or a bad value. */
static int
enc_field(json_object *o, const struct wfield *f, const void *base)
{
	const struct wire_blob *b;
	const char *s = cat(base, f->off);
	char buf[WIRE_MESSAGE_LEN > 2 * WIRE_NONCE_LEN + 1 ?
	    WIRE_MESSAGE_LEN : 2 * WIRE_NONCE_LEN + 1];
	size_t n;

	switch (f->kind) {
	case WK_OBJECT:
		return add(o, f->name, enc_object(f->sub, base));
	case WK_PCRS:
		if (*(const int *)cat(base, f->aux) == 0)
			return (f->flags & WF_OPTIONAL) ? 0 : -1;
		return add(o, f->name, enc_pcrs(cat(base, f->off)));
	case WK_REASONS:
		return add(o, f->name, enc_reasons(cat(base, f->off),
		    *(const unsigned *)cat(base, f->aux)));
	case WK_U32:
		return add(o, f->name, json_object_new_int64(
		    *(const uint32_t *)cat(base, f->off)));
	case WK_FLAG:
		if (*(const int *)cat(base, f->off) == 0)
			return 0;
		return add(o, f->name, json_object_new_boolean(1));
	case WK_VERDICT:
		return add(o, f->name, json_object_new_string(
		    *(const int *)cat(base, f->off) ? "pass" : "fail"));
	case WK_BLOB:
		b = cat(base, f->off);
		if (b->len == 0 && (f->flags & WF_OPTIONAL))
			return 0;
		if (b->p == NULL || b->len < f->aux || b->len > f->size)
			return -1;
		return add(o, f->name, b64_json(b));
	case WK_HEXBYTES:
		if (hex_encode((const uint8_t *)s, f->size, buf,
		    sizeof(buf)) == NULL)
			return -1;
		return add(o, f->name, json_object_new_string(buf));
	case WK_MESSAGE:
		if (f->size > sizeof(buf))
			return -1;
		sjson_text_sanitize(s, strnlen(s, f->size), buf, f->size);
		return add(o, f->name, json_object_new_string(buf));
	default:
		break;
	}
	if ((n = strnlen(s, f->size)) == f->size)
		return -1;
	if (n == 0 && f->kind == WK_HEXID_NULL)
		return json_object_object_add_ex(o, f->name, NULL,
		    WIRE_ADD_FLAGS) == 0 ? 0 : -1;
	if (n == 0 && (f->flags & WF_OPTIONAL))
		return 0;
	if (check_str(f, s, n, &n, f->name, NULL) != 0)
		return -1;
	if (f->kind == WK_MAC) {
		if (mac_parse(s, WIRE_MAC_LEN - 1, buf) != 0)
			return -1;
		s = buf;
	}
	return add(o, f->name, json_object_new_string(s));
}

static json_object *
enc_object(const struct wmsg *m, const void *base)
{
	json_object *o;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < m->n; i++) {
		if (enc_field(o, &m->f[i], base) != 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* The text of the JSON value o (put here); caller frees. */
static char *
to_text(json_object *o, const struct wmsg *m)
{
	const char *t;
	char *s = NULL;

	if (o == NULL)
		return NULL;
	if ((t = json_object_to_json_string_ext(o, WIRE_PRINT_FLAGS)) != NULL) {
		s = strdup(t);
		if (m != NULL)
			OPENSSL_cleanse((char *)t, strlen(t));
	}
	if (m != NULL)
		wipe_secrets(m, o);
	json_object_put(o);
	return s;
}

static char *
wire_encode(const struct wmsg *m, const void *base)
{
	size_t i;
	int secret = 0;

	if (base == NULL)
		return NULL;
	for (i = 0; i < m->n; i++)
		secret |= (m->f[i].flags & WF_SECRET) != 0;
	return to_text(enc_object(m, base), secret ? m : NULL);
}

/* ---- the messages ------------------------------------------------------- */

int
wire_enroll_req_decode(const char *json, size_t len,
    struct wire_enroll_req *out, struct wg_diag *d)
{
	return wire_decode(&enroll_req_m, json, len, out, sizeof(*out), d);
}

char *
wire_enroll_req_encode(const struct wire_enroll_req *m)
{
	return wire_encode(&enroll_req_m, m);
}

void
wire_enroll_req_free(struct wire_enroll_req *m)
{
	if (m != NULL)
		release(&enroll_req_m, m);
}

int
wire_enroll_resp_decode(const char *json, size_t len,
    struct wire_enroll_resp *out, struct wg_diag *d)
{
	return wire_decode(&enroll_resp_m, json, len, out, sizeof(*out), d);
}

char *
wire_enroll_resp_encode(const struct wire_enroll_resp *m)
{
	return wire_encode(&enroll_resp_m, m);
}

void
wire_enroll_resp_free(struct wire_enroll_resp *m)
{
	if (m != NULL)
		release(&enroll_resp_m, m);
}

int
wire_activate_req_decode(const char *json, size_t len,
    struct wire_activate_req *out, struct wg_diag *d)
{
	return wire_decode(&activate_req_m, json, len, out, sizeof(*out), d);
}

char *
wire_activate_req_encode(const struct wire_activate_req *m)
{
	return wire_encode(&activate_req_m, m);
}

void
wire_activate_req_free(struct wire_activate_req *m)
{
	if (m != NULL)
		release(&activate_req_m, m);
}

int
wire_activate_resp_decode(const char *json, size_t len,
    struct wire_activate_resp *out, struct wg_diag *d)
{
	return wire_decode(&activate_resp_m, json, len, out, sizeof(*out), d);
}

char *
wire_activate_resp_encode(const struct wire_activate_resp *m)
{
	return wire_encode(&activate_resp_m, m);
}

int
wire_challenge_req_decode(const char *json, size_t len,
    struct wire_challenge_req *out, struct wg_diag *d)
{
	return wire_decode(&challenge_req_m, json, len, out, sizeof(*out), d);
}

char *
wire_challenge_req_encode(const struct wire_challenge_req *m)
{
	return wire_encode(&challenge_req_m, m);
}

int
wire_challenge_resp_decode(const char *json, size_t len,
    struct wire_challenge_resp *out, struct wg_diag *d)
{
	return wire_decode(&challenge_resp_m, json, len, out, sizeof(*out), d);
}

char *
wire_challenge_resp_encode(const struct wire_challenge_resp *m)
{
	return wire_encode(&challenge_resp_m, m);
}

int
wire_evidence_req_decode(const char *json, size_t len,
    struct wire_evidence_req *out, struct wg_diag *d)
{
	return wire_decode(&evidence_req_m, json, len, out, sizeof(*out), d);
}

char *
wire_evidence_req_encode(const struct wire_evidence_req *m)
{
	return wire_encode(&evidence_req_m, m);
}

void
wire_evidence_req_free(struct wire_evidence_req *m)
{
	if (m != NULL)
		release(&evidence_req_m, m);
}

int
wire_evidence_resp_decode(const char *json, size_t len,
    struct wire_evidence_resp *out, struct wg_diag *d)
{
	return wire_decode(&evidence_resp_m, json, len, out, sizeof(*out), d);
}

char *
wire_evidence_resp_encode(const struct wire_evidence_resp *m)
{
	return wire_encode(&evidence_resp_m, m);
}

int
wire_error_decode(const char *json, size_t len, struct wire_error *out,
    struct wg_diag *d)
{
	return wire_decode(&error_m, json, len, out, sizeof(*out), d);
}

char *
wire_error_encode(const char *code, const char *message)
{
	struct wire_error e;

	memset(&e, 0, sizeof(e));
	if (code == NULL || strnlen(code, sizeof(e.error)) >= sizeof(e.error))
		return NULL;
	memcpy(e.error, code, strlen(code) + 1);
	if (message != NULL)
		sjson_text_sanitize(message, strlen(message), e.message,
		    sizeof(e.message));
	return wire_encode(&error_m, &e);
}

char *
wire_reasons_encode(const struct wire_reason *r, unsigned n)
{
	if (r == NULL && n > 0)
		return NULL;
	return to_text(enc_reasons(r, n), NULL);
}

int
wire_reasons_decode(const char *json, struct wire_reason *r, unsigned *n,
    struct wg_diag *d)
{
	struct wire_reason tmp[WIRE_MAX_REASONS];
	json_object *root = NULL;
	unsigned cnt = 0;
	size_t len;
	int ret;

	memset(tmp, 0, sizeof(tmp));
	if (json == NULL || r == NULL || n == NULL) {
		ret = wg_diag_set(d, WG_ERR_INVALID_ARG, "no JSON or no output");
		goto out;
	}
	len = strnlen(json, WIRE_MAX_BODY + 1);
	if ((ret = wire_parse(json, len, WIRE_MAX_BODY, json_type_array, &root,
	    d)) != 0 ||
	    (ret = dec_reasons(root, tmp, &cnt, "reasons", d)) != 0 ||
	    (ret = strict_scan(json, len, d)) != 0)
		goto out;
	memcpy(r, tmp, cnt * sizeof(tmp[0]));
	*n = cnt;
out:
	json_object_put(root);
	return ret;
}
