#!/bin/sh
# EAR attestation results end to end (docs/ear.md): wardgate-agent on
# swtpm devices attests to a real wardgated with a golden policy; each
# device's EAR (JWT ES256) is fetched over the admin socket and checked
# with `wardgate ear verify` and independently with openssl (r||s turned
# into DER by a few lines of python3).
#
#   A  provisioned, good boot      -> affirming, executables 3, hardware 2
#   B  provisioned, PCR 4 extended -> contraindicated, executables 99
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_pcrextend jq curl openssl python3

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-ear.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG_SRC="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"
MODEL="Infusomat Space"

CA=$(swtpm_ca_init "$T/ca" "EAR test TPM vendor") || exit 1
for dev in A B; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
done
tcti() { eval "echo \$TCTI_$1"; }
for dev in A B; do
	cp "$LOG_SRC" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti $dev) simboot "$T/log$dev.bin" || exit 1
done
# B: firmware measured something its log does not record.
TPM2TOOLS_TCTI=$(tcti B) tpm2_pcrextend \
    4:sha256=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64) \
    >/dev/null || exit 1

# A golden policy learned from the good boot, signed by its issuer.
mkdir -p "$T/issuers"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/acme.key" >/dev/null 2>&1 || exit 1
openssl pkey -in "$T/acme.key" -pubout -out "$T/issuers/acme-psirt.pem" \
    2>/dev/null || exit 1
"$WARDGATE" policy learn --eventlog "$LOG_SRC" --model "$MODEL" \
    --release 4.2.1 --issuer acme-psirt -o "$T/policy.json" 2>/dev/null || exit 1
"$WARDGATE" policy sign --key "$T/acme.key" "$T/policy.json" 2>/dev/null || exit 1

# ear_key refused when others may read it, or on another curve.
mkdir -p "$T/bad"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/bad/open.key" >/dev/null 2>&1 || exit 1
chmod 644 "$T/bad/open.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
    -out "$T/bad/p384.key" >/dev/null 2>&1 || exit 1
chmod 600 "$T/bad/p384.key"
badconf() {
	printf 'ek_ca_bundle = %s\ntls_cert = %s\ntls_key = %s\near_key = %s\n' \
	    "$CA" "$T/gw/tls/gateway.crt" "$T/gw/tls/gateway.key" "$1" \
	    >"$T/bad/conf"
	"$WG_BUILDDIR/verifier/wardgated" -n -f "$T/bad/conf" 2>&1
}

gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1
PUB="$T/gw/ear.pub"
gwadm policy install "$T/policy.json" >/dev/null || exit 1

out=$(badconf "$T/bad/open.key")
check "wardgated -n refuses an ear_key others may read" \
    "[ $? -ne 0 ] && echo \"\$out\" | grep -q 'chmod 600'"
out=$(badconf "$T/bad/p384.key")
check "wardgated -n refuses a P-384 ear_key" \
    "echo \"\$out\" | grep -q 'P-256'"
out=$(badconf "$T/bad/absent.key")
check "wardgated -n refuses an unreadable ear_key" \
    "echo \"\$out\" | grep -q 'ear_key'"

agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in quote|ek|status) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state$_dev" \
	    --tcti "$(tcti $_dev)" --eventlog "$T/log$_dev.bin" \
	    --hostname "host-$_dev" "$@"
}
fpr() { agent "$1" ek | sed -n 's/^ek-fingerprint: //p'; }
for dev in A B; do
	eval "ID$dev=$(fpr $dev)"
	gwadm device provision --name "pump-$dev" --model "$MODEL" \
	    --owner ICU --serial "SN-$dev" --ek-fpr "$(fpr $dev)" >/dev/null || exit 1
done
agent A --once >"$T/A.out" 2>&1
check "A attests and passes" "[ $? -eq 0 ]"
agent B --once >"$T/B.out" 2>&1
check "B (tampered boot) is refused" "[ $? -eq 1 ]"

