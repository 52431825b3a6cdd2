#!/bin/sh
# wardgate-enforcer with the bridge backend (segments are VLANs of a
# VLAN-filtering Linux bridge; a device's port gets its segment's VLAN as
# PVID).
#
# (a) Detection, in a network namespace: the enforcer refuses to start,
#     exit 1, naming the reason: an interface that is not a bridge; a
#     bridge without VLAN filtering, either because the kernel has none
#     (CONFIG_BRIDGE_VLAN_FILTERING) or because it is switched off.
# (b) Real traffic, only where the kernel can filter VLANs on a bridge:
#     devices dev1/dev2 behind ports dev0/dev1; a clinical server on VLAN
#     10 (port cli0), a remediation server on VLAN 20 (port rem0), one
#     subnet 10.78.0.0/24, so that only the VLANs separate them. Checked:
#     the default (quarantine, VLAN 20) before any PUT; PUT clinical and
#     blocked move the port (bridge vlan show, and pings); a MAC not
#     learned and a MAC learned on a server port are NAK BACKEND; FLUSH;
#     a violation demotes clinical to quarantine and leaves blocked.
# As root only; (b) is skipped with the reason where the kernel cannot.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfbr.XXXXXX")
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"
S=$$
G=wgbg$S D1=wgbd1$S D2=wgbd2$S C=wgbc$S R=wgbr$S
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null
	for ns in "$D1" "$D2" "$C" "$R" "$G"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

conf bridge "backend = bridge
bridge = br0
device_ports = dev0 dev1
default = quarantine
segment clinical = vlan 10
segment quarantine = vlan 20
segment blocked = none"
good_conf "the test's bridge configuration" "$T/bridge.conf"

# Needs no namespace: lo is no bridge.
sed 's/^bridge = .*/bridge = lo/' "$T/bridge.conf" >"$T/lo.conf"
start_enforcer "$ENFORCER" -f "$T/lo.conf"
check "an interface that is not a bridge: exit 1" \
    "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
check "... named in the log" "grep -q 'bridge lo: not a bridge' '$T/enforcer.log'"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: network namespaces and bridges need root"
	tap_skip
fi
tap_need ip ping bridge
IP=$(command -v ip)	# enftool runs it: an absolute path
if ! ip netns add "$G" 2>"$T/netns.err"; then
	echo "SKIP: ip netns unavailable: $(cat "$T/netns.err")"
	tap_skip
fi
ig ip link set lo up

# --- (a) detection ---
ig ip link add br0 type bridge
ig ip link set br0 up
MAC1=02:78:00:00:00:10 MAC2=02:78:00:00:00:11
join "$D1" dev0 10.78.0.10 "$MAC1"
join "$D2" dev1 10.78.0.11 "$MAC2"

: >"$T/enforcer.log"
start_enforcer "$IP" netns exec "$G" "$ENFORCER" -f "$T/bridge.conf"
check "bridge without VLAN filtering: exit 1" \
    "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
if ig test -e /sys/class/net/br0/bridge/vlan_filtering; then
	check "... because it is switched off, and how to switch it on" \
	    "grep -q 'bridge br0: VLAN filtering is off (ip link set br0 type bridge vlan_filtering 1)' '$T/enforcer.log'"
else
	check "... because the kernel has none: named" \
	    "grep -q 'bridge br0: the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)' '$T/enforcer.log'"
fi
check "nothing sent before the refusal (no READY, no SEGMENT)" \
    "! grep -q READY '$T/out'"
sed 's/^bridge = .*/bridge = br9/' "$T/bridge.conf" >"$T/br9.conf"
start_enforcer "$IP" netns exec "$G" "$ENFORCER" -f "$T/br9.conf"
check "a bridge that does not exist: exit 1, named" \
    "[ \"\$(start_status)\" = 1 ] && grep -q 'bridge br9: no such interface' '$T/enforcer.log'"
sed -e 's/^bridge = .*/bridge = dev0/' -e 's/^device_ports = .*/device_ports = dev1/' \
    "$T/bridge.conf" >"$T/dev0.conf"
start_enforcer "$IP" netns exec "$G" "$ENFORCER" -f "$T/dev0.conf"
check "a bridge port named as the bridge: exit 1, named" \
    "[ \"\$(start_status)\" = 1 ] && grep -q 'bridge dev0: not a bridge' '$T/enforcer.log'"

# --- (b) can this kernel filter VLANs on a bridge? ---
if ! ig ip link add brv type bridge vlan_filtering 1 2>"$T/vf.err"; then
	echo "SKIP: part (b), real traffic between VLANs: this kernel cannot" \
	    "filter VLANs on a bridge (ip link add brv type bridge" \
	    "vlan_filtering 1: $(tr '\n' ' ' <"$T/vf.err"| sed 's/ *$//');" \
	    "CONFIG_BRIDGE_VLAN_FILTERING is off). Part (a) ran."
	tap_done
	exit $?
