#!/bin/sh
# wardgate-enforcer with the nft backend, proven with real traffic.
#
# A "gateway" network namespace holds a Linux bridge (address 10.77.0.1,
# a listener on the attestation port 8443 and one on 9000) and the
# enforcer, driven by enftool over a socketpair. veth pairs join it to:
#   dev1   10.77.0.10  02:77:00:00:00:10   device port dev0
#   dev2   10.77.0.11  02:77:00:00:00:11   device port dev1
#   cli    10.77.0.2   clinical server     server port cli0
#   rem    10.77.0.3   remediation server  server port rem0
# Checked: with no rules everything talks (so every refusal below is the
# enforcer's); before any PUT a device is in quarantine (gateway:8443 and
# remediation only); clinical, quarantine (cut off within a second),
# blocked; LIST; a malformed message, a segment the enforcer does not
# know and a sequence number that goes back each make it exit 3 after
# demoting (clinical -> quarantine, blocked stays blocked); a closed socket
# makes it exit 0 with the rules left as they were.
set -u

: "${WG_BUILDDIR:?}" "${WG_SRCDIR:?}"
ENFORCER="$WG_BUILDDIR/verifier/wardgate-enforcer"
ENFTOOL="$WG_BUILDDIR/tests/integration/enftool"
EXAMPLE="$WG_SRCDIR/contrib/nftables/enforcer.conf"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enf.XXXXXX")
# The namespace helpers (in_ns, ig, join) and tap-lib.sh's checks.
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"

# --- Configuration (no privilege needed) ---
check "shipped example parses" \
    "'$ENFORCER' -n -f '$EXAMPLE' >'$T/norm1.conf'"
check "normalised form parses again to itself" \
    "'$ENFORCER' -n -f '$T/norm1.conf' >'$T/norm2.conf' && cmp -s '$T/norm1.conf' '$T/norm2.conf'"
bad_conf() {	# NAME TEXT: enforcer.conf that must be refused (exit 2)
	printf '%s\n' "$2" >"$T/bad.conf"
	"$ENFORCER" -n -f "$T/bad.conf" >/dev/null 2>"$T/bad.err"
	check "config refused: $1" "[ \$? -eq 2 ]"
}
bad_conf "default reaches more than clinical" "device_ports = d0
default = quarantine
segment clinical = 10.0.0.2
segment quarantine = 10.0.0.2, 10.0.0.3"
bad_conf "unknown default" "device_ports = d0
default = lobby
segment quarantine = 10.0.0.3"
bad_conf "no device ports" "segment quarantine = 10.0.0.3"
bad_conf "bad target" "device_ports = d0
segment quarantine = 10.0.0.300"
bad_conf "bad segment name" "device_ports = d0
segment Quarantine = 10.0.0.3"
bad_conf "segment twice" "device_ports = d0
segment quarantine = 10.0.0.3
segment quarantine = 10.0.0.4"
bad_conf "unknown key" "device_ports = d0
segment quarantine = 10.0.0.3
vlan = 100"
bad_conf "bad interface name" "device_ports = d0 \"x\"
segment quarantine = 10.0.0.3"

# --- Real traffic needs root and network namespaces ---
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: network namespaces and nftables need root"
	rm -rf "$T"; tap_skip
fi
tap_have ip ping nc || { rm -rf "$T"; exit 77; }
S=$$
G=wgg$S D1=wgd1$S D2=wgd2$S C=wgc$S R=wgr$S
if ! ip netns add "$G" 2>"$T/netns.err"; then
	echo "SKIP: ip netns unavailable: $(cat "$T/netns.err")"
	rm -rf "$T"; exit 77
fi

