/*
 * radius.h: RFC 5176 Dynamic Authorization packets (Disconnect and CoA),
 * encoded and verified as byte buffers. No sockets: the caller sends the
 * request and hands back each datagram that arrives.
 *
 * Integrity (RFC 5176 2.3 and 3.4, RFC 3579 3.2):
 *  - Request Authenticator = MD5(Code+Identifier+Length+16 zero octets+
 *    Attributes+Secret).
 *  - Response Authenticator = MD5(Code+Identifier+Length+Request
 *    Authenticator+Attributes+Secret).
 *  - Message-Authenticator = HMAC-MD5(Secret, packet with its own value
 *    zeroed), the authenticator field holding 16 zero octets in a request
 *    and the Request Authenticator in a response; it is computed before the
 *    Request or Response Authenticator.
 *
 * Decisions:
 *  - Every request carries Event-Timestamp (RFC 5176 3 replay protection;
 *    hostapd drops requests without it) and a Message-Authenticator, placed
 *    first (the BlastRADIUS hardening; hostapd can require it).
 *  - A response's Response Authenticator is always checked. Its
 *    Message-Authenticator is checked whenever present (RFC 3579 3.2: a
 *    wrong one means discard); its absence is accepted, because RFC 5176
 *    3.4 makes it optional in ACKs and NAKs, unless the caller passes
 *    RADIUS_REQUIRE_MSG_AUTH (FreeRADIUS 3.2.1 answers without one even
 *    when the request had one; hostapd's DAS always sends one).
 *  - The Length field must equal the datagram size: trailing octets, which
 *    RFC 2865 3 says to ignore, are refused (WG_ERR_TRAILING).
 *  - Packets are 20..RADIUS_MAX_LEN octets with at most RADIUS_MAX_ATTRS
 *    attributes, each 2..255 octets and inside the packet; the attributes
 *    this module reads have their exact RFC length; at most one
 *    Message-Authenticator.
 *
 * Crypto is OpenSSL 3 EVP ("MD5" and HMAC-MD5, fetched with "-fips" so
 * that a FIPS default property query does not hide the protocol's MD5; the
 * default provider must be loaded). All functions are thread-safe (no
 * globals) and write their outputs only on success.
 */
#ifndef WG_RADIUS_H
#define WG_RADIUS_H

#include <stddef.h>
#include <stdint.h>

#include "wg_err.h"

#define RADIUS_HDR_LEN		20
#define RADIUS_AUTH_LEN		16
#define RADIUS_MAX_LEN		4096	/* RFC 2865 3 */
#define RADIUS_MAX_ATTRS	64
#define RADIUS_STRING_MAX	253	/* value octets of a string attribute */
#define RADIUS_SECRET_MAX	256
#define RADIUS_VLAN_TAG_MAX	0x1f	/* RFC 2868 3 */

enum radius_code {
	RADIUS_DISCONNECT_REQUEST = 40,
	RADIUS_DISCONNECT_ACK = 41,
	RADIUS_DISCONNECT_NAK = 42,
	RADIUS_COA_REQUEST = 43,
	RADIUS_COA_ACK = 44,
	RADIUS_COA_NAK = 45,
};

/* Error-Cause values (RFC 5176 3.6). */
enum radius_error_cause {
	RADIUS_EC_RESIDUAL_SESSION_CONTEXT_REMOVED = 201,
	RADIUS_EC_INVALID_EAP_PACKET = 202,
	RADIUS_EC_UNSUPPORTED_ATTRIBUTE = 401,
	RADIUS_EC_MISSING_ATTRIBUTE = 402,
	RADIUS_EC_NAS_IDENTIFICATION_MISMATCH = 403,
	RADIUS_EC_INVALID_REQUEST = 404,
	RADIUS_EC_UNSUPPORTED_SERVICE = 405,
	RADIUS_EC_UNSUPPORTED_EXTENSION = 406,
	RADIUS_EC_INVALID_ATTRIBUTE_VALUE = 407,
	RADIUS_EC_ADMINISTRATIVELY_PROHIBITED = 501,
	RADIUS_EC_REQUEST_NOT_ROUTABLE = 502,
	RADIUS_EC_SESSION_CONTEXT_NOT_FOUND = 503,
	RADIUS_EC_SESSION_CONTEXT_NOT_REMOVABLE = 504,
	RADIUS_EC_OTHER_PROXY_PROCESSING_ERROR = 505,
	RADIUS_EC_RESOURCES_UNAVAILABLE = 506,
	RADIUS_EC_REQUEST_INITIATED = 507,
	RADIUS_EC_MULTIPLE_SESSION_SELECTION_UNSUPPORTED = 508,
};

