#!/bin/sh
# Integration: a real TPM (swtpm) quotes PCRs that a simulated boot filled
# from a real firmware event log; `wardgate quote verify` must accept the
# genuine evidence and refuse each tampered variant with the right reason.
# tpm2-tools drives the TPM and cross-checks (tpm2_checkquote).
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_createek tpm2_quote tpm2_checkquote jq

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-quote.XXXXXX")
trap 'swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/boot.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"
SEL=sha256:0,1,2,3,4,5,6,7,8,9+sha1:0,1,2,3,4,5,6,7,8,9

swtpm_start A "$T/tpmA" sha1,sha256 || exit 1
swtpm_start B "$T/tpmB" sha1,sha256 || exit 1

# Device A: EK, ECDSA P-256 AK and RSA-2048 AK, simulated boot.
export TPM2TOOLS_TCTI="$TCTI_A"
tpm2_createek -c "$T/ek.ctx" -G rsa -u "$T/ek.pub" >/dev/null || exit 1
tpm_flush
tpm2_createak -C "$T/ek.ctx" -c "$T/ak.ctx" -G ecc -g sha256 -s ecdsa \
    -u "$T/ak.pub" -n "$T/ak.name" >/dev/null || exit 1
tpm_flush
tpm2_readpublic -c "$T/ak.ctx" -f pem -o "$T/ak.pem" >/dev/null || exit 1
tpm_flush
tpm2_createak -C "$T/ek.ctx" -c "$T/akr.ctx" -G rsa -g sha256 -s rsassa \
    -u "$T/akr.pub" -n "$T/akr.name" >/dev/null || exit 1
tpm_flush
simboot "$LOG" || { echo "simulated boot failed"; exit 1; }

NONCE=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
tpm2_quote -c "$T/ak.ctx" -l "$SEL" -q "$NONCE" -m "$T/q.msg" \
    -s "$T/q.sig" -o "$T/q.pcrs" -g sha256 >/dev/null || exit 1
tpm_flush
tpm2_quote -c "$T/akr.ctx" -l "$SEL" -q "$NONCE" -m "$T/qr.msg" \
    -s "$T/qr.sig" -o "$T/qr.pcrs" -g sha256 >/dev/null || exit 1
tpm_flush

# Device B: another TPM with its own AK, same boot.
export TPM2TOOLS_TCTI="$TCTI_B"
tpm2_createek -c "$T/ekB.ctx" -G rsa -u "$T/ekB.pub" >/dev/null || exit 1
tpm_flush
tpm2_createak -C "$T/ekB.ctx" -c "$T/akB.ctx" -G ecc -g sha256 -s ecdsa \
    -u "$T/akB.pub" -n "$T/akB.name" >/dev/null || exit 1
tpm_flush

# The independent tool agrees that the genuine quote is good.
if tpm2_checkquote -u "$T/ak.pub" -m "$T/q.msg" -s "$T/q.sig" \
    -f "$T/q.pcrs" -g sha256 -q "$NONCE" >/dev/null 2>&1; then
	ok "tpm2_checkquote accepts the genuine quote (cross-check)"
else
	notok "tpm2_checkquote accepts the genuine quote (cross-check)"
fi

# verify EXPECT_EXIT EXPECT_REASON NAME -- args...
verify() {
	_exit=$1 _reason=$2 _name=$3
	shift 4
	"$WARDGATE" quote verify --json "$@" >"$T/out.json" 2>"$T/err.txt"
	_rc=$?
	_got=$(jq -r 'if .valid then "VALID" else .reason end' "$T/out.json" 2>/dev/null)
	if [ "$_rc" -eq "$_exit" ] && [ "$_got" = "$_reason" ]; then
		ok "$_name ($_got)"
	else
		notok "$_name: exit $_rc reason '$_got', expected exit $_exit $_reason"
		sed 's/^/# /' "$T/err.txt"
	fi
}

Q="--quote $T/q.msg --sig $T/q.sig"

verify 0 VALID "genuine quote, event log replay" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$LOG"
verify 0 VALID "genuine quote, PEM AK, event log" -- \
    --ak "$T/ak.pem" $Q --nonce "$NONCE" --eventlog "$LOG"
verify 0 VALID "genuine quote, reported PCR values" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --pcrs "$T/q.pcrs"
verify 0 VALID "genuine RSA-2048 RSASSA quote, event log" -- \
    --ak "$T/akr.pub" --quote "$T/qr.msg" --sig "$T/qr.sig" \
    --nonce "$NONCE" --eventlog "$LOG"
verify 0 VALID "required PCRs covered" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$LOG" \
    --require sha256:0-7

