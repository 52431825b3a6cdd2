#!/bin/sh
# Lifecycle evidence (EU Cyber Resilience Act) end to end, with a real
# wardgated, swtpm devices and wardgate-agent:
#
#   update provenance  each change of a device's attested release is kept
#                      with the policy bundle (issuer, version) that
#                      approved it, and shown by `wardgate device show`
#   decommissioning    `wardgate decommission` blocks the EK, clears the
#                      AK binding, ends a clinical hold, moves the device
#                      to segment_decommissioned and archives its evidence
#                      (JSON + SHA-256); the agent is refused afterwards,
#                      also when it enrolls again with the same EK
#   audit              `wardgate audit verify` online and offline (--store,
#                      read-only, gateway running); copies of the real
#                      store with an edited, an inserted and a deleted row
#                      (middle and last) exit 1 naming the row; the
#                      untouched copy exits 0; `wardgate audit list`
set -u

: "${WARDGATE:?}" "${WG_TESTDATA:?}" "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
. "$WG_SRCDIR/tests/integration/tap-lib.sh"
tap_need swtpm swtpm_setup jq openssl python3

. "$WG_SRCDIR/tests/integration/swtpm-lib.sh"
. "$WG_SRCDIR/tests/integration/swtpm-ca.sh"
. "$WG_SRCDIR/tests/integration/gateway-lib.sh"

AGENT="$WG_BUILDDIR/agent/wardgate-agent"
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-life.XXXXXX")
trap 'gw_stop; swtpm_cleanup; rm -rf "$T"' EXIT INT TERM

LOG="$T/good.bin"
cp "$WG_TESTDATA/eventlogs/archlinux-workstation-systemd-boot.bin" "$LOG"

# --- the issuer: version 1 calls the boot 4.2.1, version 2 calls it 4.2.2 ---
mkdir -p "$T/issuers"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/acme.key" >/dev/null 2>&1 || exit 1
openssl pkey -in "$T/acme.key" -pubout -out "$T/issuers/acme-psirt.pem" || exit 1
"$WARDGATE" policy learn --eventlog "$LOG" --model "Infusomat Space" \
    --release 4.2.1 --issuer acme-psirt -o "$T/v1.json" 2>/dev/null || exit 1
jq '.version = 1' "$T/v1.json" >"$T/v1b.json" && mv "$T/v1b.json" "$T/v1.json"
jq '.version = 2 | .models[0].releases[0].release = "4.2.2"' "$T/v1.json" \
    >"$T/v2.json" || exit 1
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v1.json" 2>/dev/null || exit 1
"$WARDGATE" policy sign --key "$T/acme.key" "$T/v2.json" 2>/dev/null || exit 1

CA=$(swtpm_ca_init "$T/ca" "Lifecycle test TPM vendor") || exit 1
gw_start "$T/gw" "$CA" "policy_issuers = $T/issuers" || exit 1
gwadm policy install "$T/v1.json" >/dev/null || exit 1

