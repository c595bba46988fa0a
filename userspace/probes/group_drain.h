// Drain helpers the groups share.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <bpf/bpf.h>

#include "probes/bpf_totals.h"
#include "probes/map_drain.h"

namespace kpulse::probes {

// Merges a per-CPU map keyed by cgroup id into the group's member of each
// cgroup's totals, and sets the flag saying the group saw that cgroup.
template <class V>
void drain_cgroup_map(int fd, CgroupTotalsMap& out, V CgroupTotals::*member,
                      bool CgroupTotals::*flag) {
  drain_percpu<__u64, V>(fd, [&](const __u64& id, const std::vector<const V*>& per_cpu) {
    CgroupTotals& t = out[id];
    t.*flag = true;
    for (const V* v : per_cpu) add_u64_fields(t.*member, *v);
  });
}

// Calls fn(index, cell) for each CPU's cell of the per-CPU array `cells_fd`
// at the indices the array `used_fd` marks non-zero (__u32 per index): a
// lookup per used index, all CPUs at once. fn picks the cells it wants.
template <class Cell, class Fn>
void for_each_used_cell(int used_fd, int cells_fd, Fn&& fn) {
  static_assert(sizeof(Cell) % 8 == 0, "per-CPU values are 8-byte aligned");
  std::vector<__u32> used;
  drain_map(used_fd, sizeof(__u32), sizeof(__u32), false, [&](const void* key, const void* value) {
    if (*static_cast<const __u32*>(value)) used.push_back(*static_cast<const __u32*>(key));
  });
  std::vector<Cell> per_cpu(possible_cpus());
  for (__u32 idx : used) {
    if (bpf_map_lookup_elem(cells_fd, &idx, per_cpu.data()) != 0) continue;
    for (const auto& cell : per_cpu) fn(idx, cell);
  }
}

}  // namespace kpulse::probes
