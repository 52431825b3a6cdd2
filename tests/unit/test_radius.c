/*
 * test_radius.c: RFC 5176 Disconnect/CoA encoder and verifiers.
 *
 * Expected packets are assembled here byte by byte from the RFC formulas
 * and signed with OpenSSL's one-shot EVP_Q_digest/EVP_Q_mac, a code path
 * independent of lib/radius.c's EVP_MD_CTX/EVP_MAC_CTX.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "radius.h"
#include "testutil.h"
#include "wg_err.h"

/*
 * The fixed requests. tests/fuzz/fuzz_radius.c builds the same ones, and
 * tests/data/radius/freeradius-*.bin are FreeRADIUS 3.2.1's replies to
 * them: keep the three in step.
 */
static const uint8_t secret[] = "wardgate-coa-test-secret";
#define SECRET_LEN (sizeof(secret) - 1)
#define S secret, SECRET_LEN	/* two arguments of reply_by_hand */

static void
fixed_disconnect(struct radius_request *r)
{
	memset(r, 0, sizeof(*r));
	r->code = RADIUS_DISCONNECT_REQUEST;
	r->identifier = 0x5a;
	r->user_name = "nurse-station-7";
	r->has_nas_ip = 1;
	memcpy(r->nas_ip, "\xc0\x00\x02\x0a", 4);	/* 192.0.2.10 */
	r->has_mac = 1;
	memcpy(r->mac, "\x00\x1a\x2b\x3c\x4d\x5e", 6);
	r->acct_session_id = "5F3A0001";
	r->event_timestamp = 1700000000;	/* 0x6553f100 */
}

static void
fixed_coa(struct radius_request *r)
{
	fixed_disconnect(r);
	r->code = RADIUS_COA_REQUEST;
	r->identifier = 0x5b;
	r->vlan = "100";
	r->vlan_tag = 1;
}

/* Independent signing: the RFC formulas over hand-assembled bytes. */
static void
md5_of(const uint8_t *p, size_t n, const uint8_t *s, size_t sn,
    uint8_t out[16])
{
	uint8_t tmp[RADIUS_MAX_LEN + RADIUS_SECRET_MAX];
	size_t outlen = 0;

	assert_true(n + sn <= sizeof(tmp));
	memcpy(tmp, p, n);
	memcpy(tmp + n, s, sn);
	assert_int_equal(EVP_Q_digest(NULL, "MD5", NULL, tmp, n + sn, out,
	    &outlen), 1);
	assert_int_equal(outlen, 16);
}

static void
hmac_of(const uint8_t *p, size_t n, const uint8_t *s, size_t sn,
    uint8_t out[16])
{
	size_t outlen = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, s, sn, p, n,
	    out, 16, &outlen));
	assert_int_equal(outlen, 16);
}

/*
 * Completes hand-assembled pkt[0..len): Length; authenticator field set to
 * field; Message-Authenticator at ma_off (0: none) over that; then the
 * MD5 authenticator.
 */
static void
sign_by_hand(uint8_t *pkt, size_t len, size_t ma_off, const uint8_t field[16],
    const uint8_t *s, size_t sn)
{
	uint8_t h[16];

	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	memcpy(pkt + 4, field, 16);
	if (ma_off != 0) {
		memset(pkt + ma_off, 0, 16);
		hmac_of(pkt, len, s, sn, h);
		memcpy(pkt + ma_off, h, 16);
	}
	md5_of(pkt, len, s, sn, h);
	memcpy(pkt + 4, h, 16);
}

static const uint8_t zero16[16];

/* Appends an attribute to a hand-built packet. */
static size_t
put_attr(uint8_t *pkt, size_t len, uint8_t type, const void *v, size_t n)
{
	pkt[len] = type;
	pkt[len + 1] = (uint8_t)(n + 2);
	memcpy(pkt + len + 2, v, n);
	return len + 2 + n;
}

static size_t
encode_fixed(int coa, uint8_t *out)
{
	struct radius_request r;
	struct wg_diag d;
	size_t n = 0;

	if (coa)
		fixed_coa(&r);
	else
		fixed_disconnect(&r);
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    RADIUS_MAX_LEN, &n, &d), 0);
	return n;
}

/*
 * A reply to req by hand: code, identifier, optional Error-Cause,
 * optional Message-Authenticator, plus extra raw attribute bytes.
 */
