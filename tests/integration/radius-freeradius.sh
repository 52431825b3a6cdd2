#!/bin/sh
# RADIUS end to end with a real FreeRADIUS 3.2 on loopback, configured with
# contrib/freeradius/ (site wardgate, module wardgate-rest), asking a real
# wardgated (radius_listen) about devices that enrolled and attested with
# the real agent on swtpm. radclient plays the switch (MAB requests).
#
#   a  trusted device A's MAC        -> Access-Accept, VLAN 100 (clinical)
#   b  unknown MAC                   -> Access-Accept, VLAN 200 (quarantine)
#   c  device B (tampered boot: untrusted, segment "isolated" without a
#      VLAN)                         -> Access-Reject with wardgated's message
#   f  FreeRADIUS with a wrong Basic password -> Access-Reject
#   e  A's boot tampered, A re-attests: untrusted; wardgated sends a
#      Disconnect-Request for A's MAC to a second FreeRADIUS with
#      listen { type = coa }, which logs it and ACKs; wardgated counts the
#      ACK; A's MAC is then rejected
#   d  wardgated stopped             -> Access-Reject (fail closed)
#   g  radius_das_action = coa: a MAC change sends a CoA-Request with the
#      segment's VLAN; ACKed
#   h  a NAS that drops wardgated's requests (another secret): three sends
#      (0, 1 s, 3 s), given up at 7 s, counted as a timeout
#
# FreeRADIUS runs in the foreground as root with no user switch, from
# private configuration directories built from /etc/freeradius/3.0
# (dictionary, the always module) and the contrib files.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: FreeRADIUS runs here as root, without switching to freerad"
	exit 77
fi
FREERADIUS=$(command -v freeradius || command -v radiusd) || {
	echo "SKIP: freeradius not installed (apt-get install freeradius freeradius-rest freeradius-utils)"
	exit 77
}
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need radclient swtpm swtpm_setup tpm2_pcrextend jq curl openssl ss
FR_ETC=/etc/freeradius/3.0
FR_LIB=/usr/lib/freeradius
for f in "$FR_ETC/dictionary" "$FR_ETC/mods-available/always" \
    "$FR_LIB/rlm_rest.so"; do
	[ -e "$f" ] || {
		echo "SKIP: $f missing (freeradius-rest and freeradius-config needed)"
		exit 77
	}
done

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
CONTRIB="$WG_SRCDIR/contrib/freeradius"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-radius.XXXXXX")
FR_PIDS=""
fr_stop_all() {
	for _p in $FR_PIDS; do
		kill "$_p" 2>/dev/null || true
	done
	for _p in $FR_PIDS; do
		wait "$_p" 2>/dev/null || true
	done
	FR_PIDS=""
}
trap 'fr_stop_all; gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

# A UDP port nobody listens on (FreeRADIUS binds it itself).
free_udp_port() {
	_t=0
	while [ "$_t" -lt 50 ]; do
		_p=$(( ($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 6000) + 14000 ))
		if ! ss -Hlun 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]$_p\$"; then
			echo "$_p"
			return 0
		fi
		_t=$((_t + 1))
	done
	return 1
}

NAS_SECRET=nas-test-secret
DAS_SECRET=das-test-secret-1
REST_USER=freeradius
REST_PASS=rest-pw-Zq81
MAC_A=02:00:5e:10:00:0a
MAC_B=02:00:5e:10:00:0b
MAC_U=02:00:5e:10:00:99

# fr_conf DIR -- writes radiusd.conf and clients.conf: logs on stdout, no
# user switch, no reject delay.
fr_conf() {
	mkdir -p "$1/mods-enabled" "$1/sites-enabled" "$1/log" "$1/run" \
	    "$1/mods-config" || return 1
	cp "$FR_ETC/dictionary" "$1/" || return 1
	cp "$FR_ETC/mods-available/always" "$1/mods-enabled/" || return 1
	cat >"$1/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $1/log
raddbdir = $1
radacctdir = \${logdir}/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
run_dir = $1/run
db_dir = \${raddbdir}
libdir = $FR_LIB
pidfile = \${run_dir}/\${name}.pid
max_request_time = 10
cleanup_delay = 1
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
	colourise = no
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}
modules {
	\$INCLUDE mods-enabled/
}
\$INCLUDE clients.conf
\$INCLUDE sites-enabled/
EOF
	cat >"$1/clients.conf" <<EOF
