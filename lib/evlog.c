/*
 * evlog.c: TCG PC Client firmware event logs: parse, replay, type names.
 *
 * Every byte of a log comes from the device being attested and is read
 * through the bounded reader in buf.h; no structure is laid over it.
 * Records are framed by their own size fields, checked against what
 * remains before anything is borrowed.
 *
 * Framing rules (TCG PC Client Platform Firmware Profile, section 10):
 *
 *  - The first record is always a TCG_PCR_EVENT (32-byte header: pcrIndex,
 *    eventType, SHA-1 digest, eventDataSize). If it is an EV_NO_ACTION in
 *    PCR 0 whose data starts with "Spec ID Event03\0", the log is
 *    crypto-agile and every later record is a TCG_PCR_EVENT2; otherwise
 *    the whole log is SHA-1 legacy TCG_PCR_EVENT records.
 *
 *  - Trailing fragment. After the last complete record, a fragment too
 *    short to hold the fixed part of a record header (legacy: 32 bytes;
 *    crypto-agile: 12 bytes, pcrIndex + eventType + digest count) is
 *    counted in log->trailing and ignored: it cannot state a length, so it
 *    cannot declare an event (tpm2_eventlog accepts such a tail, see
 *    below). A fragment that does hold that fixed part is a record and is
 *    held to its declared lengths: ending inside it is
 *    WG_ERR_EVLOG_TRUNCATED. A log must hold at least one complete record.
 *    Ignoring the tail is safe because a replay is only ever trusted once
 *    it equals the PCR values of a signed quote; a tail changes no
 *    replayed value and carries no event for appraisal to read.
 *
 *  - Spec ID body. It must fill its eventDataSize exactly. The one
 *    tolerated exception: tpm2-tools frames the Spec ID event by its
 *    vendorInfoSize rather than by eventDataSize, and its fixture
 *    specid-vendordata.bin relies on that (eventDataSize 37, vendorInfo
 *    4 bytes beyond it, then the end of the log). A vendorInfo that runs
 *    past the event data is accepted only when the missing bytes are
 *    exactly the rest of the log and that rest is itself a permitted
 *    trailing fragment: then both framings agree that the log holds the
 *    Spec ID event and nothing else. The record keeps its eventDataSize
 *    framing and those bytes count as trailing. Any other overrun would
 *    let the two framings see different events: WG_ERR_EVLOG_SPECID.
 *
 *  - The Spec ID event's own SHA-1 digest field must be zero (as the
 *    profile requires and tpm2-tools checks); it belongs to no bank.
 *
 *  - Digests of a TCG_PCR_EVENT2 are matched to banks by algorithm ID,
 *    never by position: at least one (an event with none measures
 *    nothing), at most as many as the Spec ID declares, each algorithm
 *    declared and present once. Fewer than declared is allowed (Windows).
 *
 *  - One StartupLocality event at most: two would make PCR 0's start
 *    value ambiguous (WG_ERR_EVLOG_EVENT).
 *
 * A log that is not a log at all (negative-bogus-34bytes.bin, ASCII text)
 * needs no special check: read as a legacy record its eventDataSize field
 * holds ASCII ("\nher" = 0x7265680a), far beyond the 2 bytes that follow,
 * so it ends inside its first record: WG_ERR_EVLOG_TRUNCATED.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "alg.h"
#include "buf.h"
#include "evlog.h"

#define LEGACY_HDR_LEN		32	/* pcrIndex, eventType, digest, size */
#define AGILE_FIXED_LEN		12	/* pcrIndex, eventType, digest count */
#define SHA1_LEN		20
#define SIG_LEN			16	/* Spec ID / StartupLocality signature */
#define LOCALITY_DATA_LEN	(SIG_LEN + 1)
#define EVLOG_FIRST_CAP		64	/* events array, then doubled */

static const uint8_t specid_sig[SIG_LEN] = "Spec ID Event03";
static const uint8_t locality_sig[SIG_LEN] = "StartupLocality";

/*
 * Makes room for one more event and returns it zeroed with its index and
 * offset set. WG_ERR_EVLOG_TOO_MANY past max_events.
 */
static int
evlog_slot(struct evlog *log, size_t *cap, size_t max_events, size_t off,
    struct evlog_event **evp, struct wg_diag *d)
{
	struct evlog_event *nev, *ev;
	size_t ncap;

