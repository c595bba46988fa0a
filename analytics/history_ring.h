// One metric series kept at several resolutions in pre-sized ring buffers.
//
// Every append updates one bucket per tier (min, max, mean, count), so an
// append is O(tiers) and memory never grows after construction. A range
// read answers from the finest tier that still holds the start of the range.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace kpulse::analytics {

struct HistoryTier {
  int64_t bucket_seconds;  // resolution
  uint32_t buckets;        // retention = bucket_seconds * buckets
};

// A bucket as read back: `t` is its start (unix seconds).
struct HistoryPoint {
  int64_t t = 0;
  int64_t seconds = 0;  // bucket width
  double min = 0, max = 0, mean = 0;
  uint32_t count = 0;  // samples aggregated
};

class SeriesRing {
 public:
  // Tiers must be ordered finest first.
  explicit SeriesRing(std::span<const HistoryTier> tiers);

  // Adds a sample at time `t` (unix seconds). Samples older than a tier's
  // retention (relative to the newest sample) are ignored by that tier;
  // out-of-order samples inside it are merged into their bucket.
  void append(int64_t t, double value);

  // Buckets with data in [from, to], oldest first, from the finest tier that
  // retains `from` (the coarsest tier when none does).
  [[nodiscard]] std::vector<HistoryPoint> range(int64_t from, int64_t to) const;
  // Same, from one tier.
  [[nodiscard]] std::vector<HistoryPoint> range_in_tier(size_t tier, int64_t from,
                                                        int64_t to) const;

  [[nodiscard]] size_t tiers() const { return tiers_.size(); }
  // Oldest time a tier still holds (unix seconds); INT64_MAX when empty.
  [[nodiscard]] int64_t oldest(size_t tier) const;
  [[nodiscard]] size_t memory_bytes() const;

 private:
  // 16 bytes: floats are plenty for display and forecasting, and halve the
  // footprint of a 17k-bucket series.
  struct Bucket {
    float min, max, mean;
    uint32_t count;
  };
  struct Tier {
    int64_t seconds;
    int64_t newest = INT64_MIN;  // absolute bucket index (t / seconds) of the newest bucket
    std::vector<Bucket> ring;
  };
  std::vector<Tier> tiers_;
};

}  // namespace kpulse::analytics
