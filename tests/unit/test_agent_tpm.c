/*
 * test_agent_tpm.c: the agent's pieces that need no TPM: TPM blobs and
 * names (agent/tpm.c against real AKs in tests/data/quote), the state
 * file (agent/statedir.c), the configuration (agent/conf.c) and the TCTI
 * choice. The TPM itself is exercised by tests/integration/agent-tpm.sh.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "file.h"
#include "statedir.h"
#include "tpm.h"
#include "wg_err.h"

static char tmpdir[256];

/* ---- helpers ---------------------------------------------------------- */

static void
data_file(const char *rel, uint8_t **buf, size_t *len)
{
	const char *base = getenv("WG_TESTDATA");
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", base != NULL ? base :
	    "tests/data", rel);
	assert_int_equal(file_read(path, 65536, buf, len, NULL), 0);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
load_ak(const char *rel, struct tpm_ak *ak)
{
	uint8_t *buf;
	size_t len;

	memset(ak, 0, sizeof(*ak));
	data_file(rel, &buf, &len);
	assert_int_equal(tpm_public_unmarshal(buf, len, &ak->pub, NULL), 0);
	free(buf);
	/* Any private blob will do for the state file. */
	ak->priv.size = 48;
	memset(ak->priv.buffer, 0xa5, 48);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/wg-agent-unit.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tpm: blobs, names, kinds ------------------------------------------ */

static void
check_name(const char *pub, const char *name)
{
	struct tpm_ak ak;
	uint8_t *want, got[2 + 64];
	size_t wlen, glen;
	struct wg_diag d;

	load_ak(pub, &ak);
	data_file(name, &want, &wlen);
	wg_diag_clear(&d);
	assert_int_equal(tpm_public_name(&ak.pub, got, &glen, &d), 0);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(want);
}

static void
test_names(void **state)
{
	(void)state;
	/* The names the TPM itself reported (tpm2_createak -n). */
	check_name("quote/ak-ecc.pub", "quote/ak-ecc.name");
	check_name("quote/ak-rsa.pub", "quote/ak-rsa.name");
}

static void
test_blobs(void **state)
{
	uint8_t *buf, out[sizeof(TPM2B_PUBLIC)], big[sizeof(TPM2B_PUBLIC) + 1];
	size_t len, olen;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv, priv2;
	enum tpm_ak_kind k;
	struct tpm_ak ak;

	(void)state;
	data_file("quote/ak-ecc.pub", &buf, &len);
	assert_int_equal(tpm_public_unmarshal(buf, len, &pub, NULL), 0);
	assert_int_equal(tpm_public_marshal(&pub, out, sizeof(out), &olen,
	    NULL), 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, buf, len);
	/* Trailing bytes and truncation are refused. */
	memcpy(big, buf, len);
	big[len] = 0;
	assert_int_equal(tpm_public_unmarshal(big, len + 1, &pub, NULL),
	    WG_ERR_FORMAT);
	assert_int_equal(tpm_public_unmarshal(buf, len - 1, &pub, NULL),
	    WG_ERR_FORMAT);
	/* Too small an output buffer. */
	assert_int_not_equal(tpm_public_marshal(&pub, out, 10, &olen, NULL),
	    0);
	free(buf);

	memset(&priv, 0, sizeof(priv));
	priv.size = 3;
	memcpy(priv.buffer, "abc", 3);
	assert_int_equal(tpm_private_marshal(&priv, out, sizeof(out), &olen,
	    NULL), 0);
	assert_int_equal(olen, 5);
	assert_int_equal(tpm_private_unmarshal(out, olen, &priv2, NULL), 0);
	assert_int_equal(priv2.size, 3);
	assert_memory_equal(priv2.buffer, "abc", 3);
	assert_int_equal(tpm_private_unmarshal(out, olen + 1, &priv2, NULL),
	    WG_ERR_FORMAT);

	load_ak("quote/ak-ecc.pub", &ak);
	assert_int_equal(tpm_ak_kind_of(&ak, &k, NULL), 0);
	assert_int_equal(k, TPM_AK_ECC);
	load_ak("quote/ak-rsa.pub", &ak);
	assert_int_equal(tpm_ak_kind_of(&ak, &k, NULL), 0);
	assert_int_equal(k, TPM_AK_RSA);
	ak.pub.publicArea.type = TPM2_ALG_KEYEDHASH;
	assert_int_equal(tpm_ak_kind_of(&ak, &k, NULL), WG_ERR_AK_UNSUPPORTED);
}

static void
test_kinds(void **state)
{
	enum tpm_ek_kind ek;
	enum tpm_ak_kind ak;

	(void)state;
	assert_int_equal(tpm_ek_kind_parse("rsa", &ek), 0);
	assert_int_equal(ek, TPM_EK_RSA);
	assert_int_equal(tpm_ek_kind_parse("ecc", &ek), 0);
	assert_int_equal(ek, TPM_EK_ECC);
	assert_int_equal(tpm_ek_kind_parse("RSA", &ek), WG_ERR_INVALID_ARG);
	assert_int_equal(tpm_ak_kind_parse("ecc", &ak), 0);
	assert_int_equal(ak, TPM_AK_ECC);
	assert_int_equal(tpm_ak_kind_parse("rsa", &ak), 0);
	assert_int_equal(ak, TPM_AK_RSA);
	assert_int_equal(tpm_ak_kind_parse("dsa", &ak), WG_ERR_INVALID_ARG);
	assert_string_equal(tpm_ek_kind_name(TPM_EK_ECC), "ecc");
	assert_string_equal(tpm_ak_kind_name(TPM_AK_RSA), "rsa");
}

static void
test_tcti(void **state)
{
	struct tpm *t = NULL;
	struct wg_diag d;

	(void)state;
	unsetenv("WARDGATE_TCTI");
	unsetenv("TPM2TOOLS_TCTI");
	assert_null(tpm_tcti_choose(NULL));
	assert_null(tpm_tcti_choose(""));
	setenv("TPM2TOOLS_TCTI", "swtpm:port=1", 1);
	assert_string_equal(tpm_tcti_choose(NULL), "swtpm:port=1");
	setenv("WARDGATE_TCTI", "device:/dev/tpmrm0", 1);
	assert_string_equal(tpm_tcti_choose(""), "device:/dev/tpmrm0");
	assert_string_equal(tpm_tcti_choose("mssim"), "mssim");
	unsetenv("WARDGATE_TCTI");
	unsetenv("TPM2TOOLS_TCTI");

	/* Nobody listens on port 1: the TCTI's error becomes WG_ERR_IO. */
	wg_diag_clear(&d);
	setenv("TSS2_LOG", "all+none", 1);
	assert_int_equal(tpm_open("swtpm:host=127.0.0.1,port=1", &t, &d),
	    WG_ERR_IO);
	assert_null(t);
	assert_non_null(strstr(d.detail, "swtpm:host=127.0.0.1,port=1"));
	tpm_close(NULL);
}

/* ---- statedir ------------------------------------------------------------ */

static void
test_statedir_prepare(void **state)
{
	char dir[512], file[512];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sd", tmpdir);
	assert_int_equal(statedir_prepare(dir, NULL), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* An existing directory open to others is closed. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(statedir_prepare(dir, NULL), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* A file is not a state directory; a missing parent is an error. */
	snprintf(file, sizeof(file), "%s/plain", tmpdir);
	write_text(file, "x");
	assert_int_equal(statedir_prepare(file, NULL), WG_ERR_CONFIG);
	snprintf(file, sizeof(file), "%s/no/such", tmpdir);
	assert_int_equal(statedir_prepare(file, NULL), WG_ERR_IO);
	assert_int_equal(statedir_prepare("", NULL), WG_ERR_CONFIG);
}

static void
test_statedir_roundtrip(void **state)
{
	char dir[512], path[600];
	struct agent_state in, out;
	struct stat st;
	struct wg_diag d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rt", tmpdir);
	assert_int_equal(statedir_prepare(dir, NULL), 0);

	/* Nothing saved yet: an empty state, not an error. */
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(statedir_load(dir, &out, NULL), 0);
	assert_int_equal(out.has_ak, 0);
	assert_string_equal(out.device_id, "");

	memset(&in, 0, sizeof(in));
	assert_int_equal(statedir_save(dir, &in, NULL), WG_ERR_INVALID_ARG);
	in.has_ak = 1;
	load_ak("quote/ak-rsa.pub", &in.ak);
	in.ak.ek = TPM_EK_ECC;
	assert_int_equal(statedir_save(dir, &in, NULL), 0);
	snprintf(path, sizeof(path), "%s/" STATEDIR_FILE, dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	wg_diag_clear(&d);
	assert_int_equal(statedir_load(dir, &out, &d), 0);
	assert_int_equal(out.has_ak, 1);
	assert_int_equal(out.ak.ek, TPM_EK_ECC);
	assert_string_equal(out.device_id, "");
	assert_memory_equal(&out.ak.pub, &in.ak.pub, sizeof(in.ak.pub));
	assert_int_equal(out.ak.priv.size, in.ak.priv.size);
	assert_memory_equal(out.ak.priv.buffer, in.ak.priv.buffer,
	    in.ak.priv.size);

	/* Enrolled: the device id comes back; no temporary file is left. */
	memset(in.device_id, 'a', WIRE_ID_LEN - 1);
	in.device_id[WIRE_ID_LEN - 1] = '\0';
	assert_int_equal(statedir_save(dir, &in, NULL), 0);
	assert_int_equal(statedir_load(dir, &out, NULL), 0);
	assert_string_equal(out.device_id, in.device_id);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = '%s'",
		    dir, STATEDIR_FILE);
		assert_int_equal(system(cmd), 0);
	}
}

/* Each damaged file is refused with WG_ERR_FORMAT naming the problem. */
static void
test_statedir_damaged(void **state)
{
	static const char *const bad[] = {
		"version = 1\nek = rsa\nak_pub = 00\nak_priv = 0000\n",
		"version = 2\n",
		"version = 1\nek = dsa\n",
		"version = 1\nversion = 1\n",
		"colour = blue\n",
		"version=1\n",
		"version = 1\ndevice_id = ABCD\n",
		"version = 1\nek = rsa\n",	/* incomplete */
		"version = 1\nek = rsa\nak_pub = zz\n",
	};
	char dir[512], path[600];
	struct agent_state out;
	struct wg_diag d;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bad", tmpdir);
	assert_int_equal(statedir_prepare(dir, NULL), 0);
	snprintf(path, sizeof(path), "%s/" STATEDIR_FILE, dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(path, bad[i]);
		wg_diag_clear(&d);
		if (statedir_load(dir, &out, &d) != WG_ERR_FORMAT)
			fail_msg("damaged state %zu accepted", i);
		assert_non_null(strstr(d.detail, STATEDIR_FILE));
	}
}

static void
test_statedir_write(void **state)
{
	char dir[512], path[600];
	uint8_t *buf;
	size_t len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/w", tmpdir);
	assert_int_equal(statedir_prepare(dir, NULL), 0);
	assert_int_equal(statedir_write(dir, "f", "one", 3, 0644, NULL), 0);
	assert_int_equal(statedir_write(dir, "f", "second", 6, 0644, NULL), 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(file_read(path, 100, &buf, &len, NULL), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "second", 6);
	free(buf);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(statedir_write(path, "f", "x", 1, 0644, NULL),
	    WG_ERR_IO);
}

/* ---- conf ---------------------------------------------------------------- */

static void
test_conf_set(void **state)
{
	struct conf c;
	struct wg_diag d;

	(void)state;
	conf_init(&c);
	assert_string_equal(c.state_dir, CONF_DEFAULT_STATE_DIR);
	assert_string_equal(c.eventlog, CONF_DEFAULT_EVENTLOG);
	assert_int_equal(c.ek, TPM_EK_RSA);
	assert_int_equal(c.ak, TPM_AK_ECC);
	assert_int_equal(c.ek_set, 0);
	assert_int_equal(c.interval, 0);
	assert_int_equal(c.timeout, CONF_DEFAULT_TIMEOUT);

	assert_int_equal(conf_set(&c, "gateway", "https://gw:8443//", NULL), 0);
	assert_string_equal(c.gateway, "https://gw:8443");
	assert_int_equal(conf_set(&c, "gateway", "https://gw/wg/", NULL), 0);
	assert_string_equal(c.gateway, "https://gw/wg");
	wg_diag_clear(&d);
	assert_int_equal(conf_set(&c, "gateway", "http://gw", &d),
	    WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "https"));
	assert_int_equal(conf_set(&c, "gateway", "https://", NULL),
	    WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "gateway", "https://gw/?x=1", NULL),
	    WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "gateway", "https://g w", NULL),
	    WG_ERR_CONFIG);
	assert_string_equal(c.gateway, "https://gw/wg");	/* unchanged */

	assert_int_equal(conf_set(&c, "ek", "ecc", NULL), 0);
	assert_int_equal(c.ek, TPM_EK_ECC);
	assert_int_equal(c.ek_set, 1);
	assert_int_equal(conf_set(&c, "ak", "rsa", NULL), 0);
	assert_int_equal(c.ak_set, 1);
	assert_int_equal(conf_set(&c, "ak", "ed25519", NULL), WG_ERR_CONFIG);

	assert_int_equal(conf_set(&c, "interval", "60", NULL), 0);
	assert_int_equal(c.interval, 60);
	assert_int_equal(conf_set(&c, "interval", "0", NULL), WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "interval", "86401", NULL),
	    WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "interval", "-5", NULL), WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "interval", "5s", NULL), WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "interval", "99999999999999999999",
	    NULL), WG_ERR_CONFIG);
	assert_int_equal(c.interval, 60);
	assert_int_equal(conf_set(&c, "timeout", "601", NULL), WG_ERR_CONFIG);

	assert_int_equal(conf_set(&c, "mac", "AA:bb:0C:dd:EE:ff", NULL), 0);
	assert_string_equal(c.mac, "aa:bb:0c:dd:ee:ff");
	assert_int_equal(conf_set(&c, "mac", "aa:bb:cc:dd:ee", NULL),
	    WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "mac", "aa-bb-cc-dd-ee-ff", NULL),
	    WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "mac", "gg:bb:cc:dd:ee:ff", NULL),
	    WG_ERR_CONFIG);

	assert_int_equal(conf_set(&c, "serial", "SN 123", NULL), 0);
	assert_int_equal(conf_set(&c, "serial", "bad\tserial", NULL),
	    WG_ERR_CONFIG);
	{
		char longs[200];

		memset(longs, 'x', sizeof(longs) - 1);
		longs[sizeof(longs) - 1] = '\0';
		assert_int_equal(conf_set(&c, "hostname", longs, NULL),
		    WG_ERR_CONFIG);
	}
	assert_int_equal(conf_set(&c, "state-dir", "", NULL), WG_ERR_CONFIG);
	assert_int_equal(conf_set(&c, "tcti", "", NULL), 0);
	assert_int_equal(conf_set(&c, "verbose", "4", NULL), WG_ERR_CONFIG);
	wg_diag_clear(&d);
	assert_int_equal(conf_set(&c, "colour", "blue", &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "colour"));
}

