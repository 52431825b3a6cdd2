#!/bin/sh
# contrib/systemd: every unit keeps the hardening lines it promises (so
# removing one fails here), loads in systemd-analyze verify with the build
# tree's programs in place of the installed ones, and scores in
# systemd-analyze security --offline; sysusers.d and tmpfiles.d do what
# they say in a scratch root; and the credentials the units give (bounding
# set, securebits, no_new_privs) let the enforcer's file capability work
# under wardgated.service and not under strict.conf.
# Nothing outside a temporary directory is touched.
set -u

: "${WG_SRCDIR:?}" "${WG_BUILDDIR:?}"
S="$WG_SRCDIR/contrib/systemd"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not installed (package systemd); not installed for a test"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-sd.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
. "$WG_SRCDIR/tests/integration/tap-lib.sh"

# --- The lines each file must hold, exactly, and those it must not ---
has() {	# FILE LINE...
	f=$1
	shift
	for l in "$@"; do
		if grep -qxF -- "$l" "$S/$f"; then ok "$f: $l"
		else notok "$f: missing line: $l"; fi
	done
}

NNP_KEYS="PrivateDevices ProtectKernelTunables ProtectKernelModules
    ProtectKernelLogs ProtectClock ProtectHostname RestrictNamespaces
    RestrictRealtime RestrictSUIDSGID LockPersonality MemoryDenyWriteExecute
    SystemCallArchitectures SystemCallFilter SystemCallLog
    RestrictAddressFamilies DynamicUser"

# The gateway: no capability, no_new_privs, the full seccomp set; its
# enforcer comes from the socket.
has wardgated.service \
    'Wants=network-online.target wardgate-enforcer.socket' \
    'After=network-online.target wardgate-enforcer.socket' \
    'User=wardgate' 'Group=wardgate' 'Type=exec' \
    'ExecStartPre=/usr/sbin/wardgated -n -f /etc/wardgate/wardgated.conf' \
    'ExecStart=/usr/sbin/wardgated -f /etc/wardgate/wardgated.conf' \
    'ExecReload=/bin/kill -HUP $MAINPID' \
    'Restart=on-failure' 'RestartForceExitStatus=SIGHUP' 'KillMode=mixed' \
    'LimitNOFILE=131072' 'TasksMax=32' 'UMask=0077' \
    'StateDirectory=wardgate' 'StateDirectoryMode=0700' \
    'RuntimeDirectory=wardgate' 'RuntimeDirectoryMode=0750' \
    'ConfigurationDirectory=wardgate' 'ConfigurationDirectoryMode=0750' \
    'AmbientCapabilities=' 'CapabilityBoundingSet=' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ReadWritePaths=/var/lib/wardgate' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'DevicePolicy=closed' 'PrivateMounts=yes' 'PrivateIPC=yes' \
    'RemoveIPC=yes' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' \
    'ProtectKernelLogs=yes' 'ProtectControlGroups=yes' 'ProtectClock=yes' \
    'ProtectHostname=yes' 'ProtectProc=invisible' 'RestrictNamespaces=yes' \
    'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'LockPersonality=yes' \
    'MemoryDenyWriteExecute=yes' 'SystemCallArchitectures=native' \
    'SystemCallFilter=@system-service' \
    'SystemCallFilter=~@privileged @resources' \
    'SystemCallErrorNumber=EPERM' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'
lacks() {	# FILE REGEX WHY
	if grep -Eq -- "$2" "$S/$1"; then notok "$1: $3"
	else ok "$1: not $3"; fi
}
lacks wardgated.service '^AmbientCapabilities=.' "an ambient capability for wardgated"
lacks wardgated.service '^CapabilityBoundingSet=.' "a capability in the bounding set"
# User namespaces would hide the admin socket's callers (SO_PEERCRED, the
# actor recorded) behind the overflow user id.
lacks wardgated.service '^PrivateUsers=(yes|true|on|1)' "PrivateUsers="

# The socket: its own directory (/run/wardgate is removed with wardgated),
# one connection at a time, user wardgate only.
has wardgate-enforcer.socket \
    'ListenSequentialPacket=/run/wardgate-enforcer/enforcer.sock' \
    'Accept=yes' 'MaxConnections=1' 'SocketUser=wardgate' \
    'SocketGroup=wardgate' 'SocketMode=0600' 'DirectoryMode=0750' \
    'WantedBy=sockets.target'
lacks wardgate-enforcer.socket '^Listen[A-Za-z]*=/run/wardgate/' \
    "a socket in wardgated's RuntimeDirectory"