	if (log->nevents >= max_events)
		return wg_diag_set(d, WG_ERR_EVLOG_TOO_MANY,
		    "event %zu at offset %zu: the log has more than %zu "
		    "events", log->nevents, off, max_events);
	if (log->nevents == *cap) {
		if (*cap == 0)
			ncap = EVLOG_FIRST_CAP;
		else if (*cap > SIZE_MAX / 2)
			ncap = SIZE_MAX;
		else
			ncap = *cap * 2;
		if (ncap > max_events)
			ncap = max_events;
		if (ncap > SIZE_MAX / sizeof(*nev) ||
		    (nev = realloc(log->events, ncap * sizeof(*nev))) == NULL)
			return wg_diag_set(d, WG_ERR_ALLOC,
			    "event %zu at offset %zu: no memory for %zu events",
			    log->nevents, off, ncap);
		log->events = nev;
		*cap = ncap;
	}
	ev = &log->events[log->nevents];
	memset(ev, 0, sizeof(*ev));
	ev->index = log->nevents;
	ev->offset = off;
	*evp = ev;
	return 0;
}

/* Reads the record's event data: a u32 size, then that many bytes. */
static int
read_data(struct wg_buf *b, struct evlog_event *ev, struct wg_diag *d)
{
	uint32_t size;

	if (buf_get_u32le(b, &size) != 0)
		return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
		    "event %zu at offset %zu: the log ends inside the event "
		    "size field", ev->index, ev->offset);
	if (size > buf_remaining(b))
		return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
		    "event %zu at offset %zu: event data size %u exceeds the "
		    "%zu bytes left", ev->index, ev->offset, size,
		    buf_remaining(b));
	if (buf_get_bytes(b, size, &ev->data) != 0)
		return wg_diag_set(d, WG_ERR_INTERNAL,
		    "event %zu at offset %zu: reader failed", ev->index,
		    ev->offset);
	ev->data_len = size;
	return 0;
}

/* One TCG_PCR_EVENT (legacy record, or the Spec ID event's wrapper). */
static int
read_legacy(struct wg_buf *b, struct evlog_event *ev, struct wg_diag *d)
{
	const uint8_t *digest;
	size_t left = buf_remaining(b);
	int r;

	if (left < LEGACY_HDR_LEN)
		return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
		    "event %zu at offset %zu: the log ends inside the %d-byte "
		    "event header (%zu bytes left)", ev->index, ev->offset,
		    LEGACY_HDR_LEN, left);
	if (buf_get_u32le(b, &ev->pcr) != 0 ||
	    buf_get_u32le(b, &ev->type) != 0 ||
	    buf_get_bytes(b, SHA1_LEN, &digest) != 0)
		return wg_diag_set(d, WG_ERR_INTERNAL,
		    "event %zu at offset %zu: reader failed", ev->index,
		    ev->offset);
	ev->ndigests = 1;
	ev->digest[0].alg = TPM2_ALG_SHA1;
	ev->digest[0].size = SHA1_LEN;
	ev->digest[0].bytes = digest;
	if ((r = read_data(b, ev, d)) != 0)
		return r;
	ev->length = buf_offset(b) - ev->offset;
	return 0;
}

/* One TCG_PCR_EVENT2; digests checked against the Spec ID's algorithms. */
static int
read_agile(struct wg_buf *b, const struct evlog *log,
    struct evlog_event *ev, struct wg_diag *d)
{
	uint32_t count, i;
	uint16_t alg;
	unsigned j, seen = 0;
	char name[16];
	int r;

