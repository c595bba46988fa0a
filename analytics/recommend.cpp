#include "analytics/recommend.h"

#include <algorithm>

#include "analytics/recommend_rules.h"

namespace kpulse::analytics {

std::vector<Recommendation> recommend(const std::vector<Bottleneck>& bottlenecks,
                                      const KnobReader& read) {
  std::vector<Recommendation> out;
  for (const auto& b : bottlenecks) {
    rules::Builder add(b, read, out);
    switch (b.resource) {
      case Resource::Cpu:
        rules::cpu_rules(b, add);
        break;
      case Resource::Memory:
        rules::memory_rules(b, add);
        break;
      case Resource::Disk:
        rules::disk_rules(b, add);
        break;
      case Resource::Network:
        rules::network_rules(b, add);
        break;
    }
  }
  // One recommendation per knob: the first (most severe bottleneck) wins.
  std::vector<Recommendation> unique;
  for (auto& r : out)
    if (std::none_of(unique.begin(), unique.end(),
                     [&](const Recommendation& u) { return u.knob == r.knob; }))
      unique.push_back(std::move(r));
  return unique;
}

}  // namespace kpulse::analytics
