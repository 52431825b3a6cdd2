/*
 * tls.c: the gateway's TLS server contexts: the agent listener's, and the
 * admin listener's, which requires a client certificate from the operator
 * CA (the admin roles then name it by its subject CN).
 */
#include "config.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* ---- the admin listener: client certificates ---- */

/* Depth of the client's chain: leaf, intermediates, operator CA. */
#define TLS_ADMIN_DEPTH 4

/* One admin context per process: its log function for refusals. */
static void (*tls_admin_log)(const char *, ...);

static int
tls_cn_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
	    c == '-';
}

int
tls_cn_valid(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (n == TLS_CN_MAX || !tls_cn_char((unsigned char)s[n]))
			return 0;
	return n > 0;
}

/* The subject CN of x as tls_peer_cn gives it. */
static int
tls_cert_cn(X509 *x, char *cn, size_t cnlen)
{
	const X509_NAME *name;
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int i, n, r = 0;
	size_t k;

	cn[0] = '\0';
	if (cnlen < TLS_CN_MAX + 1)
		return WG_ERR_INVALID_ARG;
	if ((name = X509_get_subject_name(x)) == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(e))) < 0) {
		strcpy(cn, "?");
		return WG_ERR_FORMAT;
	}
	if (n == 0 || n > TLS_CN_MAX)
		r = WG_ERR_FORMAT;
	for (k = 0; k < (size_t)n && k < TLS_CN_MAX; k++) {
		if (tls_cn_char(utf8[k]))
			cn[k] = (char)utf8[k];
		else {
			cn[k] = '?';
			r = WG_ERR_FORMAT;
		}
	}
	if (n > TLS_CN_MAX)
		cn[TLS_CN_MAX - 1] = '?';
	cn[k] = '\0';
	if (n == 0)
		strcpy(cn, "?");
	OPENSSL_free(utf8);
	return r;
}

int
tls_peer_cn(SSL *ssl, char *cn, size_t cnlen)
{
	X509 *peer;

	if (cnlen > 0)
		cn[0] = '\0';
	if (ssl == NULL || (peer = SSL_get0_peer_certificate(ssl)) == NULL ||
	    SSL_get_verify_result(ssl) != X509_V_OK)
		return WG_ERR_NOT_FOUND;
	return tls_cert_cn(peer, cn, cnlen);
}

/*
 * After OpenSSL's checks of each certificate: the leaf must carry extended
 * key usage clientAuth. (The purpose check alone lets a leaf without the
 * extension through.) Every refusal is logged.
 */
static int
tls_admin_verify_cb(int ok, X509_STORE_CTX *xs)
{
	X509 *x = X509_STORE_CTX_get_current_cert(xs);
	int depth = X509_STORE_CTX_get_error_depth(xs);
	char cn[TLS_CN_MAX + 1];

	if (ok && depth == 0 && (x == NULL ||
	    !(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT))) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_INVALID_PURPOSE);
		ok = 0;
	}
	if (!ok && tls_admin_log != NULL) {
		if (x == NULL || tls_cert_cn(x, cn, sizeof(cn)) == WG_ERR_INVALID_ARG)
			strcpy(cn, "?");
		tls_admin_log("admin TLS: client certificate refused (CN %s, "
		    "depth %d): %s", cn, depth, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(xs)));
	}
	return ok;
}

/*
 * Adds the CRLs of path to st. Each must be signed by a CA certificate in
 * st (the operator CA), and there must be at least one.
 */
static int
tls_load_crls(X509_STORE *st, const char *path, struct wg_diag *d)
{
	STACK_OF(X509_OBJECT) *objs;
	X509_CRL *crl = NULL;
	BIO *b;
	int i, n = 0, signed_ok, r;

	if ((b = BIO_new_file(path, "r")) == NULL)
		return tls_fail(d, "admin_tls_crl", path);
	for (;;) {
		ERR_clear_error();
		if ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL) {
			unsigned long e = ERR_peek_last_error();

			if (n > 0 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				break;
			}
			r = n == 0 && ERR_GET_REASON(e) == PEM_R_NO_START_LINE ?
			    wg_diag_set(d, WG_ERR_CONFIG, "admin_tls_crl %s: "
			    "no PEM CRL", path) :
			    tls_fail(d, "admin_tls_crl", path);
			goto out;
		}
		signed_ok = 0;
		objs = X509_STORE_get0_objects(st);
		for (i = 0; i < sk_X509_OBJECT_num(objs) && !signed_ok; i++) {
			X509 *ca = X509_OBJECT_get0_X509(
			    sk_X509_OBJECT_value(objs, i));

			if (ca != NULL && X509_NAME_cmp(X509_get_subject_name(ca),
			    X509_CRL_get_issuer(crl)) == 0 &&
			    X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
				signed_ok = 1;
		}
		ERR_clear_error();
		if (!signed_ok) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "admin_tls_crl %s: a "
			    "CRL not signed by a CA of admin_tls_ca", path);
			goto out;
		}
		if (X509_STORE_add_crl(st, crl) != 1) {
			r = tls_fail(d, "admin_tls_crl", path);
			goto out;
		}
		X509_CRL_free(crl);
		crl = NULL;
		n++;
	}
	r = 0;
out:
	X509_CRL_free(crl);
	BIO_free(b);
	return r;
}

int
tls_admin_ctx(const char *cert_path, const char *key_path,
    const char *ca_path, const char *crl_path,
    void (*log_fn)(const char *, ...), SSL_CTX **out, struct wg_diag *d)
{
	static const unsigned char sid_ctx[] = "wardgate-admin";
	STACK_OF(X509_NAME) *names;
	X509_VERIFY_PARAM *param;
	SSL_CTX *ctx = NULL;
	unsigned long flags = 0;
	int r;

	if ((r = tls_server_ctx(cert_path, key_path, &ctx, d)) != 0)
		return r;
	/* The operator CA alone: no default paths, no system store. */
	if (SSL_CTX_load_verify_file(ctx, ca_path) != 1) {
		r = tls_fail(d, "admin_tls_ca", ca_path);
		goto out;
	}
	if ((names = SSL_load_client_CA_file(ca_path)) == NULL) {
		r = wg_diag_set(d, WG_ERR_CONFIG, "admin_tls_ca %s: no PEM "
		    "certificate", ca_path);
		ERR_clear_error();
		goto out;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	if (crl_path != NULL) {
		if ((r = tls_load_crls(SSL_CTX_get_cert_store(ctx), crl_path,
		    d)) != 0)
			goto out;
		flags |= X509_V_FLAG_CRL_CHECK;
	}
	param = SSL_CTX_get0_param(ctx);
	if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT) != 1 ||
	    (flags != 0 && X509_VERIFY_PARAM_set_flags(param, flags) != 1)) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "admin TLS verification "
		    "parameters");
		goto out;
	}
	X509_VERIFY_PARAM_set_depth(param, TLS_ADMIN_DEPTH);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE,
	    tls_admin_verify_cb);
	/* No resumption: a session never outlives the check of its
	 * certificate (a CRL read at the next start applies to all). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (SSL_CTX_set_num_tickets(ctx, 0) != 1 ||
	    SSL_CTX_set_session_id_context(ctx, sid_ctx,
	    sizeof(sid_ctx) - 1) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "admin TLS sessions");
		goto out;
	}
	tls_admin_log = log_fn;
	*out = ctx;
	ctx = NULL;
	r = 0;
out:
	SSL_CTX_free(ctx);
	return r;
}
