#!/bin/sh
# Operations (docs/operations.md) end to end: a real wardgated with two
# swtpm devices and the real agent, one trusted and one with a tampered
# boot. Checks /metrics (scraped with curl, every line against the
# exposition grammar), the webhook (an HTTPS receiver on loopback that
# refuses its first POST, so a retry is needed; then a CA that does not
# sign the receiver's certificate: nothing delivered) and the syslog lines.
#
# syslog(3) writes to /dev/log. When run as root with unshare(1), the
# gateway runs in a private mount namespace whose /dev is a directory of
# this test (null, zero, random, urandom bound in) and the test reads its
# datagrams; otherwise the syslog part is skipped (test_metrics checks
# the line's format).
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_pcrextend jq curl openssl python3

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-ops.XXXXXX")
HOOK_PID="" LOG_PID=""
cleanup() {
	gw_stop
	[ -z "$HOOK_PID" ] || kill "$HOOK_PID" 2>/dev/null
	[ -z "$LOG_PID" ] || kill "$LOG_PID" 2>/dev/null
	swtpm_cleanup
	[ -n "${WG_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

LOG_SRC="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"

# --- the webhook receiver: HTTPS on loopback, a test CA ---
gw_certs "$T/hook" 127.0.0.1 || exit 1
cat >"$T/hook.py" <<'PY'
import http.server, ssl, sys
cert, key, portfile, out = sys.argv[1:5]
seen = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        seen[0] += 1
        if seen[0] == 1:		# the first attempt fails: a retry follows
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(out, "ab") as f:
            f.write(self.path.encode() + b" " +
                    self.headers.get("Content-Type", "").encode() + b" " +
                    body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
: >"$T/hook.out"
python3 "$T/hook.py" "$T/hook/gateway.crt" "$T/hook/gateway.key" \
    "$T/hook.port" "$T/hook.out" 2>"$T/hook.err" &
HOOK_PID=$!
i=0
while [ ! -s "$T/hook.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/hook.port" ] || { echo "webhook receiver did not start"; cat "$T/hook.err"; exit 1; }
HOOK_PORT=$(cat "$T/hook.port")

# --- syslog: a private /dev for the gateway, its /dev/log read here ---
SYSLOG=no
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m true 2>/dev/null; then
	mkdir "$T/dev"
	for d in null zero random urandom; do : >"$T/dev/$d"; done
	cat >"$T/log.py" <<'PY'
import socket, sys
path, out = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
while True:
    m = s.recv(65536)
    with open(out, "ab") as f:
        f.write(m.replace(b"\n", b" ") + b"\n")
PY
	: >"$T/syslog.out"
	python3 "$T/log.py" "$T/dev/log" "$T/syslog.out" 2>"$T/log.err" &
	LOG_PID=$!
	i=0
	while [ ! -S "$T/dev/log" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	cat >"$T/ns.sh" <<'SH'
#!/bin/sh
# ns.sh DEVDIR PROGRAM ARGS...: PROGRAM with DEVDIR as its /dev.
dev=$1
shift
exec unshare -m sh -c '
	mount --make-rprivate / || exit 1
	for d in null zero random urandom; do
		mount --bind "/dev/$d" "$0/$d" || exit 1
	done
	mount --rbind "$0" /dev || exit 1
	exec "$@"' "$dev" "$@"
SH
	chmod +x "$T/ns.sh"
	GW_EXEC="$T/ns.sh $T/dev"
	SYSLOG=yes
else
	echo "# syslog part skipped: needs root and unshare -m"
fi

# --- two devices: A good, B with a boot its log does not record ---
CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
for dev in A B; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
done
tcti() { eval "echo \$TCTI_$1"; }
for dev in A B; do
	cp "$LOG_SRC" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti $dev) simboot "$T/log$dev.bin" || exit 1
done
TPM2TOOLS_TCTI=$(tcti B) tpm2_pcrextend \
    4:sha256=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64) \
    >/dev/null || exit 1

MPORT=$(swtpm_free_port) || exit 1
gw_start "$T/gw" "$CA" "policy_required = no" \
    "metrics_listen = 127.0.0.1:$MPORT" \
    "webhook_url = https://127.0.0.1:$HOOK_PORT/wardgate/hook?site=icu" \
    "webhook_ca = $T/hook/ca.pem" \
    "syslog = $SYSLOG" "syslog_facility = local4" || exit 1
M="http://127.0.0.1:$MPORT/metrics"

agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in ek) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state$_dev" \
	    --tcti "$(tcti $_dev)" --eventlog "$T/log$_dev.bin" \
	    --hostname "host-$_dev" "$@"
}
fpr() { agent "$1" ek | sed -n 's/^ek-fingerprint: //p'; }
for dev in A B; do
	gwadm device provision --name "pump-$dev" --model "Infusomat Space" \
	    --owner ICU --serial "SN-$dev" --ek-fpr "$(fpr $dev)" >/dev/null ||
	    exit 1