static size_t
reply_by_hand(const uint8_t *req, uint8_t code, uint8_t id, uint32_t cause,
    int with_ma, const uint8_t *extra, size_t extra_len, const uint8_t *s,
    size_t sn, uint8_t *pkt)
{
	size_t len = 20, ma_off = 0;
	uint8_t v[4];

	memset(pkt, 0, 20);
	pkt[0] = code;
	pkt[1] = id;
	if (with_ma) {
		ma_off = len + 2;
		len = put_attr(pkt, len, 80, zero16, 16);
	}
	if (cause != 0) {
		v[0] = (uint8_t)(cause >> 24);
		v[1] = (uint8_t)(cause >> 16);
		v[2] = (uint8_t)(cause >> 8);
		v[3] = (uint8_t)cause;
		len = put_attr(pkt, len, 101, v, 4);
	}
	if (extra_len > 0)
		memcpy(pkt + len, extra, extra_len);
	len += extra_len;
	sign_by_hand(pkt, len, ma_off, req + 4, s, sn);
	return len;
}

static void
test_disconnect_known_answer(void **state)
{
	uint8_t exp[RADIUS_MAX_LEN], got[RADIUS_MAX_LEN];
	size_t len = 20, n;

	(void)state;
	memset(exp, 0, 20);
	exp[0] = 40;
	exp[1] = 0x5a;
	len = put_attr(exp, len, 80, zero16, 16);
	len = put_attr(exp, len, 4, "\xc0\x00\x02\x0a", 4);
	len = put_attr(exp, len, 1, "nurse-station-7", 15);
	len = put_attr(exp, len, 31, "00-1A-2B-3C-4D-5E", 17);
	len = put_attr(exp, len, 44, "5F3A0001", 8);
	len = put_attr(exp, len, 55, "\x65\x53\xf1\x00", 4);
	assert_int_equal(len, 20 + 18 + 6 + 17 + 19 + 10 + 6);
	sign_by_hand(exp, len, 22, zero16, secret, SECRET_LEN);

	n = encode_fixed(0, got);
	assert_int_equal(n, len);
	assert_memory_equal(got, exp, len);
	/* And the verifier a NAS would run accepts it. */
	assert_int_equal(radius_request_verify(got, n, secret, SECRET_LEN,
	    RADIUS_REQUIRE_MSG_AUTH, NULL, NULL), 0);
}

static void
test_coa_vlan_known_answer(void **state)
{
	uint8_t exp[RADIUS_MAX_LEN], got[RADIUS_MAX_LEN];
	struct radius_request r;
	struct radius_info info;
	size_t len = 20, n = 0;

	(void)state;
	memset(exp, 0, 20);
	exp[0] = 43;
	exp[1] = 0x5b;
	len = put_attr(exp, len, 80, zero16, 16);
	len = put_attr(exp, len, 4, "\xc0\x00\x02\x0a", 4);
	len = put_attr(exp, len, 1, "nurse-station-7", 15);
	len = put_attr(exp, len, 31, "00-1A-2B-3C-4D-5E", 17);
	len = put_attr(exp, len, 44, "5F3A0001", 8);
	len = put_attr(exp, len, 55, "\x65\x53\xf1\x00", 4);
	/* Tag 1; VLAN (13), IEEE-802 (6), "100". */
	len = put_attr(exp, len, 64, "\x01\x00\x00\x0d", 4);
	len = put_attr(exp, len, 65, "\x01\x00\x00\x06", 4);
	len = put_attr(exp, len, 81, "\x01" "100", 4);
	sign_by_hand(exp, len, 22, zero16, secret, SECRET_LEN);

	n = encode_fixed(1, got);
	assert_int_equal(n, len);
	assert_memory_equal(got, exp, len);
	assert_int_equal(radius_request_verify(got, n, secret, SECRET_LEN, 0,
	    &info, NULL), 0);
	assert_int_equal(info.code, RADIUS_COA_REQUEST);
	assert_int_equal(info.identifier, 0x5b);
	assert_int_equal(info.nattrs, 9);
	assert_true(info.has_msg_auth);
	assert_true(info.has_event_timestamp);
	assert_int_equal(info.event_timestamp, 1700000000);

	/* Tag 0: the string goes without a tag octet. */
	fixed_coa(&r);
	r.vlan_tag = 0;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, got,
	    sizeof(got), &n, NULL), 0);
	assert_int_equal(n, len - 1);
	assert_memory_equal(got + n - 17, "\x40\x06\x00\x00\x00\x0d"
	    "\x41\x06\x00\x00\x00\x06" "\x51\x05" "100", 17);
}

