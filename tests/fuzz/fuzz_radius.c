/*
 * fuzz_radius.c: RFC 5176 replies (radius_response_verify) against fixed
 * Disconnect- and CoA-Requests, and the input as a request
 * (radius_request_verify). The requests and secret are those of
 * tests/unit/test_radius.c, so that the seeds in tests/data/radius/ (real
 * FreeRADIUS replies to them) verify and the fuzzer starts past the checks.
 * The same input also goes to the rlm_rest side: radius_mac_normalize
 * (what it accepts must come back unchanged from its own normal form) and
 * radius_rest_parse (a MAC it returns is in normal form); seeds
 * tests/data/radius/rest-*.bin.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "radius.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t secret[] = "wardgate-coa-test-secret";

static size_t
fixed_request(int coa, uint8_t *out)
{
	struct radius_request r;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	r.code = coa ? RADIUS_COA_REQUEST : RADIUS_DISCONNECT_REQUEST;
	r.identifier = coa ? 0x5b : 0x5a;
	r.user_name = "nurse-station-7";
	r.has_nas_ip = 1;
	memcpy(r.nas_ip, "\xc0\x00\x02\x0a", 4);
	r.has_mac = 1;
	memcpy(r.mac, "\x00\x1a\x2b\x3c\x4d\x5e", 6);
	r.acct_session_id = "5F3A0001";
	r.event_timestamp = 1700000000;
	if (coa) {
		r.vlan = "100";
		r.vlan_tag = 1;
	}
	if (radius_request_encode(&r, secret, sizeof(secret) - 1, out,
	    RADIUS_MAX_LEN, &n, NULL) != 0)
		abort();
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t req[2][RADIUS_MAX_LEN];
	static size_t req_len[2];
	struct radius_info info = { 0 };
	struct radius_rest_req q;
	char mac[RADIUS_MAC_STR_LEN], again[RADIUS_MAC_STR_LEN];
	uint8_t *copy, oct[6];
	int i;

	memset(&q, 0, sizeof(q));
	if (req_len[0] == 0) {
		req_len[0] = fixed_request(0, req[0]);
		req_len[1] = fixed_request(1, req[1]);
	}
	/* An exact-size copy, so that ASan sees any read past the datagram. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	for (i = 0; i < 2; i++)
		if (radius_response_verify(req[i], req_len[i], copy, size,
		    secret, sizeof(secret) - 1, 0, &info, NULL) == 0 &&
		    (info.code != req[i][0] + 1 && info.code != req[i][0] + 2))
			abort();
	(void)radius_request_verify(copy, size, secret, sizeof(secret) - 1, 0,
	    &info, NULL);
	(void)radius_error_cause_name(info.error_cause);

	if (radius_mac_normalize((const char *)copy, size, mac, oct) == 0 &&
	    (radius_mac_normalize(mac, strlen(mac), again, NULL) != 0 ||
	    strcmp(mac, again) != 0 || strlen(mac) != 17))
		abort();
	if (radius_rest_parse((const char *)copy, size, &q, NULL) == 0 &&
	    (q.mac_from == RADIUS_MAC_NONE) != (q.mac[0] == '\0'))
		abort();
	if (q.mac[0] != '\0' &&
	    (radius_mac_normalize(q.mac, strlen(q.mac), again, NULL) != 0 ||
	    strcmp(q.mac, again) != 0))
		abort();
	free(copy);
	return 0;
}
