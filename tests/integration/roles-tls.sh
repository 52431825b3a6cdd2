#!/bin/sh
# Admin roles from client certificates on the TLS admin listener
# (admin_listen): a real wardgated, a swtpm device with wardgate-agent,
# and operators' certificates made here with `openssl ca`:
#
#   alice    operator CA, role_admin cert:alice    provisions the device
#   carol    operator CA, role_clinical cert:carol reads, holds; no approve
#   mallory  operator CA, in no role                refused even a GET
#   odd      operator CA, CN "alice,role=admin"     not a name: no role
#   eve      another CA of the same name, CN alice  handshake fails
#   expired, revoked (in admin_tls_crl), noeku (no extended key usage),
#   srveku (serverAuth only), and no certificate    handshake fails
#
# A refusal after the handshake is 403 FORBIDDEN and an audit row naming
# the certificate; a failed handshake reaches nothing (no audit row).
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl python3 curl
. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
WARDGATED="$WG_BUILDDIR/verifier/wardgated"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-rolestls.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# ---- operator certificates ----

# mkca DIR: a CA named "wardgate operator CA" with an `openssl ca` setup.
mkca() {
	mkdir -p "$1/new" || return 1
	: >"$1/index.txt"
	echo 1000 >"$1/serial"
	echo 1000 >"$1/crlnumber"
	cat >"$1/ca.cnf" <<EOF
[ca]
default_ca = op
[op]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 2
default_crl_days = 2
policy = anything
unique_subject = no
[anything]
commonName = supplied
[client]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[noeku]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
[srveku]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
EOF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/ca.key" -out "$1/ca.pem" -days 2 \
	    -subj "/CN=wardgate operator CA" \
	    -addext "basicConstraints=critical,CA:true" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
}

# issue CADIR NAME CN EXTENSIONS [ca options...]: NAME.crt and NAME.key
# in $T/op.
issue() {
	_ca=$1 _name=$2 _cn=$3 _ext=$4
	shift 4
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/op/$_name.key" -out "$T/op/$_name.csr" \
	    -subj "/CN=$_cn" >/dev/null 2>&1 &&
	openssl ca -batch -notext -config "$_ca/ca.cnf" -extensions "$_ext" \
	    -in "$T/op/$_name.csr" -out "$T/op/$_name.crt" "$@" \
	    >/dev/null 2>&1
}

mkdir -p "$T/op"
mkca "$T/ca-op" && mkca "$T/ca-rogue" || { echo "CA setup failed"; exit 1; }
issue "$T/ca-op" alice alice client &&
issue "$T/ca-op" carol carol client &&
issue "$T/ca-op" mallory mallory client &&
issue "$T/ca-op" odd "alice,role=admin" client &&
issue "$T/ca-op" expired alice client \
    -startdate 20200101000000Z -enddate 20200102000000Z &&
issue "$T/ca-op" revoked alice client &&
issue "$T/ca-op" noeku alice noeku &&
issue "$T/ca-op" srveku alice srveku &&
issue "$T/ca-rogue" eve alice client &&
openssl ca -batch -config "$T/ca-op/ca.cnf" -revoke "$T/op/revoked.crt" \
    >/dev/null 2>&1 &&
openssl ca -batch -config "$T/ca-op/ca.cnf" -gencrl \
    -out "$T/ca-op/crl.pem" >/dev/null 2>&1 || {
	echo "certificates failed"; exit 1; }
check "the test's certificates are what they claim (openssl verify)" \
    "openssl verify -CAfile '$T/ca-op/ca.pem' -purpose sslclient '$T/op/alice.crt' >/dev/null 2>&1 &&
     ! openssl verify -CAfile '$T/ca-op/ca.pem' '$T/op/eve.crt' >/dev/null 2>&1 &&
     ! openssl verify -CAfile '$T/ca-op/ca.pem' '$T/op/expired.crt' >/dev/null 2>&1 &&
     ! openssl verify -crl_check -CAfile '$T/ca-op/ca.pem' -CRLfile '$T/ca-op/crl.pem' '$T/op/revoked.crt' >/dev/null 2>&1 &&
     openssl verify -crl_check -CAfile '$T/ca-op/ca.pem' -CRLfile '$T/ca-op/crl.pem' '$T/op/alice.crt' >/dev/null 2>&1 &&
     ! openssl verify -CAfile '$T/ca-op/ca.pem' -purpose sslclient '$T/op/srveku.crt' >/dev/null 2>&1"
# OpenSSL's purpose check alone lets a leaf without the extension through:
# the gateway must refuse it itself.
check "a leaf without extended key usage passes openssl's sslclient check" \
    "openssl verify -CAfile '$T/ca-op/ca.pem' -purpose sslclient '$T/op/noeku.crt' >/dev/null 2>&1"