# openssl alone: header.payload signed, r||s -> DER, dgst -verify.
ossl_verify() {
	python3 - "$1" "$T/ossl" <<'PY' || return 1
import base64, sys
tok = open(sys.argv[1]).read().strip()
out = sys.argv[2]
signed, sig = tok.rsplit(".", 1)
raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
assert len(raw) == 64
def integer(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = integer(raw[:32]) + integer(raw[32:])
open(out + ".der", "wb").write(b"\x30" + bytes([len(body)]) + body)
open(out + ".msg", "wb").write(signed.encode())
PY
	openssl dgst -sha256 -verify "$PUB" -signature "$T/ossl.der" \
	    "$T/ossl.msg" >/dev/null 2>&1
}
claims_of() {	# the payload, decoded by python3 alone
	python3 -c 'import base64,sys
p = open(sys.argv[1]).read().strip().split(".")[1]
sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1"
}
sm() { claims_of "$1" | jq -r --arg id "$2" ".submods[\$id]$3"; }

gwadm ear pump-A >"$T/A.jwt"
check "wardgate ear DEVICE prints a compact JWS" \
    "[ \$(tr -cd . <\"$T/A.jwt\" | wc -c) -eq 2 ]"
check "the header is ES256" \
    "[ \"\$(cut -d. -f1 <\"$T/A.jwt\" | python3 -c 'import base64,sys; h=sys.stdin.read().strip(); print(base64.urlsafe_b64decode(h+\"=\"*(-len(h)%4)).decode())' | jq -r .alg)\" = ES256 ]"
"$WARDGATE" ear verify --key "$PUB" "$T/A.jwt" >"$T/A.claims" 2>"$T/A.err"
check "wardgate ear verify accepts A's EAR (exit 0)" "[ $? -eq 0 ]"
check "openssl verifies A's EAR independently" "ossl_verify \"$T/A.jwt\""
check "eat_profile is the EAR profile" \
    "[ \"\$(jq -r .eat_profile \"$T/A.claims\")\" = 'tag:github.com,2023:veraison/ear' ]"
check "ear.verifier-id names the build" \
    "jq -e '.\"ear.verifier-id\".build | startswith(\"wardgate\")' \"$T/A.claims\" >/dev/null"
check "A: ear.status affirming" "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.status"')\" = affirming ]"
check "A: instance-identity 2 (EK chain + quote with the bound AK)" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.trustworthiness-vector"."instance-identity"')\" = 2 ]"
check "A: hardware 2 (EK from a trusted TPM maker)" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.trustworthiness-vector".hardware')\" = 2 ]"
check "A: executables 3 (approved boot)" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.trustworthiness-vector".executables')\" = 3 ]"
check "A: configuration 2" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.trustworthiness-vector".configuration')\" = 2 ]"
check "A: no claim for runtime-opaque, storage-opaque, file-system, sourced-data" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.trustworthiness-vector" | keys | join(",")')\" = configuration,executables,hardware,instance-identity ]"
check "A: appraisal policy is acme-psirt version 1" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."ear.appraisal-policy-id"')\" = policy:wardgate/acme-psirt/1 ]"
check "A: the matched release is named" \
    "[ \"$(sm "$T/A.jwt" "$IDA" '."wardgate.release"')\" = 4.2.1 ]"

gwadm ear "$IDB" --json >"$T/B.json"
jq -r .ear "$T/B.json" >"$T/B.jwt"
"$WARDGATE" ear verify --key "$PUB" "$T/B.json" >/dev/null 2>&1
check "wardgate ear verify takes the --json reply too" "[ $? -eq 0 ]"
check "openssl verifies B's EAR independently" "ossl_verify \"$T/B.jwt\""
check "B: ear.status contraindicated" \
    "[ \"$(sm "$T/B.jwt" "$IDB" '."ear.status"')\" = contraindicated ]"
check "B: executables 99 (the log does not match the quoted PCRs)" \
    "[ \"$(sm "$T/B.jwt" "$IDB" '."ear.trustworthiness-vector".executables')\" = 99 ]"
check "B: instance-identity still 2 (the quote verified with its AK)" \
    "[ \"$(sm "$T/B.jwt" "$IDB" '."ear.trustworthiness-vector"."instance-identity"')\" = 2 ]"
check "B: reasons carry PCR_MISMATCH" \
    "[ \"$(sm "$T/B.jwt" "$IDB" '."wardgate.reasons" | index("PCR_MISMATCH") != null')\" = true ]"
check "the --json claims are the signed claims" \
    "[ \"\$(jq -cS .claims \"$T/B.json\")\" = \"\$(claims_of \"$T/B.jwt\" | jq -cS .)\" ]"

gwadm ear --all >"$T/all.jwt"
"$WARDGATE" ear verify --key "$PUB" - <"$T/all.jwt" >"$T/all.claims" 2>/dev/null
check "every device: one EAR, verified from standard input" "[ $? -eq 0 ]"
check "every device: one submod per device" \
    "[ \"\$(jq '.submods | length' \"$T/all.claims\")\" = 2 ]"
check "openssl verifies the fleet EAR" "ossl_verify \"$T/all.jwt\""

# A modified token fails both ways.
python3 - "$T/A.jwt" "$T/forged.jwt" <<'PY'
import base64, json, sys
h, p, s = open(sys.argv[1]).read().strip().split(".")
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
for m in c["submods"].values():
    m["ear.status"] = "affirming"
    m["ear.trustworthiness-vector"]["executables"] = 2
p2 = base64.urlsafe_b64encode(json.dumps(c).encode()).decode().rstrip("=")
open(sys.argv[2], "w").write(h + "." + p2 + "." + s + "\n")
PY
"$WARDGATE" ear verify --key "$PUB" "$T/forged.jwt" >/dev/null 2>"$T/forged.err"
check "a modified payload is refused (exit 1, SIGNATURE)" \
    "[ $? -eq 1 ] && grep -q SIGNATURE \"$T/forged.err\""
check "openssl refuses the modified payload too" "! ossl_verify \"$T/forged.jwt\""
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
    openssl pkey -pubout -out "$T/other.pub" 2>/dev/null
"$WARDGATE" ear verify --key "$T/other.pub" "$T/A.jwt" >/dev/null 2>&1
check "another key is refused (exit 1)" "[ $? -eq 1 ]"
H=$(printf '{"alg":"none"}' | base64 | tr '+/' '-_' | tr -d '=\n')
printf '%s.%s.\n' "$H" "$(cut -d. -f2 <"$T/A.jwt")" >"$T/none.jwt"
"$WARDGATE" ear verify --key "$PUB" "$T/none.jwt" >/dev/null 2>"$T/none.err"
check "alg none is refused (exit 1, UNSUPPORTED)" \
    "[ $? -eq 1 ] && grep -q UNSUPPORTED \"$T/none.err\""
gwadm ear no-such-device >/dev/null 2>&1
check "an unknown device: exit 1" "[ $? -eq 1 ]"

# ear_key = none: the endpoints say so.
gw_stop
gw_start "$T/gw2" "$CA" "ear_key = none" || exit 1
gwadm ear --all >/dev/null 2>"$T/off.err"
check "ear_key = none: EARs are off (503, exit 2)" \
    "[ $? -eq 2 ] && grep -q 'ear_key = none' \"$T/off.err\""

if [ "$fails" -ne 0 ]; then
	echo "--- wardgated.log"; tail -20 "$T/gw/wardgated.log"
fi
tap_done
