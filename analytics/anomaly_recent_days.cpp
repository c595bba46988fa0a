#include "analytics/anomaly_recent_days.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kpulse::analytics {
namespace {
constexpr double kDay = 86400.0;
int64_t day_of(double t) {
  return int64_t(std::floor(t / kDay));
}
}  // namespace

RecentDays::RecentDays(int bins, int days, int slack)
    : bins_(bins), days_(days), slack_(slack), entries_(size_t(bins) * size_t(days)) {}

int RecentDays::bin_of(double t) const {
  const double into_day = t - std::floor(t / kDay) * kDay;
  return std::min(bins_ - 1, int(into_day / kDay * bins_));
}

double RecentDays::nearest(double t, double value) const {
  const int64_t today = day_of(t);
  const int bin = bin_of(t);
  double best = std::numeric_limits<double>::infinity();
  for (int slot = 0; slot < days_; ++slot) {
    for (int d = -slack_; d <= slack_; ++d) {
      const Entry& e = at(slot, ((bin + d) % bins_ + bins_) % bins_);
      if (e.n == 0 || e.day >= today || e.day < today - days_) continue;
      best = std::min(best, std::fabs(value - double(e.mean)));
    }
  }
  return std::isinf(best) ? -1.0 : best;
}

void RecentDays::add(double t, double value) {
  const int64_t today = day_of(t);
  Entry& e = at(int(((today % days_) + days_) % days_), bin_of(t));
  if (e.day != today) e = Entry{0.0f, int32_t(today), 0};
  ++e.n;
  e.mean += float((value - double(e.mean)) / double(e.n));
}

}  // namespace kpulse::analytics
