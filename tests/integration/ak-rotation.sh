#!/bin/sh
# Credential rotation (issue 6, point 12), with a real wardgated, a swtpm
# device and wardgate-agent: an admin asks for a new AK (wardgate device
# rotate-ak); the next evidence is answered "rotate" and the agent makes a
# fresh AK under the same EK, enrolls and activates it, and attests with
# it. Then with ak_max_age the gateway refuses evidence from an AK older
# than that (AK_EXPIRED) and the agent rotates by itself. Each rotation
# is an "ak-rotated" audit row with the old and new AK fingerprints and a
# row of ak_history.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl sqlite3

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-akrot.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

CA=$(swtpm_ca_init "$T/ca" "Rotation test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" "policy_required = no" || exit 1
swtpm_ca_setup "$T/ca" "$T/tpmR" >/dev/null || exit 1
swtpm_ca_start R "$T/tpmR" || exit 1
TPM2TOOLS_TCTI=$TCTI_R simboot "$LOG" || exit 1
agent() {
	"$AGENT" "$@" --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/stateR" --tcti "$TCTI_R" --eventlog "$LOG"
}
F=$(agent ek | sed -n 's/^ek-fingerprint: //p')
gwadm device provision --name R1 --model "Test Pump" --ek-fpr "$F" \
    >/dev/null || exit 1
show() { gwadm device show R1; }
statesum() { openssl dgst -sha256 -r "$T/stateR/agent.state" | cut -c1-64; }
rotated() {
	gwadm audit list --json | jq '[.[] | select(.action == "ak-rotated")] | length'
}
history() {
	sqlite3 -readonly "$T/gw/wardgate.db" "SELECT count(*) FROM ak_history"
}

agent --once >"$T/a1.out" 2>&1
check "the device enrolled and attests" \
    "show | jq -e '.state == \"trusted\" and .ak_created_at > 0 and .rotate_ak == false' >/dev/null"
s0=$(statesum)

gwadm device rotate-ak R1 >/dev/null 2>&1
check "rotate-ak marks the device" "show | jq -e '.rotate_ak == true' >/dev/null"
check "the request is an audit row" \
    "gwadm audit list --json | jq -e '[.[] | select(.action == \"ak-rotate-requested\")] | length == 1' >/dev/null"
agent --once >"$T/a2.out" 2>&1
check "the agent was told to rotate and made a new AK" \
    "grep -q 'asks for a new AK' '$T/a2.out' && [ \"\$(statesum)\" != '$s0' ]"
check "it attests with the new AK: trusted, no longer marked" \
    "show | jq -e '.state == \"trusted\" and .rotate_ak == false' >/dev/null"
check "one ak-rotated audit row, old and new AK differ" \
    "gwadm audit list --json | jq -e '[.[] | select(.action == \"ak-rotated\")] | length == 1 and (.[0].before | test(\"^[0-9a-f]{64}\$\")) and (.[0].after | test(\"^[0-9a-f]{64}\$\")) and .[0].before != .[0].after' >/dev/null"
check "one ak_history row" "[ \"\$(history)\" = 1 ]"
agent --once >"$T/a3.out" 2>&1
check "the next round uses the new AK without rotating again" \
    "! grep -q 'new AK' '$T/a3.out' && [ \"\$(rotated)\" = 1 ]"

# ak_max_age: the gateway refuses an AK older than that.
gw_stop
gw_start "$T/gw" "$CA" "policy_required = no" "ak_max_age = 2" || exit 1
sleep 3
s1=$(statesum)
agent --once >"$T/a4.out" 2>&1
check "an AK older than ak_max_age is refused (AK_EXPIRED)" \
    "grep -q AK_EXPIRED '$T/a4.out'"
check "the agent rotated by itself and attests" \
    "[ \"\$(statesum)\" != '$s1' ] && show | jq -e '.state == \"trusted\"' >/dev/null"
check "two ak-rotated rows, two ak_history rows" \
    "[ \"\$(rotated)\" = 2 ] && [ \"\$(history)\" = 2 ]"
check "the audit chain is intact" "gwadm audit verify >/dev/null"

if [ "$fails" -ne 0 ]; then
	cat "$T/a1.out" "$T/a2.out" "$T/a3.out" "$T/a4.out"
	show
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
fi
tap_done
