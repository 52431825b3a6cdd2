/* test_provfile.c: lib/provfile.c, batches of provisioning records. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "provfile.h"

#define FPR_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FPR_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
/* tests/data/identity/ek-ecc.crt and its .fpr */
#define ECC_FPR "7b612d6d68befd5cd65dd3805bc21521c641f586dde42d2c193f6895c5e38319"
static const char ecc_pem[] =
	    "-----BEGIN CERTIFICATE-----\n"
	    "MIIC0zCCAbugAwIBAgIBAzANBgkqhkiG9w0BAQsFADBCMRYwFAYDVQQKDA13YXJk\n"
	    "Z2F0ZSB0ZXN0MSgwJgYDVQQDDB93YXJkZ2F0ZSB0ZXN0IFRQTSBFSyBpc3N1aW5n\n"
	    "IENBMCAXDTI2MTEyMjAyMzYxMVoYDzk5OTkxMjMxMjM1OTU5WjASMRAwDgYDVQQD\n"
	    "Ewd1bmtub3duMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsDD2rGCv/lkOdrCJ\n"
	    "xbhZ0fBa+0L3h7iwq2+r0Y2BH09ojEVPjuuN6d7ULhgBUKFavlKHyWKPhnpRqp3s\n"
	    "xpr9RaOBzDCByTAQBgNVHSUECTAHBgVngQUIATBSBgNVHREBAf8ESDBGpEQwQjEW\n"
	    "MBQGBWeBBQIBDAtpZDowMDAwMTAxNDEQMA4GBWeBBQICDAVzd3RwbTEWMBQGBWeB\n"
	    "BQIDDAtpZDoyMDE5MTAyMzAMBgNVHRMBAf8EAjAAMCIGA1UdCQQbMBkwFwYFZ4EF\n"
	    "AhAxDjAMDAMyLjACAQACAgCkMB8GA1UdIwQYMBaAFBrWhhw9Kw212RNCCutctwUH\n"
	    "qGXLMA4GA1UdDwEB/wQEAwIDCDANBgkqhkiG9w0BAQsFAAOCAQEAc6FpIglP+AHt\n"
	    "6c7ZLJsrTqDisTIF5EmPXUUbKie1miiTFhV8y5+kpEvx8agWNH/eJgipQrf2xBWv\n"
	    "woSqzIMk5hzrlk9QurBjz39+VKyCmasvnO/Whn1s7ZHmvFRK9mU7A4gVQuxFpFnR\n"
	    "s/qKRWLWLNISFC4aInHZ7e6PDXdUWKJ6s+WXO1MA6/hjUJ+YkGot08XTrfpzRzPQ\n"
	    "tAe+Yd7xPLo24s3tYMaP6QX+3p01A0IcjtP3+iDuwD2MMYgqLcAyGv3PYvniG+TQ\n"
	    "GEHSFtvZpfA31SPGWio+7/Qw9Of9oQ8Wt9HHsiACUXF9lyFZfZpIFJTrtZ1r72hu\n"
	    "paSOrbSgzw==\n"
	    "-----END CERTIFICATE-----\n";

static int
parse(const char *text, enum provfile_format f, struct provfile **pf,
    struct provfile_report *rep)
{
	struct wg_diag d;
	int r;

	wg_diag_clear(&d);
	r = provfile_parse(text, strlen(text), f, pf, rep, &d);
	if (r != 0)
		print_message("%s", rep->text);
	return r;
}

static void
test_csv_good(void **state)
{
	/* BOM, CRLF, a quoted comma and quote, a formula-looking cell. */
	static const char text[] = "\xef\xbb\xbfserial,model,udi,lot,ward,"
	    "location,owner_identity,owner_update,owner_vuln,"
	    "owner_decommission,mac,ek_fpr\r\n"
	    "S1,\"Pump, \"\"large\"\"\",(01)0123,L7,ICU,Bed 4,Ann,Bob,Cy,Di,"
	    "02:00:00:00:00:01," FPR_A "\r\n"
	    "\r\n"
	    "S2,Monitor,\"=HYPERLINK(\"\"x\"\")\",L7,ER,,a,b,c,d,02:00:00:00:00:0A,"
	    FPR_B "\r\n";
	struct provfile *pf = NULL;
	struct provfile_report rep;

	(void)state;
	assert_int_equal(parse(text, PROVFILE_CSV, &pf, &rep), 0);
	assert_int_equal(pf->n, 2);
	assert_string_equal(pf->recs[0].p.model, "Pump, \"large\"");
	assert_string_equal(pf->recs[0].p.name, "S1");
	assert_string_equal(pf->recs[0].p.batch, "L7");
	assert_string_equal(pf->recs[0].p.owner, "ICU");
	assert_string_equal(pf->recs[0].p.owner_decommission, "Di");
	assert_int_equal(pf->recs[0].line, 2);
	assert_int_equal(pf->recs[1].line, 4);
	assert_string_equal(pf->recs[1].p.udi, "=HYPERLINK(\"x\")");
	assert_string_equal(pf->recs[1].p.mac, "02:00:00:00:00:0a");
	provfile_free(pf);
}

