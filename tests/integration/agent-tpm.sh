#!/bin/sh
# Integration: wardgate-agent's TPM layer (agent/tpm.c, ESAPI) against a
# real TPM (swtpm with EK certificates from a test CA, swtpm-ca.sh).
#   - the EK it creates is the TCG default EK, its certificate the one in
#     NV (also read in chunks, padding cut), a missing one said clearly;
#   - `wardgate-agent quote` after a simulated boot verifies offline with
#     `wardgate quote verify --eventlog`, and fails with another nonce;
#     its PCR values are the TPM's; RSA and ECC AKs, RSA and ECC EKs;
#   - the AK survives in the state directory: same AK on the next run and
#     after a TPM reset;
#   - ActivateCredential recovers what tpm2_makecredential (offline)
#     wrapped for the agent's EK and AK, and refuses a credential for
#     another AK;
#   - nothing stays loaded in the TPM after any of it, failures included;
#   - exit statuses for a bad TCTI, a kind that does not match the saved
#     AK, an unreachable gateway and bad options.
# The enrollment and attestation exchanges need the gateway and are
# tested with it.
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
AGENT="$WG_BUILDDIR/agent/wardgate-agent"
TOOL="$WG_BUILDDIR/agent/agent-testtool"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup swtpm_ioctl tpm2_startup tpm2_createek \
    tpm2_pcrextend tpm2_pcrread tpm2_makecredential tpm2_nvdefine \
    tpm2_nvwrite tpm2_nvread tpm2_nvundefine tpm2_getcap openssl jq

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-agent.XXXXXX")
trap 'swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

# check NAME command...: ok when the command succeeds (not tap-lib.sh's
# eval of a string).
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else notok "$_name"; fi
}
# A sanitizer's report (--enable-asan builds) fails the step it was in.
sanitized() {
	grep -Eq 'Sanitizer|runtime error:' "$1" && {
		sed 's/^/# /' "$1"
		return 0
	}
	return 1
}
# expect_exit CODE NAME command...: the command's exit status is CODE.
expect_exit() {
	_code=$1 _name=$2
	shift 2
	"$@" >"$T/out.txt" 2>"$T/err.txt"
	_rc=$?
	if [ "$_rc" -eq "$_code" ] && ! sanitized "$T/err.txt"; then
		ok "$_name (exit $_rc)"
	else
		notok "$_name: exit $_rc, expected $_code"
		sed 's/^/# /' "$T/err.txt"
	fi
}
# Nothing the agent made may stay in the TPM (no resource manager here).
nothing_loaded() {
	[ -z "$(tpm2_getcap handles-transient)" ] &&
	    [ -z "$(tpm2_getcap handles-loaded-session)" ]
}
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# A TPM with RSA 2048 and ECC P-256 EK certificates from a test CA.
swtpm_ca_init "$T/ca" >/dev/null || exit 1
BUNDLE=$(swtpm_ca_setup "$T/ca" "$T/tpmA") || exit 1
swtpm_ca_start A "$T/tpmA" || exit 1
export TPM2TOOLS_TCTI="$TCTI_A"
CTRL_A="127.0.0.1:$((${TCTI_A##*port=} + 1))"
unset WARDGATE_TCTI

LOG="$T/boot.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"
# 20 PCRs in two banks: more than one TPM2_PCR_Read (8 digests each).
SEL=sha256:0,1,2,3,4,5,6,7,8,9+sha1:0,1,2,3,4,5,6,7,8,9
S="$T/state"

# ---- EK and its certificate ------------------------------------------

expect_exit 0 "ek: EK and certificate" "$AGENT" ek --state-dir "$S" -o "$T/ek"
cp "$T/out.txt" "$T/ek.txt"
tpm2_createek -c "$T/ek.ctx" -G rsa -u "$T/ek-tools.pub" >/dev/null &&
    tpm2_flushcontext -t >/dev/null 2>&1
check "EK is the TCG default RSA EK (as tpm2_createek)" \
    cmp -s "$T/ek/ek.pub" "$T/ek-tools.pub"
tpm2_nvread 0x1c00002 -o "$T/nv.der" >/dev/null 2>&1
check "EK certificate is NV 0x01c00002" cmp -s "$T/ek/ek.crt" "$T/nv.der"
FPR=$(openssl x509 -inform der -in "$T/ek/ek.crt" -noout -pubkey |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -r | cut -c1-64)
check "EK fingerprint is the SHA-256 of the certificate's key" \
    grep -qx "ek-fingerprint: $FPR" "$T/ek.txt"
check "state directory created 0700" \
    test "$(stat -c %a "$S")" = 700

expect_exit 0 "ek --ek ecc: ECC P-256 EK and certificate" "$AGENT" ek \
    --ek ecc --state-dir "$S" -o "$T/ekc"