done

curl -sS -o "$T/m0.txt" -w '%{http_code}' "$M" >"$T/code" 2>&1
check "/metrics answers before any device" "[ \"$(cat "$T/code")\" = 200 ]"

agent A --once >"$T/A.out" 2>&1
check "good device passes" "[ $? -eq 0 ]"
agent B --once >"$T/B.out" 2>&1
check "tampered device fails" "[ $? -eq 1 ]"
IDA=$(fpr A)
IDB=$(fpr B)

# The value of a sample line (by its exact series), or "absent".
metric() {
	awk -v s="$1" 'index($0, s " ") == 1 { print substr($0, length(s) + 2); f = 1 }
	    END { if (!f) print "absent" }' "$T/m.txt"
}
scrape() { curl -sS -D "$T/m.hdr" -o "$T/m.txt" "$M"; }
# Device counts are taken again at most once a second after a change.
i=0
while [ $i -lt 30 ]; do
	scrape
	[ "$(metric 'wardgate_devices{state="untrusted"}')" = 1 ] && break
	sleep 0.2
	i=$((i + 1))
done
check "content type is text 0.0.4" \
    "grep -qi '^Content-Type: text/plain; version=0.0.4' \"$T/m.hdr\""
check "devices: one trusted" "[ \"$(metric 'wardgate_devices{state="trusted"}')\" = 1 ]"
check "devices: one untrusted" "[ \"$(metric 'wardgate_devices{state="untrusted"}')\" = 1 ]"
check "devices: none decommissioned" \
    "[ \"$(metric 'wardgate_devices{state="decommissioned"}')\" = 0 ]"
check "attestations: one pass" \
    "[ \"$(metric 'wardgate_attestations_total{result="pass"}')\" = 1 ]"
check "attestations: one fail" \
    "[ \"$(metric 'wardgate_attestations_total{result="fail"}')\" = 1 ]"
check "failures by reason: PCR_MISMATCH once" \
    "[ \"$(metric 'wardgate_attestation_failures_total{reason="PCR_MISMATCH"}')\" = 1 ]"
check "latency histogram counted both verdicts" \
    "[ \"$(metric wardgate_attestation_duration_seconds_count)\" = 2 ] &&
     [ \"$(metric 'wardgate_attestation_duration_seconds_bucket{le="+Inf"}')\" = 2 ]"
check "enforcer = none is in force" "[ \"$(metric wardgate_enforcer_in_force)\" = 1 ]"
# Every line against the exposition grammar (test_metrics has the strict
# parser; this is the same shape in a regular expression).
check "every line is HELP, TYPE or a well-formed sample" \
    "! grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+\$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? ([-+]?[0-9.e+-]+|[-+]Inf|NaN)\$' \"$T/m.txt\""
if command -v promtool >/dev/null 2>&1; then
	check "promtool check metrics" "promtool check metrics <\"$T/m.txt\" >/dev/null 2>&1"
fi
CHANGES=$(metric wardgate_state_changes_total)
check "state changes counted (enroll and verdict of each device)" \
    "[ \"$CHANGES\" -ge 4 ]"
check "other paths are 404" \
    "[ \"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/")\" = 404 ]"
PC=$(curl -s -o /dev/null -w '%{http_code}' -d x "$M")
check "POST is refused with 405" "[ $PC = 405 ]"

