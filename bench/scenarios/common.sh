# Shared helpers for the tuning scenarios: sourced, not run.
# Each scenario creates its misconfiguration, measures the objective, lets
# `kpulse tune --apply` act alone, measures again, and restores everything
# (trap on EXIT) even when interrupted.
set -euo pipefail

KPULSE=${KPULSE:-$(cd "$(dirname "$0")/../.." && pwd)/build/userspace/kpulse}
[ -x "$KPULSE" ] || { echo "kpulse binary not found at $KPULSE (set KPULSE=)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "scenarios need root" >&2; exit 2; }
STATE=$(mktemp -d /tmp/kpulse-scenario.XXXXXX)
TUNE_PID=""
CLEANUPS=()

on_exit() {
  set +e
  if [ -n "$TUNE_PID" ] && kill -0 "$TUNE_PID" 2>/dev/null; then
    kill -INT "$TUNE_PID"; wait "$TUNE_PID"
  fi
  # Whatever kpulse still has in force goes back before our own teardown.
  "$KPULSE" tune --rollback --state-dir "$STATE" >/dev/null 2>&1
  for ((i=${#CLEANUPS[@]}-1; i>=0; i--)); do eval "${CLEANUPS[i]}" >/dev/null 2>&1; done
  rm -rf "$STATE"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

cleanup() { CLEANUPS+=("$*"); }

# start_tune ARGS...: kpulse tune --apply in the background, log in $STATE/tune.log.
start_tune() {
  "$KPULSE" tune --apply --state-dir "$STATE" --on-exit rollback "$@" >"$STATE/tune.log" 2>&1 &
  TUNE_PID=$!
}

# wait_for_kept SECONDS: until kpulse keeps a change (0) or time runs out (1).
wait_for_kept() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    grep -q " kept knob=" "$STATE/tune.log" 2>/dev/null && return 0
    kill -0 "$TUNE_PID" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

stop_tune() {
  kill -INT "$TUNE_PID"; wait "$TUNE_PID" || true; TUNE_PID=""
}

show_log() { sed 's/^/  kpulse| /' "$STATE/tune.log"; }

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

report() {  # name unit before after
  awk -v n="$1" -v u="$2" -v b="$3" -v a="$4" 'BEGIN {
    printf "RESULT %s: before %.4g %s, after %.4g %s, change %+.1f%%\n", n, b, u, a, u, (a-b)/b*100 }'
}
