// Aggregates full-resolution snapshots into fixed time buckets (1 min, 1 h)
// for the downsampled tiers: gauge mean/min/max, last cumulative counter
// value with the bucket's deltas summed, merged histogram deltas; event
// components (model::is_event_kind: exited tasks) are each kept as they came.
//
// Not a series store: it turns snapshots into (fewer) snapshots, so the
// recording format, replay and every reader stay snapshot-shaped; gauge
// min/max and summed counter deltas are what a coarser tier must keep to
// answer the same readings (model::reading_of) as the full-resolution tier.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::record {

struct Bucket {
  model::Snapshot mean;
  model::Snapshot min;
  model::Snapshot max;
  uint32_t samples_merged = 0;
};

class Downsampler {
 public:
  explicit Downsampler(int64_t bucket_ns);
  // Adds a snapshot; returns the previous bucket when this one starts a new
  // bucket (snapshots are bucketed by floor(time_ns / bucket_ns)).
  std::optional<Bucket> add(const model::Snapshot& s);
  // The open bucket, if any (on shutdown).
  std::optional<Bucket> take();

 private:
  struct Series {
    model::MetricId id;
    bool gauge = false;
    double sum = 0, min = 0, max = 0, last = 0, delta_sum = 0;
    uint32_t n = 0;
  };
  struct Comp {
    model::Component meta;  // identity fields only
    std::vector<Series> series;
    std::unordered_map<uint16_t, size_t> index;
    std::vector<model::LabeledSample> labeled;
    std::vector<model::HistogramSample> histograms;
  };

  int64_t bucket_ns_;
  std::optional<int64_t> bucket_;
  uint32_t count_ = 0;
  model::Snapshot last_;  // time, seq, hostname of the newest
  double interval_sum_ = 0;
  std::vector<model::Component> events_;
  std::vector<Comp> comps_;
  std::unordered_map<std::string, size_t> comp_index_;
};

}  // namespace kpulse::record
