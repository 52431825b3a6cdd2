/*
 * fuzz_policy.c: policy bundles (lib/policy.c).
 *
 * The input goes to policy_parse. What parses is printed, parsed again
 * and printed again: the second parse must succeed and the two prints be
 * equal; every model must be found by its name. A refusal must carry its
 * code in the diagnostic. The input is also checked as a signature over
 * itself with a fixed Ed25519 key, which must never verify. Any breach
 * aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

/* RFC 8032 test 1 public key */
static const uint8_t ed_pub[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static EVP_PKEY *key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL, *q = NULL;
	struct wg_diag d;
	char *a, *b;
	size_t i;
	int r;

	wg_diag_clear(&d);
	r = policy_parse((const char *)data, size, &p, &d);
	CHECK(r <= 0);
	if (r != 0) {
		CHECK(p == NULL);
		CHECK(d.err == r);
		CHECK(memchr(d.detail, '\0', sizeof(d.detail)) != NULL);
	} else {
		CHECK(p != NULL);
		for (i = 0; i < p->nmodels; i++)
			CHECK(policy_model_find(p, p->models[i].model) ==
			    &p->models[i]);
		a = policy_print(p);
		CHECK(a != NULL);
		CHECK(policy_parse(a, strlen(a), &q, NULL) == 0);
		b = policy_print(q);
		CHECK(b != NULL);
		CHECK(strcmp(a, b) == 0);
		free(a);
		free(b);
		policy_free(q);
		policy_free(p);
	}

	if (key == NULL)
		key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    ed_pub, sizeof(ed_pub));
	CHECK(key != NULL);
	if (size >= 64)
		CHECK(policy_verify(data + 64, size - 64, data, 64, key,
		    NULL) == WG_ERR_POLICY_SIGNATURE);
	return 0;
}
