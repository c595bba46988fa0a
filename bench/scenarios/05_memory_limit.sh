#!/bin/bash
# Scenario 5: a cgroup under a tight memory limit re-reading a file larger than
# the limit, so its page cache thrashes. Objectives: fio read throughput and
# the cgroup's memory stall (PSI).
source "$(dirname "$0")/common.sh"

NAME=kp-scenario-mem
LIMIT=$((64 * 1024 * 1024))
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  DIRS=(/sys/fs/cgroup/$NAME); LFILE=/sys/fs/cgroup/$NAME/memory.high
  echo +memory > /sys/fs/cgroup/cgroup.subtree_control
  PSI=/sys/fs/cgroup/$NAME/memory.pressure
else
  DIRS=(/sys/fs/cgroup/unified/$NAME /sys/fs/cgroup/memory/$NAME)
  LFILE=/sys/fs/cgroup/memory/$NAME/memory.limit_in_bytes
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
dd if=/dev/urandom of="$FILE" bs=1M count=192 oflag=direct status=none

# mibps SECONDS: re-read the file inside the cgroup; prints "MiB/s stall_ms/s".
mibps() {
  local s0 s1
  s0=$(awk -F'total=' '/^some/{print $2}' $PSI)
  local bw
  bw=$(sh -c "$enter; exec fio --name=reread --filename=$FILE --rw=read --bs=128k --size=192M \
        --time_based --runtime=$1 --ioengine=psync --output-format=json" 2>/dev/null |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw"]/1024)')
  s1=$(awk -F'total=' '/^some/{print $2}' $PSI)
  echo "$bw $(( (s1 - s0) / 1000 / $1 ))"
}

read -r before stall_b <<<"$(mibps 8)"
echo "before: $before MiB/s, memory stall ${stall_b} ms/s, limit $(cat $LFILE)"

( while true; do mibps 4 >/dev/null; done ) &
LOAD=$!
cleanup "kill $LOAD 2>/dev/null; sleep 4"
start_tune --interval 1 --window 4 --tuners memory_high --memory-high-max $((1024 * 1024 * 1024)) \
  --scope "/$NAME"
wait_for_kept 90 || { show_log; echo "kpulse kept nothing" >&2; exit 1; }
kill $LOAD; wait $LOAD 2>/dev/null || true; sleep 4
read -r after stall_a <<<"$(mibps 8)"
echo "after: $after MiB/s, memory stall ${stall_a} ms/s, limit $(cat $LFILE)"
stop_tune
show_log
echo "restored limit: $(cat $LFILE)"
[ "$(cat $LFILE)" = $LIMIT ] || { echo "limit not restored" >&2; exit 1; }
report memory_limit_throughput "MiB/s" "$before" "$after"
echo "RESULT memory_limit_stall: before ${stall_b} ms/s, after ${stall_a} ms/s"
