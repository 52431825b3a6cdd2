#!/bin/sh
# wardgate-enforcer's own privilege (root only; run in a fresh network
# namespace so that the nft table stays there).
#
# The production model: a copy of the binary with the file capability
# cap_net_admin=ep (mode 0750 root:nogroup), run as user nobody with no
# capabilities of its own (setpriv), driven over a socketpair by enftool.
# Checked: it starts with a root-owned 0644 configuration in a root-owned
# 0755 directory and applies a PUT, holding CAP_NET_ADMIN and nothing
# else (CapEff/CapPrm 0x1000), no_new_privs; it refuses (exit 2, naming
# path and mode) a configuration in a group- or other-writable directory,
# a writable or foreign-owned file, and, without -f, the compiled default
# when that is not safe; the dryrun backend keeps no capability at all.
# Started as root: exactly CAP_NET_ADMIN (0x1000) in every set that
# counts, bounding set included; dryrun: nothing.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfpriv.XXXXXX")
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"
NS=wgpv$$
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: setting file capabilities and becoming nobody need root"
	exit 77
fi
tap_need setcap setpriv ip
if ! ip netns add "$NS" 2>"$T/netns.err"; then
	echo "SKIP: ip netns unavailable: $(cat "$T/netns.err")"
	exit 77
fi
IP=$(command -v ip) SETPRIV=$(command -v setpriv)
# A process that gained capabilities from a file is not dumpable, which
# LeakSanitizer (ASan builds) needs at exit: leaks are other tests' job.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

# --- The binary, as it is installed ---
chmod 0755 "$T"
mkdir "$T/bin" "$T/etc"
cp "$ENFORCER" "$T/bin/wardgate-enforcer"
chown root:65534 "$T/bin/wardgate-enforcer"
chmod 0750 "$T/bin/wardgate-enforcer"
if ! setcap cap_net_admin=ep "$T/bin/wardgate-enforcer" 2>"$T/setcap.err"; then
	echo "SKIP: setcap failed (a file system without capabilities?): $(cat "$T/setcap.err")"
	exit 77
fi
BIN=$T/bin/wardgate-enforcer
chmod 0755 "$T/etc"
conf_text="backend = nft
table = wgpriv
device_ports = d0
default = quarantine
segment clinical = 10.79.0.2
segment quarantine = none"
printf '%s\n' "$conf_text" >"$T/etc/enforcer.conf"
chmod 0644 "$T/etc/enforcer.conf"
printf 'backend = dryrun\nsegment quarantine = none\n' >"$T/etc/dryrun.conf"
chmod 0644 "$T/etc/dryrun.conf"

# field PID NAME: the value of NAME: in /proc/PID/status
field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
as_nobody() {	# enftool runs: ip netns exec NS setpriv (nobody) BIN ARGS
	start_enforcer "$IP" netns exec "$NS" "$SETPRIV" --reuid=65534 \
	    --regid=65534 --clear-groups --inh-caps=-all \
	    -- "$BIN" "$@"
}

# --- As nobody, with the file capability ---
check "nobody + cap_net_admin=ep: starts with a root-owned 0644 file in a root-owned 0755 directory" \
    "as_nobody -f '$T/etc/enforcer.conf'"
pid=$(enf_pid)
echo "  # /proc/$pid/status: Uid $(field "$pid" Uid) CapInh $(field "$pid" CapInh) CapPrm $(field "$pid" CapPrm) CapEff $(field "$pid" CapEff) CapBnd $(field "$pid" CapBnd) CapAmb $(field "$pid" CapAmb) NoNewPrivs $(field "$pid" NoNewPrivs)"
check "it runs as nobody" "[ \"\$(field $pid Uid)\" = 65534 ]"
check "CapEff is exactly CAP_NET_ADMIN (0x1000)" "[ \"\$(field $pid CapEff)\" = 0000000000001000 ]"
check "CapPrm is exactly CAP_NET_ADMIN" "[ \"\$(field $pid CapPrm)\" = 0000000000001000 ]"
check "nothing inheritable or ambient" \
    "[ \"\$(field $pid CapInh)\" = 0000000000000000 ] && [ \"\$(field $pid CapAmb)\" = 0000000000000000 ]"
check "no_new_privs" "[ \"\$(field $pid NoNewPrivs)\" = 1 ]"
enf put 02:79:00:00:00:10 clinical
check "a PUT is applied (nft, CAP_NET_ADMIN at work)" \
    "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
check "the MAC is in the set" \
    "ip netns exec '$NS' nft list set bridge wgpriv s_clinical | grep -q 02:79:00:00:00:10"
enf close
stop_enforcer
check "the capabilities are logged" "grep -q 'backend nft, capabilities \"cap_net_admin=ep\"' '$T/enforcer.log'"

check "nobody + file capability, dryrun: starts" "as_nobody -f '$T/etc/dryrun.conf'"
pid=$(enf_pid)
check "dryrun: no capability left (CapEff, CapPrm 0)" \
    "[ \"\$(field $pid CapEff)\" = 0000000000000000 ] && [ \"\$(field $pid CapPrm)\" = 0000000000000000 ]"
enf close
stop_enforcer

