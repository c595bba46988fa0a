#include "probes/probe_group.h"

namespace kpulse::probes {

// Each defined in its group's folder.
std::unique_ptr<ProbeGroup> make_sched_group();
std::unique_ptr<ProbeGroup> make_block_group();
std::unique_ptr<ProbeGroup> make_net_group();
std::unique_ptr<ProbeGroup> make_mem_group();

std::vector<std::unique_ptr<ProbeGroup>> registered_groups() {
  std::vector<std::unique_ptr<ProbeGroup>> out;
  out.push_back(make_sched_group());
  out.push_back(make_block_group());
  out.push_back(make_net_group());
  out.push_back(make_mem_group());
  return out;
}

std::vector<std::string> registered_group_names() {
  std::vector<std::string> out;
  for (const auto& g : registered_groups()) out.emplace_back(g->name());
  return out;
}

std::vector<GroupSpec> builtin_groups(const MapLimits& limits, bool per_process) {
  std::vector<GroupSpec> out;
  for (const auto& g : registered_groups()) out.push_back(g->spec(limits, per_process));
  return out;
}

model::Component* SampleContext::find(model::ComponentKind kind, const std::string& id) const {
  for (auto& c : components)
    if (c.kind == kind && c.id == id) return &c;
  return nullptr;
}

model::Component* SampleContext::find(model::ComponentKind kind, uint64_t kernel_id) const {
  for (auto& c : components)
    if (c.kind == kind && c.kernel_id == kernel_id) return &c;
  return nullptr;
}

}  // namespace kpulse::probes
