/* radius.c: RFC 5176 Disconnect/CoA packets (see radius.h for the rules). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <json-c/json.h>

#include "buf.h"
#include "radius.h"
#include "sjson.h"
#include "wg_err.h"

/* Attribute types. */
#define RA_USER_NAME		1
#define RA_NAS_IP_ADDRESS	4
#define RA_CALLING_STATION_ID	31
#define RA_ACCT_SESSION_ID	44
#define RA_EVENT_TIMESTAMP	55
#define RA_TUNNEL_TYPE		64
#define RA_TUNNEL_MEDIUM_TYPE	65
#define RA_MESSAGE_AUTHENTICATOR 80
#define RA_TUNNEL_PRIVATE_GROUP_ID 81
#define RA_ERROR_CAUSE		101

#define RA_MSG_AUTH_LEN		18	/* type, length, 16-octet HMAC-MD5 */
#define TUNNEL_TYPE_VLAN	13	/* RFC 3580 3.31 */
#define TUNNEL_MEDIUM_802	6

/*
 * MD5 is needed by the protocol, not chosen for strength: "-fips" drops a
 * fips=yes default property so that the default provider's MD5 is used.
 */
#define RADIUS_PROPQ "-fips"

/* A bounded writer over the packet being built. */
struct rwriter {
	uint8_t *p;
	size_t cap;
	size_t len;
	int overflow;
};

static void
rw_attr(struct rwriter *w, uint8_t type, const void *v1, size_t n1,
    const void *v2, size_t n2)
{
	size_t alen = 2 + n1 + n2;

	if (w->overflow || n1 > 253 || n2 > 253 || alen > 255 ||
	    alen > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	w->p[w->len] = type;
	w->p[w->len + 1] = (uint8_t)alen;
	if (n1 > 0)
		memcpy(w->p + w->len + 2, v1, n1);
	if (n2 > 0)
		memcpy(w->p + w->len + 2 + n1, v2, n2);
	w->len += alen;
}

static void
put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* MD5 over the concatenation of four pieces (a piece may be NULL, 0). */
static int
radius_md5(const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2,
    const uint8_t *p3, size_t n3, const uint8_t *p4, size_t n4,
    uint8_t out[RADIUS_AUTH_LEN], struct wg_diag *d)
{
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned int outlen = 0;
	int r = WG_ERR_CRYPTO;

	if ((md = EVP_MD_fetch(NULL, "MD5", RADIUS_PROPQ)) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO,
		    "radius: no MD5 (default provider not loaded?)");
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, p1, n1) != 1 ||
	    EVP_DigestUpdate(ctx, p2, n2) != 1 ||
	    EVP_DigestUpdate(ctx, p3, n3) != 1 ||
	    EVP_DigestUpdate(ctx, p4, n4) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &outlen) != 1 ||
	    outlen != RADIUS_AUTH_LEN) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "radius: MD5 failed");
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return r;
}

/* HMAC-MD5 keyed with the secret over p. */
static int
radius_hmac_md5(const uint8_t *secret, size_t secret_len, const uint8_t *p,
    size_t n, uint8_t out[RADIUS_AUTH_LEN], struct wg_diag *d)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[3];
	size_t outlen = 0;
	int r = WG_ERR_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"MD5", 0);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES,
	    (char *)RADIUS_PROPQ, 0);
	params[2] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", RADIUS_PROPQ)) == NULL) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "radius: HMAC unavailable");
		goto out;
	}
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, secret, secret_len, params) != 1 ||
	    EVP_MAC_update(ctx, p, n) != 1 ||
	    EVP_MAC_final(ctx, out, &outlen, RADIUS_AUTH_LEN) != 1 ||
	    outlen != RADIUS_AUTH_LEN) {
		r = wg_diag_set(d, WG_ERR_CRYPTO,
		    "radius: HMAC-MD5 failed (no default provider?)");
		goto out;
	}
	r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

static int
check_secret(const uint8_t *secret, size_t secret_len, struct wg_diag *d)
{
	if (secret == NULL || secret_len == 0 || secret_len > RADIUS_SECRET_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: shared secret must be 1..%d octets",
		    RADIUS_SECRET_MAX);
	return 0;
}

