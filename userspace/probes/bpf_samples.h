// Helpers every group's conversion of kernel-side structs
// (bpf/kpulse_types.h) into model samples uses.
#pragma once

#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::probes {

model::Log2Histogram to_histogram(const struct kp_hist& h);
// A histogram sample: the total since attach and this interval's delta.
void add_histogram(model::Component& c, model::MetricId id, const kp_hist& total,
                   const kp_hist& delta);

// `now - before`, field by field, saturating at 0 (for u64-only structs).
template <class T>
T subtract_u64_fields(const T& now, const T& before) {
  return combine_u64_fields(now, before, [](__u64 n, __u64 b) { return n >= b ? n - b : n; });
}

}  // namespace kpulse::probes
