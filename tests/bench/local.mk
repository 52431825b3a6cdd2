# tests/bench/: `make bench` prints BENCH lines (never part of make check).
noinst_PROGRAMS += tests/bench/bench tests/bench/gwbench tests/bench/enfbench
tests_bench_bench_SOURCES = tests/bench/bench.c
tests_bench_bench_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/common $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS)
tests_bench_bench_LDADD = tests/common/libwgtest.a $(WG_LIB_LIBS)
tests_bench_gwbench_SOURCES = tests/bench/gwbench.c
tests_bench_gwbench_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/common $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) -pthread
tests_bench_gwbench_LDADD = tests/common/libwgtest.a $(WG_LIB_LIBS) $(CURL_LIBS) -lpthread
EXTRA_DIST += tests/bench/gateway-bench.sh tests/bench/enforce-bench.sh
tests_bench_enfbench_SOURCES = tests/bench/enfbench.c
tests_bench_enfbench_CFLAGS = $(AM_CFLAGS) $(LIBNFTABLES_CFLAGS)
tests_bench_enfbench_LDADD = lib/libwardgate.a $(LIBNFTABLES_LIBS)

bench: tests/bench/bench tests/bench/gwbench tests/bench/enfbench \
    verifier/wardgated verifier/wardgate-enforcer
	WG_TESTDATA='$(abs_top_srcdir)/tests/data' ./tests/bench/bench
	WG_SRCDIR='$(abs_top_srcdir)' WG_BUILDDIR='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/gateway-bench.sh $(BENCH_DEVICES) $(BENCH_GW_SECONDS)
	WG_SRCDIR='$(abs_top_srcdir)' WG_BUILDDIR='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/enforce-bench.sh $(BENCH_DEVICES)
BENCH_DEVICES = 10000
BENCH_GW_SECONDS = 10
.PHONY: bench
