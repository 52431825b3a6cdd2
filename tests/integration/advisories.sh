#!/bin/sh
# Vulnerability intake end to end (issue 6, point 2), with a real
# wardgated, swtpm devices and wardgate-agent:
#
#   V1, V2  Infusomat Space on release 4.2.1, trusted
#   V3      Hamilton C6 on release 1.0, trusted
#
# PHI-A (4.2.1 affected, fixed 4.2.2, quarantine): V1 and V2 become
# vulnerable in quarantine, V3 untouched; a new attestation of the same
# release keeps V1 vulnerable; once the issuer's next policy calls the
# boot 4.2.2, V1 attests it, is trusted and the advisory is closed with
# the release that fixed it (an audit row); V2, not yet attested again,
# stays vulnerable. PHI-B (restrict) puts V3 in segment_restricted;
# PHI-C (notify) leaves a trusted device trusted with an open advisory.
# A malformed advisory, an unknown member and an id given twice are
# refused and change nothing.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-adv.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

# Two issuers: acme for the pump (v1: 4.2.1, v2: the same boot as 4.2.2),
# hamilton for the ventilator (1.0).
mkdir -p "$T/issuers"
for iss in acme hamilton; do
	openssl genpkey -algorithm ED25519 -out "$T/$iss.key" >/dev/null 2>&1
	openssl pkey -in "$T/$iss.key" -pubout -out "$T/issuers/$iss.pem" || exit 1
done
"$WARDGATE" policy learn --eventlog "$LOG" --model "Infusomat Space" \
    --release 4.2.1 --issuer acme -o "$T/p1.json" 2>/dev/null || exit 1
jq '.version = 1' "$T/p1.json" >"$T/p.tmp" && mv "$T/p.tmp" "$T/p1.json"
jq '.version = 2 | .models[0].releases[0].release = "4.2.2"' "$T/p1.json" \
    >"$T/p2.json" || exit 1
"$WARDGATE" policy learn --eventlog "$LOG" --model "Hamilton C6" \
    --release 1.0 --issuer hamilton -o "$T/h1.json" 2>/dev/null || exit 1
for p in p1:acme p2:acme h1:hamilton; do
	"$WARDGATE" policy sign --key "$T/${p#*:}.key" "$T/${p%:*}.json" \
	    2>/dev/null || exit 1
done

CA=$(swtpm_ca_init "$T/ca" "Advisory test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1
gwadm policy install "$T/p1.json" >/dev/null || exit 1
gwadm policy install "$T/h1.json" >/dev/null || exit 1

tcti() { eval "echo \$TCTI_$1"; }
agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in ek) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/state$_dev" --tcti "$(tcti $_dev)" \
	    --eventlog "$LOG" "$@"
}
show() { gwadm device show "$1"; }
field() { show "$1" | jq -r ".$2"; }
for dev in V1 V2 V3; do
	model="Infusomat Space"
	[ "$dev" = V3 ] && model="Hamilton C6"
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
	TPM2TOOLS_TCTI=$(tcti "$dev") simboot "$LOG" || exit 1
	F=$(agent "$dev" ek | sed -n 's/^ek-fingerprint: //p')
	gwadm device provision --name "$dev" --model "$model" --owner ICU \
	    --ek-fpr "$F" >/dev/null || exit 1
	agent "$dev" --once >/dev/null 2>&1
done
rm -f "$LOG.sim.json" "$LOG.sim.txt"
check "three trusted devices" \
    "[ \"\$(field V1 state)\$(field V2 state)\$(field V3 state)\" = trustedtrustedtrusted ]"

cat >"$T/phi-a.json" <<'EOF2'
{"id": "PHI-A", "model": "Infusomat Space", "affected": ["4.2.0", "4.2.1"],
 "fixed": "4.2.2", "severity": "critical", "action": "quarantine",
 "title": "Bolus limit bypass", "published": "2026-11-20"}
EOF2
gwadm advisory add "$T/phi-a.json" >"$T/a.out" 2>&1
check "PHI-A recorded, two devices affected" \
    "[ $? -eq 0 ] && grep -q 'PHI-A (quarantine) recorded: 2 device' '$T/a.out'"
