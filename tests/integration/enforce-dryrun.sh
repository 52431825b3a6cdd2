#!/bin/sh
# wardgate-enforcer without privilege: the configuration of every backend
# (what -n accepts and refuses, normalised forms that parse again, the
# shipped examples), and the protocol core through the dryrun backend:
# SEGMENT and FLOW announcements before the ready ACK, PUT/LIST/FLUSH, the
# FULL refusal, OPEN/CLOSE of field-service flows (no device-table entry,
# NAK UNKNOWN for a flow it lacks, seconds out of range a violation), a
# table of a million devices with PUTs that do not slow down as it fills,
# a violation (demote, exit 3), end of input and signals; flow lines: the
# rules on names and values, and the bridge backend refuses them.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-enfdry.XXXXXX")
. "$WG_SRCDIR/tests/integration/enforce-lib.sh"
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- Shipped examples and normalised forms ---
good_conf "contrib/nftables/enforcer.conf" "$WG_SRCDIR/contrib/nftables/enforcer.conf"
good_conf "contrib/exec/enforcer.conf" "$WG_SRCDIR/contrib/exec/enforcer.conf"
# Every segment wardgated.conf's defaults name must be in each example,
# or a gateway set up from them stays "misconfigured" and promotes nobody.
for ex in nftables exec; do
	for seg in clinical quarantine blocked clinical-hold; do
		check "contrib/$ex/enforcer.conf has the default segment $seg" \
		    "'$ENFORCER' -n -f '$WG_SRCDIR/contrib/$ex/enforcer.conf' | grep -q '^segment $seg '"
	done
done
check "without a backend line the backend is nft" \
    "'$ENFORCER' -n -f '$WG_SRCDIR/contrib/nftables/enforcer.conf' | grep -qx 'backend = nft'"
conf dry "backend = dryrun
max_devices = 3
default = quarantine
segment clinical = 10.77.0.2, 10.77.0.1 tcp 8443
segment quarantine = 10.77.0.1 tcp 8443
segment lab = vlan 20
segment blocked = none
flow vendor-support = 10.77.0.4 tcp 443
flow  lab-printer	=  10.77.0.9 , 10.77.0.10 udp 9100"
good_conf "dryrun, nft targets, vlan and none, two flows" "$T/dry.conf"
check "dryrun: flows in normalised form, after the segments" \
    "'$ENFORCER' -n -f '$T/dry.conf' | tail -2 | tr '\\n' '|' | grep -qx 'flow vendor-support = 10.77.0.4 tcp 443|flow lab-printer = 10.77.0.9, 10.77.0.10 udp 9100|'"
conf bridge "# backend after other keys: read first anyway
bridge = br0
device_ports = dev0 dev1	dev2
segment clinical = vlan 10
segment quarantine = vlan 20
segment blocked = none
backend = bridge
default = quarantine"
good_conf "bridge" "$T/bridge.conf"
check "bridge: normalised form" "'$ENFORCER' -n -f '$T/bridge.conf' | tr '\\n' '|' | grep -qx 'backend = bridge|max_devices = 65536|bridge = br0|device_ports = dev0 dev1 dev2|default = quarantine|segment clinical = vlan 10|segment quarantine = vlan 20|segment blocked = none|'"
conf exec "backend = exec
exec_program = /usr/bin/true
exec_timeout_ms = 100
segment quarantine = none"
good_conf "exec, shortest timeout" "$T/exec.conf"
conf max "backend = dryrun
max_devices = 1000000
segment quarantine = none"
good_conf "max_devices = 1000000" "$T/max.conf"
segs=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	segs="${segs}segment s$i = none
"
done
conf sixteen "backend = dryrun
default = s16
$segs"
good_conf "16 segments" "$T/sixteen.conf"
flows=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	flows="${flows}flow f$i = 10.0.0.$i
"
done
conf sixteenflows "backend = dryrun
segment quarantine = none
$flows"
good_conf "16 flows" "$T/sixteenflows.conf"
conf execflow "backend = exec
exec_program = /usr/bin/true
segment quarantine = none
flow vendor-support = 10.77.0.4 tcp 443"
good_conf "exec with a flow" "$T/execflow.conf"
check "-p prints the nft ruleset" \
    "'$ENFORCER' -p -f '$WG_SRCDIR/contrib/nftables/enforcer.conf' | grep -q '^add set bridge wardgate s_clinical'"
"$ENFORCER" -p -f "$T/dry.conf" >/dev/null 2>"$T/p.err"
check "-p with a backend that has no rules: exit 2" \
    "[ $? -eq 2 ] && grep -q 'dryrun backend has no rules' '$T/p.err'"

