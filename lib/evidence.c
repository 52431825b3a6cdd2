/*
 * evidence.c: evidence bundles, signed by the gateway and checked
 * offline (evidence.h, docs/evidence.md). Every field of an untrusted
 * file is read through sjson's caps and checked for type; base64 is
 * strict; each check that fails adds a bad note and the walk goes on.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auditchain.h"
#include "b64.h"
#include "evidence.h"
#include "policy.h"
#include "sjson.h"

#define EVIDENCE_SIG_MAX 80	/* DER ECDSA P-256 signature */
#define EVIDENCE_PEM_MAX 4096

/* ---- base64 ---- */

char *
evidence_b64(const uint8_t *p, size_t len)
{
	return b64_encode(p, len, B64_STD);
}

int
evidence_unb64(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
	return b64_decode(s, len, B64_STD, out, outlen);
}

/* ---- keys and signing ---- */

static int
evidence_p256(EVP_PKEY *k)
{
	char group[64];
	size_t glen = 0;

	return k != NULL && EVP_PKEY_is_a(k, "EC") &&
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) == 1 &&
	    strcmp(group, SN_X9_62_prime256v1) == 0;
}

static void
evidence_hex(const uint8_t *p, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
evidence_sha256(const void *p, size_t len, uint8_t out[32])
{
	unsigned int olen = 0;

	if (EVP_Digest(p, len, out, &olen, EVP_sha256(), NULL) != 1 ||
	    olen != 32) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
evidence_key_id(EVP_PKEY *key, char kid[EVIDENCE_KID_LEN], struct wg_diag *d)
{
	unsigned char *der = NULL;
	uint8_t h[32];
	int n;

	if (key == NULL || (n = i2d_PUBKEY(key, &der)) <= 0) {
		ERR_clear_error();
		return wg_diag_set(d, WG_ERR_CRYPTO, "public key encoding");
	}
	if (evidence_sha256(der, (size_t)n, h) != 0) {
		OPENSSL_free(der);
		return wg_diag_set(d, WG_ERR_CRYPTO, "key id");
	}
	OPENSSL_free(der);
	evidence_hex(h, sizeof(h), kid);
	return 0;
}

char *
evidence_pub_pem(EVP_PKEY *key)
{
	BIO *b;
	BUF_MEM *m = NULL;
	char *out = NULL;

	if (key == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_PUBKEY(b, key) == 1 &&
	    BIO_get_mem_ptr(b, &m) == 1 && m != NULL &&
	    (out = malloc(m->length + 1)) != NULL) {
		memcpy(out, m->data, m->length);
		out[m->length] = '\0';
	}
	BIO_free(b);
	ERR_clear_error();
	return out;
}

/* A public key from PEM text; NULL when it is not one. */
static EVP_PKEY *
evidence_pem_pub(const char *pem, size_t len)
{
	BIO *b;
	EVP_PKEY *k = NULL;

	if (len == 0 || len > EVIDENCE_PEM_MAX ||
	    (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return k;
}

int
evidence_sign(struct json_object *bundle, EVP_PKEY *key, char **out,
    struct wg_diag *d)
{
	EVP_MD_CTX *md = NULL;
	struct json_object *file = NULL, *sig = NULL;
	unsigned char der[EVIDENCE_SIG_MAX];
	size_t dlen = sizeof(der), n;
	char kid[EVIDENCE_KID_LEN], *b64 = NULL, *res = NULL;
	const char *text, *ftext;
	int r;

	if (bundle == NULL || out == NULL || !evidence_p256(key))
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "evidence_sign: "
		    "needs a bundle and a P-256 key");
	if ((r = evidence_key_id(key, kid, d)) != 0)
		return r;
	text = json_object_to_json_string_ext(bundle, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "evidence text");
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &dlen, (const unsigned char *)text,
	    strlen(text)) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "ES256 signing failed");
		goto out;
	}
	if ((b64 = evidence_b64(der, dlen)) == NULL ||
	    (file = json_object_new_object()) == NULL ||
	    (sig = json_object_new_object()) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "evidence file");
		goto out;
	}
	json_object_object_add(sig, "alg", json_object_new_string("ES256"));
	json_object_object_add(sig, "kid", json_object_new_string(kid));
	json_object_object_add(sig, "value", json_object_new_string(b64));
	json_object_object_add(file, "format",
	    json_object_new_string(EVIDENCE_FORMAT));
	json_object_object_add(file, "signed", json_object_new_string(text));
	json_object_object_add(file, "signature", sig);
	sig = NULL;
	ftext = json_object_to_json_string_ext(file, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (ftext == NULL || (n = strlen(ftext)) > EVIDENCE_MAX - 1 ||
	    (res = malloc(n + 2)) == NULL) {
		r = wg_diag_set(d, ftext == NULL || res == NULL ? WG_ERR_ALLOC :
		    WG_ERR_TOO_LARGE, "evidence file");
		goto out;
	}
	memcpy(res, ftext, n);
	res[n] = '\n';
	res[n + 1] = '\0';
	*out = res;
	r = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	json_object_put(file);
	json_object_put(sig);
	free(b64);
	return r;
}

