# swtpm-ca.sh: TPMs with EK certificates from a private test CA, for tests
# and the demo. Sourced (POSIX sh) after swtpm-lib.sh (swtpm_free_port,
# WG_SWTPM_PIDS, swtpm_cleanup, tpm_flush).
#
#   swtpm_ca_init DIR [NAME]      makes a CA in DIR: a root and an issuing
#                                 CA (openssl) and the swtpm_setup and
#                                 swtpm-localca configuration that uses them;
#                                 prints the CA bundle (root + issuer, PEM)
#   swtpm_ca_setup CADIR STATE [BANKS]
#                                 manufactures a TPM in STATE (BANKS default
#                                 sha1,sha256) with EK certificates from
#                                 CADIR; prints the CA bundle. NV then holds:
#                                   0x01c00002  RSA-2048 EK (0x81010001)
#                                   0x01c0000a  ECC P-256 EK, TCG template L-2
#                                               (tpm2_createek -G ecc)
#                                   0x01c00016  ECC P-384 EK (0x81010016)
#                                 and STATE/certs/ has them as DER files.
#   swtpm_ca_start NAME STATE     starts swtpm on a manufactured STATE (unlike
#                                 swtpm_start, which would set it up anew);
#                                 sets TCTI_<NAME>
#   swtpm_ca_ecc256_cert CADIR [OUT]
#                                 for the running TPM that TPM2TOOLS_TCTI
#                                 names: a certificate for its TCG default
#                                 ECC P-256 EK in NV 0x01c0000a (swtpm_setup
#                                 0.7 makes only a P-384 ECC EK); OUT gets a
#                                 copy of the DER. swtpm_ca_setup calls it.
#
# Nothing here reads or writes /etc or /var/lib/swtpm-localca: swtpm_setup
# gets --config, swtpm-localca gets its own configuration and state in DIR.
# Works as root (swtpm_setup then runs swtpm as root) and as any user.

# The TPM identity swtpm_setup 0.7.1 passes for its own EKs (IBM, "swtpm").
SWTPM_CA_TPM_ARGS="--tpm-spec-family 2.0 --tpm-spec-level 0 \
--tpm-spec-revision 164 --tpm-manufacturer id:00001014 --tpm-model swtpm \
--tpm-version id:20191023"

swtpm_ca_tool() {
	command -v swtpm_localca 2>/dev/null && return 0
	[ -x /usr/share/swtpm/swtpm-localca ] &&
	    { echo /usr/share/swtpm/swtpm-localca; return 0; }
	echo "swtpm-ca: swtpm_localca not found" >&2
	return 1
}

swtpm_ca_init() {
	_cd=$1 _cn=${2:-wardgate test}
	_tool=$(swtpm_ca_tool) || return 1
	mkdir -p "$_cd" || return 1
	_cd=$(cd "$_cd" && pwd) || return 1
	cat >"$_cd/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_issuer]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
	(
		umask 077
		openssl req -x509 -config "$_cd/openssl.cnf" -extensions v3_root \
		    -newkey rsa:2048 -nodes -sha256 -days 7300 \
		    -subj "/O=$_cn/CN=$_cn TPM root CA" \
		    -keyout "$_cd/rootca.key" -out "$_cd/rootca.pem" &&
		openssl req -new -config "$_cd/openssl.cnf" -newkey rsa:2048 \
		    -nodes -sha256 -subj "/O=$_cn/CN=$_cn TPM EK issuing CA" \
		    -keyout "$_cd/signkey.pem" -out "$_cd/signkey.csr" &&
		openssl x509 -req -in "$_cd/signkey.csr" -sha256 -days 7300 \
		    -CA "$_cd/rootca.pem" -CAkey "$_cd/rootca.key" \
		    -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		    -extfile "$_cd/openssl.cnf" -extensions v3_issuer \
		    -out "$_cd/issuercert.pem"
	) >"$_cd/ca.log" 2>&1 || {
		echo "swtpm_ca_init: openssl failed:" >&2
		cat "$_cd/ca.log" >&2
		return 1
	}
	chmod 644 "$_cd/rootca.pem" "$_cd/issuercert.pem"
	cat "$_cd/rootca.pem" "$_cd/issuercert.pem" >"$_cd/ca-bundle.pem"
	echo 1 >"$_cd/certserial"
	cat >"$_cd/swtpm-localca.conf" <<EOF
statedir = $_cd
signingkey = $_cd/signkey.pem
issuercert = $_cd/issuercert.pem
certserial = $_cd/certserial
EOF
	cat >"$_cd/swtpm-localca.options" <<EOF
--platform-manufacturer wardgate
--platform-version 1.0
--platform-model test
EOF
	cat >"$_cd/swtpm_setup.conf" <<EOF
create_certs_tool = $_tool
create_certs_tool_config = $_cd/swtpm-localca.conf
create_certs_tool_options = $_cd/swtpm-localca.options
active_pcr_banks = sha256
EOF
	echo "$_cd/ca-bundle.pem"
}

