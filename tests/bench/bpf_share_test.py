#!/usr/bin/env python3
"""bench/overhead/bpf_share.py on the real kernel: statistics stay on while
another process writes kernel.bpf_stats_enabled, the workload cgroup counts a
child's CPU time, and the share arithmetic.

  tests/bench/bpf_share_test.py PATH/TO/kpulse_floor_attach   (as root)
"""
import json
import os
import subprocess
import sys
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "bench", "overhead"))
import bpf_share  # noqa: E402

FLOOR_ATTACH = sys.argv.pop(1) if len(sys.argv) > 1 else None
STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


class Cleanup:
    def __init__(self):
        self.actions = []

    def push(self, _what, fn):
        self.actions.append(fn)

    def run(self):
        while self.actions:
            self.actions.pop()()


def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if fields[2] == "cgroup2":
                return fields[1]
    return None


def prog_ids(pid):
    """Ids of the BPF programs process `pid` holds open."""
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            continue
    return ids


def run_count(pid):
    """Summed run_cnt of the BPF programs process `pid` holds."""
    ids = prog_ids(pid)
    out = subprocess.run(["bpftool", "prog", "show", "--json"], check=True, capture_output=True,
                         text=True).stdout
    return sum(p.get("run_cnt", 0) for p in json.loads(out) if p["id"] in ids)


class ShareArithmetic(unittest.TestCase):
    def test_round_order_alternates(self):
        orders = [bpf_share.round_order(r) for r in range(6)]
        for order in orders:
            self.assertEqual(sorted(order), ["floor", "kpulse", "tools"])
        firsts = {o[0] for o in orders}
        self.assertEqual(firsts, {"floor", "kpulse", "tools"})
        kpulse_first = [o.index("kpulse") < o.index("tools") for o in orders]
        self.assertEqual(kpulse_first.count(True), 3)  # each of the two ahead half the time

    def test_shares(self):
        s = bpf_share.sample(bpf_ns=4_000_000, by_hook={"sched_switch": [3_000_000, 20_000]},
                             host_busy_ns=4_000_000_000, workload_cpu_ns=1_000_000_000,
                             wall_s=1.0, switches=10_000, r=0, position=0)
        self.assertAlmostEqual(bpf_share.workload_share(s), 0.004)
        self.assertAlmostEqual(bpf_share.workload_share(s, {"sched_switch"}), 0.003)
        # 200 ns per switch in the window x the workload's 10,000 switches / 1 s.
        self.assertAlmostEqual(bpf_share.switch_share(s), 0.002)
        self.assertAlmostEqual(bpf_share.host_share(s), 0.001)


@unittest.skipUnless(os.geteuid() == 0, "needs root")
class OnTheKernel(unittest.TestCase):
    def test_workload_cgroup_counts_the_child(self):
        cleanup = Cleanup()
        try:
            cg = bpf_share.WorkloadCgroup(cgroup2_root(), cleanup)
            if not cg.path:
                self.skipTest("no writable cgroup2")
            before, switches = cg.cpu_ns(), bpf_share.children_switches()
            # 0.2 s of CPU time, however long a loaded host takes to give it.
            subprocess.run(cg.wrap([sys.executable, "-c",
                                    "import time\nt = time.process_time()\n"
                                    "while time.process_time() - t < 0.2: pass"]), check=True)
            used = cg.cpu_ns() - before
            self.assertGreaterEqual(used, 0.19e9)
            self.assertLess(used, 5e9)
            self.assertGreaterEqual(bpf_share.children_switches() - switches, 1)
        finally:
            cleanup.run()
        self.assertFalse(os.path.exists(cg.path))

    def test_floor_attaches_only_the_named_hooks(self):
        if not FLOOR_ATTACH or not os.access(FLOOR_ATTACH, os.X_OK):
            self.skipTest("kpulse_floor_attach not given")
        # A floor on a hook nobody measures runs on every event and adds to
        # the workload's CPU time: the socket-length floors on messaging.
        floor = subprocess.Popen([FLOOR_ATTACH, "sched_switch", "cgroup_skb/egress"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            names = {floor.stdout.readline().strip() for _ in range(2)}
            self.assertEqual(names, {"fl_sched_switch", "fl_skb_egress"})
            time.sleep(0.5)  # anything else would have been loaded before the first line
            self.assertEqual(len(prog_ids(floor.pid)), 2)
        finally:
            floor.terminate()
            floor.wait()

    def test_stats_survive_another_writer_of_the_sysctl(self):
        if not FLOOR_ATTACH or not os.access(FLOOR_ATTACH, os.X_OK):
            self.skipTest("kpulse_floor_attach not given")
        with open(STATS_SYSCTL) as f:
            previous = f.read().strip()
        if previous != "0":
            # Writing 0 would turn off whoever set it (the bug this tests), and
            # while it is 1 statistics are on whatever this process does.
            self.skipTest("kernel.bpf_stats_enabled is 1: another process holds it")
        floor = subprocess.Popen([FLOOR_ATTACH, "sched_switch"], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(floor.stdout.readline().strip(), "fl_sched_switch")
            with bpf_share.RunTimeStats():
                # Another bench starting and ending: its enable, then its restore.
                with open(STATS_SYSCTL, "w") as f:
                    f.write("1")
                with open(STATS_SYSCTL, "w") as f:
                    f.write(previous)
                start = run_count(floor.pid)
                subprocess.run(["sh", "-c", "for i in $(seq 200); do sleep 0.001; done"],
                               check=True)  # 200 sleeps: at least 200 switches
                self.assertGreaterEqual(run_count(floor.pid) - start, 200)
        finally:
            floor.terminate()
            floor.wait()


if __name__ == "__main__":
    unittest.main(verbosity=2)