/*
 * What goes into a Disconnect-Request or CoA-Request. Strings are borrowed
 * NUL-terminated C strings, NULL when absent, 1..RADIUS_STRING_MAX octets.
 * At least one session identifier (user_name, has_mac, acct_session_id)
 * is required (RFC 5176 3). Attributes are written in this order:
 * Message-Authenticator, NAS-IP-Address, User-Name, Calling-Station-Id,
 * Acct-Session-Id, Event-Timestamp, Tunnel-Type, Tunnel-Medium-Type,
 * Tunnel-Private-Group-ID.
 */
struct radius_request {
	uint8_t code;		/* RADIUS_DISCONNECT_REQUEST, _COA_REQUEST */
	uint8_t identifier;	/* one per outstanding request */
	const char *user_name;		/* User-Name (1) */
	int has_nas_ip;
	uint8_t nas_ip[4];		/* NAS-IP-Address (4), network order */
	int has_mac;
	uint8_t mac[6];			/* Calling-Station-Id (31), AA-BB-.. */
	const char *acct_session_id;	/* Acct-Session-Id (44) */
	uint32_t event_timestamp;	/* Event-Timestamp (55), Unix s, != 0 */
	/*
	 * CoA-Request only: a VLAN change, sent as Tunnel-Type = VLAN (13),
	 * Tunnel-Medium-Type = IEEE-802 (6) and Tunnel-Private-Group-ID = vlan
	 * (printable ASCII, no space), all with tag vlan_tag (0..0x1f; with 0
	 * the string attribute carries no tag octet, RFC 2868 3.6).
	 */
	const char *vlan;
	uint8_t vlan_tag;
};

/* What a verified packet said. */
struct radius_info {
	uint8_t code;
	uint8_t identifier;
	size_t nattrs;
	int has_msg_auth;		/* Message-Authenticator checked */
	int has_event_timestamp;
	uint32_t event_timestamp;
	int has_error_cause;		/* the first Error-Cause (101) */
	uint32_t error_cause;
};

/*
 * Flag for the verify functions: refuse a packet without a
 * Message-Authenticator.
 */
#define RADIUS_REQUIRE_MSG_AUTH	0x1u

/*
 * Encodes req with the shared secret (1..RADIUS_SECRET_MAX octets) into
 * out (cap octets; RADIUS_MAX_LEN always suffices) and sets *outlen. Keep
 * the bytes: radius_response_verify needs them. WG_ERR_INVALID_ARG for a
 * request this module will not send, WG_ERR_TOO_LARGE if cap is too small,
 * WG_ERR_CRYPTO if MD5 is unavailable.
 */
int radius_request_encode(const struct radius_request *req,
    const uint8_t *secret, size_t secret_len, uint8_t *out, size_t cap,
    size_t *outlen, struct wg_diag *d);

/*
 * Verifies pkt (pkt_len octets, untrusted) as the reply to req (req_len
 * octets, as radius_request_encode made them): code ACK or NAK of the
 * request's kind, same identifier, Response Authenticator, and
 * Message-Authenticator as decided above. On success fills *info (may be
 * NULL). Errors: WG_ERR_TRUNCATED, WG_ERR_TRAILING, WG_ERR_TOO_LARGE or
 * WG_ERR_FORMAT for a malformed packet, WG_ERR_UNSUPPORTED for a code that
 * does not answer req, WG_ERR_NOT_FOUND for another identifier,
 * WG_ERR_RADIUS_AUTH for an authenticator that does not verify (wrong secret
 * or forged) or a required Message-Authenticator that is absent (there is
 * no RADIUS-specific code yet), WG_ERR_CRYPTO if MD5 is unavailable,
 * WG_ERR_INVALID_ARG for a bad req or secret. The caller discards such a
 * datagram and keeps waiting (RFC 5176 2.3).
 */
int radius_response_verify(const uint8_t *req, size_t req_len,
    const uint8_t *pkt, size_t pkt_len, const uint8_t *secret,
    size_t secret_len, unsigned int flags, struct radius_info *info,
    struct wg_diag *d);

