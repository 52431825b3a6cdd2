/*
 * test_wire.c: the JSON messages of the agent protocol (lib/wire.c).
 *
 * The goldens are the fuzz seeds in tests/data/wire/ (see its README);
 * the generic tests mutate them one field at a time with json-c, the
 * specific ones splice raw text where json-c would not write it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "alg.h"
#include "hex.h"
#include "pcr.h"
#include "../common/testutil.h"
#include "wg_err.h"
#include "wire.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Values of the goldens (tests/data/wire/README.md). */
#define G_DEVICE_ID \
	"22177472340ea231a6509cca1ee58cc840ec680b46133c364d8c4e2f42545402"
#define G_ENROLLMENT_ID	"a191d713732bd9cb7f21a07c2eebbd27"
#define G_SECRET \
	"dbb08c2316d714917485b705f02353948fc7a78c3bc0e61608f555f10429cc2f"
#define G_NONCE \
	"a21039a42ccd7ab4b9c1233f242f5df7de502ee347628e5e04b9cd9f2fa34a3d"
#define G_LOG_SHA256 \
	"e62ca8efa2b0f7cb3ff822171cd6b453d7b46caf47ae1fb9440dce45e3abaf26"
#define G_LOG		"eventlogs/sd-boot-fedora37-sha256.bin"

/* ---- messages as the generic tests see them ---------------------------- */

typedef int (*dec_fn)(const char *, size_t, void *, struct wg_diag *);
typedef char *(*enc_fn)(const void *);
typedef void (*free_fn)(void *);

#define WRAP(msg) \
static int \
dec_##msg(const char *j, size_t n, void *o, struct wg_diag *d) \
{ \
	return wire_##msg##_decode(j, n, o, d); \
} \
static char * \
enc_##msg(const void *m) \
{ \
	return wire_##msg##_encode(m); \
}
WRAP(enroll_req)
WRAP(enroll_resp)
WRAP(activate_req)
WRAP(activate_resp)
WRAP(challenge_req)
WRAP(challenge_resp)
WRAP(evidence_req)
WRAP(evidence_resp)

static int
dec_error(const char *j, size_t n, void *o, struct wg_diag *d)
{
	return wire_error_decode(j, n, o, d);
}

static char *
enc_error(const void *m)
{
	const struct wire_error *e = m;

	return wire_error_encode(e->error, e->message);
}

static void
free_enroll_req(void *m)
{
	wire_enroll_req_free(m);
}

static void
free_enroll_resp(void *m)
{
	wire_enroll_resp_free(m);
}

static void
free_activate_req(void *m)
{
	wire_activate_req_free(m);
}

static void
free_evidence_req(void *m)
{
	wire_evidence_req_free(m);
}

enum ttype { T_STR, T_STR_NULL, T_INT, T_OBJ, T_ARR };
enum tkind { K_PLAIN, K_HEX, K_B64 };

struct tfield {
	const char *name;
	enum ttype type;
	int required;
	enum tkind kind;
	size_t min, max;	/* K_HEX: digits in max; K_B64: decoded bytes */
};

struct tmsg {
	const char *golden;
	dec_fn dec;
	enc_fn enc;
	free_fn release;
	size_t size;
	size_t cap;
	const struct tfield *f;
	size_t nf;
};

static const struct tfield enroll_req_tf[] = {
	{ "ek_pub", T_STR, 1, K_B64, 1, 1024 },
	{ "ek_cert", T_STR, 1, K_B64, 1, 4096 },
	{ "ak_pub", T_STR, 1, K_B64, 1, 1024 },
	{ "claims", T_OBJ, 1, K_PLAIN, 0, 0 },
};
static const struct tfield enroll_resp_tf[] = {
	{ "enrollment_id", T_STR, 1, K_HEX, 0, 32 },
	{ "credential_blob", T_STR, 1, K_B64, 1, 1024 },
	{ "encrypted_secret", T_STR, 1, K_B64, 1, 1024 },
	{ "expires_in", T_INT, 1, K_PLAIN, 0, 0 },
};
static const struct tfield activate_req_tf[] = {
	{ "enrollment_id", T_STR, 1, K_HEX, 0, 32 },
	{ "secret", T_STR, 1, K_B64, 1, 64 },
};
static const struct tfield activate_resp_tf[] = {
	{ "device_id", T_STR, 1, K_HEX, 0, 64 },
	{ "state", T_STR, 1, K_PLAIN, 0, 0 },
	{ "segment", T_STR, 1, K_PLAIN, 0, 0 },
	{ "attest_interval", T_INT, 1, K_PLAIN, 0, 0 },
};
static const struct tfield challenge_req_tf[] = {
	{ "device_id", T_STR, 1, K_HEX, 0, 64 },
};
static const struct tfield challenge_resp_tf[] = {
	{ "nonce", T_STR, 1, K_HEX, 0, 64 },
	{ "pcr_selection", T_STR, 1, K_PLAIN, 0, 0 },
	{ "expires_in", T_INT, 1, K_PLAIN, 0, 0 },
	{ "eventlog_sha256", T_STR_NULL, 1, K_HEX, 0, 64 },
};
static const struct tfield evidence_req_tf[] = {
	{ "device_id", T_STR, 1, K_HEX, 0, 64 },
	{ "nonce", T_STR, 1, K_HEX, 0, 64 },
	{ "quote", T_STR, 1, K_B64, 1, 1024 },
	{ "signature", T_STR, 1, K_B64, 1, 1024 },
	{ "pcrs", T_OBJ, 0, K_PLAIN, 0, 0 },
	{ "eventlog_sha256", T_STR, 1, K_HEX, 0, 64 },
	{ "eventlog", T_STR, 0, K_B64, 1, WIRE_MAX_EVENTLOG },
};
static const struct tfield evidence_resp_tf[] = {
	{ "verdict", T_STR, 1, K_PLAIN, 0, 0 },
	{ "state", T_STR, 1, K_PLAIN, 0, 0 },
	{ "segment", T_STR, 1, K_PLAIN, 0, 0 },
	{ "reasons", T_ARR, 1, K_PLAIN, 0, 0 },
	{ "next_attest_in", T_INT, 1, K_PLAIN, 0, 0 },
};
static const struct tfield error_tf[] = {
	{ "error", T_STR, 1, K_PLAIN, 0, 0 },
	{ "message", T_STR, 1, K_PLAIN, 0, 0 },
};

#define TMSG(g, m, rel, tf, cap) \
	{ g, dec_##m, enc_##m, rel, sizeof(struct wire_##m), cap, tf, \
	  NELEM(tf) }
static const struct tmsg msgs[] = {
	TMSG("enroll-req", enroll_req, free_enroll_req, enroll_req_tf,
	    WIRE_MAX_BODY),
	TMSG("enroll-resp", enroll_resp, free_enroll_resp, enroll_resp_tf,
	    WIRE_MAX_BODY),
	TMSG("activate-req", activate_req, free_activate_req, activate_req_tf,
	    WIRE_MAX_BODY),
	TMSG("activate-resp", activate_resp, NULL, activate_resp_tf,
	    WIRE_MAX_BODY),
	TMSG("challenge-req", challenge_req, NULL, challenge_req_tf,
	    WIRE_MAX_BODY),
	TMSG("challenge-resp", challenge_resp, NULL, challenge_resp_tf,
	    WIRE_MAX_BODY),
	TMSG("evidence-req", evidence_req, free_evidence_req, evidence_req_tf,
	    WIRE_MAX_EVIDENCE_BODY),
	TMSG("evidence-resp", evidence_resp, NULL, evidence_resp_tf,
	    WIRE_MAX_BODY),
	TMSG("error", error, NULL, error_tf, WIRE_MAX_BODY),
};

static const struct tmsg *
msg_by_golden(const char *g)
{
	size_t i;

	for (i = 0; i < NELEM(msgs); i++)
		if (strcmp(msgs[i].golden, g) == 0)
			return &msgs[i];
	fail_msg("no message %s", g);
	return &msgs[0];	/* not reached */
}

/* ---- helpers ------------------------------------------------------------ */

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	assert_non_null(p);
	return p;
}

/* A file under tests/data as a NUL-terminated buffer; caller frees. */
static char *
data_file(const char *rel, size_t *len)
{
	char path[512];
	uint8_t *buf = NULL, *p;
	size_t n = 0;

	if (tu_read_file(tu_data_path(rel, path, sizeof(path)), 4 << 20, &buf,
	    &n) != 0)
		fail_msg("cannot read %s (set WG_TESTDATA)", path);
	p = xmalloc(n + 1);
	memcpy(p, buf, n);
	p[n] = '\0';
	free(buf);
	if (len != NULL)
		*len = n;
	return (char *)p;
}

static char *
golden(const char *name, size_t *len)
{
	char rel[128];

	(void)snprintf(rel, sizeof(rel), "wire/%s.json", name);
	return data_file(rel, len);
}

/*
 * The golden's object, compact, without field del (if not NULL) and with
 * the raw member text add (if not NULL) first. Caller frees.
 */
static char *
splice(const char *name, const char *del, const char *add)
{
	json_object *o;
	const char *c;
	char *text, *out;
	size_t n;

	text = golden(name, NULL);
	o = json_tokener_parse(text);
	free(text);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	if (del != NULL)
		json_object_object_del(o, del);
	c = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(c);
	assert_true(c[0] == '{');
	if (add == NULL) {
		out = xstrdup(c);
	} else {
		n = strlen(c) + strlen(add) + 2;
		out = xmalloc(n);
		(void)snprintf(out, n, "{%s%s%s", add, c[1] == '}' ? "" : ",",
		    c + 1);
	}
	json_object_put(o);
	return out;
}

/* `"name":value` in a new buffer. */
static char *
member(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 4;
	char *p = xmalloc(n);

	(void)snprintf(p, n, "\"%s\":%s", name, value);
	return p;
}

/* Golden name with field set to the raw JSON value. Caller frees. */
static char *
with_value(const char *name, const char *field, const char *value)
{
	char *m = member(field, value), *out;

	out = splice(name, field, m);
	free(m);
	return out;
}

/*
 * Decodes json[0..len) as message m. On failure checks that the output
 * was not touched; on success frees what was decoded.
 */
static int
try(const struct tmsg *m, const char *json, size_t len, struct wg_diag *d)
{
	uint8_t *out = xmalloc(m->size), *ref = xmalloc(m->size);
	int r;

	memset(out, 0xa5, m->size);
	memset(ref, 0xa5, m->size);
	wg_diag_clear(d);
	r = m->dec(json, len, out, d);
	if (r == 0) {
		if (m->release != NULL)
			m->release(out);
	} else {
		if (memcmp(out, ref, m->size) != 0)
			fail_msg("%s: a failed decode wrote its output",
			    m->golden);
		if (d->err != r)
			fail_msg("%s: diag holds %d, decoder returned %d",
			    m->golden, d->err, r);
	}
	free(out);
	free(ref);
	return r;
}

/* Expects json (len bytes) to decode with want; a failure's detail names name. */
static void
expect_n(const struct tmsg *m, const char *json, size_t len, int want,
    const char *name, const char *what)
{
	struct wg_diag d;
	int r = try(m, json, len, &d);

	if (r != want)
		fail_msg("%s: %s: got %s (%s), want %s", m->golden, what,
		    wg_errname(r), d.detail, wg_errname(want));
	if (want != 0 && name != NULL && strstr(d.detail, name) == NULL)
		fail_msg("%s: %s: detail \"%s\" does not name %s", m->golden,
		    what, d.detail, name);
}

