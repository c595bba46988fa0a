#include "tune/tuners.h"

#include <algorithm>
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
  // A runnable task held back by a quota waits on its run queue, so the
  // run-queue delay (the kernel's run_delay, or PSI) already holds the
  // throttled time, whichever ancestor's quota did the throttling. Adding
  // the two counted that wait twice, and a raise that only moved it to a
  // parent's quota looked like a gain. Throttled time stands in when the
  // delay is not measured; when both are, the larger, so a delay measured
  // on only some of the cgroup's tasks cannot hide the throttling.
  double wait = std::isnan(queued)      ? throttled
                : std::isnan(throttled) ? queued
                                        : std::max(throttled, queued);
  return model::rate_of(wait, s.interval_s);
}

Objective cpu_wait_objective(const std::string& cgroup) {
  return {"cgroup " + cgroup + " CPU wait: run-queue delay, throttling included (s/s)", false,
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
