/*
 * attest.h: one attestation appraisal: quote + event log replay.
 *
 * Verifies the quote (lib/quote) against the PCR values that the event
 * log replays to (lib/evlog), in every bank the quote covers. A replay is
 * remembered in an optional rcache by the SHA-256 of the log, so that a
 * routine re-attestation that names an unchanged log by its hash costs a
 * signature check and a lookup.
 */
#ifndef WG_ATTEST_H
#define WG_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "evlog.h"
#include "pcr.h"
#include "quote.h"
#include "rcache.h"
#include "wg_err.h"

struct attest_in {
	const struct quote_key *ak;
	const uint8_t *attest;		/* marshalled TPMS_ATTEST */
	size_t attest_len;
	const uint8_t *sig;		/* marshalled TPMT_SIGNATURE */
	size_t sig_len;
	const uint8_t *nonce;
	size_t nonce_len;
	const TPML_PCR_SELECTION *required;	/* may be NULL */
	/* The event log, or NULL when log_hash names one already replayed. */
	const uint8_t *log;
	size_t log_len;
	const uint8_t *log_hash;	/* RCACHE_KEY_LEN bytes or NULL */
	const struct evlog_limits *limits;	/* NULL: defaults */
};

/*
 * Replays log (or takes its replay from cache, which may be NULL) into
 * out. hash_out (may be NULL) receives the SHA-256 of the log.
 */
int attest_replay(struct rcache *cache, const uint8_t *log, size_t len,
    const struct evlog_limits *lim, struct pcr_set *out,
    uint8_t hash_out[RCACHE_KEY_LEN], struct wg_diag *d);

/*
 * The full appraisal. With in->log the log is hashed, looked up in cache
 * and replayed on a miss; with only in->log_hash the cached replay must
 * exist (WG_ERR_NOT_FOUND otherwise: ask the device for its log). Then
 * quote_check() against the replayed values. 0 only if all holds.
 */
int attest_verify(struct rcache *cache, const struct attest_in *in,
    struct quote_info *info, struct wg_diag *d);

#endif
