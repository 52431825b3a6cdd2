# verifier/: the gateway daemon and the admin CLI.
bin_PROGRAMS += verifier/wardgate
verifier_wardgate_SOURCES = verifier/wardgate.c verifier/cli.h verifier/cli_policy.c \
	verifier/cli_enf.c verifier/cli_adv.c verifier/cli_life.c \
	verifier/cli_prov.c verifier/cli_prov.h verifier/cli_service.c
verifier_wardgate_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
verifier_wardgate_LDADD = $(WG_LIB_LIBS) $(JSONC_LIBS) $(CURL_LIBS)
# wardgate report: the trust status report (HTML, JSON, CSV).
verifier_wardgate_SOURCES += verifier/cli_report.c verifier/report_esc.c

sbin_PROGRAMS += verifier/wardgated
verifier_wardgated_SOURCES = \
	verifier/wardgated.c verifier/gateway.h \
	verifier/api.c verifier/admin.c verifier/policies.c \
	verifier/enfctl.c verifier/radsrv.c verifier/hold.c verifier/roles.c \
	verifier/service.c \
	verifier/advisories.c \
	verifier/life.c \
	verifier/conf.c verifier/conf.h \
	verifier/tls.c verifier/tls.h \
	verifier/metrics.c verifier/metrics_text.c verifier/metrics_text.h \
	verifier/notify.c verifier/notify_fmt.c verifier/notify_fmt.h
verifier_wardgated_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(SSL_CFLAGS) $(JSONC_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBEVENT_OPENSSL_CFLAGS) $(SQLITE_CFLAGS)
verifier_wardgated_LDADD = $(WG_LIB_LIBS) $(SSL_LIBS) $(LIBEVENT_OPENSSL_LIBS) $(LIBEVENT_LIBS)
# EAR attestation results (docs/ear.md).
verifier_wardgated_SOURCES += verifier/ear_api.c
verifier_wardgate_SOURCES += verifier/cli_ear.c

# The enforcer: the only process with CAP_NET_ADMIN. It links lib/ objects
# that need no outside library (enfmsg, buf, file, wg_err), libnftables
# (nft backend), libmnl (bridge backend) and libcap (its own privileges).
sbin_PROGRAMS += verifier/wardgate-enforcer
verifier_wardgate_enforcer_SOURCES = verifier/enforcer.c \
	verifier/enf_backend.h \
	verifier/enf_devtab.c verifier/enf_devtab.h \
	verifier/enf_priv.c verifier/enf_priv.h \
	verifier/enf_nft.c verifier/enf_nft.h \
	verifier/enf_bridge.c verifier/enf_bridge.h \
	verifier/enf_exec.c verifier/enf_exec.h \
	verifier/enf_dryrun.c verifier/enf_dryrun.h
verifier_wardgate_enforcer_CPPFLAGS = $(AM_CPPFLAGS) \
	-DWG_ENFORCER_CONF='"$(sysconfdir)/wardgate/enforcer.conf"'
verifier_wardgate_enforcer_CFLAGS = $(AM_CFLAGS) $(LIBNFTABLES_CFLAGS) \
	$(LIBMNL_CFLAGS) $(LIBCAP_CFLAGS)
verifier_wardgate_enforcer_LDADD = lib/libwardgate.a $(LIBNFTABLES_LIBS) \
	$(LIBMNL_LIBS) $(LIBCAP_LIBS)
dist_man_MANS += docs/man/wardgate-enforcer.8
EXTRA_DIST += contrib/nftables/README.md contrib/nftables/enforcer.conf \
	contrib/exec/README.md contrib/exec/enforcer.conf contrib/exec/wardgate-nac-logger
# Evidence bundles (docs/evidence.md).
verifier_wardgated_SOURCES += verifier/evidence_api.c
verifier_wardgate_SOURCES += verifier/cli_evidence.c
