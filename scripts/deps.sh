#!/bin/sh
# Installs the Debian 12 packages wardgate needs that are missing.
# apt runs only when something is missing. Usage: scripts/deps.sh [build|test|demo]
set -eu

what=${1:-test}

build_pkgs="autoconf automake pkg-config make gcc libc6-dev
 libtss2-dev libssl-dev libjson-c-dev libsqlite3-dev libevent-dev
 libcurl4-openssl-dev libcmocka-dev libnftables-dev libmnl-dev libcap-dev"
# Tests: swtpm is the TPM, tpm2-tools the independent cross-check,
# clang + its runtimes for libFuzzer and the sanitizers, jq for scripts,
# iproute2 + iputils-ping + netcat-openbsd for the enforcer's netns test,
# libcap2-bin (setcap) for the unprivileged gateway, FreeRADIUS with its
# rest module and radclient for the RADIUS tests, systemd for
# systemd-analyze and systemd-socket-activate (the unit and
# socket-activation tests).
test_pkgs="swtpm swtpm-tools tpm2-tools clang libclang-rt-14-dev jq openssl
 iproute2 iputils-ping netcat-openbsd libcap2-bin
 freeradius freeradius-rest freeradius-utils systemd"
# chromium renders wardgate report's HTML headless for its screenshot and
# DOM checks (tests/integration/report.sh; its fonts come with it).
test_pkgs="$test_pkgs chromium"

case "$what" in
build) pkgs="$build_pkgs" ;;
test|demo) pkgs="$build_pkgs $test_pkgs" ;;
*) echo "usage: $0 [build|test|demo]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

echo "deps: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; install as root:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when an install from the cached lists fails.
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends $missing
fi
