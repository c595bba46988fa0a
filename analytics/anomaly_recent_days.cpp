#include "analytics/anomaly_recent_days.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kpulse::analytics {
namespace {
constexpr double kDay = 86400.0;
// A day number for any time the readers accept: a timestamp far past any
// calendar (fuzz_series_csv fed 1.97e27 s) is held at +-1e15 days instead of
// overflowing the conversion (undefined behaviour).
int64_t day_of(double t) {
  const double day = std::floor(t / kDay);
  if (!(day == day)) return 0;  // NaN: no day
  return int64_t(std::clamp(day, -1e15, 1e15));
}
// The running means are floats: a value past the float range would turn into
// an infinity and the next mean into NaN.
float as_float(double v) {
  return float(std::clamp(v, double(-std::numeric_limits<float>::max()),
                          double(std::numeric_limits<float>::max())));
}
}  // namespace

RecentDays::RecentDays(int bins, int days, int slack)
    : bins_(bins), days_(days), slack_(slack), entries_(size_t(bins) * size_t(days + 1)) {}

int RecentDays::slot_of(int64_t day) const {
  const int64_t slots = days_ + 1;
  return int(((day % slots) + slots) % slots);
}

int RecentDays::bin_of(double t) const {
  // fmod is exact for every finite double; t - floor(t / day) * day is not
  // once t is so large that the product has lost the seconds (4.7e70 s gave a
  // "time of day" of 1e55 and an undefined conversion to int).
  double into_day = std::fmod(t, kDay);
  if (into_day < 0) into_day += kDay;
  if (!(into_day >= 0 && into_day < kDay)) return 0;  // NaN or infinite t
  return std::min(bins_ - 1, int(into_day / kDay * bins_));
}

double RecentDays::closest_around(double centre, double value, int first_offset, int slack,
                                  double surprise) const {
  const int64_t centre_day = day_of(centre);
  const int centre_bin = bin_of(centre);
  // The window may reach into the day before or after (across midnight).
  const int slots[3] = {slot_of(centre_day - 1), slot_of(centre_day), slot_of(centre_day + 1)};
  double best = std::numeric_limits<double>::infinity();
  for (int d = first_offset; d <= slack; ++d) {
    int bin = centre_bin + d;
    int side = 1;
    if (bin < 0) {
      bin += bins_;
      side = 0;
    } else if (bin >= bins_) {
      bin -= bins_;
      side = 2;
    }
    const Entry& e = at(slots[side], bin);
    if (e.n == 0 || e.day != centre_day + side - 1) continue;
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
  // Only the trailing `days` x 24 hours: on the oldest day, from this time on.
  double best = std::numeric_limits<double>::infinity();
  for (int k = 1; k <= days_; ++k)
    best =
        std::min(best, closest_around(t - k * kDay, value, k < days_ ? -slack_ : 0, slack_, NAN));
  return std::isinf(best) ? -1.0 : best;
}

double RecentDays::nearest_every_day(double t, double value, double surprise, int slack,
                                     double below) const {
  // The whole window on each day, even `days` ago: a routine is judged day by day.
  double worst = 0;
  for (int k = 1; k <= days_; ++k) {
    const double best = closest_around(t - k * kDay, value, -slack, slack, surprise);
    // A day without such a memory here: no routine (or none closer than `below`).
    if (!(best < below)) return -1.0;
    worst = std::max(worst, best);
  }
  return worst;
}

void RecentDays::add(double t, double value, double surprise) {
  const int64_t today = day_of(t);
  Entry& e = at(slot_of(today), bin_of(t));
  if (e.day != today) e = Entry{0.0f, 0.0f, int32_t(today), 0};
  ++e.n;
  e.mean = as_float(double(e.mean) + (value - double(e.mean)) / double(e.n));
  e.surprise = as_float(double(e.surprise) + (surprise - double(e.surprise)) / double(e.n));
}

}  // namespace kpulse::analytics