client localhost {
	ipaddr = 127.0.0.1
	secret = $2
	require_message_authenticator = no
}
EOF
}

# fr_auth DIR PORT REST_URL PASSWORD -- the contrib site and module.
fr_auth() {
	fr_conf "$1" "$NAS_SECRET" || return 1
	sed -e "s#http://127.0.0.1:8089#$3#" -e "s/\"freeradius\"/\"$REST_USER\"/" \
	    -e "s/CHANGE-ME/$4/" "$CONTRIB/mods-available/wardgate-rest" \
	    >"$1/mods-enabled/wardgate-rest" || return 1
	sed -e 's/ipaddr = \*/ipaddr = 127.0.0.1/' -e "s/port = 0/port = $2/" \
	    "$CONTRIB/sites-available/wardgate" >"$1/sites-enabled/wardgate"
}

# fr_coa DIR PORT -- a NAS's dynamic authorization server: ACKs all.
fr_coa() {
	fr_conf "$1" "$DAS_SECRET" || return 1
	cat >"$1/sites-enabled/coa" <<EOF
listen {
	type = coa
	ipaddr = 127.0.0.1
	port = $2
	virtual_server = coa
}
server coa {
	recv-coa {
		ok
	}
	send-coa {
		ok
	}
}
EOF
}

# fr_run DIR -- starts FreeRADIUS (-X: foreground, debug log) and waits.
fr_run() {
	"$FREERADIUS" -X -d "$1" >"$1/out.log" 2>&1 &
	FR_PIDS="$FR_PIDS $!"
	_i=0
	while [ "$_i" -lt 100 ]; do
		grep -q "Ready to process requests" "$1/out.log" && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "FreeRADIUS in $1 did not start:" >&2
	tail -20 "$1/out.log" >&2
	return 1
}

# mab PORT USER-NAME [CALLING-STATION-ID] -- one MAB Access-Request, as a
# switch sends it; radclient's output on stdout.
mab() {
	{
		printf 'User-Name = "%s"\nUser-Password = "%s"\n' "$2" "$2"
		[ -z "${3:-}" ] || printf 'Calling-Station-Id = "%s"\n' "$3"
		printf 'NAS-IP-Address = 127.0.0.1\nNAS-Port-Type = Ethernet\n'
		printf 'Service-Type = Call-Check\nMessage-Authenticator = 0x00\n'
	} | radclient -x -r 1 -t 4 "127.0.0.1:$1" auth "$NAS_SECRET" 2>&1
}
accepted_vlan() {	# FILE VLAN
	grep -q '^Received Access-Accept' "$1" &&
	    grep -q "Tunnel-Private-Group-Id:0 = \"$2\"" "$1" &&
	    grep -q 'Tunnel-Type:0 = VLAN' "$1" &&
	    grep -q 'Tunnel-Medium-Type:0 = IEEE-802' "$1"
}
rejected() {	# FILE
	grep -q '^Received Access-Reject' "$1" && ! grep -q 'Tunnel-' "$1"
}
ieee() { echo "$1" | tr 'a-f:' 'A-F-'; }
bare() { echo "$1" | tr -d ':'; }
disconnects_for() {	# MAC -- Disconnect-Requests the NAS logged for it
	grep -c "Calling-Station-Id = \"$(ieee "$1")\"" "$T/coa/out.log"
}
das() { gwadm enforcement | jq -r ".radius.das.$1"; }

# --- secrets, FreeRADIUS instances (started before wardgated: pool
# start = 0 lets FreeRADIUS come up while the gateway is down) ---
printf '%s:%s\n' "$REST_USER" "$REST_PASS" >"$T/rest.cred"
printf '%s\n' "$DAS_SECRET" >"$T/das.secret"
chmod 600 "$T/rest.cred" "$T/das.secret"
RPORT=$(swtpm_free_port) || exit 1
AUTH_PORT=$(free_udp_port) || exit 1
BAD_PORT=$(free_udp_port) || exit 1
COA_PORT=$(free_udp_port) || exit 1
BADCOA_PORT=$(free_udp_port) || exit 1
fr_auth "$T/fr" "$AUTH_PORT" "http://127.0.0.1:$RPORT" "$REST_PASS" || exit 1
fr_auth "$T/frbad" "$BAD_PORT" "http://127.0.0.1:$RPORT" "wrong-$REST_PASS" || exit 1
fr_coa "$T/coa" "$COA_PORT" || exit 1
fr_run "$T/fr" || exit 1
fr_run "$T/frbad" || exit 1
fr_run "$T/coa" || exit 1
ok "FreeRADIUS starts with the contrib site and module while wardgated is down"