static int
is_request(uint8_t code)
{
	return code == RADIUS_DISCONNECT_REQUEST || code == RADIUS_COA_REQUEST;
}

/*
 * Finishes the packet in pkt[0..len) whose Message-Authenticator value is
 * at ma_off (16 zero octets now): sets Length, computes the
 * Message-Authenticator over the packet with the authenticator field set
 * to field (zeros for a request, the Request Authenticator for a reply),
 * then the MD5 authenticator over the same.
 */
static int
radius_sign(uint8_t *pkt, size_t len, size_t ma_off,
    const uint8_t field[RADIUS_AUTH_LEN], const uint8_t *secret,
    size_t secret_len, struct wg_diag *d)
{
	uint8_t h[RADIUS_AUTH_LEN];
	int r;

	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	memcpy(pkt + 4, field, RADIUS_AUTH_LEN);
	memset(pkt + ma_off, 0, RADIUS_AUTH_LEN);
	if ((r = radius_hmac_md5(secret, secret_len, pkt, len, h, d)) != 0)
		return r;
	memcpy(pkt + ma_off, h, RADIUS_AUTH_LEN);
	if ((r = radius_md5(pkt, len, secret, secret_len, NULL, 0, NULL, 0,
	    h, d)) != 0)
		return r;
	memcpy(pkt + 4, h, RADIUS_AUTH_LEN);
	return 0;
}

/* 1..RADIUS_STRING_MAX octets; NULL is "absent" and fine. */
static int
check_string(const char *s, const char *what, struct wg_diag *d)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strnlen(s, RADIUS_STRING_MAX + 1);
	if (n == 0 || n > RADIUS_STRING_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: %s must be 1..%d octets", what, RADIUS_STRING_MAX);
	return 0;
}

static int
check_request(const struct radius_request *req, struct wg_diag *d)
{
	size_t i, n;
	int r;

	if (!is_request(req->code))
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: code %u is not a Disconnect- or CoA-Request",
		    req->code);
	if ((r = check_string(req->user_name, "User-Name", d)) != 0 ||
	    (r = check_string(req->acct_session_id, "Acct-Session-Id", d)) != 0)
		return r;
	if (req->user_name == NULL && !req->has_mac &&
	    req->acct_session_id == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: no session identification attribute "
		    "(User-Name, Calling-Station-Id, Acct-Session-Id)");
	if (req->event_timestamp == 0)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: Event-Timestamp is required");
	if (req->vlan == NULL)
		return 0;
	if (req->code != RADIUS_COA_REQUEST)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: a VLAN change needs a CoA-Request");
	if (req->vlan_tag > RADIUS_VLAN_TAG_MAX)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: tunnel tag %u above 0x1f", req->vlan_tag);
	n = strnlen(req->vlan, RADIUS_STRING_MAX + 1);
	if (n == 0 || n > RADIUS_STRING_MAX - 1)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: Tunnel-Private-Group-ID must be 1..%d octets",
		    RADIUS_STRING_MAX - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)req->vlan[i] <= 0x20 ||
		    (unsigned char)req->vlan[i] >= 0x7f)
			return wg_diag_set(d, WG_ERR_INVALID_ARG,
			    "radius: Tunnel-Private-Group-ID has a byte "
			    "outside printable ASCII at %zu", i);
	return 0;
}

