// One series store over snapshots: every (component, catalog metric) series
// of a snapshot stream (keyed and read by SeriesIndex: readings through the
// catalog, counters as rates), each kept in a `Storage` the user chooses
// for how far back and how finely it must answer:
//   - tui::History: the last N readings as they came, for sparklines;
//   - analytics::History: min/max/mean buckets in day-to-months tiers.
// A Storage has `void append(int64_t time_ns, double value)`; the store
// makes one per series on its first reading.
//
// For snapshots the caller already holds (a recorded period: the report),
// series_of() reads the same series out of them without a store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "model/series_index.h"
#include "model/snapshot.h"

namespace kpulse::model {

template <class Storage>
class SeriesStore {
 public:
  using SeriesId = SeriesIndex::SeriesId;
  static constexpr SeriesId kNoSeries = SeriesIndex::kNoSeries;

  SeriesStore(std::function<Storage()> make, size_t max_series, SeriesSelection selection)
      : make_(std::move(make)), index_(max_series, selection) {}

  // Appends every reading of the snapshot at its time.
  void ingest(const Snapshot& snap) {
    for (const auto& r : index_.read(snap)) at(r.series).append(snap.time_ns, r.value);
    for (SeriesId id : index_.forgotten()) data_[id].reset();
  }

  // Finds or creates a series (and its storage); kNoSeries at the cap.
  SeriesId series(std::string_view component_key, std::string_view name) {
    const SeriesId id = index_.series(component_key, name);
    if (id != kNoSeries) at(id);
    return id;
  }
  // The storage of a series series() or ingest() created.
  Storage& at(SeriesId id) {
    if (id >= data_.size()) data_.resize(index_.id_bound());
    if (!data_[id]) data_[id].emplace(make_());
    return *data_[id];
  }
  // nullptr when unknown.
  [[nodiscard]] const Storage* find(std::string_view component_key, std::string_view name) const {
    return stored(index_.find(component_key, name));
  }
  [[nodiscard]] const Storage* find(std::string_view component_key, MetricId id) const {
    return stored(index_.find(component_key, id));
  }
  [[nodiscard]] std::vector<MetricId> metrics(std::string_view component_key) const {
    return index_.metrics(component_key);
  }

  [[nodiscard]] size_t series_count() const { return index_.series_count(); }
  [[nodiscard]] size_t dropped_series() const { return index_.dropped_series(); }
  // Every storage, for memory accounting.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& d : data_)
      if (d) f(*d);
  }
  [[nodiscard]] size_t slots_capacity() const { return data_.capacity(); }
  void reserve(size_t n) { data_.reserve(n); }

 private:
  const Storage* stored(SeriesId id) const {
    return id < data_.size() && data_[id] ? &*data_[id] : nullptr;
  }

  std::function<Storage()> make_;
  SeriesIndex index_;
  std::vector<std::optional<Storage>> data_;  // by SeriesId
};

// A reading at a snapshot's time.
struct SeriesPoint {
  int64_t time_ns;
  double value;
};

// The series of `metric` on one component over held snapshots, oldest first:
// a point per snapshot that carries the component and a finite reading
// (Component::reading: counters as rates, gauges as read).
std::vector<SeriesPoint> series_of(std::span<const Snapshot> snaps, ComponentKind kind,
                                   std::string_view component_id, MetricId metric);

}  // namespace kpulse::model
