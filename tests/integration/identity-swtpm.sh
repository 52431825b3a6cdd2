#!/bin/sh
# Integration: the identity half of enrollment against real TPMs (swtpm).
# wardgate's software MakeCredential (lib/makecred, through credtool) must
# give credentials that TPM2_ActivateCredential opens, for the RSA-2048,
# ECC P-256 and ECC P-384 EKs, and only on the TPM and for the AK they
# were made for. The EK certificates that swtpm_setup and swtpm-localca
# put in NV must verify against the test CA (lib/ek) and nothing else.
set -u

: "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
CREDTOOL=$WG_BUILDDIR/tests/integration/credtool
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup tpm2_createek tpm2_createak \
    tpm2_activatecredential tpm2_makecredential tpm2_startauthsession \
    tpm2_policysecret tpm2_nvread tpm2_nvdefine tpm2_nvwrite \
    tpm2_readpublic tpm2_flushcontext openssl
command -v swtpm_localca >/dev/null 2>&1 ||
    [ -x /usr/share/swtpm/swtpm-localca ] || {
	echo "SKIP: swtpm_localca not installed (swtpm-tools)"
	exit 77
}
[ -x "$CREDTOOL" ] || { echo "credtool not built: $CREDTOOL"; exit 1; }

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-identity.XXXXXX")
trap 'swtpm_cleanup; rm -rf "$T"' EXIT INT TERM
T0=$(date +%s)

check() { _what=$1; shift; if "$@"; then ok "$_what"; else notok "$_what"; fi; }
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }
tobin() {
	for _b in $(echo "$1" | sed 's/../& /g'); do
		# shellcheck disable=SC2059
		printf "\\$(printf '%03o' "0x$_b")"
	done
}

# Two CAs, two TPMs manufactured by the first.
CA=$(swtpm_ca_init "$T/ca" "wardgate test") || exit 1
OTHERCA=$(swtpm_ca_init "$T/other" "other vendor") || exit 1
swtpm_ca_setup "$T/ca" "$T/tpmA" >/dev/null || exit 1
swtpm_ca_setup "$T/ca" "$T/tpmB" >/dev/null || exit 1
swtpm_ca_start A "$T/tpmA" || exit 1
swtpm_ca_start B "$T/tpmB" || exit 1

# keys PREFIX: EKs (RSA and ECC P-256 by the TCG default templates, the
# P-384 one swtpm_setup made), an ECC P-256 AK, the EK certificates.
keys() {
	_p=$1
	tpm2_createek -c "$T/$_p-ekrsa.ctx" -G rsa -u "$T/$_p-ekrsa.pub" \
	    >/dev/null || return 1
	tpm_flush
	tpm2_createek -c "$T/$_p-ekecc.ctx" -G ecc -u "$T/$_p-ekecc.pub" \
	    >/dev/null || return 1
	tpm_flush
	tpm2_readpublic -c 0x81010016 -f tss -o "$T/$_p-ek384.pub" \
	    >/dev/null || return 1
	tpm_flush
	tpm2_createak -C "$T/$_p-ekrsa.ctx" -c "$T/$_p-ak.ctx" -G ecc \
	    -g sha256 -s ecdsa -u "$T/$_p-ak.pub" -n "$T/$_p-ak.name" \
	    >/dev/null || return 1
	tpm_flush
	for _nv in 01c00002:rsa 01c0000a:ecc 01c00016:ek384; do
		tpm2_nvread "0x${_nv%%:*}" -C o -o "$T/$_p-${_nv##*:}.crt" \
		    >/dev/null 2>&1 || return 1
	done
	tpm_flush
}
export TPM2TOOLS_TCTI="$TCTI_A"
keys A || { echo "TPM A: key setup failed"; exit 1; }
export TPM2TOOLS_TCTI="$TCTI_B"
keys B || { echo "TPM B: key setup failed"; exit 1; }
export TPM2TOOLS_TCTI="$TCTI_A"

# activate EK_CTX EK_AUTH CRED OUT: TPM2_ActivateCredential on TPM A with
# A's AK. EK_AUTH "policy": the TCG default EK policy, PolicySecret
# (endorsement) in a sha256 session; "password": the EK's user auth (the
# P-384 EK swtpm makes has userWithAuth, as in the TCG high-range
# templates).
activate() {
	_ek=$1 _auth=$2 _cred=$3 _out=$4
	rm -f "$_out"
	if [ "$_auth" = policy ]; then
		tpm2_startauthsession --policy-session -S "$T/session.ctx" \
		    >/dev/null 2>&1 &&
		    tpm2_policysecret -S "$T/session.ctx" -c e >/dev/null 2>&1 &&
		    tpm2_activatecredential -c "$T/A-ak.ctx" -C "$_ek" \
		    -i "$_cred" -o "$_out" -P "session:$T/session.ctx" \
		    >"$T/act.log" 2>&1
		_rc=$?
		tpm2_flushcontext "$T/session.ctx" >/dev/null 2>&1
	else
		tpm2_activatecredential -c "$T/A-ak.ctx" -C "$_ek" \
		    -i "$_cred" -o "$_out" >"$T/act.log" 2>&1
		_rc=$?
	fi
	tpm_flush
	return $_rc
}

