/* tls.c: the gateway's TLS server context. */
#include "config.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls.h"

static int
tls_fail(struct wg_diag *d, const char *what, const char *path)
{
	char buf[160];
	unsigned long e = ERR_peek_last_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return wg_diag_set(d, WG_ERR_CONFIG, "%s %s: %s", what, path, buf);
}

int
tls_server_ctx(const char *cert_path, const char *key_path, SSL_CTX **out,
    struct wg_diag *d)
{
	SSL_CTX *ctx;
	int r;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return wg_diag_set(d, WG_ERR_CRYPTO, "SSL_CTX_new failed");
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "cannot require TLS 1.2");
		goto out;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
		r = tls_fail(d, "certificate", cert_path);
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1) {
		r = tls_fail(d, "private key", key_path);
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		r = tls_fail(d, "key does not match certificate", cert_path);
		goto out;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	*out = ctx;
	ctx = NULL;
	r = 0;
out:
	SSL_CTX_free(ctx);
	return r;
}
