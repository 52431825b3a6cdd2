# tests/integration/: real TPM (swtpm) end to end with tpm2-tools.
WG_INTEGRATION_TESTS = tests/integration/quote-swtpm.sh
TESTS += $(WG_INTEGRATION_TESTS)
EXTRA_DIST += $(WG_INTEGRATION_TESTS) tests/integration/swtpm-lib.sh \
	tests/integration/tap-lib.sh

# Identity: software MakeCredential and EK certificates against swtpm.
TESTS += tests/integration/identity-swtpm.sh
EXTRA_DIST += tests/integration/identity-swtpm.sh tests/integration/swtpm-ca.sh
check_PROGRAMS += tests/integration/credtool
tests_integration_credtool_SOURCES = tests/integration/credtool.c
tests_integration_credtool_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS)
tests_integration_credtool_LDADD = $(WG_LIB_LIBS)

# The gateway end to end: agents on swtpm, wardgated over HTTPS.
TESTS += tests/integration/gateway-e2e.sh
EXTRA_DIST += tests/integration/gateway-e2e.sh tests/integration/gateway-lib.sh

# Golden firmware policies through the gateway.
TESTS += tests/integration/gateway-policy.sh
EXTRA_DIST += tests/integration/gateway-policy.sh
TESTS += tests/integration/policies-examples.sh
EXTRA_DIST += tests/integration/policies-examples.sh policies

# The enforcer with the nft backend, proven with real traffic between
# network namespaces; enftool drives it over a socketpair.
TESTS += tests/integration/enforce-netns.sh
EXTRA_DIST += tests/integration/enforce-netns.sh
check_PROGRAMS += tests/integration/enftool
# Field-service flows (nft): windows opened, replaced, closed by the
# kernel's timeout, never for a blocked device; real traffic, as root.
TESTS += tests/integration/enforce-flows.sh
EXTRA_DIST += tests/integration/enforce-flows.sh
tests_integration_enftool_SOURCES = tests/integration/enftool.c
tests_integration_enftool_LDADD = lib/libwardgate.a

# Enforcement end to end: unprivileged wardgated drives the enforcer; a
# device with swtpm and the agent behind the gateway's bridge.
TESTS += tests/integration/gateway-enforce.sh
EXTRA_DIST += tests/integration/gateway-enforce.sh

# contrib/systemd: the units verify and keep their hardening lines.
TESTS += tests/integration/systemd-units.sh
EXTRA_DIST += tests/integration/systemd-units.sh contrib/systemd/README.md \
	contrib/systemd/wardgated.service contrib/systemd/wardgate-agent.service \
	contrib/systemd/wardgate-enforcer.socket \
	contrib/systemd/wardgate-enforcer@.service \
	contrib/systemd/wardgated.service.d/filecap-enforcer.conf.example \
	contrib/systemd/wardgate-enforcer@.service.d/exec-backend.conf.example \
	contrib/systemd/sysusers.d/wardgate.conf contrib/systemd/tmpfiles.d/wardgate.conf

# RADIUS: a real FreeRADIUS with contrib/freeradius asks wardgated for
# VLANs (rlm_rest) and receives its RFC 5176 Disconnect/CoA requests.
TESTS += tests/integration/radius-freeradius.sh
EXTRA_DIST += tests/integration/radius-freeradius.sh docs/radius.md \
	contrib/freeradius/README.md \
	contrib/freeradius/sites-available/wardgate \
	contrib/freeradius/mods-available/wardgate-rest

# The enforcer without privilege: every backend's configuration, and the
# protocol core (SEGMENT, FULL, a million-device table) with dryrun.
TESTS += tests/integration/enforce-dryrun.sh
EXTRA_DIST += tests/integration/enforce-dryrun.sh tests/integration/enforce-lib.sh

# The exec backend: an administrator's program per change.
TESTS += tests/integration/enforce-exec.sh
EXTRA_DIST += tests/integration/enforce-exec.sh

# The bridge backend: detection here; VLAN moves with real traffic where
# the kernel has bridge VLAN filtering.
TESTS += tests/integration/enforce-bridge.sh
EXTRA_DIST += tests/integration/enforce-bridge.sh

# The enforcer's own privilege: file capability as nobody, secure
# configuration paths, exactly CAP_NET_ADMIN when started as root.
TESTS += tests/integration/enforce-privs.sh
EXTRA_DIST += tests/integration/enforce-privs.sh
TESTS += tests/integration/gateway-enforce-nak.sh
EXTRA_DIST += tests/integration/gateway-enforce-nak.sh
# Admin roles from peer credentials; refusals audited.
TESTS += tests/integration/roles.sh
EXTRA_DIST += tests/integration/roles.sh
# Admin roles from client certificates on the TLS admin listener.
TESTS += tests/integration/roles-tls.sh
EXTRA_DIST += tests/integration/roles-tls.sh
# Lifecycle evidence: release history, decommissioning, audit verification
# against copies of a real store tampered with.
TESTS += tests/integration/lifecycle.sh
EXTRA_DIST += tests/integration/lifecycle.sh
# EAR attestation results (JWT ES256), checked with openssl as well.
TESTS += tests/integration/ear.sh
EXTRA_DIST += tests/integration/ear.sh tests/data/ear
# wardgate report: HTML (rendered by headless Chromium), JSON and CSV.
TESTS += tests/integration/report.sh
EXTRA_DIST += tests/integration/report.sh

# Operations: /metrics, the webhook and syslog per state change.
TESTS += tests/integration/operations.sh
EXTRA_DIST += tests/integration/operations.sh
# Vulnerability advisories: intake, vulnerable devices, remediation.
TESTS += tests/integration/advisories.sh
EXTRA_DIST += tests/integration/advisories.sh
# Provisioning records from a maker's batch file, all or nothing.
TESTS += tests/integration/provision-import.sh
EXTRA_DIST += tests/integration/provision-import.sh
# Evidence bundles: export, offline verification, tampered copies refused.
TESTS += tests/integration/evidence.sh
EXTRA_DIST += tests/integration/evidence.sh tests/data/evidence
# Credential rotation: an admin's request and ak_max_age, with the agent.
TESTS += tests/integration/ak-rotation.sh
EXTRA_DIST += tests/integration/ak-rotation.sh
TESTS += tests/integration/legacy-service.sh
EXTRA_DIST += tests/integration/legacy-service.sh
