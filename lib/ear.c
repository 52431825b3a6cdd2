/*
 * ear.c: EAR claims with AR4SI trustworthiness vectors, signed and
 * verified as compact JWS ES256. The token's parts are read with bounded
 * lengths, strict base64url and the JSON caps of sjson.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "b64.h"
#include "ear.h"
#include "sjson.h"

#define EAR_SIG_LEN 64			/* r || s, 32 bytes each */
#define EAR_REASONS_MAX 64		/* codes read from one device */

static const char *const ear_claims[EAR_NCLAIMS] = {
	"instance-identity", "configuration", "executables", "file-system",
	"hardware", "runtime-opaque", "storage-opaque", "sourced-data",
};

const char *
ear_claim_name(enum ear_claim c)
{
	return (unsigned)c < EAR_NCLAIMS ? ear_claims[c] : NULL;
}

/* 0 no claim, 1 affirming, 2 warning, 3 contraindicated. */
static int
ear_tier(int v)
{
	if (v >= 96)
		return 3;
	if (v >= 32)
		return 2;
	if (v != 0)
		return 1;
	return 0;
}

const char *
ear_status_name(int status)
{
	static const char *const names[] = { "none", "affirming", "warning",
	    "contraindicated" };

	return names[ear_tier(status)];
}

/* The worse of two claim values: higher tier, then the higher value. */
static int
ear_worse(int a, int b)
{
	if (ear_tier(a) != ear_tier(b))
		return ear_tier(a) > ear_tier(b) ? a : b;
	return a > b ? a : b;
}

/*
 * What each verdict code says about the vector. post_sig: the code comes
 * from a check made after the quote's signature verified with the bound
 * AK (quote_check() order, then the clock and the policy appraisal).
 */
struct ear_map {
	const char *code;
	int claim;		/* -1: none */
	int value;
	int claim2, value2;
	int post_sig;
};

static const struct ear_map ear_map[] = {
	{ "SIGNATURE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "SIG_DECODE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "SIG_SCHEME", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "AK_DECODE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "AK_UNSUPPORTED", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "AK_ATTRIBUTES", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "QUOTE_DECODE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "QUOTE_MAGIC", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "QUOTE_TYPE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "QUOTE_NONCE", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "CLOCK_ROLLBACK", EAR_INSTANCE_IDENTITY, 99, -1, 0, 0 },
	{ "ACTIVATION_FAILED", EAR_INSTANCE_IDENTITY, 96, -1, 0, 0 },
	{ "EK_MISMATCH", EAR_INSTANCE_IDENTITY, 96, -1, 0, 0 },
	{ "EK_BLOCKED", EAR_INSTANCE_IDENTITY, 96, -1, 0, 0 },
	{ "DEVICE_DECOMMISSIONED", EAR_INSTANCE_IDENTITY, 96, -1, 0, 0 },
	{ "EK_CERT_UNTRUSTED", EAR_HARDWARE, 97, -1, 0, 0 },
	{ "QUOTE_PCR_SELECT", EAR_EXECUTABLES, 33, -1, 0, 1 },
	{ "QUOTE_PCR_DIGEST", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 1 },
	{ "QUOTE_PCR_MISSING", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 1 },
	{ "PCR_MISMATCH", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 1 },
	{ "EVLOG_EMPTY", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_TOO_LARGE", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_TOO_MANY", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_TRUNCATED", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_SPECID", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_DIGEST", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_EVENT", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_DATA", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVLOG_BANK", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "EVENTLOG_HASH", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 0 },
	{ "POLICY_DATA", EAR_EXECUTABLES, 99, EAR_CONFIGURATION, 99, 1 },
	{ "POLICY_NO_MODEL", EAR_EXECUTABLES, 33, -1, 0, 1 },
	{ "POLICY_NO_RELEASE", EAR_EXECUTABLES, 33, -1, 0, 1 },
	{ "POLICY_SCRTM", EAR_HARDWARE, 96, -1, 0, 1 },
	{ "POLICY_FIRMWARE", EAR_EXECUTABLES, 96, -1, 0, 1 },
	{ "POLICY_BOOT_APP", EAR_EXECUTABLES, 96, -1, 0, 1 },
	{ "POLICY_DRIVER", EAR_EXECUTABLES, 96, -1, 0, 1 },
	{ "POLICY_REVOKED", EAR_EXECUTABLES, 96, -1, 0, 1 },
	{ "POLICY_EXPIRED", EAR_EXECUTABLES, 96, -1, 0, 1 },
	{ "POLICY_DEPRECATED", EAR_EXECUTABLES, 32, -1, 0, 1 },
	{ "POLICY_SECURE_BOOT", EAR_CONFIGURATION, 96, -1, 0, 1 },
	{ "POLICY_VARIABLE", EAR_CONFIGURATION, 96, -1, 0, 1 },
	{ "POLICY_PCR", EAR_CONFIGURATION, 96, -1, 0, 1 },
};

static const struct ear_map *
ear_map_find(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(ear_map) / sizeof(ear_map[0]); i++)
		if (strcmp(ear_map[i].code, code) == 0)
			return &ear_map[i];
	return NULL;
}