static void
test_encode_refuses(void **state)
{
	struct radius_request r;
	struct wg_diag d;
	uint8_t out[RADIUS_MAX_LEN];
	char big[300];
	size_t n = 12345;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	fixed_disconnect(&r);
	r.code = 1;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_disconnect(&r);
	r.event_timestamp = 0;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_disconnect(&r);
	r.user_name = NULL;
	r.has_mac = 0;
	r.acct_session_id = NULL;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_disconnect(&r);
	r.vlan = "100";		/* VLAN only in a CoA */
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_coa(&r);
	r.vlan_tag = 0x20;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_coa(&r);
	r.vlan = "10 0";
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_coa(&r);
	r.vlan = "";
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_disconnect(&r);
	r.user_name = big;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	big[253] = '\0';	/* exactly the maximum is fine */
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), 0);
	fixed_disconnect(&r);
	r.acct_session_id = "";
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	fixed_disconnect(&r);
	assert_int_equal(radius_request_encode(&r, secret, 0, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	assert_int_equal(radius_request_encode(&r, NULL, 5, out,
	    sizeof(out), &n, &d), WG_ERR_INVALID_ARG);
	n = 12345;
	assert_int_equal(radius_request_encode(&r, secret, SECRET_LEN, out,
	    50, &n, &d), WG_ERR_TOO_LARGE);
	assert_int_equal(n, 12345);	/* outputs only on success */
}

static void
test_ack_nak_by_hand(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN];
	struct radius_info info;
	struct wg_diag d;
	size_t rlen, n;

	(void)state;
	rlen = encode_fixed(0, req);

	/* Plain ACK, no attributes (what many NASes send). */
	n = reply_by_hand(req, 41, 0x5a, 0, 0, NULL, 0, S, pkt);
	assert_int_equal(n, 20);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, &info, &d), 0);
	assert_int_equal(info.code, RADIUS_DISCONNECT_ACK);
	assert_false(info.has_msg_auth);
	assert_false(info.has_error_cause);
	/* ... but not when the caller requires a Message-Authenticator. */
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, RADIUS_REQUIRE_MSG_AUTH, &info, &d), WG_ERR_RADIUS_AUTH);

	/* ACK with Message-Authenticator. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, RADIUS_REQUIRE_MSG_AUTH, &info, &d), 0);
	assert_true(info.has_msg_auth);

	/* NAK, Error-Cause 503, Message-Authenticator, a Proxy-State. */
	n = reply_by_hand(req, 42, 0x5a, 503, 1, (const uint8_t *)"\x21\x05pxy",
	    5, S, pkt);
	memset(&info, 0, sizeof(info));
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, RADIUS_REQUIRE_MSG_AUTH, &info, &d), 0);
	assert_int_equal(info.code, RADIUS_DISCONNECT_NAK);
	assert_int_equal(info.identifier, 0x5a);
	assert_int_equal(info.nattrs, 3);
	assert_true(info.has_error_cause);
	assert_int_equal(info.error_cause, 503);
	assert_string_equal(radius_error_cause_name(info.error_cause),
	    "Session-Context-Not-Found");
	assert_string_equal(radius_code_name(info.code), "Disconnect-NAK");

	/* CoA: ACK and NAK 404. */
	rlen = encode_fixed(1, req);
	n = reply_by_hand(req, 44, 0x5b, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, &info, &d), 0);
	assert_int_equal(info.code, RADIUS_COA_ACK);
	n = reply_by_hand(req, 45, 0x5b, 404, 0, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, &info, &d), 0);
	assert_int_equal(info.error_cause, 404);
	assert_string_equal(radius_error_cause_name(404), "Invalid-Request");
	assert_string_equal(radius_error_cause_name(999), "Unknown");
}

static void
test_wrong_secret(void **state)
{
	static const uint8_t other[] = "wardgate-coa-test-secreT";
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN];
	struct radius_info info = { .code = 99 };
	struct wg_diag d;
	size_t rlen, n;

	(void)state;
	rlen = encode_fixed(0, req);
	/* Signed with another secret: both authenticators wrong. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, NULL, 0, other,
	    sizeof(other) - 1, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, &info, &d), WG_ERR_RADIUS_AUTH);
	assert_int_equal(info.code, 99);	/* untouched on failure */
	/* Right secret, then checked with the wrong one. */
	n = reply_by_hand(req, 41, 0x5a, 0, 0, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, other,
	    sizeof(other) - 1, 0, NULL, &d), WG_ERR_RADIUS_AUTH);
	assert_non_null(strstr(d.detail, "Response authenticator"));
	/* A request under the wrong secret. */
	assert_int_equal(radius_request_verify(req, rlen, other,
	    sizeof(other) - 1, 0, NULL, &d), WG_ERR_RADIUS_AUTH);

	/*
	 * Response Authenticator right but Message-Authenticator made with
	 * another key: caught by the HMAC check alone.
	 */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, NULL, 0, S, pkt);
	hmac_of(pkt, 0, other, sizeof(other) - 1, pkt + 22);	/* junk MA */
	{
		uint8_t h[16];

		memcpy(pkt + 4, req + 4, 16);
		md5_of(pkt, n, secret, SECRET_LEN, h);
		memcpy(pkt + 4, h, 16);
	}
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_RADIUS_AUTH);
	assert_non_null(strstr(d.detail, "Message-Authenticator"));
}