# --- webhook: one JSON message per state change, after one retry ---
i=0
while [ $i -lt 100 ]; do
	[ "$(wc -l <"$T/hook.out")" -ge "$CHANGES" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "webhook received every state change (after a 503 and a retry)" \
    "[ \"$(wc -l <"$T/hook.out")\" -eq \"$CHANGES\" ]"
check "POSTed to the URL's path and query as application/json" \
    "! grep -v '^/wardgate/hook?site=icu application/json {' \"$T/hook.out\""
cut -d' ' -f3- "$T/hook.out" >"$T/hook.json"
chain() {	# the from->to steps of a device, in order
	jq -r --arg id "$1" 'select(.device_id == $id) |
	    "\(.from // "-")>\(.to)"' "$T/hook.json" | tr '\n' ' '
}
CA_=$(chain "$IDA")
CB_=$(chain "$IDB")
echo "# A: $CA_"
echo "# B: $CB_"
# A device's record is created pending (enrollment), so its first change
# is from pending; a change is never from a state other than the last one.
check "A: from pending, chained, ends trusted" \
    "echo '$CA_' | awk '{ if (substr(\$1, 1, 8) != \"pending>\") exit 1;
	for (i = 2; i <= NF; i++) { split(\$(i-1), p, \">\"); split(\$i, q, \">\"); if (q[1] != p[2]) exit 1 }
	split(\$NF, l, \">\"); exit l[2] != \"trusted\" }'"
check "B: ends untrusted, chained" \
    "echo '$CB_' | awk '{ for (i = 2; i <= NF; i++) { split(\$(i-1), p, \">\"); split(\$i, q, \">\"); if (q[1] != p[2]) exit 1 }
	split(\$NF, l, \">\"); exit l[2] != \"untrusted\" }'"
check "B's demotion names the segment and the reason" \
    "jq -e -s --arg id '$IDB' 'map(select(.device_id == \$id and .to == \"untrusted\")) |
	length == 1 and .[0].segment == \"quarantine\" and (.[0].reason | test(\"PCR 4\")) and
	.[0].name == \"pump-B\" and (.[0].at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T\"))' \"$T/hook.json\" >/dev/null"
check "A's promotion is to the clinical segment" \
    "jq -e -s --arg id '$IDA' 'map(select(.device_id == \$id and .to == \"trusted\")) |
	length == 1 and .[0].segment == \"clinical\"' \"$T/hook.json\" >/dev/null"
i=0
while [ $i -lt 30 ]; do
	scrape
	[ "$(metric wardgate_webhook_sent_total)" = "$CHANGES" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "webhook counters: all sent, none failed or dropped" \
    "[ \"$(metric wardgate_webhook_sent_total)\" = \"$CHANGES\" ] &&
     [ \"$(metric wardgate_webhook_failed_total)\" = 0 ] &&
     [ \"$(metric wardgate_webhook_dropped_total)\" = 0 ]"
check "the refused attempt was logged with its retry" \
    "grep -q 'webhook .*HTTP 503; retry in 1s' \"$T/gw/wardgated.log\""

# --- syslog ---
if [ "$SYSLOG" = yes ]; then
	i=0
	while [ $i -lt 30 ]; do
		[ "$(grep -c 'state-change' "$T/syslog.out")" -ge "$CHANGES" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	check "a syslog line per state change" \
	    "[ \"$(grep -c 'state-change' "$T/syslog.out")\" -eq \"$CHANGES\" ]"
	# <PRI>: local4 (20) * 8 + warning (4) = 164; notice (5) = 165.
	check "B's demotion: local4.warning, device, id, from, to, segment, reason" \
	    "grep -Eq '^<164>.*wardgated\\[[0-9]+\\]: state-change device=pump-B id=$IDB from=[a-z]+ to=untrusted segment=quarantine reason=\"[^\"]*PCR' \"$T/syslog.out\""
	check "A's promotion: local4.notice" \
	    "grep -Eq '^<165>.*state-change device=pump-A id=$IDA from=[a-z]+ to=trusted segment=clinical ' \"$T/syslog.out\""
fi

# --- the webhook's certificate must chain to webhook_ca ---
# The same store, webhook_ca now a CA that did not sign the receiver's
# certificate; a decommissioning is the state change.
gw_stop
NHOOK=$(wc -l <"$T/hook.out")
gw_start "$T/gw" "$CA" "policy_required = no" \
    "webhook_url = https://127.0.0.1:$HOOK_PORT/wardgate/hook?site=icu" \
    "webhook_ca = $CA" "syslog = $SYSLOG" "syslog_facility = local4" || exit 1
gwadm decommission pump-B --reason "returned to the vendor" >/dev/null 2>&1
check "decommissioning succeeds" "[ $? -eq 0 ]"
i=0
while [ $i -lt 40 ]; do
	grep -q 'webhook .*certificate verify failed; retry in 1s' \
	    "$T/gw/wardgated.log" && break
	sleep 0.1
	i=$((i + 1))
done
check "a receiver whose certificate webhook_ca does not trust gets nothing" \
    "grep -q 'webhook .*certificate verify failed; retry in 1s' \"$T/gw/wardgated.log\" &&
     [ \"$(wc -l <"$T/hook.out")\" -eq $NHOOK ]"
if [ "$SYSLOG" = yes ]; then
	i=0
	while [ $i -lt 30 ]; do
		grep -q 'to=decommissioned' "$T/syslog.out" && break
		sleep 0.1
		i=$((i + 1))
	done
	check "decommissioning is logged: from untrusted, segment blocked, reason" \
	    "grep -Eq 'state-change device=pump-B id=$IDB from=untrusted to=decommissioned segment=blocked reason=\"[^\"]*returned to the vendor' \"$T/syslog.out\""
fi

gw_stop
tap_done
