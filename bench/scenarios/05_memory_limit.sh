#!/bin/bash
# Scenario 5: a cgroup under a tight memory limit (64 MiB) reading a 192 MiB
# file at random, 4 KiB at a time, so its page cache thrashes: two reads in
# three miss and re-read a page the limit evicted moments ago.
#
# Random 4 KiB reads make a miss cost what it costs on a real disk: one
# device read per page (fio sets POSIX_FADV_RANDOM, so no readahead), about
# 70 us on this VM's disk, like an SSD at queue depth 1. Sequential 128 KiB
# re-reads (the earlier version of this scenario) hid the misses behind
# readahead and the hypervisor's cache (~2.6 GB/s), and random reads barely
# register as a memory stall (PSI ~1%): the tuner has to see the refaults
# (memory.stat workingset_refault_file) to act.
#
# The misconfiguration is the limit alone; kpulse may only touch it
# (--tuners memory_high --scope). Objectives: fio read throughput (median of
# 3 runs, before and after, in this run), the cgroup's memory stall (PSI) and
# its refault rate. Everything created is removed and the limit checked back.
source "$(dirname "$0")/common.sh"

NAME=kp-scenario-mem
LIMIT=$((64 * 1024 * 1024))
FILE_MIB=192
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  DIRS=(/sys/fs/cgroup/$NAME); LFILE=/sys/fs/cgroup/$NAME/memory.high
  STAT=/sys/fs/cgroup/$NAME/memory.stat; REFAULTS=workingset_refault_file
  if ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
    echo +memory > /sys/fs/cgroup/cgroup.subtree_control
    cleanup "echo -memory > /sys/fs/cgroup/cgroup.subtree_control"
  fi
  PSI=/sys/fs/cgroup/$NAME/memory.pressure
else
  DIRS=(/sys/fs/cgroup/unified/$NAME /sys/fs/cgroup/memory/$NAME)
  LFILE=/sys/fs/cgroup/memory/$NAME/memory.limit_in_bytes
  STAT=/sys/fs/cgroup/memory/$NAME/memory.stat; REFAULTS=total_workingset_refault_file
  PSI=/sys/fs/cgroup/unified/$NAME/memory.pressure
fi
for d in "${DIRS[@]}"; do
  mkdir "$d"
  cleanup "for p in \$(cat $d/cgroup.procs); do kill -9 \$p; done; sleep 0.3; rmdir $d"
done
echo $LIMIT > "$LFILE"
enter="for d in ${DIRS[*]}; do echo \$\$ > \$d/cgroup.procs; done"
FILE=$(mktemp /var/tmp/kpulse-s5.XXXXXX)
cleanup "rm -f $FILE"
dd if=/dev/urandom of="$FILE" bs=1M count=$FILE_MIB oflag=direct status=none

refaults() { awk -v k=$REFAULTS '$1 == k {print $2}' "$STAT"; }
stall_us() { awk -F'total=' '/^some/{print $2}' "$PSI"; }

# measure SECONDS: random 4 KiB reads of the file inside the cgroup; prints
# "MiB/s stall_ms/s refaults/s".
measure() {
  local s0 r0 s1 r1 bw
  s0=$(stall_us); r0=$(refaults)
  bw=$(sh -c "$enter; exec fio --name=randread --filename=$FILE --rw=randread --bs=4k \
        --size=${FILE_MIB}M --norandommap --randrepeat=0 --time_based --runtime=$1 \
        --ioengine=psync --output-format=json" 2>/dev/null |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw"]/1024)')
  s1=$(stall_us); r1=$(refaults)
  echo "$bw $(( (s1 - s0) / 1000 / $1 )) $(( (r1 - r0) / $1 ))"
}

# runs N SECONDS: N measurements, one per line.
runs() { for ((i = 0; i < $1; i++)); do measure "$2"; done; }

runs 3 5 >"$STATE/before"
before=$(cut -d' ' -f1 "$STATE/before" | median)
stall_b=$(cut -d' ' -f2 "$STATE/before" | median)
refault_b=$(cut -d' ' -f3 "$STATE/before" | median)
echo "before: $before MiB/s, memory stall ${stall_b} ms/s, ${refault_b} refaults/s, limit $(cat $LFILE)"

# While kpulse experiments, one continuous reader (as a service would be):
# restarting fio every few seconds made each second's refaults and CPU depend
# on how long ago it restarted, noise that hid any change of the limit.
sh -c "$enter; exec fio --name=randread --filename=$FILE --rw=randread --bs=4k \
      --size=${FILE_MIB}M --norandommap --randrepeat=0 --time_based --runtime=600 \
      --ioengine=psync" >/dev/null 2>&1 &
LOAD=$!
cleanup "kill $LOAD 2>/dev/null; sleep 4"
# Its refaults climb for ~10 s after it starts (measured: 2k -> 10k pages/s)
# as evicted pages gain shadow entries: a baseline taken during the climb
# would read the steady state as the raise's harm.
sleep 15
start_tune --interval 1 --window 4 --tuners memory_high --memory-high-max $((1024 * 1024 * 1024)) \
  --scope "/$NAME"
wait_for_kept 120 || { show_log; echo "kpulse kept nothing" >&2; exit 1; }
kill $LOAD; wait $LOAD 2>/dev/null || true; sleep 4
tuned=$(cat $LFILE)
runs 3 5 >"$STATE/after"
after=$(cut -d' ' -f1 "$STATE/after" | median)
stall_a=$(cut -d' ' -f2 "$STATE/after" | median)
refault_a=$(cut -d' ' -f3 "$STATE/after" | median)
echo "after: $after MiB/s, memory stall ${stall_a} ms/s, ${refault_a} refaults/s, limit $tuned"
stop_tune
show_log
echo "restored limit: $(cat $LFILE)"
[ "$(cat $LFILE)" = $LIMIT ] || { echo "limit not restored" >&2; exit 1; }
report memory_limit_throughput "MiB/s" "$before" "$after"
echo "RESULT memory_limit_stall: before ${stall_b} ms/s, after ${stall_a} ms/s"
echo "RESULT memory_limit_refaults: before ${refault_b}/s, after ${refault_a}/s"
