/* tls.h: the gateway's TLS server context (OpenSSL), in one place. */
#ifndef WG_TLS_H
#define WG_TLS_H

#include <openssl/ssl.h>

#include "wg_err.h"

/*
 * A server SSL_CTX: TLS 1.2 or newer, the certificate chain and key from
 * PEM files (the key must match), session tickets for resumption, no
 * compression or renegotiation. Caller frees with SSL_CTX_free.
 */
int tls_server_ctx(const char *cert_path, const char *key_path,
    SSL_CTX **out, struct wg_diag *d);

/*
 * A server SSL_CTX for the admin API over TLS: tls_server_ctx's, and every
 * client must show a certificate that chains to a CA in ca_path (that file
 * alone, never the system store), within its dates, with extended key
 * usage clientAuth (the extension required) and, when crl_path is not
 * NULL, not revoked by a CRL in crl_path (each CRL must be signed by a CA
 * in ca_path; the leaf must have one). No session resumption: every
 * connection proves its certificate. A refused certificate is logged with
 * log_fn. Caller frees with SSL_CTX_free.
 */
int tls_admin_ctx(const char *cert_path, const char *key_path,
    const char *ca_path, const char *crl_path,
    void (*log_fn)(const char *, ...), SSL_CTX **out, struct wg_diag *d);

/* Longest certificate name (subject CN) the admin roles accept. */
#define TLS_CN_MAX 32

/* 1 when s is 1 to TLS_CN_MAX of A-Z a-z 0-9 . _ @ - (a certificate name). */
int tls_cn_valid(const char *s);

/*
 * The subject CN of the verified client certificate of ssl into cn (at
 * least TLS_CN_MAX + 1 bytes). 0 when the subject has exactly one CN and
 * it is a certificate name (tls_cn_valid); WG_ERR_NOT_FOUND when ssl has no
 * verified peer certificate (cn ""); WG_ERR_FORMAT otherwise, cn then a
 * form for logs only: "?" for no or several CNs, else the CN with every
 * other byte as '?', cut to TLS_CN_MAX with a final '?'.
 */
int tls_peer_cn(SSL *ssl, char *cn, size_t cnlen);

#endif