# The AK name we compute is the TPM's.
"$WARDGATE" quote verify --json --ak "$T/ak.pub" $Q --nonce "$NONCE" \
    --eventlog "$LOG" >"$T/ok.json" 2>/dev/null
if [ "$(jq -r .ak_name "$T/ok.json")" = "$(od -An -v -tx1 "$T/ak.name" | tr -d ' \n')" ]; then
	ok "AK name matches tpm2_createak -n"
else
	notok "AK name matches tpm2_createak -n"
fi

# 1. One flipped bit in the signature (its last byte: inside s).
cp "$T/q.sig" "$T/bad.sig"
flip_bit "$T/bad.sig" $(( $(wc -c <"$T/q.sig") - 1 ))
verify 1 SIGNATURE "flipped bit in the signature" -- \
    --ak "$T/ak.pub" --quote "$T/q.msg" --sig "$T/bad.sig" \
    --nonce "$NONCE" --eventlog "$LOG"

# 2. One flipped bit in the quote (inside the PCR digest at its end).
cp "$T/q.msg" "$T/bad.msg"
flip_bit "$T/bad.msg" $(( $(wc -c <"$T/q.msg") - 3 ))
verify 1 SIGNATURE "flipped bit in the quote" -- \
    --ak "$T/ak.pub" --quote "$T/bad.msg" --sig "$T/q.sig" \
    --nonce "$NONCE" --eventlog "$LOG"

# 3. A wrong nonce.
OTHER=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
verify 1 QUOTE_NONCE "wrong nonce" -- \
    --ak "$T/ak.pub" $Q --nonce "$OTHER" --eventlog "$LOG"

# 4a. A changed PCR value in the reported values.
V=$(jq -r '.pcrs.sha256["4"]' "$LOG.sim.json")
OFF=$(hex_offset "$T/q.pcrs" "$V")
cp "$T/q.pcrs" "$T/bad.pcrs"
flip_bit "$T/bad.pcrs" $((OFF + 3))
verify 1 QUOTE_PCR_DIGEST "changed reported PCR value" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --pcrs "$T/bad.pcrs"

# 4b. A PCR changed in the TPM after boot (an extend the log does not have).
export TPM2TOOLS_TCTI="$TCTI_A"
tpm2_pcrextend 4:sha256=$(printf 'x' | openssl dgst -sha256 -r | cut -c1-64) >/dev/null
tpm2_quote -c "$T/ak.ctx" -l "$SEL" -q "$NONCE" -m "$T/q2.msg" \
    -s "$T/q2.sig" -g sha256 >/dev/null
tpm_flush
verify 1 QUOTE_PCR_DIGEST "PCR extended behind the log's back" -- \
    --ak "$T/ak.pub" --quote "$T/q2.msg" --sig "$T/q2.sig" \
    --nonce "$NONCE" --eventlog "$LOG"

# 5. One event's digest changed in the log (an EV_EFI_BOOT_SERVICES_APPLICATION).
D=$(jq -r '[.events[] | select(.type == 2147483651)][0].digests.sha256' "$LOG.sim.json")
OFF=$(hex_offset "$LOG" "$D")
cp "$LOG" "$T/bad-digest.bin"
flip_bit "$T/bad-digest.bin" $((OFF + 5))
verify 1 QUOTE_PCR_DIGEST "one event digest changed in the log" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$T/bad-digest.bin"

# 6. A truncated log: cut inside the last event, and at the last event.
SIZE=$(wc -c <"$LOG")
head -c $((SIZE - 7)) "$LOG" >"$T/trunc.bin"
verify 1 EVLOG_TRUNCATED "log truncated inside its last event" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$T/trunc.bin"
LAST=$(jq -r '.events[-1].offset' "$LOG.sim.json")
head -c "$LAST" "$LOG" >"$T/trunc2.bin"
verify 1 QUOTE_PCR_DIGEST "log cut before its last event" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$T/trunc2.bin"

# 7. The AK of another TPM.
verify 1 SIGNATURE "AK of another TPM" -- \
    --ak "$T/akB.pub" $Q --nonce "$NONCE" --eventlog "$LOG"

# Required PCRs not all quoted.
verify 1 QUOTE_PCR_SELECT "required PCR not quoted" -- \
    --ak "$T/ak.pub" $Q --nonce "$NONCE" --eventlog "$LOG" \
    --require sha256:0-9,14

# Usage errors exit 2.
"$WARDGATE" quote verify --ak "$T/ak.pub" $Q --nonce "$NONCE" >/dev/null 2>&1
[ $? -eq 2 ] && ok "no PCR source is a usage error" || notok "no PCR source is a usage error"

tap_done
