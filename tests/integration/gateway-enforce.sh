#!/bin/sh
# Network enforcement end to end, with real traffic: an unprivileged
# wardgated spawns wardgate-enforcer (file capability cap_net_admin only),
# and a device with its swtpm and the real agent sits behind the gateway's
# bridge.
#
#   gateway ns   br0 10.77.0.1 (wardgated on 8443), bridge port dev0
#   device ns    10.77.0.10, MAC 02:77:00:00:00:10, swtpm + wardgate-agent
#   clinical ns  10.77.0.2, listeners on 9000 and 9001
#   remed. ns    10.77.0.3, listener on 80
#
# Checked: privileges (wardgated has no capability, the enforcer exactly
# CAP_NET_ADMIN); before attestation the device reaches only the gateway's
# attestation port and the remediation server; trusted, it reaches the
# clinical server; the enforcer killed is restarted and reconciled; a
# wardgated restart reconciles; a tampered boot cuts it off within a
# second; a clinical hold opens only its named flow and expires by
# itself; a field-service window opens its flow for a bounded time and
# is closed by the kernel even while wardgated is stopped; while the
# enforcer cannot start no device is promoted, and
# once it is back the device is.
#
# The script runs itself again inside the device namespace, so that the
# TPM (swtpm on 127.0.0.1) and the agent are on the device.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"

. "$WG_SRCDIR/tests/integration/tap-lib.sh"

