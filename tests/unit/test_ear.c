/* test_ear.c: EAR claims, AR4SI vectors, JWS ES256 signing and checking. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ear.h"
#include "wg_err.h"

#define ID "3f6a1c0b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"

static EVP_PKEY *
p256(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* A trusted device with a matched release under a policy. */
static void
dev_trusted(struct ear_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	dev->id = ID;
	dev->name = "infusion-7";
	dev->model = "pump-x";
	dev->state = "trusted";
	dev->reasons = "[]";
	dev->release = "2.4.1";
	dev->policy_issuer = "vendor-x";
	dev->policy_version = 7;
	dev->enrolled = 1;
	dev->ek_trusted = 1;
	dev->last_attest_at = 1700000000;
	dev->last_good_at = 1700000000;
}

static char *
sign_dev(EVP_PKEY *k, const struct ear_device *dev)
{
	struct json_object *c = ear_claims_new(1700000100, "wardgate test");
	char *jwt = NULL;

	assert_non_null(c);
	assert_int_equal(ear_claims_add(c, dev, NULL), 0);
	assert_int_equal(ear_sign(c, k, &jwt, NULL), 0);
	json_object_put(c);
	return jwt;
}

static struct json_object *
submod(struct json_object *claims, const char *id)
{
	struct json_object *s, *m;

	assert_true(json_object_object_get_ex(claims, "submods", &s));
	assert_true(json_object_object_get_ex(s, id, &m));
	return m;
}

static int
tv(struct json_object *m, const char *claim)
{
	struct json_object *v, *x;

	assert_true(json_object_object_get_ex(m,
	    "ear.trustworthiness-vector", &v));
	if (!json_object_object_get_ex(v, claim, &x))
		return 0;
	return json_object_get_int(x);
}

static const char *
status(struct json_object *m)
{
	return json_object_get_string(json_object_object_get(m, "ear.status"));
}

static void
test_round_trip(void **state)
{
	EVP_PKEY *k = p256();
	struct ear_device dev;
	struct json_object *claims = NULL, *m, *vid;
	char *jwt;

	(void)state;
	dev_trusted(&dev);
	jwt = sign_dev(k, &dev);
	assert_int_equal(ear_verify(jwt, strlen(jwt), k, &claims, NULL), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    claims, "eat_profile")), EAR_PROFILE);
	assert_int_equal(json_object_get_int64(json_object_object_get(claims,
	    "iat")), 1700000100);
	assert_true(json_object_object_get_ex(claims, "ear.verifier-id", &vid));
	assert_string_equal(json_object_get_string(json_object_object_get(vid,
	    "build")), "wardgate test");
	m = submod(claims, ID);
	assert_string_equal(status(m), "affirming");
	assert_int_equal(tv(m, "instance-identity"), 2);
	assert_int_equal(tv(m, "hardware"), 2);
	assert_int_equal(tv(m, "executables"), 3);
	assert_int_equal(tv(m, "configuration"), 2);
	assert_int_equal(tv(m, "file-system"), 0);
	assert_int_equal(tv(m, "runtime-opaque"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(m,
	    "ear.appraisal-policy-id")), "policy:wardgate/vendor-x/7");
	json_object_put(claims);
	/* A final newline (a file) is accepted. */
	{
		size_t n = strlen(jwt);
		char *nl = malloc(n + 2);

		memcpy(nl, jwt, n);
		memcpy(nl + n, "\n", 2);
		claims = NULL;
		assert_int_equal(ear_verify(nl, n + 1, k, &claims, NULL), 0);
		json_object_put(claims);
		free(nl);
	}
	free(jwt);
	EVP_PKEY_free(k);
}