/* The codes of a reasons array (at most max; borrowed from arr). */
static size_t
ear_codes(struct json_object *arr, const char **codes, size_t max)
{
	size_t i, n = 0, len;
	struct json_object *c;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return 0;
	len = json_object_array_length(arr);
	for (i = 0; i < len && n < max; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(arr,
		    i), "code", &c) && json_object_is_type(c, json_type_string))
			codes[n++] = json_object_get_string(c);
	return n;
}

static int
ear_state_is(const struct ear_device *dev, const char *s)
{
	return dev->state != NULL && strcmp(dev->state, s) == 0;
}

/* The vector from the codes (n of them); ear_appraise() without parsing. */
static void
ear_vector(const struct ear_device *dev, const char **codes, size_t n,
    int v[EAR_NCLAIMS], int *status)
{
	const struct ear_map *m;
	int post_sig = 1, tier = 0, affirmable;
	size_t i;

	memset(v, 0, sizeof(int) * EAR_NCLAIMS);
	for (i = 0; i < n; i++) {
		if ((m = ear_map_find(codes[i])) == NULL) {
			post_sig = 0;
			continue;
		}
		post_sig &= m->post_sig;
		if (m->claim >= 0)
			v[m->claim] = ear_worse(v[m->claim], m->value);
		if (m->claim2 >= 0)
			v[m->claim2] = ear_worse(v[m->claim2], m->value2);
	}
	/* The TPM: its EK certificate chains to a trusted manufacturer. */
	if (dev->enrolled)
		v[EAR_HARDWARE] = ear_worse(v[EAR_HARDWARE],
		    dev->ek_trusted ? 2 : 97);
	/* The instance: enrolled, and the last quote verified with its AK. */
	if (dev->enrolled && dev->last_attest_at > 0 && post_sig &&
	    v[EAR_INSTANCE_IDENTITY] == 0)
		v[EAR_INSTANCE_IDENTITY] = dev->ek_trusted ? 2 : 97;
	affirmable = ear_state_is(dev, "trusted") && dev->last_good_at > 0 &&
	    dev->last_good_at >= dev->last_attest_at;
	if (affirmable && dev->policy_issuer != NULL &&
	    dev->release != NULL && dev->release[0] != '\0') {
		/* Boot-time measurements only: 3, not 2 (no runtime IMA). */
		v[EAR_EXECUTABLES] = ear_worse(v[EAR_EXECUTABLES], 3);
		v[EAR_CONFIGURATION] = ear_worse(v[EAR_CONFIGURATION], 2);
	}
	if (ear_state_is(dev, "decommissioned"))
		v[EAR_INSTANCE_IDENTITY] = 96;
	if (ear_state_is(dev, "vulnerable"))
		v[EAR_EXECUTABLES] = ear_worse(v[EAR_EXECUTABLES], 32);
	if (ear_state_is(dev, "stale") || ear_state_is(dev, "pending") ||
	    ear_state_is(dev, "legacy")) {
		/* Nothing fresh (stale), nothing appraised yet (pending) or
		 * nothing that can be (legacy: no TPM). */
		if (ear_state_is(dev, "stale"))
			v[EAR_INSTANCE_IDENTITY] = 0;
		v[EAR_EXECUTABLES] = 0;
		v[EAR_CONFIGURATION] = 0;
		*status = EAR_NONE;
		return;
	}
	for (i = 0; i < EAR_NCLAIMS; i++)
		if (ear_tier(v[i]) > tier)
			tier = ear_tier(v[i]);
	if (affirmable)
		*status = tier >= 3 ? EAR_CONTRAINDICATED : tier == 2 ?
		    EAR_WARNING : EAR_AFFIRMING;
	else
		*status = EAR_CONTRAINDICATED;
}