tpm2_createek -c "$T/ek.ctx" -G ecc -u "$T/ekc-tools.pub" >/dev/null &&
    tpm2_flushcontext -t >/dev/null 2>&1
check "EK is the TCG default ECC P-256 EK (as tpm2_createek)" \
    cmp -s "$T/ekc/ek.pub" "$T/ekc-tools.pub"
check "ECC EK certificate is NV 0x01c0000a" \
    cmp -s "$T/ekc/ek.crt" "$T/tpmA/certs/ek-secp256r1.crt"
check "both certificates chain to the test CA" \
    openssl verify -ignore_critical -CAfile "$BUNDLE" "$T/ek/ek.crt" \
    "$T/ekc/ek.crt" >/dev/null 2>&1

# No certificate: said clearly.
tpm2_nvundefine 0x01c0000a -C p >/dev/null 2>&1
expect_exit 3 "ek --ek ecc: this TPM has no ECC P-256 certificate" \
    "$AGENT" ek --ek ecc --state-dir "$S" -o "$T/ekc"
check "the missing certificate is said clearly" \
    grep -q "no ECC P-256 EK certificate (NV index 0x01c0000a" "$T/err.txt"

# A certificate larger than TPM2_PT_NV_BUFFER_MAX (1024 on swtpm), padded
# in its index: read in chunks, padding cut.
{ printf '\060\202\005\334'; head -c 1500 /dev/urandom; } >"$T/big.der"
cp "$T/big.der" "$T/big.pad"
head -c 544 /dev/zero >>"$T/big.pad"
tpm2_nvdefine 0x01c0000a -C o -s 2048 \
    -a "ownerread|ownerwrite|authread|authwrite|no_da" >/dev/null &&
    tpm2_nvwrite 0x01c0000a -C o -i "$T/big.pad" >/dev/null
expect_exit 0 "ek --ek ecc: 2048-byte NV index" \
    "$AGENT" ek --ek ecc --state-dir "$S" -o "$T/ekb"
check "certificate read in chunks, padding cut" \
    cmp -s "$T/ekb/ek.crt" "$T/big.der"
tpm2_nvundefine 0x01c0000a -C o >/dev/null 2>&1
check "nothing left loaded after ek" nothing_loaded

# ---- quote ------------------------------------------------------------

simboot "$LOG" >/dev/null || { echo "simulated boot failed"; exit 1; }
NONCE=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
OTHER=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')

# verify EXPECT_EXIT EXPECT_REASON NAME DIR NONCE [LOG]
verify() {
	_exit=$1 _reason=$2 _name=$3 _dir=$4 _nonce=$5 _log=${6:-$LOG}
	"$WARDGATE" quote verify --json --ak "$_dir/ak.pub" \
	    --quote "$_dir/quote.msg" --sig "$_dir/quote.sig" \
	    --nonce "$_nonce" --eventlog "$_log" >"$T/v.json" 2>"$T/v.err"
	_rc=$?
	_got=$(jq -r 'if .valid then "VALID" else .reason end' "$T/v.json" \
	    2>/dev/null)
	if [ "$_rc" -eq "$_exit" ] && [ "$_got" = "$_reason" ]; then
		ok "$_name ($_got)"
	else
		notok "$_name: exit $_rc reason '$_got', expected exit $_exit $_reason"
		sed 's/^/# /' "$T/v.err"
	fi
}

expect_exit 0 "quote (ECC AK, new)" "$AGENT" quote --state-dir "$S" \
    --nonce "$NONCE" --selection "$SEL" -o "$T/q1"
cp "$T/out.txt" "$T/q1.txt"
check "the new AK was announced" grep -q "created a new ecc AK under the rsa EK" \
    "$T/err.txt"
verify 0 VALID "agent quote verifies against the event log" "$T/q1" "$NONCE"
cp "$T/v.json" "$T/q1.json"
verify 1 QUOTE_NONCE "agent quote with another nonce" "$T/q1" "$OTHER"
verify 1 QUOTE_PCR_DIGEST "agent quote against another boot's log" "$T/q1" \
    "$NONCE" "$WG_TESTDATA/eventlogs/archlinux-modified-digest.bin"
check "quote covers the asked selection" \
    test "$(jq -r .pcr_selection "$T/q1.json")" = "$SEL"
check "AK name printed is the verifier's" \
    grep -qx "ak-name: $(jq -r .ak_name "$T/q1.json")" "$T/q1.txt"