static void
test_tampered_and_wrong_key(void **state)
{
	EVP_PKEY *k = p256(), *other = p256();
	struct ear_device dev;
	struct json_object *claims = NULL;
	struct wg_diag d;
	char *jwt, *dot;
	size_t i;

	(void)state;
	dev_trusted(&dev);
	jwt = sign_dev(k, &dev);
	assert_int_equal(ear_verify(jwt, strlen(jwt), other, &claims, &d),
	    WG_ERR_SIGNATURE);
	assert_null(claims);
	/* One payload character changed (still base64url). */
	dot = strchr(jwt, '.');
	i = (size_t)(dot - jwt) + 10;
	jwt[i] = jwt[i] == 'A' ? 'B' : 'A';
	assert_int_equal(ear_verify(jwt, strlen(jwt), k, &claims, &d),
	    WG_ERR_SIGNATURE);
	assert_null(claims);
	free(jwt);
	/* One signature character changed. */
	jwt = sign_dev(k, &dev);
	i = strlen(jwt) - 10;
	jwt[i] = jwt[i] == 'A' ? 'B' : 'A';
	assert_int_equal(ear_verify(jwt, strlen(jwt), k, &claims, &d),
	    WG_ERR_SIGNATURE);
	free(jwt);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

/* base64url without padding of s (test helper). */
static char *
b64url(const void *s, size_t n)
{
	char *out = malloc(n / 3 * 4 + 8), *p;
	int len = EVP_EncodeBlock((unsigned char *)out, s, (int)n);

	out[len] = '\0';
	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
	for (p = out; *p != '\0'; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

/* A token with header hdr over the payload of good, signature sig. */
static char *
forge(const char *good, const char *hdr, const char *sig)
{
	char *h = b64url(hdr, strlen(hdr)), *t;
	const char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
	size_t pl = (size_t)(dot2 - dot1);

	t = malloc(strlen(h) + pl + strlen(sig) + 3);
	sprintf(t, "%s%.*s.%s", h, (int)pl, dot1, sig);
	free(h);
	return t;
}

static void
test_alg_refused(void **state)
{
	static const char *const hdrs[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"es256\"}",
		"{\"alg\":\"ES384\"}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":\"ES256\",\"crit\":[\"b64\"]}",
		"{\"alg\":\"ES256\",\"jwk\":{}}",
		"{\"alg\":[\"ES256\"]}",
	};
	EVP_PKEY *k = p256();
	struct ear_device dev;
	struct json_object *claims = NULL;
	struct wg_diag d;
	uint8_t mac[32];
	unsigned int maclen = 0;
	char *good, *t, *sig, *in;
	size_t i;

	(void)state;
	dev_trusted(&dev);
	good = sign_dev(k, &dev);
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		/* alg none: empty signature; the others: the real one. */
		t = forge(good, hdrs[i], i == 0 ? "" : strrchr(good, '.') + 1);
		assert_int_not_equal(ear_verify(t, strlen(t), k, &claims, &d),
		    0);
		assert_null(claims);
		if (i < 4)
			assert_int_equal(d.err, WG_ERR_UNSUPPORTED);
		free(t);
	}
	/* HS256 with a 32-byte tag (a digest stands in for the HMAC). */
	t = forge(good, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "");
	in = strndup(t, strlen(t) - 1);
	assert_int_equal(EVP_Digest(in, strlen(in), mac, &maclen,
	    EVP_sha256(), NULL), 1);
	sig = b64url(mac, maclen);
	free(t);
	t = malloc(strlen(in) + strlen(sig) + 2);
	assert_non_null(t);
	sprintf(t, "%s.%s", in, sig);
	assert_int_equal(ear_verify(t, strlen(t), k, &claims, &d),
	    WG_ERR_UNSUPPORTED);
	free(t);
	free(in);
	free(sig);
	free(good);
	EVP_PKEY_free(k);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "...", "a.b", "a.b.c.d",
		"eyJhbGciOiJFUzI1NiJ9.e30=.AAAA",
		"eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
		"eyJhbGciOiJFUzI1NiJ9 .e30.AAAA",
		"eyJhbGciOiJFUzI1NiJ9.e30.A",
		"e30.e30.AAAA",
		"W10.e30.AAAA",
	};
	EVP_PKEY *k = p256();
	struct json_object *claims = NULL;
	char *big;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(ear_verify(bad[i], strlen(bad[i]), k,
		    &claims, NULL), 0);
		assert_null(claims);
	}
	big = malloc(EAR_TOKEN_MAX + 2);
	memset(big, 'A', EAR_TOKEN_MAX + 1);
	big[EAR_TOKEN_MAX + 1] = '\0';
	assert_int_equal(ear_verify(big, EAR_TOKEN_MAX + 1, k, &claims, NULL),
	    WG_ERR_TOO_LARGE);
	free(big);
	EVP_PKEY_free(k);
}

/* The vector and status for a device in state with reasons. */
static void
appraise(const char *state, const char *reasons, int v[EAR_NCLAIMS],
    int *st)
{
	struct ear_device dev;

	dev_trusted(&dev);
	dev.state = state;
	dev.reasons = reasons;
	if (strcmp(state, "trusted") != 0) {
		dev.release = "";
		dev.last_good_at = 1600000000;
	}
	ear_appraise(&dev, v, st);
}