# --- Refused configurations ---
bad_conf "bridge: a flow line" "backend = bridge
bridge = br0
device_ports = d0
segment quarantine = vlan 10
flow vendor-support = 10.77.0.4 tcp 443" "the bridge backend cannot open field-service flows"
bad_conf "flow none" "backend = dryrun
segment quarantine = none
flow vendor-support = none" "a flow must reach something"
bad_conf "nft: flow none" "device_ports = d0
segment quarantine = 10.0.0.3
flow vendor-support = none" "a flow must reach something"
bad_conf "flow with no value" "backend = dryrun
segment quarantine = none
flow vendor-support =" "a flow must reach something"
bad_conf "flow named like a segment" "backend = dryrun
flow quarantine = 10.0.0.4
segment quarantine = none" "flow quarantine: a segment has that name"
bad_conf "flow twice" "backend = dryrun
segment quarantine = none
flow vendor-support = 10.0.0.4
flow vendor-support = 10.0.0.5" "flow vendor-support given twice"
bad_conf "17 flows" "backend = dryrun
segment quarantine = none
${flows}flow f17 = 10.0.0.17" "more than 16 flows"
bad_conf "flow name upper case" "backend = dryrun
segment quarantine = none
flow Vendor = 10.0.0.4" "name not"
bad_conf "flow name with a leading dash" "backend = dryrun
segment quarantine = none
flow -vendor = 10.0.0.4" "name not"
bad_conf "flow name of 33 bytes" "backend = dryrun
segment quarantine = none
flow aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 10.0.0.4" "name not"
bad_conf "dryrun: flow as a vlan" "backend = dryrun
segment quarantine = none
flow vendor-support = vlan 20" "target 1"
bad_conf "nft: flow with a bad target" "device_ports = d0
segment quarantine = 10.0.0.3
flow vendor-support = 10.0.0.4 tcp 0" "target 1"
bad_conf "exec: flow none" "backend = exec
exec_program = /usr/bin/true
segment quarantine = none
flow vendor-support = none" "a flow must reach something"
bad_conf "unknown backend" "backend = iptables
segment quarantine = none" "not one of nft, bridge, exec, dryrun"
bad_conf "backend twice" "backend = dryrun
backend = dryrun
segment quarantine = none" "backend given twice"
bad_conf "nft key with the dryrun backend" "backend = dryrun
table = x
segment quarantine = none" "unknown key \"table\" (backend dryrun)"
bad_conf "no segment" "backend = dryrun" "no segment"
bad_conf "17 segments" "backend = dryrun
${segs}segment s17 = none" "more than 16 segments"
bad_conf "default not defined" "backend = dryrun
default = lobby
segment quarantine = none" "segment lobby is not defined"
bad_conf "max_devices above a million" "backend = dryrun
max_devices = 1000001
segment quarantine = none" "max_devices"
bad_conf "max_devices 0" "backend = dryrun
max_devices = 0
segment quarantine = none" "max_devices"
bad_conf "dryrun: bad target" "backend = dryrun
segment quarantine = 10.0.0.300" "target 1"
bad_conf "exec: no program" "backend = exec
segment quarantine = none" "exec_program missing"
bad_conf "exec: relative program" "backend = exec
exec_program = bin/nac
segment quarantine = none" "absolute path"
bad_conf "exec: program with a blank" "backend = exec
exec_program = /usr/bin/nac --flag
segment quarantine = none" "absolute path"
bad_conf "exec: program with .." "backend = exec
exec_program = /usr/../tmp/nac
segment quarantine = none" "absolute path"
bad_conf "exec: timeout 99" "backend = exec
exec_program = /usr/bin/true
exec_timeout_ms = 99
segment quarantine = none" "100 to 60000"
bad_conf "exec: timeout 60001" "backend = exec
exec_program = /usr/bin/true
exec_timeout_ms = 60001
segment quarantine = none" "100 to 60000"
bad_conf "exec: segment with targets" "backend = exec
exec_program = /usr/bin/true
segment quarantine = 10.0.0.3" "takes \"none\""
bad_conf "bridge: vlan 0" "backend = bridge
bridge = br0
device_ports = d0
segment quarantine = vlan 0" "vlan N"
bad_conf "bridge: vlan 4095" "backend = bridge
bridge = br0
device_ports = d0
segment quarantine = vlan 4095" "vlan N"
bad_conf "bridge: vlan word" "backend = bridge
bridge = br0
device_ports = d0
segment quarantine = vlan ten" "vlan N"
bad_conf "bridge: targets" "backend = bridge
bridge = br0
device_ports = d0
segment quarantine = 10.0.0.3" "vlan N"
bad_conf "bridge: two segments, one vlan" "backend = bridge
bridge = br0
device_ports = d0
segment clinical = vlan 10
segment quarantine = vlan 10" "another segment"
bad_conf "bridge: no bridge" "backend = bridge
device_ports = d0
segment quarantine = vlan 10" "bridge missing"
bad_conf "bridge: no device ports" "backend = bridge
bridge = br0
segment quarantine = vlan 10" "device_ports missing"
bad_conf "bridge: the bridge as a device port" "backend = bridge
bridge = br0
device_ports = d0 br0
segment quarantine = vlan 10" "the bridge itself"
bad_conf "bridge: bad bridge name" "backend = bridge
bridge = br/0
device_ports = d0
segment quarantine = vlan 10" "interface name"