sock=$(sed -n 's/^ListenSequentialPacket=//p' "$S/wardgate-enforcer.socket")
if grep -qF "enforcer = unix:$sock" "$S/README.md"; then
	ok "README.md: enforcer = unix:$sock"
else
	notok "README.md: no 'enforcer = unix:$sock' for wardgated.conf"
fi

# The enforcer: CAP_NET_ADMIN alone, ambient, for a user of its own;
# no_new_privs and the full seccomp set; the host's network.
has wardgate-enforcer@.service \
    'Type=simple' 'User=wardgate-enforcer' 'Group=wardgate-enforcer' \
    'CollectMode=inactive-or-failed' \
    'LoadCredential=enforcer.conf:/etc/wardgate/enforcer.conf' \
    'ExecStart=/usr/libexec/wardgate/wardgate-enforcer -f %d/enforcer.conf' \
    'StandardInput=null' 'StandardOutput=journal' 'StandardError=journal' \
    'TasksMax=16' 'UMask=0077' \
    'AmbientCapabilities=CAP_NET_ADMIN' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
    'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
    'PrivateTmp=yes' 'PrivateDevices=yes' 'PrivateMounts=yes' \
    'PrivateIPC=yes' 'RemoveIPC=yes' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' \
    'ProtectControlGroups=yes' 'ProtectClock=yes' 'ProtectHostname=yes' \
    'ProtectProc=invisible' 'ProcSubset=pid' 'RestrictNamespaces=yes' \
    'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'LockPersonality=yes' \
    'MemoryDenyWriteExecute=yes' 'SystemCallArchitectures=native' \
    'SystemCallFilter=@system-service' \
    'SystemCallFilter=~@privileged @resources' 'SystemCallFilter=capset' \
    'SystemCallErrorNumber=EPERM' \
    'RestrictAddressFamilies=AF_UNIX AF_NETLINK' 'IPAddressDeny=any' \
    'PrivateNetwork=no'
lacks wardgate-enforcer@.service '^PrivateNetwork=(yes|true|on|1)' \
    "PrivateNetwork= (it must filter the host's network)"
lacks wardgate-enforcer@.service '^(PrivateUsers|DynamicUser)=(yes|true|on|1)' \
    "a user namespace (CAP_NET_ADMIN would not reach the host's)"
lacks wardgate-enforcer@.service \
    '^(ReadWritePaths|StateDirectory|RuntimeDirectory|CacheDirectory|LogsDirectory)=' \
    "a writable path"
lacks wardgate-enforcer@.service '^User=(root|0)$' "root"
lacks wardgate-enforcer@.service '^(StandardInput|StandardOutput)=socket' \
    "the connection as standard input or output (it is descriptor 3)"

# The spawn model: the drop-in turns off every setting of
# wardgated.service that implies no_new_privs (which would take the file
# capability away from the enforcer), and only those need turning off.
F=wardgated.service.d/filecap-enforcer.conf.example
has "$F" 'NoNewPrivileges=no' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
    'SecureBits=noroot noroot-locked' \
    'ReadOnlyPaths=/sys /proc/sys -/proc/sysrq-trigger'
for k in $NNP_KEYS; do
	grep -q "^$k=" "$S/wardgated.service" || continue
	if grep -Eq "^$k=(no)?\$" "$S/$F"; then ok "$F: turns $k= off"
	else notok "$F: leaves $k= of wardgated.service (implies no_new_privs)"; fi
done
lacks "$F" '^AmbientCapabilities=.' "an ambient capability for wardgated"

has wardgate-enforcer@.service.d/exec-backend.conf.example \
    'AmbientCapabilities=' 'CapabilityBoundingSet='

has wardgate-agent.service \
    'Requires=dev-tpmrm0.device' \
    'User=tss' 'SupplementaryGroups=tss' 'Restart=always' 'TasksMax=16' \
    'StateDirectory=wardgate-agent' 'StateDirectoryMode=0700' \
    'RuntimeDirectory=wardgate-agent' 'RuntimeDirectoryMode=0750' \
    'DevicePolicy=closed' 'DeviceAllow=/dev/tpmrm0 rw' \
    'AmbientCapabilities=' 'CapabilityBoundingSet=' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
    'PrivateMounts=yes' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' \
    'ProtectControlGroups=yes' 'ProtectClock=yes' 'ProtectHostname=yes' \
    'ProtectProc=invisible' 'PrivateIPC=yes' 'RestrictNamespaces=yes' \
    'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'LockPersonality=yes' \
    'MemoryDenyWriteExecute=yes' 'SystemCallArchitectures=native' \
    'SystemCallFilter=@system-service' \
    'SystemCallFilter=~@privileged @resources' \
    'SystemCallErrorNumber=EPERM' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'UMask=0077'
