// Memory of what a metric read at about this time of day on the last few
// days. It explains recurring events (a nightly backup, an hourly cron spike
// that drifts by a few minutes) that a level baseline finds surprising every
// time: a sample is unsurprising if a past day had a similar value within a
// few bins of the same time.
//
// Bounded memory: (days + 1) x bins entries of 16 bytes (4 x 288 for a
// 5-minute resolution: 18 KiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace kpulse::analytics {

class RecentDays {
 public:
  // bins: time-of-day bins per day; days: how many past days are kept;
  // slack: bins either side of the current one that may explain a sample.
  RecentDays(int bins, int days, int slack);

  // Smallest |value - remembered| over the trailing `days` x 24 hours (not
  // today's own samples) within `slack` bins of this time of day, or a
  // negative number when nothing is remembered there.
  double nearest(double t_unix, double value) const;
  // Whether a surprise (`value` deviating from the caller's prediction by
  // `surprise`) recurred on every kept past day within a wider `slack` (in
  // bins) of this time of day: the largest over those days of each day's
  // smallest |value - remembered|, counting only remembered values that were
  // a surprise the same way and at least half as large; a negative number
  // unless every day has one closer than `below` (the caller's best answer so
  // far: the search stops as soon as it cannot beat it). A nightly job that
  // drifts by half an hour surprises the same way every night; a missing
  // daily peak is a surprise no past day had, even though its value was read
  // nearby every day.
  double nearest_every_day(double t_unix, double value, double surprise, int slack,
                           double below = std::numeric_limits<double>::infinity()) const;
  // Records the sample and its surprise (each entry keeps the means of its
  // day's samples in its bin).
  void add(double t_unix, double value, double surprise = 0.0);

 private:
  // 16 bytes: the means need no double precision to judge "similar".
  struct Entry {
    float mean = 0;
    float surprise = 0;
    int32_t day = -1;  // days since the epoch
    uint32_t n = 0;
  };
  int bin_of(double t_unix) const;
  // One slot per kept past day plus one for today, so that filling today
  // never overwrites a day that is still kept.
  int slot_of(int64_t day) const;
  // Smallest |value - remembered| over the bins first_offset..slack away from
  // `centre` (a time one or more days ago); infinity when none is remembered.
  // Unless `surprise` is NaN, only remembered values whose surprise had the
  // same sign and at least half its size count.
  double closest_around(double centre, double value, int first_offset, int slack,
                        double surprise) const;
  Entry& at(int slot, int bin) { return entries_[size_t(slot) * bins_ + size_t(bin)]; }
  const Entry& at(int slot, int bin) const { return entries_[size_t(slot) * bins_ + size_t(bin)]; }

  int bins_;
  int days_;
  int slack_;
  std::vector<Entry> entries_;
};

}  // namespace kpulse::analytics
