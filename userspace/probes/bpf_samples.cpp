#include "probes/bpf_samples.h"

namespace kpulse::probes {

model::Log2Histogram to_histogram(const kp_hist& h) {
  static_assert(KP_HIST_SLOTS == model::kHistogramSlots, "kernel and model slot counts differ");
  model::Log2Histogram out;
  for (int i = 0; i < KP_HIST_SLOTS; ++i) out.slots[i] = h.slots[i];
  out.count = h.count;
  out.sum_ns = h.sum_ns;
  return out;
}

void add_histogram(model::Component& c, model::MetricId id, const kp_hist& total,
                   const kp_hist& delta) {
  // Filled where it lies: a sample is two 304-byte histograms, made for every
  // cgroup every interval.
  model::HistogramSample& h = c.histograms.emplace_back();
  h.id = id;
  h.total = to_histogram(total);
  h.delta = to_histogram(delta);
}

}  // namespace kpulse::probes