static void
expect(const struct tmsg *m, const char *json, int want, const char *name,
    const char *what)
{
	expect_n(m, json, strlen(json), want, name, what);
}

/* Base64 of n bytes of a pattern, as a quoted JSON string. */
static char *
b64_value(size_t n)
{
	uint8_t *raw = xmalloc(n > 0 ? n : 1);
	char *t = xmalloc(4 * ((n + 2) / 3) + 3);
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		raw[i] = (uint8_t)(i * 7 + 3);
	t[0] = '"';
	k = EVP_EncodeBlock((unsigned char *)t + 1, raw, (int)n);
	t[1 + k] = '"';
	t[2 + k] = '\0';
	free(raw);
	return t;
}

static void
blob_set(struct wire_blob *b, size_t n, uint8_t seed)
{
	size_t i;

	b->p = xmalloc(n > 0 ? n : 1);
	b->len = n;
	for (i = 0; i < n; i++)
		b->p[i] = (uint8_t)(seed + i * 13);
}

static void
blob_eq(const struct wire_blob *a, const struct wire_blob *b, const char *what)
{
	if (a->len != b->len || (a->len > 0 && memcmp(a->p, b->p, a->len) != 0))
		fail_msg("%s: blobs differ (%zu vs %zu bytes)", what, a->len,
		    b->len);
}

static void
blob_file_eq(const struct wire_blob *b, const char *rel)
{
	size_t n;
	char *f = data_file(rel, &n);

	if (b->len != n || memcmp(b->p, f, n) != 0)
		fail_msg("blob differs from %s", rel);
	free(f);
}

static void
hex_eq(const uint8_t *p, size_t n, const char *hex)
{
	char buf[2 * 64 + 1];

	assert_non_null(hex_encode(p, n, buf, sizeof(buf)));
	assert_string_equal(buf, hex);
}

/* ---- goldens: every message decodes, with exact fields ----------------- */

static void
test_goldens_reencode(void **state)
{
	static const char *const extra[] = {
		"challenge-resp-null", "evidence-req-nolog", "evidence-resp-pass",
	};
	const struct tmsg *m;
	struct wg_diag d;
	void *a, *b;
	char *text, *e1, *e2;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(msgs) + NELEM(extra); i++) {
		const char *g = i < NELEM(msgs) ? msgs[i].golden :
		    extra[i - NELEM(msgs)];

		m = i < NELEM(msgs) ? &msgs[i] : NULL;
		if (m == NULL && strncmp(g, "challenge-resp", 14) == 0)
			m = msg_by_golden("challenge-resp");
		else if (m == NULL && strncmp(g, "evidence-req", 12) == 0)
			m = msg_by_golden("evidence-req");
		else if (m == NULL)
			m = msg_by_golden("evidence-resp");
		text = golden(g, &len);
		a = calloc(1, m->size);
		b = calloc(1, m->size);
		assert_non_null(a);
		assert_non_null(b);
		wg_diag_clear(&d);
		if (m->dec(text, len, a, &d) != 0)
			fail_msg("golden %s: %s", g, d.detail);
		/* encode, decode, encode: the same text */
		e1 = m->enc(a);
		assert_non_null(e1);
		if (m->dec(e1, strlen(e1), b, &d) != 0)
			fail_msg("golden %s re-encoded: %s", g, d.detail);
		e2 = m->enc(b);
		assert_non_null(e2);
		assert_string_equal(e1, e2);
		if (m->release != NULL) {
			m->release(a);
			m->release(b);
		}
		free(a);
		free(b);
		free(e1);
		free(e2);
		free(text);
	}
}

static void
test_golden_enroll_req(void **state)
{
	struct wire_enroll_req m;
	struct wg_diag d;
	uint8_t dig[32];
	unsigned char *spki = NULL;
	const unsigned char *p;
	unsigned int dl = 0;
	X509 *x;
	size_t len;
	char *t = golden("enroll-req", &len);
	int n;

	(void)state;
	assert_int_equal(wire_enroll_req_decode(t, len, &m, &d), 0);
	assert_int_equal(m.ek_pub.len, 124);
	hex_eq(m.ek_pub.p, 6, "007a0023000b");	/* size, ECC, SHA-256 */
	assert_int_equal(m.ek_cert.len, 540);
	blob_file_eq(&m.ak_pub, "quote/ak-ecc.pub");
	assert_string_equal(m.hostname,
	    "infusion-pump-0042.ward3.example-hospital.org");
	assert_string_equal(m.serial, "PX7-2291-0042");
	assert_string_equal(m.mac, "00:1b:63:84:45:e6");
	assert_string_equal(m.agent_version, "wardgate-agent 0.1.0");
	/* the certificate is real DER, and its key names the device */
	p = m.ek_cert.p;
	x = d2i_X509(NULL, &p, (long)m.ek_cert.len);
	assert_non_null(x);
	assert_ptr_equal(p, m.ek_cert.p + m.ek_cert.len);
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	assert_true(n > 0);
	assert_int_equal(EVP_Digest(spki, (size_t)n, dig, &dl, EVP_sha256(),
	    NULL), 1);
	hex_eq(dig, sizeof(dig), G_DEVICE_ID);
	/* and that key is ek_pub's unique point (the last 2 * 34 bytes) */
	assert_int_equal(n, 91);
	assert_memory_equal(spki + 27, m.ek_pub.p + 124 - 66, 32);
	assert_memory_equal(spki + 59, m.ek_pub.p + 124 - 32, 32);
	OPENSSL_free(spki);
	X509_free(x);
	wire_enroll_req_free(&m);
	assert_null(m.ek_pub.p);
	assert_int_equal(m.ek_cert.len, 0);
	wire_enroll_req_free(NULL);
	free(t);
}

static void
test_golden_enroll_resp(void **state)
{
	struct wire_enroll_resp m;
	struct wg_diag d;
	size_t len;
	char *t = golden("enroll-resp", &len);

	(void)state;
	assert_int_equal(wire_enroll_resp_decode(t, len, &m, &d), 0);
	hex_eq(m.enrollment_id, sizeof(m.enrollment_id), G_ENROLLMENT_ID);
	assert_int_equal(m.credential_blob.len, 70);
	hex_eq(m.credential_blob.p, 4, "00440020");
	assert_int_equal(m.encrypted_secret.len, 70);
	hex_eq(m.encrypted_secret.p, 4, "00440020");
	assert_int_equal(m.expires_in, 60);
	wire_enroll_resp_free(&m);
	assert_null(m.credential_blob.p);
	wire_enroll_resp_free(NULL);
	free(t);
}

static void
test_golden_activate(void **state)
{
	struct wire_activate_req q;
	struct wire_activate_resp r;
	struct wg_diag d;
	size_t len;
	char *t = golden("activate-req", &len);

	(void)state;
	assert_int_equal(wire_activate_req_decode(t, len, &q, &d), 0);
	hex_eq(q.enrollment_id, sizeof(q.enrollment_id), G_ENROLLMENT_ID);
	assert_int_equal(q.secret.len, 32);
	hex_eq(q.secret.p, q.secret.len, G_SECRET);
	wire_activate_req_free(&q);
	assert_null(q.secret.p);
	assert_int_equal(q.secret.len, 0);
	wire_activate_req_free(NULL);
	free(t);

	t = golden("activate-resp", &len);
	assert_int_equal(wire_activate_resp_decode(t, len, &r, &d), 0);
	assert_string_equal(r.device_id, G_DEVICE_ID);
	assert_string_equal(r.state, "stale");
	assert_string_equal(r.segment, "quarantine");
	assert_int_equal(r.attest_interval, 300);
	free(t);
}

static void
test_golden_challenge(void **state)
{
	struct wire_challenge_req q;
	struct wire_challenge_resp r;
	struct wg_diag d;
	size_t len;
	char *t = golden("challenge-req", &len);

	(void)state;
	assert_int_equal(wire_challenge_req_decode(t, len, &q, &d), 0);
	assert_string_equal(q.device_id, G_DEVICE_ID);
	free(t);

	t = golden("challenge-resp", &len);
	assert_int_equal(wire_challenge_resp_decode(t, len, &r, &d), 0);
	hex_eq(r.nonce, sizeof(r.nonce), G_NONCE);
	assert_string_equal(r.pcr_selection, "sha256:0,1,2,3,4,5,6,7");
	assert_int_equal(r.expires_in, 30);
	assert_string_equal(r.eventlog_sha256, G_LOG_SHA256);
	free(t);

	t = golden("challenge-resp-null", &len);
	memset(&r, 0x55, sizeof(r));
	assert_int_equal(wire_challenge_resp_decode(t, len, &r, &d), 0);
	hex_eq(r.nonce, sizeof(r.nonce), G_NONCE);
	assert_string_equal(r.pcr_selection,
	    "sha256:0,1,2,3,4,5,6,7+sha1:0-7");
	assert_string_equal(r.eventlog_sha256, "");
	free(t);
}

static void
test_golden_evidence_req(void **state)
{
	struct wire_evidence_req m;
	const struct pcr_bank *b;
	struct wg_diag d;
	uint8_t dig[32];
	unsigned int dl = 0;
	size_t len, vlen;
	char *t = golden("evidence-req", &len);
	char *vals = data_file("quote/ecc-values.pcrs", &vlen);
	unsigned i;

	(void)state;
	assert_int_equal(wire_evidence_req_decode(t, len, &m, &d), 0);
	assert_string_equal(m.device_id, G_DEVICE_ID);
	hex_eq(m.nonce, sizeof(m.nonce), G_NONCE);
	blob_file_eq(&m.quote, "quote/ecc.msg");
	blob_file_eq(&m.signature, "quote/ecc.sig");
	assert_string_equal(m.eventlog_sha256, G_LOG_SHA256);
	blob_file_eq(&m.eventlog, G_LOG);
	assert_int_equal(EVP_Digest(m.eventlog.p, m.eventlog.len, dig, &dl,
	    EVP_sha256(), NULL), 1);
	hex_eq(dig, sizeof(dig), G_LOG_SHA256);
	assert_true(m.has_pcrs);
	assert_int_equal(m.pcrs.nbanks, 1);
	b = pcr_set_find(&m.pcrs, TPM2_ALG_SHA256);
	assert_non_null(b);
	assert_int_equal(b->size, 32);
	assert_int_equal(b->present, 0xff);
	assert_int_equal(b->extended, 0);
	assert_int_equal(vlen, 8 * 32);
	for (i = 0; i < 8; i++)
		assert_memory_equal(b->value[i], vals + 32 * i, 32);
	wire_evidence_req_free(&m);
	assert_null(m.quote.p);
	assert_null(m.eventlog.p);
	wire_evidence_req_free(NULL);
	free(t);

	t = golden("evidence-req-nolog", &len);
	assert_int_equal(wire_evidence_req_decode(t, len, &m, &d), 0);
	assert_false(m.has_pcrs);
	assert_int_equal(m.pcrs.nbanks, 0);
	assert_int_equal(m.eventlog.len, 0);
	assert_null(m.eventlog.p);
	assert_string_equal(m.eventlog_sha256, G_LOG_SHA256);
	wire_evidence_req_free(&m);
	free(t);
	free(vals);
}

