# tests/fuzz/: libFuzzer targets, one per parser of untrusted bytes.
# Built with ./configure --enable-fuzz CC=clang; `make fuzz-smoke` runs each
# for FUZZ_SECONDS, seeded from the repository's corpus.
FUZZ_SECONDS = 20
EXTRA_DIST += tests/fuzz/smoke.sh tests/fuzz/README.md
# Seeds of fuzz_enfmsg: one message of each type.
EXTRA_DIST += tests/fuzz/enfmsg-seeds/ack-open.bin \
	tests/fuzz/enfmsg-seeds/ack-ready.bin \
	tests/fuzz/enfmsg-seeds/close.bin \
	tests/fuzz/enfmsg-seeds/entry.bin \
	tests/fuzz/enfmsg-seeds/flow.bin \
	tests/fuzz/enfmsg-seeds/flush.bin \
	tests/fuzz/enfmsg-seeds/list.bin \
	tests/fuzz/enfmsg-seeds/nak-unknown.bin \
	tests/fuzz/enfmsg-seeds/open.bin \
	tests/fuzz/enfmsg-seeds/put.bin \
	tests/fuzz/enfmsg-seeds/segment.bin

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_evlog tests/fuzz/fuzz_attest \
	tests/fuzz/fuzz_sig tests/fuzz/fuzz_pub tests/fuzz/fuzz_pcrs tests/fuzz/fuzz_wire \
	tests/fuzz/fuzz_policy tests/fuzz/fuzz_radius tests/fuzz/fuzz_enfmsg
WG_FUZZ_PROGS += tests/fuzz/fuzz_evlog tests/fuzz/fuzz_attest \
	tests/fuzz/fuzz_sig tests/fuzz/fuzz_pub tests/fuzz/fuzz_pcrs tests/fuzz/fuzz_wire \
	tests/fuzz/fuzz_policy tests/fuzz/fuzz_radius tests/fuzz/fuzz_enfmsg
WG_FUZZ_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer
WG_FUZZ_CF = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS)
tests_fuzz_fuzz_evlog_SOURCES = tests/fuzz/fuzz_evlog.c
tests_fuzz_fuzz_evlog_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_evlog_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_evlog_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_attest_SOURCES = tests/fuzz/fuzz_attest.c
tests_fuzz_fuzz_attest_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_attest_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_attest_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_sig_SOURCES = tests/fuzz/fuzz_sig.c
tests_fuzz_fuzz_sig_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_sig_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_sig_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_pub_SOURCES = tests/fuzz/fuzz_pub.c
tests_fuzz_fuzz_pub_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_pub_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_pub_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_wire_SOURCES = tests/fuzz/fuzz_wire.c
tests_fuzz_fuzz_wire_CFLAGS = $(WG_FUZZ_CF) $(JSONC_CFLAGS)
tests_fuzz_fuzz_wire_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_wire_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c
tests_fuzz_fuzz_policy_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_policy_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_policy_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_pcrs_SOURCES = tests/fuzz/fuzz_pcrs.c
tests_fuzz_fuzz_pcrs_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_pcrs_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_pcrs_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_enfmsg_SOURCES = tests/fuzz/fuzz_enfmsg.c
tests_fuzz_fuzz_enfmsg_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_enfmsg_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_enfmsg_LDADD = $(WG_LIB_LIBS)
tests_fuzz_fuzz_radius_SOURCES = tests/fuzz/fuzz_radius.c
tests_fuzz_fuzz_radius_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_radius_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_radius_LDADD = $(WG_LIB_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz_ear
WG_FUZZ_PROGS += tests/fuzz/fuzz_ear
tests_fuzz_fuzz_ear_SOURCES = tests/fuzz/fuzz_ear.c
tests_fuzz_fuzz_ear_CFLAGS = $(WG_FUZZ_CF) $(JSONC_CFLAGS)
tests_fuzz_fuzz_ear_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_ear_LDADD = $(WG_LIB_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz_advisory
WG_FUZZ_PROGS += tests/fuzz/fuzz_advisory
tests_fuzz_fuzz_advisory_SOURCES = tests/fuzz/fuzz_advisory.c
tests_fuzz_fuzz_advisory_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_advisory_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_advisory_LDADD = $(WG_LIB_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz_provfile
WG_FUZZ_PROGS += tests/fuzz/fuzz_provfile
tests_fuzz_fuzz_provfile_SOURCES = tests/fuzz/fuzz_provfile.c
tests_fuzz_fuzz_provfile_CFLAGS = $(WG_FUZZ_CF)
tests_fuzz_fuzz_provfile_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_provfile_LDADD = $(WG_LIB_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz_evidence
WG_FUZZ_PROGS += tests/fuzz/fuzz_evidence
tests_fuzz_fuzz_evidence_SOURCES = tests/fuzz/fuzz_evidence.c
tests_fuzz_fuzz_evidence_CFLAGS = $(WG_FUZZ_CF) $(JSONC_CFLAGS)
tests_fuzz_fuzz_evidence_LDFLAGS = $(WG_FUZZ_LINK)
tests_fuzz_fuzz_evidence_LDADD = $(WG_LIB_LIBS)

fuzz-smoke: $(WG_FUZZ_PROGS)
	@set -e; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_evlog \
	    '$(abs_top_srcdir)/tests/data/eventlogs/*.bin'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_attest \
	    '$(abs_top_srcdir)/tests/data/quote/*.msg'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_sig \
	    '$(abs_top_srcdir)/tests/data/quote/*.sig'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_pub \
	    '$(abs_top_srcdir)/tests/data/quote/*.pub $(abs_top_srcdir)/tests/data/quote/*.pem'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_pcrs \
	    '$(abs_top_srcdir)/tests/data/quote/*pcrs*'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_wire \
	    '$(abs_top_srcdir)/tests/data/wire/*.json'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_policy \
	    '$(abs_top_srcdir)/tests/data/policy/*.json $(abs_top_srcdir)/tests/data/policy/*.expected'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_radius \
	    '$(abs_top_srcdir)/tests/data/radius/*.bin'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh 10 tests/fuzz/fuzz_enfmsg \
	    '$(abs_top_srcdir)/tests/fuzz/enfmsg-seeds/*.bin'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_ear \
	    '$(abs_top_srcdir)/tests/data/ear/*'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_advisory \
	    '$(abs_top_srcdir)/tests/data/advisory/*.json'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_provfile \
	    '$(abs_top_srcdir)/tests/data/provfile/*'; \
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(FUZZ_SECONDS) tests/fuzz/fuzz_evidence \
	    '$(abs_top_srcdir)/tests/data/evidence/*'
else
fuzz-smoke:
	@echo "fuzz-smoke: configure with CC=clang --enable-fuzz first" >&2; exit 1
endif
.PHONY: fuzz-smoke