if [ -z "${WG_ENF_INNER:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: not root: network namespaces, nftables and file capabilities need root"
		exit 77
	fi
	tap_need ip nc swtpm swtpm_setup swtpm_ioctl tpm2_pcrextend \
	    tpm2_startup setcap setpriv jq openssl
	S=$$
	G=wgeg$S D=wged$S C=wgec$S R=wger$S
	if ! ip netns add "$G" 2>/dev/null; then
		echo "SKIP: ip netns unavailable"
		exit 77
	fi
	cleanup_ns() {
		for ns in "$D" "$C" "$R" "$G"; do
			for p in $(ip netns pids "$ns" 2>/dev/null); do
				kill "$p" 2>/dev/null
			done
		done
		sleep 0.2
		for ns in "$D" "$C" "$R" "$G"; do
			for p in $(ip netns pids "$ns" 2>/dev/null); do
				kill -9 "$p" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
		done
	}
	trap cleanup_ns EXIT
	trap 'exit 1' INT TERM
	ig() { ip netns exec "$G" "$@"; }
	ig ip link set lo up
	ig ip link add br0 type bridge
	ig ip addr add 10.77.0.1/24 dev br0
	ig ip link set br0 up
	join() {	# NS PORT ADDRESS [MAC]
		[ "$1" = "$G" ] || ip netns add "$1"
		ig ip link add "$2" type veth peer name eth0 netns "$1"
		ig ip link set "$2" master br0 up
		[ $# -ge 4 ] && ip netns exec "$1" ip link set eth0 address "$4"
		ip netns exec "$1" ip addr add "$3/24" dev eth0
		ip netns exec "$1" ip link set eth0 up
		ip netns exec "$1" ip link set lo up
	}
	join "$D" dev0 10.77.0.10 02:77:00:00:00:10
	join "$C" cli0 10.77.0.2
	join "$R" rem0 10.77.0.3
	ip netns exec "$C" nc -lk 10.77.0.2 9000 >/dev/null 2>&1 &
	ip netns exec "$C" nc -lk 10.77.0.2 9001 >/dev/null 2>&1 &
	ip netns exec "$R" nc -lk 10.77.0.3 80 >/dev/null 2>&1 &
	WG_ENF_INNER=1 WG_ENF_GW=$G ip netns exec "$D" sh "$0"
	rc=$?
	exit "$rc"
fi

# ---- inside the device namespace ----
. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

G=$WG_ENF_GW
AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-genf.XXXXXX")
chmod 755 "$T"
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# The programs, where user nobody may run them; the enforcer gets its
# capability from the file, as installed (contrib/systemd/README.md).
mkdir -p "$T/bin" "$T/etc"
cp "$WG_BUILDDIR/verifier/wardgated" "$WG_BUILDDIR/verifier/wardgate-enforcer" \
    "$T/bin/" || exit 1
chmod 755 "$T/bin" "$T/bin/wardgated"
chown root:nogroup "$T/bin/wardgate-enforcer"
chmod 750 "$T/bin/wardgate-enforcer"
setcap cap_net_admin=ep "$T/bin/wardgate-enforcer" || exit 1
cat >"$T/etc/enforcer.conf" <<'EOF'
backend = nft
table = wardgate_e2e
device_ports = dev0
default = quarantine
segment clinical      = 10.77.0.1 tcp 8443, 10.77.0.2, 10.77.0.3
segment clinical-hold = 10.77.0.1 tcp 8443, 10.77.0.2 tcp 9000, 10.77.0.3
segment quarantine    = 10.77.0.1 tcp 8443, 10.77.0.3
segment blocked       = none
flow vendor-support   = 10.77.0.2 tcp 9001
EOF
chmod 644 "$T/etc/enforcer.conf"
chmod 755 "$T/etc"

# --- the device's TPM and boot ---
CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
chmod 755 "$T/ca"
chmod 644 "$CA"
swtpm_ca_setup "$T/ca" "$T/tpm" >/dev/null || exit 1
swtpm_ca_start A "$T/tpm" || exit 1
TCTI=$TCTI_A
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$T/log.bin"
TPM2TOOLS_TCTI=$TCTI simboot "$T/log.bin" || exit 1

# --- the gateway, unprivileged, in its namespace ---
GW_IP=10.77.0.1 GW_LISTEN_PORT=8443 GW_OWNER=nobody:nogroup
GW_WARDGATED="$T/bin/wardgated"
GW_EXEC="ip netns exec $G setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all"
gw_start "$T/gw" "$CA" "policy_required = no" "attest_interval = 300" \
    "enforcer = $T/bin/wardgate-enforcer" \
    "enforcer_conf = $T/etc/enforcer.conf" || exit 1

check "enforcer started and reconciled (in force)" "gw_enf_wait 10"
EPID=$(gw_enf pid)
caps() { sed -n "s/^CapEff:[[:space:]]*//p" "/proc/$1/status"; }
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }
check "wardgated runs as nobody with no capability" \
    "[ \"\$(uid_of $WG_GW_PID)\" = 65534 ] || [ \"\$(uid_of \$(pgrep -P $WG_GW_PID | head -1))\" = 65534 ]"
GWP=$(pgrep -f "$T/bin/wardgated" | head -1)
check "wardgated: CapEff 0" "[ \"\$(caps $GWP)\" = 0000000000000000 ]"
check "enforcer: CapEff is CAP_NET_ADMIN alone" \
    "[ \"\$(caps $EPID)\" = 0000000000001000 ]"
check "enforcer runs as nobody too" "[ \"\$(uid_of $EPID)\" = 65534 ]"

tcp() { nc -z -w 1 "$1" "$2" >/dev/null 2>&1; }
# The agent hears its verdict once it is committed; the enforcer applies
# it right after. Wait until every change was acknowledged.
settle() {
	# Addresses the device could not resolve while quarantined stay
	# FAILED in its neighbour cache for a while: start from a clean one.
	ip neigh flush all >/dev/null 2>&1
	_i=0
	while [ "$_i" -lt 50 ]; do
		[ "$(gwadm enforcement | jq '.enforcer.queued + .enforcer.in_flight')" = 0 ] &&
		    return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
# reach WANT LABEL: WANT lists what the device must reach among
# gw cli9000 cli9001 rem; everything else must be unreachable.
reach() {
	settle
	_want=" $1 " _got=""
	for _t in gw cli9000 cli9001 rem; do
		case $_t in
		gw) tcp 10.77.0.1 8443 ;;
		cli9000) tcp 10.77.0.2 9000 ;;
		cli9001) tcp 10.77.0.2 9001 ;;
		rem) tcp 10.77.0.3 80 ;;
		esac && _got="$_got $_t"
	done
	_got="$_got "
	if [ "$(echo $_got)" = "$(echo $_want)" ]; then
		ok "$2: reaches [$(echo $_want)]"
	else
		notok "$2: reaches [$(echo $_got)], want [$(echo $_want)]"
	fi
}
# cut_off_within_1s: the clinical server stops answering within one
# second of now (the agent has just heard its verdict).
cut_off_within_1s() {
	_end=$(( $(date +%s%N) + 1000000000 ))
	while [ "$(date +%s%N)" -lt "$_end" ]; do
		nc -z -w 1 10.77.0.2 9000 >/dev/null 2>&1 || return 0
		sleep 0.02
	done
	return 1
}

reach "gw rem" "before attestation (default segment)"

agent() {
	_sub=
	case "$1" in ek|status|quote) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state" \
	    --tcti "$TCTI" --eventlog "$T/log.bin" --hostname monitor-1 "$@"
}
F=$(agent ek | sed -n 's/^ek-fingerprint: //p')
gwadm device provision --name monitor-1 --model "IntelliVue MX450" \
    --owner "ICU bed 4" --mac 02:77:00:00:00:10 --ek-fpr "$F" >/dev/null ||
    exit 1