static void
test_csv_bad_lines(void **state)
{
	static const char text[] = "serial,model,mac,ek_fpr\n"
	    "S1,M,02:00:00:00:00:01," FPR_A "\n"
	    "S1,M,zz,\n"
	    "\"S3\nsecond line\",M,02:00:00:00:00:03," FPR_B "\n"
	    "S4,,02:00:00:00:00:01,ABC\n";
	struct provfile *pf = NULL;
	struct provfile_report rep;

	(void)state;
	assert_int_equal(parse(text, PROVFILE_CSV, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_null(pf);
	assert_non_null(strstr(rep.text, "line 3: serial: also on line 2"));
	assert_non_null(strstr(rep.text, "line 3: mac: not"));
	assert_non_null(strstr(rep.text, "line 3: ek_fpr: missing"));
	assert_non_null(strstr(rep.text, "line 4: serial: "));
	assert_non_null(strstr(rep.text, "line 6: model: missing"));
	assert_non_null(strstr(rep.text, "line 6: mac: also on line 2"));
	assert_non_null(strstr(rep.text, "line 6: ek_fpr: not 64"));
	assert_null(strstr(rep.text, "line 2:"));
	/* A defaulted name is not reported again with its serial. */
	assert_null(strstr(rep.text, "line 3: name:"));
}

static void
test_csv_same_name(void **state)
{
	static const char text[] = "name,serial,model,mac,ek_fpr\n"
	    "pump,S1,M,02:00:00:00:00:01," FPR_A "\n"
	    "pump,S2,M,02:00:00:00:00:02," FPR_B "\n";
	struct provfile *pf = NULL;
	struct provfile_report rep;

	(void)state;
	assert_int_equal(parse(text, PROVFILE_CSV, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_string_equal(rep.text, "line 3: name: also on line 2\n");
}

static void
test_csv_malformed(void **state)
{
	static const char *const bad[] = {
		"serial,model,mac,ek_fpr,color\nS,M,02:00:00:00:00:01,"
		    FPR_A ",red\n",
		"serial,model,mac,ek_fpr\nS,M,02:00:00:00:00:01\n",
		"serial,model,mac,ek_fpr\n\"S,M,02:00:00:00:00:01," FPR_A,
		"serial,model,mac,ek_fpr\nS\"x,M,02:00:00:00:00:01," FPR_A,
		"serial,model,mac,ek_fpr\n\"S\"x,M,02:00:00:00:00:01," FPR_A,
		"serial,model,serial,mac,ek_fpr\n",
		"",
		"serial,model,mac,ek_fpr\n",
		"serial,model,mac,ek_fpr\nS,M\x01,02:00:00:00:00:01," FPR_A,
		"serial,model,mac,ek_fpr\nS,M,01:00:00:00:00:01," FPR_A,
	};
	struct provfile *pf = NULL;
	struct provfile_report rep;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], PROVFILE_CSV, &pf, &rep),
		    WG_ERR_BAD_FIELD);
		assert_true(rep.nerrors > 0);
		assert_null(pf);
	}
}