# pcrs.json holds the TPM's values: the log's replay, tpm2_pcrread's.
"$WARDGATE" eventlog --json "$LOG" >"$T/replay.json" 2>/dev/null
same_pcrs() {
	for _bank in sha256 sha1; do
		for _i in 0 1 2 3 4 5 6 7 8 9; do
			_a=$(jq -r ".$_bank[\"$_i\"]" "$T/q1/pcrs.json")
			_b=$(jq -r ".pcrs.$_bank[\"$_i\"] // empty" \
			    "$T/replay.json")
			# The replay lists the PCRs the log changed only.
			if [ -z "$_b" ]; then
				echo "$_a" | grep -Eqx '(00)+' || return 1
			else
				[ "$_a" = "$_b" ] || return 1
			fi
		done
	done
	[ "$(jq '[.[] | keys[]] | length' "$T/q1/pcrs.json")" -eq 20 ]
}
check "pcrs.json: 20 PCRs, the values the log replays to" same_pcrs
"$TOOL" pcrread "sha256:0-23+sha1:0-23" >"$T/pcrread.txt" 2>"$T/err.pcr"
tpm_values() {
	sanitized "$T/err.pcr" && return 1
	[ "$(wc -l <"$T/pcrread.txt")" -eq 48 ] || return 1
	tpm2_pcrread "sha256:0,7,16,17,23" 2>/dev/null |
	    awk '/^ +[0-9]+ :/ { print $1, tolower(substr($3, 3)) }' |
	    while read -r _i _v; do
		grep -qx "sha256:$_i $_v" "$T/pcrread.txt" || exit 1
	done
}
check "tpm_pcr_read of 48 PCRs agrees with tpm2_pcrread" tpm_values
check "nothing left loaded after quote and PCR read" nothing_loaded

# The AK is kept: same AK again, its quote verifies with the first ak.pub.
expect_exit 0 "second run with the same state directory" "$AGENT" quote \
    --state-dir "$S" --nonce "$OTHER" --selection "$SEL" -o "$T/q2"
check "same AK (ak.pub identical)" cmp -s "$T/q1/ak.pub" "$T/q2/ak.pub"
check "no new AK on the second run" \
    sh -c "! grep -q 'created a new' '$T/err.txt'"
mkdir -p "$T/q2b" && cp "$T/q1/ak.pub" "$T/q2b/ak.pub" &&
    cp "$T/q2/quote.msg" "$T/q2/quote.sig" "$T/q2b/"
verify 0 VALID "second quote verifies with the first run's AK" "$T/q2b" "$OTHER"

# A TPM reset (reboot): transient state gone, PCRs reset; the AK reloads
# from its blobs under the recreated EK.
RESET1=$(jq -r .reset_count "$T/q1.json")
swtpm_ioctl --tcp "$CTRL_A" -i >/dev/null && tpm2_startup -c >/dev/null
simboot "$LOG" >/dev/null || { echo "simulated boot failed"; exit 1; }
expect_exit 0 "quote after a TPM reset" "$AGENT" quote --state-dir "$S" \
    --nonce "$NONCE" --selection "$SEL" -o "$T/q3"
check "same AK after the reset" cmp -s "$T/q1/ak.pub" "$T/q3/ak.pub"
verify 0 VALID "quote after the reset verifies" "$T/q3" "$NONCE"
check "the quote shows the reset" \
    test "$(jq -r .reset_count "$T/v.json")" -gt "$RESET1"

expect_exit 0 "status shows the saved AK" "$AGENT" status --state-dir "$S"
check "status: same AK name, not enrolled" sh -c \
    "grep -qx 'ak-name: $(jq -r .ak_name "$T/q1.json")' '$T/out.txt' &&
     grep -q 'device-id: none' '$T/out.txt'"

# RSA AK; ECC EK with an RSA AK.
expect_exit 0 "quote (RSA AK)" "$AGENT" quote --state-dir "$T/state-rsa" \
    --ak rsa --nonce "$NONCE" --selection sha256:0-7 -o "$T/qr"
verify 0 VALID "RSA AK quote verifies" "$T/qr" "$NONCE"
expect_exit 0 "quote (RSA AK under the ECC EK)" "$AGENT" quote \
    --state-dir "$T/state-ecc" --ek ecc --ak rsa --nonce "$NONCE" \
    --selection sha256:0-7+sha1:0-7 -o "$T/qe"
verify 0 VALID "its quote verifies" "$T/qe" "$NONCE"
check "nothing left loaded" nothing_loaded

# ---- ActivateCredential ----------------------------------------------

printf 'a 32-byte credential secret....!' >"$T/secret"
activate() { # STATE EKPUB NAME -> prints the secret or fails
	tpm2_makecredential -T none -e "$2" -n "$3" -s "$T/secret" \
	    -o "$T/cred" >/dev/null 2>&1 || return 1
	"$TOOL" activate "$1" "$T/cred" 2>"$T/err.txt"
	_rc=$?
	! sanitized "$T/err.txt" && return $_rc
	return 99
}
AKNAME=$(jq -r .ak_name "$T/q1.json")
check "activate: RSA EK, ECC AK: the secret comes back" test \
    "$(activate "$S" "$T/ek/ek.pub" "$AKNAME")" = "$(hexof "$T/secret")"