tcti() { eval "echo \$TCTI_$1"; }
agent() {
	_dev=$1 _sub=
	shift
	case "${1:-}" in ek) _sub=$1; shift ;; esac
	"$AGENT" $_sub --gateway "$GW_URL" --ca "$GW_CA" \
	    --state-dir "$T/state$_dev" --tcti "$(tcti $_dev)" \
	    --eventlog "$T/log$_dev.bin" "$@"
}
show() { gwadm device show "$1"; }
for dev in L1 L2; do
	swtpm_ca_setup "$T/ca" "$T/tpm$dev" >/dev/null || exit 1
	swtpm_ca_start "$dev" "$T/tpm$dev" || exit 1
	cp "$LOG" "$T/log$dev.bin"
	TPM2TOOLS_TCTI=$(tcti "$dev") simboot "$T/log$dev.bin" || exit 1
	F=$(agent "$dev" ek | sed -n 's/^ek-fingerprint: //p')
	[ ${#F} -eq 64 ] || { echo "no EK fingerprint for $dev"; exit 1; }
	eval "FPR_$dev=$F"
	gwadm device provision --name "$dev" --model "Infusomat Space" \
	    --owner ICU --serial "SN-$dev" --mac "02:00:00:00:00:0${dev#L}" \
	    --ek-fpr "$F" >/dev/null || exit 1
done

# --- (3) update provenance ---
agent L1 --once >"$T/a1.out" 2>&1
check "L1 attests with policy v1 and is trusted" \
    "[ $? -eq 0 ] && [ \"$(show L1 | jq -r .state)\" = trusted ]"
agent L1 --once >/dev/null 2>&1	# same release: no new history row
gwadm policy install "$T/v2.json" >/dev/null || exit 1
agent L1 --once >"$T/a2.out" 2>&1
check "L1 attests again with policy v2" "[ $? -eq 0 ]"
show L1 >"$T/show1.json"
check "device show: the release is 4.2.2" "[ \"$(jq -r .release "$T/show1.json")\" = 4.2.2 ]"
check "device show: two release changes, and only those" \
    "[ \"$(jq '.releases | length' "$T/show1.json")\" = 2 ]"
check "first change: none -> 4.2.1, approved by acme-psirt version 1" \
    "jq -e '.releases[0] | .from == null and .to == \"4.2.1\" and .issuer == \"acme-psirt\" and .bundle_version == 1 and (.at | test(\"^[0-9-]+T[0-9:]+Z$\"))' \"$T/show1.json\" >/dev/null"
check "second change: 4.2.1 -> 4.2.2, approved by acme-psirt version 2" \
    "jq -e '.releases[1] | .from == \"4.2.1\" and .to == \"4.2.2\" and .issuer == \"acme-psirt\" and .bundle_version == 2' \"$T/show1.json\" >/dev/null"
RELROWS=$(gwadm audit list --json L1 | jq '[.[] | select(.action == "release")] | length')
check "each change is also an audit row" "[ \"$RELROWS\" = 2 ]"

# --- (4) decommissioning ---
agent L2 --once >/dev/null 2>&1
gwadm hold L1 --until +1h --reason "bed 4, surgery" >/dev/null
check "L1 has a clinical hold before decommissioning" \
    "[ \"$(show L1 | jq -r '.hold != null')\" = true ]"
gwadm decommission L1 >/dev/null 2>&1
check "decommission without --reason is a usage error (exit 2)" "[ $? -eq 2 ]"
gwadm decommission L1 --reason "returned to the vendor (RMA 4711)" >"$T/dec.out" 2>&1
check "wardgate decommission succeeds" "[ $? -eq 0 ] && grep -q 'archive sha256 [0-9a-f]\{64\}' \"$T/dec.out\""
show L1 >"$T/show2.json"
check "L1 is decommissioned, in segment blocked" \
    "jq -e '.state == \"decommissioned\" and .segment == \"blocked\"' \"$T/show2.json\" >/dev/null"
check "the clinical hold ended" "jq -e '.hold == null' \"$T/show2.json\" >/dev/null"
check "L2 is untouched (trusted)" "[ \"$(show L2 | jq -r .state)\" = trusted ]"
gwadm decommission L1 --reason again >"$T/dec2.out" 2>&1
check "decommissioning twice is refused (exit 1, 409)" \
    "[ $? -eq 1 ] && grep -q DEVICE_DECOMMISSIONED \"$T/dec2.out\""

SHA=$(sed -n 's/.*archive sha256 \([0-9a-f]\{64\}\).*/\1/p' "$T/dec.out")
python3 - "$T/gw/wardgate.db" "$FPR_L1" "$SHA" >"$T/arch.out" 2>&1 <<'PY'
import hashlib, json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
row = db.execute("SELECT archive, archive_sha256, actor, reason FROM"
                 " decommissions WHERE device_id = ?", (sys.argv[2],)).fetchone()
assert row is not None, "no decommissions row"
archive, sha, actor, reason = row
assert hashlib.sha256(archive).hexdigest() == sha == sys.argv[3], "hash"
assert actor.startswith("admin:uid="), actor
assert reason == "returned to the vendor (RMA 4711)", reason
doc = json.loads(archive)
# Canonical: keys sorted, no whitespace; the text is what was hashed.
assert archive.decode() == json.dumps(doc, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False), "not canonical"
assert doc["format"] == "wardgate-decommission-archive-v1"
assert doc["device"]["id"] == sys.argv[2]
assert doc["device"]["ak_pub"] != "", "AK missing from the archive"
assert doc["provisioning"]["serial"] == "SN-L1"
atts = db.execute("SELECT a.id, a.pass, a.release FROM attestations a"
                  " JOIN devices d ON a.device = d.id WHERE d.device_id = ?"
                  " ORDER BY a.id", (sys.argv[2],)).fetchall()
assert [(a["id"], 1 if a["pass"] else 0, a["release"]) for a in
        doc["attestations"]] == [tuple(a) for a in atts], "attestations"
assert len(atts) == 3
ids = [r[0] for r in db.execute("SELECT id FROM audit WHERE device_id = ?"
       " AND id < (SELECT id FROM audit WHERE action = 'decommission'"
       " AND device_id = ?) ORDER BY id", (sys.argv[2], sys.argv[2]))]
assert "hold-end" in [r[0] for r in db.execute("SELECT action FROM audit"
       " WHERE id IN (%s)" % ",".join(map(str, ids)))], "hold end not archived"
assert doc["audit_rows"] == ids, (doc["audit_rows"], ids)
assert [(r["from"], r["to"], r["bundle_version"]) for r in doc["releases"]] \
    == [("", "4.2.1", 1), ("4.2.1", "4.2.2", 2)]
dev = db.execute("SELECT length(ak_pub), state FROM devices WHERE"
                 " device_id = ?", (sys.argv[2],)).fetchone()
assert dev == (0, "decommissioned"), dev
assert db.execute("SELECT count(*) FROM blocked_eks WHERE ek_fpr = ?",
                  (sys.argv[2],)).fetchone()[0] == 1, "EK not blocked"
print("archive ok")
PY
check "archive: canonical JSON of identity, provisioning, attestations, audit ids, releases; hash matches; AK cleared; EK blocked" \
    "grep -q '^archive ok' \"$T/arch.out\" || { sed 's/^/# /' \"$T/arch.out\"; false; }"
gwadm audit list "$FPR_L1" >"$T/list.out"
check "audit list DEVICE shows the decommission row with actor, before, after and reason" \
    "grep -P '\tadmin:uid=[0-9]+ role=admin\t[0-9a-f]{16}\tdecommission\ttrusted\tdecommissioned\treturned to the vendor' \"$T/list.out\" >/dev/null"

agent L1 --once >"$T/a3.out" 2>&1
check "the agent's next evidence is refused" \
    "[ $? -ne 0 ] && grep -q DEVICE_DECOMMISSIONED \"$T/a3.out\""
rm -rf "$T/stateL1"
agent L1 --once >"$T/a4.out" 2>&1
check "enrolling again with the same EK is refused (EK_BLOCKED)" \
    "[ $? -ne 0 ] && grep -q EK_BLOCKED \"$T/a4.out\""
check "the refused device is still decommissioned" \
    "[ \"$(show L1 | jq -r .state)\" = decommissioned ]"
agent L2 --once >/dev/null 2>&1
check "another device goes on attesting" "[ $? -eq 0 ]"

# --- (5) audit verification ---
gwadm audit verify >"$T/v.out"
check "audit verify (admin socket): intact, exit 0" \
    "[ $? -eq 0 ] && grep -q '^audit log intact: [0-9]* rows checked' \"$T/v.out\""
"$WARDGATE" audit verify --store "$T/gw/wardgate.db" >"$T/v2.out" 2>&1
check "audit verify --store with the gateway running: intact, exit 0" \
    "[ $? -eq 0 ] && grep -q '^audit log intact' \"$T/v2.out\""
"$WARDGATE" audit list --store "$T/gw/wardgate.db" >"$T/list2.out"
check "audit list --store prints every row" \
    "[ \"$(($(wc -l <"$T/list2.out") - 1))\" = \"$(sed -n 's/^audit log intact: \([0-9]*\) rows.*/\1/p' "$T/v2.out")\" ]"

# Copies of the real store (SQLite's backup: consistent while it runs);
# the tampered ones are made from the untouched copy.
copy() {	# NAME [SOURCE]
	python3 - "${2:-$T/untouched.db}" "$T/$1.db" <<'PY' || exit 1
import sqlite3, sys
src = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
PY
}
# tamper NAME SQL...: a copy, the append-only triggers dropped, SQL run.
tamper() {
	_name=$1
	shift
	copy "$_name"
	python3 - "$T/$_name.db" "$@" <<'PY' || exit 1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER audit_no_update")
db.execute("DROP TRIGGER audit_no_delete")
for sql in sys.argv[2:]:
    db.execute(sql)
db.commit()
PY
}
copy untouched "$T/gw/wardgate.db"
LAST=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT max(id) FROM audit").fetchone()[0])' "$T/untouched.db")
MID=$((LAST / 2))
bad_row() {	# NAME ROW: exit 1 and names ROW as the first bad row
	"$WARDGATE" audit verify --store "$T/$1.db" >"$T/$1.out" 2>&1
	_rc=$?
	[ "$_rc" -eq 1 ] && grep -q "^audit log TAMPERED: first bad row $2 " "$T/$1.out" ||
	    { echo "# exit $_rc: $(cat "$T/$1.out")"; false; }
}

"$WARDGATE" audit verify --store "$T/untouched.db" >/dev/null 2>&1
check "an untouched copy verifies (exit 0)" "[ $? -eq 0 ]"
tamper edited "UPDATE audit SET detail = 'nothing happened' WHERE id = $MID"
check "an edited row: exit 1, names row $MID" "bad_row edited $MID"
tamper edited-last "UPDATE audit SET actor = 'gateway' WHERE id = $LAST"
check "an edited last row: exit 1, names row $LAST" "bad_row edited-last $LAST"
tamper inserted \
    "UPDATE audit SET id = -id WHERE id >= $MID" \
    "UPDATE audit SET id = 1 - id WHERE id < 0" \
    "INSERT INTO audit (id, at, actor, action, prev_hash, hash) SELECT $MID, at, 'admin:uid=0', 'approve', hash, hash FROM audit WHERE id = $MID - 1"
check "a row inserted in the middle: exit 1, names row $MID" "bad_row inserted $MID"
tamper appended \
    "INSERT INTO audit (id, at, actor, action, prev_hash, hash) SELECT id + 1, at, 'gateway', 'approve', hash, hash FROM audit WHERE id = $LAST"
check "a row appended outside the gateway: exit 1, names row $((LAST + 1))" \
    "bad_row appended $((LAST + 1))"
tamper deleted "DELETE FROM audit WHERE id = $MID"
check "a deleted row: exit 1, names the row after it ($((MID + 1)))" \
    "bad_row deleted $((MID + 1))"
tamper deleted-last "DELETE FROM audit WHERE id = $LAST"
check "the deleted last row: exit 1, names row $LAST" "bad_row deleted-last $LAST"
tamper deleted-tail "DELETE FROM audit WHERE id > $MID"
check "the last rows cut: exit 1, names row $((MID + 1))" \
    "bad_row deleted-tail $((MID + 1))"
check "the live store is still intact" \
    "gwadm audit verify >/dev/null && \"$WARDGATE\" audit verify --store \"$T/gw/wardgate.db\" >/dev/null"

# The gateway stopped: the offline check on the file itself.
gw_stop
"$WARDGATE" audit verify --store "$T/gw/wardgate.db" >/dev/null 2>&1
check "audit verify --store with the gateway stopped: exit 0" "[ $? -eq 0 ]"
"$WARDGATE" audit verify --store "$T/no-such.db" >/dev/null 2>&1
check "a missing store file is an error (exit 2)" "[ $? -eq 2 ]"

if [ "$fails" -ne 0 ]; then
	echo "# wardgated's log:"
	sed 's/^/#   /' "$T/gw/wardgated.log"
fi
tap_done
