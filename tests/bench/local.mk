# tests/bench/: `make bench` prints BENCH lines (never part of make check).
noinst_PROGRAMS += tests/bench/bench
tests_bench_bench_SOURCES = tests/bench/bench.c
tests_bench_bench_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/common $(TSS2_MU_CFLAGS) $(CRYPTO_CFLAGS)
tests_bench_bench_LDADD = tests/common/libwgtest.a $(WG_LIB_LIBS)

bench: tests/bench/bench
	WG_TESTDATA='$(abs_top_srcdir)/tests/data' ./tests/bench/bench
.PHONY: bench
