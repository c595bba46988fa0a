#!/usr/bin/env bash
# Live alert and recommendation scenarios the integration tests do not run:
# starts one scenario's load in its own cgroups (v1 mirrors on hybrid hosts,
# where the knobs live), runs `kpulse analyze` scoped to them for SECONDS
# (default 40; the load starts 5 s in), and prints each alert (seconds from
# the load's start to firing, cause) and each recommendation (knob, from ->
# to, expected gain). Needs root (BPF, cgroups, loop devices).
#   bench/analytics/live_scenarios.sh SCENARIO [SECONDS] [KPULSE_BINARY]
# SCENARIO: memlimit (a file scanned over and over, twice its v1 memory limit), oomloop (anonymous
# memory over it, no swap), cfsquota (v1 CPU quota), readstorm (random reads
# 32 deep on a loop device), chronic (busy hog beside a latency-sensitive
# cgroup).
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:?scenario}
secs=${2:-40}
kpulse=${3:-build/userspace/kpulse}

v2=/sys/fs/cgroup
[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && v2=/sys/fs/cgroup/unified
hybrid=
[ "$v2" != /sys/fs/cgroup ] && hybrid=1
tag=kpulse-bench-scn-$$
work=/var/tmp/$tag
cgroups=() loops=() mounts=() v1dirs=()
out=$(mktemp)

cleanup() {
  set +e
  for cg in "${cgroups[@]}"; do
    echo 1 >"$v2$cg/cgroup.kill" 2>/dev/null
    for p in $(cat "$v2$cg/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  sleep 0.5
  for m in "${mounts[@]}"; do umount -l "$m"; done
  for l in "${loops[@]}"; do losetup -d "$l"; done
  for d in "${v1dirs[@]}"; do rmdir "$d" 2>/dev/null; done
  for cg in "${cgroups[@]}"; do rmdir "$v2$cg" 2>/dev/null; done
  rm -rf "$work" "$out"
}
trap cleanup EXIT
mkdir -p "$work"

# The helpers below record what they create for cleanup(), so they return
# their result in $dev / $join, not through a subshell that would lose it.
new_loop() {
  truncate -s "$1" "$work/$2.img"
  dev=$(losetup --direct-io=on -f --show "$work/$2.img")
  loops+=("$dev")
}

# mk_cgroup NAME [v1 controller:file=value]...: the cgroup2 directory and,
# on hybrid hosts, its mirror in each named v1 hierarchy with the setting;
# $join: the shell line that moves a shell into all of them.
mk_cgroup() {
  local cg=/$tag-$1
  shift
  mkdir "$v2$cg"
  cgroups+=("$cg")
  join="echo \$\$ > $v2$cg/cgroup.procs"
  for spec in "$@"; do
    local ctrl=${spec%%:*} setting=${spec#*:}
    local d=/sys/fs/cgroup/$ctrl$cg
    if [ -n "$hybrid" ]; then
      mkdir -p "$d"
      v1dirs+=("$d")
      [ "$setting" = "-" ] || echo "${setting#*=}" >"$d/${setting%%=*}"
      join="$join && echo \$\$ > $d/cgroup.procs"
    fi
  done
}

# run_in JOIN COMMAND: COMMAND in the background, once its shell has joined.
run_in() {
  local f
  f=$(mktemp "$work/cmd-XXXXXX.sh")
  printf '%s\n' "$2" >"$f"
  setsid sh -c "$1 && exec sh $f" >/dev/null 2>&1 </dev/null &
  disown  # killed with its cgroup at cleanup: no job-control notice then
}

scope=()
case $scenario in
  memlimit)
    new_loop 384M cache
    mkfs.ext4 -q -F "$dev"
    mkdir -p "$work/cache" && mount "$dev" "$work/cache" && mounts+=("$work/cache")
    dd if=/dev/urandom of="$work/cache/data" bs=1M count=192 oflag=direct status=none
    mk_cgroup cache memory:memory.limit_in_bytes=64M
    scope+=(--scope "cgroup:/$tag-cache")
    load=("$join" "while :; do cat $work/cache/data > /dev/null; done")
    ;;
  oomloop)
    mk_cgroup oom memory:memory.limit_in_bytes=128M
    scope+=(--scope "cgroup:/$tag-oom")
    load=("$join" "while :; do python3 -c \"b = bytearray(160 << 20); import time; time.sleep(1)\"; sleep 0.5; done")
    ;;
  cfsquota)
    mk_cgroup quota cpu:cpu.cfs_quota_us=20000 cpuacct:-
    scope+=(--scope "cgroup:/$tag-quota")
    load=("$join" "exec stress-ng --cpu 2 --timeout 300")
    ;;
  readstorm)
    new_loop 256M storm
    mk_cgroup storm blkio:-
    scope+=(--scope "disk:${dev#/dev/}" --scope "cgroup:/$tag-storm")
    load=("$join" "exec fio --name=storm --filename=$dev --direct=1 --rw=randread --bs=4k --iodepth=32 --ioengine=libaio --time_based --runtime=300")
    ;;
  chronic)
    mk_cgroup hog cpu:- cpuacct:-
    hog=$join
    mk_cgroup svc cpu:- cpuacct:-
    svc=$join
    scope+=(--scope "cgroup:/$tag-svc" --scope "cgroup:/$tag-hog")
    run_in "$hog" "exec stress-ng --cpu 6 --timeout 300"
    # A latency-sensitive service: 2 ms of work every 20 ms.
    load=("$svc" "exec python3 -c \"
import time
while True:
    end = time.perf_counter() + 0.002
    while time.perf_counter() < end: pass
    time.sleep(0.02)
\"")
    ;;
  *)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac

start_ns=$(($(date +%s%N) + 5000000000))
(sleep 5 && run_in "${load[0]}" "${load[1]}") &
"$kpulse" analyze --duration "$secs" --json -q "${scope[@]}" --history '' >"$out"
python3 - "$out" "$start_ns" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
start = int(sys.argv[2])
print("alerts:")
for a in d["alert_history"]:
    if a["state"] != "firing":
        continue
    t = (a["firing_ns"] - start) / 1e9
    print(f"  +{t:5.1f}s {a['severity']:8} {a['rule']} on {a['component']} ({a['basis']}); "
          f"cause {a['cause'] or '-'} {a['cause_processes'][:2]}; peak {a['peak_saturation']:.2f}")
    print("     ", a["summary"])
print("recommendations:")
for r in d["recommendations"]:
    k = r["knob"]
    print(f"  {r['scenario']}: {k['name']} of {k['cgroup'] or k['device'] or 'host'} "
          f"{r['current_value']!r} -> {r['proposed_value']!r}{' (advice only)' if r['advice_only'] else ''}"
          f" conf {r['confidence']:.2f}\n      path {k['path']}\n      gain: {r['expected_gain']}")
print("patterns:")
for p in d["patterns"]:
    print(f"  {p['component']}: {p['class']} ({p['evidence']})")
PY
