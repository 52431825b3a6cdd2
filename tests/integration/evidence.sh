#!/bin/sh
# Evidence bundles end to end (docs/evidence.md), with a real wardgated,
# swtpm devices and wardgate-agent: `wardgate evidence export` of a
# trusted device (two releases approved by two policy bundles, a failed
# attestation, a clinical hold, an advisory fixed by the second release)
# and of a decommissioned one; `wardgate evidence verify` accepts both
# (exit 0), pinned with --key or with a loud warning without it; copies
# tampered with (an attestation's pass flag, an audit row's detail, the
# archive, the signature, a row removed, another signer) exit 1 naming
# the part.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-evid.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

# The issuer: version 1 calls the boot 4.2.1, version 2 calls it 4.2.2.
mkdir -p "$T/issuers"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/acme.key" >/dev/null 2>&1 || exit 1
openssl pkey -in "$T/acme.key" -pubout -out "$T/issuers/acme-psirt.pem" || exit 1
"$WARDGATE" policy learn --eventlog "$LOG" --model "Infusomat Space" \
    --release 4.2.1 --issuer acme-psirt -o "$T/v1.json" 2>/dev/null || exit 1
jq '.version = 1' "$T/v1.json" >"$T/v1b.json" && mv "$T/v1b.json" "$T/v1.json"
jq '.version = 2 | .models[0].releases[0].release = "4.2.2"' "$T/v1.json" \
    >"$T/v2.json" || exit 1
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v1.json" 2>/dev/null || exit 1
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v2.json" 2>/dev/null || exit 1

