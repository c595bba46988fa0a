#include "tune/tuners.h"

#include <cmath>

namespace kpulse::tune {

double rate(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
            model::MetricId m) {
  const model::Component* c = s.find(kind, id);
  if (!c || s.interval_s <= 0) return std::nan("");
  return c->delta(m) / s.interval_s;
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
