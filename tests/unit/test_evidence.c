/* test_evidence.c: the audit row hash, evidence signing and checking. */
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
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "auditchain.h"
#include "evidence.h"
#include "wg_err.h"

#define ID "3f6a1c0b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
#define ARCHIVE "{\"device_id\":\"" ID "\"}"

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* Golden values computed independently (Python hashlib). */
static void
test_auditchain_golden(void **state)
{
	const char *t1[6] = { "admin:uid=0", NULL, "approve", NULL,
	    "trusted", "" };
	const char *t2[6] = { "gateway", NULL, "start", NULL, NULL, NULL };
	char id[65];
	size_t l1[6], l2[6] = { 7, 0, 5, 0, 0, 0 };
	uint8_t prev[32], out[32];
	char h[65];
	int i;

	(void)state;
	memset(id, 0, sizeof(id));
	for (i = 0; i < 32; i++) {
		prev[i] = (uint8_t)i;
		memcpy(id + 2 * i, "ab", 2);
	}
	t1[1] = id;
	for (i = 0; i < 6; i++)
		l1[i] = t1[i] != NULL ? strlen(t1[i]) : 0;
	assert_int_equal(auditchain_hash(prev, 7, 1700000000, t1, l1, out,
	    NULL), 0);
	hex(out, 32, h);
	assert_string_equal(h, "8c4ce3500b9edd23b8048827b919c65e"
	    "6639707e3c25279483df5c1c7d2948c8");
	memset(prev, 0, sizeof(prev));
	assert_int_equal(auditchain_hash(prev, 1, -5, t2, l2, out, NULL), 0);
	hex(out, 32, h);
	assert_string_equal(h, "dbb10924a299e71cdcb3811dd2e734c9"
	    "144d86583c71da0841996914e359f00d");
}

static void
test_b64(void **state)
{
	static const uint8_t in[] = { 0xfb, 0xff, 0x00, 0x61, 0x62 };
	uint8_t *out = NULL;
	size_t n, k;
	char *s;

	(void)state;
	for (n = 0; n <= sizeof(in); n++) {
		assert_non_null(s = evidence_b64(in, n));
		assert_int_equal(evidence_unb64(s, strlen(s), &out, &k), 0);
		assert_int_equal(k, n);
		assert_memory_equal(out, in, n);
		free(out);
		free(s);
	}
	assert_string_equal((s = evidence_b64((const uint8_t *)"ab", 2)),
	    "YWI=");
	free(s);
	assert_int_equal(evidence_unb64("YWJ=", 4, &out, &k), WG_ERR_FORMAT);
	assert_int_equal(evidence_unb64("YWI", 3, &out, &k), WG_ERR_FORMAT);
	assert_int_equal(evidence_unb64("Y WI", 4, &out, &k), WG_ERR_FORMAT);
	assert_int_equal(evidence_unb64("Y===", 4, &out, &k), WG_ERR_FORMAT);
}

enum tamper {
	T_NONE,
	T_PASS,		/* a failed attestation marked passing */
	T_DETAIL,	/* an audit row's detail changed */
	T_ARCHIVE,	/* the archive changed */
	T_ROW,		/* an audit row removed */
	T_LINK,		/* a row's prev_hash not the previous hash */
};

static struct json_object *
audit_row(int64_t id, const char *action, const char *detail,
    const uint8_t prev[32], uint8_t hash[32], const char *fake_detail)
{
	struct json_object *o = json_object_new_object();
	const char *t[6] = { "admin:uid=0 role=admin", ID, action, NULL, NULL,
	    detail };
	size_t l[6];
	char h[65];
	int i;

	for (i = 0; i < 6; i++)
		l[i] = t[i] != NULL ? strlen(t[i]) : 0;
	assert_int_equal(auditchain_hash(prev, id, 1700000000 + id, t, l,
	    hash, NULL), 0);
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "at", json_object_new_int64(1700000000 +
	    id));
	json_object_object_add(o, "actor", json_object_new_string(t[0]));
	json_object_object_add(o, "device_id", json_object_new_string(ID));
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "before", NULL);
	json_object_object_add(o, "after", NULL);
	json_object_object_add(o, "detail", json_object_new_string(
	    fake_detail != NULL ? fake_detail : detail));
	hex(prev, 32, h);
	json_object_object_add(o, "prev_hash", json_object_new_string(h));
	hex(hash, 32, h);
	json_object_object_add(o, "hash", json_object_new_string(h));
	return o;
}

static struct json_object *
attestation(int64_t id, int pass)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "at", json_object_new_int64(1700000000));
	json_object_object_add(o, "pass", json_object_new_boolean(pass));
	json_object_object_add(o, "reasons", json_object_new_string("[]"));
	json_object_object_add(o, "release", pass ?
	    json_object_new_string("1.2") : NULL);
	json_object_object_add(o, "quote", json_object_new_string("AAEC"));
	json_object_object_add(o, "signature", json_object_new_string("AAEC"));
	return o;
}