# --- The protocol, dryrun backend ---
check "dryrun starts without privilege needed" \
    "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
check "segments announced in file order, quarantine the default, then flows" \
    "case '$LAST' in *' segments=clinical,quarantine*,lab,blocked flows=vendor-support,lab-printer') true;; *) false;; esac"
enf put 02:77:00:00:00:10 clinical
check "PUT acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
check "the change is logged as a dry run" \
    "grep -q 'dry-run: PUT 02:77:00:00:00:10 clinical' '$T/enforcer.log'"
enf put 02:77:00:00:00:11 lab
enf put 02:77:00:00:00:12 blocked
check "third device acknowledged" "case '$LAST' in 'ACK seq=3 '*) true;; *) false;; esac"
enf put 02:77:00:00:00:13 clinical
check "fourth device: NAK FULL (max_devices 3)" "[ '$LAST' = 'NAK seq=4 reason=FULL' ]"
# A window needs no device-table entry: OPEN for that fourth device.
enf open 02:77:00:00:00:13 vendor-support 7200
check "OPEN for a device not in the full table: acknowledged" \
    "case '$LAST' in 'ACK seq=5 '*) true;; *) false;; esac"
check "OPEN logged as a dry run" \
    "grep -q 'dry-run: OPEN 02:77:00:00:00:13 vendor-support for 7200 s' '$T/enforcer.log'"
enf close 02:77:00:00:00:13 vendor-support
check "CLOSE acknowledged" "case '$LAST' in 'ACK seq=6 '*) true;; *) false;; esac"
check "CLOSE logged as a dry run" \
    "grep -q 'dry-run: CLOSE 02:77:00:00:00:13 vendor-support' '$T/enforcer.log'"
enf open 02:77:00:00:00:13 nosuch 60
check "OPEN of a flow not in enforcer.conf: NAK UNKNOWN" "[ '$LAST' = 'NAK seq=7 reason=UNKNOWN' ]"
check "... and not passed to the backend" \
    "! grep -q 'dry-run: OPEN 02:77:00:00:00:13 nosuch' '$T/enforcer.log'"
enf put 02:77:00:00:00:10 lab
check "a known device may still move when full" "case '$LAST' in 'ACK seq=8 '*) true;; *) false;; esac"
enf list
check "LIST: three devices in put order, the move applied, no window" \
    "case '$LAST' in 'ACK seq=9 '*' n=3 entries=02:77:00:00:00:10/lab,02:77:00:00:00:11/lab,02:77:00:00:00:12/blocked') true;; *) false;; esac"
enf flush
check "FLUSH acknowledged" "case '$LAST' in 'ACK seq=10 '*) true;; *) false;; esac"
check "FLUSH closes every flow" \
    "grep -q 'dry-run: FLUSH: every device in quarantine, every flow closed' '$T/enforcer.log'"
enf list
check "LIST after FLUSH: empty" "case '$LAST' in 'ACK seq=11 '*' n=0 entries=') true;; *) false;; esac"
enf put 02:77:00:00:00:13 clinical
check "after FLUSH there is room again" "case '$LAST' in 'ACK seq=12 '*) true;; *) false;; esac"
enf put 02:77:00:00:00:11 lab
enf put 02:77:00:00:00:12 icu
check "unknown segment: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "unknown segment: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "the violation is logged with its reason" \
    "grep -q 'protocol violation: PUT 02:77:00:00:00:12: segment icu is not in enforcer.conf' '$T/enforcer.log'"
check "demoted: segments that reach something, blocked ones not, flows closed" \
    "grep -q 'dry-run: demote: devices in clinical,lab back in quarantine, every flow closed' '$T/enforcer.log'"

# An OPEN whose seconds are out of range is malformed: a violation.
for secs in 0 604801; do
	: >"$T/enforcer.log"
	check "restart" "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
	enf open 02:77:00:00:00:10 vendor-support "$secs"
	check "OPEN for $secs s: socket closed" "[ '$LAST' = EOF ]"
	enf wait
	check "OPEN for $secs s: exit 3" "[ '$LAST' = 'EXIT 3' ]"
	stop_enforcer
	check "OPEN for $secs s: logged" \
	    "grep -q 'malformed message: OPEN: seconds $secs not in 1..604800' '$T/enforcer.log'"