CA=$(swtpm_ca_init "$T/ca" "Evidence test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1
openssl pkey -in "$T/gw/ear.key" -pubout -out "$T/gw.pub" 2>/dev/null || exit 1
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/other.key" >/dev/null 2>&1 || exit 1
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub" || exit 1
gwadm policy install "$T/v1.json" >/dev/null || exit 1
# An advisory that touches 4.2.1 (notify only), fixed by 4.2.2.
printf '%s\n' '{"id": "PHI-N", "model": "Infusomat Space", "affected": ["4.2.1"],' \
    ' "fixed": "4.2.2", "severity": "high", "action": "notify"}' >"$T/phi-n.json"
gwadm advisory add "$T/phi-n.json" >/dev/null 2>&1 || exit 1

tcti() { eval "echo \$TCTI_$1"; }
agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in ek) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/state$_dev" --tcti "$(tcti $_dev)" \
	    --eventlog "$T/log$_dev.bin" "$@"
}
for dev in E1 E2; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
	cp "$LOG" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti "$dev") simboot "$T/log$dev.bin" || exit 1
	F=$(agent "$dev" ek | sed -n 's/^ek-fingerprint: //p')
	[ ${#F} -eq 64 ] || { echo "no EK fingerprint for $dev"; exit 1; }
	eval "FPR_$dev=$F"
	gwadm device provision --name "$dev" --model "Infusomat Space" \
	    --owner ICU --serial "SN-$dev" --mac "02:00:00:00:00:1${dev#E}" \
	    --ek-fpr "$F" >/dev/null || exit 1
done

# E1: 4.2.1 under v1, 4.2.2 under v2, one failure (a log that does not
# match the quote), then good again; a clinical hold.
agent E1 --once >/dev/null 2>&1 || exit 1
gwadm policy install "$T/v2.json" >/dev/null || exit 1
agent E1 --once >/dev/null 2>&1 || exit 1
cp "$T/logE1.bin" "$T/logE1.good"
cp "$WG_TESTDATA/eventlogs/$(ls "$WG_TESTDATA/eventlogs" | grep -v archlinux-workstation-systemd-boot | grep "\.bin$" | head -1)" "$T/logE1.bin"
agent E1 --once >/dev/null 2>&1
cp "$T/logE1.good" "$T/logE1.bin"
agent E1 --once >/dev/null 2>&1
gwadm hold E1 --until +1h --reason "bed 4, surgery" >/dev/null 2>&1
# E2: attests, then is decommissioned.
agent E2 --once >/dev/null 2>&1 || exit 1
gwadm decommission E2 --reason "returned to the vendor (RMA 4711)" \
    >"$T/dec.out" 2>&1 || exit 1

gwadm evidence export E1 -o "$T/e1.json" 2>"$T/x1.err"
check "evidence export of the trusted device (exit 0)" \
    "[ $? -eq 0 ] && [ -s \"$T/e1.json\" ]"
gwadm evidence export E2 -o "$T/e2.json" 2>"$T/x2.err"
check "evidence export of the decommissioned device (exit 0)" \
    "[ $? -eq 0 ] && [ -s \"$T/e2.json\" ]"
gwadm evidence export no-such-device -o "$T/none.json" >/dev/null 2>&1
check "an unknown device: exit 1, no file" "[ $? -eq 1 ] && [ ! -e \"$T/none.json\" ]"

# WG_EVIDENCE_SEEDS=DIR keeps the exported files (tests/data/evidence/).
[ -n "${WG_EVIDENCE_SEEDS:-}" ] &&
    cp "$T/e1.json" "$T/e2.json" "$WG_EVIDENCE_SEEDS/"
jq -r .signed "$T/e1.json" >"$T/b1.json"
jq -r .signed "$T/e2.json" >"$T/b2.json"
KID=$(openssl pkey -pubin -in "$T/gw.pub" -outform DER 2>/dev/null |
    openssl dgst -sha256 -r | cut -d' ' -f1)
check "the bundle names the gateway key (kid = SHA-256 of its SPKI)" \
    "[ \"\$(jq -r .signature.kid \"$T/e1.json\")\" = \"$KID\" ] && [ \"\$(jq -r .gateway.key_id \"$T/b1.json\")\" = \"$KID\" ]"
check "E1: identity, EK certificate, provisioning record" \
    "jq -e '.device.device_id == \"$FPR_E1\" and .device.state == \"trusted\" and (.device.ek_certificate | length > 100) and .device.provisioning.serial == \"SN-E1\"' \"$T/b1.json\" >/dev/null"
check "E1: four attestations with quotes, one failed" \
    "jq -e '(.attestations | length) == 4 and ([.attestations[] | select(.pass | not)] | length) == 1 and all(.attestations[]; (.quote | length) > 40)' \"$T/b1.json\" >/dev/null"
check "E1: two release changes and both approving bundles, with the issuer key" \
    "jq -e '(.release_history | length) == 2 and ([.policies[] | .version] | sort) == [1, 2] and all(.policies[]; .issuer_key != null)' \"$T/b1.json\" >/dev/null"
check "E1: the advisory document and its remediation row, fixed by 4.2.2" \
    "jq -e '(.advisories.documents | map(.id)) == [\"PHI-N\"] and (.advisories.documents[0].document | fromjson | .fixed) == \"4.2.2\" and .advisories.remediation[0].fixed_by == \"4.2.2\"' \"$T/b1.json\" >/dev/null"
check "E1: audit rows of the device only, with hashes; the chain head; no decommission" \
    "jq -e '(.audit.rows | length) > 3 and all(.audit.rows[]; .device_id == \"$FPR_E1\" and (.hash | length) == 64) and .audit.head.id > 0 and .decommission == null' \"$T/b1.json\" >/dev/null"
check "E2: the decommission record with its archive" \
    "jq -e '.decommission.archive_sha256 | test(\"^[0-9a-f]{64}$\")' \"$T/b2.json\" >/dev/null && grep -q \"\$(jq -r .decommission.archive_sha256 \"$T/b2.json\")\" \"$T/dec.out\""

verify() {	# NAME [ARGS...]: exit status, output in $T/NAME.out
	_f=$1
	shift
	"$WARDGATE" evidence verify "$@" "$T/$_f.json" >"$T/$_f.out" 2>&1
}
verify e1 --key "$T/gw.pub"
check "verify E1 with --key: exit 0, 2 policy signatures checked" \
    "[ $? -eq 0 ] && grep -q 'evidence verified' \"$T/e1.out\" && grep -q '2 policy bundle(s) checked' \"$T/e1.out\" && ! grep -q WARNING \"$T/e1.out\""
check "verify E1: both release changes match their audit rows and attestations" \
    "grep -q '^ok   release_history: 2 change(s), each an audit row and a passing attestation' \"$T/e1.out\""
verify e2 --key "$T/gw.pub"
check "verify E2 (decommissioned) with --key: exit 0, archive checked" \
    "[ $? -eq 0 ] && grep -q '^ok   decommission: archive SHA-256' \"$T/e2.out\""
verify e1
check "verify without --key: exit 0 with a loud warning" \
    "[ $? -eq 0 ] && grep -q 'WARNING: no --key' \"$T/e1.out\""
verify e1 --key "$T/other.pub"
check "verify with another gateway's key: exit 1, names the key" \
    "[ $? -eq 1 ] && grep -q '^FAIL key:' \"$T/e1.out\""

# refused NAME PART JQ-FILTER [SOURCE]: a copy changed by the filter
# exits 1 and names PART.
refused() {
	jq "$3" "$T/${4:-e1}.json" >"$T/$1.json" || return 1
	verify "$1" --key "$T/gw.pub"
	_rc=$?
	[ "$_rc" -eq 1 ] && grep -q "^FAIL $2:" "$T/$1.out" ||
	    { echo "# exit $_rc:"; sed 's/^/#   /' "$T/$1.out"; false; }
}
inner() { printf '.signed |= (fromjson | %s | tojson)' "$1"; }
check "an attestation's pass flag flipped: exit 1, names attestations and the signature" \
    "refused t-pass attestations \"\$(inner '.attestations[2].pass = true')\" && grep -q '^FAIL signature:' \"$T/t-pass.out\""
check "an audit row's detail edited: exit 1, names audit" \
    "refused t-detail audit \"\$(inner '.audit.rows[0].detail = \"nothing happened\"')\""
check "the archive edited: exit 1, names decommission" \
    "refused t-archive decommission \"\$(inner '.decommission.archive |= (@base64d | sub(\"4711\"; \"4712\") | @base64)')\" e2"
check "the signature replaced by another bundle's: exit 1, names the signature only" \
    "refused t-sig signature \".signature.value = \\\"\$(jq -r .signature.value \"$T/e2.json\")\\\"\" && [ \"\$(grep -c '^FAIL' \"$T/t-sig.out\")\" = 1 ]"
check "a release change rewritten: exit 1, names release_history" \
    "refused t-rel release_history \"\$(inner '.release_history[1].to = \"9.9\"')\""
check "an audit row removed: exit 1, names audit" \
    "refused t-row audit \"\$(inner '.audit.rows |= .[1:]')\""
check "a file that is not evidence: exit 1 or 2, never 0" \
    "echo '{}' >\"$T/t-empty.json\"; verify t-empty; [ \$? -ne 0 ]"
"$WARDGATE" evidence verify "$T/no-such.json" >/dev/null 2>&1
check "a missing file is an error (exit 2)" "[ $? -eq 2 ]"

if [ "$fails" -ne 0 ]; then
	echo "# wardgated's log:"
	sed 's/^/#   /' "$T/gw/wardgated.log"
fi
tap_done
