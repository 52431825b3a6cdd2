#!/bin/sh
# Runs one libFuzzer target for SECONDS from a copy of its seed files.
# Usage: smoke.sh SECONDS TARGET 'SEED-GLOB ...'
# Fails when the target crashes, leaks, or reports undefined behaviour;
# the reproducer stays in fuzz-artifacts/ of the build directory.
set -eu
secs=$1 target=$2 globs=$3
name=$(basename "$target")
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" fuzz-artifacts
nseeds=0
for f in $globs; do
	[ -f "$f" ] || continue
	cp "$f" "$work/corpus/"
	nseeds=$((nseeds + 1))
done
echo "fuzz-smoke: $name for ${secs}s from $nseeds seed(s)"
"$target" -max_total_time="$secs" -max_len=131072 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz-artifacts/$name-" "$work/corpus" \
    >"$work/log" 2>&1 || { tail -n 60 "$work/log"; exit 1; }
grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work/log" | tail -n 2