static void
test_golden_evidence_resp(void **state)
{
	struct wire_evidence_resp m;
	struct wg_diag d;
	size_t len;
	char *t = golden("evidence-resp", &len);

	(void)state;
	assert_int_equal(wire_evidence_resp_decode(t, len, &m, &d), 0);
	assert_int_equal(m.pass, 0);
	assert_string_equal(m.state, "untrusted");
	assert_string_equal(m.segment, "quarantine");
	assert_int_equal(m.nreasons, 2);
	assert_string_equal(m.reasons[0].code, "PCR_MISMATCH");
	assert_string_equal(m.reasons[0].message,
	    "sha256:7 reported by the TPM differs from the event log replay");
	assert_string_equal(m.reasons[1].code, "QUOTE_PCR_DIGEST");
	assert_string_equal(m.reasons[1].message,
	    "quoted PCR digest does not match the PCR values");
	assert_int_equal(m.next_attest_in, 300);
	free(t);

	t = golden("evidence-resp-pass", &len);
	assert_int_equal(wire_evidence_resp_decode(t, len, &m, &d), 0);
	assert_int_equal(m.pass, 1);
	assert_string_equal(m.state, "trusted");
	assert_string_equal(m.segment, "clinical");
	assert_int_equal(m.nreasons, 0);
	free(t);
}

static void
test_golden_error_reasons(void **state)
{
	struct wire_error e;
	struct wire_reason r[WIRE_MAX_REASONS];
	struct wg_diag d;
	unsigned n = 99;
	size_t len;
	char *t = golden("error", &len);

	(void)state;
	assert_int_equal(wire_error_decode(t, len, &e, &d), 0);
	assert_string_equal(e.error, "NONCE_UNKNOWN");
	assert_string_equal(e.message, wg_strerror(WG_ERR_NONCE_UNKNOWN));
	free(t);

	t = golden("reasons", NULL);
	assert_int_equal(wire_reasons_decode(t, r, &n, &d), 0);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].code, "EVENTLOG_HASH");
	assert_string_equal(r[0].message, wg_strerror(WG_ERR_EVENTLOG_HASH));
	free(t);
}

/* ---- generic: every message, field by field ---------------------------- */

static void
test_missing_fields(void **state)
{
	const struct tmsg *m;
	char *t;
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		for (j = 0; j < m->nf; j++) {
			t = splice(m->golden, m->f[j].name, NULL);
			expect(m, t, m->f[j].required ? WG_ERR_MISSING_FIELD : 0,
			    m->f[j].name, "field removed");
			free(t);
		}
		expect(m, "{}", m->f[0].required ? WG_ERR_MISSING_FIELD : 0,
		    m->f[0].name, "empty object");
	}
}

static void
test_unknown_fields(void **state)
{
	static const char *const extra[] = {
		"\"x_extra\":1", "\"x_extra\":null", "\"x_extra\":{}",
		"\"Device_id\":\"\"", "\"ek_pub \":\"\"", "\"\":1",
		"\"x_extra\":\"\"",
	};
	const struct tmsg *m;
	char *t;
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		for (j = 0; j < NELEM(extra); j++) {
			t = splice(m->golden, NULL, extra[j]);
			expect(m, t, WG_ERR_UNKNOWN_FIELD, NULL, extra[j]);
			free(t);
		}
		t = splice(m->golden, NULL, "\"x_extra\":1");
		expect(m, t, WG_ERR_UNKNOWN_FIELD, "x_extra", "named");
		free(t);
		/* a field of another message is unknown here too */
		t = splice(m->golden, NULL, m == &msgs[0] ?
		    "\"nonce\":\"00\"" : "\"ek_pub\":\"AA==\"");
		expect(m, t, WG_ERR_UNKNOWN_FIELD, NULL, "foreign field");
		free(t);
	}
}

static void
test_wrong_types(void **state)
{
	static const char *const not_str[] = {
		"1", "0", "true", "false", "null", "[]", "{}", "1.5", "[\"x\"]",
		"{\"x\":\"y\"}",
	};
	static const char *const not_str_null[] = {
		"1", "true", "false", "[]", "{}", "1.5", "[null]",
	};
	static const char *const not_int[] = {
		"\"1\"", "\"\"", "true", "false", "null", "[]", "{}", "1.5",
		"1.0", "1e2", "1E2", "-1", "-0", "-2147483649", "4294967296",
		"18446744073709551615", "18446744073709551616",
		"99999999999999999999999", "NaN", "Infinity", "-Infinity", "[1]",
	};
	static const char *const not_obj[] = {
		"\"x\"", "1", "true", "false", "null", "[]", "[{}]",
	};
	static const char *const not_arr[] = {
		"\"x\"", "1", "true", "null", "{}",
	};
	const struct tmsg *m;
	const char *const *v;
	size_t i, j, k, nv;
	char *t, what[128];

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		for (j = 0; j < m->nf; j++) {
			switch (m->f[j].type) {
			case T_STR:
				v = not_str;
				nv = NELEM(not_str);
				break;
			case T_STR_NULL:
				v = not_str_null;
				nv = NELEM(not_str_null);
				break;
			case T_INT:
				v = not_int;
				nv = NELEM(not_int);
				break;
			case T_OBJ:
				v = not_obj;
				nv = NELEM(not_obj);
				break;
			default:
				v = not_arr;
				nv = NELEM(not_arr);
				break;
			}
			for (k = 0; k < nv; k++) {
				(void)snprintf(what, sizeof(what), "%s = %s",
				    m->f[j].name, v[k]);
				t = with_value(m->golden, m->f[j].name, v[k]);
				expect(m, t, WG_ERR_BAD_FIELD, m->f[j].name, what);
				free(t);
			}
		}
	}
}

static void
test_integers(void **state)
{
	static const struct {
		const char *g, *field;
	} ints[] = {
		{ "enroll-resp", "expires_in" },
		{ "activate-resp", "attest_interval" },
		{ "challenge-resp", "expires_in" },
		{ "evidence-resp", "next_attest_in" },
	};
	struct wire_enroll_resp m;
	struct wg_diag d;
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ints); i++) {
		const struct tmsg *tm = msg_by_golden(ints[i].g);

		t = with_value(ints[i].g, ints[i].field, "0");
		expect(tm, t, 0, NULL, "0");
		free(t);
		t = with_value(ints[i].g, ints[i].field, "4294967295");
		expect(tm, t, 0, NULL, "UINT32_MAX");
		free(t);
		t = with_value(ints[i].g, ints[i].field, "4294967296");
		expect(tm, t, WG_ERR_BAD_FIELD, ints[i].field, "UINT32_MAX+1");
		free(t);
	}
	t = with_value("enroll-resp", "expires_in", "4294967295");
	assert_int_equal(wire_enroll_resp_decode(t, strlen(t), &m, &d), 0);
	assert_int_equal(m.expires_in, UINT32_MAX);
	wire_enroll_resp_free(&m);
	free(t);
}

static void
hex_case(const struct tmsg *m, const struct tfield *f, const char *v, int want,
    const char *what)
{
	char *q = xmalloc(strlen(v) + 3), *t;

	(void)snprintf(q, strlen(v) + 3, "\"%s\"", v);
	t = with_value(m->golden, f->name, q);
	expect(m, t, want, f->name, what);
	free(t);
	free(q);
}

static void
test_hex_fields(void **state)
{
	const struct tmsg *m;
	const struct tfield *f;
	char v[80];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		for (j = 0; j < m->nf; j++) {
			f = &m->f[j];
			if (f->kind != K_HEX)
				continue;
			n = f->max;
			memset(v, 'a', n);
			v[n] = '\0';
			hex_case(m, f, v, 0, "valid");
			memset(v, '0', n);
			hex_case(m, f, v, 0, "zeros");
			memcpy(v, "0123456789abcdef", 16);
			hex_case(m, f, v, 0, "digits");
			v[n - 1] = '\0';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "one digit short");
			v[n - 2] = '\0';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "one byte short");
			v[n - 2] = '0';
			v[n - 1] = '0';
			v[n] = '0';
			v[n + 1] = '\0';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "one digit long");
			v[n + 1] = '0';
			v[n + 2] = '\0';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "one byte long");
			v[n] = '\0';
			v[3] = 'A';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "uppercase");
			v[3] = 'g';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "non-hex");
			v[3] = ' ';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "space");
			v[3] = '3';
			v[0] = '0';
			v[1] = 'x';
			hex_case(m, f, v, WG_ERR_BAD_FIELD, "0x");
			hex_case(m, f, "", WG_ERR_BAD_FIELD, "empty");
		}
	}
}

static void
b64_case(const struct tmsg *m, const struct tfield *f, const char *value,
    int want, const char *what)
{
	char *t = with_value(m->golden, f->name, value), w[160];

	(void)snprintf(w, sizeof(w), "%s: %s", f->name, what);
	expect(m, t, want, f->name, w);
	free(t);
}

static void
test_base64_fields(void **state)
{
	static const struct {
		const char *v;
		const char *what;
	} bad[] = {
		{ "\"\"", "empty" },
		{ "\"AAA\"", "length 3" },
		{ "\"AAAAA\"", "length 5" },
		{ "\"AA\"", "padding missing" },
		{ "\"AA=\"", "padding short" },
		{ "\"AA===\"", "padding long" },
		{ "\"A===\"", "three padding" },
		{ "\"====\"", "only padding" },
		{ "\"AA=A\"", "padding inside" },
		{ "\"AA==AAAA\"", "padding then data" },
		{ "\"AB==\"", "non-canonical bits (==)" },
		{ "\"AAB=\"", "non-canonical bits (=)" },
		{ "\"AA-A\"", "url-safe -" },
		{ "\"AA_A\"", "url-safe _" },
		{ "\"AA.A\"", "dot" },
		{ "\"AA!A\"", "bang" },
		{ "\"AA A\"", "space" },
		{ "\" AAAA\"", "leading space" },
		{ "\"AAAA \"", "trailing space" },
		{ "\"AAAA\\nAAAA\"", "newline" },
		{ "\"AAAA\\r\\nAAAA\"", "CRLF" },
		{ "\"AAAA\\tAAAA\"", "tab" },
		{ "\"AA\\u00e9A\"", "non-ASCII" },
	};
	const struct tmsg *m;
	const struct tfield *f;
	char *v;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		for (j = 0; j < m->nf; j++) {
			f = &m->f[j];
			if (f->kind != K_B64)
				continue;
			for (k = 0; k < NELEM(bad); k++)
				b64_case(m, f, bad[k].v, WG_ERR_BAD_FIELD,
				    bad[k].what);
			b64_case(m, f, "\"AA==\"", 0, "one byte");
			b64_case(m, f, "\"AAA=\"", 0, "two bytes");
			b64_case(m, f, "\"AAAA\"", 0, "three bytes");
			b64_case(m, f, "\"AQ==\"", f->max < 1 ? WG_ERR_BAD_FIELD :
			    0, "canonical one byte");
			v = b64_value(f->max);
			b64_case(m, f, v, 0, "at the cap");
			free(v);
			v = b64_value(f->max + 1);
			b64_case(m, f, v, WG_ERR_BAD_FIELD, "cap + 1");
			free(v);
			v = b64_value(f->max + 3);
			b64_case(m, f, v, WG_ERR_BAD_FIELD, "cap + 3");
			free(v);
		}
	}
}

/* Objects and arrays in a golden. */
static size_t
count_containers(const char *name)
{
	char *t = splice(name, NULL, NULL);
	size_t i, n = 0;
	int in = 0;

	for (i = 0; t[i] != '\0'; i++) {
		if (in && t[i] == '\\')
			i++;
		else if (t[i] == '"')
			in = !in;
		else if (!in && (t[i] == '{' || t[i] == '['))
			n++;
	}
	free(t);
	return n;
}

