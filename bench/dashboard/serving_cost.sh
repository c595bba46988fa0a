#!/usr/bin/env bash
# What serving the live dashboard costs kpulse: one `kpulse run --dashboard`
# (1 s interval, analytics on, BPF on), its CPU time measured over alternating
# windows with no client and with one headless Chromium showing the page
# (which polls every interval), in the same run. Prints the medians of each
# and their difference in % of one core (the issue's target: <= 0.5 %).
#   bench/dashboard/serving_cost.sh [KPULSE_BINARY] [WINDOW_S] [PAIRS]
# CLIENT=curl replaces the browser by curl fetching what the page fetches
# every second (snapshot, active and newly resolved alerts, the newest
# interval of the live charts),
# a new connection each: the serving alone, without kpulse also observing a
# browser's processes.
# BASELINE=browser keeps a headless Chromium on about:blank open during the
# "no client" windows, so both sides pay for kpulse observing a browser and
# the difference is the serving alone, with a real browser.
# Needs root and chromium.
set -euo pipefail
source "$(dirname "$0")/common.sh"
kpulse=${1:-build/userspace/kpulse}
window=${2:-20}
pairs=${3:-5}
work=$(mktemp -d)
daemon_pid="" browser_pid=""
cleanup() {
  for pid in $browser_pid $daemon_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start_dashboard_daemon "$kpulse" "$work"
daemon_pid=$(cat "$work/pid")
port=$(dashboard_port "$work")
sleep 5  # past start-up (BPF load, first intervals)

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
# CPU of kpulse over one window, in % of one core.
measure() {
  local t0 t1 s0 s1
  t0=$(ticks); s0=$(date +%s.%N)
  sleep "$window"
  t1=$(ticks); s1=$(date +%s.%N)
  echo "$t0 $t1 $s0 $s1 $hz" | awk '{printf "%.3f\n", 100 * ($2 - $1) / $5 / ($4 - $3)}'
}
start_chromium() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
    --disable-extensions --remote-debugging-port=0 --user-data-dir="$work/profile" \
    "$1" >/dev/null 2>&1 &
  browser_pid=$!
  sleep 5  # the page loaded (and polling)
}
open_browser() {
  if [[ "${CLIENT:-chromium}" == curl ]]; then
    local base="http://127.0.0.1:$port/api/v1"
    (while :; do
       after=$(($(date +%s%N) - 2000000000))
       curl -s -o /dev/null -o /dev/null -o /dev/null "$base/snapshot" "$base/alerts?resolved_after=$after" \
         "$base/live?since=-5m&after=$after"
       sleep 1
     done) &
    browser_pid=$!
    sleep 5
    return
  fi
  start_chromium "http://127.0.0.1:$port/"
}
close_browser() {
  kill "$browser_pid" 2>/dev/null || true
  wait "$browser_pid" 2>/dev/null || true
  browser_pid=""
  sleep 12  # the analytics stop publishing 10 s after the last request
}
none=() open=()
for ((i = 0; i < pairs; ++i)); do
  if [[ "${BASELINE:-}" == browser ]]; then
    start_chromium about:blank
    none+=("$(measure)")
    close_browser
  else
    none+=("$(measure)")
  fi
  open_browser
  open+=("$(measure)")
  close_browser
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_none=$(median "${none[@]}")
m_open=$(median "${open[@]}")
echo "windows: ${window} s x ${pairs} pairs; kpulse CPU, % of one core"
echo "no client${BASELINE:+ (${BASELINE} on about:blank)}:       ${none[*]}  median ${m_none}"
echo "${CLIENT:-chromium} at 1 s:  ${open[*]}  median ${m_open}"
python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'serving cost: {b - a:+.3f} % of a core (browser / none = {b / a:.2f})')" "$m_none" "$m_open"
