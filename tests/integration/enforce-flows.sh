#!/bin/sh
# Field-service flows of wardgate-enforcer's nft backend, proven with real
# traffic between network namespaces (modelled on enforce-netns.sh).
#
# A "gateway" namespace holds a Linux bridge (10.77.0.1, a listener on
# 8443) and the enforcer, driven by enftool over a socketpair, with the
# shipped contrib/nftables/enforcer.conf (its flow vendor-support =
# 10.77.0.4 tcp 443). veth pairs join it to:
#   dev1   10.77.0.10  02:77:00:00:00:10   device port dev0
#   dev2   10.77.0.11  02:77:00:00:00:11   device port dev1
#   cli    10.77.0.2   clinical server
#   rem    10.77.0.3   remediation server
#   ven    10.77.0.4   the vendor's host: listeners on tcp 443 and tcp 22
# Checked: without rules everything talks; a device in quarantine does not
# reach the vendor; OPEN for 3 s opens tcp 443 (not 22, not the clinical
# server) and the kernel closes it after the timeout with no CLOSE; OPEN
# then CLOSE closes it, a CLOSE of a closed window is acknowledged; a second
# OPEN replaces the time left (longer and shorter); a device in clinical
# gets the flow too; a device in the blocked segment with the flow open
# reaches nothing (and does once unblocked); OPEN of an unknown flow is
# NAK UNKNOWN and the enforcer goes on; FLUSH, a protocol violation and a
# fresh enforcer each close every window.
set -u

: "${WG_BUILDDIR:?}" "${WG_SRCDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfflow.XXXXXX")
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"
EXAMPLE="$WG_SRCDIR/contrib/nftables/enforcer.conf"

# --- The rules (no privilege needed) ---
sed -e 's/^device_ports = .*/device_ports = dev0 dev1/' \
    -e "s/^table = .*/table = wgflow/" "$EXAMPLE" >"$T/enforcer.conf"
good_conf "the example with its flow" "$T/enforcer.conf"
"$ENFORCER" -p -f "$T/enforcer.conf" >"$T/rules" 2>"$T/p.err"
check "-p: a set with timeouts per flow, at most max_devices" \
    "grep -qx 'add set bridge wgflow f_vendor-support { type ether_addr; flags timeout; size 65536; }' '$T/rules'"
check "-p: the flow's rule, both directions" \
    "grep -qx 'add rule bridge wgflow flows_from ether saddr @f_vendor-support ip daddr 10.77.0.4 tcp dport 443 accept' '$T/rules' &&
     grep -qx 'add rule bridge wgflow flows_to ether daddr @f_vendor-support ip saddr 10.77.0.4 tcp sport 443 accept' '$T/rules'"
check "-p: clinical and the default jump to the flows" \
    "grep -qx 'add rule bridge wgflow from_dev ether saddr @s_clinical jump flows_from' '$T/rules' &&
     grep -qx 'add rule bridge wgflow from_dev jump flows_from' '$T/rules' &&
     grep -qx 'add rule bridge wgflow to_dev jump flows_to' '$T/rules'"
check "-p: the blocked segment does not" \
    "! grep -q '@s_blocked jump' '$T/rules' && grep -qx 'add rule bridge wgflow from_dev ether saddr @s_blocked drop' '$T/rules'"

# --- Real traffic needs root and network namespaces ---
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: network namespaces and nftables need root"
	rm -rf "$T"; tap_skip
fi
tap_have ip ping nc nft || { rm -rf "$T"; exit 77; }
S=$$
G=wfg$S D1=wfd1$S D2=wfd2$S C=wfc$S R=wfr$S V=wfv$S
if ! ip netns add "$G" 2>"$T/netns.err"; then
	echo "SKIP: ip netns unavailable: $(cat "$T/netns.err")"
	rm -rf "$T"; exit 77
fi

