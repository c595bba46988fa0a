// Memory of what a metric read at about this time of day on the last few
// days. It explains recurring events (a nightly backup, an hourly cron spike
// that drifts by a few minutes) that a level baseline finds surprising every
// time: a sample is unsurprising if a past day had a similar value within a
// few bins of the same time.
//
// Bounded memory: days x bins entries (3 x 288 for a 5-minute resolution).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kpulse::analytics {

class RecentDays {
 public:
  // bins: time-of-day bins per day; days: how many past days are kept;
  // slack: bins either side of the current one that may explain a sample.
  RecentDays(int bins, int days, int slack);

  // Smallest |value - remembered| over the kept past days (not today) near
  // this time of day, or a negative number when nothing is remembered there.
  double nearest(double t_unix, double value) const;
  // Records the sample (each entry keeps the mean of its day's samples in its bin).
  void add(double t_unix, double value);

 private:
  // 12 bytes: the mean needs no double precision to judge "similar".
  struct Entry {
    float mean = 0;
    int32_t day = -1;  // days since the epoch
    uint32_t n = 0;
  };
  int bin_of(double t_unix) const;
  Entry& at(int slot, int bin) { return entries_[size_t(slot) * bins_ + size_t(bin)]; }
  const Entry& at(int slot, int bin) const { return entries_[size_t(slot) * bins_ + size_t(bin)]; }

  int bins_;
  int days_;
  int slack_;
  std::vector<Entry> entries_;
};

}  // namespace kpulse::analytics
