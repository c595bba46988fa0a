// The kernel's own counters, read directly from the files the kernel keeps
// (/proc/stat, /proc/diskstats, /sys/block/*/inflight, /proc/net/dev and
// /proc/net/snmp of every network namespace, /proc/vmstat, /proc/pressure,
// cgroupfs, each task's schedstat), for comparing kpulse's figures with them
// over the same interval. Deliberately not kpulse's collectors: a parsing or
// unit mistake there must show up as a difference here.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace kpulse::verify {

struct DiskCounters {
  uint64_t read_ops = 0, write_ops = 0;
  uint64_t read_sectors = 0, write_sectors = 0;
  uint64_t io_ticks_ms = 0;
  uint64_t inflight = 0;       // /sys/block/X/inflight, reads + writes
  bool request_based = false;  // blk-mq (/sys/block/X/mq): BPF's request hooks see it
};

struct InterfaceCounters {
  uint64_t bytes = 0;    // rx + tx
  uint64_t packets = 0;  // rx + tx
};

struct CgroupCounters {
  std::optional<uint64_t> cpu_usage_ns;  // cpu.stat usage_usec, or cpuacct.usage
  std::optional<uint64_t> memory_bytes;  // memory.current, or memory.usage_in_bytes
  // Sums over the threads of the cgroup and its descendants of
  // /proc/TID/schedstat's run_delay and pcount (the waits that ended with the
  // thread on a CPU), and which threads they were.
  uint64_t run_delay_ns = 0;
  uint64_t run_waits = 0;
  std::set<uint64_t> threads;
};

struct KernelCounters {
  // /proc/stat, USER_HZ ticks per mode (user nice system idle iowait irq
  // softirq steal), for "host" and "cpuN".
  std::map<std::string, std::array<uint64_t, 8>> cpu_ticks;
  std::map<std::string, DiskCounters> disks;            // whole disks, by name
  std::map<std::string, InterfaceCounters> interfaces;  // kpulse's ids ("eth0", "veth0@ns")
  // Tcp RetransSegs of each network namespace, by inode: a namespace made or
  // removed between two readings must not add or take away its history.
  std::map<uint64_t, uint64_t> retrans_segs;
  uint64_t pgmajfault = 0;                        // /proc/vmstat
  std::map<std::string, uint64_t> psi_total_us;   // "cpu.some", "io.full", ...
  std::map<std::string, CgroupCounters> cgroups;  // by path ("/a/b")
  double time_s = 0;                              // steady clock when the reading started
};

// Reads everything above. Cheap files first, so they are read as close to
// the caller's instant as possible.
KernelCounters read_kernel_counters();

// Tcp RetransSegs from the text of /proc/net/snmp (a header row, then
// values); 0 when absent.
uint64_t retrans_segs(const std::string& snmp);

}  // namespace kpulse::verify
