// In-memory metric history: every (component, metric) series of the
// snapshot stream at several resolutions, with bounded memory.
//
// Points are model::reading_of (counters as rates, gauges as read), the same
// definition as the TUI's sparkline history and the report's series; the
// stores differ in shape (see tui/history.h, report/series.h,
// record/downsampler.h for why each keeps its own).
//
// Default tiers: 1 s for 1 h, 1 min for 8 days, 1 h for 90 days, i.e.
// 17,280 buckets of 16 bytes = 270 KiB per series, allocated when the
// series first appears; `max_series` bounds the total (new series beyond it
// are counted in dropped_series() and not kept). Not thread-safe: one
// writer (the snapshot consumer), readers synchronised by the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analytics/history_ring.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

std::vector<HistoryTier> default_history_tiers();

class History {
 public:
  using SeriesId = uint32_t;
  static constexpr SeriesId kNoSeries = UINT32_MAX;

  explicit History(std::vector<HistoryTier> tiers = default_history_tiers(),
                   size_t max_series = 1024);

  // Finds or creates the series; kNoSeries when the cap is reached.
  SeriesId series(std::string_view component_key, std::string_view metric);
  // O(tiers). Time in unix seconds.
  void append(SeriesId id, int64_t t, double value) {
    if (id < rings_.size()) rings_[id].append(t, value);
  }

  // Appends every sample of every component at the snapshot's time:
  // counters as rates per second (delta / interval), gauges as values,
  // labeled counters as "<metric>{<label>}" rates, histograms as
  // "<metric>:p50" and "<metric>:p99" of the interval's delta, in the
  // metric's unit (seconds). Series are keyed by Component::key().
  void ingest(const model::Snapshot& snap);

  // Points of one series in [from, to] (see SeriesRing::range); empty when
  // the series is unknown.
  std::vector<HistoryPoint> range(std::string_view component_key, std::string_view metric,
                                  int64_t from, int64_t to) const;
  // The series' rings, or nullptr. Valid until the next series is created.
  const SeriesRing* find(std::string_view component_key, std::string_view metric) const;

  size_t series_count() const { return rings_.size(); }
  size_t dropped_series() const { return dropped_; }
  size_t memory_bytes() const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, SeriesId, StringHash, std::equal_to<>>;
  // Per component: direct slots by metric id, so ingest hashes one string
  // per component instead of one per sample.
  struct ComponentIndex {
    std::string key;
    std::vector<SeriesId> plain, p50, p99;  // by MetricId
    Index labeled;                          // "<metric>{<label>}"
  };

  ComponentIndex& component(std::string_view key);
  SeriesId slot(ComponentIndex& c, std::vector<SeriesId>& v, model::MetricId id,
                std::string_view suffix);

  std::vector<HistoryTier> tiers_;
  size_t max_series_;
  size_t dropped_ = 0;
  std::vector<SeriesRing> rings_;
  Index by_name_;  // "<component key>\n<metric>" -> series
  std::unordered_map<std::string, std::unique_ptr<ComponentIndex>, StringHash, std::equal_to<>>
      components_;
  std::string scratch_;
};

}  // namespace kpulse::analytics
