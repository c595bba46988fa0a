// What the BPF maps held at one drain, merged across CPUs: cumulative
// counters since kpulse attached, keyed the way the kernel side keys them.
#pragma once

#include <linux/types.h>

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

extern "C" {
#include "kpulse_types.h"
}

namespace kpulse::probes {

struct CgroupTotals {
  struct kp_sched_cgroup sched {};
  struct kp_block_stats block {};
  struct kp_net_cgroup net {};
  struct kp_mem_cgroup mem {};
  bool has_sched = false, has_block = false, has_net = false, has_mem = false;
};

struct ListenerTotals {
  struct kp_listener_key key {};
  struct kp_listener_val val {};
};

struct BpfTotals {
  std::unordered_map<uint64_t, CgroupTotals> cgroups;         // by cgroup v2 id
  std::unordered_map<uint32_t, struct kp_sched_proc> procs;   // by tgid
  std::vector<struct kp_sched_cpu> cpus;                      // by CPU index
  std::unordered_map<uint32_t, struct kp_block_stats> disks;  // by kernel dev_t
  std::vector<ListenerTotals> listeners;
  std::array<uint64_t, KP_DROP_REASONS> drop_reasons{};
  std::vector<struct kp_exit_event> exits;  // since the previous drain
  uint64_t events = 0;
  uint64_t map_full = 0;
  bool sched = false, block = false, net = false, mem = false;  // groups active
};

// Adds every u64 of `src` to `dst`: for structs made only of u64 counters.
template <class T>
void add_u64_fields(T& dst, const T& src) {
  static_assert(sizeof(T) % sizeof(uint64_t) == 0);
  auto* d = reinterpret_cast<uint64_t*>(&dst);
  const auto* s = reinterpret_cast<const uint64_t*>(&src);
  for (size_t i = 0; i < sizeof(T) / sizeof(uint64_t); ++i) d[i] += s[i];
}

}  // namespace kpulse::probes
