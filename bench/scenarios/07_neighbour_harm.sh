#!/bin/bash
# Scenario 7: harm to a neighbour. A CPU-hungry batch cgroup, throttled by a
# 0.5 CPU quota, next to a latency-sensitive service (wakes every 2 ms, does
# 0.2 ms of work) under the same parent. On a loaded host (BUSY=N adds N CPU
# hogs) raising the batch's quota fills the CPUs and makes the service's
# wakeups wait; on an idle 2-CPU host a raise to 1 CPU leaves the service a
# CPU of its own. The tuner is told the host may run out of idle CPU
# (--min-idle-cpu 0, the field case): a trial that harms the service must be
# reverted by the neighbour guard; one that does not may be kept.
# Arms, in this run: the original quota; the tuner's raise kept (written by
# hand: what an unguarded tuner kept); kpulse tune --apply with the guard.
# Objectives: the service's wakeup delay p99 (ms, lower), and the batch's
# work (bogo ops/s), each a median of runs.
source "$(dirname "$0")/common.sh"

NAME=kp-scenario-harm
QUOTA_US=${QUOTA_US:-50000}   # 0.5 CPU of a 100 ms period
RUN_S=${RUN_S:-8}
PROBE="python3 $(dirname "$0")/lib/latency_probe.py"
# The parent gets a large share so that other load on a shared host does not
# decide who gets the CPUs; batch and service share it equally.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
  ROOTS=(/sys/fs/cgroup)
  QFILE=/sys/fs/cgroup/$NAME/batch/cpu.max; QVAL="$QUOTA_US 100000"
  PARENT_SHARE="echo 10000 > /sys/fs/cgroup/$NAME/cpu.weight"
  SUBTREE="echo +cpu > /sys/fs/cgroup/$NAME/cgroup.subtree_control"
else
  ROOTS=(/sys/fs/cgroup/unified /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct)
  QFILE=/sys/fs/cgroup/cpu/$NAME/batch/cpu.cfs_quota_us; QVAL="$QUOTA_US"
  PARENT_SHARE="echo 102400 > /sys/fs/cgroup/cpu/$NAME/cpu.shares"
  SUBTREE=true
fi
for r in "${ROOTS[@]}"; do
  mkdir "$r/$NAME"
  cleanup "rmdir $r/$NAME"
done
eval "$PARENT_SHARE"; eval "$SUBTREE"
for leaf in batch svc; do
  for r in "${ROOTS[@]}"; do
    mkdir "$r/$NAME/$leaf"
    cleanup "for p in \$(cat $r/$NAME/$leaf/cgroup.procs); do kill -9 \$p; done; sleep 0.3; rmdir $r/$NAME/$leaf"
  done
done
echo "$QVAL" > "$QFILE"
enter() { local s=""; for r in "${ROOTS[@]}"; do s+="echo \$\$ > $r/$NAME/$1/cgroup.procs; "; done; echo "$s"; }

# The batch: CPU-hungry, always running (two workers on this host's CPUs).
sh -c "$(enter batch) exec stress-ng --cpu $(nproc) --cpu-method int64 --timeout 900 --metrics-brief" \
  >"$STATE/batch.out" 2>&1 &
BATCH=$!
cleanup "kill $BATCH 2>/dev/null"
# The service, probed in windows of RUN_S seconds: "p50_ms p99_ms wakeups".
probe() { sh -c "$(enter svc) exec $PROBE $RUN_S"; }
# batch_rate SECONDS: bogo ops/s of the batch cgroup's CPU, from cpuacct/cpu.stat.
batch_cpu() {
  local f a b
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    a=$(awk '/^usage_usec/{print $2 * 1000}' /sys/fs/cgroup/$NAME/batch/cpu.stat); sleep "$1"
    b=$(awk '/^usage_usec/{print $2 * 1000}' /sys/fs/cgroup/$NAME/batch/cpu.stat)
  else
    f=/sys/fs/cgroup/cpuacct/$NAME/batch/cpuacct.usage; a=$(cat $f); sleep "$1"; b=$(cat $f)
  fi
  awk -v a="$a" -v b="$b" -v s="$1" 'BEGIN {printf "%.3f\n", (b - a) / 1e9 / s}'
}
# arm NAME: three probes, the batch's CPU alongside; prints "p99_median batch_cpus".
arm() {
  local i
  : >"$STATE/$1.p99"; : >"$STATE/$1.cpu"
  for i in 1 2 3; do
    batch_cpu "$RUN_S" >>"$STATE/$1.cpu" &
    probe | awk '{print $2}' >>"$STATE/$1.p99"
    wait
  done
  echo "$(median <"$STATE/$1.p99") $(median <"$STATE/$1.cpu")"
}
# BUSY=N: N CPU hogs outside the scenario's cgroups for the whole run, the
# shared host this scenario was written on. On an idle 2-CPU host a raise to
# 1 CPU leaves the service a CPU of its own and does it no harm (the guard
# then rightly keeps it); under load the same raise takes the service's CPU.
if [ "${BUSY:-0}" -gt 0 ]; then
  stress-ng --cpu "$BUSY" --cpu-method int64 --timeout 900 >/dev/null 2>&1 &
  cleanup "kill $! 2>/dev/null"