static void
test_mapping(void **state)
{
	int v[EAR_NCLAIMS], st;
	struct ear_device dev;

	(void)state;
	appraise("untrusted", "[{\"code\":\"POLICY_BOOT_APP\",\"message\":\"x\"},"
	    "{\"code\":\"POLICY_NO_RELEASE\",\"message\":\"y\"}]", v, &st);
	assert_int_equal(st, EAR_CONTRAINDICATED);
	assert_int_equal(v[EAR_EXECUTABLES], 96);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 2);
	assert_int_equal(v[EAR_HARDWARE], 2);
	appraise("untrusted", "[{\"code\":\"POLICY_SECURE_BOOT\"}]", v, &st);
	assert_int_equal(v[EAR_CONFIGURATION], 96);
	assert_int_equal(v[EAR_EXECUTABLES], 0);
	appraise("untrusted", "[{\"code\":\"PCR_MISMATCH\"},"
	    "{\"code\":\"QUOTE_PCR_DIGEST\"}]", v, &st);
	assert_int_equal(st, EAR_CONTRAINDICATED);
	assert_int_equal(v[EAR_EXECUTABLES], 99);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 2);
	appraise("untrusted", "[{\"code\":\"SIGNATURE\"}]", v, &st);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 99);
	appraise("untrusted", "[{\"code\":\"EVLOG_TRUNCATED\"}]", v, &st);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 0);
	assert_int_equal(v[EAR_EXECUTABLES], 99);
	appraise("untrusted", "[{\"code\":\"POLICY_REVOKED\"}]", v, &st);
	assert_int_equal(v[EAR_EXECUTABLES], 96);
	appraise("trusted", "[{\"code\":\"POLICY_DEPRECATED\"}]", v, &st);
	assert_int_equal(st, EAR_WARNING);
	assert_int_equal(v[EAR_EXECUTABLES], 32);
	appraise("pending", "[]", v, &st);
	assert_int_equal(st, EAR_NONE);
	assert_int_equal(v[EAR_EXECUTABLES], 0);
	appraise("stale", "[]", v, &st);
	assert_int_equal(st, EAR_NONE);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 0);
	assert_int_equal(v[EAR_HARDWARE], 2);
	/* A legacy device (no TPM) has nothing to appraise: no claim. */
	appraise("legacy", "[]", v, &st);
	assert_int_equal(st, EAR_NONE);
	assert_int_equal(v[EAR_EXECUTABLES], 0);
	assert_int_equal(v[EAR_CONFIGURATION], 0);
	appraise("decommissioned", "[]", v, &st);
	assert_int_equal(st, EAR_CONTRAINDICATED);
	assert_int_equal(v[EAR_INSTANCE_IDENTITY], 96);
	/* The EK no longer chains (CA bundle changed): not affirmed. */
	dev_trusted(&dev);
	dev.ek_trusted = 0;
	ear_appraise(&dev, v, &st);
	assert_int_equal(v[EAR_HARDWARE], 97);
	assert_int_equal(st, EAR_CONTRAINDICATED);
	/* No policy for the model (policy_required = no): no claim. */
	dev_trusted(&dev);
	dev.policy_issuer = NULL;
	dev.release = "";
	ear_appraise(&dev, v, &st);
	assert_int_equal(st, EAR_AFFIRMING);
	assert_int_equal(v[EAR_EXECUTABLES], 0);
	assert_int_equal(v[EAR_CONFIGURATION], 0);
	assert_string_equal(ear_status_name(96), "contraindicated");
	assert_string_equal(ear_claim_name(EAR_SOURCED_DATA), "sourced-data");
	assert_null(ear_claim_name(EAR_NCLAIMS));
}

static void
write_key(const char *path, EVP_PKEY *k, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_key_load(void **state)
{
	char dir[] = "/tmp/wg-ear-XXXXXX", path[64], pub[64];
	EVP_PKEY *k = p256(), *k384 = EVP_EC_gen("P-384"), *got = NULL;
	struct wg_diag d;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ear.key", dir);
	snprintf(pub, sizeof(pub), "%s/ear.pub", dir);
	write_key(path, k, 0600);
	assert_int_equal(ear_key_load(path, &got, &d), 0);
	EVP_PKEY_free(got);
	got = NULL;
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(ear_key_load(path, &got, &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "chmod 600"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(ear_key_load(path, &got, &d), WG_ERR_CONFIG);
	write_key(path, k384, 0600);
	assert_int_equal(ear_key_load(path, &got, &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "P-256"));
	assert_int_equal(ear_key_load("/nonexistent/ear.key", &got, &d),
	    WG_ERR_CONFIG);
	assert_int_equal(ear_key_load(dir, &got, &d), WG_ERR_CONFIG);
	assert_null(got);
	f = fopen(pub, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
	assert_int_equal(ear_pubkey_load(pub, &got, &d), 0);
	EVP_PKEY_free(got);
	unlink(path);
	unlink(pub);
	rmdir(dir);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k384);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampered_and_wrong_key),
		cmocka_unit_test(test_alg_refused),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_key_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
