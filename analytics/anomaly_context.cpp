#include "analytics/anomaly_context.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace kpulse::analytics {
namespace {

constexpr int kWays = 4;
// Grid levels (cell width 2^level) are kept in a range where cell indices of
// any value below kMaxSeriesMagnitude stay finite; a flat series sits at the
// finest level, where any change is a new cell.
constexpr int kFinestLevel = -200;
constexpr int kCoarsestLevel = 400;

uint64_t mix(uint64_t h) {
  // A 64-bit finaliser (splitmix-style constants): every input bit moves
  // about half the output bits, so fingerprints of similar contexts differ.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace

ContextAnomalyDetector::ContextAnomalyDetector(ContextDetectorConfig config)
    : cfg_(config),
      order_(std::clamp(config.context_order, 1, kMaxContextOrder)),
      level_(kFinestLevel) {
  const auto slots = std::bit_ceil(size_t(std::max(config.table_slots, 2 * kWays)));
  table_.assign(slots, 0);
}

int ContextAnomalyDetector::level_for_range() const {
  const double cells = std::ldexp(1.0, std::clamp(cfg_.value_bits, 0, 16));
  const double width = (hi_ - lo_) / cells;
  if (!(width > 0)) return kFinestLevel;
  return std::clamp(int(std::ceil(std::log2(width))), kFinestLevel, kCoarsestLevel);
}

bool ContextAnomalyDetector::seen_or_insert(uint64_t key) {
  const size_t sets = table_.size() / kWays;
  uint32_t* set = &table_[(key % sets) * kWays];
  const uint32_t print = uint32_t(key >> 32) | 1u;
  for (int w = 0; w < kWays; ++w) {
    if (set[w] != print) continue;
    // Move it one place toward the front: the set stays roughly in order of
    // last use, so the slot given up for a new context is a stale one.
    if (w > 0) std::swap(set[w], set[w - 1]);
    return true;
  }
  std::copy_backward(set, set + kWays - 1, set + kWays);
  set[0] = print;
  ++inserts_;
  return false;
}

int ContextAnomalyDetector::learn_level(int level) {
  const int available = int(std::min<int64_t>(n_, order_));
  uint64_t h = mix(uint64_t(int64_t(level)) + 0x9e3779b97f4a7c15ULL);
  int familiar = 0;
  bool chain_known = true;
  for (int k = 0; k < available; ++k) {
    const double v = recent_[size_t((head_ - 1 - k + kMaxContextOrder) % kMaxContextOrder)];
    double cell = std::floor(std::ldexp(v, -level));
    if (cell == 0) cell = 0;  // -0.0 and 0.0 are one cell
    h = mix(h ^ std::bit_cast<uint64_t>(cell));
    const bool seen = seen_or_insert(h);
    if (seen && chain_known) familiar = k + 1;
    chain_known = chain_known && seen;
  }
  return familiar;
}

double ContextAnomalyDetector::update(double x) {
  if (std::isnan(x)) return 0.0;
  x = std::clamp(x, -1e100, 1e100);
  if (n_ == 0) lo_ = hi_ = x;
  lo_ = std::min(lo_, x);
  hi_ = std::max(hi_, x);
  recent_[size_t(head_)] = x;
  head_ = (head_ + 1) % kMaxContextOrder;
  ++n_;
  // The grid only coarsens: a cell keeps its meaning while the range grows
  // within it. A jump of one level lands on the coarser grid learned beside.
  const int old_level = level_;
  level_ = std::max(level_, level_for_range());
  // A coarser grid means a value far beyond the range any resting episode was
  // judged on (a storm after a blip): news, not that episode's aftermath.
  const bool new_episode = level_ > old_level;
  const int familiar = learn_level(level_);
  if (level_ < kCoarsestLevel) learn_level(level_ + 1);

  const int available = int(std::min<int64_t>(n_, order_));
  last_novelty_ = double(available - familiar) / double(order_);
  if (n_ <= cfg_.warmup_samples) return 0.0;
  double score = last_novelty_;
  if (cfg_.rest_samples > 0) {
    if (rest_left_ > 0) --rest_left_;
    if (rest_left_ > 0 && score <= rest_peak_ && !new_episode) return 0.0;
    if (score > 0) {
      rest_peak_ = score;
      rest_left_ = cfg_.rest_samples + 1;
    }
  }
  return score;
}

}  // namespace kpulse::analytics
