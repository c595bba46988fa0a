#include "exporters/comm_totals.h"

#include <algorithm>
#include <cmath>

namespace kpulse::exporters {
namespace {

// An unknown or negative growth adds nothing: the total never falls.
double growth(double delta) {
  return std::isnan(delta) || delta < 0 ? 0 : delta;
}

template <class T>
T* find_by_id(std::vector<T>& v, model::MetricId id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.id == id; });
  return it == v.end() ? nullptr : &*it;
}

}  // namespace

void CommTotals::carry(std::vector<model::Component>& comms, int64_t time_ns) {
  for (auto& c : comms) {
    Kept& k = kept_[c.name];
    k.seen_ns = time_ns;
    for (auto& s : c.samples) {
      if (model::info(s.id).type != model::MetricType::Counter) continue;
      model::Sample* last = find_by_id(k.counters, s.id);
      if (!last) {
        k.counters.push_back(s);  // first sight of this counter: the sum is its start
        continue;
      }
      s.value = last->value + growth(s.delta);
      last->value = s.value;
    }
    for (auto& h : c.histograms) {
      model::HistogramSample* last = find_by_id(k.histograms, h.id);
      if (!last) {
        k.histograms.push_back(h);
        continue;
      }
      last->total += h.delta;
      h.total = last->total;
    }
  }
  // A clock stepped back (seen_ns ahead of now) keeps everything.
  std::erase_if(kept_, [&](const auto& kv) { return time_ns - kv.second.seen_ns > kKeepAbsentNs; });
}

}  // namespace kpulse::exporters