void
ear_appraise(const struct ear_device *dev, int vector[EAR_NCLAIMS],
    int *status)
{
	struct json_object *arr = NULL;
	const char *codes[EAR_REASONS_MAX];
	size_t n = 0;

	if (dev->reasons != NULL && (arr = json_tokener_parse(dev->reasons)))
		n = ear_codes(arr, codes, EAR_REASONS_MAX);
	ear_vector(dev, codes, n, vector, status);
	json_object_put(arr);
}

struct json_object *
ear_claims_new(int64_t iat, const char *build)
{
	struct json_object *o, *vid;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((vid = json_object_new_object()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "eat_profile",
	    json_object_new_string(EAR_PROFILE));
	json_object_object_add(o, "iat", json_object_new_int64(iat));
	json_object_object_add(vid, "build", json_object_new_string(build));
	json_object_object_add(vid, "developer",
	    json_object_new_string(EAR_DEVELOPER));
	json_object_object_add(o, "ear.verifier-id", vid);
	json_object_object_add(o, "submods", json_object_new_object());
	return o;
}

int
ear_claims_add(struct json_object *claims, const struct ear_device *dev,
    struct wg_diag *d)
{
	struct json_object *submods, *sm = NULL, *tv, *rs, *arr = NULL;
	const char *codes[EAR_REASONS_MAX];
	char pid[512];
	int v[EAR_NCLAIMS], status;
	size_t i, n = 0;

	if (!json_object_object_get_ex(claims, "submods", &submods) ||
	    dev->id == NULL || dev->id[0] == '\0')
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "no submods or id");
	if (dev->reasons != NULL && (arr = json_tokener_parse(dev->reasons)))
		n = ear_codes(arr, codes, EAR_REASONS_MAX);
	ear_vector(dev, codes, n, v, &status);
	if ((sm = json_object_new_object()) == NULL ||
	    (tv = json_object_new_object()) == NULL ||
	    (rs = json_object_new_array()) == NULL) {
		json_object_put(sm);
		json_object_put(arr);
		return wg_diag_set(d, WG_ERR_ALLOC, "EAR submod");
	}
	json_object_object_add(sm, "ear.status",
	    json_object_new_string(ear_status_name(status)));
	for (i = 0; i < EAR_NCLAIMS; i++)
		if (v[i] != 0)
			json_object_object_add(tv, ear_claims[i],
			    json_object_new_int(v[i]));
	json_object_object_add(sm, "ear.trustworthiness-vector", tv);
	if (dev->policy_issuer != NULL)
		snprintf(pid, sizeof(pid), "policy:wardgate/%.200s/%llu",
		    dev->policy_issuer,
		    (unsigned long long)dev->policy_version);
	else
		snprintf(pid, sizeof(pid), "policy:wardgate/none");
	json_object_object_add(sm, "ear.appraisal-policy-id",
	    json_object_new_string(pid));
	/* wardgate's own view, for people reading the token. */
	json_object_object_add(sm, "wardgate.name",
	    json_object_new_string(dev->name != NULL ? dev->name : ""));
	json_object_object_add(sm, "wardgate.model",
	    json_object_new_string(dev->model != NULL ? dev->model : ""));
	json_object_object_add(sm, "wardgate.state",
	    json_object_new_string(dev->state != NULL ? dev->state : ""));
	if (dev->release != NULL && dev->release[0] != '\0')
		json_object_object_add(sm, "wardgate.release",
		    json_object_new_string(dev->release));
	if (ear_state_is(dev, "pending"))
		json_object_array_add(rs, json_object_new_string("PENDING"));
	if (ear_state_is(dev, "stale"))
		json_object_array_add(rs, json_object_new_string("STALE"));
	for (i = 0; i < n; i++)
		json_object_array_add(rs, json_object_new_string(codes[i]));
	json_object_object_add(sm, "wardgate.reasons", rs);
	if (dev->last_attest_at > 0)
		json_object_object_add(sm, "wardgate.last-attestation",
		    json_object_new_int64(dev->last_attest_at));
	if (dev->last_good_at > 0)
		json_object_object_add(sm, "wardgate.last-good-attestation",
		    json_object_new_int64(dev->last_good_at));
	json_object_put(arr);	/* after the codes were copied into rs */
	json_object_object_add(submods, dev->id, sm);
	return 0;
}

