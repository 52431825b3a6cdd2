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
fails=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# --- The lines each file must hold, exactly, and those it must not ---
has() {	# FILE LINE...
	f=$1
	shift
	for l in "$@"; do
		if grep -qxF -- "$l" "$S/$f"; then ok "$f: $l"
		else notok "$f: missing line: $l"; fi
	done
}

has wardgated.service \
    'User=wardgate' 'Group=wardgate' 'Type=exec' \
    'ExecStartPre=/usr/sbin/wardgated -n -f /etc/wardgate/wardgated.conf' \
    'ExecStart=/usr/sbin/wardgated -f /etc/wardgate/wardgated.conf' \
    'ExecReload=/bin/kill -HUP $MAINPID' \
    'Restart=on-failure' 'RestartForceExitStatus=SIGHUP' 'KillMode=mixed' \
    'LimitNOFILE=131072' 'TasksMax=32' 'UMask=0077' \
    'StateDirectory=wardgate' 'StateDirectoryMode=0700' \
    'RuntimeDirectory=wardgate' 'RuntimeDirectoryMode=0750' \
    'ConfigurationDirectory=wardgate' 'ConfigurationDirectoryMode=0750' \
    'AmbientCapabilities=' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
    'NoNewPrivileges=no' 'SecureBits=noroot noroot-locked' \
    'ProtectSystem=strict' 'ReadWritePaths=/var/lib/wardgate' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateMounts=yes' \
    'ProtectControlGroups=yes' 'ProtectProc=invisible' \
    'ReadOnlyPaths=/sys /proc/sys -/proc/sysrq-trigger' \
    'DevicePolicy=closed' 'PrivateIPC=yes' 'RemoveIPC=yes'

# Each of these makes systemd set no_new_privs for a service without
# CAP_SYS_ADMIN (systemd.exec(5)), and no_new_privs would take the file
# capability away from the enforcer wardgated spawns.
for k in PrivateDevices ProtectKernelTunables ProtectKernelModules \
    ProtectKernelLogs ProtectClock ProtectHostname RestrictNamespaces \
    RestrictRealtime RestrictSUIDSGID LockPersonality \
    MemoryDenyWriteExecute SystemCallArchitectures SystemCallFilter \
    SystemCallLog RestrictAddressFamilies DynamicUser; do
	if grep -q "^$k=" "$S/wardgated.service"; then
		notok "wardgated.service: $k= implies no_new_privs (file capability lost)"
	else
		ok "wardgated.service: no $k="
	fi
done
if grep -q '^AmbientCapabilities=.' "$S/wardgated.service"; then
	notok "wardgated.service: gives wardgated an ambient capability"
else
	ok "wardgated.service: no ambient capability"
fi

has wardgated.service.d/strict.conf \
    'NoNewPrivileges=yes' 'CapabilityBoundingSet=' \
    'PrivateDevices=yes' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' 'ProtectClock=yes' \
    'ProtectHostname=yes' 'RestrictNamespaces=yes' 'RestrictRealtime=yes' \
    'RestrictSUIDSGID=yes' 'LockPersonality=yes' \
    'MemoryDenyWriteExecute=yes' 'SystemCallArchitectures=native' \
    'SystemCallFilter=@system-service' \
    'SystemCallFilter=~@privileged @resources' \
    'SystemCallErrorNumber=EPERM' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'
if grep -q '^ExecStartPre=.*grep -qx "enforcer = none"' \
    "$S/wardgated.service.d/strict.conf"; then
	ok "strict.conf: refuses to start with an enforcer configured"
else
	notok "strict.conf: no enforcer = none interlock"
fi

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
if grep -q '^PrivateDevices=yes' "$S/wardgate-agent.service"; then
	notok "wardgate-agent.service: PrivateDevices=yes hides the TPM"
else
	ok "wardgate-agent.service: the TPM stays visible"
fi

has sysusers.d/wardgate.conf \
    'u     wardgate -  "wardgate attestation gateway" /var/lib/wardgate -'
has tmpfiles.d/wardgate.conf \
    'd     /etc/wardgate                 0750 root     wardgate -   -' \
    'z     /etc/wardgate/enforcer.conf   0640 root     wardgate -   -' \
    'd     /var/lib/wardgate             0700 wardgate wardgate -   -'

# --- systemd-analyze verify, with the build tree's programs ---
# The installed paths are rewritten to the build tree's; whatever else a
# unit runs (/bin/kill, /bin/sh) must exist here as on a gateway.
for p in verifier/wardgated agent/wardgate-agent; do
	[ -x "$WG_BUILDDIR/$p" ] || { notok "$WG_BUILDDIR/$p not built"; }
