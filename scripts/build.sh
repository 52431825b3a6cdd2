#!/bin/sh
# Bootstraps (when needed), configures and builds wardgate out of tree.
# Usage: scripts/build.sh DIR [configure options...]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
   [ -n "$(find . -name '*.mk' -newer configure -print -quit)" ] ||
   [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi

mkdir -p "$dir"
cd "$dir"
# Reconfigure when the options changed.
opts="CC=${CC:-} $*"
if [ ! -f Makefile ] || [ "$(cat .wg-configure-opts 2>/dev/null)" != "$opts" ]; then
	# shellcheck disable=SC2068
	"$top/configure" $@
	printf '%s' "$opts" > .wg-configure-opts
fi
make -j"$(nproc)"