# PrivateDevices= would hide /dev/tpmrm0.
lacks wardgate-agent.service '^PrivateDevices=yes' "PrivateDevices=yes (hides the TPM)"

has sysusers.d/wardgate.conf \
    'u     wardgate          -  "wardgate attestation gateway"          /var/lib/wardgate -' \
    'u     wardgate-enforcer -  "wardgate enforcer (CAP_NET_ADMIN)"     -                 -'
has tmpfiles.d/wardgate.conf \
    'd     /etc/wardgate                 0750 root     wardgate -   -' \
    'z     /etc/wardgate/enforcer.conf   0640 root     wardgate -   -' \
    'd     /var/lib/wardgate             0700 wardgate wardgate -   -' \
    "d     ${sock%/*}        0750 root     wardgate -   -"

# --- systemd-analyze verify, with the build tree's programs ---
# The installed paths are rewritten to the build tree's; whatever else a
# unit runs (/bin/kill, /bin/sh) must exist here as on a gateway.
for p in verifier/wardgated verifier/wardgate-enforcer agent/wardgate-agent; do
	[ -x "$WG_BUILDDIR/$p" ] || { notok "$WG_BUILDDIR/$p not built"; }
done
EXD=wardgate-enforcer@.service.d
mkdir -p "$T/base" "$T/filecap/wardgated.service.d" "$T/exec/$EXD" "$T/bad"
rewrite() {	# SRC DST
	sed -e "s|/usr/sbin/wardgated|$WG_BUILDDIR/verifier/wardgated|g" \
	    -e "s|/usr/sbin/wardgate-agent|$WG_BUILDDIR/agent/wardgate-agent|g" \
	    -e "s|/usr/libexec/wardgate/wardgate-enforcer|$WG_BUILDDIR/verifier/wardgate-enforcer|g" \
	    "$S/$1" >"$2"
}
UNITS="wardgated.service wardgate-enforcer.socket wardgate-enforcer@.service
    wardgate-agent.service"
for u in $UNITS; do
	rewrite "$u" "$T/base/$u"
done
rewrite wardgated.service "$T/filecap/wardgated.service"
rewrite wardgated.service.d/filecap-enforcer.conf.example \
    "$T/filecap/wardgated.service.d/filecap-enforcer.conf"
rewrite wardgate-enforcer@.service "$T/exec/wardgate-enforcer@.service"
rewrite wardgate-enforcer.socket "$T/exec/wardgate-enforcer.socket"
# The example's commented settings too: each must be a real one.
sed 's/^#\([A-Z][A-Za-z]*=\)/\1/' "$S/$EXD/exec-backend.conf.example" \
    >"$T/exec/$EXD/exec-backend.conf"
rewrite wardgated.service "$T/bad/wardgated.service"
echo 'ProtectSytem=strict' >>"$T/bad/wardgated.service"
if grep -rqE '/usr/sbin/wardgate|/usr/libexec/wardgate/' "$T/base" \
    "$T/filecap" "$T/exec"; then
	notok "an installed path was left after rewriting"
fi

