#!/bin/sh
# Devices that cannot attest, and field service, with a real wardgated and
# its admin socket (`wardgate legacy`, `wardgate service`):
#
#   legacy     registered with compensating controls, an owner, a review
#              and a sunset date; in segment_legacy until the sunset, then
#              quarantined by the gateway's sweep (audited); duplicates,
#              bad dates and missing fields refused; no hold, approval or
#              restart makes it more trusted; a review is recorded, but
#              not after the sunset
#   service    a window opens a named flow to a device until a time at
#              most service_max ahead, approved by a named person; it
#              closes by itself, by `service close`, when replaced and
#              when the device is decommissioned; every step an audit row
#   enforcer   with a dryrun wardgate-enforcer: the gateway refuses a flow
#              the enforcer did not announce, sends OPEN with the seconds
#              left and CLOSE after each commit, and re-opens the windows
#              when the enforcer restarts
set -u

: "${WARDGATE:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need jq openssl

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-legacy.XXXXXX")
trap 'gw_stop; rm -rf "$T"' EXIT INT TERM

# wardgated needs an EK CA bundle to start; no device here has a TPM.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ekca.key" -out "$T/ekca.pem" -days 2 \
    -subj "/CN=unused TPM CA" >/dev/null 2>&1 || exit 1
mkdir -p "$T/issuers"

show() { gwadm device show "$1"; }
field() { show "$1" | jq -r "$2"; }
audit_has() {	# DEVICE ACTION [jq condition on the row]
	gwadm audit list --json "$1" | jq -e --arg a "$2" \
	    "[.[] | select(.action == \$a) | select(${3:-true})] | length > 0" \
	    >/dev/null
}
# "exit status STATUS and the error text contains WORD"
refused() {	# STATUS WORD CMD...
	_st=$1 _w=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	_rc=$?
	[ "$_rc" -eq "$_st" ] && grep -q -- "$_w" "$T/err"
}

gw_start "$T/gw" "$T/ekca.pem" "policy_issuers = $T/issuers" \
    "segment_legacy = legacy" "service_max = 7200" || exit 1

# ---- legacy devices ----
MAC1=02:1e:00:00:00:01 MAC2=02:1e:00:00:00:02
check "legacy add: a device that will reach its sunset in a few seconds" \
    "gwadm legacy add --name old-pump --model 'Volumat MC' --serial V-77 \
    --mac $MAC1 --owner 'J. Meyer (biomed)' --controls 'ACL: HL7 to 10.1.2.3 only' \
    --review +2s --sunset +5s >'$T/add1' && grep -q 'old-pump' '$T/add1'"
check "legacy add: a second one with a year to go (dates as YYYY-MM-DD)" \
    "gwadm legacy add --name old-monitor --model 'Dash 3000' --serial D-9 \
    --mac $MAC2 --owner 'K. Osei' --controls 'own VLAN, no internet, MAC pinned' --ward ICU \
    --review $(date -u -d '+30 days' +%F) --sunset $(date -u -d '+365 days' +%F) >/dev/null"
check "a legacy device is in state legacy and in segment_legacy" \
    "[ \"\$(field old-monitor '.state + \" \" + .segment')\" = 'legacy legacy' ]"
