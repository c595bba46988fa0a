// Which series a snapshot stream carries and which reading of a snapshot
// goes to which of them: the keying half of model::SeriesStore
// (series_store.h), kept apart from what a store keeps per series.
//
// A series is named by its component (Component::key(), "kind:id") and a
// catalog metric: "<metric>" for a sample, read as model::reading_of
// (counters as rate_of(delta), gauges as read), "<metric>{<label>}" for a
// labeled counter's rate, "<metric>:p50" / ":p99" for the quantiles of a
// histogram's interval delta, in seconds. The number of series is bounded
// (`max_series`; refused series are counted, not kept). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::model {

// What a store takes from each snapshot.
struct SeriesSelection {
  bool labeled = false;    // labeled counters, "<metric>{<label>}"
  bool quantiles = false;  // histogram deltas, "<metric>:p50" and "<metric>:p99"
  // A counter before its first interval has no rate: skipped when true, read
  // as NaN when false.
  bool counters_need_interval = true;
  // A component a snapshot no longer carries loses its series (a view of
  // what is there now), instead of keeping them (a history).
  bool forget_gone = false;
};

class SeriesIndex {
 public:
  using SeriesId = uint32_t;
  static constexpr SeriesId kNoSeries = UINT32_MAX;

  // One reading of a snapshot and the series it belongs to.
  struct Reading {
    SeriesId series;
    double value;
  };

  SeriesIndex(size_t max_series, SeriesSelection selection);

  // Finds or creates a series; kNoSeries (and counted) when the cap is reached.
  SeriesId series(std::string_view component_key, std::string_view name);
  // kNoSeries when unknown.
  [[nodiscard]] SeriesId find(std::string_view component_key, std::string_view name) const;
  [[nodiscard]] SeriesId find(std::string_view component_key, MetricId id) const;
  // The sample metrics that have a series on a component, in catalog order.
  [[nodiscard]] std::vector<MetricId> metrics(std::string_view component_key) const;

  // The snapshot's readings, per component: samples, then labeled counters,
  // then histogram quantiles (the order new series are created in). Valid
  // until the next call.
  std::span<const Reading> read(const Snapshot& snap);
  // Series the last read() forgot (forget_gone); their ids are reused.
  [[nodiscard]] std::span<const SeriesId> forgotten() const { return forgotten_; }

  // Every id handed out is below this.
  [[nodiscard]] size_t id_bound() const { return names_.size(); }
  [[nodiscard]] size_t series_count() const { return names_.size() - free_.size(); }
  [[nodiscard]] size_t dropped_series() const { return dropped_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, SeriesId, StringHash, std::equal_to<>>;
  // Per component: direct slots by metric id, so read() hashes one string
  // per component instead of one per sample.
  struct ComponentIndex {
    std::string key;
    uint64_t seen = 0;                      // read() generation that last carried it
    std::vector<SeriesId> plain, p50, p99;  // by MetricId
    Index labeled;                          // "<metric>{<label>}"
  };

  ComponentIndex& component(std::string_view key);
  SeriesId slot(ComponentIndex& c, std::vector<SeriesId>& v, MetricId id, std::string_view suffix);
  void read_component(const Component& comp, double interval_s);
  void forget(const ComponentIndex& c);
  void forget_gone();

  size_t max_series_;
  SeriesSelection selection_;
  size_t dropped_ = 0;
  uint64_t generation_ = 0;
  std::vector<std::string> names_;  // by id: "<component key>\n<name>", "" when free
  std::vector<SeriesId> free_;
  Index by_name_;
  std::unordered_map<std::string, std::unique_ptr<ComponentIndex>, StringHash, std::equal_to<>>
      components_;
  std::vector<Reading> readings_;
  std::vector<SeriesId> forgotten_;
  std::string scratch_;
};

}  // namespace kpulse::model