int
radius_request_encode(const struct radius_request *req, const uint8_t *secret,
    size_t secret_len, uint8_t *out, size_t cap, size_t *outlen,
    struct wg_diag *d)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t pkt[RADIUS_MAX_LEN], v[6];
	char mac[18];
	struct rwriter w;
	size_t ma_off;
	int r;

	if (req == NULL || out == NULL || outlen == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: NULL argument");
	if ((r = check_secret(secret, secret_len, d)) != 0 ||
	    (r = check_request(req, d)) != 0)
		return r;

	memset(pkt, 0, RADIUS_HDR_LEN);
	pkt[0] = req->code;
	pkt[1] = req->identifier;
	w.p = pkt;
	w.cap = sizeof(pkt);
	w.len = RADIUS_HDR_LEN;
	w.overflow = 0;

	ma_off = w.len + 2;
	rw_attr(&w, RA_MESSAGE_AUTHENTICATOR, zero, sizeof(zero), NULL, 0);
	if (req->has_nas_ip)
		rw_attr(&w, RA_NAS_IP_ADDRESS, req->nas_ip, 4, NULL, 0);
	if (req->user_name != NULL)
		rw_attr(&w, RA_USER_NAME, req->user_name,
		    strlen(req->user_name), NULL, 0);
	if (req->has_mac) {
		(void)snprintf(mac, sizeof(mac),
		    "%02X-%02X-%02X-%02X-%02X-%02X", req->mac[0], req->mac[1],
		    req->mac[2], req->mac[3], req->mac[4], req->mac[5]);
		rw_attr(&w, RA_CALLING_STATION_ID, mac, 17, NULL, 0);
	}
	if (req->acct_session_id != NULL)
		rw_attr(&w, RA_ACCT_SESSION_ID, req->acct_session_id,
		    strlen(req->acct_session_id), NULL, 0);
	put_u32be(v, req->event_timestamp);
	rw_attr(&w, RA_EVENT_TIMESTAMP, v, 4, NULL, 0);
	if (req->vlan != NULL) {
		/* Tagged integers: the tag octet replaces the top octet. */
		put_u32be(v, TUNNEL_TYPE_VLAN);
		v[0] = req->vlan_tag;
		rw_attr(&w, RA_TUNNEL_TYPE, v, 4, NULL, 0);
		put_u32be(v, TUNNEL_MEDIUM_802);
		v[0] = req->vlan_tag;
		rw_attr(&w, RA_TUNNEL_MEDIUM_TYPE, v, 4, NULL, 0);
		rw_attr(&w, RA_TUNNEL_PRIVATE_GROUP_ID, &req->vlan_tag,
		    req->vlan_tag != 0 ? 1 : 0, req->vlan, strlen(req->vlan));
	}
	if (w.overflow)
		return wg_diag_set(d, WG_ERR_TOO_LARGE,
		    "radius: request exceeds %d octets", RADIUS_MAX_LEN);
	if (w.len > cap)
		return wg_diag_set(d, WG_ERR_TOO_LARGE,
		    "radius: request of %zu octets, buffer holds %zu",
		    w.len, cap);
	if ((r = radius_sign(pkt, w.len, ma_off, zero, secret, secret_len,
	    d)) != 0)
		return r;
	memcpy(out, pkt, w.len);
	*outlen = w.len;
	return 0;
}

/*
 * Structure only: header, Length equal to the datagram, attributes in
 * bounds. Fills *info (attributes read) and *ma_off (0 when absent).
 */
