# Sourced by the labelled-set scripts (third_set.sh, long_cycles.sh): each
# workload runs in its own cgroup under the v2 hierarchy, and every cgroup
# and process started here is killed and removed again by cgroup_cleanup.
# Set `tag` (a unique name prefix) and `work` (a scratch directory) first.

v2=/sys/fs/cgroup
[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && v2=/sys/fs/cgroup/unified
cgroups=() labels=()

# Kills every started workload's processes; the caller then removes what
# else it made, and calls cgroup_remove.
cgroup_kill() {
  for cg in "${cgroups[@]}"; do
    echo 1 >"$v2$cg/cgroup.kill" 2>/dev/null
    for p in $(cat "$v2$cg/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
}
cgroup_remove() {
  for cg in "${cgroups[@]}"; do rmdir "$v2$cg" 2>/dev/null; done
}

# Starts `command` (a shell script's text) in a new cgroup /$tag-NAME, as
# the file $work/NAME.sh that its shell execs once it has joined the cgroup;
# PREFIX is the script's first line (e.g. to join a v1 hierarchy too). Adds
# NAME:EXPECTED:/cgroup to `labels` for kpulse_classify_live.
start() {
  local name=$1 expected=$2 command=$3 prefix=${4:-}
  local cg=/$tag-$name
  mkdir "$v2$cg"
  cgroups+=("$cg")
  printf '%s\n%s\n' "$prefix" "$command" >"$work/$name.sh"
  CG=$cg setsid sh -c "echo \$\$ > $v2$cg/cgroup.procs && exec sh $work/$name.sh" \
    >/dev/null 2>&1 </dev/null &
  disown  # killed with its cgroup at cleanup: no job-control notice then
  labels+=("$name:$expected:$cg")
}
