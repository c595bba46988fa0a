#include "engine/cgroup_activity.h"

#include <charconv>
#include <string_view>

#include "probes/bpf_samples.h"

namespace kpulse::engine {

// A group's fields are all 0 where its has_ flag is false (nothing drained,
// or a delta of such totals): skipping them keeps the sums exact, and saves
// most of the work per cgroup and interval (each group holds histograms of
// ~40 counters; most cgroups see no block I/O, sockets or reclaim).
void accumulate(probes::CgroupTotals& a, const probes::CgroupTotals& b) {
  if (b.has_sched) probes::add_u64_fields(a.sched, b.sched);
  if (b.has_block) probes::add_u64_fields(a.block, b.block);
  if (b.has_net) probes::add_u64_fields(a.net, b.net);
  if (b.has_mem) probes::add_u64_fields(a.mem, b.mem);
  a.has_sched |= b.has_sched;
  a.has_block |= b.has_block;
  a.has_net |= b.has_net;
  a.has_mem |= b.has_mem;
  a.cpus_held += b.cpus_held;
}

probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before) {
  probes::CgroupTotals d = now;  // a group without its flag is all 0, and so is its delta
  if (now.has_sched) probes::subtract_u64_fields_into(d.sched, before.sched);
  if (now.has_block) probes::subtract_u64_fields_into(d.block, before.block);
  if (now.has_net) probes::subtract_u64_fields_into(d.net, before.net);
  if (now.has_mem) probes::subtract_u64_fields_into(d.mem, before.mem);
  d.cpus_held = now.cpus_held + before.cpus_held;  // a state at each end, not a count
  return d;
}

bool is_busy(const probes::CgroupTotals& d, double interval_s) {
  return d.cpus_held > 0 || double(d.sched.runq_latency.count) >= 10.0 * interval_s ||
         double(d.sched.long_ran_ns) >= 0.1 * interval_s * 1e9 ||
         d.block.read_ops + d.block.write_ops > 0 || d.mem.reclaim_events > 0 ||
         d.mem.oom_kills > 0;
}

void ActivitySinceRead::add(const probes::CgroupTotals& d, bool slices_known) {
  ran += d.sched.runq_latency.count + d.cpus_held;
  held += d.cpus_held;
  long_ran_ns += d.sched.long_ran_ns;
  long_slices += d.sched.long_slices;
  waited_ns += d.sched.runq_latency.sum_ns;
  slices_unknown |= !slices_known;
}

uint64_t ActivitySinceRead::ran_bound_ns() const {
  // A long slice may have begun before its switch-in was counted (before
  // the last read), so more long slices than switch-ins is possible.
  const uint64_t short_runs = ran > long_slices ? ran - long_slices : 0;
  return long_ran_ns + short_runs * KP_LONG_SLICE_NS;
}

bool cpu_moved(const ActivitySinceRead& a, double interval_s) {
  const double bar_ns = interval_s * 1e9 * 1e-2;
  const bool ran = a.slices_unknown ? a.ran > 0 : a.held > 0 || double(a.ran_bound_ns()) >= bar_ns;
  return ran || double(a.waited_ns) >= bar_ns;
}

bool waits_quiet(uint64_t waited_ns, double interval_s) {
  return double(waited_ns) < interval_s * 1e9 * 1e-2;
}

collect::CgroupActivity activity_of(const probes::CgroupTotals& d, const ActivitySinceRead& since,
                                    double interval_s) {
  if (is_busy(d, interval_s)) return collect::CgroupActivity::Busy;
  return cpu_moved(since, interval_s) ? collect::CgroupActivity::CpuMoved
                                      : collect::CgroupActivity::Idle;
}

bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d) {
  return t.sched && t.block && t.mem && d.block.read_ops + d.block.write_ops == 0 &&
         d.mem.reclaim_events == 0 && d.mem.oom_kills == 0;
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
    const bool held = bpf_cpus[cpu].running_cgroup != 0;
    if (!switched && !held && busy[cpu] - busy_s_[cpu] >= 0.5 * interval_s) seen = false;
  }
  switches_.resize(bpf_cpus.size());
  for (size_t cpu = 0; cpu < bpf_cpus.size(); ++cpu) switches_[cpu] = bpf_cpus[cpu].switches;
  busy_s_ = std::move(busy);
  return seen;
}

}  // namespace kpulse::engine