fi
echo "host load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs, ${BUSY:-0} extra CPU hogs"
sleep 2
read -r fixed_p99 fixed_cpu <<<"$(arm fixed)"
echo "original quota \"$(cat $QFILE)\": service p99 $fixed_p99 ms, batch $fixed_cpu CPUs"

# The guarded tuner: it proposes a raise for the throttled batch, puts it on
# trial and judges it, the service's run-queue latency among the guard's checks.
( while true; do probe >/dev/null; done ) &
SVC=$!
cleanup "kill $SVC 2>/dev/null"
start_tune --interval 1 --window 5 --min-idle-cpu 0 --tuners cpu_quota --scope "/$NAME/batch"
end=$((SECONDS + 120))
until grep -qE " (kept|reverted) knob=" "$STATE/tune.log" 2>/dev/null || [ $SECONDS -ge $end ]; do
  sleep 1
done
kill $SVC; wait $SVC 2>/dev/null || true
trial=$(grep -o "trial scenario=[^ ]* knob=[^ ]* [^ ]* -> [^ ]*" "$STATE/tune.log" | head -1 | awk '{print $NF}')
verdict=$(grep -oE " (kept|reverted) knob=" "$STATE/tune.log" | head -1 | awk '{print $1}')
echo "tuner: trial value \"$trial\", verdict: ${verdict:-none}"
read -r guarded_p99 guarded_cpu <<<"$(arm guarded)"
echo "with the guard (quota now \"$(cat $QFILE)\"): service p99 $guarded_p99 ms, batch $guarded_cpu CPUs"
stop_tune
show_log
[ "$(cat $QFILE)" = "$QVAL" ] || { echo "quota not restored" >&2; exit 1; }

# What keeping the raise costs the service: the trial value, kept by hand.
if [ -n "$trial" ]; then
  echo "$trial" > "$QFILE"
  read -r kept_p99 kept_cpu <<<"$(arm kept)"
  echo "$QVAL" > "$QFILE"
  echo "raise kept (quota \"$trial\"): service p99 $kept_p99 ms, batch $kept_cpu CPUs"
else
  kept_p99=nan; kept_cpu=nan
fi
echo "RESULT neighbour_harm: service p99 original ${fixed_p99} ms, raise kept ${kept_p99} ms, guarded ${guarded_p99} ms; batch CPUs ${fixed_cpu} / ${kept_cpu} / ${guarded_cpu}; verdict ${verdict:-none}"
# Judged against this script's own probe: a raise that harms the service
# beyond the guard's margins (x1.5 and +0.5 ms) must not be kept. A revert the
# probe does not confirm is allowed: the guard reads the service cgroup's
# run-queue p99, which sees waits this probe's wakeup lateness can miss.
[ -n "$verdict" ] || { echo "no trial was judged" >&2; exit 1; }
harmed=$(awk -v a="$fixed_p99" -v b="$kept_p99" 'BEGIN {print (b > a * 1.5 && b > a + 0.5) ? 1 : 0}')
echo "the raise harmed the service beyond the margins (by this probe): $([ "$harmed" = 1 ] && echo yes || echo no)"
if [ "$harmed" = 1 ] && [ "$verdict" = kept ]; then
  echo "a raise that harmed the service was kept" >&2; exit 1
fi