	if (buf_get_u32le(b, &ev->pcr) != 0 ||
	    buf_get_u32le(b, &ev->type) != 0 ||
	    buf_get_u32le(b, &count) != 0)
		return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
		    "event %zu at offset %zu: the log ends inside the event "
		    "header", ev->index, ev->offset);
	if (count == 0 || count > log->nalgs)
		return wg_diag_set(d, WG_ERR_EVLOG_DIGEST,
		    "event %zu at offset %zu: %u digests, the Spec ID event "
		    "declares %u algorithms (1 to %u allowed)", ev->index,
		    ev->offset, count, log->nalgs, log->nalgs);
	for (i = 0; i < count; i++) {
		if (buf_get_u16le(b, &alg) != 0)
			return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
			    "event %zu at offset %zu: the log ends inside "
			    "digest %u", ev->index, ev->offset, i);
		for (j = 0; j < log->nalgs; j++)
			if (log->alg[j].id == alg)
				break;
		if (j == log->nalgs)
			return wg_diag_set(d, WG_ERR_EVLOG_DIGEST,
			    "event %zu at offset %zu: digest %u uses %s, which "
			    "the Spec ID event does not declare", ev->index,
			    ev->offset, i, alg_name(alg, name, sizeof(name)));
		if (seen & (1u << j))
			return wg_diag_set(d, WG_ERR_EVLOG_DIGEST,
			    "event %zu at offset %zu: digest %u repeats %s",
			    ev->index, ev->offset, i,
			    alg_name(alg, name, sizeof(name)));
		seen |= 1u << j;
		ev->digest[i].alg = alg;
		ev->digest[i].size = log->alg[j].size;
		if (buf_get_bytes(b, log->alg[j].size,
		    &ev->digest[i].bytes) != 0)
			return wg_diag_set(d, WG_ERR_EVLOG_TRUNCATED,
			    "event %zu at offset %zu: the log ends inside the "
			    "%s digest", ev->index, ev->offset,
			    alg_name(alg, name, sizeof(name)));
	}
	ev->ndigests = count;
	if ((r = read_data(b, ev, d)) != 0)
		return r;
	ev->length = buf_offset(b) - ev->offset;
	return 0;
}

static int
is_specid(const struct evlog_event *ev)
{
	return ev->pcr == 0 && ev->type == EV_NO_ACTION &&
	    ev->data_len >= SIG_LEN &&
	    memcmp(ev->data, specid_sig, SIG_LEN) == 0;
}

/*
 * Decodes the TCG_EfiSpecIDEvent in ev's data into log. *overrun gets how
 * many vendorInfo bytes lie beyond the event data (0 normally); the caller
 * decides whether that is the tolerated form (see the top of this file).
 */
static int
parse_specid(struct evlog *log, const struct evlog_event *ev,
    size_t *overrun, struct wg_diag *d)
{
	struct wg_buf s;
	struct evlog_alg algs[EVLOG_MAX_ALGS];
	const struct alg_info *ai;
	uint32_t platform_class, nalgs, i, j;
	uint8_t minor, major, errata, uintn, vsize;
	size_t k;
	char name[16];

	for (k = 0; k < ev->digest[0].size; k++)
		if (ev->digest[0].bytes[k] != 0)
			return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
			    "event %zu at offset %zu: the Spec ID event's "
			    "digest is not zero", ev->index, ev->offset);
	buf_init(&s, ev->data, ev->data_len);
	if (buf_skip(&s, SIG_LEN) != 0 ||
	    buf_get_u32le(&s, &platform_class) != 0 ||
	    buf_get_u8(&s, &minor) != 0 || buf_get_u8(&s, &major) != 0 ||
	    buf_get_u8(&s, &errata) != 0 || buf_get_u8(&s, &uintn) != 0 ||
	    buf_get_u32le(&s, &nalgs) != 0)
		return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
		    "event %zu at offset %zu: Spec ID event data too short "
		    "(%zu bytes)", ev->index, ev->offset, ev->data_len);
	if (nalgs == 0 || nalgs > EVLOG_MAX_ALGS)
		return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
		    "event %zu at offset %zu: Spec ID event declares %u "
		    "algorithms (1 to %d allowed)", ev->index, ev->offset,
		    nalgs, EVLOG_MAX_ALGS);
	for (i = 0; i < nalgs; i++) {
		if (buf_get_u16le(&s, &algs[i].id) != 0 ||
		    buf_get_u16le(&s, &algs[i].size) != 0)
			return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
			    "event %zu at offset %zu: Spec ID event data ends "
			    "inside algorithm %u of %u", ev->index, ev->offset,
			    i, nalgs);
		for (j = 0; j < i; j++)
			if (algs[j].id == algs[i].id)
				return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
				    "event %zu at offset %zu: Spec ID event "
				    "declares %s twice", ev->index, ev->offset,
				    alg_name(algs[i].id, name, sizeof(name)));
		ai = alg_by_id(algs[i].id);
		if (ai != NULL && algs[i].size != ai->size)
			return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
			    "event %zu at offset %zu: Spec ID event declares "
			    "%s with %u-byte digests, not %zu", ev->index,
			    ev->offset, ai->name, algs[i].size, ai->size);
		if (ai == NULL &&
		    (algs[i].size == 0 || algs[i].size > ALG_MAX_DIGEST))
			return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
			    "event %zu at offset %zu: Spec ID event declares "
			    "%s with %u-byte digests (1 to %d allowed)",
			    ev->index, ev->offset,
			    alg_name(algs[i].id, name, sizeof(name)),
			    algs[i].size, ALG_MAX_DIGEST);
	}
	if (buf_get_u8(&s, &vsize) != 0)
		return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
		    "event %zu at offset %zu: Spec ID event data ends before "
		    "vendorInfoSize", ev->index, ev->offset);
	*overrun = 0;
	if (vsize > buf_remaining(&s))
		*overrun = vsize - buf_remaining(&s);
	else if (buf_skip(&s, vsize) != 0 || buf_expect_end(&s) != 0)
		return wg_diag_set(d, WG_ERR_EVLOG_SPECID,
		    "event %zu at offset %zu: %zu bytes after the Spec ID "
		    "event's vendorInfo", ev->index, ev->offset,
		    buf_remaining(&s));

	log->format = EVLOG_FORMAT_CRYPTO_AGILE;
	log->nalgs = nalgs;
	memcpy(log->alg, algs, nalgs * sizeof(algs[0]));
	log->spec_minor = minor;
	log->spec_major = major;
	log->spec_errata = errata;
	log->uintn_size = uintn;
	return 0;
}

