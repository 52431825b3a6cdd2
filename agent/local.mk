# agent/: wardgate-agent, the program on each device. Its code is a
# convenience library (tests link the TPM layer) plus a small main.
WG_AGENT_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/agent \
	$(TSS2_ESYS_CFLAGS) $(TSS2_TCTILDR_CFLAGS) $(TSS2_RC_CFLAGS) \
	$(TSS2_MU_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
WG_AGENT_LIBS = agent/libagent.a $(WG_LIB_LIBS) $(TSS2_ESYS_LIBS) \
	$(TSS2_TCTILDR_LIBS) $(TSS2_RC_LIBS) $(TSS2_MU_LIBS) $(CURL_LIBS) \
	$(CRYPTO_LIBS) $(JSONC_LIBS)

noinst_LIBRARIES += agent/libagent.a
agent_libagent_a_SOURCES = \
	agent/agent.c agent/agent.h \
	agent/client.c agent/client.h \
	agent/conf.c agent/conf.h \
	agent/log.c agent/log.h \
	agent/statedir.c agent/statedir.h \
	agent/tpm.c agent/tpm.h
agent_libagent_a_CFLAGS = $(WG_AGENT_CFLAGS)

sbin_PROGRAMS += agent/wardgate-agent
agent_wardgate_agent_SOURCES = agent/wardgate-agent.c
agent_wardgate_agent_CFLAGS = $(WG_AGENT_CFLAGS)
agent_wardgate_agent_LDADD = $(WG_AGENT_LIBS)

dist_man_MANS += docs/man/wardgate-agent.8

# Tests. test_agent_tpm: unit tests of the agent's pieces that need no
# TPM. agent-testtool: what agent-tpm.sh drives the TPM layer with.
check_PROGRAMS += tests/unit/test_agent_tpm agent/agent-testtool
tests_unit_test_agent_tpm_SOURCES = tests/unit/test_agent_tpm.c
tests_unit_test_agent_tpm_CFLAGS = $(WG_AGENT_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_agent_tpm_LDADD = $(WG_AGENT_LIBS) $(CMOCKA_LIBS)
agent_agent_testtool_SOURCES = agent/agent-testtool.c
agent_agent_testtool_CFLAGS = $(WG_AGENT_CFLAGS)
agent_agent_testtool_LDADD = $(WG_AGENT_LIBS)

WG_AGENT_TESTS = tests/unit/test_agent_tpm tests/integration/agent-tpm.sh
TESTS += $(WG_AGENT_TESTS)
EXTRA_DIST += tests/integration/agent-tpm.sh
