#!/bin/sh
# Remakes the fixtures of tests/data/identity from two swtpm TPMs whose
# EK certificates come from a private test CA (tests/integration/
# swtpm-ca.sh). Run from the repository root: sh tests/data/identity/regen.sh
# Keys and serial numbers are random: running it again gives other files
# (test_ek reads only what README.md describes, never fixed key bytes).
set -eu

D=tests/data/identity
. tests/integration/swtpm-lib.sh
. tests/integration/swtpm-ca.sh

W=$(mktemp -d "${TMPDIR:-/tmp}/wg-idfix.XXXXXX")
trap 'swtpm_cleanup; rm -rf "$W"' EXIT INT TERM

CA=$(swtpm_ca_init "$W/ca" "wardgate test")
OTHER=$(swtpm_ca_init "$W/other" "other vendor")
swtpm_ca_setup "$W/ca" "$W/tpmA" >/dev/null
swtpm_ca_setup "$W/ca" "$W/tpmB" >/dev/null
swtpm_ca_start A "$W/tpmA"
swtpm_ca_start B "$W/tpmB"

cp "$CA" "$D/ca-bundle.pem"
cp "$W/ca/issuercert.pem" "$D/ca-issuer.pem"
cp "$OTHER" "$D/other-ca.pem"

export TPM2TOOLS_TCTI="$TCTI_A"
tpm2_createek -c "$W/ek.ctx" -G rsa -u "$D/ek-rsa.pub" >/dev/null
tpm_flush
tpm2_createek -c "$W/ek.ctx" -G ecc -u "$D/ek-ecc.pub" >/dev/null
tpm_flush
tpm2_readpublic -c 0x81010016 -f tss -o "$D/ek-ecc384.pub" >/dev/null
tpm2_nvread 0x01c00002 -C o -o "$D/ek-rsa.crt" 2>/dev/null
tpm2_nvread 0x01c0000a -C o -o "$D/ek-ecc.crt" 2>/dev/null
tpm2_nvread 0x01c00016 -C o -o "$D/ek-ecc384.crt" 2>/dev/null
tpm_flush

export TPM2TOOLS_TCTI="$TCTI_B"
tpm2_createek -c "$W/ek.ctx" -G rsa -u "$D/tpmb-ek-rsa.pub" >/dev/null
tpm_flush

# The same RSA EK certified with an empty subject: swtpm_cert leaves the
# subject empty when it is given none (the TCG profile allows it, with a
# critical subjectAltName).
mod=$(openssl x509 -inform der -in "$D/ek-rsa.crt" -noout -modulus | cut -d= -f2)
swtpm_cert --tpm2 --signkey "$W/ca/signkey.pem" \
    --issuercert "$W/ca/issuercert.pem" --out-cert "$D/ek-rsa-nosubject.crt" \
    --modulus "$mod" --exponent 0x10001 --serial 1000 --days -1 \
    --tpm-manufacturer id:00001014 --tpm-model swtpm \
    --tpm-version id:20191023 --tpm-spec-family 2.0 --tpm-spec-level 0 \
    --tpm-spec-revision 164 >/dev/null

# Fingerprints as openssl computes them: SHA-256 of the DER SPKI.
for k in ek-rsa ek-ecc ek-ecc384; do
	openssl x509 -inform der -in "$D/$k.crt" -noout -pubkey |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -r |
	    cut -c1-64 >"$D/$k.fpr"
done
