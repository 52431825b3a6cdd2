/* client.c: the agent's HTTPS client for the gateway (libcurl). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "client.h"
#include "wire.h"

#define CLIENT_URL_MAX		1200
#define CLIENT_CONNECT_TIMEOUT	10L	/* seconds, at most */

struct client {
	CURL *h;
	struct curl_slist *hdrs;
	char base[CLIENT_URL_MAX];
	char ca[CLIENT_URL_MAX];
	char url[CLIENT_URL_MAX + 32];
	char errbuf[CURL_ERROR_SIZE];
	uint8_t *body;		/* WIRE_MAX_BODY + 1 bytes */
	size_t len;
	int overflow;		/* the answer exceeded WIRE_MAX_BODY */
	int gateway_said;	/* the last error is the gateway's reason */
	long status;
};

/* Collects the response body, refusing anything past WIRE_MAX_BODY. */
static size_t
client_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct client *c = ud;
	size_t n;

	if (size != 0 && nmemb > SIZE_MAX / size)
		goto over;
	n = size * nmemb;
	if (n > WIRE_MAX_BODY - c->len)
		goto over;
	memcpy(c->body + c->len, ptr, n);
	c->len += n;
	return n;
over:
	c->overflow = 1;
	return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
}

#define SETOPT(opt, val) do {						\
	if ((cr = curl_easy_setopt(c->h, (opt), (val))) != CURLE_OK) {	\
		r = wg_diag_set(d, WG_ERR_INTERNAL, "curl_easy_setopt(%s): " \
		    "%s", #opt, curl_easy_strerror(cr));			\
		goto fail;						\
	}								\
} while (0)

int
client_new(const char *base_url, const char *ca_file, unsigned timeout,
    struct client **out, struct wg_diag *d)
{
	static const char *const headers[] = {
		"Content-Type: application/json",
		"Accept: application/json",
		/* No "100-continue" round trip for the larger evidence bodies. */
		"Expect:",
	};
	struct client *c;
	struct curl_slist *h;
	CURLcode cr;
	size_t i;
	int r;

	if (strncmp(base_url, "https://", 8) != 0)
		return wg_diag_set(d, WG_ERR_CONFIG, "gateway URL %s is not "
		    "https://", base_url);
	if (strlen(base_url) >= CLIENT_URL_MAX || strlen(ca_file) >=
	    CLIENT_URL_MAX || ca_file[0] == '\0')
		return wg_diag_set(d, WG_ERR_CONFIG, "gateway URL or CA path "
		    "too long or empty");
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->body = malloc(WIRE_MAX_BODY + 1)) == NULL) {
		client_free(c);
		return wg_diag_set(d, WG_ERR_ALLOC, "client");
	}
	strcpy(c->base, base_url);
	strcpy(c->ca, ca_file);
	if ((c->h = curl_easy_init()) == NULL) {
		r = wg_diag_set(d, WG_ERR_INTERNAL, "curl_easy_init failed");
		goto fail;
	}
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		if ((h = curl_slist_append(c->hdrs, headers[i])) == NULL) {
			r = wg_diag_set(d, WG_ERR_ALLOC, "HTTP headers");
			goto fail;
		}
		c->hdrs = h;
	}

	SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85.0 */
	SETOPT(CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	SETOPT(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	/* The pinned CA alone: no bundle, no directory, no native store. */
	SETOPT(CURLOPT_CAINFO, c->ca);
	SETOPT(CURLOPT_CAPATH, (char *)NULL);
	SETOPT(CURLOPT_SSL_OPTIONS, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SETOPT(CURLOPT_CONNECTTIMEOUT, (long)timeout < CLIENT_CONNECT_TIMEOUT ?
	    (long)timeout : CLIENT_CONNECT_TIMEOUT);
	SETOPT(CURLOPT_TIMEOUT, (long)timeout);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)WIRE_MAX_BODY);
	SETOPT(CURLOPT_WRITEFUNCTION, client_write_cb);
	SETOPT(CURLOPT_WRITEDATA, c);
	SETOPT(CURLOPT_HTTPHEADER, c->hdrs);
	SETOPT(CURLOPT_USERAGENT, "wardgate-agent/" PACKAGE_VERSION);
	SETOPT(CURLOPT_POST, 1L);
	*out = c;
	return 0;
fail:
	client_free(c);
	return r;
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	if (c->h != NULL)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdrs);
	free(c->body);
	free(c);
}

int
client_gateway_said(const struct client *c)
{
	return c->gateway_said;
}

/* The WG_ERR_* whose name the gateway sent, WG_ERR_INTERNAL if unknown. */
static int
reason_code(const char *name)
{
	int e;

	for (e = -1; e >= -255; e--)
		if (strcmp(wg_errname(e), name) == 0)
			return e;
	return WG_ERR_INTERNAL;
}

/*
 * POSTs json to path. 0 when the gateway answered 200 with a JSON body
 * (in c->body, c->len); otherwise the error as described in client.h.
 */
static int
client_post(struct client *c, const char *path, const char *json,
    struct wg_diag *d)
{
	struct wire_error we;
	struct wg_diag ed;
	char *ctype = NULL;
	CURLcode cr;
	int r;