state() { gwadm device show monitor-1 | jq -r ".$1"; }

agent --once >"$T/a1.out" 2>&1
check "good boot: agent exit 0, trusted" \
    "[ $? -eq 0 ] && [ \"\$(state state)\" = trusted ]"
reach "gw cli9000 cli9001 rem" "trusted"

# --- the enforcer dies: restarted, reconciled ---
kill -9 "$EPID"
sleep 0.3
check "killed enforcer restarted and in force again" "gw_enf_wait 10"
check "it is a new process" "[ \"\$(gw_enf pid)\" != $EPID ] && [ \"\$(gw_enf failures)\" -ge 1 ]"
reach "gw cli9000 cli9001 rem" "trusted, after the enforcer restart"

# --- wardgated restarts: the enforcer is started again and reconciled ---
gw_stop
gw_start "$T/gw" "$CA" "policy_required = no" "attest_interval = 300" \
    "enforcer = $T/bin/wardgate-enforcer" \
    "enforcer_conf = $T/etc/enforcer.conf" || exit 1
check "after a wardgated restart the enforcer is in force" "gw_enf_wait 10"
reach "gw cli9000 cli9001 rem" "trusted, after a wardgated restart"

# --- tampered boot: cut off within a second ---
TPM2TOOLS_TCTI=$TCTI tpm2_pcrextend \
    4:sha256=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64) \
    >/dev/null || exit 1
agent --once >"$T/a2.out" 2>&1
check "tampered boot: agent exit 1, untrusted" \
    "[ $? -eq 1 ] && [ \"\$(state state)\" = untrusted ]"
check "clinical server cut off within a second" "cut_off_within_1s"
reach "gw rem" "untrusted (quarantine)"

# --- clinical hold: the named flow only, recorded, released ---
gwadm hold monitor-1 --until +10m --reason "bed 4: surgery in progress" \
    >"$T/h1.out" 2>&1
check "hold granted" "[ $? -eq 0 ] && [ \"\$(state segment)\" = clinical-hold ]"
check "hold recorded with who and why" \
    "gwadm device show monitor-1 | jq -e '.hold.reason == \"bed 4: surgery in progress\" and (.hold.granted_by | startswith(\"admin:uid=\"))' >/dev/null"
reach "gw cli9000 rem" "held (clinical flow 9000 only)"
check "state stays untrusted while held" "[ \"\$(state state)\" = untrusted ]"
gwadm hold monitor-1 --until +2d --reason "too long" >/dev/null 2>&1
check "a hold longer than hold_max is refused (exit 1)" "[ $? -eq 1 ]"
gwadm hold monitor-1 --until 2001-01-01T00:00Z --reason "past" >/dev/null 2>&1
check "a hold ending in the past is refused (exit 1)" "[ $? -eq 1 ]"
gwadm hold monitor-1 --until tomorrow --reason "vague" >/dev/null 2>&1
check "an unreadable end time is a usage error (exit 2)" "[ $? -eq 2 ]"
gwadm hold monitor-1 --until +1h >/dev/null 2>&1
check "a hold without a reason is a usage error (exit 2)" "[ $? -eq 2 ]"
check "refused holds left the device held as before" \
    "gwadm device show monitor-1 | jq -e '.hold.reason == \"bed 4: surgery in progress\"' >/dev/null"
gwadm hold --release monitor-1 >/dev/null 2>&1
check "hold released" "[ $? -eq 0 ] && [ \"\$(state segment)\" = quarantine ]"
reach "gw rem" "after release"
gwadm hold monitor-1 --until +6s --reason "short procedure" >/dev/null 2>&1
settle
check "short hold in effect" "[ \"\$(state segment)\" = clinical-hold ] && tcp 10.77.0.2 9000"
sleep 8.5
check "the hold expired by itself" \
    "[ \"\$(state segment)\" = quarantine ] && [ \"\$(state hold)\" = null ]"
check "after expiry the clinical flow is closed" "! tcp 10.77.0.2 9000"

# --- field service: a named flow for a bounded time, closed by the kernel ---
gwadm service open monitor-1 --flow vendor-support --until +4s \
    --approved-by "Dr. A. Weber (biomed)" --reason "remote diagnosis" >/dev/null 2>&1
check "field-service window opened" "[ $? -eq 0 ]"
reach "gw cli9001 rem" "quarantined with the vendor-support flow (9001) open"
sleep 6
check "the window closed by itself (gateway sweep)" \
    "[ \"\$(gwadm service list --json | jq length)\" = 0 ]"
reach "gw rem" "after the window ended"
# The kernel closes a window even when wardgated cannot: stop it while
# the window runs and the flow must still close on time.
GWNOW=$(pgrep -f "$T/bin/wardgated" | head -1)
gwadm service open monitor-1 --flow vendor-support --until +3s \
    --approved-by "Dr. A. Weber (biomed)" --reason "second look" >/dev/null 2>&1