/* Commas outside strings in a golden, plus the one a new member adds. */
static size_t
count_commas(const char *name)
{
	char *t = splice(name, NULL, NULL);
	size_t i, n = 0;
	int in = 0;

	for (i = 0; t[i] != '\0'; i++) {
		if (in && t[i] == '\\')
			i++;
		else if (t[i] == '"')
			in = !in;
		else if (!in && t[i] == ',')
			n++;
	}
	free(t);
	return n + 1;
}

static void
test_nesting(void **state)
{
	char deep[64], *t;
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		/* the top object plus 7 arrays is 8 levels: parsed, then unknown */
		for (k = 0; k < 7; k++)
			deep[k] = '[';
		for (k = 0; k < 7; k++)
			deep[7 + k] = ']';
		deep[14] = '\0';
		t = with_value(msgs[i].golden, "x_deep", deep);
		expect(&msgs[i], t, WG_ERR_UNKNOWN_FIELD, "x_deep", "8 levels");
		free(t);
		/* 9 levels: the tokener refuses */
		memmove(deep + 1, deep, 15);
		deep[0] = '[';
		deep[15] = ']';
		deep[16] = '\0';
		t = with_value(msgs[i].golden, "x_deep", deep);
		expect(&msgs[i], t, WG_ERR_JSON, NULL, "9 levels");
		free(t);
		t = with_value(msgs[i].golden, "x_deep",
		    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}");
		expect(&msgs[i], t, WG_ERR_JSON, NULL, "9 object levels");
		free(t);
	}
	/* json-c's tree is bounded: objects, arrays and values are counted */
	for (i = 0; i < NELEM(msgs); i++) {
		char *many = xmalloc(3 * 1024 + 8);
		size_t k2, o;
		int lim;

		for (lim = 0; lim < 4; lim++) {
			/* 32 or 33 containers in all; 512 or 513 commas */
			size_t nc = lim == 0 ? 31 - count_containers(msgs[i].golden) :
			    lim == 1 ? 32 - count_containers(msgs[i].golden) : 0;
			/* nv values add nv - 1 commas */
			size_t nv = lim == 2 ? 513 - count_commas(msgs[i].golden) :
			    lim == 3 ? 514 - count_commas(msgs[i].golden) : 0;

			o = 0;
			many[o++] = '[';
			for (k2 = 0; k2 < nc; k2++) {
				memcpy(many + o, k2 ? ",[]" : "[]", k2 ? 3 : 2);
				o += k2 ? 3 : 2;
			}
			for (k2 = 0; k2 < nv; k2++) {
				memcpy(many + o, k2 || nc ? ",1" : "1", k2 || nc ? 2 : 1);
				o += k2 || nc ? 2 : 1;
			}
			many[o++] = ']';
			many[o] = '\0';
			/* the commas around the new member count too */
			t = with_value(msgs[i].golden, "x_many", many);
			expect(&msgs[i], t, lim % 2 == 0 ? WG_ERR_UNKNOWN_FIELD :
			    WG_ERR_TOO_LARGE, lim % 2 == 0 ? "x_many" : "more than",
			    lim == 0 ? "32 containers" : lim == 1 ? "33 containers" :
			    lim == 2 ? "512 commas" : "513 commas");
			free(t);
		}
		free(many);
	}
	/* nested where a value is due */
	t = with_value("enroll-req", "claims", "{\"hostname\":[[[[[[[[1]]]]]]]]}");
	expect(msg_by_golden("enroll-req"), t, WG_ERR_JSON, NULL, "deep claim");
	free(t);
}

/* The golden padded with spaces to n bytes. */
static char *
padded(const char *text, size_t n)
{
	size_t len = strlen(text);
	char *p = xmalloc(n + 1);

	assert_true(n >= len);
	memcpy(p, text, len);
	memset(p + len, ' ', n - len);
	p[n] = '\0';
	return p;
}

static void
test_body_cap(void **state)
{
	const struct tmsg *m;
	char *g, *p, *v, *mem, *t;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		g = golden(m->golden, NULL);
		if (m->cap == WIRE_MAX_BODY) {
			p = padded(g, WIRE_MAX_BODY);
			expect(m, p, 0, NULL, "at the cap");
			free(p);
			p = padded(g, WIRE_MAX_BODY + 1);
			expect(m, p, WG_ERR_TOO_LARGE, NULL, "cap + 1");
			free(p);
		}
		p = padded(g, WIRE_MAX_EVIDENCE_BODY + 1);
		expect(m, p, WG_ERR_TOO_LARGE, NULL, "evidence cap + 1");
		free(p);
		free(g);
	}
	/* evidence: 64 KiB around the log, the log's base64 on top */
	m = msg_by_golden("evidence-req");
	g = golden("evidence-req-nolog", NULL);
	p = padded(g, WIRE_MAX_BODY);
	expect(m, p, 0, NULL, "no log, at the cap");
	free(p);
	p = padded(g, WIRE_MAX_BODY + 1);
	expect(m, p, WG_ERR_TOO_LARGE, NULL, "no log, cap + 1");
	free(p);
	free(g);
	v = b64_value(WIRE_MAX_EVENTLOG);
	mem = member("eventlog", v);
	t = splice("evidence-req", "eventlog", mem);
	p = padded(t, WIRE_MAX_EVIDENCE_BODY);
	expect(m, p, 0, NULL, "largest log, at the cap");
	free(p);
	p = padded(t, WIRE_MAX_EVIDENCE_BODY + 1);
	expect(m, p, WG_ERR_TOO_LARGE, NULL, "largest log, cap + 1");
	free(p);
	free(t);
	free(mem);
	free(v);
	v = b64_value(1000);
	mem = member("eventlog", v);
	t = splice("evidence-req", "eventlog", mem);
	p = padded(t, WIRE_MAX_BODY + strlen(v) - 2);
	expect(m, p, 0, NULL, "small log, 64 KiB besides");
	free(p);
	p = padded(t, WIRE_MAX_BODY + strlen(v) - 1);
	expect(m, p, WG_ERR_TOO_LARGE, NULL, "small log, 64 KiB + 1 besides");
	free(p);
	free(t);
	free(mem);
	free(v);
}

static void
test_framing(void **state)
{
	static const char *const after_bad[] = {
		"x", "{}", "[]", ",", "}", "\"\"", "1", "null", "\f", "\v",
		" x", "\n{}", "//", "/* */", "\xc2\xa0",
	};
	static const char *const after_ok[] = { " ", "\n", "\r\n", "\t \t" };
	static const char *const not_object[] = {
		"", " ", "null", "true", "1", "\"{}\"", "[]", "[{}]", "{", "}",
		"\xef\xbb\xbf{}", "{}}", "{\"a\":1,}", "{\"a\":1 \"b\":2}",
		"{\"a\" 1}", "{\"a\":}", "{,}", "{\"a\"}",
	};
	const struct tmsg *m;
	char *g, *t;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		g = splice(m->golden, NULL, NULL);
		n = strlen(g);
		for (k = 0; k < NELEM(after_bad); k++) {
			t = xmalloc(n + strlen(after_bad[k]) + 1);
			memcpy(t, g, n);
			strcpy(t + n, after_bad[k]);
			expect(m, t, WG_ERR_JSON, NULL, "trailing garbage");
			free(t);
		}
		for (k = 0; k < NELEM(after_ok); k++) {
			t = xmalloc(n + 2 * strlen(after_ok[k]) + 1);
			strcpy(t, after_ok[k]);
			strcat(t, g);
			strcat(t, after_ok[k]);
			expect(m, t, 0, NULL, "surrounding whitespace");
			free(t);
		}
		/* an array around the message */
		t = xmalloc(n + 3);
		(void)snprintf(t, n + 3, "[%s]", g);
		expect(m, t, WG_ERR_JSON, NULL, "top-level array");
		free(t);
		for (k = 0; k < NELEM(not_object); k++)
			expect(m, not_object[k], WG_ERR_JSON, NULL, "not an object");
		/* NUL bytes: anywhere in the body, even at its end */
		t = xstrdup(g);
		t[n / 2] = '\0';
		expect_n(m, t, n, WG_ERR_JSON, "offset", "NUL inside");
		t[n / 2] = g[n / 2];
		t[0] = '\0';
		expect_n(m, t, n, WG_ERR_JSON, NULL, "NUL first");
		free(t);
		t = xmalloc(n + 1);
		memcpy(t, g, n + 1);
		expect_n(m, t, n + 1, WG_ERR_JSON, NULL, "NUL after");
		free(t);
		/* len is honoured: the text's own NUL is not needed */
		t = xmalloc(n + 8);
		memcpy(t, g, n);
		memcpy(t + n, "garbage", 8);
		expect_n(m, t, n, 0, NULL, "len stops before garbage");
		free(t);
		free(g);
	}
	assert_int_equal(wire_challenge_req_decode(NULL, 0, NULL, NULL),
	    WG_ERR_INVALID_ARG);
}

static void
test_truncation(void **state)
{
	const struct tmsg *m;
	struct wg_diag d;
	char *g, *c;
	size_t i, cut, len, k;
	int r, ws;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		g = golden(m->golden, &len);
		assert_true(len > 0 && g[len - 1] == '\n');
		for (cut = 0; cut < len; cut++) {
			/* a copy of exactly cut bytes, so ASan sees overreads */
			c = xmalloc(cut > 0 ? cut : 1);
			memcpy(c, g, cut);
			r = try(m, c, cut, &d);
			ws = 1;
			for (k = cut; k < len; k++)
				if (!strchr(" \t\r\n", g[k]))
					ws = 0;
			if (ws && r != 0)
				fail_msg("%s cut at %zu (whitespace): %s",
				    m->golden, cut, d.detail);
			if (!ws && r == 0)
				fail_msg("%s cut at %zu decoded", m->golden, cut);
			if (!ws && r != WG_ERR_JSON)
				fail_msg("%s cut at %zu: %s, not JSON", m->golden,
				    cut, wg_errname(r));
			free(c);
		}
		free(g);
	}
}

/* ---- strictness beyond json-c ------------------------------------------ */