# --- Unsafe configurations are refused in secure-execution mode ---
refused() {	# LABEL NEEDLE ARGS...: start as nobody fails, exit 2, NEEDLE logged
	_l=$1 _needle=$2; shift 2
	: >"$T/enforcer.log"
	as_nobody "$@"
	_st=$(start_status)
	if [ "$_st" = 2 ] && grep -q -- "$_needle" "$T/enforcer.log"; then
		ok "refused: $_l"
	else
		notok "refused: $_l (exit $_st: $(cat "$T/enforcer.log"))"
	fi
}
mkdir "$T/gw" "$T/ow" "$T/safe"
for d in gw:0775 ow:0757 safe:0755; do
	cp "$T/etc/enforcer.conf" "$T/${d%:*}/enforcer.conf"
	chmod 0644 "$T/${d%:*}/enforcer.conf"
	chmod "${d#*:}" "$T/${d%:*}"
done
refused "a group-writable directory (0775)" \
    "$T/gw: directory owned by uid 0 with mode 0775" -f "$T/gw/enforcer.conf"
refused "an other-writable directory (0757)" \
    "$T/ow: directory owned by uid 0 with mode 0757" -f "$T/ow/enforcer.conf"
chmod 0664 "$T/safe/enforcer.conf"
refused "a group-writable file (0664)" \
    "$T/safe/enforcer.conf: file owned by uid 0 with mode 0664" -f "$T/safe/enforcer.conf"
chmod 0644 "$T/safe/enforcer.conf"
chown 65534 "$T/safe/enforcer.conf"
refused "a file owned by nobody" \
    "$T/safe/enforcer.conf: file owned by uid 65534" -f "$T/safe/enforcer.conf"
chown 0 "$T/safe/enforcer.conf"
chown 65534 "$T/safe"
refused "a directory owned by nobody" \
    "$T/safe: directory owned by uid 65534" -f "$T/safe/enforcer.conf"
chown 0 "$T/safe"
# -n checks the same way.
"$IP" netns exec "$NS" "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all -- "$BIN" -n -f "$T/gw/enforcer.conf" >/dev/null 2>"$T/n.err"
check "-n: refused too, exit 2" "[ $? -eq 2 ] && grep -q 'mode 0775' '$T/n.err'"
"$IP" netns exec "$NS" "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all -- "$BIN" -n -f "$T/safe/enforcer.conf" >/dev/null 2>"$T/n.err"
check "-n: a safe file is accepted" "[ $? -eq 0 ]"
# Without -f: the compiled default, under the same rules.
# (Its path, from what the enforcer says when root runs it without -f.)
default=$("$ENFORCER" -n 2>&1 >/dev/null | sed -n 's|^wardgate-enforcer: \(/[^:]*/wardgate/enforcer.conf\): .*|\1|p')
if [ -n "$default" ] && [ ! -e "$default" ]; then
	"$IP" netns exec "$NS" "$SETPRIV" --reuid=65534 --regid=65534 \
	    --clear-groups --inh-caps=-all -- "$BIN" -n >/dev/null 2>"$T/n.err"
	check "no -f: the compiled default $default, checked (absent here: exit 2)" \
	    "[ $? -eq 2 ] && grep -q 'secure-execution mode: $default' '$T/n.err'"
else
	echo "# SKIP: the compiled default ${default:-?} exists here; not touched"
fi

# --- Started as root: everything but CAP_NET_ADMIN dropped ---
: >"$T/enforcer.log"
check "root: starts" "start_enforcer '$IP' netns exec '$NS' '$ENFORCER' -f '$T/etc/enforcer.conf'"
pid=$(enf_pid)
echo "  # /proc/$pid/status: Uid $(field "$pid" Uid) CapInh $(field "$pid" CapInh) CapPrm $(field "$pid" CapPrm) CapEff $(field "$pid" CapEff) CapBnd $(field "$pid" CapBnd) CapAmb $(field "$pid" CapAmb) NoNewPrivs $(field "$pid" NoNewPrivs)"
check "root: CapEff is exactly 0x1000 (net_admin)" "[ \"\$(field $pid CapEff)\" = 0000000000001000 ]"
check "root: CapPrm and the bounding set too" \
    "[ \"\$(field $pid CapPrm)\" = 0000000000001000 ] && [ \"\$(field $pid CapBnd)\" = 0000000000001000 ]"
check "root: nothing inheritable or ambient; no_new_privs" \
    "[ \"\$(field $pid CapInh)\" = 0000000000000000 ] && [ \"\$(field $pid CapAmb)\" = 0000000000000000 ] && [ \"\$(field $pid NoNewPrivs)\" = 1 ]"
enf put 02:79:00:00:00:10 clinical
check "root: a PUT is applied" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
enf close
stop_enforcer

check "root, dryrun: starts" "start_enforcer '$ENFORCER' -f '$T/etc/dryrun.conf'"
pid=$(enf_pid)
check "root, dryrun: no capability in any set, bounding included" \
    "[ \"\$(field $pid CapEff)\" = 0000000000000000 ] && [ \"\$(field $pid CapPrm)\" = 0000000000000000 ] && [ \"\$(field $pid CapBnd)\" = 0000000000000000 ]"
enf close
stop_enforcer

[ "$fails" -ne 0 ] && { echo "--- enforcer log"; tail -30 "$T/enforcer.log"; }
tap_done
