#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time over its committed seed corpus
# (read only: new inputs go to a scratch directory). A crash, leak or
# sanitizer report fails the test; the reproducer lands in the scratch dir
# and its path is printed.
# Usage: run.sh FUZZER SEED_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/kpulse-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work" "$seeds" >"$work/log" 2>&1
status=$?
set -e
tail -25 "$work/log"
if ((status != 0)); then
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [[ -e $f ]] && { echo "reproducer: $f"; base64 -w0 "$f"; echo; }
  done
fi
exit "$status"
