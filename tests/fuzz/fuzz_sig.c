/*
 * fuzz_sig.c: TPMT_SIGNATURE decoding, then verification of whatever
 * decodes against a fixed P-256 key and a fixed RSA key (the signature
 * must never verify: the message is random).
 */
#include "config.h"

#include <stdlib.h>

#include <openssl/evp.h>

#include "quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct quote_key *
fuzz_key(const char *type, unsigned param)
{
	struct quote_key *k;
	EVP_PKEY *pk;

	if (param != 0)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, type, (size_t)param);
	else
		pk = EVP_PKEY_Q_keygen(NULL, NULL, type, "P-256");
	if (pk == NULL || (k = calloc(1, sizeof(*k))) == NULL)
		abort();
	k->pkey = pk;
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct quote_key *ec, *rsa;
	static const uint8_t msg[] = "fuzz message that nobody signed";
	TPMT_SIGNATURE sig;

	if (ec == NULL) {
		ec = fuzz_key("EC", 0);
		rsa = fuzz_key("RSA", 2048);
	}
	if (quote_decode_sig(data, size, &sig, NULL) != 0)
		return 0;
	if (quote_verify_sig(ec, msg, sizeof(msg), &sig, NULL) == 0 ||
	    quote_verify_sig(rsa, msg, sizeof(msg), &sig, NULL) == 0)
		abort();	/* a forged signature verified */
	return 0;
}
