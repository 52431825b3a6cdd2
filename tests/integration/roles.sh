#!/bin/sh
# Admin roles from UNIX peer credentials: admin, security, clinical, and
# no role at all; every refusal answered 403 FORBIDDEN and audited. The
# callers are real users (setpriv), the gateway a real wardgated.
set -u

: "${WARDGATE:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: the test calls the admin socket as other users"
	exit 77
fi
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need setpriv python3 openssl
. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-roles.XXXXXX")
chmod 755 "$T"
trap 'gw_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# nobody: clinical; daemon (uid 1): security; bin (uid 2): no role;
# root: admin (the default).
gw_certs "$T/ekca"
gw_start "$T/gw" "$T/ekca/ca.pem" "role_clinical = user:nobody" \
    "role_security = uid:1" || exit 1
chmod 666 "$GW_SOCK"	# the socket's mode is not what is tested here
cp "$WARDGATE" "$T/wardgate"
chmod 755 "$T/wardgate"
as() {	# UID CMD...: wardgate as that user; prints the output, returns its exit
	_u=$1
	shift
	setpriv --reuid="$_u" --regid="$_u" --clear-groups \
	    "$T/wardgate" -s "$GW_SOCK" "$@" 2>&1
}
cp "$WG_SRCDIR/policies/demo-ward.json" "$T/bundle.json"
openssl genpkey -algorithm ED25519 -out "$T/issuer.key" >/dev/null 2>&1
"$WARDGATE" policy sign --key "$T/issuer.key" "$T/bundle.json" || exit 1
chmod 644 "$T/bundle.json" "$T/bundle.json.sig"

out=$(as 65534 status); rc=$?
check "clinical may read the status" "[ $rc -eq 0 ]"
out=$(as 65534 hold no-such-device --until +1h --reason "bed 4"); rc=$?
check "clinical may ask for a hold (refused only as unknown device)" \
    "[ $rc -eq 1 ] && ! echo \"\$out\" | grep -q FORBIDDEN && echo \"\$out\" | grep -q DEVICE_UNKNOWN"
out=$(as 65534 policy install "$T/bundle.json"); rc=$?
check "clinical may not install a policy (FORBIDDEN, exit 1)" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(as 65534 device approve no-such-device); rc=$?
check "clinical may not approve a device" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(as 1 policy install "$T/bundle.json"); rc=$?
check "security may install a policy (refused only for its content)" \
    "[ $rc -ne 0 ] && ! echo \"\$out\" | grep -q FORBIDDEN"
out=$(as 1 hold no-such-device --until +1h --reason "bed 4"); rc=$?
check "security may not grant a clinical hold" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(as 1 device approve no-such-device); rc=$?
check "security may not approve a device" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(as 2 status); rc=$?
check "no role: not even the status" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$("$WARDGATE" -s "$GW_SOCK" device approve no-such-device 2>&1); rc=$?
check "admin (root) may approve (refused only as unknown device)" \
    "[ $rc -eq 1 ] && ! echo \"\$out\" | grep -q FORBIDDEN"

# Each refusal is an audit row, with who and what, in the hash chain.
refused=$(python3 - "$T/gw/wardgate.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for actor, detail in db.execute(
        "SELECT actor, detail FROM audit WHERE action = 'refused' ORDER BY id"):
    print(actor + " | " + detail)
PY
)
check "five refusals audited" "[ \"\$(echo \"\$refused\" | grep -c .)\" -eq 5 ]"
check "the refusal names the caller and role" \
    "echo \"\$refused\" | grep -q '^admin:uid=65534 role=clinical | POST /admin/v1/policies: needs admin or security'"
check "a caller with no role is named too" \
    "echo \"\$refused\" | grep -q '^admin:uid=2 role=none | GET /admin/v1/status'"

# A bad role list is a configuration error (exit 2), before anything.
printf 'role_admin = wheel\n' >"$T/bad.conf"
"$WG_BUILDDIR/verifier/wardgated" -n -f "$T/bad.conf" >/dev/null 2>&1
check "malformed role list refused (exit 2)" "[ $? -eq 2 ]"

if [ "$fails" -ne 0 ]; then
	echo "--- wardgated.log"; tail -20 "$T/gw/wardgated.log"
fi
tap_done
