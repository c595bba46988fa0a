#include "analytics/history.h"

#include <algorithm>

namespace kpulse::analytics {
namespace {

constexpr model::SeriesSelection kEverySeries{
    .labeled = true, .quantiles = true, .counters_need_interval = true, .forget_gone = false};

}  // namespace

std::vector<HistoryTier> default_history_tiers() {
  return {{1, 3600}, {60, 8 * 24 * 60}, {3600, 90 * 24}};
}

void TieredSeries::append(int64_t time_ns, double value) {
  const int64_t t =
      time_ns >= 0 ? time_ns / 1'000'000'000 : (time_ns - 999'999'999) / 1'000'000'000;
  ring.append(t, value);
}

History::History(std::vector<HistoryTier> tiers, size_t max_series)
    : store_([tiers = std::move(tiers)] { return TieredSeries{SeriesRing(tiers)}; }, max_series,
             kEverySeries) {
  store_.reserve(std::min<size_t>(max_series, 4096));
}

const SeriesRing* History::find(std::string_view component_key, std::string_view metric) const {
  const TieredSeries* s = store_.find(component_key, metric);
  return s ? &s->ring : nullptr;
}

std::vector<HistoryPoint> History::range(std::string_view component_key, std::string_view metric,
                                         int64_t from, int64_t to) const {
  const SeriesRing* r = find(component_key, metric);
  return r ? r->range(from, to) : std::vector<HistoryPoint>{};
}

size_t History::memory_bytes() const {
  size_t bytes = sizeof(*this) + store_.slots_capacity() * sizeof(std::optional<TieredSeries>);
  store_.for_each(
      [&](const TieredSeries& s) { bytes += s.ring.memory_bytes() - sizeof(SeriesRing); });
  return bytes;
}

}  // namespace kpulse::analytics