/* A bundle of a decommissioned device, signed by key, into *file. */
static char *
make_file(EVP_PKEY *key, enum tamper t)
{
	struct json_object *b = json_object_new_object(), *o, *arr;
	uint8_t prev[32], h1[32], h2[32], h3[32], ah[32];
	unsigned int al = 0;
	char kid[EVIDENCE_KID_LEN], *pem, ahex[65], detail[160], hh[65];
	char *file = NULL, *ab;
	const char *arch = t == T_ARCHIVE ? ARCHIVE " " : ARCHIVE;

	assert_int_equal(EVP_Digest(ARCHIVE, strlen(ARCHIVE), ah, &al,
	    EVP_sha256(), NULL), 1);
	hex(ah, 32, ahex);
	json_object_object_add(b, "format",
	    json_object_new_string(EVIDENCE_FORMAT));
	assert_int_equal(evidence_key_id(key, kid, NULL), 0);
	assert_non_null(pem = evidence_pub_pem(key));
	o = json_object_new_object();
	json_object_object_add(o, "public_key", json_object_new_string(pem));
	json_object_object_add(o, "key_id", json_object_new_string(kid));
	json_object_object_add(b, "gateway", o);
	free(pem);
	o = json_object_new_object();
	json_object_object_add(o, "device_id", json_object_new_string(ID));
	json_object_object_add(o, "attest_count", json_object_new_int64(2));
	json_object_object_add(o, "fail_count", json_object_new_int64(1));
	json_object_object_add(b, "device", o);
	arr = json_object_new_array();
	json_object_array_add(arr, attestation(5, 1));
	json_object_array_add(arr, attestation(9, t == T_PASS));
	json_object_object_add(b, "attestations", arr);
	json_object_object_add(b, "release_history", json_object_new_array());
	json_object_object_add(b, "policies", json_object_new_array());
	o = json_object_new_object();
	ab = evidence_b64((const uint8_t *)arch, strlen(arch));
	json_object_object_add(o, "archive", json_object_new_string(ab));
	free(ab);
	json_object_object_add(o, "archive_sha256",
	    json_object_new_string(ahex));
	json_object_object_add(b, "decommission", o);

	memset(prev, 0x11, sizeof(prev));
	arr = json_object_new_array();
	json_object_array_add(arr, audit_row(3, "enroll", "first", prev, h1,
	    t == T_DETAIL ? "second" : NULL));
	if (t != T_ROW)
		json_object_array_add(arr, audit_row(4, "state", "quarantined",
		    t == T_LINK ? prev : h1, h2, NULL));
	else
		json_object_put(audit_row(4, "state", "quarantined", h1, h2,
		    NULL));
	snprintf(detail, sizeof(detail), "retired; archive sha256 %s", ahex);
	json_object_array_add(arr, audit_row(5, "decommission", detail, h2, h3,
	    NULL));
	o = json_object_new_object();
	json_object_object_add(o, "rows", arr);
	json_object_object_add(o, "count", json_object_new_int64(3));
	arr = json_object_new_object();
	json_object_object_add(arr, "id", json_object_new_int64(5));
	hex(h3, 32, hh);
	json_object_object_add(arr, "hash", json_object_new_string(hh));
	json_object_object_add(o, "head", arr);
	json_object_object_add(b, "audit", o);
	assert_int_equal(evidence_sign(b, key, &file, NULL), 0);
	json_object_put(b);
	return file;
}

static int
bad_part(const struct evidence_report *rep, const char *part)
{
	size_t i;

	for (i = 0; i < rep->nnotes; i++)
		if (rep->notes[i].bad && strcmp(rep->notes[i].part, part) == 0)
			return 1;
	return 0;
}

static void
test_verify(void **state)
{
	static const struct {
		enum tamper t;
		const char *part;
	} cases[] = {
		{ T_PASS, "attestations" },
		{ T_DETAIL, "audit" },
		{ T_ARCHIVE, "decommission" },
		{ T_ROW, "audit" },
		{ T_LINK, "audit" },
	};
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	struct evidence_report *rep = calloc(1, sizeof(*rep));
	char *file;
	size_t i;

	(void)state;
	assert_non_null(key);
	assert_non_null(other);
	assert_non_null(rep);
	file = make_file(key, T_NONE);
	assert_int_equal(evidence_verify(file, strlen(file), key, rep, NULL),
	    0);
	for (i = 0; i < rep->nnotes; i++)
		if (rep->notes[i].bad)
			fprintf(stderr, "%s: %s\n", rep->notes[i].part,
			    rep->notes[i].text);
	assert_int_equal(rep->nbad, 0);
	assert_true(rep->signature_ok);
	assert_true(rep->key_pinned);
	assert_true(rep->decommissioned);
	assert_int_equal(rep->audit_rows, 3);
	assert_string_equal(rep->device_id, ID);

	/* Another pinned key. */
	assert_int_equal(evidence_verify(file, strlen(file), other, rep,
	    NULL), 0);
	assert_true(bad_part(rep, "key"));
	assert_false(rep->key_pinned);

	/* A changed byte in the signed text. */
	{
		char *p = strstr(file, "quarantined");

		assert_non_null(p);
		p[0] = 'Q';
		assert_int_equal(evidence_verify(file, strlen(file), NULL, rep,
		    NULL), 0);
		assert_true(bad_part(rep, "signature"));
		assert_true(bad_part(rep, "audit"));
	}
	free(file);

	/* Each tamper, even re-signed, names its part. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		file = make_file(key, cases[i].t);
		assert_int_equal(evidence_verify(file, strlen(file), key, rep,
		    NULL), 0);
		assert_true(rep->signature_ok);
		assert_true(bad_part(rep, cases[i].part));
		free(file);
	}

	/* Not an evidence file. */
	assert_int_equal(evidence_verify("{}", 2, NULL, rep, NULL),
	    WG_ERR_FORMAT);
	assert_int_equal(evidence_verify("[", 1, NULL, rep, NULL),
	    WG_ERR_JSON);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	free(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auditchain_golden),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
