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
    : bins_(bins), days_(days), slack_(slack), entries_(size_t(bins) * size_t(days + 1)) {}

int RecentDays::slot_of(int64_t day) const {
  return int(((day % (days_ + 1)) + (days_ + 1)) % (days_ + 1));
}

int RecentDays::bin_of(double t) const {
  const double into_day = t - std::floor(t / kDay) * kDay;
  return std::min(bins_ - 1, int(into_day / kDay * bins_));
}

double RecentDays::closest_around(double centre, double value, int slack, double not_before,
                                  double surprise) const {
  const double bin_width = kDay / bins_;
  double best = std::numeric_limits<double>::infinity();
  for (int d = -slack; d <= slack; ++d) {
    const double when = centre + d * bin_width;
    if (when < not_before) continue;
    const Entry& e = at(slot_of(day_of(when)), bin_of(when));
    if (e.n == 0 || e.day != day_of(when)) continue;
    // A routine surprise: that day's value was a surprise the same way, at
    // least half as large (so a value that was ordinary then is no match).
    if (!std::isnan(surprise) &&
        !(double(e.surprise) * surprise > 0 && std::fabs(e.surprise) >= 0.5 * std::fabs(surprise)))
      continue;
    best = std::min(best, std::fabs(value - double(e.mean)));
  }
  return best;
}

double RecentDays::nearest(double t, double value) const {
  // Only the trailing `days` x 24 hours: half a bin of tolerance keeps the
  // bin exactly `days` ago.
  const double not_before = t - days_ * kDay - 0.5 * kDay / bins_;
  double best = std::numeric_limits<double>::infinity();
  for (int k = 1; k <= days_; ++k)
    best = std::min(best, closest_around(t - k * kDay, value, slack_, not_before, NAN));
  return std::isinf(best) ? -1.0 : best;
}

double RecentDays::nearest_every_day(double t, double value, double surprise, int slack) const {
  // The whole window on each day, even `days` ago: a routine is judged day by day.
  double worst = 0;
  for (int k = 1; k <= days_; ++k) {
    const double best = closest_around(t - k * kDay, value, slack,
                                       -std::numeric_limits<double>::infinity(), surprise);
    if (std::isinf(best)) return -1.0;  // a day without a memory here: no routine
    worst = std::max(worst, best);
  }
  return worst;
}

void RecentDays::add(double t, double value, double surprise) {
  const int64_t today = day_of(t);
  Entry& e = at(slot_of(today), bin_of(t));
  if (e.day != today) e = Entry{0.0f, 0.0f, int32_t(today), 0};
  ++e.n;
  e.mean += float((value - double(e.mean)) / double(e.n));
  e.surprise += float((surprise - double(e.surprise)) / double(e.n));
}

}  // namespace kpulse::analytics
