# Sourced by live_scenarios.sh and recommend_outcome.sh: sets one scenario's
# load up in its own cgroups (v1 mirrors on hybrid hosts, where the knobs
# live). setup_scenario NAME fills `scope` (kpulse analyze --scope
# arguments), `load` (the join line and command to start), `target` (the
# cgroup path or device whose knob a recommendation should turn) and
# `scenario_rule` (the recommendation scenario expected there).
# scenario_cleanup kills and removes all of it. Set `tag` and `work` first.
# SCENARIO: memlimit (a file scanned over and over, three times its v1 memory
# limit), oomloop (anonymous memory over it, no swap), cfsquota (v1 CPU quota
# far under the demand), quotafit (a quota the demand exceeds by a fifth),
# readstorm (random reads 32 deep on a loop device), chronic (busy hog beside
# a latency-sensitive cgroup; chronic-hog: the same, judged on the hog).

v2=/sys/fs/cgroup
[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && v2=/sys/fs/cgroup/unified
hybrid=
[ "$v2" != /sys/fs/cgroup ] && hybrid=1
cgroups=() loops=() mounts=() v1dirs=()

scenario_cleanup() {
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
  rm -rf "$work"
}

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
    else
      # cgroup2 only: the same limit in its v2 file.
      case ${setting%%=*} in
        memory.limit_in_bytes) echo "${setting#*=}" >"$v2$cg/memory.max" ;;
        cpu.cfs_quota_us) echo "${setting#*=} 100000" >"$v2$cg/cpu.max" ;;
      esac
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

setup_scenario() {
  scope=() target= scenario_rule=
  mkdir -p "$work"
  case $1 in
    memlimit)
      new_loop 384M cache
      mkfs.ext4 -q -F "$dev"
      mkdir -p "$work/cache" && mount "$dev" "$work/cache" && mounts+=("$work/cache")
      dd if=/dev/urandom of="$work/cache/data" bs=1M count=192 oflag=direct status=none
      mk_cgroup cache memory:memory.limit_in_bytes=64M
      scope+=(--scope "cgroup:/$tag-cache")
      target=/$tag-cache scenario_rule=memory-limit-pressure
      load=("$join" "while :; do cat $work/cache/data > /dev/null; done")
      ;;
    oomloop)
      mk_cgroup oom memory:memory.limit_in_bytes=128M
      scope+=(--scope "cgroup:/$tag-oom")
      target=/$tag-oom scenario_rule=oom-limit
      load=("$join" "while :; do python3 -c \"b = bytearray(160 << 20); import time; time.sleep(1)\"; sleep 0.5; done")
      ;;
    cfsquota)
      mk_cgroup quota cpu:cpu.cfs_quota_us=20000 cpuacct:-
      scope+=(--scope "cgroup:/$tag-quota")
      target=/$tag-quota scenario_rule=cpu-quota-throttling
      load=("$join" "exec stress-ng --cpu 2 --timeout 300")
      ;;
    quotafit)
      mk_cgroup quota cpu:cpu.cfs_quota_us=50000 cpuacct:-
      scope+=(--scope "cgroup:/$tag-quota")
      target=/$tag-quota scenario_rule=cpu-quota-throttling
      load=("$join" "exec stress-ng --cpu 1 --cpu-load 60 --timeout 300")
      ;;
    readstorm)
      new_loop 256M storm
      # Written first: reads of a sparse file's holes never reach a disk.
      dd if=/dev/urandom of="$dev" bs=1M count=256 oflag=direct status=none
      mk_cgroup storm blkio:-
      scope+=(--scope "disk:${dev#/dev/}" --scope "cgroup:/$tag-storm")
      target=/$tag-storm scenario_rule=io-hog-cap
      load=("$join" "exec fio --name=storm --filename=$dev --direct=1 --rw=randread --bs=4k --iodepth=32 --ioengine=libaio --time_based --runtime=300")
      ;;
    chronic | chronic-hog)
      mk_cgroup hog cpu:- cpuacct:-
      hog=$join
      mk_cgroup svc cpu:- cpuacct:-
      svc=$join
      scope+=(--scope "cgroup:/$tag-svc" --scope "cgroup:/$tag-hog")
      target=/$tag-svc scenario_rule=cpu-contention
      [ "$1" = chronic-hog ] && target=/$tag-hog scenario_rule=cpu-hog
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
      echo "unknown scenario $1" >&2
      exit 2
      ;;
  esac
}

