#!/bin/sh
# Golden firmware policies end to end: a policy learned from a good boot,
# signed by a trusted issuer and installed in wardgated, decides which
# attested boots are trusted.
#
#   P1  Infusomat, the learned boot              -> trusted, release 4.2.1
#   P2  Infusomat, an unapproved boot application (its log honest)
#                                                -> untrusted, POLICY_BOOT_APP
#   P3  IntelliVue on a revoked release          -> untrusted, POLICY_REVOKED
# and bundle installs: a rollback, a tampered bundle and an unknown
# issuer are refused and change nothing.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_pcrextend jq openssl

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-policy.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

# An honest log of a boot with another boot application: the first
# EV_EFI_BOOT_SERVICES_APPLICATION's digests changed, as firmware would
# have measured a different binary.
"$WARDGATE" eventlog --json "$LOG" >"$T/good.json" || exit 1
cp "$LOG" "$T/other-app.bin"
for alg in sha1 sha256; do
	D=$(jq -r --arg a "$alg" '[.events[] | select(.type == 2147483651)][0].digests[$a]' "$T/good.json")
	OFF=$(hex_offset "$LOG" "$D")
	flip_bit "$T/other-app.bin" $((OFF + 7))
done
APP_EVENT=$(jq -r '[.events[] | select(.type == 2147483651)][0].index' "$T/good.json")

# --- the issuer and its policy ---
mkdir -p "$T/issuers"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/acme.key" >/dev/null 2>&1 || exit 1
openssl pkey -in "$T/acme.key" -pubout -out "$T/issuers/acme-psirt.pem" || exit 1
openssl genpkey -algorithm ED25519 -out "$T/evil.key" >/dev/null 2>&1 || exit 1

"$WARDGATE" policy learn --eventlog "$LOG" --model "Infusomat Space" \
    --release 4.2.1 --issuer acme-psirt -o "$T/learned.json" 2>/dev/null
check "policy learn drafts a policy" "[ -s \"$T/learned.json\" ]"
check "the draft passes the log it was learned from (offline)" \
    "\"$WARDGATE\" appraise --policy \"$T/learned.json\" --model 'Infusomat Space' --eventlog \"$LOG\" >/dev/null"
"$WARDGATE" appraise --policy "$T/learned.json" --model "Infusomat Space" \
    --eventlog "$T/other-app.bin" --json >"$T/offline.json"
rc=$?
check "offline: an unapproved boot application fails (exit 1) and names the event" \
    "[ $rc -eq 1 ] && jq -e --argjson e $APP_EVENT '.reasons[] | select(.code == \"POLICY_BOOT_APP\" and .event == \$e)' \"$T/offline.json\" >/dev/null"

# Bundle v2: the learned model, plus a model whose release is revoked.
jq '.version = 2 | .models += [.models[0] | .model = "IntelliVue MX750"
    | .releases[0].release = "B.02" | .releases[0].status = "revoked"
    | .releases[0].advisory = "PHI-2026-014"]' "$T/learned.json" >"$T/v2.json"
"$WARDGATE" policy check "$T/v2.json" >"$T/v2.norm" 2>"$T/err"
check "policy check accepts the bundle" "[ $? -eq 0 ]"
"$WARDGATE" policy check "$T/v2.norm" >"$T/v2.norm2"
check "the normalised form parses again to itself" "cmp -s \"$T/v2.norm\" \"$T/v2.norm2\""
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v2.json" 2>/dev/null
check "policy sign writes a detached signature" "[ -s \"$T/v2.json.sig\" ]"

