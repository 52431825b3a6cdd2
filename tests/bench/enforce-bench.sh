#!/bin/sh
# enforce-bench.sh: verdict-to-rule latency of wardgate-enforcer with
# 10,000 devices in the sets (make bench). Needs root: it runs in a
# network namespace of its own, so the host's nftables are not touched.
# Usage: enforce-bench.sh [NDEVICES [NCHANGES]]
set -eu
: "${WG_BUILDDIR:?}"
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