/* The Message-Authenticator of a request is over a zeroed authenticator. */
static void
test_request_msg_auth_field(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], copy[RADIUS_MAX_LEN], h[16];
	size_t rlen;

	(void)state;
	rlen = encode_fixed(0, req);
	memcpy(copy, req, rlen);
	memset(copy + 4, 0, 16);
	memset(copy + 22, 0, 16);
	hmac_of(copy, rlen, secret, SECRET_LEN, h);
	assert_memory_equal(h, req + 22, 16);
	/* Not over the final Request Authenticator. */
	memcpy(copy + 4, req + 4, 16);
	hmac_of(copy, rlen, secret, SECRET_LEN, h);
	assert_memory_not_equal(h, req + 22, 16);
}

static void
test_flipped_bits(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN], bad[RADIUS_MAX_LEN];
	size_t rlen, n, i;
	int bit;

	(void)state;
	rlen = encode_fixed(0, req);
	n = reply_by_hand(req, 42, 0x5a, 503, 1, (const uint8_t *)"\x21\x05pxy",
	    5, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, NULL), 0);
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, pkt, n);
			bad[i] ^= (uint8_t)(1u << bit);
			if (radius_response_verify(req, rlen, bad, n, secret,
			    SECRET_LEN, 0, NULL, NULL) == 0)
				fail_msg("response bit %d of octet %zu flipped "
				    "and still verified", bit, i);
		}
	/* The request too, as a NAS verifies it. */
	for (i = 0; i < rlen; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, req, rlen);
			bad[i] ^= (uint8_t)(1u << bit);
			if (radius_request_verify(bad, rlen, secret, SECRET_LEN,
			    0, NULL, NULL) == 0)
				fail_msg("request bit %d of octet %zu flipped "
				    "and still verified", bit, i);
		}
}

static void
test_truncated(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN], *cut;
	struct wg_diag d;
	size_t rlen, n, i;
	int r;

	(void)state;
	rlen = encode_fixed(0, req);
	n = reply_by_hand(req, 42, 0x5a, 503, 1, NULL, 0, secret, SECRET_LEN,
	    pkt);
	/* Every prefix, in a buffer of its size (ASan sees overreads). */
	for (i = 0; i < n; i++) {
		cut = malloc(i > 0 ? i : 1);
		assert_non_null(cut);
		memcpy(cut, pkt, i);
		r = radius_response_verify(req, rlen, i > 0 ? cut : NULL, i,
		    secret, SECRET_LEN, 0, NULL, &d);
		assert_int_equal(r, WG_ERR_TRUNCATED);
		r = radius_request_verify(i > 0 ? cut : NULL, i, secret,
		    SECRET_LEN, 0, NULL, &d);
		assert_true(r < 0);
		free(cut);
	}
	/* Trailing octets after Length are refused. */
	pkt[n] = 0;
	assert_int_equal(radius_response_verify(req, rlen, pkt, n + 1, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_TRAILING);
	/* Length below the header, and above the maximum. */
	pkt[2] = 0;
	pkt[3] = 19;
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	{
		uint8_t *huge = calloc(1, RADIUS_MAX_LEN + 1);

		assert_non_null(huge);
		memcpy(huge, pkt, 20);
		huge[2] = 0x10;
		huge[3] = 0x01;
		assert_int_equal(radius_response_verify(req, rlen, huge,
		    RADIUS_MAX_LEN + 1, secret, SECRET_LEN, 0, NULL, &d),
		    WG_ERR_TOO_LARGE);
		free(huge);
	}
}

