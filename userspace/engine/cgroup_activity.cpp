#include "engine/cgroup_activity.h"

#include <charconv>
#include <string_view>

#include "probes/bpf_samples.h"

namespace kpulse::engine {

void accumulate(probes::CgroupTotals& a, const probes::CgroupTotals& b) {
  probes::add_u64_fields(a.sched, b.sched);
  probes::add_u64_fields(a.block, b.block);
  probes::add_u64_fields(a.net, b.net);
  probes::add_u64_fields(a.mem, b.mem);
  a.has_sched |= b.has_sched;
  a.has_block |= b.has_block;
  a.has_net |= b.has_net;
  a.has_mem |= b.has_mem;
}

probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before) {
  probes::CgroupTotals d = now;
  d.sched = probes::subtract_u64_fields(now.sched, before.sched);
  d.block = probes::subtract_u64_fields(now.block, before.block);
  d.net = probes::subtract_u64_fields(now.net, before.net);
  d.mem = probes::subtract_u64_fields(now.mem, before.mem);
  return d;
}

bool is_busy(const probes::CgroupTotals& d, double interval_s) {
  return double(d.sched.oncpu_ns) >= interval_s * 1e9 * 1e-3 ||
         d.block.read_ops + d.block.write_ops > 0 || d.mem.reclaim_events > 0 ||
         d.mem.oom_kills > 0 || d.sched.major_faults > 0;
}

void ActivitySinceRead::add(const probes::CgroupTotals& d) {
  oncpu_ns += d.sched.oncpu_ns;
  waited_ns += d.sched.runq_latency.sum_ns;
}

bool cpu_moved(const ActivitySinceRead& a, double interval_s) {
  const double interval_ns = interval_s * 1e9;
  return double(a.oncpu_ns) >= interval_ns * 1e-3 || double(a.waited_ns) >= interval_ns * 1e-2;
}

collect::CgroupActivity activity_of(const probes::CgroupTotals& d, const ActivitySinceRead& since,
                                    double interval_s) {
  if (is_busy(d, interval_s)) return collect::CgroupActivity::Busy;
  return cpu_moved(since, interval_s) ? collect::CgroupActivity::CpuMoved
                                      : collect::CgroupActivity::Idle;
}

bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d) {
  return t.sched && t.block && t.mem && d.block.read_ops + d.block.write_ops == 0 &&
         d.mem.reclaim_events == 0 && d.mem.oom_kills == 0 && d.sched.major_faults == 0;
}

bool SwitchCoverage::update(const std::vector<model::Component>& comps,
                            const std::vector<kp_sched_cpu>& bpf_cpus, double interval_s) {
  std::vector<double> busy(bpf_cpus.size(), model::kNaN);
  for (const auto& c : comps) {
    if (c.kind != model::ComponentKind::Cpu) continue;
    const std::string_view id = c.id;
    size_t cpu = 0;
    if (!id.starts_with("cpu") ||
        std::from_chars(id.data() + 3, id.data() + id.size(), cpu).ec != std::errc{} ||
        cpu >= busy.size())
      continue;
    busy[cpu] = c.value(model::MetricId::CpuUser) + c.value(model::MetricId::CpuNice) +
                c.value(model::MetricId::CpuSystem);
  }
  bool seen = switches_.size() == bpf_cpus.size();
  for (size_t cpu = 0; seen && cpu < bpf_cpus.size(); ++cpu) {
    // NaN (a CPU /proc/stat did not list: offline) compares false.
    const bool switched = bpf_cpus[cpu].switches != switches_[cpu];
    if (!switched && busy[cpu] - busy_s_[cpu] >= 0.5 * interval_s) seen = false;
  }
  switches_.resize(bpf_cpus.size());
  for (size_t cpu = 0; cpu < bpf_cpus.size(); ++cpu) switches_[cpu] = bpf_cpus[cpu].switches;
  busy_s_ = std::move(busy);
  return seen;
}

}  // namespace kpulse::engine
