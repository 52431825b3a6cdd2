/* attest.c: one appraisal: quote checked against the event log's replay. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "attest.h"

static int
attest_log_hash(const uint8_t *log, size_t len, uint8_t out[RCACHE_KEY_LEN],
    struct wg_diag *d)
{
	unsigned int n = 0;

	if (EVP_Digest(log, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != RCACHE_KEY_LEN)
		return wg_diag_set(d, WG_ERR_CRYPTO, "SHA-256 of the event log failed");
	return 0;
}

/*
 * Replays log into *scratch, or finds it in cache. *out points at the
 * values (scratch or a cache entry, valid until the next rcache_put).
 */
static int
attest_replay_ref(struct rcache *cache, const uint8_t *log, size_t len,
    const struct evlog_limits *lim, struct pcr_set *scratch,
    const struct pcr_set **out, uint8_t hash[RCACHE_KEY_LEN],
    struct wg_diag *d)
{
	struct evlog *ev = NULL;
	int r;

	if (log == NULL || len == 0)
		return wg_diag_set(d, WG_ERR_EVLOG_EMPTY, "no event log given");
	if ((r = attest_log_hash(log, len, hash, d)) != 0)
		return r;
	if (rcache_get(cache, hash, out) == 0)
		return 0;
	if ((r = evlog_parse(log, len, lim, &ev, d)) != 0)
		goto out;
	if ((r = evlog_replay(ev, scratch, d)) != 0)
		goto out;
	/* A full cache is only slower, never wrong: a put failure is ignored. */
	if (cache != NULL)
		(void)rcache_put(cache, hash, scratch);
	*out = scratch;
out:
	evlog_free(ev);
	return r;
}

int
attest_replay(struct rcache *cache, const uint8_t *log, size_t len,
    const struct evlog_limits *lim, struct pcr_set *out,
    uint8_t hash_out[RCACHE_KEY_LEN], struct wg_diag *d)
{
	struct pcr_set *scratch;
	const struct pcr_set *ref = NULL;
	uint8_t hash[RCACHE_KEY_LEN];
	int r;

	if ((scratch = malloc(sizeof(*scratch))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "replay buffer");
	if ((r = attest_replay_ref(cache, log, len, lim, scratch, &ref, hash,
	    d)) != 0)
		goto out;
	if (out != ref)
		memcpy(out, ref, sizeof(*out));
	if (hash_out != NULL)
		memcpy(hash_out, hash, sizeof(hash));
out:
	free(scratch);
	return r;
}

int
attest_verify(struct rcache *cache, const struct attest_in *in,
    struct quote_info *info, struct wg_diag *d)
{
	struct pcr_set *scratch = NULL;
	const struct pcr_set *pcrs = NULL;
	struct quote_expect exp;
	uint8_t hash[RCACHE_KEY_LEN];
	int r;

	if (in == NULL || in->ak == NULL || in->attest == NULL ||
	    in->sig == NULL || in->nonce == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "incomplete evidence");
	if (in->log != NULL) {
		if ((scratch = malloc(sizeof(*scratch))) == NULL) {
			r = wg_diag_set(d, WG_ERR_ALLOC, "replay buffer");
			goto out;
		}
		if ((r = attest_replay_ref(cache, in->log, in->log_len,
		    in->limits, scratch, &pcrs, hash, d)) != 0)
			goto out;
		if (in->log_hash != NULL &&
		    memcmp(in->log_hash, hash, RCACHE_KEY_LEN) != 0) {
			r = wg_diag_set(d, WG_ERR_INVALID_ARG,
			    "event log does not match the hash it was sent with");
			goto out;
		}
	} else if (in->log_hash != NULL) {
		if (rcache_get(cache, in->log_hash, &pcrs) != 0) {
			r = wg_diag_set(d, WG_ERR_NOT_FOUND,
			    "no replay held for this event log hash; the log is needed");
			goto out;
		}
	} else {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no event log given");
		goto out;
	}
	memset(&exp, 0, sizeof(exp));
	exp.nonce = in->nonce;
	exp.nonce_len = in->nonce_len;
	exp.required = in->required;
	exp.pcrs = pcrs;
	r = quote_check(in->ak, in->attest, in->attest_len, in->sig,
	    in->sig_len, &exp, info, d);
out:
	free(scratch);
	return r;
}