# ---- the gateway and a device ----

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"
CA=$(swtpm_ca_init "$T/ca" "Roles TLS test TPM vendor") || exit 1
# The agent listener on PORT, the admin one on PORT + 1 (both free).
GW_LISTEN_PORT=$(swtpm_free_port) || exit 1
AP=$((GW_LISTEN_PORT + 1))
gw_start "$T/gw" "$CA" "policy_required = no" \
    "admin_listen = 127.0.0.1:$AP" "admin_tls_ca = $T/ca-op/ca.pem" \
    "admin_tls_crl = $T/ca-op/crl.pem" \
    "role_admin = uid:0 cert:alice" "role_clinical = cert:carol" || exit 1
swtpm_ca_setup "$T/ca" "$T/tpmD" >/dev/null || exit 1
swtpm_ca_start D "$T/tpmD" || exit 1
TPM2TOOLS_TCTI=$TCTI_D simboot "$LOG" || exit 1
agent() {
	"$AGENT" "$@" --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/stateD" --tcti "$TCTI_D" --eventlog "$LOG"
}
F=$(agent ek | sed -n 's/^ek-fingerprint: //p')

# as NAME ARGS...: wardgate over TLS with NAME's certificate.
as() {
	_n=$1
	shift
	"$WARDGATE" --admin-url "https://127.0.0.1:$AP" \
	    --cert "$T/op/$_n.crt" --key "$T/op/$_n.key" --cacert "$GW_CA" \
	    "$@" 2>&1
}
audit() {	# "actor | action | detail" per audit row
	python3 - "$T/gw/wardgate.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for actor, action, detail in db.execute(
        "SELECT actor, action, coalesce(detail, '') FROM audit ORDER BY id"):
    print(actor + " | " + action + " | " + detail)
PY
}

# ---- alice: admin ----
out=$(as alice device provision --name pump-7 --model "Test Pump" \
    --ek-fpr "$F"); rc=$?
check "alice (cert:alice, role_admin) provisions a device over TLS" \
    "[ $rc -eq 0 ] && echo \"\$out\" | grep -q provisioned"
check "its audit row names alice's certificate and role" \
    "audit | grep -q '^admin:cert=alice role=admin | provision |'"
agent --once >"$T/agent.out" 2>&1
out=$(as alice device show pump-7); rc=$?
check "the provisioned device enrolls and is trusted (read over TLS)" \
    "[ $rc -eq 0 ] && echo \"\$out\" | jq -e '.state == \"trusted\"' >/dev/null"

# ---- carol: clinical ----
out=$(as carol status); rc=$?
check "carol (clinical) reads the status" \
    "[ $rc -eq 0 ] && echo \"\$out\" | grep -q pump-7"
as carol report --format json -o "$T/report.json" >/dev/null; rc=$?
check "carol reads the report data" \
    "[ $rc -eq 0 ] && jq -e '.devices | length == 1' '$T/report.json' >/dev/null"
out=$(as carol hold pump-7 --until +1h --reason "bed 4, infusion running"); rc=$?
check "carol puts the device on clinical hold" "[ $rc -eq 0 ]"
check "the hold's audit row names carol's certificate" \
    "audit | grep -q '^admin:cert=carol role=clinical | hold |'"
out=$(as carol device approve pump-7); rc=$?
check "carol may not approve a device (403 FORBIDDEN, exit 1)" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
check "the refusal is audited with carol's certificate" \
    "audit | grep -q '^admin:cert=carol role=clinical | refused | POST /admin/v1/devices/pump-7/approve: needs admin'"
out=$(as carol device rotate-ak pump-7); rc=$?
check "carol may not ask for a new AK" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"

# ---- mallory: a good certificate in no role; odd: no usable name ----
out=$(as mallory status); rc=$?
check "mallory (no role) may not even read the status" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(as mallory device provision --name x --model y --ek-fpr "$F"); rc=$?
check "mallory may not provision" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
check "mallory's refusals are audited (root's UNIX uid never applies)" \
    "[ \"\$(audit | grep -c '^admin:cert=mallory role=none | refused |')\" -eq 2 ]"
out=$(as odd status); rc=$?
check "CN \"alice,role=admin\" is no certificate name: refused" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
check "and audited with the CN sanitised" \
    "audit | grep -q '^admin:cert=alice?role?admin role=none | refused | GET /admin/v1/status'"

# ---- failed handshakes: nothing reaches the API ----
before=$(audit | wc -l)
hs_refused() {	# NAME: exit 2, a TLS error, no reply
	_o=$(as "$1" device approve pump-7)
	_rc=$?
	[ "$_rc" -eq 2 ] && ! echo "$_o" | grep -q FORBIDDEN &&
	    echo "$_o" | grep -q "gateway admin API"
}
check "eve (another CA of the same name, CN alice): handshake fails" \
    "hs_refused eve"
check "an expired certificate: handshake fails" "hs_refused expired"
check "a revoked certificate (admin_tls_crl): handshake fails" \
    "hs_refused revoked"
check "a certificate without extended key usage: handshake fails" \
    "hs_refused noeku"