static int
radius_parse(const uint8_t *pkt, size_t pkt_len, struct radius_info *info,
    size_t *ma_off, struct wg_diag *d)
{
	struct wg_buf b;
	const uint8_t *val;
	uint16_t len;
	uint8_t type, alen;
	size_t off;
	int r;

	memset(info, 0, sizeof(*info));
	*ma_off = 0;
	if (pkt == NULL || pkt_len < RADIUS_HDR_LEN)
		return wg_diag_set(d, WG_ERR_TRUNCATED,
		    "radius: %zu octets, less than a header", pkt_len);
	if (pkt_len > RADIUS_MAX_LEN)
		return wg_diag_set(d, WG_ERR_TOO_LARGE,
		    "radius: %zu octets, more than %d", pkt_len,
		    RADIUS_MAX_LEN);
	buf_init(&b, pkt, pkt_len);
	if ((r = buf_get_u8(&b, &info->code)) != 0 ||
	    (r = buf_get_u8(&b, &info->identifier)) != 0 ||
	    (r = buf_get_u16be(&b, &len)) != 0 ||
	    (r = buf_skip(&b, RADIUS_AUTH_LEN)) != 0)
		return wg_diag_set(d, r, "radius: header");
	if (len < RADIUS_HDR_LEN)
		return wg_diag_set(d, WG_ERR_FORMAT,
		    "radius: Length %u below %d", len, RADIUS_HDR_LEN);
	if (len > pkt_len)
		return wg_diag_set(d, WG_ERR_TRUNCATED,
		    "radius: Length %u but %zu octets received", len, pkt_len);
	if (len < pkt_len)
		return wg_diag_set(d, WG_ERR_TRAILING,
		    "radius: Length %u but %zu octets received", len, pkt_len);

	while (buf_remaining(&b) > 0) {
		off = buf_offset(&b);
		if (info->nattrs == RADIUS_MAX_ATTRS)
			return wg_diag_set(d, WG_ERR_TOO_LARGE,
			    "radius: more than %d attributes",
			    RADIUS_MAX_ATTRS);
		if ((r = buf_get_u8(&b, &type)) != 0 ||
		    (r = buf_get_u8(&b, &alen)) != 0)
			return wg_diag_set(d, r,
			    "radius: attribute header at offset %zu", off);
		if (alen < 2)
			return wg_diag_set(d, WG_ERR_FORMAT,
			    "radius: attribute %u at offset %zu has length %u",
			    type, off, alen);
		if ((r = buf_get_bytes(&b, (size_t)alen - 2, &val)) != 0)
			return wg_diag_set(d, r,
			    "radius: attribute %u at offset %zu overruns "
			    "the packet",
			    type, off);
		info->nattrs++;
		switch (type) {
		case RA_MESSAGE_AUTHENTICATOR:
			if (alen != RA_MSG_AUTH_LEN)
				return wg_diag_set(d, WG_ERR_FORMAT,
				    "radius: Message-Authenticator of "
				    "length %u", alen);
			if (*ma_off != 0)
				return wg_diag_set(d, WG_ERR_FORMAT,
				    "radius: second Message-Authenticator at "
				    "offset %zu", off);
			*ma_off = off + 2;
			break;
		case RA_EVENT_TIMESTAMP:
		case RA_ERROR_CAUSE:
			if (alen != 6)
				return wg_diag_set(d, WG_ERR_FORMAT,
				    "radius: attribute %u of length %u, not 6",
				    type, alen);
			if (type == RA_EVENT_TIMESTAMP &&
			    !info->has_event_timestamp) {
				info->has_event_timestamp = 1;
				info->event_timestamp = get_u32be(val);
			} else if (type == RA_ERROR_CAUSE &&
			    !info->has_error_cause) {
				info->has_error_cause = 1;
				info->error_cause = get_u32be(val);
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * Checks the authenticator field of pkt (MD5 with field in its place) and
 * the Message-Authenticator at ma_off if any (HMAC-MD5 with field in the
 * authenticator and zeros in its own value).
 */
static int
radius_check_auth(const uint8_t *pkt, size_t len, size_t ma_off,
    const uint8_t field[RADIUS_AUTH_LEN], const uint8_t *secret,
    size_t secret_len, unsigned int flags, struct wg_diag *d)
{
	uint8_t copy[RADIUS_MAX_LEN], h[RADIUS_AUTH_LEN];
	int r;

	if ((r = radius_md5(pkt, 4, field, RADIUS_AUTH_LEN,
	    pkt + RADIUS_HDR_LEN, len - RADIUS_HDR_LEN, secret, secret_len,
	    h, d)) != 0)
		return r;
	if (CRYPTO_memcmp(h, pkt + 4, RADIUS_AUTH_LEN) != 0)
		return wg_diag_set(d, WG_ERR_RADIUS_AUTH,
		    "radius: %s authenticator does not verify "
		    "(wrong shared secret or altered packet)",
		    is_request(pkt[0]) ? "Request" : "Response");
	if (ma_off == 0) {
		if (flags & RADIUS_REQUIRE_MSG_AUTH)
			return wg_diag_set(d, WG_ERR_RADIUS_AUTH,
			    "radius: Message-Authenticator required, "
			    "absent");
		return 0;
	}
	memcpy(copy, pkt, len);
	memcpy(copy + 4, field, RADIUS_AUTH_LEN);
	memset(copy + ma_off, 0, RADIUS_AUTH_LEN);
	if ((r = radius_hmac_md5(secret, secret_len, copy, len, h, d)) != 0)
		return r;
	if (CRYPTO_memcmp(h, pkt + ma_off, RADIUS_AUTH_LEN) != 0)
		return wg_diag_set(d, WG_ERR_RADIUS_AUTH,
		    "radius: Message-Authenticator does not verify "
		    "(wrong shared secret or altered packet)");
	return 0;
}

/* Our own request: well-formed Disconnect- or CoA-Request. */
static int
check_own_request(const uint8_t *req, size_t req_len, struct wg_diag *d)
{
	struct radius_info ri;
	size_t ma_off;
	int r;

	if ((r = radius_parse(req, req_len, &ri, &ma_off, d)) != 0)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: the request is malformed");
	if (!is_request(ri.code))
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: code %u is not a Disconnect- or CoA-Request",
		    ri.code);
	return 0;
}

int
radius_response_verify(const uint8_t *req, size_t req_len,
    const uint8_t *pkt, size_t pkt_len, const uint8_t *secret,
    size_t secret_len, unsigned int flags, struct radius_info *info,
    struct wg_diag *d)
{
	struct radius_info ri;
	size_t ma_off;
	uint8_t ack, nak;
	int r;

	if ((r = check_secret(secret, secret_len, d)) != 0 ||
	    (r = check_own_request(req, req_len, d)) != 0)
		return r;
	if ((r = radius_parse(pkt, pkt_len, &ri, &ma_off, d)) != 0)
		return r;
	ack = (uint8_t)(req[0] + 1);
	nak = (uint8_t)(req[0] + 2);
	if (ri.code != ack && ri.code != nak)
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "radius: %s (%u) does not answer a %s",
		    radius_code_name(ri.code), ri.code,
		    radius_code_name(req[0]));
	if (ri.identifier != req[1])
		return wg_diag_set(d, WG_ERR_NOT_FOUND,
		    "radius: identifier %u, the request had %u",
		    ri.identifier, req[1]);
	if ((r = radius_check_auth(pkt, pkt_len, ma_off, req + 4, secret,
	    secret_len, flags, d)) != 0)
		return r;
	ri.has_msg_auth = ma_off != 0;
	if (info != NULL)
		*info = ri;
	return 0;
}

int
radius_request_verify(const uint8_t *pkt, size_t pkt_len,
    const uint8_t *secret, size_t secret_len, unsigned int flags,
    struct radius_info *info, struct wg_diag *d)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	struct radius_info ri;
	size_t ma_off;
	int r;

	if ((r = check_secret(secret, secret_len, d)) != 0)
		return r;
	if ((r = radius_parse(pkt, pkt_len, &ri, &ma_off, d)) != 0)
		return r;
	if (!is_request(ri.code))
		return wg_diag_set(d, WG_ERR_UNSUPPORTED,
		    "radius: %s (%u) is not a Disconnect- or CoA-Request",
		    radius_code_name(ri.code), ri.code);
	if ((r = radius_check_auth(pkt, pkt_len, ma_off, zero, secret,
	    secret_len, flags, d)) != 0)
		return r;
	ri.has_msg_auth = ma_off != 0;
	if (info != NULL)
		*info = ri;
	return 0;
}

int
radius_response_encode(const uint8_t *req, size_t req_len, int ack,
    uint32_t error_cause, const uint8_t *secret, size_t secret_len,
    uint8_t *out, size_t cap, size_t *outlen, struct wg_diag *d)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t pkt[RADIUS_HDR_LEN + RA_MSG_AUTH_LEN + 6], v[4];
	struct rwriter w;
	size_t ma_off;
	int r;

	if (out == NULL || outlen == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "radius: NULL argument");
	if ((r = check_secret(secret, secret_len, d)) != 0 ||
	    (r = check_own_request(req, req_len, d)) != 0)
		return r;
	memset(pkt, 0, RADIUS_HDR_LEN);
	pkt[0] = (uint8_t)(req[0] + (ack ? 1 : 2));
	pkt[1] = req[1];
	w.p = pkt;
	w.cap = sizeof(pkt);
	w.len = RADIUS_HDR_LEN;
	w.overflow = 0;
	ma_off = w.len + 2;
	rw_attr(&w, RA_MESSAGE_AUTHENTICATOR, zero, sizeof(zero), NULL, 0);
	if (error_cause != 0) {
		put_u32be(v, error_cause);
		rw_attr(&w, RA_ERROR_CAUSE, v, 4, NULL, 0);
	}
	if (w.overflow || w.len > cap)
		return wg_diag_set(d, WG_ERR_TOO_LARGE,
		    "radius: reply of %zu octets, buffer holds %zu",
		    w.len, cap);
	if ((r = radius_sign(pkt, w.len, ma_off, req + 4, secret, secret_len,
	    d)) != 0)
		return r;
	memcpy(out, pkt, w.len);
	*outlen = w.len;
	return 0;
}