# roundtrip NAME EK_PUB EK_CTX AUTH: credtool make, the TPM recovers it.
roundtrip() {
	_name=$1 _pub=$2 _ek=$3 _auth=$4
	_secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	if ! "$CREDTOOL" make "$_pub" "$T/A-ak.name" "$_secret" "$T/cred" \
	    2>"$T/make.log"; then
		notok "$_name: credtool make"
		sed 's/^/# /' "$T/make.log"
		return
	fi
	if activate "$_ek" "$_auth" "$T/cred" "$T/secret.out" &&
	    [ "$(hexof "$T/secret.out")" = "$_secret" ]; then
		ok "$_name: the TPM recovers the secret"
	else
		notok "$_name: the TPM recovers the secret"
		sed 's/^/# /' "$T/act.log"
	fi
}

roundtrip "RSA-2048 EK" "$T/A-ekrsa.pub" "$T/A-ekrsa.ctx" policy
roundtrip "ECC P-256 EK" "$T/A-ekecc.pub" "$T/A-ekecc.ctx" policy
roundtrip "ECC P-384 EK (sha384, AES-256)" "$T/A-ek384.pub" 0x81010016 \
    password

# A 1-byte and a 64-byte secret (the limits).
for len in 1 64; do
	S=$(od -An -N$len -tx1 /dev/urandom | tr -d ' \n')
	"$CREDTOOL" make "$T/A-ekecc.pub" "$T/A-ak.name" "$S" "$T/cred" &&
	    activate "$T/A-ekecc.ctx" policy "$T/cred" "$T/secret.out" &&
	    [ "$(hexof "$T/secret.out")" = "$S" ]
	check "ECC P-256 EK: a $len-byte secret" [ $? -eq 0 ]
done

# The file format is tpm2_makecredential's: its credential activates the
# same way, and the two files have the same layout.
S=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
tobin "$S" >"$T/s.bin"
tpm2_makecredential -T none -u "$T/A-ekrsa.pub" -s "$T/s.bin" \
    -n "$(hexof "$T/A-ak.name")" -o "$T/tools.cred" >/dev/null 2>&1
activate "$T/A-ekrsa.ctx" policy "$T/tools.cred" "$T/secret.out" &&
    [ "$(hexof "$T/secret.out")" = "$S" ]
check "tpm2_makecredential's credential activates (cross-check)" [ $? -eq 0 ]
"$CREDTOOL" make "$T/A-ekrsa.pub" "$T/A-ak.name" "$S" "$T/cred"
[ "$(wc -c <"$T/cred")" -eq "$(wc -c <"$T/tools.cred")" ] &&
    [ "$(head -c 10 "$T/cred" | od -An -tx1)" = \
    "$(head -c 10 "$T/tools.cred" | od -An -tx1)" ]
check "credtool's file has tpm2_makecredential's size and header" \
    [ $? -eq 0 ]

# refused NAME EK_CTX AUTH CRED: TPM2_ActivateCredential itself must
# refuse (not the session set-up before it); the TPM's reason is shown.
refused() {
	_name=$1
	shift
	if activate "$@" "$T/secret.out"; then
		notok "$_name: activated"
	elif _why=$(grep -o 'Esys_ActivateCredential(0x[0-9A-Fa-f]*) - .*' \
	    "$T/act.log"); then
		ok "$_name (${_why#* - })"
	else
		notok "$_name: failed before TPM2_ActivateCredential"
		sed 's/^/# /' "$T/act.log"
	fi
}
ekctx() { if [ "$1" = ek384 ]; then echo 0x81010016; else echo "$T/A-$1.ctx"; fi; }

# Negative: made for TPM B's EK, or for another AK's name (TPM B's AK),
# activated on TPM A with A's AK.
for k in ekrsa:policy ekecc:policy ek384:password; do
	e=${k%%:*}
	"$CREDTOOL" make "$T/B-$e.pub" "$T/A-ak.name" "$S" "$T/cred"
	refused "$e: a credential for another TPM's EK does not activate" \
	    "$(ekctx "$e")" "${k##*:}" "$T/cred"
	"$CREDTOOL" make "$T/A-$e.pub" "$T/B-ak.name" "$S" "$T/cred"
	refused "$e: a credential for another AK name does not activate" \
	    "$(ekctx "$e")" "${k##*:}" "$T/cred"
