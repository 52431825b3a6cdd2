/*
 * agent-testtool: drives the agent's TPM layer for tests/integration/
 * agent-tpm.sh (never installed).
 *
 *   agent-testtool activate STATE_DIR CRED_FILE
 *       Runs tpm_activate with the AK saved in STATE_DIR on a credential
 *       that tpm2_makecredential -o wrote (header, TPM2B_ID_OBJECT,
 *       TPM2B_ENCRYPTED_SECRET) and prints the secret in hex.
 *   agent-testtool pcrread SELECTION
 *       Prints the PCRs tpm_pcr_read returns, one "bank:pcr hex" a line.
 *
 * The TPM is the one $WARDGATE_TCTI / $TPM2TOOLS_TCTI names. Exit 0 on
 * success, 1 when the TPM refused (the reason on stderr), 2 on misuse.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "alg.h"
#include "file.h"
#include "hex.h"
#include "log.h"
#include "pcr.h"
#include "statedir.h"
#include "tpm.h"

static int
fail(const struct wg_diag *d, const char *what)
{
	fprintf(stderr, "agent-testtool: %s: %s: %s\n", what,
	    wg_errname(d->err), d->detail);
	return 1;
}

static int
cmd_activate(const char *dir, const char *credfile)
{
	struct agent_state st;
	struct tpm *t = NULL;
	uint8_t *buf = NULL, secret[64];
	char hex[2 * sizeof(secret) + 1];
	size_t len, off, idlen, slen;
	TPM2B_ID_OBJECT id;
	TPM2B_ENCRYPTED_SECRET enc;
	struct wg_diag d;
	int ret = 1;

	wg_diag_clear(&d);
	if (statedir_load(dir, &st, &d) != 0)
		return fail(&d, "state");
	if (!st.has_ak) {
		fprintf(stderr, "agent-testtool: no AK in %s\n", dir);
		return 1;
	}
	if (file_read(credfile, 4096, &buf, &len, &d) != 0)
		return fail(&d, "credential");
	/* tpm2-tools: magic 0xBADCC0DE, version 1, then the two TPM2Bs. */
	off = 8;
	if (len < 8 || memcmp(buf, "\xba\xdc\xc0\xde\x00\x00\x00\x01", 8) != 0 ||
	    Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(buf, len, &off, &id) !=
	    TSS2_RC_SUCCESS) {
		fprintf(stderr, "agent-testtool: %s: not a tpm2_makecredential "
		    "file\n", credfile);
		goto out;
	}
	idlen = off - 8;
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(buf, len, &off, &enc) !=
	    TSS2_RC_SUCCESS || off != len) {
		fprintf(stderr, "agent-testtool: %s: bad secret\n", credfile);
		goto out;
	}
	if (tpm_open(tpm_tcti_choose(NULL), &t, &d) != 0) {
		ret = fail(&d, "open");
		goto out;
	}
	/* The marshalled forms, as the gateway sends them. */
	if (tpm_activate(t, &st.ak, buf + 8, idlen, buf + 8 + idlen,
	    len - 8 - idlen, secret, sizeof(secret), &slen, &d) != 0) {
		ret = fail(&d, "activate");
		goto out;
	}
	printf("%s\n", hex_encode(secret, slen, hex, sizeof(hex)));
	ret = 0;
out:
	tpm_close(t);
	free(buf);
	return ret;
}

static int
cmd_pcrread(const char *text)
{
	TPML_PCR_SELECTION sel;
	struct pcr_set *s;
	struct tpm *t = NULL;
	char hex[2 * ALG_MAX_DIGEST + 1], abuf[8];
	struct wg_diag d;
	unsigned i, p;
	int ret = 1;

	wg_diag_clear(&d);
	if (pcr_selection_parse(text, &sel, &d) != 0)
		return fail(&d, "selection");
	if ((s = malloc(sizeof(*s))) == NULL)
		return 2;
	if (tpm_open(tpm_tcti_choose(NULL), &t, &d) != 0) {
		ret = fail(&d, "open");
		goto out;
	}
	if (tpm_pcr_read(t, &sel, s, &d) != 0) {
		ret = fail(&d, "pcrread");
		goto out;
	}
	for (i = 0; i < s->nbanks; i++)
		for (p = 0; p < PCR_COUNT; p++)
			if (s->bank[i].present & (1u << p))
				printf("%s:%u %s\n", alg_name(s->bank[i].alg,
				    abuf, sizeof(abuf)), p,
				    hex_encode(s->bank[i].value[p],
				    s->bank[i].size, hex, sizeof(hex)));
	ret = 0;
out:
	tpm_close(t);
	free(s);
	return ret;
}

int
main(int argc, char **argv)
{
	if (getenv("TSS2_LOG") == NULL)
		setenv("TSS2_LOG", "all+none", 1);
	if (argc == 4 && strcmp(argv[1], "activate") == 0)
		return cmd_activate(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "pcrread") == 0)
		return cmd_pcrread(argv[2]);
	fprintf(stderr, "usage: agent-testtool activate STATE_DIR CRED_FILE\n"
	    "       agent-testtool pcrread SELECTION\n");
	return 2;
}