static void
expect_conf_error(const char *text, const char *detail)
{
	char path[600];
	struct conf c;
	struct wg_diag d;

	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	write_text(path, text);
	conf_init(&c);
	wg_diag_clear(&d);
	assert_int_equal(conf_load(&c, path, &d), WG_ERR_CONFIG);
	if (strstr(d.detail, detail) == NULL)
		fail_msg("\"%s\" not in \"%s\"", detail, d.detail);
}

static void
test_conf_file(void **state)
{
	char path[600], out1[600], out2[600];
	struct conf c, c2;
	uint8_t *a, *b;
	size_t alen, blen;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/agent.conf", tmpdir);
	write_text(path,
	    "# wardgate-agent\n"
	    "\n"
	    "gateway = https://gw.example:8443/\n"
	    "  ca=/etc/wardgate/gateway-ca.pem  \n"
	    "state-dir = /var/lib/wg\r\n"
	    "tcti = swtpm:host=127.0.0.1,port=2321\n"
	    "ek = ecc\n"
	    "interval = 120\n"
	    "serial = SN-0042\n"
	    "mac = AA:BB:CC:DD:EE:01\n"
	    "verbose = 1\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, NULL), 0);
	assert_string_equal(c.gateway, "https://gw.example:8443");
	assert_string_equal(c.ca, "/etc/wardgate/gateway-ca.pem");
	assert_string_equal(c.state_dir, "/var/lib/wg");
	assert_string_equal(c.tcti, "swtpm:host=127.0.0.1,port=2321");
	assert_int_equal(c.ek, TPM_EK_ECC);
	assert_int_equal(c.ak_set, 0);
	assert_int_equal(c.interval, 120);
	assert_string_equal(c.mac, "aa:bb:cc:dd:ee:01");
	assert_int_equal(c.verbose, 1);

	/* Printed, parsed, printed: the same text, the same settings. */
	snprintf(out1, sizeof(out1), "%s/out1.conf", tmpdir);
	snprintf(out2, sizeof(out2), "%s/out2.conf", tmpdir);
	assert_non_null(f = fopen(out1, "w"));
	conf_print(&c, f);
	assert_int_equal(fclose(f), 0);
	conf_init(&c2);
	assert_int_equal(conf_load(&c2, out1, NULL), 0);
	assert_non_null(f = fopen(out2, "w"));
	conf_print(&c2, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(file_read(out1, 65536, &a, &alen, NULL), 0);
	assert_int_equal(file_read(out2, 65536, &b, &blen, NULL), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	assert_memory_equal(&c, &c2, sizeof(c));

	expect_conf_error("gateway = https://a\ncolour = blue\n",
	    "bad.conf:2: unknown setting \"colour\"");
	expect_conf_error("ek = rsa\n\n# x\nek = ecc\n",
	    "bad.conf:4: \"ek\" given twice");
	expect_conf_error("gateway https://a\n", "bad.conf:1: not \"key = ");
	expect_conf_error("interval = soon\n", "bad.conf:1: interval");
	expect_conf_error("gateway = http://a\n", "bad.conf:1: gateway");

	/* A missing file is a configuration error too. */
	{
		struct wg_diag d;

		snprintf(path, sizeof(path), "%s/none.conf", tmpdir);
		conf_init(&c);
		wg_diag_clear(&d);
		assert_int_equal(conf_load(&c, path, &d), WG_ERR_CONFIG);
		assert_non_null(strstr(d.detail, "none.conf"));
	}
}

static void
test_conf_check(void **state)
{
	struct conf c;
	struct wg_diag d;
	char ca[600];

	(void)state;
	conf_init(&c);
	wg_diag_clear(&d);
	assert_int_equal(conf_check_gateway(&c, &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "gateway"));
	assert_int_equal(conf_set(&c, "gateway", "https://gw", NULL), 0);
	assert_int_equal(conf_check_gateway(&c, &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "CA"));
	snprintf(ca, sizeof(ca), "%s/no-ca.pem", tmpdir);
	assert_int_equal(conf_set(&c, "ca", ca, NULL), 0);
	assert_int_equal(conf_check_gateway(&c, &d), WG_ERR_CONFIG);
	write_text(ca, "-----BEGIN CERTIFICATE-----\n");
	assert_int_equal(conf_check_gateway(&c, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_tcti),
		cmocka_unit_test(test_statedir_prepare),
		cmocka_unit_test(test_statedir_roundtrip),
		cmocka_unit_test(test_statedir_damaged),
		cmocka_unit_test(test_statedir_write),
		cmocka_unit_test(test_conf_set),
		cmocka_unit_test(test_conf_file),
		cmocka_unit_test(test_conf_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
