// Where a cgroup's CPU went, in one line: the function its samples were
// running in most (self time, the innermost frame), and its share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/profile_data.h"

namespace kpulse::profile {

struct HotFunction {
  std::string cgroup;
  std::string function;  // the innermost frame, user or kernel
  std::string module;
  uint64_t samples = 0;         // samples running in `function`
  uint64_t cgroup_samples = 0;  // every sample of the cgroup
  [[nodiscard]] double share() const {
    return cgroup_samples ? static_cast<double>(samples) / static_cast<double>(cgroup_samples) : 0;
  }
};

// The `max_cgroups` cgroups with most samples, busiest first, each with its
// hottest function. `totals` (cgroup -> samples) counts samples of stacks no
// longer in `p` (a recording keeps only the busiest); without it the
// cgroup's total is the sum of its stacks.
std::vector<HotFunction> hot_functions(const Profile& p, size_t max_cgroups,
                                       const std::map<std::string, uint64_t>* totals = nullptr);

// "cgroup /x: 62% of its CPU in compress_block (libz.so.1), 1234 samples".
std::string describe(const HotFunction& h);

// The samples of one cgroup (exact path), busiest first, at most `max_stacks`.
std::vector<StackSample> top_stacks(const Profile& p, const std::string& cgroup, size_t max_stacks);

}  // namespace kpulse::profile
