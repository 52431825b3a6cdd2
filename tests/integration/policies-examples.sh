#!/bin/sh
# Every policy bundle shipped in policies/ is valid, stored in its
# normalised form, and says what it claims about the logs it was made for.
set -u
: "${WARDGATE:?}" "${WG_SRCDIR:?}" "${WG_TESTDATA:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need jq
P="$WG_SRCDIR/policies"
E="$WG_TESTDATA/eventlogs"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-polex.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

count=0
for f in "$P"/*.json "$P"/corpus/*.json; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	name=${f#"$P"/}
	if "$WARDGATE" policy check "$f" >"$T/norm" 2>"$T/err" &&
	    cmp -s "$T/norm" "$f"; then
		ok "$name is valid and normalised"
	else
		notok "$name is valid and normalised: $(cat "$T/err")"
	fi
done
[ "$count" -ge 7 ] && ok "$count bundles checked" || notok "only $count bundles found"

for f in "$P"/corpus/*.json; do
	log="$E/$(basename "$f" .json).bin"
	model=$(jq -r '.models[0].model' "$f")
	if "$WARDGATE" appraise --policy "$f" --model "$model" --eventlog "$log" \
	    >"$T/out" 2>&1; then
		ok "$(basename "$f") passes $(basename "$log")"
	else
		notok "$(basename "$f") passes $(basename "$log")"; sed 's/^/# /' "$T/out"
	fi
done

D="$P/demo-ward.json"
L="$E/archlinux-workstation-systemd-boot.bin"
"$WARDGATE" appraise --policy "$D" --model Infusomat-Space --eventlog "$L" >/dev/null 2>&1
[ $? -eq 0 ] && ok "demo-ward: the demo boot is Infusomat-Space 4.2.1" || notok "demo-ward approved"
"$WARDGATE" appraise --policy "$D" --model IntelliVue-MX700 --eventlog "$L" --json >"$T/rev.json" 2>/dev/null
[ $? -eq 1 ] && jq -e '.reasons[] | select(.code == "POLICY_REVOKED" and (.message | contains("PHI-2026-014")))' "$T/rev.json" >/dev/null &&
    ok "demo-ward: IntelliVue-MX700 A.01 is revoked (PHI-2026-014)" || notok "demo-ward revoked"
"$WARDGATE" appraise --policy "$D" --model Infusomat-Space --eventlog "$E/gce-ubuntu2104-nodbx.bin" >/dev/null 2>&1
[ $? -eq 1 ] && ok "demo-ward: another machine's boot fails" || notok "demo-ward other boot"

# Signed path of the offline appraisal.
openssl genpkey -algorithm ED25519 -out "$T/k.pem" >/dev/null 2>&1
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null
cp "$D" "$T/b.json"
"$WARDGATE" policy sign --key "$T/k.pem" "$T/b.json" 2>/dev/null
"$WARDGATE" appraise --policy "$T/b.json" --sig "$T/b.json.sig" \
    --issuer-key "$T/k.pub" --model Infusomat-Space --eventlog "$L" >"$T/out" 2>&1
[ $? -eq 0 ] && ! grep -q unsigned "$T/out" && ok "signed bundle appraises" || notok "signed bundle appraises"
printf 'x' | dd of="$T/b.json.sig" bs=1 seek=10 conv=notrunc status=none
"$WARDGATE" appraise --policy "$T/b.json" --sig "$T/b.json.sig" \
    --issuer-key "$T/k.pub" --model Infusomat-Space --eventlog "$L" >"$T/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q POLICY_SIGNATURE "$T/out" && ok "a bad signature is an error (2)" || notok "bad signature: exit $rc"

tap_done