/* Facts about the boot that replay needs: StartupLocality and H-CRTM. */
static int
note_event(struct evlog *log, const struct evlog_event *ev,
    struct wg_diag *d)
{
	if (ev->pcr != 0)
		return 0;
	if (ev->type == EV_EFI_HCRTM_EVENT)
		log->has_hcrtm = 1;
	if (ev->type == EV_NO_ACTION && ev->data_len == LOCALITY_DATA_LEN &&
	    memcmp(ev->data, locality_sig, SIG_LEN) == 0) {
		/* Two would leave PCR 0's start value ambiguous. */
		if (log->startup_locality != -1)
			return wg_diag_set(d, WG_ERR_EVLOG_EVENT,
			    "event %zu at offset %zu: a second StartupLocality "
			    "event", ev->index, ev->offset);
		log->startup_locality = ev->data[SIG_LEN];
	}
	return 0;
}

int
evlog_parse(const uint8_t *buf, size_t len, const struct evlog_limits *lim,
    struct evlog **out, struct wg_diag *d)
{
	struct evlog *log = NULL;
	struct evlog_event *ev;
	struct wg_buf b;
	size_t max_bytes = EVLOG_DEFAULT_MAX_BYTES;
	size_t max_events = EVLOG_DEFAULT_MAX_EVENTS;
	size_t cap = 0, overrun = 0, left, hdr;
	int r;

	if (out == NULL || (buf == NULL && len != 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "evlog_parse: no input or output");
	if (lim != NULL && lim->max_bytes != 0)
		max_bytes = lim->max_bytes;
	if (lim != NULL && lim->max_events != 0)
		max_events = lim->max_events;
	if (len == 0)
		return wg_diag_set(d, WG_ERR_EVLOG_EMPTY,
		    "event 0 at offset 0: the log is empty");
	if (len > max_bytes)
		return wg_diag_set(d, WG_ERR_EVLOG_TOO_LARGE,
		    "event 0 at offset 0: the log is %zu bytes, more than "
		    "the %zu-byte limit", len, max_bytes);

	if ((log = calloc(1, sizeof(*log))) == NULL ||
	    (log->raw = malloc(len)) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC,
		    "event 0 at offset 0: no memory for a %zu-byte log", len);
		goto out;
	}
	memcpy(log->raw, buf, len);
	log->raw_len = len;
	log->startup_locality = -1;
	buf_init(&b, log->raw, len);

	/* The first record is a TCG_PCR_EVENT in both formats. */
	if ((r = evlog_slot(log, &cap, max_events, 0, &ev, d)) != 0 ||
	    (r = read_legacy(&b, ev, d)) != 0)
		goto out;
	if (is_specid(ev)) {
		if ((r = parse_specid(log, ev, &overrun, d)) != 0)
			goto out;
		if (overrun != 0 && (overrun != buf_remaining(&b) ||
		    overrun >= AGILE_FIXED_LEN)) {
			r = wg_diag_set(d, WG_ERR_EVLOG_SPECID,
			    "event 0 at offset 0: vendorInfo runs %zu bytes "
			    "past the Spec ID event data", overrun);
			goto out;
		}
		/* Its digest field is zero by rule and belongs to no bank. */
		ev->ndigests = 0;
		memset(&ev->digest[0], 0, sizeof(ev->digest[0]));
		hdr = AGILE_FIXED_LEN;
	} else {
		log->format = EVLOG_FORMAT_SHA1;
		log->nalgs = 1;
		log->alg[0].id = TPM2_ALG_SHA1;
		log->alg[0].size = SHA1_LEN;
		if ((r = note_event(log, ev, d)) != 0)
			goto out;
		hdr = LEGACY_HDR_LEN;
	}
	log->nevents = 1;

