#!/usr/bin/env bash
# Per-event cost of kpulse's sched_process_exit program: attaches kpulse
# through the engine driver, turns bpf_stats on, runs 1,000 /bin/true and one
# `perf bench sched messaging`, and prints run_time_ns / run_cnt for each.
# Restores kernel.bpf_stats_enabled and stops the driver, also on Ctrl-C.
#   sudo bench/overhead/exit_cost.sh [BUILD_DIR]
set -euo pipefail
build=${1:-$(dirname "$0")/../../build}
driver=$build/bench/overhead/kpulse_engine_driver
previous=$(sysctl -n kernel.bpf_stats_enabled)
"$driver" --intervals 0 >/dev/null 2>&1 &
pid=$!
trap 'sysctl -qw kernel.bpf_stats_enabled=$previous; kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
stats() {  # "run_time_ns run_cnt" of the exit program
  bpftool prog show --json | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin) if p.get("name") == "kp_sched_process_exit"]
print(p[0].get("run_time_ns", 0), p[0].get("run_cnt", 0)) if p else print("0 0")'
}
for _ in $(seq 100); do  # until the driver has attached its programs
  bpftool prog show name kp_sched_process_exit >/dev/null 2>&1 && break
  sleep 0.2
done
sleep 2
sysctl -qw kernel.bpf_stats_enabled=1
per_exit() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); n = y[2] - x[2];
  printf "%d exits, %.2f us per exit\n", n, n ? (y[1] - x[1]) / n / 1000 : 0 }'; }
a=$(stats); for _ in $(seq 1000); do /bin/true; done; b=$(stats)
perf bench sched messaging -g 10 -l 100 >/dev/null; c=$(stats)
echo "1000 x /bin/true: $(per_exit "$a" "$b")"
echo "sched messaging:  $(per_exit "$b" "$c")"