CA=$(swtpm_ca_init "$T/ca" "Policy test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1

gwadm policy install "$T/v2.json" >"$T/install.out" 2>&1
check "a signed bundle from a trusted issuer installs" "[ $? -eq 0 ]"
gwadm policy install "$T/v2.json" >"$T/rollback.out" 2>&1
check "the same version again is refused (rollback)" \
    "[ $? -ne 0 ] && grep -q POLICY_ROLLBACK \"$T/rollback.out\""
jq '.version = 1' "$T/v2.json" >"$T/v1.json"
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v1.json" 2>/dev/null
gwadm policy install "$T/v1.json" >"$T/rollback1.out" 2>&1
check "an older version is refused (rollback)" \
    "[ $? -ne 0 ] && grep -q POLICY_ROLLBACK \"$T/rollback1.out\""
jq '.version = 3 | .models[0].releases[0].release = "4.2.2"' "$T/v2.json" \
    >"$T/v3.json"
cp "$T/v2.json.sig" "$T/v3.json.sig"
gwadm policy install "$T/v3.json" >"$T/tampered.out" 2>&1
check "a tampered bundle is refused (signature)" \
    "[ $? -ne 0 ] && grep -q POLICY_SIGNATURE \"$T/tampered.out\""
jq '.version = 9 | .issuer = "evil-corp"' "$T/v2.json" >"$T/evil.json"
"$WARDGATE" policy sign --key "$T/evil.key" "$T/evil.json" 2>/dev/null
gwadm policy install "$T/evil.json" >"$T/evil.out" 2>&1
check "a bundle from an unknown issuer is refused" \
    "[ $? -ne 0 ] && grep -q POLICY_ISSUER \"$T/evil.out\""
# The admin API takes bundles only as canonical padded base64: anything
# else is refused before the bundle is read (error JSON, not POLICY).
if command -v curl >/dev/null 2>&1; then
	b64err() {
		curl -s --unix-socket "$GW_SOCK" \
		    -H 'Content-Type: application/json' \
		    -d "{\"bundle\": \"$1\", \"signature\": \"AA==\"}" \
		    http://localhost/admin/v1/policies | jq -r .error
	}
	check "a bundle not in canonical base64 is refused: non-zero pad bits, no padding, url alphabet, whitespace" \
	    "[ \"\$(b64err 'e30=')\" != JSON ] && [ \"\$(b64err 'e31=')\" = JSON ] &&
	    [ \"\$(b64err 'e30')\" = JSON ] && [ \"\$(b64err 'e3-=')\" = JSON ] &&
	    [ \"\$(b64err 'e3 0=')\" = JSON ]"
fi
in_force() { gwadm policy list | jq -r '.[] | .issuer + " " + (.version | tostring)'; }
check "only version 2 is in force" "[ \"$(in_force)\" = 'acme-psirt 2' ]"

# --- devices ---
tcti() { eval "echo \$TCTI_$1"; }
agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in ek) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/state$_dev" --tcti "$(tcti $_dev)" \
	    --eventlog "$T/log$_dev.bin" "$@"
}
field_of() { gwadm status --json | jq -r --arg n "$1" --arg f "$2" '.[] | select(.name == $n) | .[$f] // ""'; }
reasons_of() { gwadm status --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .reasons[] | .code + " " + .message'; }

setup_dev() {	# NAME MODEL LOG
	swtpm_ca_setup "$T/ca" "$T/tpm$1" >/dev/null || exit 1
	swtpm_ca_start "$1" "$T/tpm$1" || exit 1
	cp "$3" "$T/log$1.bin"
	TPM2TOOLS_TCTI=$(tcti "$1") simboot "$T/log$1.bin" || exit 1
	F=$(agent "$1" ek | sed -n 's/^ek-fingerprint: //p')
	gwadm device provision --name "$1" --model "$2" --owner ICU \
	    --ek-fpr "$F" >/dev/null || exit 1
}
setup_dev P1 "Infusomat Space" "$LOG"
setup_dev P2 "Infusomat Space" "$T/other-app.bin"
setup_dev P3 "IntelliVue MX750" "$LOG"
setup_dev P4 "Unlisted Pump 9" "$LOG"

agent P1 --once >"$T/P1.out" 2>&1
check "the approved boot is trusted" \
    "[ $? -eq 0 ] && [ \"$(field_of P1 state)\" = trusted ]"
check "the matched release is recorded" "[ \"$(field_of P1 release)\" = 4.2.1 ]"

agent P2 --once >"$T/P2.out" 2>&1
check "an unapproved boot application is refused" \
    "[ $? -eq 1 ] && [ \"$(field_of P2 state)\" = untrusted ]"
check "...and the reason names the event" \
    "reasons_of P2 | grep -q \"^POLICY_BOOT_APP .*event $APP_EVENT \""

agent P3 --once >"$T/P3.out" 2>&1
check "a revoked release is refused" \
    "[ $? -eq 1 ] && [ \"$(field_of P3 state)\" = untrusted ]"
check "...and the reason names the advisory" \
    "reasons_of P3 | grep '^POLICY_REVOKED' | grep -q PHI-2026-014"

agent P4 --once >"$T/P4.out" 2>&1
check "a model no policy lists is not trusted (fail closed)" \
    "[ $? -eq 1 ] && reasons_of P4 | grep -q '^POLICY_NO_MODEL'"

# The gateway restarts with the same store: the policy is still in force.
gw_stop
gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1
agent P1 --once >/dev/null 2>&1
check "after a restart the installed policy still decides" \
    "[ \"$(field_of P1 state)\" = trusted ] && [ \"$(gwadm policy list | jq -r '.[0].version')\" = 2 ]"

if [ "$fails" -ne 0 ]; then
	echo "# wardgated's log:"
	sed 's/^/#   /' "$T/gw/wardgated.log"
fi
tap_done