static void
test_attribute_lengths(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN];
	struct wg_diag d;
	size_t rlen, n, i;

	(void)state;
	rlen = encode_fixed(0, req);
	/* Properly signed, so only the structure can fail them. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, (const uint8_t *)"\x21\x00", 2,
	    S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	n = reply_by_hand(req, 41, 0x5a, 0, 1, (const uint8_t *)"\x21\x01", 2,
	    S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	n = reply_by_hand(req, 41, 0x5a, 0, 1, (const uint8_t *)"\x21\x06pxy",
	    5, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_TRUNCATED);
	n = reply_by_hand(req, 41, 0x5a, 0, 1, (const uint8_t *)"\x21", 1,
	    S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_TRUNCATED);
	/* A value-less attribute (length 2) is well-formed. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, (const uint8_t *)"\x21\x02", 2,
	    S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), 0);
	/* Error-Cause and Message-Authenticator have fixed lengths. */
	n = reply_by_hand(req, 42, 0x5a, 0, 1,
	    (const uint8_t *)"\x65\x05\x00\x01\xf7", 5, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	n = reply_by_hand(req, 42, 0x5a, 0, 0,
	    (const uint8_t *)"\x50\x11" "0123456789abcde", 17, secret,
	    SECRET_LEN, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	/* Two Message-Authenticators. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1,
	    (const uint8_t *)"\x50\x12" "0123456789abcdef", 18, secret,
	    SECRET_LEN, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_FORMAT);
	/* Attribute count: the limit passes, one more does not. */
	{
		uint8_t extra[2 * RADIUS_MAX_ATTRS];

		for (i = 0; i < sizeof(extra); i += 2) {
			extra[i] = 0x21;
			extra[i + 1] = 2;
		}
		n = reply_by_hand(req, 41, 0x5a, 0, 1, extra,
		    2 * (RADIUS_MAX_ATTRS - 1), S, pkt);
		assert_int_equal(radius_response_verify(req, rlen, pkt, n,
		    secret, SECRET_LEN, 0, NULL, &d), 0);
		n = reply_by_hand(req, 41, 0x5a, 0, 1, extra,
		    2 * RADIUS_MAX_ATTRS, S, pkt);
		assert_int_equal(radius_response_verify(req, rlen, pkt, n,
		    secret, SECRET_LEN, 0, NULL, &d), WG_ERR_TOO_LARGE);
	}
}

static void
test_identifier_and_code(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], coa[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN];
	struct wg_diag d;
	size_t rlen, clen, n;

	(void)state;
	rlen = encode_fixed(0, req);
	clen = encode_fixed(1, coa);
	/* Signed correctly for the request, but another identifier. */
	n = reply_by_hand(req, 41, 0x5b, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_NOT_FOUND);
	/* CoA-ACK to a Disconnect-Request, Disconnect-ACK to a CoA-Request. */
	n = reply_by_hand(req, 44, 0x5a, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_UNSUPPORTED);
	n = reply_by_hand(coa, 41, 0x5b, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(coa, clen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_UNSUPPORTED);
	/* Access-Accept, Accounting-Response, a request as a reply. */
	n = reply_by_hand(req, 2, 0x5a, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_UNSUPPORTED);
	n = reply_by_hand(req, 5, 0x5a, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_UNSUPPORTED);
	assert_int_equal(radius_response_verify(req, rlen, req, rlen, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_UNSUPPORTED);
	/* A reply is not a request. */
	n = reply_by_hand(req, 41, 0x5a, 0, 1, NULL, 0, S, pkt);
	assert_int_equal(radius_request_verify(pkt, n, secret, SECRET_LEN, 0,
	    NULL, &d), WG_ERR_UNSUPPORTED);
	/* A malformed "request" argument is the caller's error. */
	assert_int_equal(radius_response_verify(pkt, n, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_INVALID_ARG);
	assert_int_equal(radius_response_verify(req, rlen - 1, pkt, n, secret,
	    SECRET_LEN, 0, NULL, &d), WG_ERR_INVALID_ARG);
}

static void
test_response_encode_round_trip(void **state)
{
	uint8_t req[RADIUS_MAX_LEN], pkt[RADIUS_MAX_LEN], exp[RADIUS_MAX_LEN];
	struct radius_info info;
	size_t rlen, n = 0, en;

	(void)state;
	rlen = encode_fixed(1, req);
	assert_int_equal(radius_response_encode(req, rlen, 0, 503, secret,
	    SECRET_LEN, pkt, sizeof(pkt), &n, NULL), 0);
	en = reply_by_hand(req, 45, 0x5b, 503, 1, NULL, 0, secret, SECRET_LEN,
	    exp);
	assert_int_equal(n, en);
	assert_memory_equal(pkt, exp, n);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, RADIUS_REQUIRE_MSG_AUTH, &info, NULL), 0);
	assert_int_equal(info.code, RADIUS_COA_NAK);
	assert_int_equal(info.error_cause, 503);
	assert_int_equal(radius_response_encode(req, rlen, 1, 0, secret,
	    SECRET_LEN, pkt, sizeof(pkt), &n, NULL), 0);
	assert_int_equal(n, 38);
	assert_int_equal(radius_response_verify(req, rlen, pkt, n, secret,
	    SECRET_LEN, RADIUS_REQUIRE_MSG_AUTH, &info, NULL), 0);
	assert_int_equal(info.code, RADIUS_COA_ACK);
	assert_false(info.has_error_cause);
	assert_int_equal(radius_response_encode(req, rlen, 1, 0, secret,
	    SECRET_LEN, pkt, 37, &n, NULL), WG_ERR_TOO_LARGE);
}

static int
read_data(const char *rel, uint8_t **p, size_t *n)
{
	char path[512];

	return tu_read_file(tu_data_path(rel, path, sizeof(path)),
	    RADIUS_MAX_LEN + 1, p, n);
}

/*
 * Real packets. freeradius-*.bin: what FreeRADIUS 3.2.1's coa virtual
 * server answered to the fixed requests. radclient-*.bin: requests that
 * radclient 3.2.1 sent with the same secret.
 */
static void
test_freeradius_packets(void **state)
{
	static const struct {
		const char *file;
		int coa;
		uint8_t code;
	} replies[] = {
		{ "radius/freeradius-disconnect-ack.bin", 0, 41 },
		{ "radius/freeradius-disconnect-nak.bin", 0, 42 },
		{ "radius/freeradius-coa-ack.bin", 1, 44 },
		{ "radius/freeradius-coa-nak.bin", 1, 45 },
	};
	static const char *const requests[] = {
		"radius/radclient-disconnect.bin",
		"radius/radclient-coa.bin",
	};
	uint8_t req[RADIUS_MAX_LEN], *p;
	struct radius_info info;
	struct wg_diag d;
	size_t i, rlen, n;

	(void)state;
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		assert_int_equal(read_data(replies[i].file, &p, &n), 0);
		rlen = encode_fixed(replies[i].coa, req);
		if (radius_response_verify(req, rlen, p, n, secret, SECRET_LEN,
		    0, &info, &d) != 0)
			fail_msg("%s: %s", replies[i].file, d.detail);
		assert_int_equal(info.code, replies[i].code);
		free(p);
	}
	/* The fuzz seed made with Python's hashlib/hmac: NAK 503 with MA. */
	assert_int_equal(read_data("radius/coa-nak-msgauth.bin", &p, &n), 0);
	rlen = encode_fixed(1, req);
	if (radius_response_verify(req, rlen, p, n, secret, SECRET_LEN,
	    RADIUS_REQUIRE_MSG_AUTH, &info, &d) != 0)
		fail_msg("coa-nak-msgauth.bin: %s", d.detail);
	assert_int_equal(info.error_cause, 503);
	free(p);
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		assert_int_equal(read_data(requests[i], &p, &n), 0);
		if (radius_request_verify(p, n, secret, SECRET_LEN,
		    RADIUS_REQUIRE_MSG_AUTH, &info, &d) != 0)
			fail_msg("%s: %s", requests[i], d.detail);
		assert_true(info.has_msg_auth);
		free(p);
	}
}

