/*
 * fuzz_ear.c: the EAR verifier's parser. The input as a token (it must
 * never verify: nobody signed it); then, so that the header and claims
 * parsers are reached past the signature, the input split at its first
 * newline into a JOSE header and claims, signed here with a fixed P-256
 * key and verified (claims come back only as a JSON object with the EAR
 * profile).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "ear.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
b64url(const uint8_t *p, size_t n)
{
	char *out = malloc(n / 3 * 4 + 8), *c;
	int len;

	if (out == NULL)
		abort();
	len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (c = out; *c != '\0'; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return out;
}

/* header.payload.signature over the given parts, signed with k. */
static char *
sign_parts(EVP_PKEY *k, const uint8_t *h, size_t hl, const uint8_t *p,
    size_t pl)
{
	char *hb = b64url(h, hl), *pb = b64url(p, pl), *t, *sb;
	unsigned char der[80], rs[64];
	const unsigned char *q = der;
	size_t dl = sizeof(der), n = strlen(hb) + strlen(pb) + 1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es;
	const BIGNUM *r, *s;

	if ((t = malloc(n + 90)) == NULL || md == NULL)
		abort();
	snprintf(t, n + 1, "%s.%s", hb, pb);
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, der, &dl, (unsigned char *)t, n) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &q, (long)dl)) == NULL)
		abort();
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, rs, 32);
	BN_bn2binpad(s, rs + 32, 32);
	sb = b64url(rs, sizeof(rs));
	snprintf(t + n, 90, ".%s", sb);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	free(hb);
	free(pb);
	free(sb);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *k;
	struct json_object *claims = NULL, *v;
	const uint8_t *nl;
	char *t;

	if (k == NULL && (k = EVP_EC_gen("P-256")) == NULL)
		abort();
	if (ear_verify((const char *)data, size, k, &claims, NULL) == 0)
		abort();		/* a signature nobody made */
	if (claims != NULL)
		abort();
	if (size > 256 * 1024 || (nl = memchr(data, '\n', size)) == NULL)
		return 0;
	t = sign_parts(k, data, (size_t)(nl - data), nl + 1,
	    size - (size_t)(nl - data) - 1);
	if (ear_verify(t, strlen(t), k, &claims, NULL) == 0) {
		if (!json_object_is_type(claims, json_type_object) ||
		    !json_object_object_get_ex(claims, "eat_profile", &v) ||
		    strcmp(json_object_get_string(v), EAR_PROFILE) != 0)
			abort();
		json_object_put(claims);
	} else if (claims != NULL)
		abort();
	free(t);
	return 0;
}
