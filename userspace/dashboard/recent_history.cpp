#include "dashboard/recent_history.h"

#include <algorithm>
#include <cmath>

namespace kpulse::dashboard {
namespace {

using model::ComponentKind;
using model::MetricId;

bool kept_cgroup_metric(MetricId id) {
  return id == MetricId::CpuUtilization || id == MetricId::CgMemCurrent;
}

}  // namespace

bool kept_in_history(ComponentKind kind, MetricId id) {
  switch (kind) {
    case ComponentKind::Host:
      return id == MetricId::CpuUtilization || id == MetricId::MemTotal ||
             id == MetricId::MemUsed || id == MetricId::SwapTotal || id == MetricId::SwapUsed ||
             id == MetricId::PsiCpuSomeAvg10 || id == MetricId::PsiMemorySomeAvg10 ||
             id == MetricId::PsiIoSomeAvg10 || id == MetricId::HostLoad1 ||
             id == MetricId::SchedRunqLatency;
    case ComponentKind::Disk:
      return id == MetricId::DiskUtilization || id == MetricId::DiskReadBytes ||
             id == MetricId::DiskWriteBytes || id == MetricId::BlkDeviceLatency;
    case ComponentKind::Interface:
      return id == MetricId::IfRxBytes || id == MetricId::IfTxBytes;
    case ComponentKind::Agent:
      return id == MetricId::SelfCpuTime || id == MetricId::SelfRss;
    case ComponentKind::Cgroup:
      return kept_cgroup_metric(id);
    default:
      return false;
  }
}

model::Snapshot thin_snapshot(const model::Snapshot& s) {
  model::Snapshot out;
  out.seq = s.seq;
  out.time_ns = s.time_ns;
  out.interval_s = s.interval_s;
  std::vector<const model::Component*> cgroups;
  for (const auto& c : s.components) {
    if (c.kind == ComponentKind::Cgroup) {
      if (c.id != "/") cgroups.push_back(&c);
      continue;
    }
    if (c.kind != ComponentKind::Host && c.kind != ComponentKind::Disk &&
        c.kind != ComponentKind::Interface && c.kind != ComponentKind::Agent)
      continue;
    model::Component t;
    t.kind = c.kind;
    t.id = c.id;
    for (const auto& sample : c.samples)
      if (kept_in_history(c.kind, sample.id)) t.samples.push_back(sample);
    for (const auto& h : c.histograms)
      if (kept_in_history(c.kind, h.id)) {
        // The heatmaps draw each interval's delta; the running total is not needed.
        t.histograms.push_back({h.id, {}, h.delta});
      }
    out.components.push_back(std::move(t));
  }
  auto cpu = [](const model::Component* c) {
    const double v = c->value(MetricId::CpuUtilization);
    return std::isfinite(v) ? v : 0.0;
  };
  const size_t keep = std::min(cgroups.size(), kHistoryCgroups);
  std::partial_sort(cgroups.begin(), cgroups.begin() + static_cast<std::ptrdiff_t>(keep),
                    cgroups.end(), [&](auto* a, auto* b) { return cpu(a) > cpu(b); });
  for (size_t i = 0; i < keep; ++i) {
    const auto& c = *cgroups[i];
    model::Component t;
    t.kind = c.kind;
    t.id = c.id;
    for (const auto& sample : c.samples)
      if (kept_cgroup_metric(sample.id)) t.samples.push_back(sample);
    out.components.push_back(std::move(t));
  }
  return out;
}

void RecentHistory::add(const model::Snapshot& s) {
  model::Snapshot thin = thin_snapshot(s);
  std::lock_guard lock(mu_);
  ring_.push_back(std::move(thin));
  while (ring_.size() > capacity_) ring_.pop_front();
}

std::vector<model::Snapshot> RecentHistory::window(int64_t from_ns, int64_t to_ns,
                                                   size_t max_points) const {
  std::lock_guard lock(mu_);
  auto first = std::lower_bound(ring_.begin(), ring_.end(), from_ns,
                                [](const model::Snapshot& s, int64_t t) { return s.time_ns < t; });
  auto last = std::upper_bound(first, ring_.end(), to_ns,
                               [](int64_t t, const model::Snapshot& s) { return t < s.time_ns; });
  const size_t n = static_cast<size_t>(last - first);
  std::vector<model::Snapshot> out;
  if (n == 0 || max_points == 0) return out;
  const size_t stride = (n + max_points - 1) / max_points;
  out.reserve(n / stride + 1);
  // Counted back from the newest, so the latest interval is always drawn.
  for (size_t back = 0; back < n; back += stride) out.push_back(*(last - 1 - back));
  std::reverse(out.begin(), out.end());
  return out;
}

size_t RecentHistory::size() const {
  std::lock_guard lock(mu_);
  return ring_.size();
}

int64_t RecentHistory::oldest_ns() const {
  std::lock_guard lock(mu_);
  return ring_.empty() ? 0 : ring_.front().time_ns;
}

}  // namespace kpulse::dashboard
