/*
 * wire.h: the JSON messages of the agent protocol (docs/protocol.md).
 *
 * Decoders take untrusted bytes: the size is capped before json-c sees
 * them, and so is the count of objects and arrays (32) and of values
 * (513), far above what any message holds, because json-c's tree costs
 * up to ~1 KiB per value (WG_ERR_TOO_LARGE); nesting depth is capped in
 * the tokener (WG_ERR_JSON), unknown fields are
 * refused (WG_ERR_UNKNOWN_FIELD), required ones must be present
 * (WG_ERR_MISSING_FIELD), and every value is checked for type, length and
 * encoding (WG_ERR_BAD_FIELD); d names the field ("claims.mac",
 * "pcrs.sha256.7", "reasons[2].code"). The JSON must be strict RFC 8259:
 * a field given twice, a raw control character in a string, an unpaired
 * surrogate or "\u0000" escape, NaN or "-0" are refused too (json-c would
 * let them through). A decoder writes *out only on success.
 *
 * Encoders return a new NUL-terminated JSON text (caller frees), or NULL
 * on allocation failure or when m holds a value the decoder would refuse
 * (so what they write always decodes to the same fields). Free texts
 * (reason and error messages) are not refused but sanitised: invalid
 * UTF-8 and control characters become '?', cut to fit.
 * Each *_free releases the blobs a decoder allocated, wiped (NULL
 * accepted).
 */
#ifndef WG_WIRE_H
#define WG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "pcr.h"
#include "wg_err.h"

#define WIRE_MAX_BODY		(64u * 1024)	/* any request or response */
#define WIRE_MAX_EVENTLOG	(768u * 1024)	/* decoded event log */
/*
 * Evidence with a log: WIRE_MAX_BODY plus the log's base64 (4/3 of it,
 * exactly 1 MiB). A flat 1 MiB could not carry a 768 KiB log at all.
 * Everything but the log's base64 must still fit in WIRE_MAX_BODY.
 */
#define WIRE_MAX_EVIDENCE_BODY	(WIRE_MAX_BODY + WIRE_MAX_EVENTLOG / 3 * 4)
#define WIRE_MAX_DEPTH		8
#define WIRE_MAX_REASONS	8
#define WIRE_ID_LEN		65	/* 64 lowercase hex + NUL */
#define WIRE_NONCE_LEN		32
#define WIRE_ENROLL_ID_LEN	16
#define WIRE_TEXT_LEN		129	/* claims: at most 128 bytes */
#define WIRE_MAC_LEN		18
#define WIRE_STATE_LEN		16
#define WIRE_SEGMENT_LEN	33
#define WIRE_SELECTION_LEN	128
#define WIRE_CODE_LEN		32
#define WIRE_MESSAGE_LEN	256

/* An owned byte string (base64 on the wire). */
struct wire_blob {
	uint8_t *p;
	size_t len;
};

struct wire_enroll_req {
	struct wire_blob ek_pub;	/* TPM2B_PUBLIC, <= 1024 bytes */
	struct wire_blob ek_cert;	/* DER, <= 4096 bytes */
	struct wire_blob ak_pub;	/* TPM2B_PUBLIC, <= 1024 bytes */
	/*
	 * claims, all optional: "" when absent (and never sent; "" on the
	 * wire is refused); text is printable UTF-8, no control characters
	 */
	char hostname[WIRE_TEXT_LEN];
	char serial[WIRE_TEXT_LEN];
	char mac[WIRE_MAC_LEN];		/* "aa:bb:cc:dd:ee:ff" (lowercased) */
	char agent_version[WIRE_TEXT_LEN];
};

struct wire_enroll_resp {
	uint8_t enrollment_id[WIRE_ENROLL_ID_LEN];
	struct wire_blob credential_blob;	/* TPM2B_ID_OBJECT */
	struct wire_blob encrypted_secret;	/* TPM2B_ENCRYPTED_SECRET */
	uint32_t expires_in;
};

struct wire_activate_req {
	uint8_t enrollment_id[WIRE_ENROLL_ID_LEN];
	struct wire_blob secret;	/* 1..64 bytes */
};

struct wire_activate_resp {
	char device_id[WIRE_ID_LEN];
	char state[WIRE_STATE_LEN];	/* a state_name() (state.h) */
	char segment[WIRE_SEGMENT_LEN];	/* [A-Za-z0-9_.-], 1..32 */
	uint32_t attest_interval;
};

struct wire_challenge_req {
	char device_id[WIRE_ID_LEN];
};