static void
test_duplicates(void **state)
{
	const struct tmsg *m;
	char *t, *mem, *g;
	size_t i;
	json_object *o, *v;

	(void)state;
	for (i = 0; i < NELEM(msgs); i++) {
		m = &msgs[i];
		g = golden(m->golden, NULL);
		o = json_tokener_parse(g);
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, m->f[0].name, &v));
		mem = member(m->f[0].name, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		/* the same field and value twice */
		t = splice(m->golden, NULL, mem);
		expect(m, t, WG_ERR_JSON, m->f[0].name, "duplicate");
		free(t);
		free(mem);
		/* a bad value hidden behind a good one (json-c keeps the last) */
		mem = member(m->f[0].name, "{\"junk\":[1,2,3]}");
		t = splice(m->golden, NULL, mem);
		expect(m, t, WG_ERR_JSON, m->f[0].name, "duplicate, first bad");
		free(t);
		free(mem);
		json_object_put(o);
		free(g);
	}
	m = msg_by_golden("challenge-req");
	/* the same name spelt with an escape */
	expect(m, "{\"device_id\":\"" G_DEVICE_ID "\",\"\\u0064evice_id\":\""
	    G_DEVICE_ID "\"}", WG_ERR_JSON, "device_id", "escaped duplicate");
	expect(m, "{\"\\u0064evice_id\":\"" G_DEVICE_ID "\"}", 0, NULL,
	    "escaped name alone");
	/* json-c cuts a name at an escaped NUL: "device_id\u0000x" */
	expect(m, "{\"device_id\\u0000x\":\"" G_DEVICE_ID "\"}",
	    WG_ERR_UNKNOWN_FIELD, NULL, "NUL in a name");
	expect(m, "{\"device_id\\u0000\":\"" G_DEVICE_ID "\"}",
	    WG_ERR_UNKNOWN_FIELD, NULL, "NUL ending a name");
	/* nested objects */
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"a\",\"hostname\":\"b\",\"serial\":\"a\"}");
	expect(msg_by_golden("enroll-req"), t, WG_ERR_JSON, "claims.serial",
	    "duplicate claim");
	free(t);
	t = with_value("evidence-req", "pcrs",
	    "{\"sha1\":{\"1\":\"" "0000000000000000000000000000000000000000"
	    "\",\"1\":\"" "0000000000000000000000000000000000000000" "\"}}");
	expect(msg_by_golden("evidence-req"), t, WG_ERR_JSON, "pcrs.sha1.1",
	    "duplicate PCR");
	free(t);
	t = with_value("evidence-req", "pcrs", "{\"sha1\":{},\"sha1\":{}}");
	expect(msg_by_golden("evidence-req"), t, WG_ERR_JSON, "pcrs.sha1",
	    "duplicate bank");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":\"\",\"code\":\"B\"}]");
	expect(msg_by_golden("evidence-resp"), t, WG_ERR_JSON, "code",
	    "duplicate in a reason");
	free(t);
	/* the same name in different objects is fine */
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":\"\"},{\"code\":\"B\",\"message\":\"\"}]");
	expect(msg_by_golden("evidence-resp"), t, 0, NULL, "two reasons");
	free(t);
}

static void
test_strings(void **state)
{
	const struct tmsg *er = msg_by_golden("enroll-req");
	const struct tmsg *ev = msg_by_golden("evidence-resp");
	char *t;

	(void)state;
	/* escaped NUL in a value */
	t = with_value("evidence-resp", "segment", "\"quar\\u0000antine\"");
	expect(ev, t, WG_ERR_BAD_FIELD, "segment", "escaped NUL");
	free(t);
	t = with_value("enroll-req", "claims", "{\"hostname\":\"a\\u0000\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.hostname", "escaped NUL claim");
	free(t);
	/* unpaired surrogates (json-c would make them U+FFFD) */
	t = with_value("enroll-req", "claims", "{\"hostname\":\"a\\ud800\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.hostname", "high surrogate");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"a\\udc00b\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "low surrogate");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\\ud800\\u0041\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "bad pair");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\\udbff\\ue000\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "high, then not low");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\\udbff\\udfff \\ue000\"}");
	expect(er, t, 0, NULL, "U+10FFFF and U+E000");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\\ud83d\\ude00 \\u00e9\"}");
	expect(er, t, 0, NULL, "a good pair");
	free(t);
	/* raw control characters: json-c takes them, RFC 8259 does not */
	t = with_value("enroll-req", "claims", "{\"serial\":\"a\tb\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "raw tab");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":\"x\x01y\"}]");
	expect(ev, t, WG_ERR_BAD_FIELD, "reasons[0].message", "raw control");
	free(t);
	t = splice("enroll-req", NULL, "\"x\ty\":1");
	expect(er, t, WG_ERR_UNKNOWN_FIELD, NULL, "raw tab in a name");
	free(t);
	/* invalid UTF-8 never reaches a field */
	t = with_value("enroll-req", "claims", "{\"serial\":\"a\xc3\x28\"}");
	expect(er, t, WG_ERR_JSON, NULL, "invalid UTF-8");
	free(t);
	/* json-c lets these by; the field check does not */
	t = with_value("enroll-req", "claims", "{\"serial\":\"\xed\xa0\x80\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "UTF-8 surrogate");
	free(t);
	t = with_value("enroll-req", "claims", "{\"serial\":\"\xc0\xaf\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "overlong UTF-8");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\xf4\x90\x80\x80\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "claims.serial", "past U+10FFFF");
	free(t);
	t = with_value("enroll-req", "claims", "{\"serial\":\"\xe2\x82\"}");
	expect(er, t, WG_ERR_JSON, NULL, "UTF-8 cut short");
	free(t);
	/*
	 * The walker only sees the last of duplicates; the scan reads the
	 * hidden first value and refuses it before it reaches the name
	 * given twice.
	 */
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"\xc0\xaf\",\"serial\":\"ok\"}");
	expect(er, t, WG_ERR_JSON, "UTF-8", "overlong UTF-8 shadowed");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"a\tb\",\"serial\":\"ok\"}");
	expect(er, t, WG_ERR_JSON, "control character", "raw tab shadowed");
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"serial\":\"a\\ud800\",\"serial\":\"ok\"}");
	expect(er, t, WG_ERR_BAD_FIELD, "surrogate", "surrogate shadowed");
	free(t);
	expect(msg_by_golden("challenge-req"), "{\"device_id\":NaN,"
	    "\"device_id\":\"" G_DEVICE_ID "\"}", WG_ERR_JSON, "strict JSON",
	    "NaN shadowed");
	expect(msg_by_golden("challenge-req"), "{\"device_id\":1.,"
	    "\"device_id\":\"" G_DEVICE_ID "\"}", WG_ERR_JSON, "strict JSON",
	    "1. shadowed");
	expect(msg_by_golden("challenge-req"), "{\"device_id\":[Infinity],"
	    "\"device_id\":\"" G_DEVICE_ID "\"}", WG_ERR_JSON, "strict JSON",
	    "Infinity shadowed");
	expect(msg_by_golden("challenge-req"), "{\"device_id\":-1,"
	    "\"device_id\":\"" G_DEVICE_ID "\"}", WG_ERR_BAD_FIELD,
	    "negative", "-1 shadowed");
	/* json-c takes single-quoted names even in strict mode */
	expect(msg_by_golden("challenge-req"), "{'device_id':\"" G_DEVICE_ID
	    "\"}", WG_ERR_JSON, "strict JSON", "single-quoted name");
	t = with_value("enroll-req", "claims", "{'serial':\"a\"}");
	expect(er, t, WG_ERR_JSON, NULL, "single-quoted claim");
	free(t);
	/* bad escapes */
	t = with_value("enroll-req", "claims", "{\"serial\":\"\\x41\"}");
	expect(er, t, WG_ERR_JSON, NULL, "\\x escape");
	free(t);
	t = with_value("enroll-req", "claims", "{\"serial\":\"\\u12\"}");
	expect(er, t, WG_ERR_JSON, NULL, "short \\u");
	free(t);
}

static void
test_claims(void **state)
{
	static const char *const bad[] = {
		"\"\"", "\"a\\u0001b\"", "\"a\\tb\"", "\"a\\nb\"", "\"a\\u007fb\"",
		"\"a\\u0085b\"", "\"a\\u009fb\"", "\"a\\u202eb\"", "\"a\\u2028b\"",
		"\"a\\u2066b\"", "\"a\\u200fb\"", "\"\\ufeffa\"", "1", "true",
		"null", "[]", "{}",
	};
	static const char *const names[] = {
		"hostname", "serial", "agent_version",
	};
	static const char *const bad_mac[] = {
		"\"\"", "\"00-1b-63-84-45-e6\"", "\"00:1b:63:84:45\"",
		"\"00:1b:63:84:45:e6:00\"", "\"00:1b:63:84:45:eg\"",
		"\"0:1b:63:84:45:e6:0\"", "\"001b:63:84:45:e6\"",
		"\"00:1b:63:84:45:e6 \"", "\"001b638445e6\"", "1",
		"\"00:1b:63:84:45:e\\u0000\"", "\"00.1b.63.84.45.e6\"",
	};
	const struct tmsg *er = msg_by_golden("enroll-req");
	struct wire_enroll_req m;
	struct wg_diag d;
	char full[WIRE_TEXT_LEN + 2], claim[512], path[64], *t;
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		(void)snprintf(path, sizeof(path), "claims.%s", names[i]);
		for (k = 0; k < NELEM(bad); k++) {
			(void)snprintf(claim, sizeof(claim), "{\"%s\":%s}",
			    names[i], bad[k]);
			t = with_value("enroll-req", "claims", claim);
			expect(er, t, WG_ERR_BAD_FIELD, path, bad[k]);
			free(t);
		}
		memset(full, 'h', sizeof(full));
		full[WIRE_TEXT_LEN - 1] = '\0';
		(void)snprintf(claim, sizeof(claim), "{\"%s\":\"%s\"}", names[i],
		    full);
		t = with_value("enroll-req", "claims", claim);
		expect(er, t, 0, NULL, "128 bytes");
		free(t);
		full[WIRE_TEXT_LEN - 1] = 'h';
		full[WIRE_TEXT_LEN] = '\0';
		(void)snprintf(claim, sizeof(claim), "{\"%s\":\"%s\"}", names[i],
		    full);
		t = with_value("enroll-req", "claims", claim);
		expect(er, t, WG_ERR_BAD_FIELD, path, "129 bytes");
		free(t);
		/* 128 bytes of two-byte characters is 64 of them */
		claim[0] = '\0';
		(void)snprintf(claim, sizeof(claim), "{\"%s\":\"", names[i]);
		for (k = 0; k < 64; k++)
			strcat(claim, "\xc3\xa9");
		strcat(claim, "\"}");
		t = with_value("enroll-req", "claims", claim);
		expect(er, t, 0, NULL, "128 bytes of UTF-8");
		free(t);
	}
	for (k = 0; k < NELEM(bad_mac); k++) {
		(void)snprintf(claim, sizeof(claim), "{\"mac\":%s}", bad_mac[k]);
		t = with_value("enroll-req", "claims", claim);
		expect(er, t, WG_ERR_BAD_FIELD, "claims.mac", bad_mac[k]);
		free(t);
	}
	t = with_value("enroll-req", "claims", "{\"model\":\"x\"}");
	expect(er, t, WG_ERR_UNKNOWN_FIELD, "claims.model", "unknown claim");
	free(t);
	/* none at all; the MAC in capitals comes out lowercased */
	t = with_value("enroll-req", "claims", "{}");
	assert_int_equal(wire_enroll_req_decode(t, strlen(t), &m, &d), 0);
	assert_string_equal(m.hostname, "");
	assert_string_equal(m.serial, "");
	assert_string_equal(m.mac, "");
	assert_string_equal(m.agent_version, "");
	wire_enroll_req_free(&m);
	free(t);
	t = with_value("enroll-req", "claims",
	    "{\"mac\":\"0A:1B:2c:3D:4E:5F\",\"hostname\":\"Stra\xc3\x9f" "e \\\"7\\\" \\\\\"}");
	assert_int_equal(wire_enroll_req_decode(t, strlen(t), &m, &d), 0);
	assert_string_equal(m.mac, "0a:1b:2c:3d:4e:5f");
	assert_string_equal(m.hostname, "Stra\xc3\x9f" "e \"7\" \\");
	wire_enroll_req_free(&m);
	free(t);
}