const char *
radius_code_name(uint8_t code)
{
	switch (code) {
	case RADIUS_DISCONNECT_REQUEST:	return "Disconnect-Request";
	case RADIUS_DISCONNECT_ACK:	return "Disconnect-ACK";
	case RADIUS_DISCONNECT_NAK:	return "Disconnect-NAK";
	case RADIUS_COA_REQUEST:	return "CoA-Request";
	case RADIUS_COA_ACK:		return "CoA-ACK";
	case RADIUS_COA_NAK:		return "CoA-NAK";
	default:			return "Unknown";
	}
}

static const struct {
	uint32_t value;
	const char *name;
} error_causes[] = {
	{ RADIUS_EC_RESIDUAL_SESSION_CONTEXT_REMOVED,
	    "Residual-Session-Context-Removed" },
	{ RADIUS_EC_INVALID_EAP_PACKET, "Invalid-EAP-Packet" },
	{ RADIUS_EC_UNSUPPORTED_ATTRIBUTE, "Unsupported-Attribute" },
	{ RADIUS_EC_MISSING_ATTRIBUTE, "Missing-Attribute" },
	{ RADIUS_EC_NAS_IDENTIFICATION_MISMATCH,
	    "NAS-Identification-Mismatch" },
	{ RADIUS_EC_INVALID_REQUEST, "Invalid-Request" },
	{ RADIUS_EC_UNSUPPORTED_SERVICE, "Unsupported-Service" },
	{ RADIUS_EC_UNSUPPORTED_EXTENSION, "Unsupported-Extension" },
	{ RADIUS_EC_INVALID_ATTRIBUTE_VALUE, "Invalid-Attribute-Value" },
	{ RADIUS_EC_ADMINISTRATIVELY_PROHIBITED,
	    "Administratively-Prohibited" },
	{ RADIUS_EC_REQUEST_NOT_ROUTABLE, "Request-Not-Routable" },
	{ RADIUS_EC_SESSION_CONTEXT_NOT_FOUND, "Session-Context-Not-Found" },
	{ RADIUS_EC_SESSION_CONTEXT_NOT_REMOVABLE,
	    "Session-Context-Not-Removable" },
	{ RADIUS_EC_OTHER_PROXY_PROCESSING_ERROR,
	    "Other-Proxy-Processing-Error" },
	{ RADIUS_EC_RESOURCES_UNAVAILABLE, "Resources-Unavailable" },
	{ RADIUS_EC_REQUEST_INITIATED, "Request-Initiated" },
	{ RADIUS_EC_MULTIPLE_SESSION_SELECTION_UNSUPPORTED,
	    "Multiple-Session-Selection-Unsupported" },
};

