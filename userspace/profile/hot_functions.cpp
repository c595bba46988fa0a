#include "profile/hot_functions.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace kpulse::profile {

std::vector<HotFunction> hot_functions(const Profile& p, size_t max_cgroups,
                                       const std::map<std::string, uint64_t>* totals) {
  struct PerCgroup {
    uint64_t samples = 0;
    std::map<std::pair<std::string, std::string>, uint64_t> self;  // (function, module)
  };
  std::map<std::string, PerCgroup> cgroups;
  for (const auto& s : p.samples) {
    auto& c = cgroups[s.cgroup];
    c.samples += s.count;
    if (!s.frames.empty()) c.self[{s.frames.back().function, s.frames.back().module}] += s.count;
  }
  std::vector<HotFunction> out;
  for (const auto& [cgroup, c] : cgroups) {
    HotFunction h;
    h.cgroup = cgroup;
    h.cgroup_samples = c.samples;
    if (totals)
      if (auto it = totals->find(cgroup); it != totals->end())
        h.cgroup_samples = std::max(h.cgroup_samples, it->second);
    for (const auto& [fn, n] : c.self)
      if (n > h.samples) {
        h.function = fn.first;
        h.module = fn.second;
        h.samples = n;
      }
    if (h.samples > 0) out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const HotFunction& a, const HotFunction& b) {
    return a.cgroup_samples != b.cgroup_samples ? a.cgroup_samples > b.cgroup_samples
                                                : a.cgroup < b.cgroup;
  });
  if (out.size() > max_cgroups) out.resize(max_cgroups);
  return out;
}

std::string describe(const HotFunction& h) {
  return fmt::format("cgroup {}: {:.0f}% of its CPU in {} ({}), {} of {} samples",
                     h.cgroup.empty() ? "[gone]" : h.cgroup, std::round(h.share() * 100),
                     h.function, h.module, h.samples, h.cgroup_samples);
}

std::vector<StackSample> top_stacks(const Profile& p, const std::string& cgroup,
                                    size_t max_stacks) {
  std::vector<StackSample> out;
  for (const auto& s : p.samples)
    if (s.cgroup == cgroup) out.push_back(s);
  std::sort(out.begin(), out.end(),
            [](const StackSample& a, const StackSample& b) { return a.count > b.count; });
  if (out.size() > max_stacks) out.resize(max_stacks);
  return out;
}

}  // namespace kpulse::profile
