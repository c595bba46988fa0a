#include "analytics/use_table.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {

using model::ComponentKind;
using model::MetricId;
using model::Unit;

std::string_view to_string(Resource r) {
  switch (r) {
    case Resource::Cpu:
      return "cpu";
    case Resource::Memory:
      return "memory";
    case Resource::Disk:
      return "disk";
    case Resource::Network:
      return "network";
  }
  return "?";
}

std::string_view to_string(UseRole r) {
  switch (r) {
    case UseRole::Utilization:
      return "utilization";
    case UseRole::Saturation:
      return "saturation";
    case UseRole::Errors:
      return "errors";
  }
  return "?";
}

const UseSignal* UseRow::find(std::string_view signal) const {
  for (const auto& s : signals)
    if (s.name == signal) return &s;
  return nullptr;
}

namespace {

// Histograms with fewer events than this give a p99 that is one outlier. Kept
// low on purpose: a starved task wakes rarely, and its few waits are the news.
constexpr uint64_t kMinHistogramCount = 5;

class RowBuilder {
 public:
  RowBuilder(const model::Component& c, Resource r, double interval_s)
      : interval_(interval_s > 0 ? interval_s : 1.0) {
    row_.kind = c.kind;
    row_.key = c.key();
    row_.id = c.id;
    row_.name = c.name;
    row_.resource = r;
    comp_ = &c;
  }
  void utilization(std::string name, double share) {
    if (!std::isfinite(share)) return;
    row_.signals.push_back({std::move(name), UseRole::Utilization, share, 1.0, {Unit::Ratio}});
  }
  void signal(std::string name, UseRole role, double value, double limit, model::Quantity unit) {
    if (!std::isfinite(value) || !(limit > 0)) return;
    row_.signals.push_back({std::move(name), role, value, limit, unit});
  }
  // A counter of seconds over the interval: the share of time it covers.
  void share(std::string name, MetricId id, double limit) {
    signal(std::move(name), UseRole::Saturation, comp_->rate(id, interval_), limit, {Unit::Ratio});
  }
  // A counter as a rate per second.
  void rate(std::string name, UseRole role, MetricId id, double limit) {
    signal(std::move(name), role, comp_->rate(id, interval_), limit,
           model::per_second(Unit::Count));
  }
  // A counter of which one event in the interval is already too many (an
  // OOM kill): its limit is one per interval, so value / limit counts them.
  void any_event(std::string name, MetricId id) {
    const double one_per_interval = interval_ > 0 ? 1.0 / interval_ : 1.0;
    signal(std::move(name), UseRole::Errors, comp_->rate(id, interval_), one_per_interval,
           model::per_second(Unit::Count));
  }
  void p99(std::string name, MetricId id, double limit) {
    const auto* h = comp_->find_histogram(id);
    if (!h || h->delta.count < kMinHistogramCount) return;
    signal(std::move(name), UseRole::Saturation, h->delta.quantile_s(0.99), limit, {Unit::Seconds});
  }
  bool empty() const { return row_.signals.empty(); }
  UseRow finish() {
    for (const auto& s : row_.signals) {
      double ratio = s.value / s.limit;
      double& slot = s.role == UseRole::Utilization  ? row_.utilization
                     : s.role == UseRole::Saturation ? row_.saturation
                                                     : row_.errors;
      slot = std::isnan(slot) ? ratio : std::max(slot, ratio);
    }
    return std::move(row_);
  }