const char *
radius_error_cause_name(uint32_t cause)
{
	size_t i;

	for (i = 0; i < sizeof(error_causes) / sizeof(error_causes[0]); i++)
		if (error_causes[i].value == cause)
			return error_causes[i].name;
	return "Unknown";
}

/* ---- MAC addresses and rlm_rest's JSON ---------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
radius_mac_normalize(const char *s, size_t len, char out[RADIUS_MAC_STR_LEN],
    uint8_t mac[6])
{
	uint8_t m[6];
	size_t i, k, group;
	char sep;
	int hi, lo;

	/* Digits per group and the separator, from the length alone. */
	switch (len) {
	case 12:
		group = 12;
		sep = '\0';
		break;
	case 14:
		group = 4;
		sep = '.';
		break;
	case 17:
		group = 2;
		sep = s[2];
		if (sep != '-' && sep != ':')
			return WG_ERR_FORMAT;
		break;
	default:
		return WG_ERR_FORMAT;
	}
	for (i = 0, k = 0; k < 6; k++) {
		/* A separator before every group but the first. */
		if (k > 0 && (k * 2) % group == 0 && s[i++] != sep)
			return WG_ERR_FORMAT;
		if ((hi = hexval(s[i])) < 0 || (lo = hexval(s[i + 1])) < 0)
			return WG_ERR_FORMAT;
		m[k] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	if (i != len)
		return WG_ERR_FORMAT;
	if (out != NULL)
		(void)snprintf(out, RADIUS_MAC_STR_LEN,
		    "%02x:%02x:%02x:%02x:%02x:%02x",
		    m[0], m[1], m[2], m[3], m[4], m[5]);
	if (mac != NULL)
		memcpy(mac, m, 6);
	return 0;
}

