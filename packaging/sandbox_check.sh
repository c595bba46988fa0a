#!/usr/bin/env bash
# Checks that `kpulse run` still collects under kpulse.service's sandbox on a
# host without systemd as PID 1 (CI containers, this build machine), where
# `systemd-run -p ...` cannot be used. It rebuilds the parts of the sandbox
# that could break collection in a private mount namespace and audits the
# rest:
#   ProtectProc=invisible      a fresh procfs mounted hidepid=invisible
#   ProtectKernelTunables=yes  /proc/sys read-only
#   ProtectControlGroups=yes   the cgroup hierarchy read-only
#   PrivateDevices=yes         a /dev with only null, zero, full, random,
#                              urandom, tty and pts
#   SystemCallFilter=          every system call kpulse made (strace -f) must
#                              be in @system-service, bpf or perf_event_open
#   CapabilityBoundingSet=     run with exactly the unit's bounding set (setpriv)
# and then requires every probe group active, snapshots recorded and a clean
# exit. Usage (root): packaging/sandbox_check.sh [KPULSE_BINARY] [SECONDS]
set -euo pipefail
bin=$(realpath "${1:-build/userspace/kpulse}")
seconds=${2:-8}
unit=$(dirname "$0")/kpulse.service
work=$(mktemp -d /var/tmp/kpulse-sandbox-XXXXXX)
trap 'rm -rf "$work"' EXIT
state=$work/state
mkdir -p "$state"
cat >"$work/kpulse.toml" <<TOML
[collection]
interval = 0.5
[daemon]
log_level = "info"
status_interval = 0
[state]
dir = "$state"
[record]
enabled = true
TOML

# The unit's bounding set, as setpriv wants it (+bpf,+perfmon,...).
bound=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | head -1 | tr 'A-Z' 'a-z' |
  sed 's/cap_//g; s/ /,+/g; s/^/+/')

cat >"$work/inner.sh" <<INNER
set -euo pipefail
mount --make-rprivate /
mount -t proc -o hidepid=invisible proc /proc
mount --bind -o ro /proc/sys /proc/sys 2>/dev/null || mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
for d in /sys/fs/cgroup /sys/fs/cgroup/*; do
  [[ -d \$d ]] && mountpoint -q \$d && mount -o remount,bind,ro \$d || true
done
mkdir -p $work/dev/pts
mount -t tmpfs -o mode=0755,nosuid tmpfs $work/dev
for n in null zero full random urandom tty; do
  touch $work/dev/\$n && mount --bind /dev/\$n $work/dev/\$n
done
mkdir -p $work/dev/pts && mount --bind /dev/pts $work/dev/pts
mount --bind $work/dev /dev
cd /
exec setpriv --bounding-set=-all,$bound --inh-caps=-all \
  strace -f -qq -o $work/strace.txt -e trace=all $bin run --config $work/kpulse.toml
INNER

unshare --mount --propagation private bash "$work/inner.sh" 2>"$work/run.log" &
pid=$!
sleep "$seconds"
pkill -TERM -P "$pid" -x strace 2>/dev/null || true
# strace forwards the signal to kpulse; wait for both.
for p in $(pgrep -f "$bin run --config $work/kpulse.toml"); do kill -TERM "$p" 2>/dev/null || true; done
wait "$pid" || true

echo "== log"
cat "$work/run.log"
fail=0
grep -q "collecting every" "$work/run.log" || { echo "FAIL: never started"; fail=1; }
if grep -q "probe group .*: inactive" "$work/run.log"; then
  echo "FAIL: a probe group is inactive under the sandbox"; fail=1
fi
grep -q "info: stopped" "$work/run.log" || { echo "FAIL: no clean stop"; fail=1; }
n=$("$bin" dump "$state/recordings" 2>/dev/null | awk -F, 'NR>1 {print $1}' | sort -u | wc -l)
echo "== snapshots recorded: $n"
((n > 0)) || { echo "FAIL: nothing recorded"; fail=1; }

# Every group @system-service includes, expanded, plus the two by name.
expand() {
  systemd-analyze syscall-filter "$1" 2>/dev/null | sed -n '/^@/!p' | awk 'NF==1 && $1 !~ /^#/ {print $1}' |
    while read -r s; do
      if [[ $s == @* ]]; then expand "$s"; else echo "$s"; fi
    done
}
expand @system-service | sort -u >"$work/allowed.txt"
printf 'bpf\nperf_event_open\n' >>"$work/allowed.txt"
sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$work/strace.txt" | sort -u >"$work/used.txt"
denied=$(comm -23 "$work/used.txt" <(sort -u "$work/allowed.txt") || true)
echo "== system calls used: $(wc -l <"$work/used.txt")"
if [[ -n $denied ]]; then
  echo "FAIL: used but not allowed by SystemCallFilter: $denied"; fail=1
fi
# Device nodes opened beyond PrivateDevices' set.
devs=$(grep -E '(open|openat|openat2)\(' "$work/strace.txt" | grep -o '"/dev/[^"]*"' | sort -u |
  grep -v -E '"/dev/(null|zero|full|random|urandom|tty|pts/[0-9]+)"' || true)
[[ -z $devs ]] || { echo "FAIL: device nodes opened: $devs"; fail=1; }
((fail == 0)) && echo "OK: kpulse run collects under the unit's sandbox"
exit "$fail"
