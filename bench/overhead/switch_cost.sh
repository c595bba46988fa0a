#!/usr/bin/env bash
# Per-switch cost of two revisions' sched_switch programs, side by side in
# one run: compiles each revision's sched object (build_objects.sh, with the
# kernel stamps on, as the loader sets them on a kernel that has them),
# attaches its sched programs alone (kpulse_object_attach), turns bpf_stats
# on, runs `perf bench sched pipe`, and reads kp_sched_switch's run_time_ns
# / run_cnt. Rounds alternate the revisions; the medians and their ratio are
# printed. Restores kernel.bpf_stats_enabled, also on Ctrl-C.
#   sudo bench/overhead/switch_cost.sh OLD_REV NEW_REV [ROUNDS] [BUILD_DIR]
set -euo pipefail
old=$1 new=$2 rounds=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
build=${4:-$here/../../build}
attach=$build/bench/overhead/kpulse_object_attach
work=$(mktemp -d)
previous=$(sysctl -n kernel.bpf_stats_enabled)
pid=""
cleanup() {
  sysctl -qw kernel.bpf_stats_enabled="$previous"
  [[ -n $pid ]] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
for rev in old new; do
  KNOBS="kp_rq_stamps=true" "$here/build_objects.sh" "${!rev}" "$work/$rev" "$build" >/dev/null
done
stats() {  # "run_time_ns run_cnt" of the newest kp_sched_switch (the last
  # revision's may linger in the listing for a moment after it is detached)
  bpftool prog show --json | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin) if p.get("name") == "kp_sched_switch"]
p = max(p, key=lambda q: q["id"]) if p else {}
print(p.get("run_time_ns", 0), p.get("run_cnt", 0))'
}
measure() {  # ns per switch of one revision's program
  "$attach" "$work/$1/sched.bpf.o:kp_sched_switch,kp_sched_migrate,kp_sched_process_exit" \
    >"$work/attached" 2>&1 &
  pid=$!
  for _ in $(seq 100); do  # it prints each program's name once attached
    grep -q kp_sched_process_exit "$work/attached" && break
    sleep 0.1
  done
  sysctl -qw kernel.bpf_stats_enabled=1
  local a b
  a=$(stats)
  perf bench sched pipe -l 200000 >/dev/null
  b=$(stats)
  sysctl -qw kernel.bpf_stats_enabled=0
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); printf "%.1f\n", (y[1] - x[1]) / (y[2] - x[2]) }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: >"$work/old.ns"
: >"$work/new.ns"
for round in $(seq "$rounds"); do
  o=$(measure old)
  n=$(measure new)
  echo "round $round: $old $o ns, $new $n ns per switch (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "$o" >>"$work/old.ns"
  echo "$n" >>"$work/new.ns"
done
mo=$(median <"$work/old.ns") mn=$(median <"$work/new.ns")
echo "median: $old $mo ns, $new $mn ns per switch, ratio $(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }')"
