#include "exporters/interval_merge.h"

#include <map>
#include <string>
#include <utility>

namespace kpulse::exporters {
namespace {

// Adds `older`'s per-interval deltas into `newer`, matching samples by metric
// (and label).
void fold_component(const model::Component& older, model::Component& newer) {
  for (auto& s : newer.samples)
    if (const model::Sample* o = older.find(s.id)) s.delta += o->delta;
  for (auto& l : newer.labeled)
    for (const auto& o : older.labeled)
      if (o.id == l.id && o.label == l.label) l.delta += o.delta;
  for (auto& h : newer.histograms)
    if (const model::HistogramSample* o = older.find_histogram(h.id)) h.delta += o->delta;
}

}  // namespace

void IntervalMerger::add(model::Snapshot snapshot) {
  if (pending_) {
    std::map<std::pair<model::ComponentKind, std::string>, const model::Component*> older;
    for (const auto& c : pending_->components) older[{c.kind, c.id}] = &c;
    for (auto& c : snapshot.components)
      if (auto it = older.find({c.kind, c.id}); it != older.end()) fold_component(*it->second, c);
    snapshot.interval_s += pending_->interval_s;
  }
  pending_ = std::move(snapshot);
}

model::Snapshot IntervalMerger::take() {
  model::Snapshot out = std::move(*pending_);
  pending_.reset();
  return out;
}

}  // namespace kpulse::exporters
