// In-memory metric history: every (component, metric) series of the
// snapshot stream at several resolutions, with bounded memory.
//
// A model::SeriesStore (model/series_store.h: the one series store over
// snapshots, shared with the TUI's sparkline history) whose storage is a
// SeriesRing: samples as model::reading_of (counters as rates, gauges as
// read), labeled counters and histogram quantiles too, kept after their
// component is gone.
//
// Default tiers: 1 s for 1 h, 1 min for 8 days, 1 h for 90 days, i.e.
// 17,280 buckets of 16 bytes = 270 KiB per series, allocated when the
// series first appears; `max_series` bounds the total (new series beyond it
// are counted in dropped_series() and not kept). Not thread-safe: one
// writer (the snapshot consumer), readers synchronised by the caller.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "analytics/history_ring.h"
#include "model/series_store.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

std::vector<HistoryTier> default_history_tiers();

// A SeriesRing fed at snapshot times (unix nanoseconds, floored to seconds).
struct TieredSeries {
  SeriesRing ring;
  void append(int64_t time_ns, double value);
};

class History {
 public:
  using SeriesId = model::SeriesIndex::SeriesId;
  static constexpr SeriesId kNoSeries = model::SeriesIndex::kNoSeries;

  explicit History(std::vector<HistoryTier> tiers = default_history_tiers(),
                   size_t max_series = 1024);

  // Finds or creates the series; kNoSeries when the cap is reached.
  SeriesId series(std::string_view component_key, std::string_view metric) {
    return store_.series(component_key, metric);
  }
  // O(tiers). Time in unix seconds.
  void append(SeriesId id, int64_t t, double value) {
    if (id != kNoSeries) store_.at(id).ring.append(t, value);
  }

  // Appends every sample of every component at the snapshot's time:
  // counters as rates per second (delta / interval), gauges as values,
  // labeled counters as "<metric>{<label>}" rates, histograms as
  // "<metric>:p50" and "<metric>:p99" of the interval's delta, in the
  // metric's unit (seconds). Series are keyed by Component::key().
  void ingest(const model::Snapshot& snap) { store_.ingest(snap); }

  // Points of one series in [from, to] (see SeriesRing::range); empty when
  // the series is unknown.
  std::vector<HistoryPoint> range(std::string_view component_key, std::string_view metric,
                                  int64_t from, int64_t to) const;
  // The series' rings, or nullptr. Valid until the next series is created.
  const SeriesRing* find(std::string_view component_key, std::string_view metric) const;

  size_t series_count() const { return store_.series_count(); }
  size_t dropped_series() const { return store_.dropped_series(); }
  size_t memory_bytes() const;

 private:
  model::SeriesStore<TieredSeries> store_;
};

}  // namespace kpulse::analytics