done
: >"$T/enforcer.log"
check "restart" "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
enf open 02:77:00:00:00:10 vendor-support 604800
check "OPEN for 604800 s (7 days): acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
enf close
stop_enforcer

# A SEGMENT sent to the enforcer is a reply type used as a request.
: >"$T/enforcer.log"
check "restart" "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
SEGMSG=0184000000000000000000000000000071756172616e74696e65
SEGMSG=$SEGMSG$(printf '%0*d' $((128 - ${#SEGMSG})) 0)
enf raw "$SEGMSG"
check "SEGMENT as a request: socket closed" "[ '$LAST' = EOF ]"
enf wait
check "SEGMENT as a request: exit 3" "[ '$LAST' = 'EXIT 3' ]"
stop_enforcer
check "SEGMENT as a request: logged" \
    "grep -q 'protocol violation: SEGMENT is not a request' '$T/enforcer.log'"

check "restart" "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
enf close
check "peer closed: exit 0" "[ '$LAST' = 'EXIT 0' ]"
stop_enforcer

check "restart" "start_enforcer '$ENFORCER' -f '$T/dry.conf'"
pid=$(enf_pid)
kill -TERM "$pid"
enf wait
check "SIGTERM: exit 0" "[ '$LAST' = 'EXIT 0' ]"
stop_enforcer
check "SIGTERM: logged" "grep -q 'signal 15: exiting' '$T/enforcer.log'"

# A configuration the enforcer refuses: exit 2 before any message.
conf broken "backend = dryrun"
start_enforcer "$ENFORCER" -f "$T/broken.conf"
check "bad configuration: no READY, exit 2" \
    "[ '$LAST' = EOF ] && [ \"\$(start_status)\" = 2 ]"

# --- A million devices: PUT does not slow down as the table fills ---
conf big "backend = dryrun
max_devices = 1000000
segment clinical = none
segment quarantine = none"
ENF_LOG=/dev/null
check "dryrun with max_devices 1000000 starts" \
    "start_enforcer '$ENFORCER' -f '$T/big.conf'"
enf bulk 10000 clinical 1
first=$(echo "$LAST" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')
check "10000 PUTs into an empty table" "case '$LAST' in 'BULK n=10000 ack=10000 full=0 backend=0 '*) true;; *) false;; esac"
enf bulk 190000 clinical 10001
check "190000 more" "case '$LAST' in 'BULK n=190000 ack=190000 full=0 backend=0 '*) true;; *) false;; esac"
enf bulk 10000 clinical 200001
last=$(echo "$LAST" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')
check "10000 PUTs into a table of 200000" "case '$LAST' in 'BULK n=10000 ack=10000 full=0 backend=0 '*) true;; *) false;; esac"
echo "  # 10000 PUTs: ${first:-?} ms into an empty table, ${last:-?} ms into 200000 devices"
check "the last 10000 PUTs took no more than 3 times the first (+1 s)" \
    "[ -n '$first' ] && [ -n '$last' ] && [ '$last' -le \$(( 3 * $first + 1000 )) ]"
enf bulk 1000 quarantine 1
check "moving known devices" "case '$LAST' in 'BULK n=1000 ack=1000 '*) true;; *) false;; esac"
enf list
check "LIST: 210000 devices, each once" "case '$LAST' in 'ACK '*' n=210000 entries=02:00:00:00:00:01/quarantine,'*) true;; *) false;; esac"
enf close
stop_enforcer
ENF_LOG=""

conf full "backend = dryrun
max_devices = 20000
segment quarantine = none"
ENF_LOG=/dev/null
start_enforcer "$ENFORCER" -f "$T/full.conf"
enf bulk 20001 quarantine
check "max_devices 20000: 20000 acknowledged, then FULL" \
    "case '$LAST' in 'BULK n=20001 ack=20000 full=1 backend=0 '*) true;; *) false;; esac"
enf bulk 20000 quarantine
check "all 20000 known devices still accepted when full" \
    "case '$LAST' in 'BULK n=20000 ack=20000 full=0 '*) true;; *) false;; esac"
enf close
stop_enforcer
ENF_LOG=""

# --- As an unprivileged user (when root can make itself one) ---
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 644 "$T/dry.conf"
	check "dryrun as user nobody, no capabilities" \
	    "start_enforcer '$(command -v setpriv)' --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all '$ENFORCER' -f '$T/dry.conf'"
	enf put 02:77:00:00:00:10 clinical
	check "nobody: PUT acknowledged" "case '$LAST' in 'ACK seq=1 '*) true;; *) false;; esac"
	enf close
	stop_enforcer
else
	echo "# SKIP: the unprivileged run needs root (to become nobody) and setpriv"
fi

[ "$fails" -ne 0 ] && { echo "--- enforcer log"; tail -40 "$T/enforcer.log"; }
tap_done
