#!/bin/sh
# Provisioning records imported from a maker's batch file (issue 6,
# point 1), with a real wardgated, a swtpm device and wardgate-agent:
# a CSV of three records, one of them the swtpm device's EK, is imported
# in one request; the device then enrolls, is admitted by its record and
# shows its UDI, batch, location and owners. A file with errors on two
# lines is refused with both reported by line, and nothing of it is
# imported (not even its good row).
#
# Against what is stored: a file whose line 3 takes a stored MAC and line 5
# a stored model and serial is refused, both lines named, nothing of it
# stored (not even a record --replace would have replaced); the first file
# again is "unchanged" with no new audit rows; a changed record of a stored
# EK is refused without --replace and replaces it, with an audit row, with
# it; a decommissioned device's EK is refused, --replace or not.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-prov.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

CA=$(swtpm_ca_init "$T/ca" "Provisioning test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" || exit 1
swtpm_ca_setup "$T/ca" "$T/tpmD1" >/dev/null || exit 1
swtpm_ca_start D1 "$T/tpmD1" || exit 1
TPM2TOOLS_TCTI=$TCTI_D1 simboot "$LOG" || exit 1
agent() {
	"$AGENT" "$@" --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/stateD1" --tcti "$TCTI_D1" --eventlog "$LOG"
}
F=$(agent ek | sed -n 's/^ek-fingerprint: //p')
check "the swtpm device has an EK fingerprint" "[ \${#F} -eq 64 ]"
F2=$(printf 'two' | openssl dgst -sha256 -r | cut -c1-64)
F3=$(printf 'three' | openssl dgst -sha256 -r | cut -c1-64)

printf '%s\r\n' \
    'name,serial,model,udi,lot,ward,location,owner_identity,owner_update,owner_vuln,owner_decommission,mac,ek_fpr' \
    "pump-7,SN-0007,\"Infusomat Space, v2\",(01)04046964012345(21)SN-0007,LOT-42,ICU,\"Bed 4\",Ann Id,Bob Upd,Cy Vuln,Di Decom,02:00:00:00:00:07,$F" \
    "pump-8,SN-0008,Infusomat Space,(01)04046964012345(21)SN-0008,LOT-42,ICU,Bed 5,Ann Id,Bob Upd,Cy Vuln,Di Decom,02:00:00:00:00:08,$F2" \
    "mon-1,SN-1001,IntelliVue,\"=HYPERLINK(\"\"http://x\"\")\",LOT-9,ER,Bay 1,Eve,Fay,Gus,Hal,02:00:00:00:01:01,$F3" \
    >"$T/good.csv"
gwadm device import "$T/good.csv" >"$T/imp.out" 2>&1
check "three records imported in one batch" \
    "[ $? -eq 0 ] && grep -q 'imported 3 provisioning records' '$T/imp.out'"
check "one audit row per record and one for the batch with its SHA-256" \
    "gwadm audit list --json | jq -e '([.[] | select(.action == \"provision\")] | length == 3) and ([.[] | select(.action == \"provision-batch\" and (.detail | test(\"3 records, sha256 [0-9a-f]{64}\")))] | length == 1)' >/dev/null"

agent --once >"$T/agent.out" 2>&1
show() { gwadm device show pump-7; }
check "the device enrolled and was matched by its EK" \
    "show | jq -e '.id == \"$F\" and .name == \"pump-7\" and .serial == \"SN-0007\"' >/dev/null"
check "it shows its UDI, batch and location" \
    "show | jq -e '.provisioning | .udi == \"(01)04046964012345(21)SN-0007\" and .batch == \"LOT-42\" and .location == \"Bed 4\" and .owner == \"ICU\"' >/dev/null"
check "it shows the owner of each lifecycle stage" \
    "show | jq -e '.provisioning | .owner_identity == \"Ann Id\" and .owner_update == \"Bob Upd\" and .owner_vuln == \"Cy Vuln\" and .owner_decommission == \"Di Decom\"' >/dev/null"

F4=$(printf 'four' | openssl dgst -sha256 -r | cut -c1-64)
printf '%s\n' \
    'name,serial,model,mac,ek_fpr' \
    "new-1,SN-2001,Monitor,02:00:00:00:02:01,$F4" \
    "new-2,SN-2001,Monitor,02:00:00:00:02:02,XYZ" \
    "new-3,SN-2003,Monitor,not-a-mac,$F2" \
    >"$T/bad.csv"
gwadm device import "$T/bad.csv" >"$T/bad.out" 2>&1
rc=$?
check "a bad file is refused (exit 1)" "[ $rc -eq 1 ]"
check "both bad lines are reported by line and column" \
    "grep -q '^line 3: serial: also on line 2' '$T/bad.out' && grep -q '^line 3: ek_fpr: ' '$T/bad.out' && grep -q '^line 4: mac: ' '$T/bad.out'"
check "the good line is not reported" "! grep -q '^line 2:' '$T/bad.out'"
check "nothing of it was imported" \
    "gwadm audit list --json | jq -e '([.[] | select(.action == \"provision\")] | length == 3) and ([.[] | select(.device == \"$F4\")] | length == 0)' >/dev/null"

# ---- against what is stored ----
nprov() {
	gwadm audit list --json | jq '[.[] | select(.action == "provision" or .action == "provision-batch")] | length'
}
loc7() { show | jq -r .provisioning.location; }
F5=$(printf 'five' | openssl dgst -sha256 -r | cut -c1-64)
F6=$(printf 'six' | openssl dgst -sha256 -r | cut -c1-64)
F8=$(printf 'eight' | openssl dgst -sha256 -r | cut -c1-64)
before=$(nprov)
printf '%s\n' \
    'name,serial,model,location,mac,ek_fpr' \
    "new-5,SN-5005,Monitor,Bay 5,02:00:00:00:05:05,$F5" \
    "new-6,SN-5006,Monitor,Bay 6,02:00:00:00:00:08,$F6" \
    "pump-7,SN-0007,\"Infusomat Space, v2\",Bed 3,02:00:00:00:00:07,$F" \
    "new-8,SN-1001,IntelliVue,Bay 8,02:00:00:00:05:08,$F8" \
    >"$T/clash.csv"
gwadm device import --replace "$T/clash.csv" >"$T/clash.out" 2>&1
rc=$?
check "a file clashing with stored records is refused (exit 1)" "[ $rc -eq 1 ]"
check "line 3 (pump-8's MAC) and line 5 (mon-1's model and serial) are named" \
    "grep -q '^line 3: mac: 02:00:00:00:00:08 is already pump-8' '$T/clash.out' && grep -q '^line 5: serial: IntelliVue SN-1001 is already mon-1' '$T/clash.out' && grep -q ': 2 conflicts with stored records, nothing imported' '$T/clash.out'"
check "its other lines are not reported" \
    "[ \$(grep -c '^line ' '$T/clash.out') -eq 2 ]"
check "nothing of it was stored: no new record, pump-7's not replaced" \
    "[ \"\$(loc7)\" = 'Bed 4' ] && [ \$(nprov) -eq $before ] && gwadm audit list --json | jq -e '[.[] | select(.device == \"$F5\" or .device == \"$F6\" or .device == \"$F8\")] | length == 0' >/dev/null"

gwadm device import "$T/good.csv" >"$T/again.out" 2>&1
rc=$?
check "the first file again is accepted, all unchanged" \
    "[ $rc -eq 0 ] && grep -q 'imported 3 provisioning records from .*: 0 new, 0 replaced, 3 unchanged' '$T/again.out'"
check "and adds no audit row" "[ \$(nprov) -eq $before ]"

sed 's/"Bed 4"/"Bed 9"/' "$T/good.csv" >"$T/changed.csv"
gwadm device import "$T/changed.csv" >"$T/chg.out" 2>&1
rc=$?
check "a changed record of a stored EK is refused without --replace (exit 1)" \
    "[ $rc -eq 1 ] && grep -q '^line 2: ek_fpr: provisioned already as pump-7, which differs in location' '$T/chg.out' && grep -q -- '--replace' '$T/chg.out'"
check "and not stored" "[ \"\$(loc7)\" = 'Bed 4' ] && [ \$(nprov) -eq $before ]"
gwadm device import --replace "$T/changed.csv" >"$T/rep.out" 2>&1
rc=$?
check "--replace replaces it" \
    "[ $rc -eq 0 ] && grep -q '0 new, 1 replaced, 2 unchanged' '$T/rep.out' && [ \"\$(loc7)\" = 'Bed 9' ]"
check "with one provision audit row naming what changed, and the batch row" \
    "[ \$(nprov) -eq \$((before + 2)) ] && gwadm audit list --json | jq -e '([.[] | select(.action == \"provision\" and .device == \"$F\" and .detail == \"pump-7: replaces the stored record (location)\")] | length == 1) and ([.[] | select(.action == \"provision-batch\" and (.detail | test(\": 0 new, 1 replaced, 2 unchanged\$\")))] | length == 1)' >/dev/null"

gwadm decommission pump-7 --reason "returned to the maker" >"$T/dec.out" 2>&1
check "pump-7 is decommissioned" "[ \$? -eq 0 ] && [ \"\$(show | jq -r .state)\" = decommissioned ]"
before=$(nprov)
for opt in "" --replace; do
	gwadm device import $opt "$T/changed.csv" >"$T/ret.out" 2>&1
	rc=$?
	check "a record of a decommissioned device's EK is refused ${opt:-without --replace}" \
	    "[ $rc -eq 1 ] && grep -q '^line 2: ek_fpr: its device was decommissioned' '$T/ret.out' && [ \$(grep -c '^line ' '$T/ret.out') -eq 1 ] && [ \$(nprov) -eq $before ]"
done
check "the audit chain is intact" "gwadm audit verify >/dev/null"

if [ "$fails" -ne 0 ]; then
	cat "$T/imp.out" "$T/bad.out" "$T/agent.out" "$T/clash.out" \
	    "$T/again.out" "$T/chg.out" "$T/rep.out" "$T/ret.out"
	gwadm audit list --json | jq -c ".[] | [.action, .device[0:8], .detail]"
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
fi
tap_done