 private:
  double interval_;
  const model::Component* comp_ = nullptr;
  UseRow row_;
};

void push(std::vector<UseRow>& out, RowBuilder& b) {
  if (!b.empty()) out.push_back(b.finish());
}

// Memory saturation and errors read the same for the host and a cgroup:
// stalls, reclaim, major faults, OOM kills.
void memory_pressure(RowBuilder& mem, const UseLimits& lim) {
  mem.share("psi_memory_some", MetricId::PsiMemorySome, lim.psi_share);
  mem.share("reclaim_stall", MetricId::MemReclaimStall, lim.reclaim_share);
  mem.rate("major_faults", UseRole::Saturation, MetricId::VmMajorFaults, lim.major_faults_per_s);
  mem.any_event("oom_kills", MetricId::MemOomKills);
}

void host_rows(const model::Component& c, const model::Snapshot& snap, const UseLimits& lim,
               std::vector<UseRow>& out) {
  const double dt = snap.interval_s;
  RowBuilder cpu(c, Resource::Cpu, dt);
  cpu.utilization("cpu_utilization", c.value(MetricId::CpuUtilization));
  cpu.p99("runq_latency_p99", MetricId::SchedRunqLatency, lim.runq_p99_s);
  cpu.share("psi_cpu_some", MetricId::PsiCpuSome, lim.psi_share);
  push(out, cpu);

  RowBuilder mem(c, Resource::Memory, dt);
  double total = c.value(MetricId::MemTotal), avail = c.value(MetricId::MemAvailable);
  if (total > 0 && std::isfinite(avail)) mem.utilization("memory_used", 1.0 - avail / total);
  memory_pressure(mem, lim);
  push(out, mem);

  RowBuilder io(c, Resource::Disk, dt);
  io.share("psi_io_some", MetricId::PsiIoSome, lim.psi_share);
  io.rate("block_errors", UseRole::Errors, MetricId::BlkErrors, lim.errors_per_s);
  push(out, io);

  RowBuilder net(c, Resource::Network, dt);
  net.rate("retransmits", UseRole::Errors, MetricId::TcpRetransmits, lim.retransmits_per_s);
  net.rate("net_drops", UseRole::Errors, MetricId::NetDrops, lim.drops_per_s);
  net.rate("listen_overflows", UseRole::Errors, MetricId::TcpListenOverflows,
           lim.listen_overflows_per_s);
  // Accept queues at their backlog: the listener's owner is not keeping up.
  double worst_queue = model::kNaN;
  for (const auto& l : snap.components) {
    if (l.kind != ComponentKind::Listener) continue;
    const double backlog = l.value(MetricId::TcpListenBacklog);
    const double r = l.value(MetricId::TcpListenQueued) / backlog;
    if (backlog > 0 && !std::isnan(r))
      worst_queue = std::isnan(worst_queue) ? r : std::max(worst_queue, r);
  }
  net.signal("accept_queue_fill", UseRole::Saturation, worst_queue, 1.0, {Unit::Ratio});
  push(out, net);
}

// The share of the quota's enforcement periods in which the cgroup ran out
// of quota (nr_throttled over nr_periods, as the tuner reads it). Not
// throttled_time over the interval: the kernel adds up the time each CPU's
// run queue of the cgroup sat throttled, so a cgroup throttled on two CPUs
// at once read "175% of the time". Without period counts (older
// recordings), that time is capped at the whole interval.
double throttled_share(const model::Component& c, double dt) {
  const double periods = c.delta(MetricId::CgCpuPeriods);
  const double throttled = c.delta(MetricId::CgCpuThrottledPeriods);
  if (periods > 0 && std::isfinite(throttled)) return std::clamp(throttled / periods, 0.0, 1.0);
  const double time_share = c.rate(MetricId::CgCpuThrottledTime, dt);
  return std::isfinite(time_share) ? std::min(time_share, 1.0) : model::kNaN;
}

void cgroup_rows(const model::Component& c, const model::Snapshot& snap, double ncpu,
                 const UseLimits& lim, std::vector<UseRow>& out) {
  const double dt = snap.interval_s;
  RowBuilder cpu(c, Resource::Cpu, dt);
  double used = c.value(MetricId::CpuUtilization);  // CPUs
  double quota = c.value(MetricId::CgCpuQuota);
  double capacity = quota > 0 ? std::min(quota, ncpu) : ncpu;
  cpu.utilization("cpu_utilization", used / capacity);
  cpu.p99("runq_latency_p99", MetricId::SchedRunqLatency, lim.runq_p99_s);
  cpu.share("psi_cpu_some", MetricId::PsiCpuSome, lim.psi_share);
  cpu.signal("cpu_throttled", UseRole::Saturation, throttled_share(c, dt), lim.throttled_share,
             {Unit::Ratio});
  push(out, cpu);

  RowBuilder mem(c, Resource::Memory, dt);
  double cur = c.value(MetricId::CgMemCurrent);
  double limit = c.value(MetricId::CgMemMax);
  double high = c.value(MetricId::CgMemHigh);
  if (high > 0 && (!(limit > 0) || high < limit)) limit = high;
  if (limit > 0) mem.utilization("memory_limit_used", cur / limit);
  memory_pressure(mem, lim);
  push(out, mem);

  RowBuilder io(c, Resource::Disk, dt);
  io.share("psi_io_some", MetricId::PsiIoSome, lim.psi_share);
  io.p99("device_latency_p99", MetricId::BlkDeviceLatency, lim.disk_latency_p99_s);
  push(out, io);

  RowBuilder net(c, Resource::Network, dt);
  net.rate("retransmits", UseRole::Errors, MetricId::TcpRetransmits, lim.retransmits_per_s);
  net.rate("listen_overflows", UseRole::Errors, MetricId::TcpListenOverflows,
           lim.listen_overflows_per_s);
  push(out, net);
}

void disk_row(const model::Component& c, double dt, const UseLimits& lim,
              std::vector<UseRow>& out) {
  RowBuilder d(c, Resource::Disk, dt);
  double util = c.value(MetricId::DiskUtilization);
  d.utilization("disk_utilization", util);
  // Busy alone is not saturation (one request always in flight reads 100%),
  // so saturation is the queue behind the device and the time each request takes.
  d.signal("queue_depth", UseRole::Saturation, c.value(MetricId::DiskQueueDepth),
           lim.disk_queue_depth, {Unit::Count});
  d.p99("device_latency_p99", MetricId::BlkDeviceLatency, lim.disk_latency_p99_s);
  d.rate("block_errors", UseRole::Errors, MetricId::BlkErrors, lim.errors_per_s);
  push(out, d);
}

void interface_row(const model::Component& c, double dt, const UseLimits& lim,
                   std::vector<UseRow>& out) {
  RowBuilder n(c, Resource::Network, dt);
  double drops = model::rate_of(c.delta(MetricId::IfRxDrops) + c.delta(MetricId::IfTxDrops), dt);
  double errs = model::rate_of(c.delta(MetricId::IfRxErrors) + c.delta(MetricId::IfTxErrors), dt);
  n.signal("drops", UseRole::Saturation, drops, lim.drops_per_s, model::per_second(Unit::Count));
  n.signal("errors", UseRole::Errors, errs, lim.errors_per_s, model::per_second(Unit::Count));
  push(out, n);
}

}  // namespace

double cpu_count(const model::Snapshot& snap) {
  double n = 0;
  for (const auto& c : snap.components)
    if (c.kind == ComponentKind::Cpu) ++n;
  return n > 0 ? n : 1;
}

std::vector<UseRow> use_table(const model::Snapshot& snap, const UseLimits& limits) {
  std::vector<UseRow> out;
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  const double ncpu = cpu_count(snap);
  for (const auto& c : snap.components) {
    switch (c.kind) {
      case ComponentKind::Host:
        host_rows(c, snap, limits, out);
        break;
      case ComponentKind::Cgroup:
        cgroup_rows(c, snap, ncpu, limits, out);
        break;
      case ComponentKind::Disk:
        disk_row(c, dt, limits, out);
        break;
      case ComponentKind::Interface:
        interface_row(c, dt, limits, out);
        break;
      case ComponentKind::Cpu: {
        RowBuilder b(c, Resource::Cpu, dt);
        b.utilization("cpu_utilization", c.value(MetricId::CpuUtilization));
        b.signal("runq_length", UseRole::Saturation, c.value(MetricId::SchedRunqLength), 2.0,
                 {Unit::Count});
        push(out, b);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

}  // namespace kpulse::analytics
