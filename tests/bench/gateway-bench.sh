#!/bin/sh
# gateway-bench.sh: wardgated end to end over HTTPS (make bench).
# Usage: gateway-bench.sh [NDEVICES [SECONDS [THREADS]]]
set -eu
: "${WG_BUILDDIR:?}" "${WG_SRCDIR:?}"
n=${1:-10000} secs=${2:-10} threads=${3:-16}
. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-gwbench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
gw_certs "$T/tls"
port=$(swtpm_free_port)
cat >"$T/wardgated.conf" <<CONF
listen = 127.0.0.1:$port
tls_cert = $T/tls/gateway.crt
tls_key = $T/tls/gateway.key
ek_ca_bundle = $T/tls/ca.pem
store = $T/wardgate.db
admin_socket = $T/admin.sock
policy_required = no
ear_key = none
CONF
"$WG_BUILDDIR/tests/bench/gwbench" "$T/wardgate.db" \
    "$WG_SRCDIR/tests/data/eventlogs/ubuntu2110-lenovo-amd-3banks.bin" \
    "$n" "$secs" "$threads" -- "https://127.0.0.1:$port" "$T/tls/ca.pem" \
    "$WG_BUILDDIR/verifier/wardgated" -f "$T/wardgated.conf"
