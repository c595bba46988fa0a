#include "tune/reconcile.h"

#include <map>

namespace kpulse::tune {

std::string contended_resource(const Knob& k) {
  switch (k.kind) {
    case KnobKind::CpuMax:
    case KnobKind::CfsQuota:
    case KnobKind::CpuWeight:
    case KnobKind::CpuShares:
      return "cpu";
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit:
      return "memory";
    default:
      return k.resource();
  }
}

std::string relative_group(const Knob& k) {
  if (k.kind != KnobKind::CpuWeight && k.kind != KnobKind::CpuShares) return "";
  auto slash = k.target.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : k.target.substr(0, slash);
}

std::vector<Proposal> reconcile(std::vector<Proposal> proposals) {
  // The latest proposal per knob, then the most severe per relative group.
  std::map<std::string, size_t> by_knob;
  for (size_t i = 0; i < proposals.size(); ++i) by_knob[proposals[i].knob.key()] = i;
  std::map<std::string, size_t> by_group;
  std::vector<bool> keep(proposals.size(), false);
  for (const auto& [key, i] : by_knob) {
    const Proposal& p = proposals[i];
    std::string group = p.advice_only ? "" : relative_group(p.knob);
    if (group.empty()) {
      keep[i] = true;
      continue;
    }
    auto [it, fresh] = by_group.emplace(group, i);
    if (!fresh && p.severity > proposals[it->second].severity) it->second = i;
  }
  for (const auto& [group, i] : by_group) keep[i] = true;
  std::vector<Proposal> out;
  for (size_t i = 0; i < proposals.size(); ++i)
    if (keep[i]) out.push_back(std::move(proposals[i]));
  return out;
}

}  // namespace kpulse::tune
