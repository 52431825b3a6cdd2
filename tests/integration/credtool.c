/*
 * credtool.c: test-only front end of lib/makecred and lib/ek, so that
 * shell tests can hand wardgate's credentials to a real TPM.
 *
 *   credtool make EK_PUB AK_NAME SECRET_HEX OUT
 *	EK_PUB: the EK's TPM2B_PUBLIC (tpm2_createek -u); AK_NAME: the AK's
 *	name (tpm2_createak -n). Writes OUT in the format that
 *	tpm2_activatecredential -i reads (tpm2-tools 5.4: big-endian magic
 *	0xBADCC0DE, version 1, then TPM2B_ID_OBJECT and
 *	TPM2B_ENCRYPTED_SECRET as marshalled).
 *   credtool fpr EK_PUB
 *	prints the EK fingerprint (SHA-256 of the DER SubjectPublicKeyInfo).
 *   credtool verify-cert CERT_DER CA_PEM EK_PUB [UNIX_TIME]
 *	prints "OK", or the reason name and detail.
 *
 * Exit status: 0 success, 1 refused (verify-cert) or failed, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "ek.h"
#include "file.h"
#include "hex.h"
#include "makecred.h"
#include "quote.h"
#include "wg_err.h"

#define CT_FILE_MAX	65536
#define CT_CRED_MAGIC	0xBADCC0DEu
#define CT_CRED_VERSION	1u

static void
usage(void)
{
	fprintf(stderr,
	    "usage: credtool make EK_PUB AK_NAME SECRET_HEX OUT\n"
	    "       credtool fpr EK_PUB\n"
	    "       credtool verify-cert CERT_DER CA_PEM EK_PUB [UNIX_TIME]\n");
	exit(2);
}

static void
die(int err, const struct wg_diag *d, const char *what)
{
	fprintf(stderr, "credtool: %s: %s (%s)%s%s\n", what, wg_errname(err),
	    wg_strerror(err), d->detail[0] != '\0' ? ": " : "", d->detail);
	exit(1);
}

/* Reads an EK public area (TPM2B_PUBLIC or TPMT_PUBLIC). */
static void
load_ek(const char *path, TPM2B_PUBLIC *pub)
{
	struct wg_diag d;
	const uint8_t *area;
	uint8_t *buf = NULL;
	size_t len = 0, area_len;
	int r;

	wg_diag_clear(&d);
	if ((r = file_read(path, CT_FILE_MAX, &buf, &len, &d)) != 0)
		die(r, &d, path);
	if ((r = quote_decode_public(buf, len, pub, &area, &area_len,
	    &d)) != 0)
		die(r, &d, path);
	free(buf);
}

static void
put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	if (fwrite(b, 1, 4, f) != 4)
		exit(1);
}

static int
cmd_make(int argc, char **argv)
{
	TPM2B_PUBLIC ek;
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET es;
	struct wg_diag d;
	uint8_t *name = NULL, secret[64], out[sizeof(cred) + sizeof(es)];
	size_t name_len = 0, secret_len = 0, off = 0;
	TSS2_RC rc;
	FILE *f;
	int r;

	if (argc != 6)
		usage();
	load_ek(argv[2], &ek);
	wg_diag_clear(&d);
	if ((r = file_read(argv[3], CT_FILE_MAX, &name, &name_len, &d)) != 0)
		die(r, &d, argv[3]);
	if (hex_decode(argv[4], secret, sizeof(secret), &secret_len) != 0) {
		fprintf(stderr, "credtool: SECRET_HEX: 1..64 bytes in hex\n");
		return 2;
	}
	if ((r = makecred(&ek.publicArea, name, name_len, secret, secret_len,
	    &cred, &es, &d)) != 0)
		die(r, &d, "makecred");
	if ((rc = Tss2_MU_TPM2B_ID_OBJECT_Marshal(&cred, out, sizeof(out),
	    &off)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&es, out, sizeof(out),
	    &off)) != TSS2_RC_SUCCESS) {
		fprintf(stderr, "credtool: marshal: rc 0x%x\n", (unsigned)rc);
		return 1;
	}
	if ((f = fopen(argv[5], "wb")) == NULL) {
		fprintf(stderr, "credtool: %s: %s\n", argv[5], strerror(errno));
		return 1;
	}
	put32(f, CT_CRED_MAGIC);
	put32(f, CT_CRED_VERSION);
	if (fwrite(out, 1, off, f) != off || fclose(f) != 0) {
		fprintf(stderr, "credtool: %s: write failed\n", argv[5]);
		return 1;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	free(name);
	return 0;
}

static int
cmd_fpr(int argc, char **argv)
{
	TPM2B_PUBLIC ek;
	struct wg_diag d;
	uint8_t fpr[EK_FPR_LEN];
	char hex[2 * EK_FPR_LEN + 1];
	int r;

	if (argc != 3)
		usage();
	load_ek(argv[2], &ek);
	wg_diag_clear(&d);
	if ((r = ek_fingerprint(&ek.publicArea, fpr, &d)) != 0)
		die(r, &d, "ek_fingerprint");
	printf("%s\n", hex_encode(fpr, sizeof(fpr), hex, sizeof(hex)));
	return 0;
}

static int
cmd_verify_cert(int argc, char **argv)
{
	TPM2B_PUBLIC ek;
	X509_STORE *cas = NULL;
	struct wg_diag d;
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t now = 0;
	char *end;
	int r;

	if (argc != 5 && argc != 6)
		usage();
	if (argc == 6) {
		errno = 0;
		now = strtoll(argv[5], &end, 10);
		if (errno != 0 || *end != '\0' || now <= 0)
			usage();
	}
	load_ek(argv[4], &ek);
	wg_diag_clear(&d);
	if ((r = file_read(argv[2], CT_FILE_MAX, &der, &len, &d)) != 0)
		die(r, &d, argv[2]);
	if ((r = ek_ca_load(argv[3], &cas, &d)) != 0)
		die(r, &d, argv[3]);
	r = ek_cert_verify(der, len, cas, &ek.publicArea, now, &d);
	if (r == 0)
		printf("OK\n");
	else
		printf("%s: %s\n", wg_errname(r), d.detail);
	X509_STORE_free(cas);
	free(der);
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "make") == 0)
		return cmd_make(argc, argv);
	if (strcmp(argv[1], "fpr") == 0)
		return cmd_fpr(argc, argv);
	if (strcmp(argv[1], "verify-cert") == 0)
		return cmd_verify_cert(argc, argv);
	usage();
	return 2;
}
