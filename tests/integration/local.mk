# tests/integration/: real TPM (swtpm) end to end with tpm2-tools.
WG_INTEGRATION_TESTS = tests/integration/quote-swtpm.sh
TESTS += $(WG_INTEGRATION_TESTS)
EXTRA_DIST += $(WG_INTEGRATION_TESTS) tests/integration/swtpm-lib.sh
