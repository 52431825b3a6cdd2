#!/bin/sh
# Provisioning records imported from a maker's batch file (issue 6,
# point 1), with a real wardgated, a swtpm device and wardgate-agent:
# a CSV of three records, one of them the swtpm device's EK, is imported
# in one request; the device then enrolls, is admitted by its record and
# shows its UDI, batch, location and owners. A file with errors on two
# lines is refused with both reported by line, and nothing of it is
# imported (not even its good row).
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
for tool in swtpm swtpm_setup jq openssl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "SKIP: $tool not installed (scripts/deps.sh test installs it)"
		exit 77
	}
done

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-prov.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

fails=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

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
    "gwadm audit list --json | jq -e '([.[] | select(.action == \"provision\")] | length == 3) and ([.[] | select(.device_id == \"$F4\")] | length == 0)' >/dev/null"
check "the audit chain is intact" "gwadm audit verify >/dev/null"

if [ "$fails" -ne 0 ]; then
	cat "$T/imp.out" "$T/bad.out" "$T/agent.out"
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
