# swtpm-lib.sh: helpers for tests and the demo that need a real TPM.
# Sourced (POSIX sh). Each swtpm runs on a free loopback port, in its own
# state directory, and is killed by swtpm_cleanup (callers trap it).
#
#   swtpm_start NAME DIR BANKS   starts a TPM; sets TCTI_<NAME>
#   swtpm_cleanup                kills every TPM started here
#   simboot LOGFILE              extends the log's events into the TPM that
#                                TPM2TOOLS_TCTI names (a simulated boot)

WG_SWTPM_PIDS=""

# A TCP port pair (P, P+1) nobody listens on, picked at random.
swtpm_free_port() {
	_tries=0
	while [ "$_tries" -lt 50 ]; do
		# Below the kernel's ephemeral range (32768-60999), where outgoing
		# connections would take ports from under us.
		_p=$(( (($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 6000) * 2) + 20000 ))
		if ! (ss -Hltn 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]($_p|$((_p + 1)))\$"); then
			echo "$_p"
			return 0
		fi
		_tries=$((_tries + 1))
	done
	return 1
}

swtpm_start() {
	_name=$1 _dir=$2 _banks=${3:-sha1,sha256}
	mkdir -p "$_dir"
	swtpm_setup --tpm2 --tpmstate "$_dir" --pcr-banks "$_banks" \
	    --overwrite >"$_dir/setup.log" 2>&1 || {
		echo "swtpm_setup failed:" >&2; cat "$_dir/setup.log" >&2; return 1; }
	_attempt=0
	while [ "$_attempt" -lt 5 ]; do
		_port=$(swtpm_free_port) || return 1
		swtpm socket --tpm2 \
		    --server "type=tcp,port=$_port,bindaddr=127.0.0.1" \
		    --ctrl "type=tcp,port=$((_port + 1)),bindaddr=127.0.0.1" \
		    --tpmstate "dir=$_dir" --flags not-need-init,startup-clear \
		    --pid "file=$_dir/swtpm.pid" --log "file=$_dir/swtpm.log" &
		_pid=$!
		WG_SWTPM_PIDS="$WG_SWTPM_PIDS $_pid"
		_i=0
		while [ "$_i" -lt 50 ]; do
			if TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$_port" \
			    tpm2_getcap properties-fixed >/dev/null 2>&1; then
				eval "TCTI_$_name=swtpm:host=127.0.0.1,port=$_port"
				return 0
			fi
			kill -0 "$_pid" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_pid" 2>/dev/null || true
		_attempt=$((_attempt + 1))
	done
	echo "swtpm_start: could not start swtpm for $_name" >&2
	return 1
}

swtpm_cleanup() {
	for _pid in $WG_SWTPM_PIDS; do
		kill "$_pid" 2>/dev/null || true
	done
	for _pid in $WG_SWTPM_PIDS; do
		wait "$_pid" 2>/dev/null || true
	done
	WG_SWTPM_PIDS=""
}

# Extends every measured event of LOGFILE into the TPM (banks the TPM has
# and the event carries), in log order: PCR 0..23, never EV_NO_ACTION.
simboot() {
	_log=$1
	"$WARDGATE" eventlog --json "$_log" >"$_log.sim.json" || return 1
	jq -r '.events[] | select(.type != 3 and .pcr < 24)
	    | "\(.pcr):" + ([.digests | to_entries[] | "\(.key)=\(.value)"] | join(","))' \
	    "$_log.sim.json" >"$_log.sim.txt" || return 1
	# Batches keep the order and the process count low.
	xargs -n 16 tpm2_pcrextend <"$_log.sim.txt"
}

# Byte offset of the first occurrence of a hex string (even position) in FILE.
hex_offset() {
	od -An -v -tx1 "$1" | tr -d ' \n' | awk -v h="$2" '{
		s = $0; base = 0
		while ((i = index(s, h)) > 0) {
			if ((base + i - 1) % 2 == 0) { print (base + i - 1) / 2; exit }
			s = substr(s, i + 1); base += i
		}
		print -1 }'
}

# Flips the lowest bit of the byte at OFFSET in FILE (in place).
flip_bit() {
	_f=$1 _off=$2
	_b=$(od -An -j "$_off" -N1 -tu1 "$_f" | tr -d ' ')
	printf "$(printf '\\%03o' $((_b ^ 1)))" |
	    dd of="$_f" bs=1 seek="$_off" conv=notrunc status=none
}

# Flushes transient objects and sessions: without a resource manager they
# pile up in swtpm (TPM warning 0x902).
tpm_flush() {
	tpm2_flushcontext -t >/dev/null 2>&1 || true
	tpm2_flushcontext -l >/dev/null 2>&1 || true
	tpm2_flushcontext -s >/dev/null 2>&1 || true
}
