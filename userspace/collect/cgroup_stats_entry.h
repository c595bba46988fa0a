// What CgroupStatsReader remembers of each cgroup between reads, and the
// names of its kept files and v1 hierarchies: private to the reader's two
// sources (cgroup_stats.cpp, the schedule and cgroup2 files;
// cgroup_stats_v1.cpp, the v1 hierarchies).
#pragma once

#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collect/cgroup_stats.h"
#include "collect/kept_file.h"
#include "model/snapshot.h"

namespace kpulse::collect::cgroup_stats_detail {

// Files read every interval, kept open in an Entry's slots.
enum KeptSlot : int {
  kNotKept = -1,
  kCpuStat,
  kMemCurrent,
  kMemEvents,
  kMemStat,
  kPidsCurrent,
  kIoStat,
  kCpuPressure,
  kMemoryPressure,
  kIoPressure,
  kV1CpuacctUsage,
  kV1CpuStat,
  kV1MemUsage,
  kV1OomControl,
  kV1MemStat,
  kV1PidsCurrent,
  kV1BlkioBytes,
  kSlots
};

// v1 hierarchies the reader looks in.
enum V1Controller : int { kCpuacct, kCpu, kMemory, kPids, kBlkio, kV1Controllers };
inline constexpr const char* kV1Names[kV1Controllers] = {"cpuacct", "cpu", "memory", "pids",
                                                         "blkio"};

inline bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

inline bool has(const model::Component& c, model::MetricId id) {
  return c.find(id) != nullptr;
}

}  // namespace kpulse::collect::cgroup_stats_detail

namespace kpulse::collect {

struct CgroupStatsReader::Entry {
  uint64_t identity = 0;
  uint64_t seen = 0;  // interval of the last read
  // Interval of the last check of the layout (controllers, v1 hierarchies)
  // and of the last read of limits / counters; nullopt: never.
  std::optional<uint64_t> layout_at, limits_at, counters_at, cpu_at;
  double cpu_usage = model::kNaN;      // at the last read, to tell idle cgroups
  bool in_v2 = false;                  // the last CPU read found it in the cgroup2 tree
  bool cpu_calm = false;               // that read's cpu.pressure some avg10 was 0
  std::optional<uint64_t> cpu_psi_at;  // interval cpu.pressure was last read
  // v2 controllers enabled on the cgroup (cgroup.controllers, checked with the layout).
  bool cpu = true, memory = true, pids = true, io = true;
  // The cgroup's directory in each v1 hierarchy, "" when it has none there
  // (checked with the layout).
  std::array<std::string, cgroup_stats_detail::kV1Controllers> v1_dirs;
  uint64_t v1_walk = 0;   // the caller's v1 walk (V1Tree::walk) they were found in
  bool reopened = false;  // a kept file failed during this read
  std::array<KeptFile, cgroup_stats_detail::kSlots> kept;
  // Values of the last read, repeated while the group is not due.
  std::vector<model::Sample> cpu_values, cpu_psi, counters, limits;
  // memory.pressure and io.pressure (CgroupStatsOptions::quiet_pressure_every):
  // when they were last read, whether that reading showed no recent stall,
  // whether a stall cause was reported since, and the values.
  std::optional<uint64_t> stall_psi_at;
  bool stall_psi_calm = false;
  bool stall_cause_seen = true;
  std::vector<model::Sample> stall_psi;
};

}  // namespace kpulse::collect
