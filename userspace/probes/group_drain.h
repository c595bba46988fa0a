// Drain helpers the groups share.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "probes/bpf_totals.h"
#include "probes/map_drain.h"

namespace kpulse::probes {

// Merges a per-CPU map keyed by cgroup id into the group's member of each
// cgroup's totals, and sets the flag saying the group saw that cgroup.
template <class V>
void drain_cgroup_map(int fd, std::unordered_map<uint64_t, CgroupTotals>& out,
                      V CgroupTotals::*member, bool CgroupTotals::*flag) {
  drain_percpu<__u64, V>(fd, [&](const __u64& id, const std::vector<const V*>& per_cpu) {
    CgroupTotals& t = out[id];
    t.*flag = true;
    for (const V* v : per_cpu) add_u64_fields(t.*member, *v);
  });
}

}  // namespace kpulse::probes
