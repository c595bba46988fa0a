"""Section 1b of bench/run: the share of a workload's CPU time spent in the
attached BPF programs, per configuration, and kpulse's share over the tools'
in the same round (issue 22, 22o).

Why the workload's own CPU time: the programs run inside the workload's tasks
(a tracepoint's program is charged to the task that hit it), so BPF run time /
the workload's CPU time is the fraction of the workload's time the programs
took. The host's busy time, the older denominator, also counts whatever else
the host did in the window (builds, the attached tools' own start-up, bpftool
reading the statistics), which varied by 2x between configurations of one run
and made the ratio meaningless on a shared host.

What the numerator still counts: bpf_stats are per program, not per task, so
events of other tasks in the window (a background build's context switches)
add to every configuration alike; the ratio of two configurations measured in
the same round is the figure, not either share alone.
"""
import ctypes
import os
import platform
import random
import resource
import statistics

# bpf(2) by number (Python has no wrapper), per architecture.
BPF_SYSCALL = {"x86_64": 321, "aarch64": 280, "riscv64": 280, "ppc64le": 361, "s390x": 351}
BPF_ENABLE_STATS = 32  # enum bpf_cmd
BPF_STATS_RUN_TIME = 0


class RunTimeStats:
    """BPF run-time statistics on while this is open, through BPF_ENABLE_STATS:
    the kernel counts the returned descriptor as one reference of its own, so
    another process writing kernel.bpf_stats_enabled (another bench/run
    restoring 0 when it ends) no longer turns them off mid-run, which it did
    when bench/run wrote the sysctl: the libbpf-tools' programs then counted
    0 runs. The descriptor closes at exit however the process exits."""

    def __init__(self):
        self.fd = -1

    def __enter__(self):
        nr = BPF_SYSCALL.get(platform.machine())
        if nr is None:
            raise RuntimeError(f"bpf(2) number unknown on {platform.machine()}")
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        attr = ctypes.c_uint32(BPF_STATS_RUN_TIME)
        fd = libc.syscall(ctypes.c_long(nr), ctypes.c_long(BPF_ENABLE_STATS),
                          ctypes.byref(attr), ctypes.c_uint(ctypes.sizeof(attr)))
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"BPF_ENABLE_STATS: {os.strerror(err)}")
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        return False


def host_busy_cpu_ns():
    """CPU time the whole host spent busy (not idle, not waiting for I/O), from
    /proc/stat (the pre-22o denominator, kept as a column for comparison)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    steal = ticks[7] if len(ticks) > 7 else 0
    return int((sum(ticks[:8]) - idle - steal) * 1e9 / os.sysconf("SC_CLK_TCK"))


class WorkloadCgroup:
    """A cgroup v2 the workloads run in, so their own CPU time can be read
    (cpu.stat usage_usec counts every task of the cgroup, children included,
    with or without the cpu controller)."""

    def __init__(self, cgroup2_root, cleanup):
        self.path = None
        if not cgroup2_root:
            return
        path = os.path.join(cgroup2_root, "kpulse-bench-workload")
        try:
            os.mkdir(path)
        except OSError:
            return  # no writable cgroup2: the workload share is not measured
        self.path = path
        cleanup.push(f"remove {path}", self.remove)

    def wrap(self, cmd):
        """`cmd` started inside the cgroup: the shell joins it, then execs."""
        if not self.path:
            return cmd
        return ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', self.path] + cmd

    def cpu_ns(self):
        if not self.path:
            return None
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                key, value = line.split()
                if key == "usage_usec":
                    return int(value) * 1000
        return None

    def remove(self):
        import time
        for _ in range(50):  # tasks killed a moment ago leave it a little later
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
        os.rmdir(self.path)


def round_order(r):
    """Configurations of round r: kpulse and the tools swap places every
    round, the floor moves through the three positions, so no configuration
    always runs first or right after another."""
    pair = ["kpulse", "tools"] if r % 2 == 0 else ["tools", "kpulse"]
    pair.insert(r % 3, "floor")
    return pair


def children_switches():
    """Context switches of every child process waited for so far (and of their
    waited-for children): a workload's own switches are the growth over its
    run, since bench/run waits for it and it waits for its own processes."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_nvcsw + ru.ru_nivcsw


def sample(bpf_ns, by_hook, host_busy_ns, workload_cpu_ns, wall_s, switches, r, position):
    return {"round": r, "position": position, "bpf_ns": bpf_ns, "by_hook": by_hook,
            "host_busy_ns": host_busy_ns, "workload_cpu_ns": workload_cpu_ns, "wall_s": wall_s,
            "workload_switches": switches}


def workload_share(s, hooks=None):
    """BPF ns / the workload's CPU ns; with `hooks`, only those hooks' programs."""
    if not s["workload_cpu_ns"]:
        return None
    ns = s["bpf_ns"] if hooks is None else sum(
        v[0] for h, v in s["by_hook"].items() if h in hooks)
    return ns / s["workload_cpu_ns"]


def switch_share(s):
    """The same share over the workload's own events: BPF ns per context
    switch in the window (every program / sched_switch runs) times the
    workload's own switches, over its CPU time. Other tasks' events in the
    window (a build, another bench's messaging run) then change the cost per
    switch only by their mix, not by their number. Meaningful where the
    programs' work scales with context switches (the sched workloads)."""
    runs = s["by_hook"].get("sched_switch", [0, 0])[1]
    if not runs or not s["workload_cpu_ns"] or not s.get("workload_switches"):
        return None
    return s["bpf_ns"] / runs * s["workload_switches"] / s["workload_cpu_ns"]


