# gateway-lib.sh: a wardgated on loopback for tests and the demo (POSIX sh,
# sourced after swtpm-lib.sh). Needs $WG_BUILDDIR.
#
#   gw_certs DIR [IP]            test TLS CA + server certificate for IP
#                                (default 127.0.0.1)
#   gw_start DIR EK_CA_PEM [key=value ...]   config, store and logs in DIR;
#                                listens on $GW_IP (default 127.0.0.1),
#                                $GW_LISTEN_PORT if set, under the command
#                                prefix $GW_EXEC if set (e.g. a namespace),
#                                DIR owned by $GW_OWNER if set
#                                an EAR key in DIR/ear.key (ear.pub)
#                                unless an ear_key line is given
#   gw_stop                      stops it (SIGTERM, waits)
#   gwadm ARGS...                wardgate against this gateway's admin socket
#   gw_enf FIELD                 a field of `wardgate enforcement`'s enforcer
#   gw_enf_wait SECONDS          until the enforcer is in force (or fail)

WG_GW_PID=""

gw_certs() {
	_gc=$1 _gip=${2:-127.0.0.1}
	mkdir -p "$_gc"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_gc/ca.key" -out "$_gc/ca.pem" -days 2 \
	    -subj "/CN=wardgate test gateway CA" >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_gc/gateway.key" -out "$_gc/gateway.csr" \
	    -subj "/CN=$_gip" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$_gip" \
	    >"$_gc/ext.cnf"
	openssl x509 -req -in "$_gc/gateway.csr" -CA "$_gc/ca.pem" \
	    -CAkey "$_gc/ca.key" -CAcreateserial -days 2 -extfile "$_gc/ext.cnf" \
	    -out "$_gc/gateway.crt" >/dev/null 2>&1 || return 1
	chmod 600 "$_gc/gateway.key" "$_gc/ca.key"
}

gw_start() {
	_d=$1 _ekca=$2
	shift 2
	_gip=${GW_IP:-127.0.0.1}
	gw_certs "$_d/tls" "$_gip" || { echo "gw_certs failed" >&2; return 1; }
	GW_PORT=${GW_LISTEN_PORT:-$(swtpm_free_port)} || return 1
	GW_URL="https://$_gip:$GW_PORT"
	GW_CA="$_d/tls/ca.pem"
	GW_SOCK="$_d/admin.sock"
	# The EAR signing key (ear_key), unless the caller gives its own.
	if [ ! -f "$_d/ear.key" ]; then
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$_d/ear.key" >/dev/null 2>&1 || return 1
		chmod 600 "$_d/ear.key"
		openssl pkey -in "$_d/ear.key" -pubout -out "$_d/ear.pub" \
		    >/dev/null 2>&1 || return 1
	fi
	{
		echo "listen = $_gip:$GW_PORT"
		echo "tls_cert = $_d/tls/gateway.crt"
		echo "tls_key = $_d/tls/gateway.key"
		echo "ek_ca_bundle = $_ekca"
		echo "store = $_d/wardgate.db"
		echo "admin_socket = $GW_SOCK"
		case " $* " in
		*" ear_key"*) ;;
		*) echo "ear_key = $_d/ear.key" ;;
		esac
		for kv in "$@"; do echo "$kv"; done
	} >"$_d/wardgated.conf"
	[ -z "${GW_OWNER:-}" ] || chown -R "$GW_OWNER" "$_d" || return 1
	${GW_EXEC:-} "${GW_WARDGATED:-$WG_BUILDDIR/verifier/wardgated}" -v \
	    -f "$_d/wardgated.conf" >>"$_d/wardgated.log" 2>&1 &
	WG_GW_PID=$!
	_i=0
	while [ "$_i" -lt 100 ]; do
		[ -S "$GW_SOCK" ] && return 0
		kill -0 "$WG_GW_PID" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "wardgated did not start:" >&2
	cat "$_d/wardgated.log" >&2
	return 1
}

gw_stop() {
	if [ -n "$WG_GW_PID" ]; then
		kill "$WG_GW_PID" 2>/dev/null || true
		wait "$WG_GW_PID" 2>/dev/null || true
		WG_GW_PID=""
	fi
}

gwadm() {
	"$WARDGATE" -s "$GW_SOCK" "$@"
}

gw_enf() {
	gwadm enforcement | jq -r ".enforcer.$1"
}

gw_enf_wait() {
	_i=0
	while [ "$_i" -lt $(($1 * 10)) ]; do
		[ "$(gw_enf in_force 2>/dev/null)" = true ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