# --- TPMs and boots ---
CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
for dev in A B; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
done
tcti() { eval "echo \$TCTI_$1"; }
LOG_SRC="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"
for dev in A B; do
	cp "$LOG_SRC" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti $dev) simboot "$T/log$dev.bin" || exit 1
done
rootkit=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64)
TPM2TOOLS_TCTI=$(tcti B) tpm2_pcrextend "4:sha256=$rootkit" >/dev/null || exit 1

# A group-or-other-readable credentials file is refused at start.
chmod 640 "$T/rest.cred"
mkdir -p "$T/gw0"
gw_start "$T/gw0" "$CA" "radius_listen = 127.0.0.1:$RPORT" \
    "radius_auth_file = $T/rest.cred" >/dev/null 2>&1
rc=$?
gw_stop
check "wardgated refuses a radius_auth_file others may read" \
    "[ $rc -ne 0 ] && grep -q 'radius_auth_file.*chmod 600' \"$T/gw0/wardgated.log\""
chmod 600 "$T/rest.cred"

gw_start "$T/gw" "$CA" "policy_required = no" \
    "segment_untrusted = isolated" \
    "radius_vlans = clinical=100 quarantine=200 clinical-hold=300" \
    "radius_listen = 127.0.0.1:$RPORT" "radius_auth_file = $T/rest.cred" \
    "radius_das = 127.0.0.1:$COA_PORT" \
    "radius_das_secret_file = $T/das.secret" \
    "radius_das_action = disconnect" || exit 1

agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in quote|ek|status) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state$_dev" \
	    --tcti "$(tcti $_dev)" --eventlog "$T/log$_dev.bin" \
	    --hostname "host-$_dev" "$@"
}
fpr() { agent "$1" ek | sed -n 's/^ek-fingerprint: //p'; }
state_of() { gwadm status --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .state'; }

gwadm device provision --name pump-A --model "Infusomat Space" --owner ICU \
    --serial SN-A --mac "$MAC_A" --ek-fpr "$(fpr A)" >/dev/null || exit 1
gwadm device provision --name pump-B --model "Infusomat Space" --owner ICU \
    --serial SN-B --mac "$MAC_B" --ek-fpr "$(fpr B)" >/dev/null || exit 1
agent A --once >"$T/A.out" 2>&1
agent B --once >"$T/B.out" 2>&1
check "A attests: trusted" "[ \"$(state_of pump-A)\" = trusted ]"
check "B's tampered boot: untrusted" "[ \"$(state_of pump-B)\" = untrusted ]"

# --- (a) trusted: the clinical VLAN, whichever way the MAC is written ---
mab "$AUTH_PORT" "$(bare $MAC_A)" "$(ieee $MAC_A)" >"$T/a.out"
check "(a) trusted MAC: Access-Accept, VLAN 100, Tunnel-Type VLAN, IEEE-802" \
    "accepted_vlan \"$T/a.out\" 100"
mab "$AUTH_PORT" "0200.5e10.000a" >"$T/a2.out"
check "(a) MAB with only a User-Name (Cisco form): VLAN 100" \
    "accepted_vlan \"$T/a2.out\" 100"

# --- (b) unknown MAC: quarantine, where it can reach the gateway ---
mab "$AUTH_PORT" "$(bare $MAC_U)" "$(ieee $MAC_U)" >"$T/b.out"
check "(b) unknown MAC: Access-Accept, quarantine VLAN 200" \
    "accepted_vlan \"$T/b.out\" 200"

# --- (c) a segment without a VLAN: reject, with wardgated's reason ---
mab "$AUTH_PORT" "$(bare $MAC_B)" "$(ieee $MAC_B)" >"$T/c.out"
check "(c) untrusted device in a VLAN-less segment: Access-Reject" \
    "rejected \"$T/c.out\""
check "(c) the reject carries wardgated's Reply-Message" \
    "grep -q 'Reply-Message = \"wardgate: segment isolated has no network access\"' \"$T/c.out\""
mab "$AUTH_PORT" "nurse-station-7" >"$T/c2.out"
check "(c) a request with no MAC at all: Access-Reject" \
    "rejected \"$T/c2.out\""

# --- (f) wrong Basic credentials ---
mab "$BAD_PORT" "$(bare $MAC_A)" "$(ieee $MAC_A)" >"$T/f.out"
check "(f) FreeRADIUS with a wrong rest password: Access-Reject" \
    "rejected \"$T/f.out\""
printf '{"Calling-Station-Id":{"type":"string","value":["%s"]}}' \
    "$(ieee $MAC_A)" >"$T/req.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$REST_USER:nope" \
    --data-binary "@$T/req.json" "http://127.0.0.1:$RPORT/radius/v1/authorize")
