#include "probes/block/block_samples.h"

#include "probes/bpf_samples.h"

namespace kpulse::probes {

using model::MetricId;

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

}  // namespace kpulse::probes