/* ---- keys ---- */

static int
ear_key_p256(EVP_PKEY *k)
{
	char group[64];
	size_t glen = 0;

	return k != NULL && EVP_PKEY_is_a(k, "EC") &&
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) == 1 &&
	    strcmp(group, SN_X9_62_prime256v1) == 0;
}

static int
ear_load(const char *path, int private, EVP_PKEY **out, struct wg_diag *d)
{
	const char *what = private ? "ear_key" : "EAR public key";
	EVP_PKEY *k = NULL;
	struct stat st;
	FILE *f = NULL;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: %s", what,
		    path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: not a regular "
		    "file", what, path);
		close(fd);
		return r;
	}
	if (private && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: mode %04o lets "
		    "group or others at the signing key; chmod 600 it", what,
		    path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return r;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: %s", what, path,
		    strerror(errno));
		close(fd);
		return r;
	}
	k = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (k == NULL)
		return wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: no PEM %s "
		    "key", what, path, private ? "private" : "public");
	if (!ear_key_p256(k)) {
		EVP_PKEY_free(k);
		return wg_diag_set(d, WG_ERR_CONFIG, "%s %.200s: not an EC "
		    "P-256 (prime256v1) key: ES256 needs one", what, path);
	}
	*out = k;
	return 0;
}

int
ear_key_load(const char *path, EVP_PKEY **out, struct wg_diag *d)
{
	return ear_load(path, 1, out, d);
}

int
ear_pubkey_load(const char *path, EVP_PKEY **out, struct wg_diag *d)
{
	return ear_load(path, 0, out, d);
}

/* ---- JWS ES256 ---- */

int
ear_sign(struct json_object *claims, EVP_PKEY *key, char **jwt,
    struct wg_diag *d)
{
	static const char hdr[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	const unsigned char *q;
	unsigned char der[80], rs[EAR_SIG_LEN];
	char *h = NULL, *p = NULL, *sig = NULL, *out = NULL;
	const char *json;
	size_t dlen = sizeof(der), hl, pl, sl;
	int ret = WG_ERR_CRYPTO;

	if (!ear_key_p256(key))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "not a P-256 key");
	json = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (json == NULL ||
	    (h = b64_encode((const uint8_t *)hdr, strlen(hdr),
	    B64_URL)) == NULL ||
	    (p = b64_encode((const uint8_t *)json, strlen(json),
	    B64_URL)) == NULL) {
		ret = wg_diag_set(d, WG_ERR_ALLOC, "EAR encoding");
		goto out;
	}
	hl = strlen(h);
	pl = strlen(p);
	if ((out = malloc(hl + pl + 2 + 86 + 1)) == NULL) {
		ret = wg_diag_set(d, WG_ERR_ALLOC, "EAR token");
		goto out;
	}
	memcpy(out, h, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, p, pl + 1);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &dlen, (const unsigned char *)out,
	    hl + 1 + pl) != 1) {
		ret = wg_diag_set(d, WG_ERR_CRYPTO, "ES256 signing failed");
		goto out;
	}
	q = der;
	if ((es = d2i_ECDSA_SIG(NULL, &q, (long)dlen)) == NULL) {
		ret = wg_diag_set(d, WG_ERR_CRYPTO, "ECDSA signature");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, rs, 32) != 32 || BN_bn2binpad(s, rs + 32,
	    32) != 32 || (sig = b64_encode(rs, sizeof(rs), B64_URL)) == NULL) {
		ret = wg_diag_set(d, WG_ERR_CRYPTO, "ECDSA signature");
		goto out;
	}
	sl = strlen(sig);
	out[hl + 1 + pl] = '.';
	memcpy(out + hl + 2 + pl, sig, sl + 1);
	*jwt = out;
	out = NULL;
	ret = 0;
out:
	ERR_clear_error();
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	free(h);
	free(p);
	free(sig);
	free(out);
	return ret;
}

