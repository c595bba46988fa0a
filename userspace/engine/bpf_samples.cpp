#include "engine/bpf_samples.h"

namespace kpulse::engine {

using model::MetricId;

namespace {
constexpr double kNs = 1e-9;
}  // namespace

model::Log2Histogram to_histogram(const kp_hist& h) {
  static_assert(KP_HIST_SLOTS == model::kHistogramSlots, "kernel and model slot counts differ");
  model::Log2Histogram out;
  for (int i = 0; i < KP_HIST_SLOTS; ++i) out.slots[i] = h.slots[i];
  out.count = h.count;
  out.sum_ns = h.sum_ns;
  return out;
}

void add_histogram(model::Component& c, MetricId id, const kp_hist& total, const kp_hist& delta) {
  c.histograms.push_back({id, to_histogram(total), to_histogram(delta)});
}

void add_sched_samples(model::Component& c, const kp_sched_cgroup& t, const kp_sched_cgroup& d) {
  add_sched_counters(c, t, d);
  c.set_counter(MetricId::VmMajorFaults, double(t.major_faults), double(d.major_faults));
  add_histogram(c, MetricId::SchedRunqLatency, t.runq_latency, d.runq_latency);
}

void add_block_counters(model::Component& c, const kp_block_stats& t, const kp_block_stats& d) {
  c.set_counter(MetricId::BlkReadOps, double(t.read_ops), double(d.read_ops));
  c.set_counter(MetricId::BlkWriteOps, double(t.write_ops), double(d.write_ops));
  c.set_counter(MetricId::BlkReadBytes, double(t.read_bytes), double(d.read_bytes));
  c.set_counter(MetricId::BlkWriteBytes, double(t.write_bytes), double(d.write_bytes));
  c.set_counter(MetricId::BlkErrors, double(t.errors), double(d.errors));
}

void add_block_samples(model::Component& c, const kp_block_stats& t, const kp_block_stats& d) {
  add_block_counters(c, t, d);
  add_histogram(c, MetricId::BlkQueueLatency, t.queue_latency, d.queue_latency);
  add_histogram(c, MetricId::BlkDeviceLatency, t.device_latency, d.device_latency);
}

void add_net_samples(model::Component& c, const kp_net_cgroup& t, const kp_net_cgroup& d) {
  c.set_counter(MetricId::TcpTxBytes, double(t.tx_bytes), double(d.tx_bytes));
  c.set_counter(MetricId::TcpRxBytes, double(t.rx_bytes), double(d.rx_bytes));
  c.set_counter(MetricId::TcpRetransmits, double(t.retransmits), double(d.retransmits));
  c.set_counter(MetricId::TcpActiveOpens, double(t.active_opens), double(d.active_opens));
  c.set_counter(MetricId::TcpPassiveOpens, double(t.passive_opens), double(d.passive_opens));
  c.set_counter(MetricId::TcpResets, double(t.resets), double(d.resets));
  c.set_counter(MetricId::TcpListenOverflows, double(t.listen_overflows),
                double(d.listen_overflows));
  add_histogram(c, MetricId::TcpConnectLatency, t.connect_latency, d.connect_latency);
}

void add_mem_samples(model::Component& c, const kp_mem_cgroup& t, const kp_mem_cgroup& d) {
  c.set_counter(MetricId::MemReclaimStall, double(t.reclaim_ns) * kNs, double(d.reclaim_ns) * kNs);
  // cgroupfs (memory.events oom_kill) is authoritative and hierarchical; BPF
  // only fills in where the cgroup has no memory controller file to read.
  if (!c.find(MetricId::MemOomKills))
    c.set_counter(MetricId::MemOomKills, double(t.oom_kills), double(d.oom_kills));
}

void add_cgroup_samples(model::Component& c, const probes::CgroupTotals& t,
                        const probes::CgroupTotals& d) {
  if (t.has_sched) add_sched_samples(c, t.sched, d.sched);
  if (t.has_block) add_block_samples(c, t.block, d.block);
  if (t.has_net) add_net_samples(c, t.net, d.net);
  if (t.has_mem) add_mem_samples(c, t.mem, d.mem);
}

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

bool is_busy(const probes::CgroupTotals& d, double interval_s) {
  const double interval_ns = interval_s * 1e9;
  return double(d.sched.oncpu_ns) >= interval_ns * 1e-3 ||
         double(d.sched.runq_latency.sum_ns) >= interval_ns * 1e-2 ||
         d.block.read_ops + d.block.write_ops > 0 || d.mem.reclaim_events > 0 ||
         d.mem.oom_kills > 0 || d.sched.major_faults > 0;
}

bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d) {
  return t.sched && t.block && t.mem && d.block.read_ops + d.block.write_ops == 0 &&
         d.mem.reclaim_events == 0 && d.mem.oom_kills == 0 && d.sched.major_faults == 0;
}

probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before) {
  probes::CgroupTotals d = now;
  d.sched = subtract_u64_fields(now.sched, before.sched);
  d.block = subtract_u64_fields(now.block, before.block);
  d.net = subtract_u64_fields(now.net, before.net);
  d.mem = subtract_u64_fields(now.mem, before.mem);
  return d;
}

}  // namespace kpulse::engine