check "V1 and V2 are vulnerable, in quarantine" \
    "[ \"\$(field V1 state) \$(field V1 segment) \$(field V2 state)\" = 'vulnerable quarantine vulnerable' ]"
check "V3 (another model) is untouched" "[ \"\$(field V3 state)\" = trusted ]"
check "V1's advisory is open, for release 4.2.1" \
    "show V1 | jq -e '.advisories == [{\"id\":\"PHI-A\",\"opened\":.advisories[0].opened,\"release\":\"4.2.1\",\"closed\":null,\"fixed_by\":null}]' >/dev/null"
gwadm advisory add "$T/phi-a.json" >"$T/dup.out" 2>&1
check "the same id again is refused (exit 1, CONFLICT)" \
    "[ $? -eq 1 ] && grep -q CONFLICT '$T/dup.out'"
printf '{"id":"X","model":"M","affected":["1"],"severity":"high","action":"quarantine","cvss":9}' >"$T/bad1.json"
gwadm advisory add "$T/bad1.json" >"$T/bad1.out" 2>&1
check "an unknown member is refused before anything (exit 1)" \
    "[ $? -eq 1 ] && grep -q ADVISORY '$T/bad1.out'"
printf '{"id":"X","model":"M","affected":["1"],"fixed":"1","severity":"high","action":"quarantine"}' >"$T/bad2.json"
gwadm advisory add "$T/bad2.json" >/dev/null 2>&1
check "a fixed release that is also affected is refused" "[ $? -eq 1 ]"
check "refused advisories were not recorded" \
    "[ \"\$(gwadm advisory list | jq length)\" = 1 ]"

agent V1 --once >"$T/v1b.out" 2>&1
check "V1 attests 4.2.1 again: still vulnerable, the agent told why" \
    "[ \"\$(field V1 state)\" = vulnerable ] && grep -q 'VULNERABLE' '$T/v1b.out'"
check "the reason names the advisory and the fixed release" \
    "show V1 | jq -e '.reasons[] | select(.code == \"VULNERABLE\") | .message | contains(\"PHI-A\") and contains(\"update to 4.2.2\")' >/dev/null"

gwadm policy install "$T/p2.json" >/dev/null || exit 1
agent V1 --once >/dev/null 2>&1
check "V1 attests 4.2.2 and is trusted again" \
    "[ \"\$(field V1 state) \$(field V1 release)\" = 'trusted 4.2.2' ]"
check "its advisory is closed, fixed by 4.2.2" \
    "show V1 | jq -e '.advisories[0] | .closed != null and .fixed_by == \"4.2.2\"' >/dev/null"
check "the remediation is an audit row" \
    "gwadm audit list --json V1 | jq -e '[.[] | select(.action == \"remediated\")] | length == 1' >/dev/null"
check "V2, not attested since, stays vulnerable" "[ \"\$(field V2 state)\" = vulnerable ]"

cat >"$T/phi-b.json" <<'EOF2'
{"id": "PHI-B", "model": "Hamilton C6", "affected": ["1.0"],
 "severity": "high", "action": "restrict"}
EOF2
gwadm advisory add "$T/phi-b.json" >/dev/null 2>&1
check "PHI-B (restrict): V3 vulnerable in segment_restricted" \
    "[ \"\$(field V3 state) \$(field V3 segment)\" = 'vulnerable clinical-hold' ]"

cat >"$T/phi-c.json" <<'EOF2'
{"id": "PHI-C", "model": "Infusomat Space", "affected": ["4.2.2"],
 "severity": "low", "action": "notify"}
EOF2
gwadm advisory add "$T/phi-c.json" >/dev/null 2>&1
check "PHI-C (notify): V1 stays trusted, the advisory open" \
    "[ \"\$(field V1 state)\" = trusted ] && show V1 | jq -e '[.advisories[] | select(.id == \"PHI-C\" and .closed == null)] | length == 1' >/dev/null"
check "advisories and who added them are audit rows" \
    "gwadm audit list --json | jq -e '[.[] | select(.action == \"advisory\")] | length == 3' >/dev/null"
check "the audit chain is intact" "gwadm audit verify >/dev/null"

if [ "$fails" -ne 0 ]; then
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
	show V1
fi
tap_done
