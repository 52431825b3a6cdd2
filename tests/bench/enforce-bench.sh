#!/bin/sh
# enforce-bench.sh: verdict-to-rule latency of wardgate-enforcer with
# 10,000 devices in the sets (make bench). Needs root: it runs in a
# network namespace of its own, so the host's nftables are not touched.
# Usage: enforce-bench.sh [NDEVICES [NCHANGES]]
#
# 1. enfbench: the enforcer alone, single changes with NDEVICES in the
#    sets, beside one raw nftables transaction (the machine's limit).
# 2. gwbench: the whole gateway with the enforcer, NDEVICES promoted at
#    full attestation rate; wardgated times each change from its commit
#    to the enforcer's ACK (a burst: queueing included).
set -eu
: "${WG_BUILDDIR:?}" "${WG_SRCDIR:?}"
n=${1:-10000} changes=${2:-1000}
if [ "$(id -u)" -ne 0 ]; then
	echo "# enforce bench skipped: needs root (network namespace, nftables)"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfbench.XXXXXX")
NS=wgbench$$
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add br0 type bridge
ip netns exec "$NS" ip link add dev0 type veth peer name dev0p
ip netns exec "$NS" ip link set dev0 master br0 up
ip netns exec "$NS" ip link set br0 up
cat >"$T/enforcer.conf" <<CONF
backend = nft
max_devices = 65536
table = wgbench
device_ports = dev0
default = quarantine
segment clinical   = 10.77.0.1 tcp 8443, 10.77.0.2, 10.77.0.3
segment quarantine = 10.77.0.1 tcp 8443, 10.77.0.3
segment clinical-hold = 10.77.0.1 tcp 8443, 10.77.0.2 tcp 2575, 10.77.0.3
segment blocked    = none
CONF
chmod 755 "$T"
chmod 644 "$T/enforcer.conf"
ip netns exec "$NS" "$WG_BUILDDIR/tests/bench/enfbench" \
    "$WG_BUILDDIR/verifier/wardgate-enforcer" "$T/enforcer.conf" wgbench \
    "$n" "$changes" 2>"$T/enforcer.log" || {
	tail -20 "$T/enforcer.log" >&2
	exit 1
}

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"
gw_certs "$T/tls"
cat >"$T/wardgated.conf" <<CONF
listen = 127.0.0.1:8443
tls_cert = $T/tls/gateway.crt
tls_key = $T/tls/gateway.key
ek_ca_bundle = $T/tls/ca.pem
store = $T/wardgate.db
admin_socket = $T/admin.sock
policy_required = no
ear_key = none
enforcer = $WG_BUILDDIR/verifier/wardgate-enforcer
enforcer_conf = $T/enforcer.conf
CONF
ip netns exec "$NS" env GWBENCH_ADMIN="$T/admin.sock" \
    "$WG_BUILDDIR/tests/bench/gwbench" "$T/wardgate.db" \
    "$WG_SRCDIR/tests/data/eventlogs/ubuntu2110-lenovo-amd-3banks.bin" \
    "$n" 2 16 -- "https://127.0.0.1:8443" "$T/tls/ca.pem" \
    "$WG_BUILDDIR/verifier/wardgated" -f "$T/wardgated.conf" \
    2>"$T/gateway.log" >"$T/gwbench.out" || {
	tail -20 "$T/gateway.log" >&2
	exit 1
}
grep -E '^# (enforcer|warm-up)|^BENCH enforce_' "$T/gwbench.out"
