#include "analytics/history_ring.h"

#include <algorithm>
#include <limits>

namespace kpulse::analytics {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

size_t slot_of(int64_t index, size_t size) {
  const int64_t m = index % static_cast<int64_t>(size);
  return static_cast<size_t>(m < 0 ? m + static_cast<int64_t>(size) : m);
}

}  // namespace

SeriesRing::SeriesRing(std::span<const HistoryTier> tiers) {
  tiers_.reserve(tiers.size());
  for (const auto& t : tiers) {
    Tier tier;
    tier.seconds = std::max<int64_t>(1, t.bucket_seconds);
    tier.ring.assign(std::max<uint32_t>(1, t.buckets), Bucket{0, 0, 0, 0});
    tiers_.push_back(std::move(tier));
  }
}

void SeriesRing::append(int64_t t, double value) {
  const float v = static_cast<float>(value);
  for (auto& tier : tiers_) {
    const int64_t b = floor_div(t, tier.seconds);
    const int64_t size = static_cast<int64_t>(tier.ring.size());
    if (b > tier.newest) {
      // Buckets skipped over are empty now; at most one lap to clear.
      const int64_t first =
          tier.newest == INT64_MIN ? b - size + 1 : std::max(tier.newest + 1, b - size + 1);
      for (int64_t i = first; i <= b; ++i) tier.ring[slot_of(i, tier.ring.size())].count = 0;
      tier.newest = b;
    } else if (b <= tier.newest - size) {
      continue;  // older than this tier keeps
    }
    Bucket& k = tier.ring[slot_of(b, tier.ring.size())];
    if (k.count == 0) {
      k = Bucket{v, v, v, 1};
    } else {
      k.min = std::min(k.min, v);
      k.max = std::max(k.max, v);
      ++k.count;
      k.mean += (v - k.mean) / static_cast<float>(k.count);
    }
  }
}

int64_t SeriesRing::oldest(size_t tier) const {
  const Tier& t = tiers_.at(tier);
  if (t.newest == INT64_MIN) return std::numeric_limits<int64_t>::max();
  return (t.newest - static_cast<int64_t>(t.ring.size()) + 1) * t.seconds;
}

std::vector<HistoryPoint> SeriesRing::range_in_tier(size_t tier, int64_t from, int64_t to) const {
  std::vector<HistoryPoint> out;
  const Tier& t = tiers_.at(tier);
  if (t.newest == INT64_MIN || to < from) return out;
  const int64_t size = static_cast<int64_t>(t.ring.size());
  const int64_t lo = std::max(floor_div(from, t.seconds), t.newest - size + 1);
  const int64_t hi = std::min(floor_div(to, t.seconds), t.newest);
  if (hi >= lo) out.reserve(static_cast<size_t>(hi - lo + 1));
  for (int64_t b = lo; b <= hi; ++b) {
    const Bucket& k = t.ring[slot_of(b, t.ring.size())];
    if (k.count == 0) continue;
    out.push_back({b * t.seconds, t.seconds, k.min, k.max, k.mean, k.count});
  }
  return out;
}

std::vector<HistoryPoint> SeriesRing::range(int64_t from, int64_t to) const {
  if (tiers_.empty()) return {};
  for (size_t i = 0; i < tiers_.size(); ++i)
    if (oldest(i) <= from) return range_in_tier(i, from, to);
  return range_in_tier(tiers_.size() - 1, from, to);
}

size_t SeriesRing::memory_bytes() const {
  size_t bytes = sizeof(*this) + tiers_.capacity() * sizeof(Tier);
  for (const auto& t : tiers_) bytes += t.ring.capacity() * sizeof(Bucket);
  return bytes;
}

}  // namespace kpulse::analytics