/* The JOSE header: an object with alg exactly "ES256", typ and kid only. */
static int
ear_header_check(const uint8_t *h, size_t len, struct wg_diag *d)
{
	static const struct sjson_limits lim = { EAR_HEADER_MAX, 4, 8, 2, 0 };
	struct json_object *o = NULL, *alg = NULL;
	struct json_object_iterator it, end;
	struct sjson_err e;
	int r;

	if ((r = sjson_parse((const char *)h, len, &lim, json_type_object, &o,
	    &e)) != 0 || (r = sjson_scan((const char *)h, len, &lim,
	    &e)) != 0) {
		json_object_put(o);
		return wg_diag_set(d, WG_ERR_JSON, "JWS header: %s", e.msg);
	}
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	r = 0;
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);

		if (strcmp(k, "alg") == 0)
			alg = v;
		else if ((strcmp(k, "typ") != 0 && strcmp(k, "kid") != 0) ||
		    !json_object_is_type(v, json_type_string)) {
			r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "JWS header "
			    "member \"%.32s\" not accepted", k);
			break;
		}
	}
	if (r == 0 && (alg == NULL || !json_object_is_type(alg,
	    json_type_string) || strcmp(json_object_get_string(alg),
	    "ES256") != 0))
		r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "JWS alg must be "
		    "ES256");
	json_object_put(o);
	return r;
}

int
ear_verify(const char *jwt, size_t len, EVP_PKEY *pub,
    struct json_object **claims, struct wg_diag *d)
{
	static const struct sjson_limits lim = { EAR_TOKEN_MAX, 1u << 22,
	    1u << 23, 8, 0 };
	const char *dot1, *dot2;
	uint8_t *h = NULL, *p = NULL, *s = NULL;
	size_t hl, pl, sl;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	struct json_object *o = NULL, *prof;
	struct sjson_err e;
	int dl, r;

	if (jwt == NULL || pub == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "no token or key");
	if (len > 0 && jwt[len - 1] == '\n')
		len--;
	if (len > EAR_TOKEN_MAX)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "token over %u bytes",
		    EAR_TOKEN_MAX);
	if (!ear_key_p256(pub))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "not a P-256 key");
	if ((dot1 = memchr(jwt, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - jwt))) ==
	    NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - jwt)) !=
	    NULL)
		return wg_diag_set(d, WG_ERR_FORMAT, "not a compact JWS "
		    "(three parts)");
	if ((size_t)(dot1 - jwt) > EAR_HEADER_MAX)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "JWS header too long");
	if (b64_decode(jwt, (size_t)(dot1 - jwt), B64_URL, &h, &hl) != 0) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "JWS header: not base64url");
		goto out;
	}
	if ((r = ear_header_check(h, hl, d)) != 0)
		goto out;
	if (b64_decode(dot2 + 1, len - (size_t)(dot2 + 1 - jwt), B64_URL, &s,
	    &sl) != 0 || sl != EAR_SIG_LEN) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "JWS signature: not 64 "
		    "bytes of base64url");
		goto out;
	}
	/* r || s to DER for OpenSSL. */
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(s, 32, NULL)) == NULL ||
	    (bs = BN_bin2bn(s + 32, 32, NULL)) == NULL ||
	    ECDSA_SIG_set0(es, br, bs) != 1) {
		BN_free(br);
		BN_free(bs);
		r = wg_diag_set(d, WG_ERR_ALLOC, "ECDSA signature");
		goto out;
	}
	if ((dl = i2d_ECDSA_SIG(es, &der)) <= 0) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "ECDSA signature");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "ES256 verification setup");
		goto out;
	}
	if (EVP_DigestVerify(md, der, (size_t)dl, (const unsigned char *)jwt,
	    (size_t)(dot2 - jwt)) != 1) {
		r = wg_diag_set(d, WG_ERR_SIGNATURE, "the EAR's ES256 "
		    "signature does not verify with this key");
		goto out;
	}
	/* Signed: now the claims. */
	if (b64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), B64_URL, &p,
	    &pl) != 0) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "JWS payload: not base64url");
		goto out;
	}
	if ((r = sjson_parse((const char *)p, pl, &lim, json_type_object, &o,
	    &e)) != 0) {
		r = wg_diag_set(d, WG_ERR_JSON, "EAR claims: %s", e.msg);
		goto out;
	}
	if (!json_object_object_get_ex(o, "eat_profile", &prof) ||
	    !json_object_is_type(prof, json_type_string) ||
	    strcmp(json_object_get_string(prof), EAR_PROFILE) != 0) {
		r = wg_diag_set(d, WG_ERR_BAD_FIELD, "eat_profile is not "
		    EAR_PROFILE);
		goto out;
	}
	*claims = o;
	o = NULL;
	r = 0;
out:
	ERR_clear_error();
	json_object_put(o);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	free(h);
	free(p);
	free(s);
	return r;
}