static void
test_pem(void **state)
{
	char *text;
	struct provfile *pf = NULL;
	struct provfile_report rep;
	size_t n = strlen(ecc_pem) + 256;

	(void)state;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "serial,model,mac,ek_cert\nS,M,02:00:00:00:00:01,"
	    "\"%s\"\n", ecc_pem);
	assert_int_equal(parse(text, PROVFILE_CSV, &pf, &rep), 0);
	assert_string_equal(pf->recs[0].p.ek_fpr, ECC_FPR);
	provfile_free(pf);
	pf = NULL;
	snprintf(text, n, "serial,model,mac,ek_cert,ek_fpr\n"
	    "S,M,02:00:00:00:00:01,\"%s\"," FPR_A "\n", ecc_pem);
	assert_int_equal(parse(text, PROVFILE_CSV, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_non_null(strstr(rep.text, "line 2: ek_cert: its key"));
	free(text);
}

static void
test_json(void **state)
{
	static const char good[] = "[\n"
	    " {\"serial\": \"S1\", \"model\": \"M\", \"mac\": "
	    "\"02:00:00:00:00:01\", \"ek_fpr\": \"" FPR_A "\", "
	    "\"owner_vuln\": \"Sec\"},\n"
	    " {\"serial\": \"S2\", \"model\": \"M\", \"mac\": "
	    "\"02:00:00:00:00:02\", \"ek_fpr\": \"" FPR_B "\"}\n]\n";
	static const char bad[] = "[\n"
	    " {\"serial\": \"S1\", \"model\": \"M\", \"mac\": "
	    "\"02:00:00:00:00:01\", \"ek_fpr\": \"" FPR_A "\"},\n"
	    " {\"serial\": 7, \"model\": \"M\", \"mac\": "
	    "\"02:00:00:00:00:02\", \"ek_fpr\": \"" FPR_B "\", \"x\": \"\"}\n"
	    "]\n";
	struct provfile *pf = NULL, *again = NULL;
	struct provfile_report rep;
	char *s;

	(void)state;
	assert_int_equal(parse(good, PROVFILE_JSON, &pf, &rep), 0);
	assert_int_equal(pf->n, 2);
	assert_int_equal(pf->recs[1].line, 3);
	assert_string_equal(pf->recs[0].p.owner_vuln, "Sec");
	/* The normal form reads back the same. */
	s = provfile_to_json(pf);
	assert_non_null(s);
	assert_int_equal(parse(s, PROVFILE_JSON, &again, &rep), 0);
	assert_int_equal(again->n, 2);
	assert_memory_equal(&again->recs[1].p, &pf->recs[1].p,
	    sizeof(pf->recs[1].p));
	free(s);
	provfile_free(again);
	provfile_free(pf);
	pf = NULL;
	assert_int_equal(parse(bad, PROVFILE_JSON, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_non_null(strstr(rep.text, "line 3: serial: not a string"));
	assert_non_null(strstr(rep.text, "line 3: x: unknown column"));
	assert_int_equal(parse("{}", PROVFILE_JSON, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_int_equal(parse("[1]", PROVFILE_JSON, &pf, &rep),
	    WG_ERR_BAD_FIELD);
	assert_null(pf);
}

static void
test_differs(void **state)
{
	struct store_provision a, b;
	char cols[64], small[8];

	(void)state;
	memset(&a, 0, sizeof(a));
	(void)snprintf(a.name, sizeof(a.name), "n");
	b = a;
	b.created_at = 99;
	assert_int_equal(provfile_differs(&a, &b, cols, sizeof(cols)), 0);
	assert_string_equal(cols, "");
	(void)snprintf(b.udi, sizeof(b.udi), "u");
	(void)snprintf(b.owner_vuln, sizeof(b.owner_vuln), "v");
	(void)snprintf(b.mac, sizeof(b.mac), "02:00:00:00:00:01");
	assert_int_equal(provfile_differs(&a, &b, cols, sizeof(cols)), 3);
	assert_string_equal(cols, "udi, owner_vuln, mac");
	/* Cut short, still counted. */
	assert_int_equal(provfile_differs(&a, &b, small, sizeof(small)), 3);
	assert_true(strlen(small) < sizeof(small));
}

/* ---- against a real store ---- */

static char tmpdir[64];

static struct store *
store_new(void)
{
	static unsigned seq;
	const char *base = getenv("TMPDIR");
	char path[128];
	struct store *s = NULL;
	struct wg_diag d;

	if (tmpdir[0] == '\0') {
		if (base == NULL || *base == '\0')
			base = "/tmp";
		(void)snprintf(tmpdir, sizeof(tmpdir), "%s/wg-pf-XXXXXX",
		    base);
		assert_non_null(mkdtemp(tmpdir));
	}
	(void)snprintf(path, sizeof(path), "%s/s%u.db", tmpdir, ++seq);
	wg_diag_clear(&d);
	if (store_open(path, &s, &d) != 0)
		fail_msg("store_open: %s", d.detail);
	return s;
}

static void
store_gone(struct store *s)
{
	static unsigned seq;
	char path[128];

	store_close(s);
	++seq;
	(void)snprintf(path, sizeof(path), "%s/s%u.db", tmpdir, seq);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/s%u.db-wal", tmpdir, seq);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/s%u.db-shm", tmpdir, seq);
	(void)unlink(path);
}

static void
put_all(struct store *s, const struct provfile *pf)
{
	size_t i;

	for (i = 0; i < pf->n; i++)
		assert_int_equal(store_provision_put(s, &pf->recs[i].p,
		    NULL), 0);
}

#define FPR_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define FPR_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static void
test_check_stored(void **state)
{
	static const char first[] = "name,serial,model,udi,mac,ek_fpr\n"
	    "p-1,S1,M,u1,02:00:00:00:00:01," FPR_A "\n"
	    "p-2,S2,M,u2,02:00:00:00:00:02," FPR_B "\n";
	/* Line 3 takes p-1's MAC, line 5 p-2's model and serial. */
	static const char second[] = "name,serial,model,mac,ek_fpr\n"
	    "q-1,T1,M,02:00:00:00:00:11," FPR_C "\n"
	    "q-2,T2,M,02:00:00:00:00:01," FPR_D "\n"
	    "\n"
	    "q-3,S2,M,02:00:00:00:00:13,"
	    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n";
	/* p-1 changed; p-2 the same; a new one. */
	static const char changed[] = "name,serial,model,udi,mac,ek_fpr\n"
	    "p-1,S1,M,u1-new,02:00:00:00:00:01," FPR_A "\n"
	    "p-2,S2,M,u2,02:00:00:00:00:02," FPR_B "\n"
	    "p-3,S3,M,,02:00:00:00:00:03," FPR_C "\n";
	/* The two swap MACs: only with replace, and then no clash. */
	static const char swap[] = "name,serial,model,udi,mac,ek_fpr\n"
	    "p-1,S1,M,u1,02:00:00:00:00:02," FPR_A "\n"
	    "p-2,S2,M,u2,02:00:00:00:00:01," FPR_B "\n";
	struct provfile *pf = NULL, *pf2 = NULL;
	struct provfile_report rep;
	struct provfile_conflicts *pc = malloc(sizeof(*pc));
	struct store *s;
	struct wg_diag d;

	(void)state;
	assert_non_null(pc);
	s = store_new();
	assert_int_equal(parse(first, PROVFILE_CSV, &pf, &rep), 0);
	wg_diag_clear(&d);
	assert_int_equal(provfile_check_stored(s, pf, 0, pc, &d), 0);
	assert_int_equal(pf->recs[0].act, PROVFILE_ADD);
	assert_int_equal(pf->recs[1].act, PROVFILE_ADD);
	put_all(s, pf);
	/* The same file again: nothing to do. */
	assert_int_equal(provfile_check_stored(s, pf, 0, pc, &d), 0);
	assert_int_equal(pf->recs[0].act, PROVFILE_SAME);
	assert_int_equal(pf->recs[1].act, PROVFILE_SAME);

	assert_int_equal(parse(second, PROVFILE_CSV, &pf2, &rep), 0);
	assert_int_equal(provfile_check_stored(s, pf2, 1, pc, &d),
	    WG_ERR_CONFLICT);
	assert_int_equal(pc->n, 2);
	assert_int_equal(pc->nkept, 2);
	assert_int_equal(pc->c[0].rec, 1);
	assert_int_equal(pf2->recs[pc->c[0].rec].line, 3);
	assert_string_equal(pc->c[0].col, "mac");
	assert_int_equal(pc->c[0].err, WG_ERR_CONFLICT);
	assert_string_equal(pc->c[0].why, "02:00:00:00:00:01 is already "
	    "p-1's (EK aaaaaaaaaaaaaaaa..., provisioning record)");
	assert_int_equal(pc->c[1].rec, 2);
	assert_int_equal(pf2->recs[pc->c[1].rec].line, 5);
	assert_string_equal(pc->c[1].col, "serial");
	assert_non_null(strstr(pc->c[1].why, "M S2 is already p-2's"));
	provfile_free(pf2);
	pf2 = NULL;

	/* A changed record: refused, unless replace. */
	assert_int_equal(parse(changed, PROVFILE_CSV, &pf2, &rep), 0);
	assert_int_equal(provfile_check_stored(s, pf2, 0, pc, &d),
	    WG_ERR_CONFLICT);
	assert_int_equal(pc->n, 1);
	assert_int_equal(pc->c[0].rec, 0);
	assert_string_equal(pc->c[0].col, "ek_fpr");
	assert_int_equal(pc->c[0].replaceable, 1);
	assert_non_null(strstr(pc->c[0].why, "differs in udi"));
	assert_int_equal(provfile_check_stored(s, pf2, 1, pc, &d), 0);
	assert_int_equal(pf2->recs[0].act, PROVFILE_REPLACE);
	assert_int_equal(pf2->recs[1].act, PROVFILE_SAME);
	assert_int_equal(pf2->recs[2].act, PROVFILE_ADD);
	provfile_free(pf2);
	pf2 = NULL;

	assert_int_equal(parse(swap, PROVFILE_CSV, &pf2, &rep), 0);
	assert_int_equal(provfile_check_stored(s, pf2, 0, pc, &d),
	    WG_ERR_CONFLICT);
	assert_int_equal(pc->n, 2);
	assert_int_equal(pc->c[0].replaceable + pc->c[1].replaceable, 2);
	assert_int_equal(provfile_check_stored(s, pf2, 1, pc, &d), 0);
	provfile_free(pf2);
	pf2 = NULL;

	/* A retired EK: refused even as it was, replace or not. */
	assert_int_equal(store_ek_block(s, FPR_B, "test", NULL), 0);
	assert_int_equal(provfile_check_stored(s, pf, 1, pc, &d),
	    WG_ERR_CONFLICT);
	assert_int_equal(pc->n, 1);
	assert_int_equal(pc->c[0].rec, 1);
	assert_int_equal(pc->c[0].err, WG_ERR_DEVICE_DECOMMISSIONED);
	assert_int_equal(pc->c[0].replaceable, 0);
	provfile_free(pf);
	store_gone(s);
	free(pc);
	assert_int_equal(rmdir(tmpdir), 0);
}

/*
 * One record (device provision, legacy registration): a MAC is compared
 * as text, so one written otherwise than a file's records have it would
 * not clash with its twin: refused.
 */
static void
test_check_one_mac(void **state)
{
	static const char file[] = "name,serial,model,mac,ek_fpr\n"
	    "x-1,SX,M,0A:BB:CC:00:00:01," FPR_A "\n";
	struct store_provision p;
	struct provfile *pf = NULL;
	struct provfile_report rep;
	struct store *s;
	struct wg_diag d;

	(void)state;
	tmpdir[0] = '\0';	/* the last test removed its directory */
	s = store_new();
	assert_int_equal(parse(file, PROVFILE_CSV, &pf, &rep), 0);
	assert_string_equal(pf->recs[0].p.mac, "0a:bb:cc:00:00:01");
	put_all(s, pf);
	memset(&p, 0, sizeof(p));
	memcpy(p.ek_fpr, FPR_B, sizeof(FPR_B));
	strcpy(p.name, "y-1");
	strcpy(p.model, "M");
	strcpy(p.mac, "0a:bb:cc:00:00:01");
	wg_diag_clear(&d);
	assert_int_equal(provfile_check_one(s, &p, NULL, &d), WG_ERR_CONFLICT);
	/* The same MAC in capitals: before, no clash was found. */
	strcpy(p.mac, "0A:BB:CC:00:00:01");
	assert_int_equal(provfile_check_one(s, &p, NULL, &d),
	    WG_ERR_BAD_FIELD);
	assert_non_null(strstr(d.detail, "lowercase"));
	strcpy(p.mac, "0a-bb-cc-00-00-01");
	assert_int_equal(provfile_check_one(s, &p, NULL, &d),
	    WG_ERR_BAD_FIELD);
	strcpy(p.mac, "01:00:5e:00:00:01");	/* multicast */
	assert_int_equal(provfile_check_one(s, &p, NULL, &d),
	    WG_ERR_BAD_FIELD);
	strcpy(p.mac, "0a:bb:cc:00:00:02");
	assert_int_equal(provfile_check_one(s, &p, NULL, &d), 0);
	p.mac[0] = '\0';			/* none: nothing to compare */
	assert_int_equal(provfile_check_one(s, &p, NULL, &d), 0);
	provfile_free(pf);
	store_gone(s);
	assert_int_equal(rmdir(tmpdir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad_lines),
		cmocka_unit_test(test_csv_malformed),
		cmocka_unit_test(test_pem),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv_same_name),
		cmocka_unit_test(test_differs),
		cmocka_unit_test(test_check_stored),
		cmocka_unit_test(test_check_one_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
