#!/usr/bin/env bash
# Per-event cost of kpulse's inet_sock_set_state program under connection
# churn: attaches kpulse through the engine driver of each BUILD_DIR in
# turn (interleaved, ROUNDS rounds), turns bpf_stats on, makes N loopback
# TCP connections (connect, accept, close), and prints run_time_ns / run_cnt
# per build and round, then the medians. Restores kernel.bpf_stats_enabled
# and stops the driver, also on Ctrl-C.
#   sudo bench/overhead/connect_cost.sh [-n N] [-r ROUNDS] BUILD_DIR...
set -euo pipefail
connections=20000 rounds=3
while getopts n:r: opt; do
  case $opt in
    n) connections=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- "$(dirname "$0")/../../build"
previous=$(sysctl -n kernel.bpf_stats_enabled)
pid=
trap 'sysctl -qw kernel.bpf_stats_enabled=$previous; [ -z "$pid" ] || kill $pid 2>/dev/null; wait 2>/dev/null || true' EXIT
sysctl -qw kernel.bpf_stats_enabled=1
stats() {  # "run_time_ns run_cnt" of the state program
  bpftool prog show --json | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin) if p.get("name", "").startswith("kp_inet_sock_se")]
print(p[0].get("run_time_ns", 0), p[0].get("run_cnt", 0)) if p else print("0 0")'
}
churn() {  # N connections over 127.0.0.1; RST on close leaves no TIME-WAIT
  python3 - "$connections" <<'PY'
import socket, struct, sys, threading
n = int(sys.argv[1])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(512)
port = listener.getsockname()[1]
def accept_all():
    for _ in range(n):
        conn, _ = listener.accept()
        conn.close()
server = threading.Thread(target=accept_all)
server.start()
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect(("127.0.0.1", port))
    s.close()
server.join()
PY
}
results=$(mktemp)
for round in $(seq "$rounds"); do
  for build in "$@"; do
    "$build/bench/overhead/kpulse_engine_driver" --intervals 0 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do  # until the driver has attached its programs
      [ "$(stats)" != "0 0" ] && break
      sleep 0.2
    done
    sleep 1
    read -r t0 c0 < <(stats)
    churn
    read -r t1 c1 < <(stats)
    kill $pid; wait $pid 2>/dev/null || true; pid=
    awk -v b="$build" -v r="$round" -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN {
      printf "round %d %s: %.1f ns/event over %d events\n", r, b, c ? t / c : 0, c }' | tee -a "$results"
  done
done
echo "medians:"
for build in "$@"; do
  grep -F " $build: " "$results" | awk '{ print $4 }' | sort -n |
    awk -v b="$build" '{ v[NR] = $1 } END { printf "  %s: %.1f ns/event\n", b, v[int((NR + 1) / 2)] }'
done
rm -f "$results"
