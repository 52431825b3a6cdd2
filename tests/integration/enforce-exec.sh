#!/bin/sh
# wardgate-enforcer with the exec backend (no privilege needed). A test
# program records how it is called; checked: start, put MAC SEGMENT,
# open MAC FLOW SECONDS, close MAC FLOW, flush, demote at a violation, in
# that order and with exactly those arguments (not run for a flow it
# lacks: NAK UNKNOWN); its environment is PATH alone, standard input /dev/null,
# standard output and error in the enforcer's log, the socket to wardgated
# not inherited, no capabilities and no_new_privs; a failing program
# (exit status, signal, timeout: then killed with its children) is a NAK
# BACKEND, and at start makes the enforcer exit 1; an unsafe or missing
# program is refused at start; contrib/exec's example program works.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfexec.XXXXXX")
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null
	[ -s "$T/grandchild" ] && kill "$(cat "$T/grandchild")" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The program: one line per call in calls, what it saw in *.last files;
# $T/mode says how to behave.
cat >"$T/nac" <<EOF
#!/bin/sh
T='$T'
{ printf 'call'; for a in "\$@"; do printf ' [%s]' "\$a"; done; echo; } >>"\$T/calls"
tr '\\0' '\\n' </proc/\$\$/environ >"\$T/env.last"
readlink /proc/\$\$/fd/0 >"\$T/stdin.last"
for f in /proc/\$\$/fd/*; do readlink "\$f"; done >"\$T/fds.last" 2>/dev/null
grep -E '^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/\$\$/status >"\$T/status.last"
mode=\$(cat "\$T/mode" 2>/dev/null)
case \$mode in
fail) exit 3 ;;
fail-start) [ "\$1" = start ] && exit 4 ;;
signal) kill -KILL \$\$ ;;
hang) sleep 30 & echo \$! >"\$T/grandchild"; wait ;;
out) echo "to-stdout-\$1"; echo "to-stderr-\$1" >&2 ;;
esac
exit 0
EOF
chmod 0755 "$T/nac"
conf exec "backend = exec
exec_program = $T/nac
exec_timeout_ms = 400
default = quarantine
segment clinical = none
segment quarantine = none
segment blocked = none
flow vendor-support = 10.77.0.4 tcp 443"
mode() { printf '%s\n' "$1" >"$T/mode"; }
lastcall() { tail -1 "$T/calls" 2>/dev/null; }

mode ok
check "exec backend starts" "start_enforcer '$ENFORCER' -f '$T/exec.conf'"
check "segments and flows announced" "case '$LAST' in *' segments=clinical,quarantine*,blocked flows=vendor-support') true;; *) false;; esac"
check "program called with start" "[ \"\$(lastcall)\" = 'call [start]' ]"
check "environment: PATH only" \
    "[ \"\$(cat '$T/env.last')\" = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin' ]"
check "standard input: /dev/null" "[ \"\$(cat '$T/stdin.last')\" = /dev/null ]"
check "the socket to wardgated is not inherited" "! grep -q socket '$T/fds.last'"
check "no_new_privs set" "grep -q '^NoNewPrivs:[[:space:]]*1' '$T/status.last'"
check "no capabilities (effective, permitted, ambient)" \
    "[ \$(grep -cE '^Cap(Prm|Eff|Amb):[[:space:]]*0000000000000000$' '$T/status.last') -eq 3 ]"
if [ "$(id -u)" -eq 0 ]; then
	check "started as root: bounding set empty too" \
	    "grep -qE '^CapBnd:[[:space:]]*0000000000000000$' '$T/status.last'"
fi

enf put 02:77:00:00:00:10 clinical
check "PUT acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
check "program called with put MAC SEGMENT" \
    "[ \"\$(lastcall)\" = 'call [put] [02:77:00:00:00:10] [clinical]' ]"
enf put 02:77:00:00:00:11 blocked
check "second PUT" "[ \"\$(lastcall)\" = 'call [put] [02:77:00:00:00:11] [blocked]' ]"
enf open 02:77:00:00:00:10 vendor-support 7200
check "OPEN acknowledged" "case '$LAST' in 'ACK seq=3 '*) true;; *) false;; esac"
check "program called with open MAC FLOW SECONDS" \
    "[ \"\$(lastcall)\" = 'call [open] [02:77:00:00:00:10] [vendor-support] [7200]' ]"
enf close 02:77:00:00:00:10 vendor-support
check "CLOSE acknowledged" "case '$LAST' in 'ACK seq=4 '*) true;; *) false;; esac"
check "program called with close MAC FLOW" \
    "[ \"\$(lastcall)\" = 'call [close] [02:77:00:00:00:10] [vendor-support]' ]"
enf open 02:77:00:00:00:10 nosuch 60
check "OPEN of a flow not in enforcer.conf: NAK UNKNOWN" "[ '$LAST' = 'NAK seq=5 reason=UNKNOWN' ]"
check "... and the program is not run for it" \
    "[ \"\$(lastcall)\" = 'call [close] [02:77:00:00:00:10] [vendor-support]' ]"

mode out
enf put 02:77:00:00:00:12 quarantine
check "its standard output goes to the enforcer's log" \
    "grep -qx 'to-stdout-put' '$T/enforcer.log'"
check "its standard error goes to the enforcer's log" \
    "grep -qx 'to-stderr-put' '$T/enforcer.log'"

mode fail
enf put 02:77:00:00:00:13 clinical
check "exit status 3: NAK BACKEND" "[ '$LAST' = 'NAK seq=7 reason=BACKEND' ]"
check "exit status logged" "grep -q 'PUT 02:77:00:00:00:13 clinical (seq 7): refused: put: exit status 3' '$T/enforcer.log'"

mode signal
enf put 02:77:00:00:00:13 clinical
check "killed by a signal: NAK BACKEND" "[ '$LAST' = 'NAK seq=8 reason=BACKEND' ]"
check "signal logged" "grep -q 'refused: put: killed by signal 9' '$T/enforcer.log'"

mode hang
t0=$(date +%s%N)
enf put 02:77:00:00:00:13 clinical
t1=$(date +%s%N)
check "timeout: NAK BACKEND" "[ '$LAST' = 'NAK seq=9 reason=BACKEND' ]"
check "timeout: answered within 400 ms + 1.5 s" "[ \$(( ($t1 - $t0) / 1000000 )) -lt 1900 ]"
check "timeout logged" "grep -q 'refused: put: timed out after 400 ms, killed' '$T/enforcer.log'"
sleep 0.2
# Killed: gone, or a zombie when no init reaps orphans (containers).
dead() { [ ! -e "/proc/$1/stat" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat")" = Z ]; }
check "timeout: its child (same process group) was killed too" \
    "[ -s '$T/grandchild' ] && dead \$(cat '$T/grandchild')"

mode ok
enf list
check "LIST: only what was acknowledged" \
    "case '$LAST' in 'ACK seq=10 '*' n=3 entries=02:77:00:00:00:10/clinical,02:77:00:00:00:11/blocked,02:77:00:00:00:12/quarantine') true;; *) false;; esac"
enf flush
check "FLUSH acknowledged" "case '$LAST' in 'ACK seq=11 '*) true;; *) false;; esac"
check "program called with flush" "[ \"\$(lastcall)\" = 'call [flush]' ]"
mode fail
enf flush
check "failing flush: NAK BACKEND" "[ '$LAST' = 'NAK seq=12 reason=BACKEND' ]"
enf open 02:77:00:00:00:10 vendor-support 60
check "failing open: NAK BACKEND" "[ '$LAST' = 'NAK seq=13 reason=BACKEND' ]"
check "failing open logged" \
    "grep -q 'OPEN 02:77:00:00:00:10 vendor-support (seq 13): refused: open: exit status 3' '$T/enforcer.log'"
enf close 02:77:00:00:00:10 vendor-support
check "failing close: NAK BACKEND" "[ '$LAST' = 'NAK seq=14 reason=BACKEND' ]"
mode ok
enf put 02:77:00:00:00:10 icu
check "unknown segment: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "unknown segment: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "the program was not called with the unknown segment, then demote" \
    "[ \"\$(tail -2 '$T/calls' | tr '\\n' '|')\" = 'call [close] [02:77:00:00:00:10] [vendor-support]|call [demote]|' ]"

# Failing demotion: exit 1.
check "restart" "start_enforcer '$ENFORCER' -f '$T/exec.conf'"
mode fail
enf raw 00
enf wait
check "violation with a failing demote: exit 1" "[ '$LAST' = 'EXIT 1' ]"
stop_enforcer
check "demotion failure logged" "grep -q 'demotion FAILED: demote: exit status 3' '$T/enforcer.log'"

# --- Start failures ---
mode fail-start
start_enforcer "$ENFORCER" -f "$T/exec.conf"
check "start fails: no READY, exit 1" "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
check "start failure logged" "grep -q 'backend exec: cannot start: start: exit status 4' '$T/enforcer.log'"
mode hang
start_enforcer "$ENFORCER" -f "$T/exec.conf"
check "start hangs: killed after the timeout, exit 1" \
    "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
mode ok

sed "s|^exec_program = .*|exec_program = $T/absent|" "$T/exec.conf" >"$T/absent.conf"
start_enforcer "$ENFORCER" -f "$T/absent.conf"
check "missing program: exit 1" "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
check "missing program: logged" "grep -q 'exec_program $T/absent: No such file' '$T/enforcer.log'"
cp "$T/nac" "$T/nac-gw"
chmod 0775 "$T/nac-gw"
sed "s|^exec_program = .*|exec_program = $T/nac-gw|" "$T/exec.conf" >"$T/gw.conf"
start_enforcer "$ENFORCER" -f "$T/gw.conf"
check "group-writable program: exit 1" "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"
check "group-writable program: logged with its mode" \
    "grep -q 'nac-gw: owned by uid [0-9]* with mode 0775' '$T/enforcer.log'"
chmod 0644 "$T/nac-gw"
start_enforcer "$ENFORCER" -f "$T/gw.conf"
check "program not executable: exit 1" "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 1 ]"

# --- contrib/exec's example program ---
if command -v logger >/dev/null 2>&1; then
	cp "$WG_SRCDIR/contrib/exec/wardgate-nac-logger" "$T/logger-nac"
	chmod 0755 "$T/logger-nac"
	sed "s|^exec_program = .*|exec_program = $T/logger-nac|" \
	    "$WG_SRCDIR/contrib/exec/enforcer.conf" >"$T/contrib.conf"
	check "contrib example: starts" "start_enforcer '$ENFORCER' -f '$T/contrib.conf'"
	enf put 02:77:00:00:00:10 clinical
	check "contrib example: PUT acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
	enf open 02:77:00:00:00:10 vendor-support 7200
	check "contrib example: OPEN acknowledged" "case '$LAST' in 'ACK seq=2 '*) true;; *) false;; esac"
	enf close 02:77:00:00:00:10 vendor-support
	check "contrib example: CLOSE acknowledged" "case '$LAST' in 'ACK seq=3 '*) true;; *) false;; esac"
	enf close
	stop_enforcer
	for args in "put 02:77:00:00:00:10" "put 02:77:00:00:00:1 clinical" \
	    "put 02:77:00:00:00:10 Clinical" "bogus" "start extra" \
	    "open 02:77:00:00:00:10 vendor-support" \
	    "open 02:77:00:00:00:10 vendor-support 0" \
	    "open 02:77:00:00:00:10 vendor-support 604801" \
	    "open 02:77:00:00:00:10 vendor-support 060" \
	    "open 02:77:00:00:00:10 vendor-support 1h" \
	    "open 02:77:00:00:00:10 Vendor 60" \
	    "close 02:77:00:00:00:10" "close 02:77:00:00:00:10 vendor-support 60"; do
		# shellcheck disable=SC2086
		env -i PATH=/usr/bin:/bin "$T/logger-nac" $args >/dev/null 2>&1
		check "contrib example refuses \"$args\"" "[ $? -eq 2 ]"
	done
else
	echo "# SKIP: contrib example: logger not installed"
fi

[ "$fails" -ne 0 ] && { echo "--- enforcer log"; tail -40 "$T/enforcer.log"; echo "--- calls"; cat "$T/calls"; }
tap_done