/* ---- verification ---- */

static void evidence_note(struct evidence_report *rep, int bad,
    const char *part, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
evidence_note(struct evidence_report *rep, int bad, const char *part,
    const char *fmt, ...)
{
	struct evidence_note *n;
	va_list ap;

	if (bad)
		rep->nbad++;
	if (rep->nnotes >= EVIDENCE_NOTES_MAX) {
		rep->dropped++;
		return;
	}
	n = &rep->notes[rep->nnotes++];
	n->bad = bad;
	snprintf(n->part, sizeof(n->part), "%s", part);
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* Member k of o when it has type t, else NULL. */
static struct json_object *
evidence_get(struct json_object *o, const char *k, json_type t)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static const char *
evidence_str(struct json_object *o, const char *k)
{
	struct json_object *v = evidence_get(o, k, json_type_string);

	return v != NULL ? json_object_get_string(v) : NULL;
}

/* Integer member: 0 and *out, or -1 when absent or not an integer. */
static int
evidence_int(struct json_object *o, const char *k, int64_t *out)
{
	struct json_object *v = evidence_get(o, k, json_type_int);

	if (v == NULL)
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

/* A string member or JSON null: 0 (*out NULL for null), -1 else. */
static int
evidence_opt_str(struct json_object *o, const char *k, const char **out,
    size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return -1;
	if (v == NULL) {
		*out = NULL;
		*len = 0;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 0;
}

static int
evidence_is_hex(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
evidence_unhex32(const char *s, uint8_t out[32])
{
	size_t i;
	int hi, lo;

	if (!evidence_is_hex(s, 64))
		return -1;
	for (i = 0; i < 32; i++) {
		hi = s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10;
		lo = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' :
		    s[2 * i + 1] - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Base64 member k of o into a new buffer; -1 when absent or bad. */
static int
evidence_blob(struct json_object *o, const char *k, uint8_t **p, size_t *n)
{
	struct json_object *v = evidence_get(o, k, json_type_string);

	if (v == NULL)
		return -1;
	return evidence_unb64(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), p, n) == 0 ? 0 : -1;
}

/* The signature over the signed text, and the key checks. */
static void
evidence_check_sig(struct json_object *file, const char *text, size_t len,
    struct json_object *bundle, EVP_PKEY *pin, struct evidence_report *rep)
{
	struct json_object *sig = evidence_get(file, "signature",
	    json_type_object), *gwo = evidence_get(bundle, "gateway",
	    json_type_object);
	const char *pem = evidence_str(gwo, "public_key"), *alg, *kid, *gkid;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	uint8_t *der = NULL;
	size_t dlen = 0;

	alg = evidence_str(sig, "alg");
	kid = evidence_str(sig, "kid");
	gkid = evidence_str(gwo, "key_id");
	if (alg == NULL || strcmp(alg, "ES256") != 0) {
		evidence_note(rep, 1, "signature", "alg is not ES256");
		goto out;
	}
	if (pem == NULL || (k = evidence_pem_pub(pem, strlen(pem))) == NULL ||
	    !evidence_p256(k)) {
		evidence_note(rep, 1, "key", "the bundle holds no P-256 "
		    "gateway public key");
		goto out;
	}
	if (evidence_key_id(k, rep->kid, NULL) != 0) {
		evidence_note(rep, 1, "key", "the gateway key cannot be "
		    "encoded");
		goto out;
	}
	if (kid == NULL || strcmp(kid, rep->kid) != 0 || gkid == NULL ||
	    strcmp(gkid, rep->kid) != 0)
		evidence_note(rep, 1, "key", "key id does not match the "
		    "embedded key (SHA-256 of its SPKI is %s)", rep->kid);
	if (pin != NULL) {
		if (EVP_PKEY_eq(pin, k) == 1)
			rep->key_pinned = 1;
		else
			evidence_note(rep, 1, "key", "the bundle is signed "
			    "with key %.16s..., not the key given", rep->kid);
	}
	if (evidence_blob(sig, "value", &der, &dlen) != 0 ||
	    dlen > EVIDENCE_SIG_MAX) {
		evidence_note(rep, 1, "signature", "value is not base64 of "
		    "an ECDSA signature");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestVerify(md, der, dlen, (const unsigned char *)text,
	    len) != 1) {
		evidence_note(rep, 1, "signature", "the ES256 signature does "
		    "not verify with the embedded gateway key");
		goto out;
	}
	rep->signature_ok = 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	free(der);
}

/* One audit row: its hash recomputed. 0 and the hashes, -1 malformed. */
static int
evidence_row(struct json_object *row, int64_t *id, uint8_t prev[32],
    uint8_t hash[32], uint8_t calc[32], const char **device,
    const char **action, const char **detail)
{
	static const char *const names[AUDITCHAIN_NFIELDS] = { "actor",
	    "device_id", "action", "before", "after", "detail" };
	const char *text[AUDITCHAIN_NFIELDS];
	size_t len[AUDITCHAIN_NFIELDS];
	int64_t at;
	int i;

	if (!json_object_is_type(row, json_type_object) ||
	    evidence_int(row, "id", id) != 0 || *id < 1 ||
	    evidence_int(row, "at", &at) != 0 ||
	    evidence_unhex32(evidence_str(row, "prev_hash"), prev) != 0 ||
	    evidence_unhex32(evidence_str(row, "hash"), hash) != 0)
		return -1;
	for (i = 0; i < AUDITCHAIN_NFIELDS; i++)
		if (evidence_opt_str(row, names[i], &text[i], &len[i]) != 0)
			return -1;
	if (text[0] == NULL || text[2] == NULL)
		return -1;
	*device = text[1];
	*action = text[2];
	*detail = text[5];
	return auditchain_hash(prev, *id, at, text, len, calc, NULL) == 0 ?
	    0 : -1;
}

/*
 * The audit rows: each hash recomputed, consecutive rows linked, the
 * head consistent. *decom_detail: the detail of the "decommission" row.
 */
static void
evidence_check_audit(struct json_object *b, const char *dev,
    const char **decom_detail, struct evidence_report *rep)
{
	struct json_object *au = evidence_get(b, "audit", json_type_object);
	struct json_object *rows = evidence_get(au, "rows", json_type_array);
	struct json_object *head = evidence_get(au, "head", json_type_object);
	uint8_t prev[32], hash[32], calc[32], last[32], hh[32];
	const char *device, *action, *detail;
	int64_t id, last_id = 0, count, head_id = -1;
	size_t i, n;
	int bad = 0;

	*decom_detail = NULL;
	if (rows == NULL) {
		evidence_note(rep, 1, "audit", "no audit rows array");
		return;
	}
	n = json_object_array_length(rows);
	rep->audit_rows = n;
	if (evidence_int(au, "count", &count) != 0 || count < 0 ||
	    (uint64_t)count != n) {
		evidence_note(rep, 1, "audit", "%zu rows listed, but the "
		    "count says otherwise (a row was removed or added)", n);
		bad++;
	}
	if (head == NULL || evidence_int(head, "id", &head_id) != 0 ||
	    evidence_unhex32(evidence_str(head, "hash"), hh) != 0) {
		evidence_note(rep, 1, "audit", "no chain head (id, hash)");
		head_id = -1;
		bad++;
	}
	for (i = 0; i < n; i++) {
		if (evidence_row(json_object_array_get_idx(rows, i), &id, prev,
		    hash, calc, &device, &action, &detail) != 0) {
			evidence_note(rep, 1, "audit", "row %zu is malformed",
			    i + 1);
			bad++;
			continue;
		}
		if (memcmp(hash, calc, 32) != 0) {
			evidence_note(rep, 1, "audit", "row %lld: hash does "
			    "not match its content", (long long)id);
			bad++;
		}
		if (id <= last_id) {
			evidence_note(rep, 1, "audit", "row %lld: ids are not "
			    "increasing", (long long)id);
			bad++;
		} else if (last_id != 0 && id == last_id + 1 &&
		    memcmp(prev, last, 32) != 0) {
			evidence_note(rep, 1, "audit", "row %lld: prev_hash is "
			    "not row %lld's hash", (long long)id,
			    (long long)last_id);
			bad++;
		}
		if (device == NULL || dev == NULL || strcmp(device, dev) != 0) {
			evidence_note(rep, 1, "audit", "row %lld is not about "
			    "this device", (long long)id);
			bad++;
		}
		if (strcmp(action, "decommission") == 0)
			*decom_detail = detail;
		if (id == head_id) {
			if (memcmp(hh, hash, 32) != 0) {
				evidence_note(rep, 1, "audit", "row %lld is "
				    "the head but has another hash",
				    (long long)id);
				bad++;
			}
		}
		last_id = id;
		memcpy(last, hash, 32);
	}
	if (head_id >= 0 && last_id > head_id) {
		evidence_note(rep, 1, "audit", "row %lld is past the chain "
		    "head %lld", (long long)last_id, (long long)head_id);
		bad++;
	}
	if (bad == 0)
		evidence_note(rep, 0, "audit", "%zu rows: each hash "
		    "recomputed from its fields and prev_hash; chain head %lld",
		    n, (long long)head_id);
}

static void
evidence_check_decom(struct json_object *b, const char *decom_detail,
    struct evidence_report *rep)
{
	struct json_object *dc;
	const char *want, *tail;
	uint8_t *arch = NULL, h[32];
	char hex[65];
	size_t n = 0, wl;

	if (!json_object_object_get_ex(b, "decommission", &dc)) {
		evidence_note(rep, 1, "decommission", "missing (null when "
		    "the device is in service)");
		return;
	}
	if (dc == NULL) {
		if (decom_detail != NULL)
			evidence_note(rep, 1, "decommission", "the audit log "
			    "records a decommission but the bundle has none");
		return;
	}
	rep->decommissioned = 1;
	want = evidence_str(dc, "archive_sha256");
	if (evidence_blob(dc, "archive", &arch, &n) != 0 ||
	    !evidence_is_hex(want, 64)) {
		evidence_note(rep, 1, "decommission", "archive or "
		    "archive_sha256 malformed");
		goto out;
	}
	if (evidence_sha256(arch, n, h) != 0) {
		evidence_note(rep, 1, "decommission", "cannot hash the "
		    "archive");
		goto out;
	}
	evidence_hex(h, 32, hex);
	if (strcmp(hex, want) != 0) {
		evidence_note(rep, 1, "decommission", "the archive hashes to "
		    "%.16s..., not its recorded SHA-256 %.16s...", hex, want);
		goto out;
	}
	/* The audit row says "REASON; archive sha256 HEX". */
	wl = strlen(want);
	if (decom_detail == NULL || strlen(decom_detail) < wl ||
	    strcmp((tail = decom_detail + strlen(decom_detail) - wl),
	    want) != 0) {
		evidence_note(rep, 1, "decommission", "no audit row records "
		    "the archive's SHA-256");
		goto out;
	}
	evidence_note(rep, 0, "decommission", "archive SHA-256 %.16s... "
	    "matches, recorded in the audit log", hex);
out:
	free(arch);
}

/* Whether policies holds (issuer, version). */
static int
evidence_has_policy(struct json_object *pols, const char *issuer,
    int64_t version)
{
	size_t i, n = pols != NULL ? json_object_array_length(pols) : 0;
	struct json_object *p;
	const char *is;
	int64_t v;

	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(pols, i);
		if ((is = evidence_str(p, "issuer")) != NULL &&
		    strcmp(is, issuer) == 0 &&
		    evidence_int(p, "version", &v) == 0 && v == version)
			return 1;
	}
	return 0;
}

static void
evidence_check_policies(struct json_object *b, struct evidence_report *rep)
{
	struct json_object *pols = evidence_get(b, "policies",
	    json_type_array), *hist = evidence_get(b, "release_history",
	    json_type_array), *p;
	const char *issuer, *kpem;
	uint8_t *bun = NULL, *sig = NULL;
	size_t i, n, bl, sl;
	int64_t version;
	EVP_PKEY *k;

	if (pols == NULL || hist == NULL) {
		evidence_note(rep, 1, "policies", "no policies or "
		    "release_history array");
		return;
	}
	n = json_object_array_length(pols);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(pols, i);
		issuer = evidence_str(p, "issuer");
		if (issuer == NULL || evidence_int(p, "version",
		    &version) != 0 || evidence_blob(p, "bundle", &bun,
		    &bl) != 0 || evidence_blob(p, "signature", &sig,
		    &sl) != 0) {
			evidence_note(rep, 1, "policies", "entry %zu is "
			    "malformed", i + 1);
			goto next;
		}
		kpem = evidence_str(p, "issuer_key");
		if (kpem == NULL) {
			rep->policies_unchecked++;
			evidence_note(rep, 0, "policies", "%.64s v%lld: "
			    "signature not checked (issuer key not included)",
			    issuer, (long long)version);
			goto next;
		}
		if ((k = evidence_pem_pub(kpem, strlen(kpem))) == NULL) {
			evidence_note(rep, 1, "policies", "%.64s v%lld: "
			    "issuer_key is not a PEM public key", issuer,
			    (long long)version);
			goto next;
		}
		if (policy_verify(bun, bl, sig, sl, k, NULL) == 0) {
			rep->policies_checked++;
		} else
			evidence_note(rep, 1, "policies", "%.64s v%lld: the "
			    "bundle's signature does not verify with its "
			    "issuer key", issuer, (long long)version);
		EVP_PKEY_free(k);
next:
		free(bun);
		free(sig);
		bun = sig = NULL;
	}
	n = json_object_array_length(hist);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(hist, i);
		issuer = evidence_str(p, "issuer");
		if (issuer == NULL || evidence_int(p, "bundle_version",
		    &version) != 0) {
			evidence_note(rep, 1, "release_history", "entry %zu is "
			    "malformed", i + 1);
			continue;
		}
		if (issuer[0] != '\0' && !evidence_has_policy(pols, issuer,
		    version))
			evidence_note(rep, 1, "release_history", "entry %zu: "
			    "approving bundle %.64s v%lld is not in the "
			    "bundle", i + 1, issuer, (long long)version);
	}
}

static void
evidence_check_attest(struct json_object *b, struct json_object *dev,
    struct evidence_report *rep)
{
	struct json_object *arr = evidence_get(b, "attestations",
	    json_type_array), *a, *pass;
	int64_t id, last = 0, at, count, fails;
	size_t i, n, nfail = 0, ql, sl;
	uint8_t *q = NULL, *s = NULL;
	const char *rel;
	size_t rl;
	int bad = 0;

	if (arr == NULL) {
		evidence_note(rep, 1, "attestations", "no attestations array");
		return;
	}
	n = json_object_array_length(arr);
	rep->attestations = n;
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(arr, i);
		pass = evidence_get(a, "pass", json_type_boolean);
		if (pass == NULL || evidence_int(a, "id", &id) != 0 ||
		    evidence_int(a, "at", &at) != 0 ||
		    evidence_str(a, "reasons") == NULL ||
		    evidence_opt_str(a, "release", &rel, &rl) != 0 ||
		    evidence_blob(a, "quote", &q, &ql) != 0 ||
		    evidence_blob(a, "signature", &s, &sl) != 0) {
			evidence_note(rep, 1, "attestations", "entry %zu is "
			    "malformed", i + 1);
			bad++;
			goto next;
		}
		if (id <= last) {
			evidence_note(rep, 1, "attestations", "attestation "
			    "%lld: ids are not increasing", (long long)id);
			bad++;
		}
		last = id;
		if (!json_object_get_boolean(pass)) {
			nfail++;
			if (rel != NULL) {
				evidence_note(rep, 1, "attestations",
				    "attestation %lld failed but names a "
				    "matched release", (long long)id);
				bad++;
			}
		}
next:
		free(q);
		free(s);
		q = s = NULL;
	}
	if (evidence_int(dev, "attest_count", &count) != 0 ||
	    evidence_int(dev, "fail_count", &fails) != 0) {
		evidence_note(rep, 1, "attestations", "the device record has "
		    "no attest_count and fail_count");
		return;
	}
	if (count < 0 || (uint64_t)count != n) {
		evidence_note(rep, 1, "attestations", "%zu listed, the device "
		    "record counts %lld", n, (long long)count);
		bad++;
	}
	if (fails < 0 || (uint64_t)fails != nfail) {
		evidence_note(rep, 1, "attestations", "%zu failed in the "
		    "list, the device record counts %lld failures", nfail,
		    (long long)fails);
		bad++;
	}
	if (bad == 0)
		evidence_note(rep, 0, "attestations", "%zu (%zu failed) agree "
		    "with the device record", n, nfail);
}

/* s, or "" for NULL (a release the audit log records as null). */
static const char *
evidence_nz(const char *s)
{
	return s != NULL ? s : "";
}

/*
 * The release history against the audit log and the attestations: each
 * change is one "release" audit row (before, after) in the same order,
 * and each release changed to was attested by a passing attestation.
 */
static void
evidence_check_releases(struct json_object *b, struct evidence_report *rep)
{
	struct json_object *hist = evidence_get(b, "release_history",
	    json_type_array), *rows = evidence_get(evidence_get(b, "audit",
	    json_type_object), "rows", json_type_array), *atts =
	    evidence_get(b, "attestations", json_type_array), *h, *a, *pass;
	const char *action, *before, *after, *from, *to, *rel;
	size_t i, k, j = 0, nh, nr, na, bl, al, rl;
	int bad = 0, seen;

	if (hist == NULL || rows == NULL || atts == NULL)
		return;		/* said by the other checks */
	nh = json_object_array_length(hist);
	nr = json_object_array_length(rows);
	na = json_object_array_length(atts);
	for (i = 0; i < nr; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);

		if ((action = evidence_str(row, "action")) == NULL ||
		    strcmp(action, "release") != 0)
			continue;
		if (evidence_opt_str(row, "before", &before, &bl) != 0 ||
		    evidence_opt_str(row, "after", &after, &al) != 0)
			continue;	/* said by the audit check */
		if (j >= nh) {
			evidence_note(rep, 1, "release_history", "audit row "
			    "%zu records a release change the history lacks",
			    i + 1);
			bad++;
			j++;
			continue;
		}
		h = json_object_array_get_idx(hist, j++);
		from = evidence_str(h, "from");
		to = evidence_str(h, "to");
		if (from == NULL || to == NULL ||
		    strcmp(from, evidence_nz(before)) != 0 ||
		    strcmp(to, evidence_nz(after)) != 0) {
			evidence_note(rep, 1, "release_history", "change %zu "
			    "is not what its audit row records", j);
			bad++;
		}
	}
	if (j < nh) {
		evidence_note(rep, 1, "release_history", "%zu change(s) "
		    "without an audit row", nh - j);
		bad++;
	}
	for (i = 0; i < nh; i++) {
		to = evidence_str(json_object_array_get_idx(hist, i), "to");
		if (to == NULL || to[0] == '\0')
			continue;
		seen = 0;
		for (k = 0; k < na && !seen; k++) {
			a = json_object_array_get_idx(atts, k);
			pass = evidence_get(a, "pass", json_type_boolean);
			if (pass != NULL && json_object_get_boolean(pass) &&
			    evidence_opt_str(a, "release", &rel, &rl) == 0 &&
			    rel != NULL && strcmp(rel, to) == 0)
				seen = 1;
		}
		if (!seen) {
			evidence_note(rep, 1, "attestations", "no passing "
			    "attestation of release %.64s, which the history "
			    "records", to);
			bad++;
		}
	}
	if (bad == 0 && nh > 0)
		evidence_note(rep, 0, "release_history", "%zu change(s), each "
		    "an audit row and a passing attestation", nh);
}

int
evidence_verify(const char *text, size_t len, EVP_PKEY *pin,
    struct evidence_report *rep, struct wg_diag *d)
{
	static const struct sjson_limits outer = { EVIDENCE_MAX, 8, 16, 4,
	    0 };
	static const struct sjson_limits inner = { EVIDENCE_MAX, 1u << 20,
	    1u << 22, 12, 0 };
	struct json_object *file = NULL, *b = NULL, *dev, *sv;
	const char *fmt, *signed_text, *id;
	size_t slen;
	const char *decom_detail = NULL;
	struct sjson_err e;
	int r;

	if (text == NULL || rep == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "evidence_verify");
	memset(rep, 0, sizeof(*rep));
	if (len > EVIDENCE_MAX)
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "evidence over %u "
		    "bytes", EVIDENCE_MAX);
	if (sjson_parse(text, len, &outer, json_type_object, &file, &e) != 0 ||
	    sjson_scan(text, len, &outer, &e) != 0) {
		r = wg_diag_set(d, WG_ERR_JSON, "evidence file: %s", e.msg);
		goto out;
	}
	fmt = evidence_str(file, "format");
	sv = evidence_get(file, "signed", json_type_string);
	if (fmt == NULL || strcmp(fmt, EVIDENCE_FORMAT) != 0 || sv == NULL ||
	    evidence_get(file, "signature", json_type_object) == NULL) {
		r = wg_diag_set(d, WG_ERR_FORMAT, "not a " EVIDENCE_FORMAT
		    " file (format, signed, signature)");
		goto out;
	}
	signed_text = json_object_get_string(sv);
	slen = (size_t)json_object_get_string_len(sv);
	if (sjson_parse(signed_text, slen, &inner, json_type_object, &b,
	    &e) != 0) {
		/* The signature is checked all the same: say which failed. */
		evidence_note(rep, 1, "bundle", "the signed text is not a "
		    "JSON object: %s", e.msg);
		evidence_check_sig(file, signed_text, slen, NULL, pin, rep);
		r = 0;
		goto out;
	}
	evidence_check_sig(file, signed_text, slen, b, pin, rep);
	if ((fmt = evidence_str(b, "format")) == NULL ||
	    strcmp(fmt, EVIDENCE_FORMAT) != 0)
		evidence_note(rep, 1, "bundle", "format is not "
		    EVIDENCE_FORMAT);
	dev = evidence_get(b, "device", json_type_object);
	id = evidence_str(dev, "device_id");
	if (id == NULL || !evidence_is_hex(id, 64))
		evidence_note(rep, 1, "device", "no device_id (64 hex "
		    "digits)");
	else
		snprintf(rep->device_id, sizeof(rep->device_id), "%s", id);
	evidence_check_audit(b, id, &decom_detail, rep);
	evidence_check_attest(b, dev, rep);
	evidence_check_policies(b, rep);
	evidence_check_releases(b, rep);
	evidence_check_decom(b, decom_detail, rep);
	r = 0;
out:
	json_object_put(file);
	json_object_put(b);
	return r;
}
