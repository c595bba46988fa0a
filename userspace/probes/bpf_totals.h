// What the BPF maps held at one drain, merged across CPUs: cumulative
// counters since kpulse attached, keyed the way the kernel side keys them.
#pragma once

#include <linux/types.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "probes/pooled_allocator.h"

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
  // In a drain's totals: how many CPUs the cgroup's tasks held as it was read
  // (kp_sched_cpu.running_cgroup; a task running across an interval boundary
  // has no switch-in to show it ran). In an interval's delta
  // (engine::subtract): held at the interval's start plus at its end.
  uint32_t cpus_held = 0;
};

// Per-cgroup totals by cgroup v2 id; nodes and buckets reused through
// PooledAllocator (each drain makes a node per cgroup, and the engine frees
// the drain before).
using CgroupTotalsMap =
    std::unordered_map<uint64_t, CgroupTotals, std::hash<uint64_t>, std::equal_to<uint64_t>,
                       PooledAllocator<std::pair<const uint64_t, CgroupTotals>>>;

struct ListenerTotals {
  struct kp_listener_key key {};
  struct kp_listener_val val {};
};

struct BpfTotals {
  CgroupTotalsMap cgroups;                // by cgroup v2 id
  std::vector<uint32_t> ran_tgids;        // processes that got a CPU since the last drain (sched)
  bool ran_marks = false;                 // ran_tgids is known (else rank processes from /proc)
  std::vector<struct kp_sched_cpu> cpus;  // by CPU index
  std::unordered_map<uint32_t, struct kp_block_stats> disks;  // by kernel dev_t
  std::vector<ListenerTotals> listeners;
  std::array<uint64_t, KP_DROP_REASONS> drop_reasons{};
  std::vector<struct kp_exit_event> exits;  // since the previous drain
  uint64_t events = 0;
  uint64_t map_full = 0;
  uint64_t untraced_waits = 0;  // charged from the kernel's per-task totals (sched)
  bool sched = false, block = false, net = false, mem = false;  // groups active
  // The sched group counts long slices (kp_sched_cgroup.long_ran_ns): a
  // cgroup's CPU time is bounded by them and its switch-ins.
  bool sched_slices = false;
};

// Field-wise arithmetic on structs made only of __u64 counters, in place:
// read and written a counter at a time through the struct's bytes (which
// any object may be accessed as; treating the struct itself as an array is
// undefined behaviour that GCC -O2 does miscompile). A plain loop over
// 8-byte words, which the compiler vectorises: the drain and the roll-up
// run it for every cgroup every interval, and the earlier form (copy both
// structs into arrays, combine, copy back) was a sixth of the drain.
template <class T, class Op>
void combine_u64_fields_into(T& dst, const T& src, Op op) {
  static_assert(sizeof(T) % sizeof(__u64) == 0 && std::is_trivially_copyable_v<T>);
  auto* d = reinterpret_cast<unsigned char*>(&dst);
  const auto* s = reinterpret_cast<const unsigned char*>(&src);
  for (size_t i = 0; i < sizeof(T); i += sizeof(__u64)) {
    __u64 a, b;
    std::memcpy(&a, d + i, sizeof a);
    std::memcpy(&b, s + i, sizeof b);
    a = op(a, b);
    std::memcpy(d + i, &a, sizeof a);
  }
}

// Adds every counter of `src` to `dst`.
template <class T>
void add_u64_fields(T& dst, const T& src) {
  combine_u64_fields_into(dst, src, [](__u64 a, __u64 b) { return a + b; });
}

}  // namespace kpulse::probes
