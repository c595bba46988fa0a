#include "model/listeners_exits.h"

#include <charconv>
#include <cmath>

namespace kpulse::model {
namespace {

// A gauge read back as an integer field: absent (NaN) reads as 0.
template <typename T>
T whole(const Component& c, MetricId id) {
  const double v = c.value(id);
  return std::isfinite(v) ? static_cast<T>(std::llround(v)) : T{};
}

double real(const Component& c, MetricId id) {
  const double v = c.value(id);
  return std::isfinite(v) ? v : 0.0;
}

uint32_t parse_pid(std::string_view s) {
  uint32_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::string listener_id(uint64_t netns, std::string_view address) {
  std::string id = std::to_string(netns);
  id += '/';
  id += address;
  return id;
}

std::string_view listener_address(const Component& c) {
  std::string_view id = c.id;
  const size_t slash = id.find('/');
  return slash == std::string_view::npos ? id : id.substr(slash + 1);
}

Component to_component(const ExitedTask& e) {
  Component c;
  c.kind = ComponentKind::Exited;
  c.id = std::to_string(e.pid);
  c.kernel_id = e.tgid;
  c.name = e.comm;
  c.parent = e.cgroup;
  c.samples = {{MetricId::ExitedLifetime, e.lifetime_s, 0},
               {MetricId::ExitedCpuTime, e.cpu_time_s, 0},
               {MetricId::ExitedMajorFaults, double(e.major_faults), 0},
               {MetricId::ExitedMinorFaults, double(e.minor_faults), 0},
               {MetricId::ExitedReadBytes, double(e.read_bytes), 0},
               {MetricId::ExitedWriteBytes, double(e.write_bytes), 0},
               {MetricId::ExitedExitCode, double(e.exit_code), 0}};
  if (e.exit_time_s > 0) c.samples.push_back({MetricId::ExitedExitTime, e.exit_time_s, 0});
  return c;
}

Component to_component(const Listener& l) {
  Component c;
  c.kind = ComponentKind::Listener;
  c.id = listener_id(l.netns, l.address);
  c.kernel_id = l.netns;
  c.name = l.comm;
  c.parent = l.cgroup;
  if (l.pid) c.detail = std::to_string(l.pid);
  c.samples = {{MetricId::TcpListenBacklog, double(l.backlog), 0},
               {MetricId::TcpListenQueued, double(l.queued), 0},
               {MetricId::TcpListenOverflows, l.overflows, l.overflows_delta}};
  return c;
}

ExitedTask exited_task_of(const Component& c) {
  ExitedTask e;
  e.pid = parse_pid(c.id);
  e.tgid = static_cast<uint32_t>(c.kernel_id);
  e.comm = c.name;
  e.cgroup = c.parent;
  e.lifetime_s = real(c, MetricId::ExitedLifetime);
  e.exit_time_s = real(c, MetricId::ExitedExitTime);
  e.cpu_time_s = real(c, MetricId::ExitedCpuTime);
  e.major_faults = whole<uint64_t>(c, MetricId::ExitedMajorFaults);
  e.minor_faults = whole<uint64_t>(c, MetricId::ExitedMinorFaults);
  e.read_bytes = whole<uint64_t>(c, MetricId::ExitedReadBytes);
  e.write_bytes = whole<uint64_t>(c, MetricId::ExitedWriteBytes);
  e.exit_code = whole<int32_t>(c, MetricId::ExitedExitCode);
  return e;
}

Listener listener_of(const Component& c) {
  Listener l;
  l.netns = c.kernel_id;
  l.address = std::string(listener_address(c));
  l.backlog = whole<uint32_t>(c, MetricId::TcpListenBacklog);
  l.queued = whole<uint32_t>(c, MetricId::TcpListenQueued);
  l.overflows = real(c, MetricId::TcpListenOverflows);
  const double d = c.delta(MetricId::TcpListenOverflows);
  l.overflows_delta = std::isfinite(d) ? d : 0.0;
  l.pid = parse_pid(c.detail);
  l.comm = c.name;
  l.cgroup = c.parent;
  return l;
}

std::vector<ExitedTask> exited_tasks(const Snapshot& s) {
  std::vector<ExitedTask> out;
  for (const auto& c : s.components)
    if (c.kind == ComponentKind::Exited) out.push_back(exited_task_of(c));
  return out;
}

std::vector<Listener> listeners(const Snapshot& s) {
  std::vector<Listener> out;
  for (const auto& c : s.components)
    if (c.kind == ComponentKind::Listener) out.push_back(listener_of(c));
  return out;
}

}  // namespace kpulse::model
