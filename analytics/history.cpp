#include "analytics/history.h"

#include <cmath>

#include "model/metric_catalog.h"

namespace kpulse::analytics {

std::vector<HistoryTier> default_history_tiers() {
  return {{1, 3600}, {60, 8 * 24 * 60}, {3600, 90 * 24}};
}

History::History(std::vector<HistoryTier> tiers, size_t max_series)
    : tiers_(std::move(tiers)), max_series_(max_series) {
  rings_.reserve(std::min<size_t>(max_series_, 4096));
}

History::SeriesId History::series(std::string_view component_key, std::string_view metric) {
  scratch_.assign(component_key);
  scratch_ += '\n';
  scratch_ += metric;
  if (auto it = by_name_.find(std::string_view(scratch_)); it != by_name_.end()) return it->second;
  if (rings_.size() >= max_series_) {
    ++dropped_;
    return kNoSeries;
  }
  const SeriesId id = static_cast<SeriesId>(rings_.size());
  rings_.emplace_back(tiers_);
  by_name_.emplace(scratch_, id);
  return id;
}

History::ComponentIndex& History::component(std::string_view key) {
  if (auto it = components_.find(key); it != components_.end()) return *it->second;
  auto c = std::make_unique<ComponentIndex>();
  c->key = std::string(key);
  const size_t n = model::metric_count();
  c->plain.assign(n, kNoSeries);
  c->p50.assign(n, kNoSeries);
  c->p99.assign(n, kNoSeries);
  auto& ref = *c;
  components_.emplace(std::string(key), std::move(c));
  return ref;
}

History::SeriesId History::slot(ComponentIndex& c, std::vector<SeriesId>& v, model::MetricId id,
                                std::string_view suffix) {
  SeriesId& s = v[static_cast<size_t>(id)];
  if (s == kNoSeries) {
    std::string name(model::info(id).name);
    name += suffix;
    s = series(c.key, name);
  }
  return s;
}

void History::ingest(const model::Snapshot& snap) {
  const int64_t t = snap.time_ns >= 0 ? snap.time_ns / 1'000'000'000
                                      : (snap.time_ns - 999'999'999) / 1'000'000'000;
  const bool have_interval = snap.interval_s > 0;
  std::string key;
  for (const auto& comp : snap.components) {
    // An exited task is an event, not a series: one per pid kept for 90
    // days would grow without bound.
    if (model::is_event_kind(comp.kind)) continue;
    key.assign(model::to_string(comp.kind));
    key += ':';
    key += comp.id;
    ComponentIndex& c = component(key);
    for (const auto& s : comp.samples) {
      const bool counter = model::info(s.id).type == model::MetricType::Counter;
      if (counter && !have_interval) continue;
      append(slot(c, c.plain, s.id, ""), t, model::reading_of(s, snap.interval_s));
    }
    if (have_interval) {
      for (const auto& s : comp.labeled) {
        std::string name(model::info(s.id).name);
        name += '{';
        name += s.label;
        name += '}';
        SeriesId id;
        if (auto it = c.labeled.find(std::string_view(name)); it != c.labeled.end()) {
          id = it->second;
        } else {
          id = series(c.key, name);
          c.labeled.emplace(name, id);
        }
        append(id, t, model::rate_of(s.delta, snap.interval_s));
      }
    }
    for (const auto& h : comp.histograms) {
      if (h.delta.count == 0) continue;
      append(slot(c, c.p50, h.id, ":p50"), t, h.delta.quantile_s(0.50));
      append(slot(c, c.p99, h.id, ":p99"), t, h.delta.quantile_s(0.99));
    }
  }
}

const SeriesRing* History::find(std::string_view component_key, std::string_view metric) const {
  std::string k(component_key);
  k += '\n';
  k += metric;
  auto it = by_name_.find(std::string_view(k));
  return it == by_name_.end() ? nullptr : &rings_[it->second];
}

std::vector<HistoryPoint> History::range(std::string_view component_key, std::string_view metric,
                                         int64_t from, int64_t to) const {
  const SeriesRing* r = find(component_key, metric);
  return r ? r->range(from, to) : std::vector<HistoryPoint>{};
}

size_t History::memory_bytes() const {
  size_t bytes = sizeof(*this) + rings_.capacity() * sizeof(SeriesRing);
  for (const auto& r : rings_) bytes += r.memory_bytes() - sizeof(SeriesRing);
  return bytes;
}

}  // namespace kpulse::analytics