fi
ig ip link del brv
ig ip link set br0 type bridge vlan_filtering 1 || exit 1
join "$C" cli0 10.78.0.2
join "$R" rem0 10.78.0.3
# Server ports: their VLAN untagged, not VLAN 1.
for p in cli0:10 rem0:20; do
	ig bridge vlan del dev "${p%:*}" vid 1
	ig bridge vlan add dev "${p%:*}" vid "${p#*:}" pvid untagged
done

pings() { in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
# reach NS WHAT LABEL: NS reaches exactly the listed servers (cli, rem).
reach() {
	for _t in cli rem; do
		case $_t in
		cli) pings "$1" 10.78.0.2 ;;
		rem) pings "$1" 10.78.0.3 ;;
		esac
		_got=$?
		case " $2 " in
		*" $_t "*) check "$3: reaches $_t" "[ $_got -eq 0 ]" ;;
		*) check "$3: does not reach $_t" "[ $_got -ne 0 ]" ;;
		esac
	done
}
pvid() {	# PORT: "VID" of its PVID, or "none"
	_v=$(ig bridge -j vlan show dev "$1" 2>/dev/null |
	    tr '{' '\n' | grep '"PVID"' | sed -n 's/.*"vlan":\([0-9]*\).*/\1/p')
	echo "${_v:-none}"
}

: >"$T/enforcer.log"
check "enforcer starts on a VLAN-filtering bridge" \
    "start_enforcer '$IP' netns exec '$G' '$ENFORCER' -f '$T/bridge.conf'"
check "device ports start in the default's VLAN (20)" \
    "[ \"\$(pvid dev0)\" = 20 ] && [ \"\$(pvid dev1)\" = 20 ]"
reach "$D1" "rem" "before any PUT, dev1"
reach "$D2" "rem" "before any PUT, dev2"

enf put "$MAC1" clinical
check "PUT dev1 clinical acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
check "dev0's PVID is 10, untagged, and no other VLAN" \
    "[ \"\$(pvid dev0)\" = 10 ] && [ \$(ig bridge -j vlan show dev dev0 | grep -o '\"vlan\"' | wc -l) -eq 1 ]"
reach "$D1" "cli" "clinical, dev1"
reach "$D2" "rem" "dev2 still in the default"

enf put "$MAC1" blocked
check "PUT dev1 blocked acknowledged" "case '$LAST' in 'ACK seq=2 '*) true;; *) false;; esac"
check "dev0 is in no VLAN" "[ \"\$(pvid dev0)\" = none ]"
reach "$D1" "" "blocked, dev1"

enf put 02:78:00:00:00:99 clinical
check "a MAC the bridge has not learned: NAK BACKEND" "[ '$LAST' = 'NAK seq=3 reason=BACKEND' ]"
check "... logged" "grep -q 'has not learned this MAC' '$T/enforcer.log'"
SRVMAC=$(in_ns "$C" cat /sys/class/net/eth0/address)
enf put "$SRVMAC" clinical
check "a MAC learned on a server port: NAK BACKEND" "[ '$LAST' = 'NAK seq=4 reason=BACKEND' ]"
check "... logged, the port named" "grep -q 'on port cli0, which is not in device_ports' '$T/enforcer.log'"
check "the server port was not touched" "[ \"\$(pvid cli0)\" = 10 ]"

enf flush
check "FLUSH acknowledged" "case '$LAST' in 'ACK seq=5 '*) true;; *) false;; esac"
check "after FLUSH both device ports in VLAN 20" \
    "[ \"\$(pvid dev0)\" = 20 ] && [ \"\$(pvid dev1)\" = 20 ]"
reach "$D1" "rem" "after FLUSH, dev1"

# A violation: dev1 clinical, dev2 blocked, then a malformed message.
enf put "$MAC1" clinical
enf put "$MAC2" blocked
reach "$D1" "cli" "clinical again, dev1"
enf raw 00
check "malformed message: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "malformed message: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "demoted: dev0 back in VLAN 20, dev1 still in none" \
    "[ \"\$(pvid dev0)\" = 20 ] && [ \"\$(pvid dev1)\" = none ]"
reach "$D1" "rem" "after the violation, dev1 (was clinical)"
reach "$D2" "" "after the violation, dev2 (was blocked)"

if [ "$fails" -ne 0 ]; then
	echo "--- enforcer log"; cat "$T/enforcer.log"
	ig bridge vlan show
fi
tap_done
