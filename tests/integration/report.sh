#!/bin/sh
# wardgate report against a real wardgated with swtpm devices and the real
# agent, rendered by headless Chromium:
#
#   pump-A      provisioned, good boot                -> trusted
#   pump-B      provisioned, PCR 4 extended off-log   -> untrusted
#               (PCR_MISMATCH), then a clinical hold
#   host-C      not provisioned                       -> pending
#   <script>... provisioned with a hostile name, model and ward, good boot
#
# HTML: a PNG screenshot of plausible size; the DOM text has the counts,
# the action sentences and the checklist; the hostile name is text, not an
# element; nothing external is referenced. JSON and CSV checked with jq
# and awk (RFC 4180 quoting, formula cells neutralised).
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_pcrextend jq curl openssl base64
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { CHROMIUM=$c; break; }
done
[ -n "$CHROMIUM" ] || {
	echo "SKIP: chromium not installed (scripts/deps.sh test installs it)"
	exit 77
}

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-report.XXXXXX")
trap 'gw_stop; swtpm_cleanup; [ -n "${WG_KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM

LOG_SRC="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"
EVIL_NAME='<script>alert(1)</script>'
EVIL_MODEL='=HYPERLINK("http://evil.example/","x")'
EVIL_WARD='Ward "3", east'

CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
for dev in A B C X; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
done
tcti() { eval "echo \$TCTI_$1"; }
for dev in A B C X; do
	cp "$LOG_SRC" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti $dev) simboot "$T/log$dev.bin" || exit 1
done
# B: firmware measured something its log does not record.
TPM2TOOLS_TCTI=$(tcti B) tpm2_pcrextend \
    4:sha256=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64) \
    >/dev/null || exit 1

gw_start "$T/gw" "$CA" "policy_required = no" || exit 1

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
	    --owner "$([ $dev = A ] && echo ICU || echo Emergency)" \
	    --serial "SN-$dev" --ek-fpr "$(fpr $dev)" >/dev/null || exit 1
done
gwadm device provision --name "$EVIL_NAME" --model "$EVIL_MODEL" \
    --owner "$EVIL_WARD" --serial "-1+1" --ek-fpr "$(fpr X)" >/dev/null || exit 1
for dev in A B C X; do
	agent $dev --once >"$T/$dev.out" 2>&1
done
gwadm hold pump-B --until +30m --reason "ER bay 2: infusion running" \
    >/dev/null 2>&1
held=$?