code2=$(curl -s -o /dev/null -w '%{http_code}' \
    --data-binary "@$T/req.json" "http://127.0.0.1:$RPORT/radius/v1/authorize")
check "(f) wrong or no Basic credentials: HTTP 401 from wardgated" \
    "[ $code = 401 ] && [ $code2 = 401 ]"
code=$(curl -s -o "$T/ok.json" -w '%{http_code}' -u "$REST_USER:$REST_PASS" \
    --data-binary "@$T/req.json" "http://127.0.0.1:$RPORT/radius/v1/post-auth")
check "the right credentials on post-auth: 200 with VLAN 100" \
    "[ $code = 200 ] && [ \"\$(jq -r '.\"reply:Tunnel-Private-Group-ID\"' \"$T/ok.json\")\" = 100 ]"

# --- (e) a state change: Disconnect-Request to the NAS, ACKed ---
# Enrollment and trust already moved A and B: their requests went out.
i=0
while [ "$i" -lt 50 ] && [ "$(das in_flight)" != 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
before=$(disconnects_for "$MAC_A")
acked=$(das acked)
check "earlier segment changes were sent and ACKed" \
    "[ \"$before\" -ge 1 ] && [ \"$acked\" -ge 1 ] && [ \"$acked\" = \"$(das sent)\" ]"
TPM2TOOLS_TCTI=$(tcti A) tpm2_pcrextend "4:sha256=$rootkit" >/dev/null || exit 1
agent A --once >"$T/A2.out" 2>&1
check "(e) A's tampered boot: untrusted" "[ \"$(state_of pump-A)\" = untrusted ]"
i=0
while [ "$i" -lt 50 ] && { [ "$(disconnects_for "$MAC_A")" -le "$before" ] ||
    [ "$(das acked)" -le "$acked" ]; }; do
	sleep 0.1
	i=$((i + 1))
done
check "(e) the NAS received a Disconnect-Request for A's MAC" \
    "[ \"$(disconnects_for "$MAC_A")\" -gt \"$before\" ]"
check "(e) with Event-Timestamp and Message-Authenticator" \
    "grep -A8 'Received Disconnect-Request' \"$T/coa/out.log\" | grep -q 'Event-Timestamp' &&
     grep -A8 'Received Disconnect-Request' \"$T/coa/out.log\" | grep -q 'Message-Authenticator'"
check "(e) wardgated counted the ACK, no timeout, no bad reply" \
    "[ \"$(das acked)\" -gt \"$acked\" ] && [ \"$(das timeouts)\" = 0 ] && [ \"$(das bad_replies)\" = 0 ] && [ \"$(das naked)\" = 0 ]"
check "(e) wardgated logged the Disconnect-ACK for A" \
    "grep -q \"Disconnect-ACK id [0-9]* for $(ieee $MAC_A)\" \"$T/gw/wardgated.log\""
mab "$AUTH_PORT" "$(bare $MAC_A)" "$(ieee $MAC_A)" >"$T/e.out"
check "(e) A re-authenticating now: Access-Reject" "rejected \"$T/e.out\""
check "decisions counted" \
    "gwadm enforcement | jq -e '.radius.endpoint | .accept >= 4 and .reject >= 3 and .unauthorized >= 3' >/dev/null"

# --- (d) wardgated down: fail closed ---
gw_stop
mab "$AUTH_PORT" "$(bare $MAC_U)" "$(ieee $MAC_U)" >"$T/d.out"
check "(d) wardgated stopped: Access-Reject for a MAC it would accept" \
    "rejected \"$T/d.out\""

# --- (g) radius_das_action = coa: a CoA-Request with the new VLAN ---
# B's MAC changes (a new provisioning record): wardgated tells the NAS.
MAC_B2=02:00:5e:10:00:1b
MAC_B3=02:00:5e:10:00:2b
gw_start "$T/gw" "$CA" "policy_required = no" \
    "segment_untrusted = isolated" \
    "radius_vlans = clinical=100 quarantine=200 clinical-hold=300 isolated=400" \
    "radius_listen = 127.0.0.1:$RPORT" "radius_auth_file = $T/rest.cred" \
    "radius_das = 127.0.0.1:$COA_PORT" \
    "radius_das_secret_file = $T/das.secret" \
    "radius_das_action = coa" || exit 1
gwadm device provision --name pump-B --model "Infusomat Space" --owner ICU \
    --serial SN-B --mac "$MAC_B2" --ek-fpr "$(fpr B)" >/dev/null || exit 1
i=0
while [ "$i" -lt 50 ] && [ "$(das acked)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "(g) CoA: the NAS received a CoA-Request for B's new MAC with VLAN 400" \
    "grep -A12 'Received CoA-Request' \"$T/coa/out.log\" | grep -q 'Calling-Station-Id = \"$(ieee $MAC_B2)\"' &&
     grep -A12 'Received CoA-Request' \"$T/coa/out.log\" | grep -q 'Tunnel-Private-Group-Id:0 = \"400\"'"
check "(g) CoA: ACKed and counted" \
    "[ \"$(das acked)\" = 1 ] && [ \"$(das sent)\" = 1 ] && grep -q \"CoA-ACK id [0-9]* for $(ieee $MAC_B2)\" \"$T/gw/wardgated.log\""
mab "$AUTH_PORT" "$(bare $MAC_B2)" "$(ieee $MAC_B2)" >"$T/g.out"
check "(g) B's new MAC re-authenticating: VLAN 400" \
    "accepted_vlan \"$T/g.out\" 400"
gw_stop

# --- (h) a NAS that never answers (it has another secret): sent three
# times, after 1 s and 2 s more, given up 4 s after the third send ---
fr_coa "$T/coabad" "$BADCOA_PORT" || exit 1
sed -i "s/secret = $DAS_SECRET/secret = other-$DAS_SECRET/" \
    "$T/coabad/clients.conf"
fr_run "$T/coabad" || exit 1
gw_start "$T/gw" "$CA" "policy_required = no" \
    "segment_untrusted = isolated" \
    "radius_listen = 127.0.0.1:$RPORT" "radius_auth_file = $T/rest.cred" \
    "radius_das = 127.0.0.1:$BADCOA_PORT" \
    "radius_das_secret_file = $T/das.secret" || exit 1
gwadm device provision --name pump-B --model "Infusomat Space" --owner ICU \
    --serial SN-B --mac "$MAC_B3" --ek-fpr "$(fpr B)" >/dev/null || exit 1
sleep 3.5
check "(h) no answer: sent again after 1 s and 3 s" \
    "[ \"$(das sent)\" = 1 ] && [ \"$(das retransmits)\" = 2 ] && [ \"$(das in_flight)\" = 1 ] && [ \"$(das timeouts)\" = 0 ]"
i=0
while [ "$i" -lt 60 ] && [ "$(das timeouts)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "(h) given up at 7 s: one timeout, nothing ACKed" \
    "[ \"$(das timeouts)\" = 1 ] && [ \"$(das in_flight)\" = 0 ] && [ \"$(das acked)\" = 0 ] && [ \"$(das retransmits)\" = 2 ]"
dropped=$(grep -c 'Shared secret is incorrect' "$T/coabad/out.log")
check "(h) the NAS dropped all three (wrong shared secret)" \
    "[ \"$dropped\" = 3 ]"
check "(h) the timeout is logged" \
    "grep -q \"Disconnect-Request id [0-9]* for $(ieee $MAC_B3) .*no verified answer\" \"$T/gw/wardgated.log\""
gw_stop

if [ "$fails" -ne 0 ]; then
	echo "# wardgated's log:"
	sed 's/^/#   /' "$T/gw/wardgated.log"
	echo "# FreeRADIUS (auth), last lines:"
	tail -60 "$T/fr/out.log" | sed 's/^/#   /'
fi
tap_done
