#include "record/frame_v1_sections.h"

#include "model/listeners_exits.h"

namespace kpulse::record::codec {
namespace {

model::Component listener_component(const pb::Listener& l) {
  model::Listener x;
  x.netns = l.netns();
  x.address = l.address();
  x.backlog = l.backlog();
  x.queued = l.queued();
  x.overflows = l.overflows();
  x.overflows_delta = l.overflows_delta();
  x.pid = l.pid();
  x.comm = l.comm();
  x.cgroup = l.cgroup();
  return model::to_component(x);
}

model::Component exited_component(const pb::Exited& e) {
  model::ExitedTask x;
  x.pid = e.pid();
  x.tgid = e.tgid();
  x.comm = e.comm();
  x.cgroup = e.cgroup();
  x.lifetime_s = e.lifetime_s();
  x.cpu_time_s = e.cpu_time_s();
  x.major_faults = e.major_faults();
  x.minor_faults = e.minor_faults();
  x.read_bytes = e.read_bytes();
  x.write_bytes = e.write_bytes();
  x.exit_code = e.exit_code();
  return model::to_component(x);
}

}  // namespace

void append_v1_sections(const pb::Frame& f, RoleState& role, model::Snapshot& out) {
  if (!f.same_listeners()) {
    role.v1_listeners.clear();
    for (const auto& l : f.listeners()) role.v1_listeners.push_back(listener_component(l));
  }
  out.components.insert(out.components.end(), role.v1_listeners.begin(), role.v1_listeners.end());
  for (const auto& e : f.exited()) out.components.push_back(exited_component(e));
}

}  // namespace kpulse::record::codec