# verify reports unknown keys and the like as warnings with status 0, and
# also warns about unrelated units of this machine: a line that names one
# of ours, or the temporary directory, is a failure.
verify() {	# DIR UNIT...: 0 when clean; its output in $T/verify.out
	d=$1
	shift
	(cd "$d" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$@") \
	    >"$T/verify.out" 2>&1
	rc=$?
	if grep -E "$T|wardgate|filecap-enforcer\.conf|exec-backend\.conf" \
	    "$T/verify.out" >"$T/verify.ours"; then
		return 1
	fi
	return $rc
}
# shellcheck disable=SC2086
if verify "$T/base" $UNITS; then
	ok "systemd-analyze verify: the four units"
else
	notok "systemd-analyze verify (base): $(cat "$T/verify.out")"
fi
if verify "$T/filecap" wardgated.service; then
	ok "systemd-analyze verify: wardgated.service with filecap-enforcer.conf"
else
	notok "systemd-analyze verify (filecap-enforcer.conf): $(cat "$T/verify.out")"
fi
if verify "$T/exec" wardgate-enforcer.socket wardgate-enforcer@.service; then
	ok "systemd-analyze verify: wardgate-enforcer@.service with exec-backend.conf, its examples enabled"
else
	notok "systemd-analyze verify (exec-backend.conf): $(cat "$T/verify.out")"
fi
# The check above would see a misspelt key.
if verify "$T/bad" wardgated.service; then
	notok "verify did not report a misspelt key: $(cat "$T/verify.out")"
else
	ok "verify reports a misspelt key (the check works)"
fi

# --- systemd-analyze security --offline (systemd 250 and newer) ---
# Exposure, 0 (best) to 10, times 10 for --threshold. Debian 12's
# systemd 252 gives wardgated.service 1.2, wardgate-enforcer@.service 1.2,
# wardgated.service with filecap-enforcer.conf 5.6 and wardgate-agent
# 1.5 today; a unit that scores worse than the thresholds lost hardening.
score() {	# DIR UNIT THRESHOLD*10 WHAT
	(cd "$1" && SYSTEMD_LOG_COLOR=0 systemd-analyze security \
	    --offline=true --threshold="$3" "$2") >"$T/sec.out" 2>&1
	rc=$?
	lvl=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	    "$T/sec.out")
	if [ $rc -eq 0 ] && [ -n "$lvl" ]; then
		ok "systemd-analyze security: $4: $lvl (at most $(($3 / 10)).$(($3 % 10)))"
	else
		notok "systemd-analyze security: $4: ${lvl:-?} (status $rc)"
	fi
}
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
	score "$T/base" wardgated.service 15 "wardgated.service"
	# An instance, as the socket starts it (PID 1234 of user 995).
	score "$T/base" wardgate-enforcer@0-1234-995.service 15 \
	    "wardgate-enforcer@.service"
	score "$T/filecap" wardgated.service 60 \
	    "wardgated.service + filecap-enforcer.conf"
	score "$T/base" wardgate-agent.service 20 "wardgate-agent.service"
else
	echo "# systemd-analyze security --offline not supported (systemd < 250): not scored"
fi

# --- sysusers.d and tmpfiles.d in a scratch root ---
R="$T/root"
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: sysusers.d and tmpfiles.d not applied (chown needs root)"
elif ! command -v systemd-sysusers >/dev/null 2>&1 ||
    ! command -v systemd-tmpfiles >/dev/null 2>&1; then
	echo "# systemd-sysusers or systemd-tmpfiles missing: not applied"
else
	mkdir -p "$R/etc/wardgate/issuers"
	for f in wardgated.conf enforcer.conf gateway.key issuers/a.pem; do
		: >"$R/etc/wardgate/$f"
		chmod 0666 "$R/etc/wardgate/$f"	# as if left writable
	done
	if systemd-sysusers --root="$R" "$S/sysusers.d/wardgate.conf" \
	    >"$T/su.out" 2>&1 &&
	    grep -q '^wardgate:x:[0-9]*:[0-9]*:.*:/var/lib/wardgate:.*nologin$' \
	    "$R/etc/passwd" && grep -q '^wardgate:x:' "$R/etc/group" &&
	    grep -q '^wardgate-enforcer:x:[0-9]*:[0-9]*:.*:/:.*nologin$' \
	    "$R/etc/passwd" && grep -q '^wardgate-enforcer:x:' "$R/etc/group"; then
		ok "sysusers.d: users and groups wardgate and wardgate-enforcer, no login"
	else
		notok "sysusers.d: $(cat "$T/su.out" "$R/etc/passwd" 2>&1)"
	fi
	u=$(awk -F: '$1 == "wardgate" { print $3 }' "$R/etc/passwd")
	g=$(awk -F: '$1 == "wardgate" { print $3 }' "$R/etc/group")
	if systemd-tmpfiles --root="$R" --create \
	    "$S/tmpfiles.d/wardgate.conf" >"$T/tf.out" 2>&1; then
		ok "tmpfiles.d: applied"
	else
		notok "tmpfiles.d: $(cat "$T/tf.out")"
	fi
	mode() {	# PATH EXPECTED ("mode uid:gid")
		got=$(stat -c '%a %u:%g' "$R$1" 2>&1)
		if [ "$got" = "$2" ]; then ok "tmpfiles.d: $1 $2"
		else notok "tmpfiles.d: $1 is $got, not $2"; fi
	}
	mode /etc/wardgate "750 0:$g"
	mode /etc/wardgate/wardgated.conf "640 0:$g"
	mode /etc/wardgate/enforcer.conf "640 0:$g"
	mode /etc/wardgate/gateway.key "400 $u:$g"
	mode /etc/wardgate/issuers "750 0:$g"
	mode /etc/wardgate/issuers/a.pem "644 0:$g"
	mode /var/lib/wardgate "700 $u:$g"
	mode /run/wardgate-enforcer "750 0:$g"
	eu=$(awk -F: '$1 == "wardgate-enforcer" { print $3 }' "$R/etc/passwd")
	if [ -n "$eu" ] && [ "$eu" != "$u" ] && [ "$eu" != 0 ]; then
		ok "sysusers.d: wardgate-enforcer ($eu) is a user of its own"
	else
		notok "sysusers.d: wardgate-enforcer is uid '${eu:-?}' (wardgate $u)"
	fi
