#!/usr/bin/env bash
# Held-out check of the classifier's longer history (issue 20, 20o): cycles
# too long for its 30-interval window, next to a random and a steady load, all
# in their own cgroups at once. Five minutes at 1 s; labels every 2 s from
# 200 s of history on (a 60 s cycle needs three cycles and a bin). Expected
# labels written before the first run; nothing was tuned on it.
#   periodic60  30 s busy / 30 s asleep                 periodic
#   cron45      10 s of work every 45 s                 periodic
#   bursts      busy, then asleep, for random times     bursty
#               (exponential: 4 s and 8 s on average)
#   steady      one busy loop                           cpu-bound
# Needs root (BPF, cgroups) and a built tree (target kpulse_classify_live).
#   bench/analytics/long_cycles.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
classify=$build/bench/kpulse_classify_live
[ -x "$classify" ] || { echo "build $classify first (ninja -C $build kpulse_classify_live)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

tag=kpulse-bench-long-$$
work=/var/tmp/$tag
. bench/analytics/cgroup_workloads.sh

cleanup() {
  set +e
  cgroup_kill
  sleep 0.5
  cgroup_remove
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work"

busy='python3 -c "while True: pass"'
start periodic60 periodic "while :; do timeout 30 $busy; sleep 30; done"
start cron45 periodic "while :; do timeout 10 $busy; sleep 35; done"
start bursts bursty "exec python3 -c \"
import random, time
random.seed(11)
while True:
    end = time.time() + random.expovariate(1 / 4)
    while time.time() < end: pass
    time.sleep(random.expovariate(1 / 8))
\""
start steady cpu-bound "exec $busy"

"$classify" --set "long cycles" --ticks 300 --warmup 200 "${labels[@]}"
