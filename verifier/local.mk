# verifier/: the admin CLI (offline tools for now).
bin_PROGRAMS += verifier/wardgate
verifier_wardgate_SOURCES = verifier/wardgate.c
verifier_wardgate_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
verifier_wardgate_LDADD = $(WG_LIB_LIBS) $(JSONC_LIBS)