	while ((left = buf_remaining(&b)) > 0) {
		if (left < hdr) {
			log->trailing = left;
			break;
		}
		if ((r = evlog_slot(log, &cap, max_events, buf_offset(&b),
		    &ev, d)) != 0)
			goto out;
		if (log->format == EVLOG_FORMAT_CRYPTO_AGILE)
			r = read_agile(&b, log, ev, d);
		else
			r = read_legacy(&b, ev, d);
		if (r != 0 || (r = note_event(log, ev, d)) != 0)
			goto out;
		log->nevents++;
	}

	*out = log;
	log = NULL;
	r = 0;
out:
	evlog_free(log);
	return r;
}

void
evlog_free(struct evlog *log)
{
	if (log == NULL)
		return;
	free(log->events);
	free(log->raw);
	free(log);
}

/*
 * Replay runs bank by bank: one fetched EVP_MD and one EVP_MD_CTX serve
 * every extend of a bank, and nothing here allocates per event. (OpenSSL
 * 3.0 itself still remakes its provider context inside each
 * EVP_DigestInit_ex2; that cost is libcrypto's.)
 */
int
evlog_replay(const struct evlog *log, struct pcr_set *out,
    struct wg_diag *d)
{
	struct pcr_set set;
	struct pcr_bank *bank;
	const struct alg_info *ai;
	const struct evlog_event *ev;
	const struct evlog_digest *dg;
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t in[2 * ALG_MAX_DIGEST];
	unsigned i, k, n, start;
	size_t e;
	int r;

	if (log == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "evlog_replay: no log or output");
	pcr_set_init(&set);
	if (log->has_hcrtm)
		start = 4;
	else if (log->startup_locality > 0)
		start = (unsigned)log->startup_locality;
	else
		start = 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "replay: EVP_MD_CTX_new");
		goto out;
	}

	for (i = 0; i < log->nalgs && i < EVLOG_MAX_ALGS; i++) {
		if ((ai = alg_by_id(log->alg[i].id)) == NULL)
			continue;	/* declared, but not ours to hash */
		if ((r = pcr_set_add_bank(&set, ai->id, &bank)) != 0) {
			r = wg_diag_set(d, r, "replay: cannot add a %s bank",
			    ai->name);
			goto out;
		}
		pcr_bank_reset(bank);
		bank->value[0][bank->size - 1] = (uint8_t)start;
		EVP_MD_free(md);
		if ((md = EVP_MD_fetch(NULL, ai->ossl_name, NULL)) == NULL ||
		    EVP_MD_get_size(md) != (int)ai->size) {
			r = wg_diag_set(d, WG_ERR_CRYPTO,
			    "replay: OpenSSL has no usable %s", ai->name);
			goto out;
		}
		for (e = 0; e < log->nevents; e++) {
			ev = &log->events[e];
			if (ev->type == EV_NO_ACTION || ev->pcr >= PCR_COUNT)
				continue;
			for (k = 0; k < ev->ndigests && k < EVLOG_MAX_ALGS; k++)
				if (ev->digest[k].alg == ai->id)
					break;
			if (k == ev->ndigests || k == EVLOG_MAX_ALGS)
				continue;	/* no digest for this bank */
			dg = &ev->digest[k];
			if (dg->size != bank->size || dg->bytes == NULL) {
				r = wg_diag_set(d, WG_ERR_EVLOG_DIGEST,
				    "event %zu at offset %zu: %u-byte %s "
				    "digest", ev->index, ev->offset, dg->size,
				    ai->name);
				goto out;
			}
			/* One update of value || digest: one dispatch less. */
			memcpy(in, bank->value[ev->pcr], bank->size);
			memcpy(in + bank->size, dg->bytes, dg->size);
			if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
			    EVP_DigestUpdate(ctx, in, 2u * bank->size) != 1 ||
			    EVP_DigestFinal_ex(ctx, bank->value[ev->pcr],
			    &n) != 1 || n != bank->size) {
				r = wg_diag_set(d, WG_ERR_CRYPTO,
				    "event %zu at offset %zu: %s extend of "
				    "PCR %u failed", ev->index, ev->offset,
				    ai->name, ev->pcr);
				goto out;
			}
			bank->extended |= 1u << ev->pcr;
		}
	}

	memcpy(out, &set, sizeof(set));
	r = 0;
