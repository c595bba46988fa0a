#include "tui/history.h"

#include <cmath>
#include <limits>

namespace kpulse::tui {
namespace {

// Samples only; a counter's first reading (no interval yet) is kept as 0.
constexpr model::SeriesSelection kSparklines{
    .labeled = false, .quantiles = false, .counters_need_interval = false, .forget_gone = true};

}  // namespace

void RecentValues::append(int64_t /*time_ns*/, double value) {
  const float v = std::isnan(value) ? 0.0F : float(value);
  if (values.size() < capacity) {
    values.push_back(v);
  } else {
    values[next] = v;
    next = (next + 1) % capacity;
  }
}

History::History(size_t capacity)
    : capacity_(capacity),
      store_(
          [capacity] {
            return RecentValues{capacity, {}, 0};
          },
          std::numeric_limits<size_t>::max(), kSparklines) {}

std::vector<double> History::series(const std::string& key, model::MetricId id) const {
  const RecentValues* r = store_.find(key, id);
  if (!r) return {};
  std::vector<double> out;
  out.reserve(r->values.size());
  for (size_t i = 0; i < r->values.size(); ++i)
    out.push_back(r->values[(r->next + i) % r->values.size()]);
  return out;
}

}  // namespace kpulse::tui
