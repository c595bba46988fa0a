#!/usr/bin/env bash
# Cost of `kpulse profile` (BPF sampler + live symbolisation) beside
# `perf record -F 49 -a -g` (+ the `perf report` its symbols need), both
# running at the same time over the same seconds, REPEATS times; prints
# medians.
#
#   bench/profile/profile_cost.sh [KPULSE_BINARY] [SECONDS] [REPEATS] [HZ]
#
# CPU: user+system time of each tool's processes (getrusage via
# /usr/bin/time) plus, for kpulse, the kernel time of its BPF program
# (kp_profile's run_time_ns, with BPF run-time statistics held on through
# BPF_ENABLE_STATS only while measuring). perf's in-kernel sampling
# (its unwinding in the interrupt) has no such counter and is not included.
# RSS: peak resident set of each tool's process.
set -euo pipefail
kpulse=${1:-build/userspace/kpulse}
seconds=${2:-20}
repeats=${3:-3}
hz=${4:-49}
command -v perf >/dev/null || { echo "perf not installed (linux-perf)" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "bpftool not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kpulse-profile-cost.XXXXXX)
trap 'kill ${bpf_stats_pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

source "$(dirname "$0")/bpf_run_time.sh"
start_bpf_stats

results=()
for r in $(seq 1 "$repeats"); do
  /usr/bin/time -f "%U %S %M" -o "$tmp/kpulse.time" \
    "$kpulse" profile --duration "$seconds" --frequency "$hz" --format folded \
    -o "$tmp/kpulse.folded" 2>"$tmp/kpulse.err" &
  kp=$!
  /usr/bin/time -f "%U %S %M" -o "$tmp/perf.time" \
    perf record -q -F "$hz" -a -g -o "$tmp/perf.data" -- sleep "$seconds" 2>/dev/null &
  pf=$!
  # The BPF program's time: sampled just before kpulse detaches it.
  sleep $((seconds - 1))
  bpf_ns=$(kp_profile_ns)
  wait $kp $pf
  /usr/bin/time -f "%U %S %M" -o "$tmp/report.time" \
    perf report -i "$tmp/perf.data" --stdio --no-children >/dev/null 2>&1 || true
  read -r ku ks km <"$tmp/kpulse.time"
  read -r pu ps pm <"$tmp/perf.time"
  read -r ru rs rm <"$tmp/report.time"
  samples=$(awk '{n += $NF} END {print n + 0}' "$tmp/kpulse.folded")
  line=$(python3 -c "
s=$seconds
kp=($ku+$ks+$bpf_ns/1e9*s/(s-1))/s*100
pf=($pu+$ps)/s*100
rp=($ru+$rs)
print(f'{kp:.3f} {($ku+$ks)/s*100:.3f} {$bpf_ns/1e9/(s-1)*100:.4f} {$km/1024:.1f} {pf:.3f} {rp:.3f} {$pm/1024:.1f} {$rm/1024:.1f} $samples')")
  echo "run $r: $line" >&2
  results+=("$line")
  rm -f "$tmp/perf.data" "$tmp/perf.data.old"
done

read -r -a m < <(printf '%s\n' "${results[@]}" | median_columns)
ratio=$(awk -v a="${m[0]}" -v b="${m[4]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')
printf 'kpulse profile -F %s: %.3f%% of a core (userspace %.3f%%, BPF %.4f%%), peak RSS %.1f MiB, %.0f samples\n' \
  "$hz" "${m[0]}" "${m[1]}" "${m[2]}" "${m[3]}" "${m[8]}"
printf 'perf record -F %s -a -g: %.3f%% of a core while recording, peak RSS %.1f MiB;' "$hz" "${m[4]}" "${m[6]}"
printf ' perf report afterwards (its symbolisation): %.2f CPU-s, peak RSS %.1f MiB\n' "${m[5]}" "${m[7]}"
printf 'medians of %s runs of %s s; kpulse CPU / perf record CPU = %s\n' "${#results[@]}" "$seconds" "$ratio"
