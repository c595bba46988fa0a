#!/usr/bin/env bash
# Drives `kpulse top` in a detached tmux server and asserts on the captured
# screen: header, sorting, filter, tree, views, help, resize, clean exit and
# terminal restore on q / SIGTERM / SIGSEGV, and (live only) a CPU hog in a
# test cgroup at the top when sorted by CPU.
#
# Usage:
#   top_tmux_test.sh BUILD/tests/kpulse_tui_demo            # synthetic host
#   top_tmux_test.sh BUILD/userspace/kpulse top --source synthetic
#   KPULSE_LIVE=1 top_tmux_test.sh BUILD/userspace/kpulse top   # + live hog check (root)
# Exit status: 0 when every check passes; prints one line per check.
set -uo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BINARY [ARGS...]" >&2
  exit 2
fi
if ! command -v tmux >/dev/null; then
  echo "SKIP: tmux not installed" >&2
  exit 77
fi
CMD=("$@")
LIVE_CMD=("$@")
# The layout, key and signal checks assert on known rows, so they run on the
# synthetic host; the live section below uses the real collector.
if [[ "${KPULSE_LIVE:-0}" == 1 ]]; then CMD+=(--source synthetic); fi
SOCK="kpulse-tui-test-$$"
T=(tmux -L "$SOCK" -f /dev/null)
WORK=$(mktemp -d)
HOG_PID=""
CGROUP_DIRS=()
FAILS=0
PASSES=0

cleanup() {
  "${T[@]}" kill-server 2>/dev/null || true
  if [[ -n "$HOG_PID" ]]; then kill "$HOG_PID" 2>/dev/null || true; wait "$HOG_PID" 2>/dev/null || true; fi
  for d in "${CGROUP_DIRS[@]}"; do rmdir "$d" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "PASS $1"; PASSES=$((PASSES + 1)); }
