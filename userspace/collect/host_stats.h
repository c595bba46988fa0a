// Host-wide and per-CPU readers: /proc/stat, /proc/loadavg, /proc/uptime,
// /proc/meminfo, /proc/vmstat and /proc/pressure.
//
// Counters are written as cumulative totals with delta 0; the engine computes
// deltas and derived metrics (cpu.utilization) afterwards.
#pragma once

#include <string>
#include <vector>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// USER_HZ, the unit of /proc/stat and /proc/PID/stat times.
double clock_ticks_per_second();

// An empty host component (kind Host, id "host").
model::Component make_host_component();

// /proc/stat: host and per-CPU cpu.time.*, host.context_switches, host.forks,
// host.procs.{running,blocked}. `cpus` is replaced by one component per
// "cpuN" line (kind Cpu, id "cpuN", kernel_id N), in file order (offline
// CPUs have no line). Returns false when the file cannot be read.
bool read_proc_stat(const std::string& proc_root, model::Component& host,
                    std::vector<model::Component>& cpus, Problems* problems = nullptr);

// /proc/loadavg → host.load.{1m,5m,15m}.
bool read_loadavg(const std::string& proc_root, model::Component& host,
                  Problems* problems = nullptr);

// /proc/uptime → host.uptime.
bool read_uptime(const std::string& proc_root, model::Component& host,
                 Problems* problems = nullptr);

// /proc/meminfo → memory.* gauges (bytes).
bool read_meminfo(const std::string& proc_root, model::Component& host,
                  Problems* problems = nullptr);

// /proc/vmstat → memory.page_faults, major_faults, pgscan_direct,
// pgsteal_direct, oom_kills.
bool read_vmstat(const std::string& proc_root, model::Component& host,
                 Problems* problems = nullptr);

// Everything above plus host PSI, in one call. Missing files are skipped.
void read_host(const std::string& proc_root, model::Component& host,
               std::vector<model::Component>& cpus, Problems* problems = nullptr);

}  // namespace kpulse::collect