fi

# --- The units' credentials (setpriv sets up what systemd would: user,
# bounding, ambient and inheritable sets, securebits, no_new_privs) ---
val() {	# FILE KEY: the value of its last KEY= line
	sed -n "s/^$2=//p" "$S/$1" | tail -n 1
}
capl() {	# "CAP_NET_ADMIN ..." -> "-all,+net_admin,..."
	printf -- '-all'
	for c in $1; do
		printf ',+%s' "$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"
	done
}
sbits() {	# "noroot noroot-locked" -> "+noroot,+noroot_locked"
	echo "$1" | tr ' -' '\n_' | sed '/^$/d; s/^/+/' | paste -sd, -
}
# creds UNIT [DROPIN]: setpriv's options for UNIT's process (as user
# nobody), DROPIN's lines over the unit's.
creds() {
	_nnp=$(val "$1" NoNewPrivileges) _bnd=$(val "$1" CapabilityBoundingSet)
	_amb=$(val "$1" AmbientCapabilities) _sb=$(val "$1" SecureBits)
	if [ $# -ge 2 ]; then
		grep -q '^NoNewPrivileges=' "$S/$2" && _nnp=$(val "$2" NoNewPrivileges)
		grep -q '^CapabilityBoundingSet=' "$S/$2" && _bnd=$(val "$2" CapabilityBoundingSet)
		grep -q '^AmbientCapabilities=' "$S/$2" && _amb=$(val "$2" AmbientCapabilities)
		grep -q '^SecureBits=' "$S/$2" && _sb=$(val "$2" SecureBits)
	fi
	echo "--reuid=65534 --regid=65534 --clear-groups"
	echo "--bounding-set=$(capl "$_bnd")"
	echo "--inh-caps=$(capl "$_amb") --ambient-caps=$(capl "$_amb")"
	[ -n "$_sb" ] && echo "--securebits=$(sbits "$_sb")"
	[ "$_nnp" = yes ] && echo "--no-new-privs"
}
# status OPTIONS: CapEff and CapBnd of a shell with OPTIONS, then CapEff of
# the enforcer stand-in (a copy of cat with the file capability) it runs:
# "refused" when the kernel refuses to execute it (its capability is
# missing from the bounding set), "-" when there is no stand-in.
status() {
	# shellcheck disable=SC2086
	setpriv $1 /bin/sh -c \
	    "sed -n 's/^Cap\(Eff\|Bnd\):[[:space:]]*//p' /proc/self/status
	     if [ ! -s '$C/filecap' ]; then echo -; exit; fi
	     e=\$('$C/filecap' /proc/self/status 2>/dev/null |
	         sed -n 's/^CapEff:[[:space:]]*//p')
	     echo \${e:-refused}" 2>/dev/null | paste -sd' ' -
}
# like GOT EFF BND FILECAP...: 0 when GOT is "EFF BND" and one of the
# FILECAPs or "-"
like() {
	_g=$1 _e="$2 $3"
	shift 3
	for _f in "$@" -; do
		[ "$_g" = "$_e $_f" ] && return 0
	done
	return 1
}
NET_ADMIN=0000000000001000 NONE=0000000000000000
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: credentials not checked"
elif ! command -v setcap >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
	echo "# setcap or setpriv missing (libcap2-bin, util-linux): credentials not checked"
else
	C="$T/cap"
	mkdir "$C"
	chmod 0755 "$T" "$C"
	cp /bin/cat "$C/filecap"
	chown root:65534 "$C/filecap"
	chmod 0750 "$C/filecap"
	if ! setcap cap_net_admin=ep "$C/filecap" 2>"$T/setcap.err"; then
		echo "# setcap failed in $T ($(cat "$T/setcap.err")): file capability not checked"
		: >"$C/filecap"
	fi
	# wardgated.service: nothing for wardgated, nothing for what it runs.
	got=$(status "$(creds wardgated.service)")
	if like "$got" $NONE $NONE $NONE refused; then
		ok "wardgated.service credentials: no capability, none in the bounding set, none from a file capability ($got)"
	else
		notok "wardgated.service credentials: CapEff, CapBnd, file capability: $got"
	fi
	# With the drop-in: nothing for wardgated, CAP_NET_ADMIN alone for
	# the enforcer it spawns.
	got=$(status "$(creds wardgated.service "$F")")
	if like "$got" $NONE $NET_ADMIN $NET_ADMIN; then
		ok "filecap-enforcer.conf credentials: wardgated none, the spawned enforcer CAP_NET_ADMIN only ($got)"
	else
		notok "filecap-enforcer.conf credentials: CapEff, CapBnd, file capability: $got"
	fi
	# wardgate-enforcer@.service: CAP_NET_ADMIN and nothing else, without
	# being root; a file capability adds nothing.
	got=$(status "$(creds wardgate-enforcer@.service)")
	if like "$got" $NET_ADMIN $NET_ADMIN $NET_ADMIN; then
		ok "wardgate-enforcer@.service credentials: CAP_NET_ADMIN only, as user nobody ($got)"
	else
		notok "wardgate-enforcer@.service credentials: CapEff, CapBnd, file capability: $got"
	fi
	got=$(status "$(creds wardgate-enforcer@.service \
	    wardgate-enforcer@.service.d/exec-backend.conf.example)")
	if like "$got" $NONE $NONE $NONE refused; then
		ok "exec-backend.conf credentials: no capability ($got)"
	else
		notok "exec-backend.conf credentials: CapEff, CapBnd, file capability: $got"
	fi

	# The real enforcer with the nft backend under those credentials, in
	# a network namespace of its own: ambient CAP_NET_ADMIN is enough for
	# nftables, and it keeps exactly that.
	ENFTOOL=$WG_BUILDDIR/tests/integration/enftool
	cp "$WG_BUILDDIR/verifier/wardgate-enforcer" "$C/enforcer"
	chmod 0755 "$C/enforcer"
	printf '%s\n' 'backend = nft' 'table = wardgate_sdtest' \
	    'device_ports = dev0' 'default = quarantine' \
	    'segment clinical = 192.0.2.1' 'segment quarantine = none' \
	    >"$C/enforcer.conf"
	chmod 0644 "$C/enforcer.conf"
	enf() {	# LOG SETPRIV-OPTIONS: enftool's output
		# shellcheck disable=SC2086
		printf 'put 02:00:00:00:00:01 clinical\nclose\n' |
		    unshare --net "$ENFTOOL" "$(command -v setpriv)" $2 \
		    "$C/enforcer" -f "$C/enforcer.conf" 2>"$1" | paste -sd' ' -
	}
	if [ ! -x "$ENFTOOL" ]; then
		echo "# $ENFTOOL not built: the enforcer itself not run"
	elif ! command -v nft >/dev/null 2>&1 ||
	    ! unshare --net nft list tables >/dev/null 2>&1; then
		echo "# nftables or network namespaces unavailable: the enforcer itself not run"
	else
		got=$(enf "$T/enf.log" "$(creds wardgate-enforcer@.service)")
		case $got in
		"READY "*" ACK seq=1 "*" EXIT 0")
			if grep -q 'capabilities "cap_net_admin=ep"$' "$T/enf.log"; then
				ok "wardgate-enforcer@.service credentials: the enforcer installs its table and keeps cap_net_admin=ep alone"
			else
				notok "wardgate-enforcer@.service: enforcer's capabilities: $(cat "$T/enf.log")"
			fi ;;
		*) notok "wardgate-enforcer@.service: enforcer: $got: $(cat "$T/enf.log")" ;;
		esac
		# Without the ambient capability (the unit's line removed) it
		# would fail: the check above needs the line.
		got=$(enf "$T/enf0.log" "$(creds wardgate-enforcer@.service |
		    sed 's/--ambient-caps=[^ ]*//; s/--inh-caps=[^ ]*//')")
		case $got in
		*"EXIT 0"*) notok "without AmbientCapabilities= the enforcer still worked: $got" ;;
		*) ok "without AmbientCapabilities= the enforcer fails (the check works)" ;;
		esac
	fi
fi

tap_done
