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

#endif