check "a certificate for serverAuth only: handshake fails" \
    "hs_refused srveku"
curl -sS --max-time 10 --cacert "$GW_CA" -X POST \
    "https://127.0.0.1:$AP/admin/v1/devices/pump-7/approve" \
    >"$T/nocert.out" 2>&1
rc=$?
check "no client certificate: handshake fails (curl exit $rc)" \
    "[ $rc -ne 0 ] && ! grep -q FORBIDDEN '$T/nocert.out'"
"$WARDGATE" --admin-url "https://127.0.0.1:$AP" --cacert "$GW_CA" \
    status >"$T/nocert-cli.out" 2>&1
rc=$?
check "the CLI asks for --cert" \
    "[ $rc -eq 2 ] && grep -q -- '--cert' '$T/nocert-cli.out'"
check "no failed handshake left an audit row" \
    "[ \"\$(audit | wc -l)\" -eq $before ]"
check "the refusals are logged with the reason" \
    "grep -q 'client certificate refused (CN alice, depth 0): certificate has expired' '$T/gw/wardgated.log' &&
     grep -q 'client certificate refused (CN alice, depth 0): certificate revoked' '$T/gw/wardgated.log' &&
     grep -q 'client certificate refused (CN alice, depth 0): unsuitable certificate purpose' '$T/gw/wardgated.log'"
out=$(as alice device show pump-7); rc=$?
check "the device was not approved, rotated or changed by any of them" \
    "[ $rc -eq 0 ] && echo \"\$out\" | jq -e '.state == \"trusted\" and .rotate_ak == false' >/dev/null"

# ---- the UNIX socket is unchanged; environment variables ----
out=$(gwadm status 2>&1); rc=$?
check "root on the UNIX socket is still admin by uid" "[ $rc -eq 0 ]"
out=$(WARDGATE_ADMIN_URL="https://127.0.0.1:$AP" WARDGATE_CERT="$T/op/carol.crt" \
    WARDGATE_KEY="$T/op/carol.key" WARDGATE_CACERT="$GW_CA" \
    "$WARDGATE" device approve pump-7 2>&1); rc=$?
check "WARDGATE_ADMIN_URL, _CERT, _KEY, _CACERT select TLS as carol" \
    "[ $rc -eq 1 ] && echo \"\$out\" | grep -q FORBIDDEN"
out=$(WARDGATE_ADMIN_URL="https://127.0.0.1:$AP" \
    "$WARDGATE" -s "$GW_SOCK" status 2>&1); rc=$?
check "-s on the command line wins over WARDGATE_ADMIN_URL" "[ $rc -eq 0 ]"

# ---- wardgated -n ----
CONF="$T/gw/wardgated.conf"
nconf() {	# drop lines matching $1, add $2...; prints -n's output
	_drop=$1
	shift
	{ grep -v -e "$_drop" "$CONF"; for _l in "$@"; do echo "$_l"; done; } \
	    >"$T/n.conf"
	"$WARDGATED" -n -f "$T/n.conf" 2>&1
}
out=$(nconf '^$'); rc=$?
check "-n accepts the running configuration" \
    "[ $rc -eq 0 ] && echo \"\$out\" | grep -q '^admin_listen = 127.0.0.1:$AP\$'"
out=$(nconf '^admin_tls_c'); rc=$?
check "-n refuses admin_listen without admin_tls_ca" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'admin_listen needs admin_tls_ca'"
out=$(nconf '^role_clinical' 'role_clinical = cert:carol/x'); rc=$?
check "-n refuses a cert: name with /" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'role_clinical: cert:NAME'"
out=$(nconf '^role_clinical' 'role_clinical = cert:'); rc=$?
check "-n refuses an empty cert: name" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'role_clinical'"
out=$(nconf '^role_clinical' \
    'role_clinical = cert:abcdefghijklmnopqrstuvwxyz0123456'); rc=$?
check "-n refuses a cert: name over 32 bytes" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'role_clinical: cert:NAME'"
out=$(nconf '^admin_tls_crl' "admin_tls_crl = $T/ca-rogue/ca.pem"); rc=$?
check "-n refuses a CRL file without a CRL" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'admin_tls_crl'"
openssl ca -batch -config "$T/ca-rogue/ca.cnf" -gencrl \
    -out "$T/ca-rogue/crl.pem" >/dev/null 2>&1
out=$(nconf '^admin_tls_crl' "admin_tls_crl = $T/ca-rogue/crl.pem"); rc=$?
check "-n refuses a CRL another CA signed" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'not signed by a CA of admin_tls_ca'"
out=$(nconf '^admin_tls_ca' "admin_tls_ca = $T/op/nothing.pem"); rc=$?
check "-n refuses an unreadable admin_tls_ca" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'admin_tls_ca'"

if [ "$fails" -ne 0 ]; then
	echo "--- audit"; audit
	echo "--- wardgated.log"; tail -30 "$T/gw/wardgated.log"
fi
tap_done