struct wire_challenge_resp {
	uint8_t nonce[WIRE_NONCE_LEN];
	char pcr_selection[WIRE_SELECTION_LEN];
	uint32_t expires_in;
	char eventlog_sha256[WIRE_ID_LEN];	/* required; "" for JSON null */
};

struct wire_evidence_req {
	char device_id[WIRE_ID_LEN];
	uint8_t nonce[WIRE_NONCE_LEN];
	struct wire_blob quote;		/* TPMS_ATTEST, <= 1024 bytes */
	struct wire_blob signature;	/* TPMT_SIGNATURE, <= 1024 bytes */
	char eventlog_sha256[WIRE_ID_LEN];
	struct wire_blob eventlog;	/* len 0 when absent; not null */
	int has_pcrs;
	struct pcr_set pcrs;		/* reported values, when has_pcrs;
					   banks in JSON order, present bits
					   set, extended 0 */
};

struct wire_reason {
	char code[WIRE_CODE_LEN];	/* [A-Z][A-Z0-9_]*, a wg_errname() */
	char message[WIRE_MESSAGE_LEN];
};

struct wire_evidence_resp {
	int pass;			/* "verdict": "pass" | "fail" */
	char state[WIRE_STATE_LEN];
	char segment[WIRE_SEGMENT_LEN];
	unsigned nreasons;
	struct wire_reason reasons[WIRE_MAX_REASONS];
	uint32_t next_attest_in;
	int rotate;			/* "rotate": true: make a new AK */
};

/*
 * {"error": CODE, "message": TEXT} for every 4xx/5xx. wire_error_encode()
 * returns NULL for a code that is not [A-Z][A-Z0-9_]* of at most 31
 * characters; the message (NULL for "") is sanitised and cut to 255 bytes.
 */
struct wire_error {
	char error[WIRE_CODE_LEN];
	char message[WIRE_MESSAGE_LEN];
};

int wire_enroll_req_decode(const char *json, size_t len,
    struct wire_enroll_req *out, struct wg_diag *d);
char *wire_enroll_req_encode(const struct wire_enroll_req *m);
void wire_enroll_req_free(struct wire_enroll_req *m);

int wire_enroll_resp_decode(const char *json, size_t len,
    struct wire_enroll_resp *out, struct wg_diag *d);
char *wire_enroll_resp_encode(const struct wire_enroll_resp *m);
void wire_enroll_resp_free(struct wire_enroll_resp *m);

int wire_activate_req_decode(const char *json, size_t len,
    struct wire_activate_req *out, struct wg_diag *d);
char *wire_activate_req_encode(const struct wire_activate_req *m);
void wire_activate_req_free(struct wire_activate_req *m);

int wire_activate_resp_decode(const char *json, size_t len,
    struct wire_activate_resp *out, struct wg_diag *d);
char *wire_activate_resp_encode(const struct wire_activate_resp *m);

int wire_challenge_req_decode(const char *json, size_t len,
    struct wire_challenge_req *out, struct wg_diag *d);
char *wire_challenge_req_encode(const struct wire_challenge_req *m);

int wire_challenge_resp_decode(const char *json, size_t len,
    struct wire_challenge_resp *out, struct wg_diag *d);
char *wire_challenge_resp_encode(const struct wire_challenge_resp *m);

/* Up to WIRE_MAX_EVIDENCE_BODY bytes; the log up to WIRE_MAX_EVENTLOG. */
int wire_evidence_req_decode(const char *json, size_t len,
    struct wire_evidence_req *out, struct wg_diag *d);
char *wire_evidence_req_encode(const struct wire_evidence_req *m);
void wire_evidence_req_free(struct wire_evidence_req *m);

int wire_evidence_resp_decode(const char *json, size_t len,
    struct wire_evidence_resp *out, struct wg_diag *d);
char *wire_evidence_resp_encode(const struct wire_evidence_resp *m);

int wire_error_decode(const char *json, size_t len, struct wire_error *out,
    struct wg_diag *d);
char *wire_error_encode(const char *code, const char *message);

/*
 * JSON array text of reasons ("[]" for none), as the store keeps them;
 * NULL on allocation failure or n > WIRE_MAX_REASONS. And back (bounded
 * as above, at most WIRE_MAX_BODY bytes): r must hold WIRE_MAX_REASONS
 * entries; r and *n are written only on success.
 */
char *wire_reasons_encode(const struct wire_reason *r, unsigned n);
int wire_reasons_decode(const char *json, struct wire_reason *r,
    unsigned *n, struct wg_diag *d);

#endif