ENF_PID="" NC_PIDS="" PING_PID=""
cleanup() {
	exec 7>&- 2>/dev/null
	for pid in $ENF_PID $NC_PIDS $PING_PID; do
		kill "$pid" 2>/dev/null
	done
	for ns in "$D1" "$D2" "$C" "$R" "$G"; do
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
# Bridge ports forward at once (no STP), and nothing here learns slowly.
# Background jobs are started with "ip netns exec" itself (it execs the
# command), so that $! is the process to kill, never a subshell.
ip netns exec "$G" nc -lk 10.77.0.1 8443 >/dev/null 2>&1 &
NC_PIDS=$!
ip netns exec "$G" nc -lk 10.77.0.1 9000 >/dev/null 2>&1 &
NC_PIDS="$NC_PIDS $!"
sleep 0.3

pings() { in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
tcp() { in_ns "$1" nc -z -w 1 "$2" "$3" >/dev/null 2>&1; }
# reach NS what: checks that NS reaches exactly the listed things.
#   what: words among gw8443 gw9000 gwping cli rem
reach() {
	_ns=$1 _want=" $2 " _label=$3
	for _t in gw8443 gw9000 gwping cli rem; do
		case $_t in
		gw8443) tcp "$_ns" 10.77.0.1 8443 ;;
		gw9000) tcp "$_ns" 10.77.0.1 9000 ;;
		gwping) pings "$_ns" 10.77.0.1 ;;
		cli) pings "$_ns" 10.77.0.2 ;;
		rem) pings "$_ns" 10.77.0.3 ;;
		esac
		_got=$?
		case $_want in
		*" $_t "*) check "$_label: reaches $_t" "[ $_got -eq 0 ]" ;;
		*) check "$_label: does not reach $_t" "[ $_got -ne 0 ]" ;;
		esac
	done
}

reach "$D1" "gw8443 gw9000 gwping cli rem" "no enforcer, dev1"
check "no enforcer: clinical server reaches dev2" "pings '$C' 10.77.0.11"

# --- The enforcer, in the gateway namespace ---
sed -e 's/^device_ports = .*/device_ports = dev0 dev1/' \
    -e "s/^table = .*/table = wgtest/" "$EXAMPLE" >"$T/enforcer.conf"
