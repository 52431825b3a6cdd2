# enforce-lib.sh: sourced by the enforce-*.sh tests. tap-lib.sh's checks
# and an enforcer driven by enftool over a socketpair, through a FIFO.
#   T         scratch directory (set by the caller)
#   ENFORCER  the wardgate-enforcer binary, ENFTOOL the driver
# shellcheck shell=sh

: "${WG_BUILDDIR:?}" "${WG_SRCDIR:?}"
ENFORCER=${ENFORCER:-$WG_BUILDDIR/verifier/wardgate-enforcer}
ENFTOOL=$WG_BUILDDIR/tests/integration/enftool

. "$WG_SRCDIR/tests/integration/tap-lib.sh"

# Network namespaces (the root tests): in_ns NS CMD... runs CMD in NS,
# ig CMD... in the gateway's namespace $G; join NS PORT ADDRESS [MAC]
# makes namespace NS a host on bridge port PORT of $G's br0 (veth, eth0
# with ADDRESS/24 and MAC if given, lo up).
in_ns() { _ns=$1; shift; ip netns exec "$_ns" "$@"; }
ig() { in_ns "$G" "$@"; }
join() {
	ip netns add "$1"
	ig ip link add "$2" type veth peer name eth0 netns "$1"
	ig ip link set "$2" master br0 up
	[ $# -ge 4 ] && in_ns "$1" ip link set eth0 address "$4"
	in_ns "$1" ip addr add "$3/24" dev eth0
	in_ns "$1" ip link set eth0 up
	in_ns "$1" ip link set lo up
}

# conf NAME TEXT: writes $T/NAME.conf
conf() { printf '%s\n' "$2" >"$T/$1.conf"; }

# bad_conf LABEL TEXT [NEEDLE]: enforcer.conf that -n must refuse (exit 2),
# with NEEDLE in the message when given.
bad_conf() {
	printf '%s\n' "$2" >"$T/bad.conf"
	"$ENFORCER" -n -f "$T/bad.conf" >/dev/null 2>"$T/bad.err"
	_rc=$?
	if [ "$_rc" -eq 2 ] && { [ $# -lt 3 ] || grep -q -- "$3" "$T/bad.err"; }; then
		ok "config refused: $1"
	else
		notok "config refused: $1 (exit $_rc: $(cat "$T/bad.err"))"
	fi
}

# good_conf LABEL FILE: -n accepts it and its normalised form round-trips.
good_conf() {
	if "$ENFORCER" -n -f "$2" >"$T/norm1.conf" 2>"$T/good.err" &&
	    "$ENFORCER" -n -f "$T/norm1.conf" >"$T/norm2.conf" 2>>"$T/good.err" &&
	    cmp -s "$T/norm1.conf" "$T/norm2.conf"; then
		ok "config accepted and round-trips: $1"
	else
		notok "config accepted and round-trips: $1 ($(cat "$T/good.err"))"
	fi
}

# start_enforcer [COMMAND...]: enftool runs COMMAND (the enforcer and its
# arguments, maybe behind a wrapper); 0 when it printed READY. Its log
# goes to ${ENF_LOG:-$T/enforcer.log}.
ENF_PID=""
start_enforcer() {
	: >"$T/out"
	[ -p "$T/cmd" ] || mkfifo "$T/cmd"
	"$ENFTOOL" "$@" <"$T/cmd" >"$T/out" 2>>"${ENF_LOG:-$T/enforcer.log}" &
	ENF_PID=$!
	exec 7<>"$T/cmd"	# read-write: never blocks, even if enftool is gone
	NOUT=0
	next_line
	case $LAST in "READY pid="*) return 0 ;; *) return 1 ;; esac
}
# Waits (20 s at most) for enftool's next output line; sets LAST.
next_line() {
	_i=0
	while [ "$(wc -l <"$T/out")" -le "$NOUT" ] && [ "$_i" -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	NOUT=$((NOUT + 1))
	LAST=$(sed -n "${NOUT}p" "$T/out")
}
enf() { echo "$*" >&7; next_line; echo "  # $* -> $(echo "$LAST" | cut -c1-160)"; }
# The pid the enforcer has (from READY).
enf_pid() { sed -n '1s/^READY pid=\([0-9]*\).*/\1/p' "$T/out"; }
stop_enforcer() {	# enftool sees EOF on its input and ends
	exec 7>&-
	_i=0
	while kill -0 "$ENF_PID" 2>/dev/null && [ "$_i" -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill "$ENF_PID" 2>/dev/null
	wait "$ENF_PID" 2>/dev/null
	ENF_PID=""
}
# After a failed start: the exit status enftool printed ("EXIT n").
start_status() {
	stop_enforcer
	sed -n 's/^EXIT //p' "$T/out" | tail -1
}