fail() {
  echo "FAIL $1"
  echo "---- screen ----"
  screen | sed 's/^/| /'
  echo "----------------"
  FAILS=$((FAILS + 1))
}
screen() { "${T[@]}" capture-pane -p -t top 2>/dev/null; }
keys() { "${T[@]}" send-keys -t top "$@"; }
# wait_for REGEX [SECONDS]: true once the screen matches.
wait_for() {
  local deadline=$((SECONDS + ${2:-5}))
  while ((SECONDS < deadline)); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
wait_gone() {
  local deadline=$((SECONDS + ${2:-5}))
  while ((SECONDS < deadline)); do
    screen | grep -Eq -- "$1" || return 0
    sleep 0.1
  done
  return 1
}
check() {  # check NAME REGEX: the screen shows REGEX within 5 s
  if wait_for "$2"; then pass "$1"; else fail "$1 (expected /$2/)"; fi
}
# The first table row after the NAME header.
first_row() { screen | awk '/^NAME /{getline; print; exit}'; }
# The UI's process: the pane shell's child.
top_pid() { pgrep -n -P "$("${T[@]}" display-message -p -t top '#{pane_pid}')" || true; }
quoted_cmd() { printf '%q ' "${CMD[@]}"; }

# A plain shell in a fixed-size pane; top runs inside it so the shell shows
# what top left behind (exit code, terminal modes).
start_shell() {
  "${T[@]}" kill-server 2>/dev/null || true
  # The old server may still be shutting down on the same socket: retry.
  local tries
  for tries in $(seq 30); do
    "${T[@]}" new-session -d -s top -x "${1:-120}" -y "${2:-40}" \
      "env -i PATH=$PATH HOME=$WORK TERM=xterm-256color LANG=C.UTF-8 PS1='prompt\$ ' bash --norc --noprofile" \
      2>/dev/null && break
    sleep 0.1
  done
  wait_for 'prompt\$' 5 || { echo "FAIL shell did not start"; exit 1; }
}
start_top() {  # start_top [EXTRA ARGS]: runs top in the shell, then prints its exit code and stty
  keys "clear; ${TOP_ENV:-} $(quoted_cmd) $* ; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo" Enter
  wait_for '^kpulse top' 10
}

# ---- header, sorting, filter, tree -------------------------------------------
start_shell 120 40
if start_top -d 0.3; then pass "starts"; else fail "starts"; fi
check "header: title" '^kpulse top +1 Overview'
check "header: CPU meters" '^cpu0 +\['
check "header: memory and swap" '^Mem +\[.*Swp +\['
check "header: PSI, disk, net" '^PSI cpu .*Disk r .*Net rx'
check "header: kpulse own cost" '^kpulse cpu .*rss .*events'
check "table header" '^NAME +CPU%'
check "status bar hints" 'Help .*Quit'

keys Space  # pause: a frozen snapshot makes order changes attributable to the keys
check "pause" 'PAUSED'
keys c      # cgroups only: names without spaces, so columns split cleanly
check "cgroups only" 'cgroups only'
sleep 0.3
cpu_first=$(first_row)  # sorted by CPU% (the default)
keys 5      # memory view: NAME MEM HIGH MAX ...
check "memory view" '^NAME +MEM +HIGH'
keys M
wait_for 'sort MEM desc' 3
sleep 0.3
# MEM column (2nd field) must be non-increasing down the table.
if screen | awk '
    function bytes(s,  n, u) { n = s + 0; u = substr(s, length(s));
      if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824;
      return n }
    /^NAME /{t = 1; next} t && NF >= 2 && $2 != "-" { v = bytes($2);
      if (seen && v > prev) bad = 1; prev = v; seen++ }
    END { exit !(seen >= 5 && !bad) }'; then
  pass "sort by M orders MEM descending"
else
  fail "sort by M orders MEM descending"
fi
keys 1
sleep 0.3
mem_first=$(first_row)
keys P
sleep 0.3
if [[ -n "$cpu_first" && "$mem_first" != "$cpu_first" && "$(first_row)" == "$cpu_first" ]]; then
  pass "sort changes the order (P vs M)"
else
  fail "sort changes the order (P vs M): cpu='$cpu_first' mem='$mem_first'"
fi
keys F6
check "F6 sort menu" 'Sort by \(Up/Down'
keys Escape
keys c Space  # processes back, resume

keys / n g i n x Enter
if wait_for 'nginx \[' && wait_gone 'postgres \[|java \['; then
  pass "filter hides rows"
else
  fail "filter hides rows"
fi
keys / Escape
check "filter cleared" 'postgres \['

keys t
if wait_for '(├─|\|-)svc-[0-9]+\.service' && wait_for '^system\.slice '; then
  pass "tree indents children under parents"
else
  fail "tree indents children under parents"
fi
keys t

# ---- views, help, detail -------------------------------------------------------
keys 2; check "view 2 title" '2 CPU & scheduler'; check "view 2 per-CPU latency" 'run-queue latency'
keys 3; check "view 3 title" '3 Disks'; check "view 3 devices" '^DEVICE '
keys 4; check "view 4 title" '4 Network'; check "view 4 interfaces" '^IFACE '
keys 5; check "view 5 title" '5 Memory'; check "view 5 memory" '^RAM total'
keys 6; check "view 6 title" '6 Alerts'
keys 7; check "view 7 title" '7 Forecasts'
keys 8; check "view 8 title" '8 CPU profile'; check "view 8: top records no stacks" 'no recorded stacks'
keys 1
keys h
check "help title" 'Keys \(any key returns'
check "help lists sort keys" 'F6 .*sort menu'
check "help lists quit" 'q F10 .*quit'
check "help lists filter" '/ F4 .*filter rows'
keys Escape
keys Enter
check "detail view" '^Detail: '
check "detail sparklines" 'Recent values'
keys Escape

# ---- resize ----------------------------------------------------------------------
"${T[@]}" resize-window -t top -x 80 -y 24
sleep 0.5
lines=$(screen | wc -l)
widest=$(screen | LC_ALL=C.UTF-8 wc -L)  # display columns, not bytes
if [[ "$lines" -eq 24 && "$widest" -le 80 ]] && wait_for '^kpulse top' && wait_for '^NAME +CPU%' \
   && screen | tail -1 | grep -q 'Help'; then
  pass "resize to 80x24 keeps the layout"
else
  fail "resize to 80x24 keeps the layout (lines=$lines widest=$widest)"
fi

# ---- q restores the terminal ---------------------------------------------------------
keys q
if wait_for 'EXIT=0' && wait_for '^icanon echo' && wait_gone '^kpulse top'; then
  pass "q exits 0 and restores the terminal"
else
  fail "q exits 0 and restores the terminal"
fi

# ---- signals restore the terminal ------------------------------------------------------
for sig in TERM INT; do
  start_shell 100 30
  start_top -d 0.3 || { fail "start for SIG$sig"; continue; }
  sleep 0.5
  target=$(top_pid)
  if [[ -n "$target" ]]; then kill -s "$sig" "$target"; fi
  if wait_for 'EXIT=0' && wait_for '^icanon echo'; then
    pass "SIG$sig quits cleanly and restores the terminal"
  else
    fail "SIG$sig quits cleanly and restores the terminal"
  fi
done
start_shell 100 30
start_top -d 0.3 && sleep 0.5
target=$(top_pid)
[[ -n "$target" ]] && kill -s SEGV "$target"
if wait_for 'terminal restored' && wait_for 'EXIT=139' && wait_for '^icanon echo'; then
  pass "SIGSEGV restores the terminal before dying"
else
  fail "SIGSEGV restores the terminal before dying"
fi

# ---- colour, monochrome and dumb terminals -----------------------------------------------
colour_codes() { "${T[@]}" capture-pane -p -e -t top | grep -cE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m' || true; }
start_shell 100 30
start_top -d 0.3 && sleep 0.5
coloured=$(colour_codes)
keys q
wait_for 'EXIT=0'
start_shell 100 30
TOP_ENV="NO_COLOR=1" start_top -d 0.3 && sleep 0.5
mono=$(colour_codes)
if [[ "$coloured" -gt 0 && "$mono" -eq 0 ]] && screen | grep -q '^NAME'; then
  pass "NO_COLOR=1 draws without colour (colour lines: $coloured -> $mono)"
else
  fail "NO_COLOR=1 draws without colour (colour lines: $coloured -> $mono)"
fi
keys q
wait_for 'EXIT=0'
start_shell 100 30
keys "clear; TERM=dumb $(quoted_cmd) -d 0.3 -n 2; echo EXIT=\$?" Enter
scrollback() { "${T[@]}" capture-pane -p -S -1000 -t top; }
if wait_for 'EXIT=0' && [[ $(scrollback | grep -c '^NAME ') -eq 2 ]] \
   && scrollback | grep -q 'printing plain frames'; then
  pass "TERM=dumb falls back to plain frames"
else
  fail "TERM=dumb falls back to plain frames"
fi

# ---- live: a CPU hog in a test cgroup tops the CPU sort ----------------------------------
if [[ "${KPULSE_LIVE:-0}" == 1 ]]; then
  if [[ $EUID -ne 0 ]]; then
    if [[ "${KPULSE_REQUIRE_BPF:-0}" == 1 ]]; then fail "live hog check: needs root (KPULSE_REQUIRE_BPF=1)"; fi
    echo "SKIP live hog check: needs root"
  else
    name="kpulse-tui-test-$$"
    for root in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/cpu; do
      [[ -d "$root" && -w "$root" ]] || continue
      [[ "$root" == /sys/fs/cgroup && ! -e /sys/fs/cgroup/cgroup.controllers && ! -e /sys/fs/cgroup/cpu.shares ]] && continue
      mkdir -p "$root/$name" && CGROUP_DIRS+=("$root/$name")
    done
    bash -c 'for d in "$@"; do echo $$ > "$d/cgroup.procs"; done; while :; do :; done' hog "${CGROUP_DIRS[@]}" &
    HOG_PID=$!
    CMD=("${LIVE_CMD[@]}")
    start_shell 160 40
    start_top -d 1
    keys c P
    sleep 4
    # The root cgroup "/" sums the whole host, so the hog must lead the rest.
    first_child() { screen | awk '/^NAME /{f=1; next} f && $1 != "/" {print; exit}'; }
    if screen | grep -q 'sort CPU% desc' && first_child | grep -q "$name"; then
      pass "CPU hog cgroup is the first row below / sorted by CPU"
    else
      fail "CPU hog cgroup is the first row below / sorted by CPU (got: $(first_child))"
    fi
    keys q
  fi
fi

echo "$PASSES passed, $FAILS failed"
[[ $FAILS -eq 0 ]]