static void
test_tokens(void **state)
{
	static const struct {
		const char *g, *field, *value;
		int want;
	} cases[] = {
		{ "activate-resp", "state", "\"pending\"", 0 },
		{ "activate-resp", "state", "\"trusted\"", 0 },
		{ "activate-resp", "state", "\"untrusted\"", 0 },
		{ "activate-resp", "state", "\"vulnerable\"", 0 },
		{ "activate-resp", "state", "\"decommissioned\"", 0 },
		{ "activate-resp", "state", "\"TRUSTED\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "state", "\"trusted \"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "state", "\"bogus\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "state", "\"invalid\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "state", "\"\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "state", "\"decommissioned\"", 0 },
		{ "evidence-resp", "state", "\"nope\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "segment", "\"Clinical-VLAN_100.a\"", 0 },
		{ "activate-resp", "segment",
		  "\"abcdefghijklmnopqrstuvwxyz012345\"", 0 },
		{ "activate-resp", "segment",
		  "\"abcdefghijklmnopqrstuvwxyz0123456\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "segment", "\"a b\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "segment", "\"a/b\"", WG_ERR_BAD_FIELD },
		{ "activate-resp", "segment", "\"\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "segment", "\"a;b\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "verdict", "\"pass\"", 0 },
		{ "evidence-resp", "verdict", "\"PASS\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "verdict", "\"passed\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "verdict", "\"ok\"", WG_ERR_BAD_FIELD },
		{ "evidence-resp", "verdict", "\"\"", WG_ERR_BAD_FIELD },
		{ "challenge-resp", "pcr_selection", "\"all\"", 0 },
		{ "challenge-resp", "pcr_selection", "\"sha1:0-7+sha384:all\"", 0 },
		{ "challenge-resp", "pcr_selection", "\"sha256:24\"",
		  WG_ERR_BAD_FIELD },
		{ "challenge-resp", "pcr_selection", "\"md5:0\"",
		  WG_ERR_BAD_FIELD },
		{ "challenge-resp", "pcr_selection", "\"sha256:0,0\"",
		  WG_ERR_BAD_FIELD },
		{ "challenge-resp", "pcr_selection", "\"sha256:\"",
		  WG_ERR_BAD_FIELD },
		{ "challenge-resp", "pcr_selection", "\"\"", WG_ERR_BAD_FIELD },
		{ "error", "error", "\"EK_CERT_UNTRUSTED\"", 0 },
		{ "error", "error", "\"A1_B\"", 0 },
		{ "error", "error", "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123\"", 0 },
		{ "error", "error", "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ_01234\"",
		  WG_ERR_BAD_FIELD },
		{ "error", "error", "\"nonce_unknown\"", WG_ERR_BAD_FIELD },
		{ "error", "error", "\"_A\"", WG_ERR_BAD_FIELD },
		{ "error", "error", "\"1A\"", WG_ERR_BAD_FIELD },
		{ "error", "error", "\"A B\"", WG_ERR_BAD_FIELD },
		{ "error", "error", "\"\"", WG_ERR_BAD_FIELD },
		{ "error", "message", "\"\"", 0 },
		{ "error", "message", "\"\\u00e9t\\u00e9 \xe2\x82\xac\"", 0 },
		{ "error", "message", "\"a\\nb\"", WG_ERR_BAD_FIELD },
		{ "error", "message", "\"a\\u001bb\"", WG_ERR_BAD_FIELD },
		{ "challenge-resp", "eventlog_sha256", "null", 0 },
		{ "evidence-req", "eventlog_sha256", "null", WG_ERR_BAD_FIELD },
		{ "evidence-req", "eventlog", "null", WG_ERR_BAD_FIELD },
		{ "evidence-req", "pcrs", "null", WG_ERR_BAD_FIELD },
	};
	char sel[WIRE_SELECTION_LEN + 8], msg[WIRE_MESSAGE_LEN + 8];
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t = with_value(cases[i].g, cases[i].field, cases[i].value);
		expect(msg_by_golden(cases[i].g), t, cases[i].want,
		    cases[i].field, cases[i].value);
		free(t);
	}
	/* 128 characters are too many for the buffer, whatever they say */
	memset(sel, '0', sizeof(sel));
	memcpy(sel, "\"sha256:0", 9);
	sel[1 + 128] = '"';
	sel[2 + 128] = '\0';
	t = with_value("challenge-resp", "pcr_selection", sel);
	expect(msg_by_golden("challenge-resp"), t, WG_ERR_BAD_FIELD,
	    "128 bytes", "128 characters");
	free(t);
	/* messages: 255 bytes fit, 256 do not */
	memset(msg, 'm', sizeof(msg));
	msg[0] = '"';
	msg[256] = '"';
	msg[257] = '\0';
	t = with_value("error", "message", msg);
	expect(msg_by_golden("error"), t, 0, NULL, "255 bytes");
	free(t);
	msg[256] = 'm';
	msg[257] = '"';
	msg[258] = '\0';
	t = with_value("error", "message", msg);
	expect(msg_by_golden("error"), t, WG_ERR_BAD_FIELD, "message",
	    "256 bytes");
	free(t);
}

static void
test_reasons_field(void **state)
{
	const struct tmsg *ev = msg_by_golden("evidence-resp");
	struct wire_evidence_resp m;
	struct wg_diag d;
	char arr[2048], *t;
	size_t k;

	(void)state;
	for (k = 0; k <= WIRE_MAX_REASONS + 1; k++) {
		size_t j;

		strcpy(arr, "[");
		for (j = 0; j < k; j++)
			strcat(arr, j ? ",{\"code\":\"R\",\"message\":\"m\"}" :
			    "{\"code\":\"R\",\"message\":\"m\"}");
		strcat(arr, "]");
		t = with_value("evidence-resp", "reasons", arr);
		expect(ev, t, k <= WIRE_MAX_REASONS ? 0 : WG_ERR_BAD_FIELD,
		    "reasons", "count");
		if (k == WIRE_MAX_REASONS) {
			assert_int_equal(wire_evidence_resp_decode(t, strlen(t),
			    &m, &d), 0);
			assert_int_equal(m.nreasons, WIRE_MAX_REASONS);
		}
		free(t);
	}
	t = with_value("evidence-resp", "reasons", "[\"CODE\"]");
	expect(ev, t, WG_ERR_BAD_FIELD, "reasons[0]", "not an object");
	free(t);
	t = with_value("evidence-resp", "reasons", "[{\"code\":\"A\"}]");
	expect(ev, t, WG_ERR_MISSING_FIELD, "reasons[0].message", "missing");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":\"\"},{\"message\":\"\"}]");
	expect(ev, t, WG_ERR_MISSING_FIELD, "reasons[1].code", "missing 2");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":\"\",\"hint\":\"x\"}]");
	expect(ev, t, WG_ERR_UNKNOWN_FIELD, "reasons[0].hint", "unknown");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"lower\",\"message\":\"\"}]");
	expect(ev, t, WG_ERR_BAD_FIELD, "reasons[0].code", "lowercase code");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":1,\"message\":\"\"}]");
	expect(ev, t, WG_ERR_BAD_FIELD, "reasons[0].code", "number code");
	free(t);
	t = with_value("evidence-resp", "reasons",
	    "[{\"code\":\"A\",\"message\":null}]");
	expect(ev, t, WG_ERR_BAD_FIELD, "reasons[0].message", "null message");
	free(t);
}

/* tmpl with '@' as the 64 digits of h, '#' as 62 of them, '$' as 63. */
static void
expand(const char *tmpl, const char *h, char *out, size_t cap)
{
	size_t o = 0, n;

	for (; *tmpl != '\0'; tmpl++) {
		n = *tmpl == '@' ? 64 : *tmpl == '#' ? 62 : *tmpl == '$' ? 63 : 0;
		assert_true(o + (n ? n : 1) < cap);
		if (n != 0) {
			memcpy(out + o, h, n);
			o += n;
		} else {
			out[o++] = *tmpl;
		}
	}
	out[o] = '\0';
}

static void
test_pcrs_field(void **state)
{
	static const struct {
		const char *pcrs, *name;
		int want;
	} cases[] = {
		{ "{}", NULL, 0 },
		{ "{\"sha256\":{}}", NULL, 0 },
		{ "{\"sha256\":{\"07\":\"@\"}}", "pcrs.sha256.07",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"24\":\"@\"}}", "pcrs.sha256.24",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"-1\":\"@\"}}", "pcrs.sha256.-1",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"+1\":\"@\"}}", "pcrs.sha256.+1",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\" 1\":\"@\"}}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"1 \":\"@\"}}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"1.0\":\"@\"}}", "pcrs.sha256",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"\":\"@\"}}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"00\":\"@\"}}", "pcrs.sha256.00",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"100\":\"@\"}}", "pcrs.sha256.100",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0x1\":\"@\"}}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"23\":\"@\"}}", NULL, 0 },
		{ "{\"sha256\":{\"0\":\"@00\"}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha1\":{\"0\":\"@\"}}", "pcrs.sha1.0", WG_ERR_BAD_FIELD },
		{ "{\"sha384\":{\"0\":\"@\"}}", "pcrs.sha384.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":\"#\"}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":\"$\"}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":\"A$\"}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":\"g$\"}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":\"\"}}", "pcrs.sha256.0", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":1}}", "pcrs.sha256.0", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":null}}", "pcrs.sha256.0", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":{\"0\":[\"@\"]}}", "pcrs.sha256.0",
		  WG_ERR_BAD_FIELD },
		{ "{\"sha3_256\":{}}", "pcrs.sha3_256", WG_ERR_BAD_FIELD },
		{ "{\"SHA256\":{}}", "pcrs.SHA256", WG_ERR_BAD_FIELD },
		{ "{\"sha-256\":{}}", "pcrs.sha-256", WG_ERR_BAD_FIELD },
		{ "{\"0x000b\":{}}", "pcrs.0x000b", WG_ERR_BAD_FIELD },
		{ "{\"\":{}}", "pcrs", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":[]}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":\"@\"}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "{\"sha256\":null}", "pcrs.sha256", WG_ERR_BAD_FIELD },
		{ "[]", "pcrs", WG_ERR_BAD_FIELD },
	};
	static const char h32[] =
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	const struct tmsg *m = msg_by_golden("evidence-req");
	struct wire_evidence_req e;
	const struct pcr_bank *b;
	struct wg_diag d;
	char pcrs[1024], *t;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		expand(cases[i].pcrs, h32, pcrs, sizeof(pcrs));
		t = with_value("evidence-req", "pcrs", pcrs);
		expect(m, t, cases[i].want, cases[i].name, pcrs);
		free(t);
	}
	/* every bank wardgate knows, in the order given */
	(void)snprintf(pcrs, sizeof(pcrs), "{\"sm3_256\":{\"5\":\"%s\"},"
	    "\"sha1\":{\"0\":\"%.40s\",\"10\":\"%.40s\"},"
	    "\"sha384\":{\"23\":\"%s%.32s\"},\"sha512\":{\"17\":\"%s%s\"},"
	    "\"sha256\":{}}", h32, h32, h32 + 2, h32, h32, h32, h32);
	t = with_value("evidence-req", "pcrs", pcrs);
	assert_int_equal(wire_evidence_req_decode(t, strlen(t), &e, &d), 0);
	assert_true(e.has_pcrs);
	assert_int_equal(e.pcrs.nbanks, 5);
	assert_int_equal(e.pcrs.bank[0].alg, TPM2_ALG_SM3_256);
	assert_int_equal(e.pcrs.bank[1].alg, TPM2_ALG_SHA1);
	assert_int_equal(e.pcrs.bank[2].alg, TPM2_ALG_SHA384);
	assert_int_equal(e.pcrs.bank[3].alg, TPM2_ALG_SHA512);
	assert_int_equal(e.pcrs.bank[4].alg, TPM2_ALG_SHA256);
	b = pcr_set_find(&e.pcrs, TPM2_ALG_SHA1);
	assert_int_equal(b->size, 20);
	assert_int_equal(b->present, (1u << 0) | (1u << 10));
	hex_eq(b->value[10], 20, "112233445566778899aabbccddeeff0011223344");
	b = pcr_set_find(&e.pcrs, TPM2_ALG_SHA512);
	assert_int_equal(b->present, 1u << 17);
	assert_int_equal(e.pcrs.bank[4].present, 0);
	wire_evidence_req_free(&e);
	free(t);
}