/* ---- rlm_rest side ---- */

static void
test_mac_normalize(void **state)
{
	static const char *const good[] = {
		"AA-BB-CC-DD-EE-0F", "aa-bb-cc-dd-ee-0f", "aa:bb:cc:dd:ee:0f",
		"AA:bB:Cc:dd:EE:0F", "aabb.ccdd.ee0f", "AABB.CCDD.EE0F",
		"aabbccddee0f", "AABBCCDDEE0F",
	};
	static const char *const bad[] = {
		"", "aa", "aa-bb-cc-dd-ee", "aa-bb-cc-dd-ee-0f-",
		" aa-bb-cc-dd-ee-0f",
		"aa-bb-cc-dd-ee-0f ", "aa-bb:cc-dd-ee-0f", "aa:bb:cc:dd:ee-0f",
		"aa.bb.cc.dd.ee.0f", "aa bb cc dd ee 0f", "aabb-ccdd-ee0f",
		"aabb:ccdd:ee0f", "aabbccddee0g", "gabbccddee0f", "aabbccddee0",
		"aabbccddee0f0", "aa-bb-cc-dd-ee-0g", "a-abb-cc-dd-ee-0f",
		"aab-b-cc-dd-ee-0f", "aabb.ccdd.ee0", "aabbc.cdd.ee0f",
		"+a-bb-cc-dd-ee-0f", "0xaabbccddee0f", "aa--bb-cc-dd-ee0f",
		"nurse-station-7",
	};
	uint8_t mac[6], want[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f };
	char out[RADIUS_MAC_STR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(out, 'x', sizeof(out));
		memset(mac, 0, sizeof(mac));
		if (radius_mac_normalize(good[i], strlen(good[i]), out,
		    mac) != 0)
			fail_msg("refused %s", good[i]);
		assert_string_equal(out, "aa:bb:cc:dd:ee:0f");
		assert_memory_equal(mac, want, 6);
		assert_int_equal(radius_mac_normalize(good[i], strlen(good[i]),
		    NULL, NULL), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (radius_mac_normalize(bad[i], strlen(bad[i]), out,
		    mac) != WG_ERR_FORMAT)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(out[0], 'x');	/* untouched */
	}
	/* The length is the caller's: no reading to a NUL. */
	assert_int_equal(radius_mac_normalize("aabbccddee0fXX", 12, out, NULL),
	    0);
	assert_string_equal(out, "aa:bb:cc:dd:ee:0f");
	assert_int_equal(radius_mac_normalize("aabbccddee\0f", 12, out, NULL),
	    WG_ERR_FORMAT);
	radius_mac_ieee(want, out);
	assert_string_equal(out, "AA-BB-CC-DD-EE-0F");
}

/*
 * rest-mab.bin is what FreeRADIUS 3.2.1's rlm_rest POSTed for a MAB
 * request sent with radclient; this one has the same shape plus a long
 * attribute name (names are not judged).
 */
static const char rest_mab[] =
    "{\"User-Name\":{\"type\":\"string\",\"value\":[\"001a2b3c4d5e\"]},"
    "\"User-Password\":{\"type\":\"string\",\"value\":[\"001a2b3c4d5e\"]},"
    "\"NAS-IP-Address\":{\"type\":\"ipaddr\",\"value\":[\"127.0.0.1\"]},"
    "\"Service-Type\":{\"type\":\"integer\",\"value\":[\"Call-Check\"]},"
    "\"Calling-Station-Id\":{\"type\":\"string\","
    "\"value\":[\"00-1A-2B-3C-4D-5E\"]},"
    "\"NAS-Port-Type\":{\"type\":\"integer\",\"value\":[\"Ethernet\"]},"
    "\"Event-Timestamp\":{\"type\":\"date\","
    "\"value\":[\"Nov 14 2023 22:13:20 UTC\"]},"
    "\"Chargeable-User-Identity\":{\"type\":\"octets\",\"value\":[\"0x00\"]}}";

static void
test_rest_parse(void **state)
{
	static const struct {
		const char *body;
		int r;
		const char *mac;
		enum radius_mac_from from;
	} cases[] = {
		{ rest_mab, 0, "00:1a:2b:3c:4d:5e",
		    RADIUS_MAC_CALLING_STATION_ID },
		/* MAB without Calling-Station-Id: the User-Name */
		{ "{\"User-Name\":{\"type\":\"string\","
		    "\"value\":[\"001a.2b3c.4d5e\"]}}", 0,
		    "00:1a:2b:3c:4d:5e", RADIUS_MAC_USER_NAME },
		/* Calling-Station-Id wins over User-Name */
		{ "{\"User-Name\":{\"value\":[\"00:00:00:00:00:01\"]},"
		    "\"Calling-Station-Id\":"
		    "{\"value\":[\"00:00:00:00:00:02\"]}}",
		    0, "00:00:00:00:00:02", RADIUS_MAC_CALLING_STATION_ID },
		/* present but not a MAC: no MAC, no falling back */
		{ "{\"User-Name\":{\"value\":[\"00:00:00:00:00:01\"]},"
		    "\"Calling-Station-Id\":{\"value\":[\"+4930123\"]}}",
		    0, "", RADIUS_MAC_NONE },
		/* EAP: the supplicant chose the User-Name */
		{ "{\"User-Name\":{\"value\":[\"00:00:00:00:00:01\"]},"
		    "\"EAP-Message\":"
		    "{\"type\":\"octets\",\"value\":[\"0x02\"]}}",
		    0, "", RADIUS_MAC_NONE },
		{ "{\"User-Name\":{\"value\":[\"nurse\"]},"
		    "\"EAP-Message\":{\"value\":[\"0x02\"]},"
		    "\"Calling-Station-Id\":"
		    "{\"value\":[\"00-00-00-00-00-03\"]}}",
		    0, "00:00:00:00:00:03", RADIUS_MAC_CALLING_STATION_ID },
		{ "{}", 0, "", RADIUS_MAC_NONE },
		{ " {\"Other\":[1,2,{\"x\":null}]} \n", 0, "",
		    RADIUS_MAC_NONE },
		/* an escaped NUL inside the value */
		{ "{\"Calling-Station-Id\":{\"value\":"
		    "[\"00-00-00-00-00-0\\u0000\"]}}", 0, "", RADIUS_MAC_NONE },
		/* shapes refused */
		{ "{\"Calling-Station-Id\":\"00-00-00-00-00-03\"}",
		    WG_ERR_BAD_FIELD, NULL, 0 },
		{ "{\"Calling-Station-Id\":{\"value\":\"00-00-00-00-00-03\"}}",
		    WG_ERR_BAD_FIELD, NULL, 0 },
		{ "{\"Calling-Station-Id\":{\"value\":[]}}",
		    WG_ERR_BAD_FIELD, NULL, 0 },
		{ "{\"Calling-Station-Id\":{\"value\":[\"00-00-00-00-00-03\","
		    "\"00-00-00-00-00-04\"]}}", WG_ERR_BAD_FIELD, NULL, 0 },
		{ "{\"Calling-Station-Id\":{\"value\":[3]}}",
		    WG_ERR_BAD_FIELD, NULL, 0 },
		{ "{\"User-Name\":{\"type\":\"string\"}}",
		    WG_ERR_BAD_FIELD, NULL, 0 },
		/* text refused */
		{ "", WG_ERR_JSON, NULL, 0 },
		{ "[]", WG_ERR_JSON, NULL, 0 },
		{ "{\"a\":1,}", WG_ERR_JSON, NULL, 0 },
		{ "{\"a\":1} x", WG_ERR_JSON, NULL, 0 },
		{ "{\"a\":{\"b\":[[1]]}}", WG_ERR_JSON, NULL, 0 },
		{ "{\"a\":tru}", WG_ERR_JSON, NULL, 0 },
	};
	static const char esc[] =
	    "{\"User-Name\":{\"value\":[\"a\\u001bb\\nc\"]}}";
	static const struct {
		const char *file;
		enum radius_mac_from from;
		int eap;
	} seeds[] = {
		{ "radius/rest-mab.bin", RADIUS_MAC_CALLING_STATION_ID, 0 },
		{ "radius/rest-mab-username.bin", RADIUS_MAC_USER_NAME, 0 },
		{ "radius/rest-eap.bin", RADIUS_MAC_CALLING_STATION_ID, 1 },
	};
	struct radius_rest_req q;
	struct wg_diag d;
	uint8_t *p;
	char *big;
	size_t i, n;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&q, 'x', sizeof(q));
		wg_diag_clear(&d);
		r = radius_rest_parse(cases[i].body, strlen(cases[i].body), &q,
		    &d);
		if (r != cases[i].r)
			fail_msg("case %zu: %d (%s), want %d", i, r, d.detail,
			    cases[i].r);
		if (r != 0)
			continue;
		assert_string_equal(q.mac, cases[i].mac);
		assert_int_equal(q.mac_from, cases[i].from);
	}
	assert_int_equal(radius_rest_parse(rest_mab, sizeof(rest_mab) - 1, &q,
	    NULL), 0);
	assert_string_equal(q.user_name, "001a2b3c4d5e");
	assert_false(q.eap);
	/* The seeds of fuzz_radius: real and hand-made rlm_rest bodies. */
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		assert_int_equal(read_data(seeds[i].file, &p, &n), 0);
		if (radius_rest_parse((const char *)p, n, &q, &d) != 0)
			fail_msg("%s: %s", seeds[i].file, d.detail);
		assert_string_equal(q.mac, "00:1a:2b:3c:4d:5e");
		assert_int_equal(q.mac_from, seeds[i].from);
		assert_int_equal(q.eap, seeds[i].eap);
		free(p);
	}
	/* A raw NUL, and the size cap. */
	assert_int_equal(radius_rest_parse("{}\0", 3, &q, NULL), WG_ERR_JSON);
	big = malloc(RADIUS_REST_MAX_BODY + 1);
	assert_non_null(big);
	memset(big, ' ', RADIUS_REST_MAX_BODY + 1);
	big[0] = '{';
	big[RADIUS_REST_MAX_BODY - 1] = '}';
	assert_int_equal(radius_rest_parse(big, RADIUS_REST_MAX_BODY, &q,
	    NULL), 0);
	assert_int_equal(radius_rest_parse(big, RADIUS_REST_MAX_BODY + 1, &q,
	    NULL), WG_ERR_TOO_LARGE);
	free(big);
	/* A User-Name shown in logs is printable and cut. */
	assert_int_equal(radius_rest_parse(esc, strlen(esc), &q, NULL), 0);
	assert_string_equal(q.user_name, "a?b?c");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disconnect_known_answer),
		cmocka_unit_test(test_coa_vlan_known_answer),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_ack_nak_by_hand),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_request_msg_auth_field),
		cmocka_unit_test(test_flipped_bits),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_attribute_lengths),
		cmocka_unit_test(test_identifier_and_code),
		cmocka_unit_test(test_response_encode_round_trip),
		cmocka_unit_test(test_freeradius_packets),
		cmocka_unit_test(test_mac_normalize),
		cmocka_unit_test(test_rest_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
