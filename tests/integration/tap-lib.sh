# tap-lib.sh: TAP output, tool checks and skips for the integration tests
# (POSIX sh, sourced first: . "$WG_SRCDIR/tests/integration/tap-lib.sh").
#
#   ok NAME                  "ok N - NAME"
#   notok NAME               "not ok N - NAME", counted as a failure
#   check NAME CONDITION     ok or notok as CONDITION (a string, eval'd)
#                            succeeds
#   tap_have TOOL...         0 when every TOOL is a command; otherwise
#                            "SKIP: TOOL not installed (...)" for each
#                            missing one, and 1
#   tap_need TOOL...         tap_have, or else tap_skip
#   tap_skip                 the rest cannot run here: when checks ran,
#                            prints their plan and exits 1 if one failed;
#                            otherwise exits 77 (skipped). The caller
#                            says why first (a "SKIP: ..." line).
#   tap_done                 prints the plan "1..N"; 0 only when N > 0 and
#                            no check failed. The script's last command,
#                            so that this is its exit status.
#
# $n counts the checks and $fails the failed ones; scripts read $fails
# (e.g. to show logs before tap_done).
# shellcheck shell=sh

fails=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

tap_have() {
	_tap_rc=0
	for _tap_tool in "$@"; do
		command -v "$_tap_tool" >/dev/null 2>&1 || {
			echo "SKIP: $_tap_tool not installed (scripts/deps.sh test installs it)"
			_tap_rc=1
		}
	done
	return "$_tap_rc"
}

tap_need() { tap_have "$@" || tap_skip; }

tap_skip() {
	if [ "$n" -gt 0 ]; then
		echo "1..$n"
		[ "$fails" -eq 0 ] || exit 1
	fi
	exit 77
}

tap_done() {
	echo "1..$n"
	[ "$fails" -eq 0 ] && [ "$n" -gt 0 ]
}