done

# Negative: one flipped bit in the credential blob (in the outer HMAC).
"$CREDTOOL" make "$T/A-ekrsa.pub" "$T/A-ak.name" "$S" "$T/cred"
flip_bit "$T/cred" 20
refused "a tampered credential does not activate" "$T/A-ekrsa.ctx" policy \
    "$T/cred"

# After the refusals, the TPM still does its part.
roundtrip "RSA-2048 EK, again after the refusals" "$T/A-ekrsa.pub" \
    "$T/A-ekrsa.ctx" policy

# verify EXPECT NAME CERT CA EKPUB [TIME]
verify() {
	_want=$1 _name=$2
	shift 2
	_got=$("$CREDTOOL" verify-cert "$@" 2>&1)
	_rc=$?
	case $_want in
	OK)	[ "$_rc" -eq 0 ] && [ "$_got" = OK ] ;;
	*)	[ "$_rc" -eq 1 ] && [ "${_got%%:*}" = "$_want" ] ;;
	esac
	if [ $? -eq 0 ]; then
		ok "$_name (${_got%%:*})"
	else
		notok "$_name: exit $_rc '$_got', expected $_want"
	fi
}

# The EK certificates from NV.
check "NV 0x01c00002 holds the certificate swtpm_setup made" \
    cmp -s "$T/A-rsa.crt" "$T/tpmA/certs/ek-rsa2048.crt"
check "NV 0x01c00016 holds the certificate swtpm_setup made" \
    cmp -s "$T/A-ek384.crt" "$T/tpmA/certs/ek-secp384r1.crt"
check "NV 0x01c0000a holds the P-256 certificate swtpm_ca_setup added" \
    cmp -s "$T/A-ecc.crt" "$T/tpmA/certs/ek-secp256r1.crt"
verify OK "RSA EK certificate chains to the test CA" \
    "$T/A-rsa.crt" "$CA" "$T/A-ekrsa.pub"
verify OK "ECC P-256 EK certificate chains to the test CA" \
    "$T/A-ecc.crt" "$CA" "$T/A-ekecc.pub"
verify OK "ECC P-384 EK certificate chains to the test CA" \
    "$T/A-ek384.crt" "$CA" "$T/A-ek384.pub"
verify OK "TPM B's RSA EK certificate, TPM B's EK" \
    "$T/B-rsa.crt" "$CA" "$T/B-ekrsa.pub"
for c in rsa:ekrsa ecc:ekecc ek384:ek384; do
	verify EK_CERT_UNTRUSTED "${c%%:*} certificate, another CA" \
	    "$T/A-${c%%:*}.crt" "$OTHERCA" "$T/A-${c##*:}.pub"
	verify EK_MISMATCH "${c%%:*} certificate of TPM B, TPM A's EK" \
	    "$T/B-${c%%:*}.crt" "$CA" "$T/A-${c##*:}.pub"
done
verify EK_MISMATCH "RSA certificate, the ECC EK of the same TPM" \
    "$T/A-rsa.crt" "$CA" "$T/A-ekecc.pub"
verify EK_MISMATCH "P-384 certificate, the P-256 EK of the same TPM" \
    "$T/A-ek384.crt" "$CA" "$T/A-ekecc.pub"
verify EK_CERT_UNTRUSTED "a time before the certificate" \
    "$T/A-rsa.crt" "$CA" "$T/A-ekrsa.pub" 946684800
verify EK_CERT_UNTRUSTED "a time after the CA expired (20 years)" \
    "$T/A-rsa.crt" "$CA" "$T/A-ekrsa.pub" $((T0 + 7301 * 86400))
verify EK_CERT_UNTRUSTED "the issuing CA alone is not a trust anchor" \
    "$T/A-rsa.crt" "$T/ca/issuercert.pem" "$T/A-ekrsa.pub"
cp "$T/A-rsa.crt" "$T/trailing.crt"
printf '\0' >>"$T/trailing.crt"
verify EK_CERT_UNTRUSTED "a byte after the DER certificate" \
    "$T/trailing.crt" "$CA" "$T/A-ekrsa.pub"

# The fingerprint is the SHA-256 of the certificate's SubjectPublicKeyInfo
# as openssl computes it.
for c in rsa:ekrsa ecc:ekecc ek384:ek384; do
	want=$(openssl x509 -inform der -in "$T/A-${c%%:*}.crt" -noout -pubkey |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -r |
	    cut -c1-64)
	got=$("$CREDTOOL" fpr "$T/A-${c##*:}.pub")
	[ -n "$want" ] && [ "$got" = "$want" ]
	check "${c##*:} fingerprint equals openssl's SPKI SHA-256" [ $? -eq 0 ]
done

echo "# identity-swtpm took $(($(date +%s) - T0)) s"
tap_done
