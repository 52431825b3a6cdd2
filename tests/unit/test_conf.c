/*
 * test_conf.c: wardgated.conf(5): parse, print the normalised form,
 * compare with the expected file; the printed form parses again to the
 * same; every kind of bad line is refused with its line number.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "testutil.h"

static char *
print_conf(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_print(c, f);
	fclose(f);
	return buf;
}

static void
test_roundtrip(void **state)
{
	struct conf c, c2;
	struct wg_diag d;
	char path[512], *out, *out2;
	uint8_t *want;
	size_t wlen;

	(void)state;
	conf_defaults(&c);
	tu_data_path("conf/good.conf", path, sizeof(path));
	if (conf_load(path, &c, &d) != 0)
		fail_msg("%s", d.detail);
	assert_int_equal(conf_check(&c, &d), 0);
	assert_int_equal(c.attest_interval, 120);
	assert_string_equal(c.tls_key, "/etc/wardgate/gw.key");
	assert_string_equal(c.segment[DEV_TRUSTED], "clinical-vlan-100");
	out = print_conf(&c);
	tu_data_path("conf/good.expected", path, sizeof(path));
	assert_int_equal(tu_read_file(path, 1 << 16, &want, &wlen), 0);
	assert_int_equal(strlen(out), wlen);
	assert_memory_equal(out, want, wlen);
	/* The printed form parses again to the same configuration. */
	conf_defaults(&c2);
	assert_int_equal(conf_parse(out, "printed", &c2, &d), 0);
	out2 = print_conf(&c2);
	assert_string_equal(out, out2);
	assert_memory_equal(&c, &c2, sizeof(c));
	free(out);
	free(out2);
	free(want);
}

static void
expect_bad(const char *text, const char *needle)
{
	struct conf c;
	struct wg_diag d;

	conf_defaults(&c);
	wg_diag_clear(&d);
	if (conf_parse(text, "t.conf", &c, &d) == 0)
		fail_msg("accepted: %s", text);
	assert_int_equal(d.err, WG_ERR_CONFIG);
	if (strstr(d.detail, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", d.detail, needle);
}

static void
test_bad_lines(void **state)
{
	(void)state;
	expect_bad("listen = 1.2.3.4:1\nlisten_port = 3\n",
	    "t.conf:2: unknown key \"listen_port\"");
	expect_bad("store = /a\nstore = /b\n", "t.conf:2: \"store\" given twice");
	expect_bad("attest_interval = 1\n", "from 2 to 86400");
	expect_bad("attest_interval = 86401\n", "from 2 to 86400");
	expect_bad("attest_interval = 10s\n", "whole number");
	expect_bad("attest_interval = -5\n", "not a number");
	expect_bad("attest_interval = 99999999999999999999\n", "whole number");
	expect_bad("# ok\n\njust words\n", "t.conf:3: expected \"key = value\"");
	expect_bad("store =\n", "empty");
	expect_bad("segment_trusted = 0123456789012345678901234567890123\n",
	    "longer than 32");
	expect_bad("store = a\tb\n", "unprintable");
	expect_bad("policy_required = maybe\n", "yes or no");
}

static void
test_check(void **state)
{
	struct conf c;
	struct wg_diag d;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_check(&c, &d), 0);
	/* Only trusted devices may reach the trusted segment. */
	assert_int_equal(conf_parse("segment_stale = clinical\n", "t", &c, &d),
	    0);
	assert_int_equal(conf_check(&c, &d), WG_ERR_CONFIG);
	assert_non_null(strstr(d.detail, "segment_trusted"));
	conf_defaults(&c);
	assert_int_equal(conf_parse("pcr_selection = sha999:0\n", "t", &c, &d),
	    0);
	assert_int_equal(conf_check(&c, &d), WG_ERR_CONFIG);
	{
		static const char *const bad_listen[] = { "8443", "foo:bar",
		    "127.0.0.1:99999", ":8443", "127.0.0.1:0", "host:8443",
		    "[::1:8443", "127.0.0.1:84x3" };
		static const char *const good_listen[] = { "127.0.0.1:8443",
		    "0.0.0.0:1", "[::1]:65535", "[::]:443" };
		char line[128];
		size_t i;

		for (i = 0; i < sizeof(bad_listen) / sizeof(bad_listen[0]); i++) {
			conf_defaults(&c);
			snprintf(line, sizeof(line), "listen = %s\n",
			    bad_listen[i]);
			assert_int_equal(conf_parse(line, "t", &c, &d), 0);
			if (conf_check(&c, &d) != WG_ERR_CONFIG)
				fail_msg("listen %s accepted", bad_listen[i]);
		}
		for (i = 0; i < sizeof(good_listen) / sizeof(good_listen[0]);
		    i++) {
			conf_defaults(&c);
			snprintf(line, sizeof(line), "listen = %s\n",
			    good_listen[i]);
			assert_int_equal(conf_parse(line, "t", &c, &d), 0);
			if (conf_check(&c, &d) != 0)
				fail_msg("listen %s refused: %s", good_listen[i],
				    d.detail);
		}
	}
	/* A socket path longer than sun_path is caught by -n, not at start. */
	conf_defaults(&c);
	memset(c.admin_socket, 'a', 200);
	c.admin_socket[0] = '/';
	c.admin_socket[200] = '\0';
	assert_int_equal(conf_check(&c, &d), WG_ERR_CONFIG);
}

/* Each line alone over the defaults: accepted (1) or refused (0). */
static void
test_enforcement_keys(void **state)
{
	static const struct {
		const char *line;
		int ok;
	} cases[] = {
		{ "enforcer = /usr/libexec/wardgate-enforcer\n", 1 },
		{ "enforcer = wardgate-enforcer\n", 0 },
		{ "enforcer = unix:/run/wardgate/enforcer.sock\n", 1 },
		{ "enforcer = unix:enforcer.sock\n", 0 },
		{ "enforcer_conf = enforcer.conf\n", 0 },
		{ "segment_hold = clinical\n", 0 },
		{ "segment_hold = Hold\n", 0 },
		{ "segment_stale = -quarantine\n", 0 },
		{ "segment_hold = hold_2\n", 1 },
		{ "radius_listen = 127.0.0.1:8445\n", 1 },
		{ "radius_listen = [::1]:8445\n", 0 },
		{ "radius_vlans = clinical=100 quarantine=4094\n", 1 },
		{ "radius_vlans = clinical=0\n", 0 },
		{ "radius_vlans = clinical=4095\n", 0 },
		{ "radius_vlans = clinical=100 clinical=200\n", 0 },
		{ "radius_vlans = clinical=10x\n", 0 },
		{ "radius_vlans = blocked=999\n", 0 },
		{ "radius_das = 192.0.2.1:3799\n", 1 },
		{ "radius_das = [2001:db8::1]:3799\n", 1 },
		{ "radius_das = switch:3799\n", 0 },
		{ "radius_das_action = coa\n", 1 },
		{ "radius_das_action = bounce\n", 0 },
		{ "hold_max = 59\n", 0 },
	};
	struct conf c;
	struct wg_diag d;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf_defaults(&c);
		r = conf_parse(cases[i].line, "t", &c, &d);
		if (r == 0)
			r = conf_check(&c, &d);
		if ((r == 0) != cases[i].ok)
			fail_msg("%s: %s", cases[i].line,
			    r == 0 ? "accepted" : d.detail);
	}
	conf_defaults(&c);
	assert_int_equal(conf_vlan(&c, "clinical"), 100);
	assert_int_equal(conf_vlan(&c, "clinical-hold"), 300);
	assert_int_equal(conf_vlan(&c, "blocked"), 0);
	assert_int_equal(conf_vlan(&c, "clinic"), 0);
}