mkfifo "$T/cmd"
start_enforcer() {
	: >"$T/out"
	ip netns exec "$G" "$ENFTOOL" "$ENFORCER" -f "$T/enforcer.conf" -S 3 \
	    <"$T/cmd" >"$T/out" 2>>"$T/enforcer.log" &
	ENF_PID=$!
	exec 7>"$T/cmd"
	NOUT=0
	next_line
	case $LAST in "READY pid="*) true ;; *) false ;; esac
}
# Waits (5 s at most) for enftool's next output line; sets LAST.
next_line() {
	_i=0
	while [ "$(wc -l <"$T/out")" -le "$NOUT" ] && [ "$_i" -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	NOUT=$((NOUT + 1))
	LAST=$(sed -n "${NOUT}p" "$T/out")
}
enf() { echo "$*" >&7; next_line; echo "  # $* -> $LAST"; }
stop_enforcer() {	# after an EXIT line: enftool sees EOF and ends
	exec 7>&-
	_i=0
	while kill -0 "$ENF_PID" 2>/dev/null && [ "$_i" -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill "$ENF_PID" 2>/dev/null
	wait "$ENF_PID" 2>/dev/null
	ENF_PID=""
}

check "enforcer starts and installs its table" "start_enforcer"
check "it announces its segments, quarantine the default" \
    "case '$LAST' in *' segments=clinical,quarantine*,blocked,clinical-hold flows=vendor-support') true;; *) false;; esac"

# Fail closed before any PUT: the default is quarantine (a new device must
# be able to enroll and attest, and nothing else).
reach "$D1" "gw8443 rem" "before any PUT, dev1"
check "before any PUT: clinical server cannot reach dev1" "! pings '$C' 10.77.0.10"
check "before any PUT: remediation server reaches dev1" "pings '$R' 10.77.0.10"

enf put "$MAC1" clinical
check "PUT dev1 clinical acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
reach "$D1" "gw8443 cli rem" "clinical, dev1"
check "clinical: clinical server reaches dev1" "pings '$C' 10.77.0.10"
reach "$D2" "gw8443 rem" "dev2 still in the default"

# Cut-off time: a ping every 20 ms from dev1 to the clinical server; the
# last reply may come no later than one second after the PUT was sent.
ip netns exec "$D1" ping -D -i 0.02 -W 1 10.77.0.2 >"$T/ping.log" 2>&1 7>&- &
PING_PID=$!
sleep 1
enf put "$MAC1" quarantine
sent=$(echo "$LAST" | sed -n 's/.* sent=\([0-9.]*\) .*/\1/p')
ackms=$(echo "$LAST" | sed -n 's/.* ms=\([0-9.]*\).*/\1/p')
sleep 1.5
kill "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null
PING_PID=""
last=$(grep 'bytes from' "$T/ping.log" | tail -1 | sed -n 's/^\[\([0-9.]*\)\].*/\1/p')
before=$(grep -c 'bytes from' "$T/ping.log")
echo "  # PUT quarantine sent at $sent, acknowledged after $ackms ms;" \
    "last clinical reply at $last ($before replies before)"
check "PUT dev1 quarantine acknowledged" "case '$LAST' in 'ACK seq=2 '*) true;; *) false;; esac"
check "clinical replies flowed before the PUT" "[ '$before' -gt 10 ]"
check "cut off from clinical within a second of the PUT" \
    "awk -v s='$sent' -v l='$last' 'BEGIN { d = l - s; printf \"  # last reply %.3f s after the PUT\\n\", d; exit !(s > 0 && d < 1.0) }'"
reach "$D1" "gw8443 rem" "quarantine, dev1"

enf put "$MAC1" blocked
check "PUT dev1 blocked acknowledged" "case '$LAST' in 'ACK seq=3 '*) true;; *) false;; esac"
reach "$D1" "" "blocked, dev1"
check "blocked: remediation server cannot reach dev1" "! pings '$R' 10.77.0.10"

enf list
check "LIST names dev1 in blocked" "case '$LAST' in 'ACK seq=4 '*entries=$MAC1/blocked) true;; *) false;; esac"

# Malformed: a reserved byte set. dev1 clinical, dev2 blocked first.
enf put "$MAC1" clinical
enf put "$MAC2" blocked
reach "$D2" "" "blocked, dev2"
check "dev1 back in clinical" "pings '$D1' 10.77.0.2"
# version 1, PUT, seq 7, MAC1, reserved byte 14 = 1, "clinical"
MALFORMED=0101000000000007027700000010010063$(printf 'linical' | od -An -tx1 | tr -d ' \n')
MALFORMED=$MALFORMED$(printf '%0*d' $((128 - ${#MALFORMED})) 0)
enf raw "$MALFORMED"
check "malformed message: enforcer closes the socket" "[ '$LAST' = EOF ]"
enf wait
check "malformed message: enforcer exits 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "the reason is logged" "grep -q 'protocol violation: malformed message: byte 14: reserved' '$T/enforcer.log'"
reach "$D1" "gw8443 rem" "after the violation, dev1 (was clinical)"
reach "$D2" "" "after the violation, dev2 (was blocked)"

# A segment the enforcer does not know is a violation too (configs of
# wardgated and the enforcer disagree): demote and exit, never guess.
check "enforcer restarts" "start_enforcer"
enf put "$MAC1" clinical
check "after restart: dev1 in clinical" "pings '$D1' 10.77.0.2"
enf put "$MAC1" icu
check "unknown segment: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "unknown segment: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "unknown segment: dev1 demoted" "! pings '$D1' 10.77.0.2 && tcp '$D1' 10.77.0.1 8443"

# A sequence number that does not go up.
check "enforcer restarts" "start_enforcer"
enf put "$MAC1" clinical
enf seq 1
enf put "$MAC2" clinical
check "repeated sequence number: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "repeated sequence number: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "repeated sequence number: dev2 did not get clinical" "! pings '$D2' 10.77.0.2"

# The peer closes the socket (wardgated stopped): rules stay as they are;
# the next enforcer starts everyone from the default.
check "enforcer restarts" "start_enforcer"
check "restart: dev1 back in the default" "! pings '$D1' 10.77.0.2 && tcp '$D1' 10.77.0.1 8443"
enf put "$MAC1" clinical
enf close
check "peer closed: exit 0" "[ '$LAST' = 'EXIT 0' ]"
stop_enforcer
check "peer closed: dev1 keeps clinical" "pings '$D1' 10.77.0.2"
check "peer closed: dev2 keeps the default" "! pings '$D2' 10.77.0.2 && pings '$D2' 10.77.0.3"

if [ "$fails" -ne 0 ]; then
	echo "--- enforcer log"; cat "$T/enforcer.log"
	command -v nft >/dev/null 2>&1 && ig nft list ruleset
fi
tap_done