/* ---- round trips of fully populated messages --------------------------- */

/* encode, decode, encode again: the same text; returns the decoded copy */
static void
round_trip(const struct tmsg *m, const void *in, void *out)
{
	struct wg_diag d;
	char *e1, *e2;

	e1 = m->enc(in);
	if (e1 == NULL)
		fail_msg("%s: encoder refused a valid message", m->golden);
	wg_diag_clear(&d);
	if (m->dec(e1, strlen(e1), out, &d) != 0)
		fail_msg("%s: %s\n%s", m->golden, d.detail, e1);
	e2 = m->enc(out);
	assert_non_null(e2);
	assert_string_equal(e1, e2);
	free(e1);
	free(e2);
}

static void
test_rt_enroll(void **state)
{
	struct wire_enroll_req a, b;
	struct wire_enroll_resp c, e;
	size_t i;

	(void)state;
	memset(&a, 0, sizeof(a));
	blob_set(&a.ek_pub, 1024, 1);
	blob_set(&a.ek_cert, 4096, 2);
	blob_set(&a.ak_pub, 1, 3);
	strcpy(a.hostname, "pump \"7\" \\ back/slash \xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80 </script>");
	for (i = 0; i < WIRE_TEXT_LEN - 1; i++)
		a.serial[i] = (char)('!' + i % 94);
	strcpy(a.mac, "0a:1b:2c:3d:4e:5f");
	strcpy(a.agent_version, "v");
	round_trip(msg_by_golden("enroll-req"), &a, &b);
	blob_eq(&a.ek_pub, &b.ek_pub, "ek_pub");
	blob_eq(&a.ek_cert, &b.ek_cert, "ek_cert");
	blob_eq(&a.ak_pub, &b.ak_pub, "ak_pub");
	assert_string_equal(a.hostname, b.hostname);
	assert_string_equal(a.serial, b.serial);
	assert_string_equal(a.mac, b.mac);
	assert_string_equal(a.agent_version, b.agent_version);
	wire_enroll_req_free(&b);
	/* claims left out */
	a.hostname[0] = a.serial[0] = a.mac[0] = a.agent_version[0] = '\0';
	round_trip(msg_by_golden("enroll-req"), &a, &b);
	assert_string_equal(b.hostname, "");
	assert_string_equal(b.mac, "");
	wire_enroll_req_free(&b);
	wire_enroll_req_free(&a);

	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(c.enrollment_id); i++)
		c.enrollment_id[i] = (uint8_t)(0xf0 + i);
	blob_set(&c.credential_blob, 70, 4);
	blob_set(&c.encrypted_secret, 1024, 5);
	c.expires_in = UINT32_MAX;
	round_trip(msg_by_golden("enroll-resp"), &c, &e);
	assert_memory_equal(c.enrollment_id, e.enrollment_id,
	    sizeof(c.enrollment_id));
	blob_eq(&c.credential_blob, &e.credential_blob, "credential_blob");
	blob_eq(&c.encrypted_secret, &e.encrypted_secret, "encrypted_secret");
	assert_int_equal(c.expires_in, e.expires_in);
	wire_enroll_resp_free(&c);
	wire_enroll_resp_free(&e);
}

static void
test_rt_activate_challenge(void **state)
{
	struct wire_activate_req a, b;
	struct wire_activate_resp c, e;
	struct wire_challenge_req f, g;
	struct wire_challenge_resp h, k;
	size_t i, n;

	(void)state;
	for (n = 1; n <= 64; n++) {
		memset(&a, 0, sizeof(a));
		memset(a.enrollment_id, 0x5c, sizeof(a.enrollment_id));
		blob_set(&a.secret, n, (uint8_t)n);
		round_trip(msg_by_golden("activate-req"), &a, &b);
		assert_memory_equal(a.enrollment_id, b.enrollment_id,
		    sizeof(a.enrollment_id));
		blob_eq(&a.secret, &b.secret, "secret");
		wire_activate_req_free(&a);
		wire_activate_req_free(&b);
	}

	memset(&c, 0, sizeof(c));
	strcpy(c.device_id, G_DEVICE_ID);
	strcpy(c.state, "decommissioned");
	strcpy(c.segment, "abcdefghijklmnopqrstuvwxyz-._0AZ");
	c.attest_interval = 1;
	round_trip(msg_by_golden("activate-resp"), &c, &e);
	assert_string_equal(c.device_id, e.device_id);
	assert_string_equal(c.state, e.state);
	assert_string_equal(c.segment, e.segment);
	assert_int_equal(c.attest_interval, e.attest_interval);

	memset(&f, 0, sizeof(f));
	strcpy(f.device_id, G_LOG_SHA256);
	round_trip(msg_by_golden("challenge-req"), &f, &g);
	assert_string_equal(f.device_id, g.device_id);

	memset(&h, 0, sizeof(h));
	for (i = 0; i < sizeof(h.nonce); i++)
		h.nonce[i] = (uint8_t)(i * 37);
	strcpy(h.pcr_selection, "sha1:0-7+sha256:all+sha384:23");
	h.expires_in = 30;
	strcpy(h.eventlog_sha256, G_LOG_SHA256);
	round_trip(msg_by_golden("challenge-resp"), &h, &k);
	assert_memory_equal(h.nonce, k.nonce, sizeof(h.nonce));
	assert_string_equal(h.pcr_selection, k.pcr_selection);
	assert_int_equal(h.expires_in, k.expires_in);
	assert_string_equal(h.eventlog_sha256, k.eventlog_sha256);
	h.eventlog_sha256[0] = '\0';
	round_trip(msg_by_golden("challenge-resp"), &h, &k);
	assert_string_equal(k.eventlog_sha256, "");
}

static void
pcrs_eq(const struct pcr_set *a, const struct pcr_set *b)
{
	unsigned i, p;

	assert_int_equal(a->nbanks, b->nbanks);
	for (i = 0; i < a->nbanks; i++) {
		assert_int_equal(a->bank[i].alg, b->bank[i].alg);
		assert_int_equal(a->bank[i].size, b->bank[i].size);
		assert_int_equal(a->bank[i].present, b->bank[i].present);
		for (p = 0; p < PCR_COUNT; p++)
			if (a->bank[i].present & (1u << p))
				assert_memory_equal(a->bank[i].value[p],
				    b->bank[i].value[p], a->bank[i].size);
	}
}

static void
test_rt_evidence(void **state)
{
	static const uint16_t algs[] = {
		TPM2_ALG_SHA512, TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384,
		TPM2_ALG_SM3_256,
	};
	struct wire_evidence_req *a = calloc(1, sizeof(*a));
	struct wire_evidence_req *b = calloc(1, sizeof(*b));
	struct wire_evidence_resp c, e;
	struct pcr_bank *pb;
	size_t i, p, k;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	strcpy(a->device_id, G_DEVICE_ID);
	memset(a->nonce, 0xee, sizeof(a->nonce));
	blob_set(&a->quote, 1024, 7);
	blob_set(&a->signature, 1024, 8);
	strcpy(a->eventlog_sha256, G_LOG_SHA256);
	blob_set(&a->eventlog, WIRE_MAX_EVENTLOG, 9);
	a->has_pcrs = 1;
	pcr_set_init(&a->pcrs);
	for (i = 0; i < NELEM(algs); i++) {
		assert_int_equal(pcr_set_add_bank(&a->pcrs, algs[i], &pb), 0);
		for (p = 0; p < PCR_COUNT; p++) {
			if (i == 2 && p % 3 == 0)
				continue;	/* gaps */
			for (k = 0; k < pb->size; k++)
				pb->value[p][k] = (uint8_t)(i * 31 + p * 7 + k);
			pb->present |= 1u << p;
		}
	}
	round_trip(msg_by_golden("evidence-req"), a, b);
	assert_string_equal(a->device_id, b->device_id);
	assert_memory_equal(a->nonce, b->nonce, sizeof(a->nonce));
	blob_eq(&a->quote, &b->quote, "quote");
	blob_eq(&a->signature, &b->signature, "signature");
	assert_string_equal(a->eventlog_sha256, b->eventlog_sha256);
	blob_eq(&a->eventlog, &b->eventlog, "eventlog");
	assert_int_equal(b->has_pcrs, 1);
	pcrs_eq(&a->pcrs, &b->pcrs);
	wire_evidence_req_free(b);
	/* without the optional fields */
	wire_evidence_req_free(a);
	blob_set(&a->quote, 1, 7);
	blob_set(&a->signature, 2, 8);
	a->has_pcrs = 0;
	round_trip(msg_by_golden("evidence-req"), a, b);
	assert_int_equal(b->has_pcrs, 0);
	assert_int_equal(b->eventlog.len, 0);
	assert_null(b->eventlog.p);
	blob_eq(&a->signature, &b->signature, "signature");
	wire_evidence_req_free(b);
	wire_evidence_req_free(a);
	free(a);
	free(b);

	memset(&c, 0, sizeof(c));
	c.pass = 0;
	strcpy(c.state, "untrusted");
	strcpy(c.segment, "quarantine");
	c.nreasons = WIRE_MAX_REASONS;
	for (i = 0; i < WIRE_MAX_REASONS; i++) {
		memset(c.reasons[i].code, 'A' + (int)i, WIRE_CODE_LEN - 1);
		memset(c.reasons[i].message, 'a' + (int)i, WIRE_MESSAGE_LEN - 1);
		memcpy(c.reasons[i].message, "\"\\/\xc3\xa9", 5);
	}
	c.next_attest_in = 86400;
	round_trip(msg_by_golden("evidence-resp"), &c, &e);
	assert_int_equal(e.pass, 0);
	assert_string_equal(c.state, e.state);
	assert_string_equal(c.segment, e.segment);
	assert_int_equal(e.nreasons, WIRE_MAX_REASONS);
	for (i = 0; i < WIRE_MAX_REASONS; i++) {
		assert_string_equal(c.reasons[i].code, e.reasons[i].code);
		assert_string_equal(c.reasons[i].message, e.reasons[i].message);
	}
	assert_int_equal(c.next_attest_in, e.next_attest_in);
	c.pass = 1;
	c.nreasons = 0;
	round_trip(msg_by_golden("evidence-resp"), &c, &e);
	assert_int_equal(e.pass, 1);
	assert_int_equal(e.nreasons, 0);
}