void
radius_mac_ieee(const uint8_t mac[6], char out[RADIUS_MAC_STR_LEN])
{
	(void)snprintf(out, RADIUS_MAC_STR_LEN, "%02X-%02X-%02X-%02X-%02X-%02X",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/*
 * rlm_rest writes one object member per attribute and nests two deep
 * ({"A":{"value":[..]}}): json-c's depth 4 is those three containers.
 * A RADIUS packet (4096 octets) has at most ~2000 attributes: the counts
 * are generous for what 16 KiB can hold.
 */
static const struct sjson_limits rest_limits = {
	.max_bytes = RADIUS_REST_MAX_BODY,
	.max_containers = 4096,
	.max_commas = 8192,
	.max_depth = 4,
	.flags = 0,
};

/*
 * The single string value of attribute name in o: *s and *n, or s NULL
 * when the attribute is absent. WG_ERR_BAD_FIELD for any other shape.
 */
static int
rest_attr(json_object *o, const char *name, const char **s, size_t *n,
    struct wg_diag *d)
{
	json_object *a, *v, *e;

	*s = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, name, &a))
		return 0;
	if (!json_object_is_type(a, json_type_object) ||
	    !json_object_object_get_ex(a, "value", &v) ||
	    !json_object_is_type(v, json_type_array))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "rlm_rest: %s is not "
		    "{\"value\":[...]}", name);
	if (json_object_array_length(v) != 1)
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "rlm_rest: %s has %zu "
		    "values, not one", name, json_object_array_length(v));
	e = json_object_array_get_idx(v, 0);
	if (!json_object_is_type(e, json_type_string))
		return wg_diag_set(d, WG_ERR_BAD_FIELD, "rlm_rest: %s is not "
		    "a string", name);
	*s = json_object_get_string(e);
	*n = (size_t)json_object_get_string_len(e);
	return 0;
}

int
radius_rest_parse(const char *body, size_t len, struct radius_rest_req *out,
    struct wg_diag *d)
{
	struct radius_rest_req q;
	struct sjson_err e;
	json_object *o = NULL;
	const char *csid, *user;
	size_t csid_len, user_len;
	int r;

	memset(&q, 0, sizeof(q));
	if (body == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "rlm_rest: NULL");
	if ((r = sjson_parse(body, len, &rest_limits, json_type_object, &o,
	    &e)) != 0) {
		r = wg_diag_set(d, r, "rlm_rest: %s", e.msg);
		goto out;
	}
	if ((r = rest_attr(o, "Calling-Station-Id", &csid, &csid_len,
	    d)) != 0 ||
	    (r = rest_attr(o, "User-Name", &user, &user_len, d)) != 0)
		goto out;
	q.eap = json_object_object_get_ex(o, "EAP-Message", NULL);
	if (user != NULL)
		sjson_text_sanitize(user, user_len, q.user_name,
		    sizeof(q.user_name));
	if (csid != NULL) {
		if (radius_mac_normalize(csid, csid_len, q.mac, NULL) == 0)
			q.mac_from = RADIUS_MAC_CALLING_STATION_ID;
	} else if (user != NULL && !q.eap &&
	    radius_mac_normalize(user, user_len, q.mac, NULL) == 0)
		q.mac_from = RADIUS_MAC_USER_NAME;
	*out = q;
	r = 0;
out:
	json_object_put(o);
	return r;
}