/* metrics_listen, webhook_url, webhook_ca, syslog_facility. */
static void
test_operations_keys(void **state)
{
	static const char *const good[] = {
		"metrics_listen = 127.0.0.1:9464\n",
		"metrics_listen = [::1]:9464\n",
		"webhook_url = https://hooks.example.org/wardgate?x=1\n",
		"webhook_url = https://127.0.0.1:8444\n",
		"webhook_url = https://[::1]:8444/h\n",
		"webhook_ca = /etc/ssl/hook-ca.pem\n",
		"syslog = no\nsyslog_facility = local3\n",
	};
	static const char *const bad[] = {
		"metrics_listen = 9464\n",
		"metrics_listen = host:9464\n",
		"webhook_url = http://hooks.example.org/\n",
		"webhook_url = https://\n",
		"webhook_url = https://h:0/\n",
		"webhook_url = https://h:70000/\n",
		"webhook_url = https://[::1/\n",
		"webhook_url = https://user@h/\n",
		"webhook_url = https://h/a b\n",
		"webhook_ca = relative.pem\n",
		"syslog_facility = kern\n",
	};
	struct conf c;
	struct wg_diag d;
	char host[64];
	unsigned short port = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		conf_defaults(&c);
		assert_int_equal(conf_parse(good[i], "t", &c, &d), 0);
		if (conf_check(&c, &d) != 0)
			fail_msg("%s refused: %s", good[i], d.detail);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		conf_defaults(&c);
		assert_int_equal(conf_parse(bad[i], "t", &c, &d), 0);
		if (conf_check(&c, &d) == 0)
			fail_msg("%s accepted", bad[i]);
	}
	assert_int_equal(conf_https_url("https://[::1]:8444/h", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8444);
	assert_int_equal(conf_https_url("https://a.example", host,
	    sizeof(host), &port), 0);
	assert_int_equal(port, 443);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_enforcement_keys),
		cmocka_unit_test(test_operations_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