static void
test_error_encode(void **state)
{
	struct wire_error e;
	struct wg_diag d;
	char big[600], *t;
	size_t i;

	(void)state;
	t = wire_error_encode("NONCE_UNKNOWN", "a \"quoted\" sentence");
	assert_non_null(t);
	assert_string_equal(t, "{\"error\":\"NONCE_UNKNOWN\",\"message\":"
	    "\"a \\\"quoted\\\" sentence\"}");
	assert_int_equal(wire_error_decode(t, strlen(t), &e, &d), 0);
	assert_string_equal(e.error, "NONCE_UNKNOWN");
	assert_string_equal(e.message, "a \"quoted\" sentence");
	free(t);
	t = wire_error_encode("INTERNAL", NULL);
	assert_non_null(t);
	assert_int_equal(wire_error_decode(t, strlen(t), &e, &d), 0);
	assert_string_equal(e.message, "");
	free(t);
	/* control characters and bad UTF-8 are sanitised, not refused */
	t = wire_error_encode("JSON", "line\none\x01\x7f\xc3(\xe2\x80\xae!");
	assert_non_null(t);
	assert_int_equal(wire_error_decode(t, strlen(t), &e, &d), 0);
	assert_string_equal(e.message, "line?one??" "?(?!");
	free(t);
	/* long messages are cut on a character boundary */
	for (i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[i] = '\0';
	t = wire_error_encode("TOO_LARGE", big);
	assert_non_null(t);
	assert_int_equal(wire_error_decode(t, strlen(t), &e, &d), 0);
	assert_int_equal(strlen(e.message), 254);
	free(t);
	assert_null(wire_error_encode(NULL, "x"));
	assert_null(wire_error_encode("", "x"));
	assert_null(wire_error_encode("lower", "x"));
	assert_null(wire_error_encode("A B", "x"));
	assert_null(wire_error_encode("ABCDEFGHIJKLMNOPQRSTUVWXYZ_01234", "x"));
	t = wire_error_encode("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123", "x");
	assert_non_null(t);
	free(t);
}

static void
test_reasons_store(void **state)
{
	struct wire_reason r[WIRE_MAX_REASONS], back[WIRE_MAX_REASONS];
	struct wg_diag d;
	char *t, big[WIRE_MAX_BODY + 16];
	unsigned n, i;

	(void)state;
	t = wire_reasons_encode(NULL, 0);
	assert_non_null(t);
	assert_string_equal(t, "[]");
	n = 99;
	assert_int_equal(wire_reasons_decode(t, back, &n, &d), 0);
	assert_int_equal(n, 0);
	free(t);
	memset(r, 0, sizeof(r));
	for (i = 0; i < WIRE_MAX_REASONS; i++) {
		(void)snprintf(r[i].code, sizeof(r[i].code), "CODE_%u", i);
		(void)snprintf(r[i].message, sizeof(r[i].message),
		    "reason number %u: \"quoted\" \xe2\x80\x94 dash", i);
	}
	t = wire_reasons_encode(r, WIRE_MAX_REASONS);
	assert_non_null(t);
	assert_int_equal(wire_reasons_decode(t, back, &n, &d), 0);
	assert_int_equal(n, WIRE_MAX_REASONS);
	for (i = 0; i < n; i++) {
		assert_string_equal(r[i].code, back[i].code);
		assert_string_equal(r[i].message, back[i].message);
	}
	free(t);
	t = wire_reasons_encode(r, 1);
	assert_string_equal(t, "[{\"code\":\"CODE_0\",\"message\":\"reason "
	    "number 0: \\\"quoted\\\" \xe2\x80\x94 dash\"}]");
	free(t);
	assert_null(wire_reasons_encode(r, WIRE_MAX_REASONS + 1));
	strcpy(r[0].code, "bad");
	assert_null(wire_reasons_encode(r, 1));

	n = 77;
	assert_int_equal(wire_reasons_decode("{}", back, &n, &d), WG_ERR_JSON);
	assert_int_equal(wire_reasons_decode("[] x", back, &n, &d),
	    WG_ERR_JSON);
	assert_int_equal(wire_reasons_decode("", back, &n, &d), WG_ERR_JSON);
	assert_int_equal(wire_reasons_decode("[1]", back, &n, &d),
	    WG_ERR_BAD_FIELD);
	assert_int_equal(wire_reasons_decode("[{\"code\":\"A\"}]", back, &n,
	    &d), WG_ERR_MISSING_FIELD);
	assert_non_null(strstr(d.detail, "reasons[0].message"));
	assert_int_equal(wire_reasons_decode("[{\"code\":\"A\",\"message\":"
	    "\"\",\"code\":\"B\"}]", back, &n, &d), WG_ERR_JSON);
	assert_int_equal(wire_reasons_decode("[{},{},{},{},{},{},{},{},{}]",
	    back, &n, &d), WG_ERR_BAD_FIELD);
	assert_int_equal(n, 77);
	memset(big, ' ', sizeof(big));
	memcpy(big, "[]", 2);
	big[WIRE_MAX_BODY] = '\0';
	assert_int_equal(wire_reasons_decode(big, back, &n, &d), 0);
	big[WIRE_MAX_BODY] = ' ';
	big[WIRE_MAX_BODY + 1] = '\0';
	assert_int_equal(wire_reasons_decode(big, back, &n, &d),
	    WG_ERR_TOO_LARGE);
	assert_int_equal(wire_reasons_decode(NULL, back, &n, &d),
	    WG_ERR_INVALID_ARG);
}

/* Encoders refuse what their decoder would refuse. */
static void
test_encoders_refuse(void **state)
{
	struct wire_challenge_req cq;
	struct wire_challenge_resp cr;
	struct wire_activate_resp ar;
	struct wire_activate_req aq;
	struct wire_enroll_req eq;
	struct wire_evidence_req *ev = calloc(1, sizeof(*ev));
	struct wire_evidence_resp es;
	struct pcr_bank *pb;
	char *t;

	(void)state;
	assert_non_null(ev);
	assert_null(wire_challenge_req_encode(NULL));
	memset(&cq, 0, sizeof(cq));
	assert_null(wire_challenge_req_encode(&cq));
	strcpy(cq.device_id, G_DEVICE_ID);
	cq.device_id[5] = 'A';
	assert_null(wire_challenge_req_encode(&cq));
	strcpy(cq.device_id, G_DEVICE_ID);
	cq.device_id[63] = '\0';
	assert_null(wire_challenge_req_encode(&cq));
	memset(cq.device_id, 'a', sizeof(cq.device_id));	/* no NUL */
	assert_null(wire_challenge_req_encode(&cq));

	memset(&cr, 0, sizeof(cr));
	strcpy(cr.pcr_selection, "sha256:24");
	assert_null(wire_challenge_resp_encode(&cr));
	strcpy(cr.pcr_selection, "sha256:0");
	strcpy(cr.eventlog_sha256, "abc");
	assert_null(wire_challenge_resp_encode(&cr));
	cr.eventlog_sha256[0] = '\0';
	t = wire_challenge_resp_encode(&cr);
	assert_non_null(t);
	assert_non_null(strstr(t, "\"eventlog_sha256\":null"));
	free(t);

	memset(&ar, 0, sizeof(ar));
	strcpy(ar.device_id, G_DEVICE_ID);
	strcpy(ar.state, "Trusted");
	strcpy(ar.segment, "clinical");
	assert_null(wire_activate_resp_encode(&ar));
	strcpy(ar.state, "trusted");
	strcpy(ar.segment, "");
	assert_null(wire_activate_resp_encode(&ar));
	strcpy(ar.segment, "a b");
	assert_null(wire_activate_resp_encode(&ar));

	memset(&aq, 0, sizeof(aq));
	assert_null(wire_activate_req_encode(&aq));	/* empty secret */
	blob_set(&aq.secret, 65, 1);
	assert_null(wire_activate_req_encode(&aq));
	aq.secret.len = 64;
	t = wire_activate_req_encode(&aq);
	assert_non_null(t);
	free(t);
	wire_activate_req_free(&aq);
	aq.secret.len = 3;	/* no buffer */
	assert_null(wire_activate_req_encode(&aq));

	memset(&eq, 0, sizeof(eq));
	blob_set(&eq.ek_pub, 10, 1);
	blob_set(&eq.ek_cert, 4097, 2);
	blob_set(&eq.ak_pub, 10, 3);
	assert_null(wire_enroll_req_encode(&eq));
	eq.ek_cert.len = 4096;
	strcpy(eq.mac, "00:11:22:33:44");
	assert_null(wire_enroll_req_encode(&eq));
	strcpy(eq.mac, "00:11:22:33:44:55");
	strcpy(eq.hostname, "a\tb");
	assert_null(wire_enroll_req_encode(&eq));
	strcpy(eq.hostname, "\xc3(");
	assert_null(wire_enroll_req_encode(&eq));
	strcpy(eq.hostname, "ok");
	memset(eq.serial, 'x', sizeof(eq.serial));	/* no NUL */
	assert_null(wire_enroll_req_encode(&eq));
	eq.serial[0] = '\0';
	t = wire_enroll_req_encode(&eq);
	assert_non_null(t);
	free(t);
	wire_enroll_req_free(&eq);

	strcpy(ev->device_id, G_DEVICE_ID);
	strcpy(ev->eventlog_sha256, G_LOG_SHA256);
	blob_set(&ev->quote, 10, 1);
	blob_set(&ev->signature, 10, 1);
	ev->has_pcrs = 1;
	pcr_set_init(&ev->pcrs);
	t = wire_evidence_req_encode(ev);
	assert_non_null(t);
	assert_non_null(strstr(t, "\"pcrs\":{}"));
	free(t);
	assert_int_equal(pcr_set_add_bank(&ev->pcrs, TPM2_ALG_SHA256, &pb), 0);
	pb->present = 1u << 24;
	assert_null(wire_evidence_req_encode(ev));
	pb->present = 1;
	pb->size = 20;
	assert_null(wire_evidence_req_encode(ev));
	pb->size = 32;
	pb->alg = 0x0099;
	assert_null(wire_evidence_req_encode(ev));
	pb->alg = TPM2_ALG_SHA256;
	ev->pcrs.bank[1] = ev->pcrs.bank[0];	/* the bank twice */
	ev->pcrs.nbanks = 2;
	assert_null(wire_evidence_req_encode(ev));
	ev->pcrs.nbanks = PCR_MAX_BANKS + 1;
	assert_null(wire_evidence_req_encode(ev));
	ev->pcrs.nbanks = 1;
	t = wire_evidence_req_encode(ev);
	assert_non_null(t);
	free(t);
	wire_evidence_req_free(ev);
	free(ev);

	memset(&es, 0, sizeof(es));
	strcpy(es.state, "trusted");
	strcpy(es.segment, "clinical");
	es.nreasons = WIRE_MAX_REASONS + 1;
	assert_null(wire_evidence_resp_encode(&es));
	es.nreasons = 1;
	strcpy(es.reasons[0].code, "lower");
	assert_null(wire_evidence_resp_encode(&es));
	strcpy(es.reasons[0].code, "OK");
	strcpy(es.reasons[0].message, "tab\there");
	t = wire_evidence_resp_encode(&es);
	assert_non_null(t);
	assert_non_null(strstr(t, "tab?here"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens_reencode),
		cmocka_unit_test(test_golden_enroll_req),
		cmocka_unit_test(test_golden_enroll_resp),
		cmocka_unit_test(test_golden_activate),
		cmocka_unit_test(test_golden_challenge),
		cmocka_unit_test(test_golden_evidence_req),
		cmocka_unit_test(test_golden_evidence_resp),
		cmocka_unit_test(test_golden_error_reasons),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_hex_fields),
		cmocka_unit_test(test_base64_fields),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_reasons_field),
		cmocka_unit_test(test_pcrs_field),
		cmocka_unit_test(test_rt_enroll),
		cmocka_unit_test(test_rt_activate_challenge),
		cmocka_unit_test(test_rt_evidence),
		cmocka_unit_test(test_error_encode),
		cmocka_unit_test(test_reasons_store),
		cmocka_unit_test(test_encoders_refuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
