# Sourced by the profiling benchmarks: BPF run-time statistics held on while
# measuring, and the kernel time of the profiler's programs.
#   start_bpf_stats    (sets bpf_stats_pid; kill it when done)
#   kp_profile_ns      run_time_ns summed over the kp_profile programs loaded now
#   kp_prog_stats N    "run_time_ns run_cnt" of the programs named N
#   median_columns     rows of numbers on stdin -> the median of each column

start_bpf_stats() {  # holds BPF_ENABLE_STATS while the helper process lives
  python3 - <<'PY' &
import ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(8)  # enable_stats.type = BPF_STATS_RUN_TIME (0)
fd = libc.syscall(321, 32, attr, 4)     # SYS_bpf, BPF_ENABLE_STATS
if fd < 0:
    raise SystemExit("BPF_ENABLE_STATS failed: errno %d" % ctypes.get_errno())
signal.sigwait([signal.SIGTERM])
PY
  bpf_stats_pid=$!
  sleep 0.5
}

kp_profile_ns() {
  bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if p.get("name") == "kp_profile"))'
}

kp_prog_stats() {  # NAME (as bpftool shows it): "run_time_ns run_cnt"
  bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
ps = [p for p in json.load(sys.stdin) if p.get("name") == sys.argv[1]]
print(sum(p.get("run_time_ns", 0) for p in ps), sum(p.get("run_cnt", 0) for p in ps))' "$1"
}

median_columns() {  # the benches' per-run lines -> one line of medians
  python3 -c "
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print(' '.join(repr(statistics.median(c)) for c in zip(*rows)))"
}