def host_share(s):
    return s["bpf_ns"] / s["host_busy_ns"] if s["host_busy_ns"] > 0 else None


def by_round(samples, config, workload):
    return {s["round"]: s for s in samples.get(config, {}).get(workload, [])}


def round_ratios(samples, workload, share):
    """kpulse's `share` over the tools' in each round that has both."""
    k, t = by_round(samples, "kpulse", workload), by_round(samples, "tools", workload)
    out = []
    for r in sorted(set(k) & set(t)):
        ks, ts = share(k[r]), share(t[r])
        if ks is not None and ts:
            out.append(ks / ts)
    return out


def _med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def _pct(x):
    return "-" if x is None else f"{x * 100:.2f}%"


def median_interval(v):
    """90% bootstrap interval of the median of `v` (fixed seed: the same data
    print the same interval), as section 2 does for its slowdowns."""
    rng = random.Random(1)
    meds = sorted(statistics.median(rng.choices(v, k=len(v))) for _ in range(2000))
    return meds[100], meds[1899]


def _cells(samples, w, share):
    """kpulse, tools, their ratio: median [90% interval] (min-max), per round."""
    k, t = ([share(s) for s in samples.get(c, {}).get(w, [])] for c in ("kpulse", "tools"))
    ratios = round_ratios(samples, w, share)
    if not ratios:
        return [_pct(_med(k)), _pct(_med(t)), "-", "-"]
    lo, hi = median_interval(ratios)
    return [_pct(_med(k)), _pct(_med(t)),
            f"**{statistics.median(ratios):.2f}** [{lo:.2f}, {hi:.2f}] "
            f"({min(ratios):.2f}-{max(ratios):.2f})",
            ", ".join(f"{x:.2f}" for x in ratios)]


def print_shares(samples, kpulse_hooks, tool_hooks, rounds):
    workloads = list(samples.get("kpulse", {}))
    print(f"\n## 1b. BPF run time / the workload's own CPU time (its cgroup's cpu.stat), each "
          f"configuration attached alone, {rounds} rounds (order alternated), bpf_stats on\n")
    print("Per switch: BPF ns per context switch in the window x the workload's own switches "
          "(its getrusage) / its CPU time, the figure for issue 22's messaging target (sched "
          "workloads only). All events: every BPF ns in the window / the workload's CPU time "
          "(other tasks' events included). kpulse/tools: median over rounds of the ratio in "
          "each round [90% bootstrap interval of that median] (min-max). docs/benchmarks.md "
          "has the definitions.\n")
    print("| workload | share | kpulse | libbpf-tools | kpulse/tools | per round |")
    print("|---|---|---:|---:|---:|---|")
    for w in workloads:
        if w.startswith("sched "):
            print(f"| {w} | per switch | " + " | ".join(_cells(samples, w, switch_share)) + " |")
        print(f"| {w} | all events | " + " | ".join(_cells(samples, w, workload_share)) + " |")
    print("\nFloor (empty programs on the same hooks, all events over the workload's CPU) and the "
          "pre-22o figure (all events over the whole host's busy CPU time):\n")
    print("| workload | floor, kpulse's hooks | floor, tools' hooks | "
          "host busy: kpulse / tools / floor |")
    print("|---|---:|---:|---:|")
    for w in workloads:
        floor = samples.get("floor", {}).get(w, [])
        fk = _med([workload_share(s, kpulse_hooks) for s in floor])
        ft = _med([workload_share(s, tool_hooks) for s in floor])
        host = " / ".join(_pct(_med([host_share(s) for s in samples.get(c, {}).get(w, [])]))
                          for c in ("kpulse", "tools", "floor"))
        print(f"| {w} | {_pct(fk)} | {_pct(ft)} | {host} |")
    print_events(samples, workloads)


def print_events(samples, workloads):
    """What the numerator is made of: per configuration, the hooks that ran
    during each workload (median µs and runs per round)."""
    print("\nWhere the BPF time went (medians per round: µs in the programs / runs, per hook; the "
          "workload's cgroup CPU time and getrusage context switches):\n")
    print("| workload | configuration | workload CPU | workload switches | hooks (µs / runs) |")
    print("|---|---|---:|---:|---|")
    for w in workloads:
        for c in ("kpulse", "tools", "floor"):
            ss = samples.get(c, {}).get(w, [])
            if not ss:
                continue
            cells = []
            for h in sorted({h for s in ss for h in s["by_hook"]}):
                ns = _med([s["by_hook"].get(h, [0, 0])[0] for s in ss])
                runs = _med([s["by_hook"].get(h, [0, 0])[1] for s in ss])
                if runs:
                    cells.append(f"{h} {ns / 1e3:,.0f} / {runs:,.0f}")
            cpu = _med([s["workload_cpu_ns"] for s in ss])
            switches = _med([s.get("workload_switches") for s in ss])
            print(f"| {w} | {c} | {'-' if cpu is None else f'{cpu / 1e6:,.0f} ms'} | "
                  f"{'-' if switches is None else f'{switches:,.0f}'} | "
                  f"{'; '.join(cells) or '-'} |")
