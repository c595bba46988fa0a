#include "tune/tuners.h"

#include <cmath>

namespace kpulse::tune {

double rate(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
            model::MetricId m) {
  const model::Component* c = s.find(kind, id);
  return c ? c->rate(m, s.interval_s) : std::nan("");
}

double cpu_wait(const model::Snapshot& s, const std::string& cgroup) {
  const model::Component* c = s.find(model::ComponentKind::Cgroup, cgroup);
  if (!c || s.interval_s <= 0) return std::nan("");
  double throttled = c->delta(model::MetricId::CgCpuThrottledTime);
  double queued = std::nan("");
  if (const auto* h = c->find_histogram(model::MetricId::SchedRunqLatency))
    queued = static_cast<double>(h->delta.sum_ns) / 1e9;
  else
    queued = c->delta(model::MetricId::PsiCpuSome);
  if (std::isnan(throttled) && std::isnan(queued)) return std::nan("");
  return ((std::isnan(throttled) ? 0 : throttled) + (std::isnan(queued) ? 0 : queued)) /
         s.interval_s;
}

Objective cpu_wait_objective(const std::string& cgroup) {
  return {"cgroup " + cgroup + " CPU wait: throttled + run-queue delay (s/s)", false,
          [cgroup](const model::Snapshot& s) { return cpu_wait(s, cgroup); }};
}

std::vector<std::unique_ptr<Tuner>> default_tuners() {
  std::vector<std::unique_ptr<Tuner>> t;
  t.push_back(make_cpu_quota_tuner());
  t.push_back(make_tcp_buffer_tuner());
  t.push_back(make_read_ahead_tuner());
  t.push_back(make_somaxconn_tuner());
  t.push_back(make_memory_high_tuner());
  t.push_back(make_syn_backlog_tuner());
  t.push_back(make_cpu_weight_tuner());
  t.push_back(make_block_queue_tuner());
  t.push_back(make_writeback_tuner());  // proposes nothing unless options.writeback
  return t;
}

}  // namespace kpulse::tune
