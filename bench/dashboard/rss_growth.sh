#!/usr/bin/env bash
# What keeping the dashboard live costs kpulse in memory: two `kpulse run
# --dashboard` side by side (1 s interval, analytics on, recording off), one
# with a headless Chromium on its page, the other with none; each daemon's
# RSS (/proc/PID/status VmRSS) every STEP seconds for MINUTES minutes.
# Both daemons' live history fills the same way (its bound: dashboard.history
# / collection.interval thinned snapshots, docs/dashboard.md), so the
# difference is what serving the page holds on to.
#   bench/dashboard/rss_growth.sh [KPULSE_BINARY] [MINUTES] [STEP_S]
# Needs root and chromium.
set -euo pipefail
source "$(dirname "$0")/common.sh"
kpulse=${1:-build/userspace/kpulse}
minutes=${2:-10}
step=${3:-60}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start_dashboard_daemon "$kpulse" "$work/open"
start_dashboard_daemon "$kpulse" "$work/closed"
open_pid=$(cat "$work/open/pid") closed_pid=$(cat "$work/closed/pid")
pids+=("$open_pid" "$closed_pid")
port=$(dashboard_port "$work/open")
dashboard_port "$work/closed" >/dev/null
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-extensions --remote-debugging-port=0 --user-data-dir="$work/profile" \
  "http://127.0.0.1:$port/" >/dev/null 2>&1 &
pids+=("$!")
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
sleep 10  # past start-up (BPF load, the page loaded)
echo "minute  rss_kib(page open)  rss_kib(no page)"
first_open=$(rss_kib "$open_pid") first_closed=$(rss_kib "$closed_pid")
echo "0  $first_open  $first_closed"
for ((t = step; t <= minutes * 60; t += step)); do
  sleep "$step"
  echo "$(awk -v t="$t" 'BEGIN {printf "%.1f", t / 60}')  $(rss_kib "$open_pid")  $(rss_kib "$closed_pid")"
done
last_open=$(rss_kib "$open_pid") last_closed=$(rss_kib "$closed_pid")
echo "growth over ${minutes} min: page open $(((last_open - first_open) / 1024)) MiB," \
  "no page $(((last_closed - first_closed) / 1024)) MiB"
