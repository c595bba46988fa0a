#include "model/series_index.h"

#include <algorithm>

#include "model/metric_catalog.h"

namespace kpulse::model {

SeriesIndex::SeriesIndex(size_t max_series, SeriesSelection selection)
    : max_series_(max_series), selection_(selection) {}

SeriesIndex::SeriesId SeriesIndex::series(std::string_view component_key, std::string_view name) {
  scratch_.assign(component_key);
  scratch_ += '\n';
  scratch_ += name;
  if (auto it = by_name_.find(std::string_view(scratch_)); it != by_name_.end()) return it->second;
  if (series_count() >= max_series_) {
    ++dropped_;
    return kNoSeries;
  }
  SeriesId id;
  if (free_.empty()) {
    id = static_cast<SeriesId>(names_.size());
    names_.push_back(scratch_);
  } else {
    id = free_.back();
    free_.pop_back();
    names_[id] = scratch_;
  }
  by_name_.emplace(scratch_, id);
  return id;
}

SeriesIndex::SeriesId SeriesIndex::find(std::string_view component_key,
                                        std::string_view name) const {
  std::string k(component_key);
  k += '\n';
  k += name;
  auto it = by_name_.find(std::string_view(k));
  return it == by_name_.end() ? kNoSeries : it->second;
}

SeriesIndex::SeriesId SeriesIndex::find(std::string_view component_key, MetricId id) const {
  auto it = components_.find(component_key);
  return it == components_.end() ? kNoSeries : it->second->plain[static_cast<size_t>(id)];
}

std::vector<MetricId> SeriesIndex::metrics(std::string_view component_key) const {
  std::vector<MetricId> out;
  auto it = components_.find(component_key);
  if (it == components_.end()) return out;
  const auto& plain = it->second->plain;
  for (size_t i = 0; i < plain.size(); ++i)
    if (plain[i] != kNoSeries) out.push_back(static_cast<MetricId>(i));
  return out;
}

SeriesIndex::ComponentIndex& SeriesIndex::component(std::string_view key) {
  if (auto it = components_.find(key); it != components_.end()) return *it->second;
  auto c = std::make_unique<ComponentIndex>();
  c->key = std::string(key);
  c->plain.assign(metric_count(), kNoSeries);
  if (selection_.quantiles) {
    c->p50.assign(metric_count(), kNoSeries);
    c->p99.assign(metric_count(), kNoSeries);
  }
  auto& ref = *c;
  components_.emplace(std::string(key), std::move(c));
  return ref;
}

SeriesIndex::SeriesId SeriesIndex::slot(ComponentIndex& c, std::vector<SeriesId>& v, MetricId id,
                                        std::string_view suffix) {
  SeriesId& s = v[static_cast<size_t>(id)];
  if (s == kNoSeries) {
    std::string name(info(id).name);
    name += suffix;
    s = series(c.key, name);
  }
  return s;
}

std::span<const SeriesIndex::Reading> SeriesIndex::read(const Snapshot& snap) {
  readings_.clear();
  forgotten_.clear();
  ++generation_;
  for (const auto& comp : snap.components) {
    // An exited task is an event, not a series: one per pid kept for 90 days
    // would grow without bound.
    if (is_event_kind(comp.kind)) continue;
    read_component(comp, snap.interval_s);
  }
  if (selection_.forget_gone) forget_gone();
  return readings_;
}

void SeriesIndex::read_component(const Component& comp, double interval_s) {
  const bool have_interval = interval_s > 0;
  scratch_.assign(to_string(comp.kind));
  scratch_ += ':';
  scratch_ += comp.id;
  ComponentIndex& c = component(scratch_);
  c.seen = generation_;
  auto add = [&](SeriesId id, double v) {
    if (id != kNoSeries) readings_.push_back({id, v});
  };
  for (const auto& s : comp.samples) {
    const bool counter = info(s.id).type == MetricType::Counter;
    if (counter && !have_interval && selection_.counters_need_interval) continue;
    add(slot(c, c.plain, s.id, ""), reading_of(s, interval_s));
  }
  if (selection_.labeled && have_interval) {
    for (const auto& s : comp.labeled) {
      std::string name(info(s.id).name);
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
      add(id, rate_of(s.delta, interval_s));
    }
  }
  if (selection_.quantiles) {
    for (const auto& h : comp.histograms) {
      if (h.delta.count == 0) continue;
      add(slot(c, c.p50, h.id, ":p50"), h.delta.quantile_s(0.50));
      add(slot(c, c.p99, h.id, ":p99"), h.delta.quantile_s(0.99));
    }
  }
}

void SeriesIndex::forget(const ComponentIndex& c) {
  auto drop = [&](SeriesId id) {
    if (id == kNoSeries) return;
    by_name_.erase(names_[id]);
    names_[id].clear();
    free_.push_back(id);
    forgotten_.push_back(id);
  };
  for (const auto* slots : {&c.plain, &c.p50, &c.p99})
    for (SeriesId id : *slots) drop(id);
  for (const auto& kv : c.labeled) drop(kv.second);
}

void SeriesIndex::forget_gone() {
  for (auto it = components_.begin(); it != components_.end();) {
    if (it->second->seen == generation_) {
      ++it;
      continue;
    }
    forget(*it->second);
    it = components_.erase(it);
  }
}

}  // namespace kpulse::model