NC_PIDS=""
cleanup() {
	exec 7>&- 2>/dev/null
	for pid in $ENF_PID $NC_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for ns in "$D1" "$D2" "$C" "$R" "$V" "$G"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM


# --- Topology ---
ig ip link add br0 type bridge
ig ip link set lo up
ig ip addr add 10.77.0.1/24 dev br0
ig ip link set br0 up
MAC1=02:77:00:00:00:10 MAC2=02:77:00:00:00:11
join "$D1" dev0 10.77.0.10 "$MAC1"
join "$D2" dev1 10.77.0.11 "$MAC2"
join "$C" cli0 10.77.0.2
join "$R" rem0 10.77.0.3
join "$V" ven0 10.77.0.4
# "ip netns exec" execs the command: $! is the listener itself.
ip netns exec "$G" nc -lk 10.77.0.1 8443 >/dev/null 2>&1 &
NC_PIDS=$!
ip netns exec "$V" nc -lk 10.77.0.4 443 >/dev/null 2>&1 &
NC_PIDS="$NC_PIDS $!"
ip netns exec "$V" nc -lk 10.77.0.4 22 >/dev/null 2>&1 &
NC_PIDS="$NC_PIDS $!"
sleep 0.3

pings() { in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
tcp() { in_ns "$1" nc -z -w 1 "$2" "$3" >/dev/null 2>&1; }
vendor() { tcp "$1" 10.77.0.4 443; }	# the flow's target
vendor22() { tcp "$1" 10.77.0.4 22; }	# same host, not the flow
gw() { tcp "$1" 10.77.0.1 8443; }
# The elements of the flow's set, as nft lists them.
elements() { ig nft list set bridge wgflow f_vendor-support 2>/dev/null | tr -s ' \t\n' ' '; }
# since T0 N: waits until N seconds have passed since the time T0.
since() { while [ $(( $(date +%s) - $1 )) -lt "$2" ]; do sleep 0.2; done; }

check "no enforcer: dev1 reaches the vendor on 443" "vendor '$D1'"
check "no enforcer: dev1 reaches the vendor on 22" "vendor22 '$D1'"
check "no enforcer: dev2 reaches the vendor on 443" "vendor '$D2'"

start_enforcer() {
	: >"$T/out"
	[ -p "$T/cmd" ] || mkfifo "$T/cmd"
	ip netns exec "$G" "$ENFTOOL" "$ENFORCER" -f "$T/enforcer.conf" -S 3 \
	    <"$T/cmd" >"$T/out" 2>>"$T/enforcer.log" &
	ENF_PID=$!
	exec 7<>"$T/cmd"
	NOUT=0
	next_line
	case $LAST in "READY pid="*) true ;; *) false ;; esac
}

check "enforcer starts" "start_enforcer"
check "it announces the flow after its segments" \
    "case '$LAST' in *' segments=clinical,quarantine*,blocked,clinical-hold flows=vendor-support') true;; *) false;; esac"
check "fresh table: the flow's set is empty" "! elements | grep -q elements"

# --- A window in quarantine, closed by the kernel ---
check "quarantine, no window: dev1 does not reach the vendor" "! vendor '$D1'"
check "quarantine: dev1 reaches the gateway" "gw '$D1'"
enf open "$MAC1" vendor-support 3
t0=$(date +%s)
check "OPEN 3 s acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
check "open: dev1 reaches the vendor on 443" "vendor '$D1'"
check "open: the element has the kernel timeout" "elements | grep -q '$MAC1 timeout 3s'"
check "open: dev1 still does not reach the vendor on 22" "! vendor22 '$D1'"
check "open: dev1 still does not reach the clinical server" "! pings '$D1' 10.77.0.2"
check "open: dev1 still reaches the gateway (its segment)" "gw '$D1'"
check "dev2, no window: does not reach the vendor" "! vendor '$D2'"
since "$t0" 7
check "after the timeout, no CLOSE sent: dev1 does not reach the vendor" "! vendor '$D1'"
check "after the timeout: the set has no element" "! elements | grep -q '$MAC1'"

# --- CLOSE ---
enf open "$MAC1" vendor-support 3600
check "OPEN 3600 s acknowledged" "case '$LAST' in 'ACK seq=2 '*) true;; *) false;; esac"
check "open again: dev1 reaches the vendor" "vendor '$D1'"
enf close "$MAC1" vendor-support
check "CLOSE acknowledged" "case '$LAST' in 'ACK seq=3 '*) true;; *) false;; esac"
check "closed: dev1 does not reach the vendor" "! vendor '$D1'"
enf close "$MAC1" vendor-support
check "CLOSE of a window that is not open: acknowledged" \
    "case '$LAST' in 'ACK seq=4 '*) true;; *) false;; esac"

# --- A second OPEN replaces the time left: longer, and shorter ---
enf open "$MAC1" vendor-support 3
enf open "$MAC1" vendor-support 3600
enf open "$MAC2" vendor-support 3600
enf open "$MAC2" vendor-support 3
t0=$(date +%s)
check "four OPENs acknowledged" "case '$LAST' in 'ACK seq=8 '*) true;; *) false;; esac"
check "dev1: 3 s replaced by 1 h" "elements | grep -q '$MAC1 timeout 1h'"
check "dev2: 1 h replaced by 3 s" "elements | grep -q '$MAC2 timeout 3s'"
check "both reach the vendor at once" "vendor '$D1' && vendor '$D2'"
since "$t0" 7
check "after 6 s: dev1 (replaced by 1 h) still reaches the vendor" "vendor '$D1'"
check "after 6 s: dev2 (replaced by 3 s) does not" "! vendor '$D2'"

# --- Whatever the segment, but not blocked ---
enf put "$MAC1" clinical
check "dev1 in clinical, window open: reaches the vendor" "vendor '$D1'"
check "dev1 in clinical: reaches the clinical server" "pings '$D1' 10.77.0.2"
check "dev1 in clinical: still not the vendor on 22" "! vendor22 '$D1'"
enf put "$MAC2" blocked
enf open "$MAC2" vendor-support 3600
check "OPEN for a blocked device: acknowledged" \
    "case '$LAST' in 'ACK seq=11 '*) true;; *) false;; esac"
