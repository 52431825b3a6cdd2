#!/bin/sh
# The enforcer refuses a change (NAK): wardgated fails closed without
# locking everyone out. The exec backend runs a program that refuses one
# device's MAC; no privilege or namespace is needed.
#
#   A  its move to clinical is refused: the live NAK restarts the enforcer once (fail
#      closed); the reconciliation's NAK leaves A in the default segment
#      and enforcement comes up anyway (no restart loop)
#   B  a good MAC: promoted while A is refused
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl
. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-nak.XXXXXX")
chmod 755 "$T"
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

MAC_A=02:00:5e:00:53:0a MAC_B=02:00:5e:00:53:0b
cat >"$T/nac" <<EOF2
#!/bin/sh
echo "\$*" >>"$T/nac.log"
[ "\$1" = put ] && [ "\$2" = $MAC_A ] && [ "\$3" = clinical ] && exit 1
exit 0
EOF2
chmod 755 "$T/nac"
cat >"$T/enforcer.conf" <<EOF2
backend = exec
exec_program = $T/nac
default = quarantine
segment clinical      = none
segment clinical-hold = none
segment quarantine    = none
segment blocked       = none
EOF2
chmod 644 "$T/enforcer.conf"

CA=$(swtpm_ca_init "$T/ca" "Hospital test TPM vendor") || exit 1
LOG="$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin"
for dev in A B; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
	TPM2TOOLS_TCTI=$(eval "echo \$TCTI_$dev") simboot "$LOG" || exit 1
done
rm -f "$LOG.sim.json" "$LOG.sim.txt" 2>/dev/null

gw_start "$T/gw" "$CA" "policy_required = no" \
    "enforcer = $WG_BUILDDIR/verifier/wardgate-enforcer" \
    "enforcer_conf = $T/enforcer.conf" || exit 1
check "enforcer (exec backend) in force" "gw_enf_wait 10"

agent() {
	_d=$1
	shift
	"$AGENT" "$@" --gateway "$GW_URL" --ca "$GW_CA" --state-dir "$T/state$_d" \
	    --tcti "$(eval "echo \$TCTI_$_d")" --eventlog "$LOG" --hostname "dev-$_d"
}
for dev in A B; do
	F=$(agent $dev ek | sed -n 's/^ek-fingerprint: //p')
	M=$(eval "echo \$MAC_$dev")
	gwadm device provision --name "pump-$dev" --model "Infusomat Space" \
	    --mac "$M" --ek-fpr "$F" >/dev/null || exit 1
done

agent A --once >"$T/A.out" 2>&1
check "A attests and is trusted (the verdict stands)" \
    "[ $? -eq 0 ] && [ \"\$(gwadm device show pump-A | jq -r .state)\" = trusted ]"
sleep 1
check "the refused live change restarted the enforcer once" \
    "gw_enf_wait 10 && [ \"\$(gw_enf failures)\" = 1 ]"
check "the reconciliation's refusal left A in the default segment" \
    "grep -q \"PUT $MAC_A clinical refused (BACKEND): device left in quarantine\" '$T/gw/wardgated.log'"
check "A's change was tried live and again when reconciling" \
    "[ \"\$(grep -c \"^put $MAC_A clinical\" '$T/nac.log')\" -ge 2 ]"
sleep 2
check "no restart loop: still in force, still one failure" \
    "[ \"\$(gw_enf in_force)\" = true ] && [ \"\$(gw_enf failures)\" = 1 ]"
agent B --once >"$T/B.out" 2>&1
check "B is promoted meanwhile" \
    "[ $? -eq 0 ] && [ \"\$(gwadm device show pump-B | jq -r .state)\" = trusted ]"
i=0
while ! grep -q "^put $MAC_B clinical" "$T/nac.log" && [ "$i" -lt 20 ]; do
	sleep 0.1; i=$((i + 1))
done
check "B's change reached the NAC program" "grep -q '^put $MAC_B clinical' '$T/nac.log'"

if [ "$fails" -ne 0 ]; then
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
	echo "--- nac.log"; cat "$T/nac.log"
fi
tap_done