# Runs swtpm on a state directory at a free loopback port: sets
# _swtpm_ca_pid and _swtpm_ca_port.
swtpm_ca_run() {
	_rd=$1
	_attempt=0
	while [ "$_attempt" -lt 5 ]; do
		_swtpm_ca_port=$(swtpm_free_port) || return 1
		swtpm socket --tpm2 \
		    --server "type=tcp,port=$_swtpm_ca_port,bindaddr=127.0.0.1" \
		    --ctrl "type=tcp,port=$((_swtpm_ca_port + 1)),bindaddr=127.0.0.1" \
		    --tpmstate "dir=$_rd" --flags not-need-init,startup-clear \
		    --pid "file=$_rd/swtpm.pid" --log "file=$_rd/swtpm.log" &
		_swtpm_ca_pid=$!
		_i=0
		while [ "$_i" -lt 50 ]; do
			if TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$_swtpm_ca_port" \
			    tpm2_getcap properties-fixed >/dev/null 2>&1; then
				return 0
			fi
			kill -0 "$_swtpm_ca_pid" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_swtpm_ca_pid" 2>/dev/null || true
		wait "$_swtpm_ca_pid" 2>/dev/null || true
		_attempt=$((_attempt + 1))
	done
	echo "swtpm-ca: could not start swtpm on $_rd" >&2
	return 1
}

swtpm_ca_setup() {
	_scd=$1 _ssd=$2 _banks=${3:-sha1,sha256}
	mkdir -p "$_ssd/certs" || return 1
	swtpm_setup --tpm2 --tpmstate "$_ssd" --create-ek-cert \
	    --pcr-banks "$_banks" --config "$_scd/swtpm_setup.conf" \
	    --write-ek-cert-files "$_ssd/certs" --overwrite \
	    >"$_ssd/setup.log" 2>&1 || {
		echo "swtpm_setup failed:" >&2; cat "$_ssd/setup.log" >&2
		return 1
	}
	# Every EK certificate or nothing: a TPM half made is a test bug.
	if [ ! -s "$_ssd/certs/ek-rsa2048.crt" ] ||
	    [ ! -s "$_ssd/certs/ek-secp384r1.crt" ]; then
		echo "swtpm_setup made no EK certificates:" >&2
		cat "$_ssd/setup.log" >&2
		return 1
	fi
	# The P-256 EK's certificate, as a manufacturer would add it.
	swtpm_ca_run "$_ssd" || return 1
	_had_tcti=${TPM2TOOLS_TCTI+set} _saved_tcti=${TPM2TOOLS_TCTI-}
	TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$_swtpm_ca_port"
	export TPM2TOOLS_TCTI
	swtpm_ca_ecc256_cert "$_scd" "$_ssd/certs/ek-secp256r1.crt"
	_src=$?
	tpm2_shutdown >/dev/null 2>&1 || true
	if [ -n "$_had_tcti" ]; then
		TPM2TOOLS_TCTI=$_saved_tcti
	else
		unset TPM2TOOLS_TCTI
	fi
	kill "$_swtpm_ca_pid" 2>/dev/null || true
	wait "$_swtpm_ca_pid" 2>/dev/null || true
	[ "$_src" -eq 0 ] || return 1
	echo "$_scd/ca-bundle.pem"
}

swtpm_ca_start() {
	_name=$1 _sd=$2
	swtpm_ca_run "$_sd" || return 1
	WG_SWTPM_PIDS="$WG_SWTPM_PIDS $_swtpm_ca_pid"
	eval "TCTI_$_name=swtpm:host=127.0.0.1,port=$_swtpm_ca_port"
}

swtpm_ca_ecc256_cert() {
	_cd=$1 _out=${2:-}
	_tool=$(swtpm_ca_tool) || return 1
	_w=$(mktemp -d "${TMPDIR:-/tmp}/wg-ekcert.XXXXXX") || return 1
	tpm2_createek -c "$_w/ek.ctx" -G ecc -u "$_w/ek.pub" >/dev/null 2>&1
	_rc=$?
	tpm_flush
	if [ "$_rc" -ne 0 ]; then
		echo "swtpm_ca_ecc256_cert: tpm2_createek failed" >&2
		rm -rf "$_w"
		return 1
	fi
	# TPM2B_PUBLIC of the L-2 template ends with x and y, 32 bytes each
	# and each after its 2-byte size.
	_u=$(tail -c 68 "$_w/ek.pub" | od -An -v -tx1 | tr -d ' \n')
	if [ "$(echo "$_u" | cut -c1-4)" != 0020 ] ||
	    [ "$(echo "$_u" | cut -c69-72)" != 0020 ]; then
		echo "swtpm_ca_ecc256_cert: not a P-256 EK" >&2
		rm -rf "$_w"
		return 1
	fi
	_x=$(echo "$_u" | cut -c5-68)
	_y=$(echo "$_u" | cut -c73-136)
	# shellcheck disable=SC2086
	"$_tool" --type ek --ek "x=$_x,y=$_y" --dir "$_w" $SWTPM_CA_TPM_ARGS \
	    --tpm2 --configfile "$_cd/swtpm-localca.conf" \
	    --optsfile "$_cd/swtpm-localca.options" >"$_w/localca.log" 2>&1 &&
	    [ -s "$_w/ek.cert" ] || {
		echo "swtpm_ca_ecc256_cert: swtpm_localca failed:" >&2
		cat "$_w/localca.log" >&2
		rm -rf "$_w"
		return 1
	}
	# As a manufacturer provisions it (TCG EK Credential Profile).
	tpm2_nvdefine 0x01c0000a -C p -s "$(wc -c <"$_w/ek.cert")" \
	    -a "ppwrite|ppread|ownerread|authread|no_da|platformcreate" \
	    >/dev/null 2>&1 &&
	    tpm2_nvwrite 0x01c0000a -C p -i "$_w/ek.cert" >/dev/null 2>&1 || {
		echo "swtpm_ca_ecc256_cert: NV 0x01c0000a not written" >&2
		rm -rf "$_w"
		return 1
	}
	[ -n "$_out" ] && cp "$_w/ek.cert" "$_out"
	rm -rf "$_w"
	return 0
}
