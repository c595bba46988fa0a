// What `kpulse probes` reports of the probe groups: each group, its hooks and
// the rung each attached through, why a group is inactive, what it reads
// from the kernel, and how full its maps are. Plain data, filled by the
// probes and read by the engine and the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kpulse::probes {

struct HookStatus {
  std::string hook;     // "sched_switch"
  std::string program;  // BPF program name
  std::string rung;     // "tp_btf", "raw_tp", "fentry", "kprobe", "tracepoint"
  bool attached = false;
  std::string error;
};

struct GroupStatus {
  std::string name;  // "sched", "block", "net", "mem"
  bool active = false;
  std::string reason;  // why inactive, with the verifier log's last lines
  std::vector<HookStatus> hooks;
  // Timestamps and counters the kernel keeps that the group reads instead of
  // keeping its own, and what it falls back to where the kernel lacks them.
  std::vector<std::string> reads;
};

// Occupancy of one BPF map, for spotting maps near their bound.
struct MapUsage {
  std::string group;
  std::string map;
  uint32_t entries = 0;
  uint32_t max_entries = 0;
};

struct ProbeReport {
  std::vector<std::pair<std::string, std::string>> features;  // kernel features probed
  std::vector<GroupStatus> groups;
};

}  // namespace kpulse::probes