out:
	EVP_MD_free(md);
	EVP_MD_CTX_free(ctx);
	return r;
}

const char *
evlog_type_name(uint32_t type)
{
	switch (type) {
	case EV_PREBOOT_CERT:		return "EV_PREBOOT_CERT";
	case EV_POST_CODE:		return "EV_POST_CODE";
	case EV_UNUSED:			return "EV_UNUSED";
	case EV_NO_ACTION:		return "EV_NO_ACTION";
	case EV_SEPARATOR:		return "EV_SEPARATOR";
	case EV_ACTION:			return "EV_ACTION";
	case EV_EVENT_TAG:		return "EV_EVENT_TAG";
	case EV_S_CRTM_CONTENTS:	return "EV_S_CRTM_CONTENTS";
	case EV_S_CRTM_VERSION:		return "EV_S_CRTM_VERSION";
	case EV_CPU_MICROCODE:		return "EV_CPU_MICROCODE";
	case EV_PLATFORM_CONFIG_FLAGS:	return "EV_PLATFORM_CONFIG_FLAGS";
	case EV_TABLE_OF_DEVICES:	return "EV_TABLE_OF_DEVICES";
	case EV_COMPACT_HASH:		return "EV_COMPACT_HASH";
	case EV_IPL:			return "EV_IPL";
	case EV_IPL_PARTITION_DATA:	return "EV_IPL_PARTITION_DATA";
	case EV_NONHOST_CODE:		return "EV_NONHOST_CODE";
	case EV_NONHOST_CONFIG:		return "EV_NONHOST_CONFIG";
	case EV_NONHOST_INFO:		return "EV_NONHOST_INFO";
	case EV_OMIT_BOOT_DEVICE_EVENTS: return "EV_OMIT_BOOT_DEVICE_EVENTS";
	case EV_POST_CODE2:		return "EV_POST_CODE2";
	case EV_EFI_EVENT_BASE:		return "EV_EFI_EVENT_BASE";
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
		return "EV_EFI_VARIABLE_DRIVER_CONFIG";
	case EV_EFI_VARIABLE_BOOT:	return "EV_EFI_VARIABLE_BOOT";
	case EV_EFI_BOOT_SERVICES_APPLICATION:
		return "EV_EFI_BOOT_SERVICES_APPLICATION";
	case EV_EFI_BOOT_SERVICES_DRIVER:
		return "EV_EFI_BOOT_SERVICES_DRIVER";
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		return "EV_EFI_RUNTIME_SERVICES_DRIVER";
	case EV_EFI_GPT_EVENT:		return "EV_EFI_GPT_EVENT";
	case EV_EFI_ACTION:		return "EV_EFI_ACTION";
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
	case EV_EFI_HANDOFF_TABLES:	return "EV_EFI_HANDOFF_TABLES";
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
	case EV_EFI_HANDOFF_TABLES2:	return "EV_EFI_HANDOFF_TABLES2";
	case EV_EFI_VARIABLE_BOOT2:	return "EV_EFI_VARIABLE_BOOT2";
	case EV_EFI_GPT_EVENT2:		return "EV_EFI_GPT_EVENT2";
	case EV_EFI_HCRTM_EVENT:	return "EV_EFI_HCRTM_EVENT";
	case EV_EFI_VARIABLE_AUTHORITY:	return "EV_EFI_VARIABLE_AUTHORITY";
	case EV_EFI_SPDM_FIRMWARE_BLOB:	return "EV_EFI_SPDM_FIRMWARE_BLOB";
	case EV_EFI_SPDM_FIRMWARE_CONFIG:
		return "EV_EFI_SPDM_FIRMWARE_CONFIG";
	case EV_EFI_SPDM_DEVICE_POLICY:	return "EV_EFI_SPDM_DEVICE_POLICY";
	case EV_EFI_SPDM_DEVICE_AUTHORITY:
		return "EV_EFI_SPDM_DEVICE_AUTHORITY";
	default:
		return NULL;
	}
}