gwadm status >"$T/status.txt"
check "devices in the expected states" \
    "jq -e 'map({(.name): .state}) | add | .\"pump-A\" == \"trusted\" and
        .\"pump-B\" == \"untrusted\" and .\"host-C\" == \"pending\" and
        .[\"<script>alert(1)</script>\"] == \"trusted\"' \
        >/dev/null <<EOF
$(gwadm status --json)
EOF"

# --- the three formats ---
gwadm report --format html -o "$T/report.html"
check "report --format html exits 0" "[ $? -eq 0 ] && [ -s \"$T/report.html\" ]"
gwadm report --format json -o "$T/report.json"
check "report --format json exits 0" "[ $? -eq 0 ] && jq -e . \"$T/report.json\" >/dev/null"
gwadm report --format csv -o "$T/report.csv"
check "report --format csv exits 0" "[ $? -eq 0 ] && [ -s \"$T/report.csv\" ]"
gwadm report --format pdf -o "$T/x" 2>/dev/null
check "unknown format is a usage error (exit 2), no file" \
    "[ $? -eq 2 ] && [ ! -e \"$T/x\" ]"
check "no temporary file left beside the report" \
    "[ -z \"\$(ls \"$T\" | grep '\.tmp')\" ]"

# --- JSON ---
J="$T/report.json"
check "json: summary counts by state" \
    "jq -e '.summary.devices == 4 and .summary.by_state.trusted == 2 and
        .summary.by_state.untrusted == 1 and .summary.by_state.pending == 1' \"$J\" >/dev/null"
check "json: counts by ward and model" \
    "jq -e '.summary.by_ward.ICU == 1 and .summary.by_ward.Emergency == 1 and
        .summary.by_model.\"Infusomat Space\" == 2' \"$J\" >/dev/null"
check "json: the tampered device needs action first, from PCR_MISMATCH" \
    "jq -e '.action_needed[0].name == \"pump-B\" and .action_needed[0].code == \"PCR_MISMATCH\"
        and (.action_needed[0].sentence | contains(\"firmware measured something its event log does not show: quarantined; reimage or investigate before clinical use\"))' \"$J\" >/dev/null"
if [ "$held" -eq 0 ]; then
	check "json: the clinical hold leads its sentence (until, who, why)" \
	    "jq -e '.action_needed[0].sentence | test(\"^held until 20[0-9-]+T[0-9:]+Z by admin:uid=[0-9]+ role=[a-z]+ \\\\(ER bay 2: infusion running\\\\); firmware measured\")' \"$J\" >/dev/null"
else
	notok "clinical hold on pump-B granted"
fi
check "json: the pending device: approve it or add its provisioning record" \
    "jq -e '.action_needed[] | select(.name == \"host-C\") | .sentence |
        contains(\"approve it\") and contains(\"add its provisioning record\")' \"$J\" >/dev/null"
check "json: trusted devices need no action" \
    "jq -e '[.devices[] | select(.state == \"trusted\") | .action] == [null, null]' \"$J\" >/dev/null"
check "json: checklist of the trusted device (identity, firmware, provenance)" \
    "jq -e '.devices[] | select(.name == \"pump-A\") | .checklist |
        .identity_provisioned.status == \"yes\" and
        .firmware_approved.status != \"no\" and
        .decommissioning.status == \"in service\"' \"$J\" >/dev/null"
check "json: advisories come from the gateway's remediation rows" \
    "jq -e '[.devices[].checklist.open_advisories] | all(.status == \"yes\" and
        (.detail | startswith(\"none open for its attested release\")))' \"$J\" >/dev/null"
check "json: tampered device's firmware is not approved" \
    "jq -e '.devices[] | select(.name == \"pump-B\") | .checklist.firmware_approved.status == \"no\"' \"$J\" >/dev/null"
check "json: pending device has no provisioned identity" \
    "jq -e '.devices[] | select(.name == \"host-C\") | .checklist.identity_provisioned.status == \"no\"' \"$J\" >/dev/null"
check "json: every device has a dated timeline" \
    "jq -e '[.devices[] | (.timeline | length > 0) and
        (.timeline | all(.at | test(\"^20[0-9-]+T[0-9:]+Z$\")))] | all' \"$J\" >/dev/null"
check "json: the hostile name is kept as data" \
    "jq -e --arg n \"$EVIL_NAME\" '[.devices[].name] | index(\$n) != null' \"$J\" >/dev/null"

# --- CSV: one row per device, RFC 4180, formulas neutralised ---
C="$T/report.csv"
# Records: a quoted field may hold CRLF; count rows outside quotes.
rows=$(awk 'BEGIN { RS = "\r\n"; q = 0; n = 0 }
	{ t = $0; c = gsub(/"/, "", t); q = (q + c) % 2; if (q == 0) n++ }
	END { print n }' "$C")
check "csv: a header and one row per device" "[ \"$rows\" -eq 5 ]"
check "csv: CRLF line ends" "[ \"\$(head -1 \"$C\" | od -An -c | grep -c '\\\\r')\" -ge 1 ]"
check "csv: header has the checklist columns" \
    "head -1 \"$C\" | grep -q 'identity_provisioned,identity_provisioned_detail,firmware_approved,firmware_approved_detail,open_advisories,open_advisories_detail,update_provenance,update_provenance_detail,decommissioning,decommissioning_detail'"
check "csv: the formula model is quoted and starts with a quote mark" \
    "grep -qF '\"'\"'\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\"' \"$C\""
check "csv: a comma and quotes in the ward are RFC 4180-quoted" \
    "grep -qF '\"Ward \"\"3\"\", east\"' \"$C\""
check "csv: a serial starting with - is neutralised" \
    "grep -qF \",'-1+1,\" \"$C\""
check "csv: no cell starts with = + - @ unquoted" \
    "! grep -qE '(^|,)[=+@-]' \"$C\""

# --- HTML: static checks ---
H="$T/report.html"
check "html: the hostile name appears escaped" \
    "grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' \"$H\""
check "html: no script element, no external reference" \
    "! grep -qiE '<script|<link|<img|<iframe|<object|src=|href=\"[^#]|@import|url\\(' \"$H\""
check "html: a CSP forbids scripts" \
    "grep -qF \"default-src 'none'\" \"$H\""
check "html: inline SVG charts and print CSS" \
    "[ \"\$(grep -c '<svg ' \"$H\")\" -ge 4 ] && grep -q '@media print' \"$H\""

# --- HTML: headless Chromium ---
HOME="$T/home" XDG_CONFIG_HOME="$T/home" XDG_CACHE_HOME="$T/home"
export HOME XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$HOME"
chrome() {
	timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox \
	    --no-first-run --disable-dev-shm-usage --hide-scrollbars \
	    --user-data-dir="$T/home/profile" "$@" 2>>"$T/chromium.err"
}
chrome --screenshot="$T/shot.png" --window-size=1280,2000 "file://$H" >/dev/null
sz=$(wc -c <"$T/shot.png" 2>/dev/null || echo 0)
check "chromium: the screenshot is a PNG" \
    "[ \"\$(head -c 8 \"$T/shot.png\" 2>/dev/null | od -An -tx1 | tr -d ' \\n')\" = 89504e470d0a1a0a ]"
check "chromium: the screenshot has a plausible size ($sz bytes)" \
    "[ \"$sz\" -gt 20000 ] && [ \"$sz\" -lt 20000000 ]"
W=$(od -An -tu1 -j16 -N8 "$T/shot.png" 2>/dev/null | awk '{ print $3 * 256 + $4, $7 * 256 + $8 }')
check "chromium: the screenshot is 1280x2000 ($W)" "[ \"$W\" = '1280 2000' ]"
chrome --dump-dom "file://$H" >"$T/dom.html"
# The DOM as text: tags dropped, entities left (so an escaped tag stays
# visibly escaped and a real element would show as a tag we removed).
text=$(sed -e 's/<[^>]*>/ /g' "$T/dom.html" | tr -s ' \n' ' ')
has() { printf '%s' "$text" | grep -qF -- "$1"; }
check "dom: rendered (title and summary)" \
    "has 'Trust status report' && has 'Fleet summary'"
check "dom: the device count and per-state counts" \
    "has '4 devices' && has '2 trusted' && has '1 untrusted' && has '1 pending'"
check "dom: the PCR_MISMATCH sentence" \
    "has 'firmware measured something its event log does not show: quarantined; reimage or investigate before clinical use'"
check "dom: the pending sentence" "has 'add its provisioning record'"
check "dom: the advisory line says where advisories come from" \
    "has 'wardgate advisory add'"
check "dom: the checklist rows" \
    "has 'Identity provisioned' && has 'Firmware approved' && has 'Update provenance' && has 'Decommissioning'"
check "dom: the hostile name is text, escaped" \
    "has '&lt;script&gt;alert(1)&lt;/script&gt;'"
check "dom: no script element was created" \
    "! grep -qi '<script' \"$T/dom.html\""
check "dom: pump-B is listed before host-C in the action list" \
    "printf '%s' \"\$text\" | awk '{ a = index(\$0, \"pump-B (Emergency\"); b = index(\$0, \"host-C (no ward\"); exit !(a > 0 && b > a) }'"

if [ "$fails" -ne 0 ]; then
	echo "--- status"; cat "$T/status.txt"
	echo "--- chromium stderr (tail)"; tail -5 "$T/chromium.err" 2>/dev/null
	echo "--- csv"; cat "$C"
fi
tap_done
