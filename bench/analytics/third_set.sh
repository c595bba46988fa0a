#!/usr/bin/env bash
# A third labelled set of live workloads, unlike both sets of
# tests/integration/analytics_workload_test.cpp (other tools, parameters and
# shapes), each in its own cgroup and all running at once; kpulse_classify_live
# labels them with the tests' method and prints the confusion matrix.
# The expected labels were written down before the first run, from what each
# workload waits on (bench/analytics/README.md says why for each).
# Needs root (BPF, cgroups, loop devices, network namespaces) and a built tree
# (target kpulse_classify_live).
#   bench/analytics/third_set.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
classify=$build/bench/kpulse_classify_live
[ -x "$classify" ] || { echo "build $classify first (ninja -C $build kpulse_classify_live)" >&2; exit 2; }
for tool in stress-ng iperf3 python3 gzip tar dd mkfs.ext4 losetup ip; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

v1_memory=/sys/fs/cgroup/memory
[ -e "$v1_memory/memory.limit_in_bytes" ] || v1_memory=
tag=kpulse-bench-wl3-$$
work=/var/tmp/$tag
ns_a=$tag-a ns_b=$tag-b
subnet=10.216.$(($$ % 200))
port=$((20000 + $$ % 20000))
. bench/analytics/cgroup_workloads.sh
pids=() loops=() mounts=()

cleanup() {
  set +e
  cgroup_kill
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns pids "$ns_b" 2>/dev/null | xargs -r kill -9
  sleep 0.5
  for m in "${mounts[@]}"; do umount -l "$m"; done
  for l in "${loops[@]}"; do losetup -d "$l"; done
  cgroup_remove
  for cg in "${cgroups[@]}"; do [ -n "$v1_memory" ] && rmdir "$v1_memory$cg" 2>/dev/null; done
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work"

# A loop device over a sparse file, direct I/O so requests reach the disk
# rather than the host's page cache; in $dev (not printed: a subshell would
# lose what loops+= records for cleanup).
new_loop() {
  truncate -s "$1" "$work/$2.img"
  dev=$(losetup --direct-io=on -f --show "$work/$2.img")
  loops+=("$dev")
}
# An ext4 on a new loop device, mounted at $work/NAME.
new_fs() {
  new_loop "$1" "$2"
  mkfs.ext4 -q -F "$dev"
  mkdir -p "$work/$2"
  mount "$dev" "$work/$2"
  mounts+=("$work/$2")
}

new_loop 512M raw
raw=$dev
new_fs 256M sync
new_fs 384M cache
# The cache's data, written around the page cache: nothing of it is charged
# to this shell's memory cgroup before the workload reads it.
dd if=/dev/urandom of="$work/cache/data" bs=1M count=192 oflag=direct status=none

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "kpa$$" netns "$ns_a" type veth peer name "kpb$$" netns "$ns_b"
ip -n "$ns_a" addr add "$subnet.1/24" dev "kpa$$"
ip -n "$ns_b" addr add "$subnet.2/24" dev "kpb$$"
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
ip -n "$ns_a" link set "kpa$$" up
ip -n "$ns_b" link set "kpb$$" up
ip netns exec "$ns_b" iperf3 -s -p "$port" >/dev/null 2>&1 &
pids+=($!)
disown
iperf3 -s -p "$port" -B 127.0.0.1 >/dev/null 2>&1 &
pids+=($!)
disown
sleep 0.5

# The v1 memory limit (hybrid hosts keep the memory controller on v1): the
# same path in the v1 hierarchy, 64 MiB against a 192 MiB file read at random.
join_limited=
if [ -n "$v1_memory" ]; then
  join_limited="mkdir -p $v1_memory\$CG && echo 64M > $v1_memory\$CG/memory.limit_in_bytes && echo \$\$ > $v1_memory\$CG/cgroup.procs;"
else
  join_limited="echo 64M > $v2\$CG/memory.max;"
fi

start tarball cpu-bound \
  "while :; do tar -cf - -C /usr include | gzip -6 > /dev/null; done"
start ddwrite io-bound \
  "while :; do dd if=/dev/zero of=$raw bs=1M count=512 oflag=direct status=none; done"
start fsync io-bound \
  "while :; do dd if=/dev/zero of=$work/sync/f bs=4k count=2000 oflag=dsync status=none; done"
start cache memory-bound \
  "cat $work/cache/data > /dev/null; exec python3 -c \"
import os, random
fd = os.open('$work/cache/data', os.O_RDONLY); n = os.fstat(fd).st_size // 4096
while True: os.pread(fd, 4096, random.randrange(n) * 4096)
\"" "$join_limited"
start stream cpu-bound "exec stress-ng --stream 1 --timeout 300"
start udp network-bound "exec iperf3 -u -c 127.0.0.1 -p $port -b 100M -l 1400 -t 300"
start vethtcp network-bound "exec ip netns exec $ns_a iperf3 -c $subnet.2 -p $port -R -b 50M -t 300"
start periodic10 periodic \
  "while :; do timeout 10 python3 -c \"while True: pass\"; sleep 10; done"
start bursty bursty "exec python3 -c \"
import random, time
random.seed(7)
while True:
    end = time.time() + random.uniform(0.5, 3)
    while time.time() < end: pass
    time.sleep(random.uniform(1, 6))
\""
start tick100ms idle "exec python3 -c \"
import time
while True:
    time.sleep(0.1); sum(range(2000))
\""

"$classify" --set "third set" "${labels[@]}"
