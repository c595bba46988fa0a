#!/usr/bin/env python3
"""Per block request (or per context switch) cost of several block.bpf.c
(sched.bpf.c) builds and biolatency -Q (runqlat), all attached at the same
time and measured over the same events.

    bench/overhead/block_variants.py [--group block|sched] [--rounds N] [--build DIR] NAME=OBJECT.o[:EXTRA,...] ...

Each OBJECT.o is a compiled block.bpf.c or sched.bpf.c
(bench/overhead/build_objects.sh or clang with the flags of cmake/Bpf.cmake)
whose hot programs (GROUPS below) are attached by kpulse_object_attach;
EXTRA names more programs of the object to attach whose time is not counted
(e.g. a sched_switch program that keeps what io_start reads, as the sched
group does in kpulse). Every round runs the group's workload (block: fio,
4 KiB psync random direct reads, 3 s, on a direct-io loop device; sched:
perf bench sched messaging, twice) once per rotation of the attach order
(each variant and the tool first once), with BPF statistics on. Prints, per
variant, the median ns per event (its counted programs' run time / runs of
its counting program: completions, context switches) and per program, and
the median of the per-run ratios to the tool in the same run (issues 22h,
22j, 22k).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

# group: (programs to attach, substring of the program counting the events,
# the tool's name and arguments, programs the tool loads)
GROUPS = {
    "block": ("kp_block_io_start,kp_block_rq_issue,kp_block_rq_complete", "complete",
              ("biolatency", ["-Q", "99999", "1"]), 3),
    "sched": ("kp_sched_switch,kp_sched_migrate,kp_sched_process_exit", "switch",
              ("runqlat", ["99999", "1"]), 3),
}
STATS = "/proc/sys/kernel/bpf_stats_enabled"


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def prog_ids(pid):
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                m = re.search(r"^prog_id:\s*(\d+)", f.read(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    return ids


def start(cmd, nprogs):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if p.poll() is not None:
            sys.exit(f"{cmd[0]} exited: {p.stderr.read()[-400:]}")
        if len(prog_ids(p.pid)) >= nprogs:
            return p
        time.sleep(0.1)
    sys.exit(f"{cmd[0]}: programs not loaded")


def stop(p):
    p.send_signal(2)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def stats(ids):
    out = {}
    for p in json.loads(sh(["bpftool", "prog", "show", "--json"])):
        if p["id"] in ids:
            out[p["id"]] = (p.get("name", ""), p.get("run_time_ns", 0), p.get("run_cnt", 0))
    return out


def workload(group, loopdev):
    if group == "sched":
        for _ in range(2):
            sh(["perf", "bench", "sched", "messaging", "-g", "10", "-l", "100"])
        return
    sh(["fio", "--name=kpulse-variants", f"--filename={loopdev}", "--direct=1", "--rw=randread",
        "--bs=4k", "--ioengine=psync", "--runtime=3", "--time_based", "--output-format=json"])


def counted(group, variant, pname, tool):
    """A variant's programs count when they are the group's hot programs
    (bpftool may show names cut at 15 characters); the tool's always do."""
    return variant == tool or any(p.startswith(pname) for p in GROUPS[group][0].split(","))


def one_run(order, cmds, group, loopdev, tool):
    procs = {}
    try:
        for name in order:
            procs[name] = start(*cmds[name])
        time.sleep(1)
        ids = {n: prog_ids(p.pid) for n, p in procs.items()}
        before = {n: stats(i) for n, i in ids.items()}
        workload(group, loopdev)
        after = {n: stats(i) for n, i in ids.items()}
    finally:
        for p in procs.values():
            stop(p)
    res = {}
    for n in order:
        per, total, done = {}, 0, 0
        for pid, (pname, t, cnt) in after[n].items():
            if pid not in before[n] or not counted(group, n, pname, tool):
                continue
            dt, dc = t - before[n][pid][1], cnt - before[n][pid][2]
            per[pname] = (dt, dc)
            total += dt
            if GROUPS[group][1] in pname:
                done += dc
        res[n] = (total / done if done else None,
                  {k: (dt / done if done else 0, dc) for k, (dt, dc) in per.items()})
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--group", choices=sorted(GROUPS), default="block")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build", default="build")
    ap.add_argument("variants", nargs="+", help="NAME=OBJECT.o")
    args = ap.parse_args()
    attach = f"{args.build}/bench/overhead/kpulse_object_attach"
    progs, _, (tool_name, tool_args), tool_progs = GROUPS[args.group]
    cmds = {}
    for v in args.variants:
        name, obj = v.split("=", 1)
        obj, _, extra = obj.partition(":")
        attached = progs + ("," + extra if extra else "")
        cmds[name] = ([attach, f"{obj}:{attached}"], len(attached.split(",")))
    tool_bin = f"/usr/sbin/{tool_name}" if os.path.exists(f"/usr/sbin/{tool_name}") else tool_name
    tool = " ".join([tool_name] + tool_args[:1]) if args.group == "block" else tool_name
    cmds[tool] = ([tool_bin] + tool_args, tool_progs)
    fd, backing = tempfile.mkstemp(prefix="kpulse-variants-", suffix=".img", dir="/var/tmp")
    os.close(fd)
    with open(STATS) as f:
        previous = f.read().strip()
    loopdev = None
    try:
        sh(["dd", "if=/dev/zero", f"of={backing}", "bs=1M", "count=256", "status=none"])
        loopdev = sh(["losetup", "--find", "--show", "--direct-io=on", backing]).strip()
        with open(STATS, "w") as f:
            f.write("1")
        names = list(cmds)
        runs = []
        for r in range(args.rounds):
            for i in range(len(names)):
                order = names[i:] + names[:i]
                print(f"round {r + 1}, order {order}", file=sys.stderr, flush=True)
                runs.append(one_run(order, cmds, args.group, loopdev, tool))
    finally:
        with open(STATS, "w") as f:
            f.write(previous)
        if loopdev:
            sh(["losetup", "-d", loopdev])
        os.unlink(backing)
    unit = "request" if args.group == "block" else "switch"
    print(f"{len(runs)} runs (each variant first once per round), medians; load {os.getloadavg()}")
    print(f"| build | ns/{unit} | ratio to {tool} (median of per-run) | per program ns/{unit} |")
    print("|---|---:|---:|---|")
    for n in names:
        vals = [r[n][0] for r in runs if r[n][0]]
        ratios = [r[n][0] / r[tool][0] for r in runs if r[n][0] and r[tool][0]]
        progs, counts = {}, {}
        for r in runs:
            for k, (ns, cnt) in r[n][1].items():
                progs.setdefault(k, []).append(ns)
                counts.setdefault(k, []).append(cnt)
        per = ", ".join(f"{k} {statistics.median(v):.0f} ({statistics.median(counts[k]):.0f} runs)"
                        for k, v in sorted(progs.items()))
        print(f"| {n} | {statistics.median(vals):.0f} | {statistics.median(ratios):.2f} "
              f"({', '.join(f'{x:.2f}' for x in ratios)}) | {per} |")


if __name__ == "__main__":
    main()
