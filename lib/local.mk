# lib/: protocol, event log, quote; no sockets, no globals.
noinst_LIBRARIES += lib/libwardgate.a
lib_libwardgate_a_SOURCES = \
	lib/wg_err.c lib/wg_err.h \
	lib/b64.c lib/b64.h \
	lib/buf.c lib/buf.h \
	lib/alg.c lib/alg.h \
	lib/hex.c lib/hex.h \
	lib/file.c lib/file.h \
	lib/pcr.c lib/pcr.h \
	lib/evlog.c lib/evlog.h \
	lib/evlog_decode.c \
	lib/quote.c lib/quote.h \
	lib/rcache.c lib/rcache.h \
	lib/attest.c lib/attest.h \
	lib/state.c lib/state.h \
	lib/nonce.c lib/nonce.h \
	lib/makecred.c lib/makecred.h \
	lib/ek.c lib/ek.h \
	lib/store.c lib/store.h \
	lib/wire.c lib/wire.h \
	lib/sjson.c lib/sjson.h \
	lib/radius.c lib/radius.h \
	lib/policy.c lib/policy.h lib/advisory.c lib/advisory.h \
	lib/appraise.c
lib_libwardgate_a_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS) $(SQLITE_CFLAGS)

# Everything that links lib/ needs these.
WG_LIB_LIBS = lib/libwardgate.a $(TSS2_MU_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS) $(SQLITE_LIBS)

# Fixed-size messages between wardgated and wardgate-enforcer.
lib_libwardgate_a_SOURCES += lib/enfmsg.c lib/enfmsg.h

# EAR attestation results (JWT ES256, AR4SI vectors).
lib_libwardgate_a_SOURCES += lib/ear.c lib/ear.h

# Audit chain hash (shared by the store and the evidence verifier) and
# evidence bundles (docs/evidence.md).
lib_libwardgate_a_SOURCES += lib/auditchain.c lib/auditchain.h \
	lib/evidence.c lib/evidence.h

# Batches of provisioning records (CSV or JSON).
lib_libwardgate_a_SOURCES += lib/provfile.c lib/provfile.h
