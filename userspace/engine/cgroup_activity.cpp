#include "engine/cgroup_activity.h"

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
  const double interval_ns = interval_s * 1e9;
  return d.sched.runq_latency.count > 0 ||  // its tasks got a CPU
         double(d.sched.runq_latency.sum_ns) >= interval_ns * 1e-2 ||
         d.block.read_ops + d.block.write_ops > 0 || d.mem.reclaim_events > 0 ||
         d.mem.oom_kills > 0;
}

bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d) {
  return t.sched && t.block && t.mem && d.block.read_ops + d.block.write_ops == 0 &&
         d.mem.reclaim_events == 0 && d.mem.oom_kills == 0;
}

}  // namespace kpulse::engine
