// The block group's kernel-side struct as model samples, from the total
// since attach and this interval's delta.
#pragma once

#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::probes {

// Ops, bytes and errors (no histograms).
void add_block_counters(model::Component& c, const kp_block_stats& total,
                        const kp_block_stats& delta);
// The counters plus the queue and device latency histograms.
void add_block_samples(model::Component& c, const kp_block_stats& total,
                       const kp_block_stats& delta);

}  // namespace kpulse::probes