	c->len = 0;
	c->overflow = 0;
	c->gateway_said = 0;
	c->status = 0;
	c->errbuf[0] = '\0';
	if ((size_t)snprintf(c->url, sizeof(c->url), "%s%s", c->base, path) >=
	    sizeof(c->url))
		return wg_diag_set(d, WG_ERR_CONFIG, "URL too long");
	if ((cr = curl_easy_setopt(c->h, CURLOPT_URL, c->url)) != CURLE_OK ||
	    (cr = curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, json)) !=
	    CURLE_OK || (cr = curl_easy_setopt(c->h,
	    CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json))) !=
	    CURLE_OK)
		return wg_diag_set(d, WG_ERR_INTERNAL, "curl_easy_setopt: %s",
		    curl_easy_strerror(cr));
	cr = curl_easy_perform(c->h);
	(void)curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, (char *)NULL);
	if (cr != CURLE_OK) {
		if (c->overflow || cr == CURLE_FILESIZE_EXCEEDED)
			return wg_diag_set(d, WG_ERR_TOO_LARGE, "the gateway's "
			    "answer to %s is larger than %u bytes", path,
			    WIRE_MAX_BODY);
		if (cr == CURLE_PEER_FAILED_VERIFICATION ||
		    cr == CURLE_SSL_CACERT_BADFILE)
			return wg_diag_set(d, WG_ERR_IO, "%s: the gateway's "
			    "certificate does not verify with the pinned CA "
			    "%s: %s", c->url, c->ca, c->errbuf[0] != '\0' ?
			    c->errbuf : curl_easy_strerror(cr));
		return wg_diag_set(d, WG_ERR_IO, "%s: %s", c->url,
		    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cr));
	}
	(void)curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
	c->body[c->len] = '\0';
	if (c->status == 200) {
		(void)curl_easy_getinfo(c->h, CURLINFO_CONTENT_TYPE, &ctype);
		if (ctype == NULL ||
		    strncasecmp(ctype, "application/json", 16) != 0)
			return wg_diag_set(d, WG_ERR_FORMAT, "%s: the gateway "
			    "answered 200 with Content-Type %s, not JSON",
			    path, ctype != NULL ? ctype : "(none)");
		return 0;
	}
	if (c->status < 400 || c->status > 599)
		return wg_diag_set(d, WG_ERR_FORMAT, "%s: unexpected HTTP "
		    "status %ld", path, c->status);
	wg_diag_clear(&ed);
	memset(&we, 0, sizeof(we));
	if ((r = wire_error_decode((const char *)c->body, c->len, &we, &ed)) !=
	    0)
		return wg_diag_set(d, WG_ERR_FORMAT, "%s: the gateway answered "
		    "HTTP %ld without an error object (%s: %s)", path,
		    c->status, wg_errname(r), ed.detail);
	c->gateway_said = 1;
	return wg_diag_set(d, reason_code(we.error), "gateway answered %ld "
	    "%s to %s: %s", c->status, we.error, path, we.message);
}

/* Prefixes a decoder's diag with the path it answered. */
static int
decode_failed(int r, const char *path, struct wg_diag *d)
{
	char detail[WG_DIAG_DETAIL_MAX];

	snprintf(detail, sizeof(detail), "%s", d != NULL ? d->detail : "");
	return wg_diag_set(d, r, "malformed answer to %s: %s", path, detail);
}

int
client_enroll(struct client *c, const struct wire_enroll_req *req,
    struct wire_enroll_resp *resp, struct wg_diag *d)
{
	char *json;
	int r;

	if ((json = wire_enroll_req_encode(req)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "enroll request");
	r = client_post(c, "/v1/enroll", json, d);
	free(json);
	if (r != 0)
		return r;
	if ((r = wire_enroll_resp_decode((const char *)c->body, c->len, resp,
	    d)) != 0)
		return decode_failed(r, "/v1/enroll", d);
	return 0;
}

int
client_activate(struct client *c, const struct wire_activate_req *req,
    struct wire_activate_resp *resp, struct wg_diag *d)
{
	char *json;
	int r;

	if ((json = wire_activate_req_encode(req)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "activate request");
	r = client_post(c, "/v1/activate", json, d);
	/* It carries the recovered secret. */
	OPENSSL_cleanse(json, strlen(json));
	free(json);
	if (r != 0)
		return r;
	if ((r = wire_activate_resp_decode((const char *)c->body, c->len,
	    resp, d)) != 0)
		return decode_failed(r, "/v1/activate", d);
	return 0;
}

int
client_challenge(struct client *c, const struct wire_challenge_req *req,
    struct wire_challenge_resp *resp, struct wg_diag *d)
{
	char *json;
	int r;

	if ((json = wire_challenge_req_encode(req)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "challenge request");
	r = client_post(c, "/v1/challenge", json, d);
	free(json);
	if (r != 0)
		return r;
	if ((r = wire_challenge_resp_decode((const char *)c->body, c->len,
	    resp, d)) != 0)
		return decode_failed(r, "/v1/challenge", d);
	return 0;
}

int
client_evidence(struct client *c, const struct wire_evidence_req *req,
    struct wire_evidence_resp *resp, struct wg_diag *d)
{
	char *json;
	int r;

	if ((json = wire_evidence_req_encode(req)) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "evidence request");
	if (strlen(json) > WIRE_MAX_EVIDENCE_BODY) {
		free(json);
		return wg_diag_set(d, WG_ERR_TOO_LARGE, "evidence of more "
		    "than %u bytes", WIRE_MAX_EVIDENCE_BODY);
	}
	r = client_post(c, "/v1/evidence", json, d);
	free(json);
	if (r != 0)
		return r;
	if ((r = wire_evidence_resp_decode((const char *)c->body, c->len,
	    resp, d)) != 0)
		return decode_failed(r, "/v1/evidence", d);
	return 0;
}
