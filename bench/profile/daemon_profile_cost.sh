#!/usr/bin/env bash
# Cost of continuous profiling in the daemon ([profile] in kpulse run): two
# `kpulse run` daemons side by side over the same seconds, same config, one
# with [profile] enabled; REPEATS times, medians. The difference is what
# profiling costs, start-up included (loading the sampler, reading kallsyms,
# symbolising every drain, writing the stack log).
#
#   bench/profile/daemon_profile_cost.sh [KPULSE_BINARY] [SECONDS] [REPEATS] [HZ]
#
# CPU: utime+stime of each daemon from start to exit (/proc/PID/stat, read
# by the shell that waits for it, through /usr/bin/time), plus the kernel
# time of the profiler's BPF program (kp_profile run_time_ns, with
# BPF_ENABLE_STATS held only while measuring). RSS: peak resident set.
set -euo pipefail
kpulse=$(readlink -f "${1:-build/userspace/kpulse}")
seconds=${2:-60}
repeats=${3:-3}
hz=${4:-19}
command -v bpftool >/dev/null || { echo "bpftool not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kpulse-daemon-profile-cost.XXXXXX)
trap 'kill ${bpf_stats_pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

source "$(dirname "$0")/bpf_run_time.sh"
start_bpf_stats

config() {  # DIR PROFILE(true|false)
  cat >"$1/kpulse.toml" <<TOML
[daemon]
status_interval = 0
log_level = "warning"
[state]
dir = "$1"
[profile]
enabled = $2
frequency = $hz
TOML
}

results=()
for r in $(seq 1 "$repeats"); do
  for v in base prof; do
    rm -rf "${tmp:?}/$v"
    mkdir -p "$tmp/$v"
    config "$tmp/$v" "$([ $v = prof ] && echo true || echo false)"
  done
  /usr/bin/time -f "%U %S %M" -o "$tmp/base.time" "$kpulse" run --config "$tmp/base/kpulse.toml" \
    2>"$tmp/base.err" &
  base=$!
  /usr/bin/time -f "%U %S %M" -o "$tmp/prof.time" "$kpulse" run --config "$tmp/prof/kpulse.toml" \
    2>"$tmp/prof.err" &
  prof=$!
  sleep "$seconds"
  bpf_ns=$(kp_profile_ns)
  # SIGTERM to the daemons (children of /usr/bin/time).
  pkill -TERM -P $base || true
  pkill -TERM -P $prof || true
  wait $base $prof || true
  read -r bu bs bm <"$tmp/base.time"
  read -r pu ps pm <"$tmp/prof.time"
  stack_bytes=$(cat "$tmp"/prof/recordings/stacks/*.stacks 2>/dev/null | wc -c)
  line=$(python3 -c "
s=$seconds
base=($bu+$bs)/s*100
prof=($pu+$ps+$bpf_ns/1e9)/s*100
print(f'{prof-base:.3f} {base:.3f} {prof:.3f} {$bpf_ns/1e9/s*100:.4f} {($pm-$bm)/1024:.1f} {$bm/1024:.1f} {$pm/1024:.1f} {$stack_bytes/s*3600/1048576:.2f}')")
  echo "run $r: $line" >&2
  results+=("$line")
done

read -r -a m < <(printf '%s\n' "${results[@]}" | median_columns)
printf '[profile] at %s Hz over %s s, start-up included: +%.3f%% of a core ' "$hz" "$seconds" "${m[0]}"
printf '(daemon without %.3f%%, with %.3f%%, of which BPF %.4f%%); ' "${m[1]}" "${m[2]}" "${m[3]}"
printf 'peak RSS +%.1f MiB (%.1f -> %.1f MiB); stack log %.2f MiB/hour\n' \
  "${m[4]}" "${m[5]}" "${m[6]}" "${m[7]}"