check "blocked, window open: the element is there" "elements | grep -q '$MAC2 timeout 1h'"
check "blocked, window open: dev2 does not reach the vendor" "! vendor '$D2'"
check "blocked, window open: dev2 does not reach the gateway" "! gw '$D2'"
check "blocked, window open: dev2 does not reach remediation" "! pings '$D2' 10.77.0.3"
enf put "$MAC2" quarantine
check "unblocked, the window still open: dev2 reaches the vendor" "vendor '$D2'"

# --- A flow the enforcer does not know: refused, nothing else ---
enf open "$MAC1" nosuch 60
check "OPEN of an unknown flow: NAK UNKNOWN" "[ '$LAST' = 'NAK seq=13 reason=UNKNOWN' ]"
enf close "$MAC1" nosuch
check "CLOSE of an unknown flow: NAK UNKNOWN" "[ '$LAST' = 'NAK seq=14 reason=UNKNOWN' ]"
enf list
check "the enforcer still answers (LIST)" "case '$LAST' in 'ACK seq=15 '*' n=2 '*) true;; *) false;; esac"
check "the refusal is logged" "grep -q 'OPEN $MAC1 nosuch (seq 13): refused: no flow nosuch' '$T/enforcer.log'"
check "dev1 keeps its window" "vendor '$D1'"

# --- FLUSH closes every window ---
enf flush
check "FLUSH acknowledged" "case '$LAST' in 'ACK seq=16 '*) true;; *) false;; esac"
check "after FLUSH: dev1 does not reach the vendor" "! vendor '$D1'"
check "after FLUSH: dev2 does not reach the vendor" "! vendor '$D2'"

# --- A protocol violation closes every window before the exit ---
enf open "$MAC1" vendor-support 3600
check "open before the violation: dev1 reaches the vendor" "vendor '$D1'"
# version 1, PUT, seq 99, MAC1, reserved byte 14 = 1, "clinical"
MALFORMED=0101000000000063027700000010010063$(printf 'linical' | od -An -tx1 | tr -d ' \n')
MALFORMED=$MALFORMED$(printf '%0*d' $((128 - ${#MALFORMED})) 0)
enf raw "$MALFORMED"
enf wait
check "violation: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "after the violation: dev1 does not reach the vendor" "! vendor '$D1'"

# --- Restart: a window left open by an enforcer that ended cleanly is
# closed by the next one's fresh table ---
check "enforcer restarts" "start_enforcer"
enf open "$MAC1" vendor-support 3600
check "open: dev1 reaches the vendor" "vendor '$D1'"
enf close
check "peer closed: exit 0" "[ '$LAST' = 'EXIT 0' ]"
stop_enforcer
check "peer closed: the rules stay, the window too" "vendor '$D1'"
check "enforcer starts again" "start_enforcer"
check "restarted: the window is closed" "! vendor '$D1'"
check "restarted: dev1 is in the default (gateway yes, clinical no)" \
    "gw '$D1' && ! pings '$D1' 10.77.0.2"
enf close
stop_enforcer

# --- A flow's set holds max_devices windows: a further OPEN is NAK FULL
# (not a violation), a replacement and a CLOSE still go through ---
sed -i 's/^max_devices = .*/max_devices = 2/' "$T/enforcer.conf"
check "enforcer with max_devices 2 starts" "start_enforcer"
MAC3=02:77:00:00:00:12
enf open "$MAC1" vendor-support 3600
enf open "$MAC2" vendor-support 3600
check "two windows: acknowledged" "case '$LAST' in 'ACK seq=2 '*) true;; *) false;; esac"
enf open "$MAC3" vendor-support 3600
check "a third MAC: NAK FULL" "[ '$LAST' = 'NAK seq=3 reason=FULL' ]"
check "it is not in the set" "! elements | grep -q '$MAC3'"
enf open "$MAC1" vendor-support 60
check "full: a replacement of an open window is acknowledged" \
    "case '$LAST' in 'ACK seq=4 '*) true;; *) false;; esac && elements | grep -q '$MAC1 timeout 1m'"
enf close "$MAC3" vendor-support
check "full: a CLOSE of a window that is not open is acknowledged" \
    "case '$LAST' in 'ACK seq=5 '*) true;; *) false;; esac"
check "full: the refusal is logged as such" "grep -q 'OPEN $MAC3 vendor-support (seq 3): refused: .*the set is full' '$T/enforcer.log'"
check "full: dev1 still reaches the vendor" "vendor '$D1'"
enf close "$MAC2" vendor-support
enf open "$MAC3" vendor-support 3600
check "room again: the third MAC's OPEN is acknowledged" \
    "case '$LAST' in 'ACK seq=7 '*) true;; *) false;; esac && elements | grep -q '$MAC3'"
enf close
stop_enforcer

if [ "$fails" -ne 0 ]; then
	echo "--- enforcer log"; cat "$T/enforcer.log"
	ig nft list table bridge wgflow
fi
tap_done