"$AGENT" ek --state-dir "$T/state-ecc" -o "$T/eke" >/dev/null 2>&1
"$AGENT" status --state-dir "$T/state-ecc" >"$T/st.txt" 2>/dev/null
ENAME=$(sed -n 's/^ak-name: //p' "$T/st.txt")
check "activate: ECC EK, RSA AK: the secret comes back" test \
    "$(activate "$T/state-ecc" "$T/eke/ek.pub" "$ENAME")" = "$(hexof "$T/secret")"
# A credential for another AK (the RSA one) cannot be activated with this.
"$AGENT" status --state-dir "$T/state-rsa" >"$T/st.txt" 2>/dev/null
RNAME=$(sed -n 's/^ak-name: //p' "$T/st.txt")
activate "$S" "$T/ek/ek.pub" "$RNAME" >/dev/null
if [ $? -ne 1 ]; then
	notok "activate refuses a credential made for another AK"
else
	grep -q ACTIVATION_FAILED "$T/err.txt" &&
	    ok "activate refuses a credential made for another AK" ||
	    notok "activate refuses a credential made for another AK: $(cat "$T/err.txt")"
fi
check "nothing left loaded after a refused activation" nothing_loaded

# ---- exit statuses ----------------------------------------------------

expect_exit 3 "unreachable TPM is a TPM error" "$AGENT" quote \
    --state-dir "$S" --tcti "swtpm:host=127.0.0.1,port=1" \
    --nonce "$NONCE" --selection sha256:0 -o "$T/qx"
expect_exit 2 "--ak rsa against a saved ECC AK" "$AGENT" quote \
    --state-dir "$S" --ak rsa --nonce "$NONCE" --selection sha256:0 \
    -o "$T/qx"
check "... says how to start afresh" grep -q "remove .*agent.state" "$T/err.txt"
expect_exit 2 "a damaged state file" sh -c \
    "mkdir -p '$T/bad' && echo 'color = blue' >'$T/bad/agent.state' &&
     '$AGENT' status --state-dir '$T/bad'"
expect_exit 2 "quote without -o" "$AGENT" quote --state-dir "$S" \
    --nonce "$NONCE" --selection sha256:0
expect_exit 2 "quote with a bad selection" "$AGENT" quote --state-dir "$S" \
    --nonce "$NONCE" --selection sha256:99 -o "$T/qx"
expect_exit 2 "attest without a gateway" "$AGENT" --once --state-dir "$S"
expect_exit 2 "a plain http:// gateway" "$AGENT" --once --state-dir "$S" \
    --gateway http://127.0.0.1:1 --ca "$BUNDLE"
expect_exit 2 "unknown key in the configuration file" sh -c \
    "printf 'gateway = https://gw.example:8443\ncolour = blue\n' >'$T/bad.conf' &&
     '$AGENT' -n --config '$T/bad.conf'"
check "... names the line" grep -q "bad.conf:2: unknown setting" "$T/err.txt"
expect_exit 2 "unknown option" "$AGENT" --frobnicate
printf '# agent\ngateway = https://gw.example:8443/\nca = %s\nek = ecc\n  interval=600\nmac = AA:BB:CC:00:11:22\n' \
    "$BUNDLE" >"$T/good.conf"
expect_exit 0 "-n prints the configuration" "$AGENT" -n --config "$T/good.conf" \
    --state-dir "$S"
cp "$T/out.txt" "$T/norm.conf"
check "normalised: URL without '/', MAC lowercased, interval" sh -c \
    "grep -qx 'gateway = https://gw.example:8443' '$T/norm.conf' &&
     grep -qx 'mac = aa:bb:cc:00:11:22' '$T/norm.conf' &&
     grep -qx 'interval = 600' '$T/norm.conf'"
"$AGENT" -n --config "$T/norm.conf" >"$T/norm2.conf" 2>/dev/null
check "the normalised form parses to itself" cmp -s "$T/norm.conf" "$T/norm2.conf"

# The gateway does not answer: enrollment gets as far as the network.
expect_exit 4 "--once with an unreachable gateway" "$AGENT" --once \
    --state-dir "$S" --gateway https://127.0.0.1:1 \
    --ca "$BUNDLE" --timeout 5
check "... says which URL failed" grep -q "https://127.0.0.1:1/v1/enroll" \
    "$T/err.txt"
check "nothing left loaded after a failed enrollment" nothing_loaded

tap_done