done
mkdir -p "$T/base" "$T/strict/wardgated.service.d" "$T/bad"
rewrite() {	# SRC DST
	sed -e "s|/usr/sbin/wardgated|$WG_BUILDDIR/verifier/wardgated|g" \
	    -e "s|/usr/sbin/wardgate-agent|$WG_BUILDDIR/agent/wardgate-agent|g" \
	    "$S/$1" >"$2"
}
rewrite wardgated.service "$T/base/wardgated.service"
rewrite wardgate-agent.service "$T/base/wardgate-agent.service"
rewrite wardgated.service "$T/strict/wardgated.service"
rewrite wardgated.service.d/strict.conf \
    "$T/strict/wardgated.service.d/strict.conf"
rewrite wardgated.service "$T/bad/wardgated.service"
echo 'ProtectSytem=strict' >>"$T/bad/wardgated.service"
if grep -rq '/usr/sbin/wardgate' "$T/base" "$T/strict"; then
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
	if grep -E "$T|wardgated|wardgate-agent|strict\.conf" "$T/verify.out" \
	    >"$T/verify.ours"; then
		return 1
	fi
	return $rc
}
if verify "$T/base" wardgated.service wardgate-agent.service; then
	ok "systemd-analyze verify: wardgated.service, wardgate-agent.service"
else
	notok "systemd-analyze verify (base): $(cat "$T/verify.out")"
fi
if verify "$T/strict" wardgated.service; then
	ok "systemd-analyze verify: wardgated.service with strict.conf"
else
	notok "systemd-analyze verify (strict.conf): $(cat "$T/verify.out")"
fi
# The check above would see a misspelt key.
if verify "$T/bad" wardgated.service; then
	notok "verify did not report a misspelt key: $(cat "$T/verify.out")"
else
	ok "verify reports a misspelt key (the check works)"
fi

# --- systemd-analyze security --offline (systemd 250 and newer) ---
# Exposure, 0 (best) to 10, times 10 for --threshold. Debian 12's
# systemd 252 gives 5.8, 1.4 and 1.7 today; a unit that scores worse
# than the thresholds lost hardening.
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
	score "$T/base" wardgated.service 62 "wardgated.service"
	score "$T/strict" wardgated.service 20 "wardgated.service + strict.conf"
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
	    "$R/etc/passwd" && grep -q '^wardgate:x:' "$R/etc/group"; then
		ok "sysusers.d: user and group wardgate, no login"
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
fi

# --- The units' credentials and a file capability (setpriv emulates
# what systemd sets up; a copy of cat stands for the enforcer) ---
val() {	# FILE KEY: the value of its last KEY= line
	sed -n "s/^$2=//p" "$S/$1" | tail -n 1
}
bset() {	# "CAP_NET_ADMIN ..." -> "-all,+net_admin,..."
	printf -- '-all'
	for c in $1; do
		printf ',+%s' "$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"
	done
}
sbits() {	# "noroot noroot-locked" -> "+noroot,+noroot_locked"
	echo "$1" | tr ' -' '\n_' | sed '/^$/d; s/^/+/' | paste -sd, -
}
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: file capability not checked"
elif ! command -v setcap >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
	echo "# setcap or setpriv missing (libcap2-bin, util-linux): file capability not checked"
else
	C="$T/cap"
	mkdir "$C"
	cp /bin/cat "$C/enforcer"
	chown root:65534 "$C/enforcer"
	chmod 0750 "$C/enforcer"
	chmod 0755 "$T" "$C"
	if ! setcap cap_net_admin=ep "$C/enforcer" 2>"$T/setcap.err"; then
		echo "# setcap failed in $T ($(cat "$T/setcap.err")): file capability not checked"
	else
		run() {	# NNP(yes|no) BOUNDING SECUREBITS: CapEff of wardgated, enforcer
			set -- "$1" "--bounding-set=$(bset "$2")" "$3"
			[ -n "$3" ] && set -- "$1" "$2" "--securebits=$(sbits "$3")"
			[ "$1" = yes ] && set -- "$@" --no-new-privs
			shift
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			    --inh-caps=-all "$@" /bin/sh -c \
			    "sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status;
			     '$C/enforcer' /proc/self/status 2>&1 |
			     sed -n 's/^CapEff:[[:space:]]*//p'" 2>/dev/null |
			    paste -sd' ' -
		}
		got=$(run "$(val wardgated.service NoNewPrivileges)" \
		    "$(val wardgated.service CapabilityBoundingSet)" \
		    "$(val wardgated.service SecureBits)")
		if [ "$got" = "0000000000000000 0000000000001000" ]; then
			ok "wardgated.service credentials: wardgated none, the enforcer CAP_NET_ADMIN only"
		else
			notok "wardgated.service credentials: CapEff wardgated, enforcer: $got"
		fi
		got=$(run "$(val wardgated.service.d/strict.conf NoNewPrivileges)" \
		    "$(val wardgated.service.d/strict.conf CapabilityBoundingSet)" \
		    "$(val wardgated.service SecureBits)")
		case $got in
		*0000000000001000*)
			notok "strict.conf credentials: the enforcer still got CAP_NET_ADMIN: $got" ;;
		*) ok "strict.conf credentials: no file capability (hence its interlock)" ;;
		esac
	fi
fi

echo "1..$n"
[ "$fails" -eq 0 ]
