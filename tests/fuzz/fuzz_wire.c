/*
 * fuzz_wire.c: every decoder of the agent protocol's JSON (lib/wire.c).
 *
 * The input goes to each decoder. Whatever decodes is encoded, decoded
 * again and encoded again: the second decode must succeed and give the
 * same fields (compared byte for byte, blobs by content), the two texts
 * must be equal. The input is also laid over the messages without blobs
 * as raw structs: an encoder may refuse such garbage, but what it writes
 * must decode and re-encode to the same text. Any breach aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define MAX_BLOBS	8

typedef int (*dec_fn)(const char *, size_t, void *, struct wg_diag *);
typedef char *(*enc_fn)(const void *);
typedef void (*free_fn)(void *);
/* Lists the blobs of m. */
typedef unsigned (*blobs_fn)(void *, struct wire_blob **);

struct fmsg {
	size_t size;
	dec_fn dec;
	enc_fn enc;
	free_fn release;
	blobs_fn blobs;
};

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

	/* a raw struct may lack its NULs: the encoder takes C strings */
	if (memchr(e->error, '\0', sizeof(e->error)) == NULL ||
	    memchr(e->message, '\0', sizeof(e->message)) == NULL)
		return NULL;
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

static unsigned
blobs_enroll_req(void *p, struct wire_blob **b)
{
	struct wire_enroll_req *m = p;

	b[0] = &m->ek_pub;
	b[1] = &m->ek_cert;
	b[2] = &m->ak_pub;
	return 3;
}

static unsigned
blobs_enroll_resp(void *p, struct wire_blob **b)
{
	struct wire_enroll_resp *m = p;

	b[0] = &m->credential_blob;
	b[1] = &m->encrypted_secret;
	return 2;
}

static unsigned
blobs_activate_req(void *p, struct wire_blob **b)
{
	struct wire_activate_req *m = p;

	b[0] = &m->secret;
	return 1;
}

static unsigned
blobs_evidence_req(void *p, struct wire_blob **b)
{
	struct wire_evidence_req *m = p;

	b[0] = &m->quote;
	b[1] = &m->signature;
	b[2] = &m->eventlog;
	return 3;
}

#define FMSG(m, rel, bl)	{ sizeof(struct wire_##m), dec_##m, enc_##m, \
				  rel, bl }
static const struct fmsg msgs[] = {
	FMSG(enroll_req, free_enroll_req, blobs_enroll_req),
	FMSG(enroll_resp, free_enroll_resp, blobs_enroll_resp),
	FMSG(activate_req, free_activate_req, blobs_activate_req),
	FMSG(activate_resp, NULL, NULL),
	FMSG(challenge_req, NULL, NULL),
	FMSG(challenge_resp, NULL, NULL),
	FMSG(evidence_req, free_evidence_req, blobs_evidence_req),
	FMSG(evidence_resp, NULL, NULL),
	FMSG(error, NULL, NULL),
};

/* a and b decoded the same fields: blobs by content, the rest by bytes. */
static void
same(const struct fmsg *f, void *a, void *b)
{
	struct wire_blob *ba[MAX_BLOBS], *bb[MAX_BLOBS];
	uint8_t *pa[MAX_BLOBS], *pb[MAX_BLOBS];
	unsigned n = 0, i;

	if (f->blobs != NULL) {
		n = f->blobs(a, ba);
		CHECK(f->blobs(b, bb) == n);
	}
	for (i = 0; i < n; i++) {
		CHECK(ba[i]->len == bb[i]->len);
		CHECK((ba[i]->p == NULL) == (bb[i]->p == NULL));
		CHECK(ba[i]->len == 0 || memcmp(ba[i]->p, bb[i]->p,
		    ba[i]->len) == 0);
		pa[i] = ba[i]->p;
		pb[i] = bb[i]->p;
		ba[i]->p = bb[i]->p = NULL;
	}
	CHECK(memcmp(a, b, f->size) == 0);
	for (i = 0; i < n; i++) {
		ba[i]->p = pa[i];
		bb[i]->p = pb[i];
	}
}

/* e1 (owned) must decode, match a if given, and re-encode to itself. */
static void
again(const struct fmsg *f, char *e1, void *a)
{
	void *b;
	char *e2;

	CHECK(e1 != NULL);
	CHECK((b = malloc(f->size)) != NULL);
	memset(b, 0x5a, f->size);
	CHECK(f->dec(e1, strlen(e1), b, NULL) == 0);
	if (a != NULL)
		same(f, a, b);
	e2 = f->enc(b);
	CHECK(e2 != NULL);
	CHECK(strcmp(e1, e2) == 0);
	free(e2);
	if (f->release != NULL)
		f->release(b);
	free(b);
	free(e1);
}

static void
decode_all(const char *data, size_t size)
{
	const struct fmsg *f;
	struct wg_diag d;
	void *a;
	size_t i;
	int r;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		f = &msgs[i];
		CHECK((a = malloc(f->size)) != NULL);
		memset(a, 0xa5, f->size);
		wg_diag_clear(&d);
		r = f->dec(data, size, a, &d);
		CHECK(r <= 0);
		if (r == 0) {
			CHECK(d.err == 0);
			again(f, f->enc(a), a);
			if (f->release != NULL)
				f->release(a);
		} else {
			CHECK(d.err == r);
			CHECK(memchr(d.detail, '\0', sizeof(d.detail)) != NULL);
		}
		free(a);
	}
}

static void
reasons(const uint8_t *data, size_t size)
{
	struct wire_reason r[WIRE_MAX_REASONS], s[WIRE_MAX_REASONS];
	unsigned n = 0, m = 0;
	char *text, *e1, *e2;

	if ((text = malloc(size + 1)) == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(r, 0, sizeof(r));
	memset(s, 0, sizeof(s));
	if (wire_reasons_decode(text, r, &n, NULL) == 0) {
		CHECK(n <= WIRE_MAX_REASONS);
		CHECK((e1 = wire_reasons_encode(r, n)) != NULL);
		CHECK(wire_reasons_decode(e1, s, &m, NULL) == 0);
		CHECK(m == n && memcmp(r, s, sizeof(r)) == 0);
		CHECK((e2 = wire_reasons_encode(s, m)) != NULL);
		CHECK(strcmp(e1, e2) == 0);
		free(e1);
		free(e2);
	}
	free(text);
}

/* The input as a raw struct of the messages that hold no pointers. */
static void
raw_structs(const uint8_t *data, size_t size)
{
	const struct fmsg *f;
	void *a;
	size_t i;
	char *e;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		f = &msgs[i];
		if (f->blobs != NULL)
			continue;
		CHECK((a = calloc(1, f->size)) != NULL);
		memcpy(a, data, size < f->size ? size : f->size);
		if ((e = f->enc(a)) != NULL)
			again(f, e, NULL);
		free(a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_all((const char *)data, size);
	reasons(data, size);
	raw_structs(data, size);
	return 0;
}