/*
 * Verifies pkt (untrusted) as a Disconnect-Request or CoA-Request, the way
 * a NAS does: structure, Request Authenticator, Message-Authenticator.
 * Event-Timestamp is reported in *info (may be NULL), not judged. Errors
 * as radius_response_verify.
 */
int radius_request_verify(const uint8_t *pkt, size_t pkt_len,
    const uint8_t *secret, size_t secret_len, unsigned int flags,
    struct radius_info *info, struct wg_diag *d);

/*
 * Encodes the reply to req (req_len octets, a Disconnect- or CoA-Request):
 * ACK if ack, else NAK; with Error-Cause when error_cause is not 0; always
 * with a Message-Authenticator. Output as radius_request_encode. For test
 * peers; wardgated only sends requests.
 */
int radius_response_encode(const uint8_t *req, size_t req_len, int ack,
    uint32_t error_cause, const uint8_t *secret, size_t secret_len,
    uint8_t *out, size_t cap, size_t *outlen, struct wg_diag *d);

/* "Disconnect-Request", ..., "CoA-NAK"; "Unknown" for other codes. */
const char *radius_code_name(uint8_t code);

/*
 * RFC 5176 name of an Error-Cause, e.g. "Session-Context-Not-Found";
 * "Unknown" otherwise.
 */
const char *radius_error_cause_name(uint32_t cause);

/* ---- the rlm_rest side: MAC addresses and FreeRADIUS's JSON ---- */

#define RADIUS_MAC_STR_LEN	18	/* "aa:bb:cc:dd:ee:ff" and a NUL */

/*
 * Parses a MAC address the ways NASes write Calling-Station-Id and a MAB
 * User-Name: AA-BB-CC-DD-EE-FF, aa:bb:cc:dd:ee:ff (hex digits of either
 * case, one separator throughout), aabb.ccdd.eeff and aabbccddeeff.
 * s is len bytes, not NUL-terminated; nothing else is accepted (no
 * spaces, no trailing bytes). On success writes the six octets to mac
 * and the normal form, lowercase with colons, to out (either may be
 * NULL). WG_ERR_FORMAT otherwise, outputs untouched. Pure.
 */
int radius_mac_normalize(const char *s, size_t len,
    char out[RADIUS_MAC_STR_LEN], uint8_t mac[6]);

/* Writes the IEEE 802 form AA-BB-CC-DD-EE-FF of mac and a NUL. */
void radius_mac_ieee(const uint8_t mac[6], char out[RADIUS_MAC_STR_LEN]);

#define RADIUS_REST_MAX_BODY	16384	/* the JSON rlm_rest POSTs */
#define RADIUS_REST_SHOW	64	/* User-Name kept for logs, NUL included */

/* Which attribute gave the MAC of a rlm_rest request. */
enum radius_mac_from {
	RADIUS_MAC_NONE = 0,
	RADIUS_MAC_CALLING_STATION_ID,
	RADIUS_MAC_USER_NAME,
};

/* What wardgated reads from a rlm_rest request. */
struct radius_rest_req {
	char mac[RADIUS_MAC_STR_LEN];	/* normal form, "" if none */
	enum radius_mac_from mac_from;
	int eap;			/* an EAP-Message came with it */
	char user_name[RADIUS_REST_SHOW];	/* printable, cut, for logs */
};

/*
 * Parses the body rlm_rest POSTs with body = json (len bytes, untrusted):
 * one object whose members are attributes, {"type":..,"value":[..]}.
 * Size, containers and depth are capped before json-c sees the text
 * (lib/sjson.h); attribute names are not judged (FreeRADIUS makes them,
 * some are long). The MAC comes from Calling-Station-Id when present;
 * only when it is absent, and the request is not EAP (User-Name is then
 * chosen by the supplicant), from a User-Name that is a MAC (MAB).
 * Calling-Station-Id present but not a MAC gives no MAC. Every other
 * attribute is ignored.
 * 0 with *out filled (mac "" when there is none); WG_ERR_TOO_LARGE or
 * WG_ERR_JSON for text refused, WG_ERR_BAD_FIELD when Calling-Station-Id
 * or User-Name is not an object with "value" an array of one string.
 */
int radius_rest_parse(const char *body, size_t len,
    struct radius_rest_req *out, struct wg_diag *d);

#endif /* WG_RADIUS_H */
