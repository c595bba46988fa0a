#!/usr/bin/env bash
# Cost of `kpulse profile --mode off-cpu`: its sched_switch program runs on
# every context switch of the host, so its price is per switch. Runs it for
# SECONDS, REPEATS times, and prints medians of: the BPF program's ns per
# switch (run_time_ns / run_cnt with BPF run-time statistics held on only
# while measuring), its share of a core, kpulse's own process time
# (symbolising every drain), and the host's switch rate over the run.
#
#   bench/profile/offcpu_cost.sh [KPULSE_BINARY] [SECONDS] [REPEATS]
set -euo pipefail
kpulse=$(readlink -f "${1:-build/userspace/kpulse}")
seconds=${2:-10}
repeats=${3:-3}
command -v bpftool >/dev/null || { echo "bpftool not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kpulse-offcpu-cost.XXXXXX)
trap 'kill ${bpf_stats_pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

source "$(dirname "$0")/bpf_run_time.sh"
start_bpf_stats

ctxt() { awk '/^ctxt/ {print $2}' /proc/stat; }
results=()
for r in $(seq 1 "$repeats"); do
  c0=$(ctxt)
  /usr/bin/time -f "%U %S %M" -o "$tmp/kpulse.time" \
    "$kpulse" profile --mode off-cpu --duration "$seconds" --format folded \
    -o "$tmp/out.folded" 2>"$tmp/kpulse.err" &
  kp=$!
  sleep $((seconds - 1))
  read -r bpf_ns bpf_cnt < <(kp_prog_stats kp_offcpu_switch)
  c1=$(ctxt)
  wait $kp
  read -r u s m <"$tmp/kpulse.time"
  line=$(python3 -c "
s=$seconds
print(f'{$bpf_ns/max($bpf_cnt,1):.0f} {$bpf_ns/1e9/(s-1)*100:.3f} {($u+$s)/s*100:.3f} {($c1-$c0)/(s-1):.0f} {$m/1024:.1f}')")
  echo "run $r: $line" >&2
  results+=("$line")
done

read -r -a m < <(printf '%s\n' "${results[@]}" | median_columns)
printf 'off-CPU over %s s: BPF %.0f ns per switch = %.3f%% of a core at %.0f switches/s; ' \
  "$seconds" "${m[0]}" "${m[1]}" "${m[3]}"
printf 'kpulse process %.3f%% of a core (start-up included); peak RSS %.1f MiB\n' "${m[2]}" "${m[4]}"