settle
check "second window open" "tcp 10.77.0.2 9001"
kill -STOP "$GWNOW"
sleep 5
check "closed by the kernel's timeout while wardgated is stopped" "! tcp 10.77.0.2 9001"
kill -CONT "$GWNOW"
check "then the gateway records the end" \
    "_i=0; while [ \$_i -lt 50 ] && [ \"\$(gwadm service list --json | jq length)\" != 0 ]; do sleep 0.1; _i=\$((_i + 1)); done;
    gwadm device show monitor-1 | jq -e '[.service[] | select(.closed_by == \"gateway\")] | length == 2' >/dev/null"

# --- the enforcer cannot start: nobody is promoted ---
swtpm_ioctl --tcp "127.0.0.1:$(( ${TCTI##*port=} + 1 ))" -i >/dev/null 2>&1 &&
    TPM2TOOLS_TCTI=$TCTI tpm2_startup -c >/dev/null 2>&1 &&
    TPM2TOOLS_TCTI=$TCTI simboot "$T/log.bin" || exit 1
mv "$T/etc/enforcer.conf" "$T/etc/enforcer.conf.off"
kill -9 "$(gw_enf pid)"
sleep 1
check "enforcer not in force while it cannot start" \
    "[ \"\$(gw_enf in_force)\" = false ]"
agent --once >"$T/a3.out" 2>&1
rc=$?
check "good boot while enforcement is down: refused, not promoted" \
    "[ $rc -ne 0 ] && [ \"\$(state state)\" = untrusted ]"
check "the agent was told why (ENFORCER_DOWN)" "grep -q ENFORCER_DOWN '$T/a3.out'"
reach "gw rem" "still quarantined"
mv "$T/etc/enforcer.conf.off" "$T/etc/enforcer.conf"
check "enforcer back once its configuration is" "gw_enf_wait 15"
agent --once >"$T/a4.out" 2>&1
check "then the good boot is trusted" \
    "[ $? -eq 0 ] && [ \"\$(state state)\" = trusted ]"
reach "gw cli9000 cli9001 rem" "trusted again"

# --- a segment wardgated.conf names that enforcer.conf lacks ---
gw_stop
gw_start "$T/gw" "$CA" "policy_required = no" "attest_interval = 300" \
    "segment_hold = surgery-hold" \
    "enforcer = $T/bin/wardgate-enforcer" \
    "enforcer_conf = $T/etc/enforcer.conf" || exit 1
sleep 1
check "mismatched segment names: not in force, and says which" \
    "[ \"\$(gw_enf state)\" = misconfigured ] && gw_enf reason | grep -q surgery-hold"

# --- the enforcer started by a service manager: wardgated connects ---
# (systemd's socket unit with Accept=yes; here systemd-socket-activate)
gw_stop
if command -v systemd-socket-activate >/dev/null 2>&1; then
	ip netns exec "$G" systemd-socket-activate --seqpacket --accept \
	    -l "$T/enforcer.sock" "$T/bin/wardgate-enforcer" \
	    -f "$T/etc/enforcer.conf" >"$T/socket-activate.log" 2>&1 &
	SA_PID=$!
	i=0
	while [ ! -S "$T/enforcer.sock" ] && [ "$i" -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	chown nobody "$T/enforcer.sock"
	chmod 600 "$T/enforcer.sock"
	gw_start "$T/gw" "$CA" "policy_required = no" \
	    "attest_interval = 300" "enforcer = unix:$T/enforcer.sock" || exit 1
	check "connected to a socket-activated enforcer, in force" "gw_enf_wait 10"
	reach "gw cli9000 cli9001 rem" "trusted, socket-activated enforcer"
	EPID=$(pgrep -P "$SA_PID" | head -1)
	kill -9 "$EPID" 2>/dev/null
	sleep 0.5
	check "its enforcer killed: wardgated reconnects, in force again" \
	    "gw_enf_wait 10 && [ \"\$(gw_enf starts)\" -ge 2 ]"
	reach "gw cli9000 cli9001 rem" "trusted, after reconnecting"
	gw_stop
	kill "$SA_PID" 2>/dev/null
	wait "$SA_PID" 2>/dev/null
else
	echo "# SKIP socket-activated enforcer: systemd-socket-activate not installed"
fi

if [ "$fails" -ne 0 ]; then
	echo "--- wardgated.log"; tail -40 "$T/gw/wardgated.log"
	echo "--- agent"; cat "$T/a3.out" "$T/a4.out"
fi
tap_done
