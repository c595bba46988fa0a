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

// `now -= before`, field by field, saturating at 0 (a counter reset yields
// the newer value; for u64-only structs).
template <class T>
void subtract_u64_fields_into(T& now, const T& before) {
  combine_u64_fields_into(now, before, [](__u64 n, __u64 b) { return n >= b ? n - b : n; });
}
// The same, into a new struct.
template <class T>
T subtract_u64_fields(const T& now, const T& before) {
  T out = now;
  subtract_u64_fields_into(out, before);
  return out;
}

}  // namespace kpulse::probes