check "its record: owner, controls, dates, who registered it" \
    "show old-monitor | jq -e '.legacy.owner == \"K. Osei\" and .owner == \"ICU\" and
    (.legacy.controls | test(\"MAC pinned\")) and
    (.legacy.registered_by | startswith(\"admin:uid=\")) and
    .legacy.past_sunset == false and .legacy.review_overdue == false and
    (.legacy.sunset_at | test(\"^20[0-9][0-9]-\"))' >/dev/null"
check "legacy list shows both" \
    "[ \"\$(gwadm legacy list --json | jq length)\" = 2 ]"
check "registration and controls are audit rows with the actor" \
    "audit_has old-monitor legacy-register '.actor | startswith(\"admin:uid=\")' &&
    audit_has old-monitor legacy-controls '.detail | test(\"MAC pinned\")'"

check "the same model and serial again: refused (CONFLICT)" \
    "refused 1 CONFLICT gwadm legacy add --name other --model 'Dash 3000' \
    --serial D-9 --mac 02:1e:00:00:00:09 --owner x --controls y \
    --review +1d --sunset +2d"
check "a MAC another device has: refused (CONFLICT)" \
    "refused 1 CONFLICT gwadm legacy add --name other --model M --serial S1 \
    --mac $MAC2 --owner x --controls y --review +1d --sunset +2d"
check "a name another device has: refused (CONFLICT)" \
    "refused 1 CONFLICT gwadm legacy add --name old-pump --model M --serial S2 \
    --mac 02:1e:00:00:00:0a --owner x --controls y --review +1d --sunset +2d"
check "a review after the sunset: refused (LEGACY)" \
    "refused 1 LEGACY gwadm legacy add --name other --model M --serial S3 \
    --mac 02:1e:00:00:00:0b --owner x --controls y --review +3d --sunset +2d"
check "a sunset in the past: refused (LEGACY)" \
    "refused 1 LEGACY gwadm legacy add --name other --model M --serial S4 \
    --mac 02:1e:00:00:00:0c --owner x --controls y --review 2020-01-01 \
    --sunset 2020-06-01"
gwadm device provision --name infusion-9 --model Infusomat --serial P-9 \
    --mac 02:1e:00:00:00:99 \
    --ek-fpr 9999999999999999999999999999999999999999999999999999999999999999 \
    >/dev/null || exit 1
check "a MAC a provisioning record has (device not enrolled yet): refused" \
    "refused 1 CONFLICT gwadm legacy add --name other --model M --serial S9 \
    --mac 02:1e:00:00:00:99 --owner x --controls y --review +1d --sunset +2d"
check "device provision with a legacy device's MAC or name: refused (CONFLICT)" \
    "refused 1 CONFLICT gwadm device provision --name other --model M \
    --mac $MAC2 --ek-fpr 8888888888888888888888888888888888888888888888888888888888888888 &&
    refused 1 CONFLICT gwadm device provision --name old-monitor --model M \
    --ek-fpr 8888888888888888888888888888888888888888888888888888888888888888"
check "device provision: a MAC in capitals is the same MAC (CONFLICT), and is stored in lowercase" \
    "refused 1 CONFLICT gwadm device provision --name other --model M \
    --mac 02:1E:00:00:00:02 --ek-fpr 8888888888888888888888888888888888888888888888888888888888888888 &&
    gwadm device provision --name upper-mac --model M --mac 02:1E:00:00:00:AB \
    --ek-fpr 5555555555555555555555555555555555555555555555555555555555555555 >/dev/null &&
    refused 1 CONFLICT gwadm device provision --name upper-mac-2 --model M \
    --mac 02:1e:00:00:00:ab --ek-fpr 4444444444444444444444444444444444444444444444444444444444444444"
check "a multicast MAC: refused" \
    "refused 1 mac gwadm legacy add --name other --model M --serial S5 \
    --mac 03:00:00:00:00:01 --owner x --controls y --review +1d --sunset +2d"
check "no compensating controls: usage error, nothing sent" \
    "refused 2 usage gwadm legacy add --name other --model M --serial S6 \
    --mac 02:1e:00:00:00:0d --owner x --review +1d --sunset +2d"
check "none of the refused ones was stored" \
    "[ \"\$(gwadm legacy list --json | jq length)\" = 2 ]"
check "a legacy device never goes to segment_trusted: refused (LEGACY)" \
    "refused 1 LEGACY gwadm legacy add --name other --model M --serial S7 \
    --mac 02:1e:00:00:00:0e --owner x --controls y --review +1d --sunset +2d \
    --segment clinical"
check "a restricted segment of its own, chosen at registration" \
    "gwadm legacy add --name old-ecg --model 'MAC 1200' --serial E-5 \
    --mac 02:1e:00:00:00:05 --owner 'K. Osei' --controls 'ECG VLAN only' \
    --review +30d --sunset +300d --segment legacy-ecg >/dev/null &&
    [ \"\$(field old-ecg '.segment + \" \" + .legacy.segment')\" = 'legacy-ecg legacy-ecg' ]"

check "a legacy device cannot be held (it has its own segment)" \
    "refused 1 HOLD gwadm hold old-monitor --until +1h --reason surgery"
gwadm device approve old-monitor >/dev/null 2>&1
check "approving it does not make it anything but legacy" \
    "[ \"\$(field old-monitor .state)\" = legacy ]"

check "legacy review: next review and a note; the old and new dates audited" \
    "gwadm legacy review old-monitor --next +60d --note 'ACL checked, firmware unchanged' \
    >/dev/null && audit_has old-monitor legacy-review \
    '(.before | test(\"^review \")) and (.after | test(\"^review \")) and
    (.detail | test(\"ACL checked\"))' &&
    show old-monitor | jq -e '.legacy.reviewed_at != \"\" and
    (.legacy.reviewed_by | startswith(\"admin:\"))' >/dev/null"
check "a review of a device that is not legacy: refused" \
    "refused 1 . gwadm legacy review no-such-device --next +1d --note x"

# ---- field-service windows (enforcement off: recorded, not enforced) ----
check "service open: a named flow, a named approver, a bounded time" \
    "gwadm service open old-monitor --flow vendor-support --until +3s \
    --approved-by 'Dr. A. Weber (biomed lead)' --reason 'firmware 2.1 install' \
    >'$T/open1' && grep -q 'OPEN' '$T/open1'"
check "service list shows it open, with its approver" \
    "gwadm service list --json | jq -e 'length == 1 and .[0].flow ==
    \"vendor-support\" and .[0].approved_by == \"Dr. A. Weber (biomed lead)\" and
    .[0].name == \"old-monitor\"' >/dev/null"
check "the opening is an audit row naming the approver" \
    "audit_has old-monitor service-open '(.after | test(\"^vendor-support open until \")) and
    (.detail | test(\"approved by Dr. A. Weber\"))'"
check "longer than service_max: refused (SERVICE)" \
    "refused 1 SERVICE gwadm service open old-monitor --flow vendor-support \
    --until +3h --approved-by x --reason y"
check "no approver: usage error" \
    "refused 2 usage gwadm service open old-monitor --flow vendor-support \
    --until +1h --reason y"
check "a flow name that cannot be one: refused" \
    "refused 1 flow gwadm service open old-monitor --flow 'Vendor Support' \
    --until +1h --approved-by x --reason y"
check "an unknown device: refused" \
    "refused 1 DEVICE_UNKNOWN gwadm service open nobody --flow vendor-support \
    --until +1h --approved-by x --reason y"

# The sweep runs every 2 s: by 9 s both the window (3 s) and old-pump's
# sunset (5 s) are past.
i=0
while [ $i -lt 90 ]; do
	[ "$(field old-pump .segment)" = quarantine ] &&
	    [ "$(gwadm service list --json | jq length)" = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "past its sunset the legacy device is quarantined (still legacy)" \
    "[ \"\$(field old-pump '.state + \" \" + .segment')\" = 'legacy quarantine' ] &&
    [ \"\$(field old-pump .legacy.past_sunset)\" = true ]"
check "the sunset is an audit row by the gateway" \
    "audit_has old-pump legacy-sunset '.actor == \"gateway\" and .after == \"quarantined\"'"
check "a review cannot bring it back after its sunset" \
    "refused 1 sunset gwadm legacy review old-pump --next +1d --sunset +30d --note 'extend'"
check "the window closed by itself: closed by the gateway, audited" \
    "show old-monitor | jq -e '.service | length == 1 and .[0].open == false
    and .[0].closed_by == \"gateway\"' >/dev/null &&
    audit_has old-monitor service-close '.actor == \"gateway\" and
    .detail == \"the window ended\"'"

check "service close: an open window closed by the admin" \
    "gwadm service open old-monitor --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'remote diagnosis' >/dev/null &&
    gwadm service close old-monitor --reason 'vendor done' >'$T/close' &&
    grep -q 'closed 1 window' '$T/close' &&
    audit_has old-monitor service-close '.detail == \"vendor done\"'"
check "closing when none is open: refused" \
    "refused 1 NOT_FOUND gwadm service close old-monitor"
gwadm service open old-monitor --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'first' >/dev/null
check "a second window on the same flow replaces the first" \
    "gwadm service open old-monitor --flow vendor-support --until +2h \
    --approved-by 'Dr. A. Weber' --reason 'second' >/dev/null &&
    [ \"\$(gwadm service list --json | jq length)\" = 1 ] &&
    audit_has old-monitor service-close '.detail == \"replaced by a new window\"'"

gw_stop
MPORT=$(swtpm_free_port) || exit 1
gw_start "$T/gw" "$T/ekca.pem" "policy_issuers = $T/issuers" \
    "segment_legacy = legacy" "service_max = 7200" \
    "metrics_listen = 127.0.0.1:$MPORT" || exit 1
check "after a restart: the sunset device is still quarantined, the window still open" \
    "[ \"\$(field old-pump .segment)\" = quarantine ] &&
    [ \"\$(gwadm service list --json | jq length)\" = 1 ]"
if command -v curl >/dev/null 2>&1; then
	curl -sS "http://127.0.0.1:$MPORT/metrics" >"$T/metrics" 2>&1
	check "/metrics: open windows, legacy devices by state and past their sunset" \
	    "grep -qx 'wardgate_service_windows_open 1' '$T/metrics' &&
	    grep -qx 'wardgate_legacy_devices_attention{reason=\"past_sunset\"} 1' '$T/metrics' &&
	    grep -qx 'wardgate_devices{state=\"legacy\"} 3' '$T/metrics'"
fi

# ---- both are in the trust status report ----
gwadm report --format json -o "$T/report.json" >/dev/null 2>&1
gwadm report --format html -o "$T/report.html" >/dev/null 2>&1
gwadm report --format csv -o "$T/report.csv" >/dev/null 2>&1
check "report: the sunset legacy device needs action, urgently, with its owner" \
    "jq -e '.action_needed[] | select(.name == \"old-pump\") |
    .code == \"LEGACY_SUNSET\" and .urgency == \"urgent\" and
    (.sentence | test(\"past its sunset.*J. Meyer\"))' '$T/report.json' >/dev/null"
check "report: a legacy device's record and CRA identity line" \
    "jq -e '.devices[] | select(.name == \"old-monitor\") |
    .legacy.owner == \"K. Osei\" and
    .checklist.identity_provisioned.status == \"legacy\" and
    .checklist.open_advisories.status == \"unknown\" and .ward == \"ICU\" and
    .checklist.firmware_approved.status == \"not attestable\"' '$T/report.json' >/dev/null"
check "report: the open window, fleet-wide and on the device, with its approver" \
    "jq -e '(.field_service | length == 1) and (.devices[] |
    select(.name == \"old-monitor\") | .service_open |
    test(\"vendor-support until .*[(]approved by Dr. A. Weber[)]\"))' '$T/report.json' >/dev/null"
check "report: the timeline has the window's and the sunset's audit rows" \
    "jq -e '(.devices[] | select(.name == \"old-monitor\") | [.timeline[].event |
    select(startswith(\"service-open\"))] | length >= 3) and (.devices[] |
    select(.name == \"old-pump\") | [.timeline[].event |
    select(startswith(\"legacy-sunset\"))] | length == 1)' '$T/report.json' >/dev/null"
check "report html: the legacy section and the open field service" \
    "grep -q 'Legacy device, no TPM' '$T/report.html' &&
    grep -q 'Field service open now' '$T/report.html' &&
    grep -q 'ACL: HL7 to 10.1.2.3 only' '$T/report.html' &&
    grep -q 'Dr. A. Weber' '$T/report.html'"
check "report csv: legacy dates and open windows are columns" \
    "head -1 '$T/report.csv' | grep -q 'legacy_review,legacy_sunset,service_open' &&
    grep -q 'vendor-support until' '$T/report.csv'"

check "evidence bundle of a legacy device: its legacy and service audit rows, verified offline" \
    "gwadm evidence export old-monitor -o '$T/ev.json' >/dev/null &&
    '$WARDGATE' evidence verify --key '$T/gw/ear.pub' '$T/ev.json' >/dev/null &&
    jq -r .signed '$T/ev.json' | jq -e '.legacy.owner == \"K. Osei\" and
    (.service_windows | length >= 3) and
    ([.audit.rows[] | select(.action == \"service-open\" or
    .action == \"legacy-register\")] | length >= 4)' >/dev/null"

check "decommissioning closes the device's windows" \
    "gwadm decommission old-monitor --reason 'replaced by a TPM model' >/dev/null &&
    [ \"\$(gwadm service list --json | jq length)\" = 0 ] &&
    audit_has old-monitor service-close '.detail == \"device decommissioned\"' &&
    [ \"\$(field old-monitor .state)\" = decommissioned ]"
check "a decommissioned device gets no window" \
    "refused 1 DECOMMISSIONED gwadm service open old-monitor --flow vendor-support \
    --until +1h --approved-by x --reason y"
check "the audit chain verifies" "gwadm audit verify >/dev/null"
gw_stop

# ---- with a (dryrun) enforcer: flows must exist, OPEN/CLOSE follow ----
cat >"$T/enforcer.conf" <<EOF
backend = dryrun
default = quarantine
segment clinical = 10.77.0.2
segment quarantine = 10.77.0.1 tcp 8443
segment blocked = none
segment clinical-hold = 10.77.0.2 tcp 2575
segment legacy = 10.77.0.2 tcp 2575
segment legacy-lab = 10.77.0.5
flow vendor-support = 10.77.0.4 tcp 443
EOF
ENFLOG="$T/gw2/wardgated.log"
gw_start "$T/gw2" "$T/ekca.pem" "policy_issuers = $T/issuers" \
    "segment_legacy = legacy" "service_max = 7200" \
    "enforcer = $WG_BUILDDIR/verifier/wardgate-enforcer" \
    "enforcer_conf = $T/enforcer.conf" || exit 1
gw_enf_wait 10 || { echo "enforcer not in force"; cat "$ENFLOG"; exit 1; }
MAC3=02:1e:00:00:00:03
gwadm legacy add --name scanner --model 'CT 64' --serial C-1 --mac $MAC3 \
    --owner 'R. Lind' --controls 'own VLAN' --review +30d --sunset +300d \
    >/dev/null || exit 1
wait_log() {	# PATTERN: up to 5 s for a line of the enforcer in the log
	_i=0
	while [ $_i -lt 50 ]; do
		grep -q -- "$1" "$ENFLOG" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
check "the enforcer puts the legacy device in segment_legacy" \
    "wait_log 'dry-run: PUT $MAC3 legacy'"
check "a segment the enforcer did not announce: refused (LEGACY)" \
    "refused 1 'not in the enforcer' gwadm legacy add --name other --model M \
    --serial S8 --mac 02:1e:00:00:00:0f --owner x --controls y --review +1d \
    --sunset +2d --segment legacy-ecg"
check "the enforcer's flows are shown" \
    "gwadm enforcement | jq -e '.enforcer.flows | index(\"vendor-support\") != null' >/dev/null"
check "a flow the enforcer did not announce: refused (SERVICE), nothing stored" \
    "refused 1 SERVICE gwadm service open scanner --flow pacs-admin --until +1h \
    --approved-by x --reason y && [ \"\$(gwadm service list --json | jq length)\" = 0 ]"
check "an open window reaches the enforcer as OPEN with its seconds" \
    "gwadm service open scanner --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'tube replacement' >/dev/null &&
    wait_log 'dry-run: OPEN $MAC3 vendor-support for 3[56][0-9][0-9] s'"
EPID=$(pgrep -P "$WG_GW_PID" -f wardgate-enforcer | head -1)
opens_before=$(grep -c "dry-run: OPEN $MAC3 vendor-support" "$ENFLOG")
[ -n "$EPID" ] && kill -9 "$EPID"
i=0
while [ $i -lt 100 ]; do
	[ "$(grep -c "dry-run: OPEN $MAC3 vendor-support" "$ENFLOG")" -gt "$opens_before" ] &&
	    [ "$(gw_enf in_force)" = true ] && break
	sleep 0.1
	i=$((i + 1))
done
check "a restarted enforcer gets the open window again before it is in force" \
    "[ -n '$EPID' ] && [ \"\$(grep -c 'dry-run: OPEN $MAC3 vendor-support' '$ENFLOG')\" -gt $opens_before ] &&
    [ \"\$(gw_enf in_force)\" = true ]"
check "closing it sends CLOSE" \
    "gwadm service close scanner >/dev/null && wait_log 'dry-run: CLOSE $MAC3 vendor-support'"
# A repaired device: new TPM (EK), same network card and serial. The
# retired record gives up its MAC (audited); the enforcer moves the MAC
# from blocked to where an unattested device goes; its name stays taken.
gwadm decommission scanner --reason "sent for repair: mainboard and TPM replaced" >/dev/null
check "decommissioned: the MAC is blocked" "wait_log 'dry-run: PUT $MAC3 blocked'"
check "the repaired device's record takes over MAC and serial" \
    "gwadm device provision --name scanner-2 --model 'CT 64' --serial C-1 \
    --mac $MAC3 --ek-fpr 7777777777777777777777777777777777777777777777777777777777777777 \
    >/dev/null &&
    audit_has scanner mac-released '.before == \"$MAC3\" and (.detail | test(\"777777\"))' &&
    [ \"\$(field scanner .mac)\" = '' ]"
check "and the enforcer takes the MAC out of the blocked segment" \
    "wait_log 'dry-run: PUT $MAC3 quarantine' &&
    [ \"\$(grep 'dry-run: PUT $MAC3 ' '$ENFLOG' | tail -1 | sed 's/.* //')\" = quarantine ]"
check "the retired device's name is not given again" \
    "refused 1 CONFLICT gwadm device provision --name scanner --model 'CT 64' \
    --ek-fpr 6666666666666666666666666666666666666666666666666666666666666666"
MAC4=02:1e:00:00:00:04
check "a legacy device in a segment of its own that the enforcer announced" \
    "gwadm legacy add --name lab-analyser --model 'Cobas 6000' --serial B-2 \
    --mac $MAC4 --owner 'R. Lind' --controls 'LIS host only' --review +30d \
    --sunset +300d --segment legacy-lab >/dev/null &&
    wait_log 'dry-run: PUT $MAC4 legacy-lab'"
# The segment leaves enforcer.conf; the enforcer starts again (killed):
# the device must go to the default segment, not make the enforcer fail
# for ever.
sed -i '/^segment legacy-lab/d' "$T/enforcer.conf"
starts_before=$(gw_enf starts)
EPID=$(pgrep -P "$WG_GW_PID" -f wardgate-enforcer | head -1)
[ -n "$EPID" ] && kill -9 "$EPID"
i=0
while [ $i -lt 100 ]; do
	[ "$(gw_enf starts)" -gt "$starts_before" ] &&
	    [ "$(gw_enf in_force)" = true ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 1
check "its segment gone from enforcer.conf: in the default segment, enforcement up" \
    "[ \"\$(gw_enf in_force)\" = true ] &&
    [ \"\$(gw_enf starts)\" -eq \$((starts_before + 1)) ] &&
    grep -q 'device $MAC4: segment \"legacy-lab\" is not in' '$ENFLOG' &&
    [ \"\$(grep 'dry-run: PUT $MAC4 ' '$ENFLOG' | tail -1 | sed 's/.* //')\" = quarantine ]"
# A flow that holds max_devices windows (the nft backend's set size; the
# dryrun backend refuses alike): a further OPEN is NAK FULL, logged, and
# nothing restarts (a restart would close every window and put every
# device in the default segment, only to be refused again).
echo "max_devices = 1" >>"$T/enforcer.conf"
starts_before=$(gw_enf starts)
EPID=$(pgrep -P "$WG_GW_PID" -f wardgate-enforcer | head -1)
[ -n "$EPID" ] && kill -9 "$EPID"
i=0
while [ $i -lt 100 ]; do
	[ "$(gw_enf starts)" -gt "$starts_before" ] &&
	    [ "$(gw_enf in_force)" = true ] && break
	sleep 0.1
	i=$((i + 1))
done
MAC5=02:1e:00:00:00:06
check "max_devices 1: a window opens" \
    "[ \"\$(gw_enf in_force)\" = true ] &&
    gwadm legacy add --name old-xray --model 'Polydoros' --serial X-6 \
    --mac $MAC5 --owner 'R. Lind' --controls 'own VLAN' --review +30d \
    --sunset +300d >/dev/null &&
    gwadm service open old-xray --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'probe firmware' >/dev/null &&
    wait_log 'dry-run: OPEN $MAC5 vendor-support'"
starts_before=$(gw_enf starts)
gwadm service open lab-analyser --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'LIS update' >/dev/null
check "a second device's window in the full flow: NAK FULL, logged, not open" \
    "wait_log 'OPEN $MAC4 vendor-support refused (FULL): the flow is not open' &&
    ! grep -q 'dry-run: OPEN $MAC4' '$ENFLOG'"
sleep 1
check "the full flow restarts nothing: enforcement stays up" \
    "[ \"\$(gw_enf in_force)\" = true ] && [ \"\$(gw_enf starts)\" -eq $starts_before ]"
check "room again: once the other window is closed, it opens" \
    "gwadm service close old-xray >/dev/null &&
    gwadm service open lab-analyser --flow vendor-support --until +1h \
    --approved-by 'Dr. A. Weber' --reason 'LIS update' >/dev/null &&
    wait_log 'dry-run: OPEN $MAC4 vendor-support'"
gw_stop

tap_done
