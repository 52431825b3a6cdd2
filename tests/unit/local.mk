# tests/unit/: cmocka unit tests, one program per module.
WG_UNIT_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/common $(CMOCKA_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
WG_UNIT_LDADD = tests/common/libwgtest.a $(WG_LIB_LIBS) $(CMOCKA_LIBS) $(JSONC_LIBS)

# Test helpers shared by unit tests, fuzz targets and benchmarks.
noinst_LIBRARIES += tests/common/libwgtest.a
tests_common_libwgtest_a_SOURCES = \
	tests/common/swquote.c tests/common/swquote.h \
	tests/common/testutil.c tests/common/testutil.h
tests_common_libwgtest_a_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS)

WG_UNIT_TESTS = \
	tests/unit/test_err \
	tests/unit/test_buf \
	tests/unit/test_pcr \
	tests/unit/test_evlog \
	tests/unit/test_evlog_decode \
	tests/unit/test_corpus \
	tests/unit/test_quote \
	tests/unit/test_rcache \
	tests/unit/test_util \
	tests/unit/test_attest \
	tests/unit/test_state \
	tests/unit/test_makecred \
	tests/unit/test_ek \
	tests/unit/test_store \
	tests/unit/test_wire \
	tests/unit/test_sjson \
	tests/unit/test_conf \
	tests/unit/test_policy \
	tests/unit/test_advisory \
	tests/unit/test_appraise \
	tests/unit/test_radius

check_PROGRAMS += $(WG_UNIT_TESTS)
TESTS += $(WG_UNIT_TESTS)

tests_unit_test_err_SOURCES = tests/unit/test_err.c
tests_unit_test_err_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_err_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_buf_SOURCES = tests/unit/test_buf.c
tests_unit_test_buf_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_pcr_SOURCES = tests/unit/test_pcr.c
tests_unit_test_pcr_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_pcr_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_evlog_SOURCES = tests/unit/test_evlog.c
tests_unit_test_evlog_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_evlog_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_evlog_decode_SOURCES = tests/unit/test_evlog_decode.c
tests_unit_test_evlog_decode_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_evlog_decode_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_corpus_SOURCES = tests/unit/test_corpus.c
tests_unit_test_corpus_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_corpus_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_quote_SOURCES = tests/unit/test_quote.c
tests_unit_test_quote_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_quote_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_attest_SOURCES = tests/unit/test_attest.c
tests_unit_test_attest_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_attest_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_rcache_SOURCES = tests/unit/test_rcache.c
tests_unit_test_rcache_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_rcache_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_util_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_state_SOURCES = tests/unit/test_state.c
tests_unit_test_state_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_state_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_makecred_SOURCES = tests/unit/test_makecred.c
tests_unit_test_makecred_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_makecred_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_ek_SOURCES = tests/unit/test_ek.c
tests_unit_test_ek_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_ek_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_wire_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_sjson_SOURCES = tests/unit/test_sjson.c
tests_unit_test_sjson_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_sjson_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c verifier/conf.c
tests_unit_test_conf_CFLAGS = $(WG_UNIT_CFLAGS) -I$(top_srcdir)/verifier
tests_unit_test_conf_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_policy_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_appraise_SOURCES = tests/unit/test_appraise.c
tests_unit_test_appraise_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_appraise_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_radius_SOURCES = tests/unit/test_radius.c
tests_unit_test_radius_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_radius_LDADD = $(WG_UNIT_LDADD)

check_PROGRAMS += tests/unit/test_enfmsg
TESTS += tests/unit/test_enfmsg
tests_unit_test_enfmsg_SOURCES = tests/unit/test_enfmsg.c
tests_unit_test_enfmsg_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_enfmsg_LDADD = $(WG_UNIT_LDADD)

check_PROGRAMS += tests/unit/test_ear
TESTS += tests/unit/test_ear
tests_unit_test_ear_SOURCES = tests/unit/test_ear.c
tests_unit_test_ear_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_ear_LDADD = $(WG_UNIT_LDADD)

# Operations: the /metrics exposition and the state change messages.
check_PROGRAMS += tests/unit/test_metrics
TESTS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c \
	verifier/metrics_text.c verifier/notify_fmt.c
tests_unit_test_metrics_CFLAGS = $(WG_UNIT_CFLAGS) -I$(top_srcdir)/verifier
tests_unit_test_metrics_LDADD = $(WG_UNIT_LDADD)

# wardgate report's escaping (verifier/report_esc.c, pure).
check_PROGRAMS += tests/unit/test_report_esc
TESTS += tests/unit/test_report_esc
tests_unit_test_report_esc_SOURCES = tests/unit/test_report_esc.c verifier/report_esc.c
tests_unit_test_report_esc_CFLAGS = $(WG_UNIT_CFLAGS) -I$(top_srcdir)/verifier
tests_unit_test_report_esc_LDADD = $(WG_UNIT_LDADD)
tests_unit_test_advisory_SOURCES = tests/unit/test_advisory.c
tests_unit_test_advisory_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_advisory_LDADD = $(WG_UNIT_LDADD)

# Batches of provisioning records (lib/provfile.c).
check_PROGRAMS += tests/unit/test_provfile
TESTS += tests/unit/test_provfile
tests_unit_test_provfile_SOURCES = tests/unit/test_provfile.c
tests_unit_test_provfile_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_provfile_LDADD = $(WG_UNIT_LDADD)

# Evidence bundles and the audit row hash (lib/evidence.c, lib/auditchain.c).
check_PROGRAMS += tests/unit/test_evidence
TESTS += tests/unit/test_evidence
tests_unit_test_evidence_SOURCES = tests/unit/test_evidence.c
tests_unit_test_evidence_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_evidence_LDADD = $(WG_UNIT_LDADD)

# Strict base64 and base64url.
check_PROGRAMS += tests/unit/test_b64
TESTS += tests/unit/test_b64
tests_unit_test_b64_SOURCES = tests/unit/test_b64.c
tests_unit_test_b64_CFLAGS = $(WG_UNIT_CFLAGS)
tests_unit_test_b64_LDADD = $(WG_UNIT_LDADD)
