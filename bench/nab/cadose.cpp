#include "nab/cadose.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace kpulse::bench {
namespace {

constexpr int kWays = 4;
constexpr int kMaxValueBits = 8;  // cells are stored as uint8_t
// Anchored grid: one bit fewer, so the cells of the range seen (at most
// 2^bits + 1 of them) keep distinct low 8 bits.
constexpr int kMaxAnchoredBits = 7;
// Levels kept where a value's cell index stays finite (as in the context
// learner); a flat series sits at the finest level.
constexpr int kFinestLevel = -200;
constexpr int kCoarsestLevel = 400;
constexpr double kMaxCell = 4.0e18;  // inside int64_t

uint64_t mix(uint64_t h) {
  // A 64-bit finaliser (splitmix-style constants), so fingerprints of
  // left semi-contexts that share a suffix still differ.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace

CadoseAnomalyDetector::CadoseAnomalyDetector(CadoseConfig config)
    : cfg_(config),
      bits_(std::clamp(config.value_bits, 1, kMaxValueBits)),
      left_length_(std::clamp(config.left_length, 1, kMaxLeftLength)),
      successors_(std::clamp(config.successors, 1, kMaxSuccessors)),
      level_(kFinestLevel) {
  if (anchored()) bits_ = std::min(bits_, kMaxAnchoredBits);
  cfg_.rest_samples = std::clamp(cfg_.rest_samples, 0, kMaxRest);
  table_.resize(std::bit_ceil(size_t(std::max(config.table_slots, 2 * kWays))));
}

size_t CadoseAnomalyDetector::memory_bytes() const {
  return sizeof(*this) + table_.size() * sizeof(Left);
}

bool CadoseAnomalyDetector::anchored() const {
  const bool look_ahead = std::isfinite(cfg_.range_lo) && std::isfinite(cfg_.range_hi);
  return cfg_.anchored_grid && cfg_.freeze_after == 0 && !look_ahead;
}

int64_t CadoseAnomalyDetector::cell_at(double v, int level) const {
  if (anchored()) {
    const double c = std::floor(std::ldexp(v, -level));
    return int64_t(std::clamp(c, -kMaxCell, kMaxCell));
  }
  const int cells = 1 << bits_;
  if (!(hi_ > lo_)) return 0;
  const double c = std::floor((v - lo_) / (hi_ - lo_) * cells);
  return int64_t(std::clamp(c, 0.0, double(cells - 1)));
}

int CadoseAnomalyDetector::level_for_range() const {
  const double width = std::ldexp(hi_ - lo_, -bits_);
  if (!(width > 0)) return kFinestLevel;
  return std::clamp(int(std::ceil(std::log2(width))), kFinestLevel, kCoarsestLevel);
}

CadoseAnomalyDetector::Left* CadoseAnomalyDetector::find_or_insert(uint64_t key, bool& inserted) {
  const size_t sets = table_.size() / kWays;
  Left* set = &table_[(key % sets) * kWays];
  const uint32_t print = uint32_t(key >> 32) | 1u;
  inserted = false;
  for (int w = 0; w < kWays; ++w) {
    if (set[w].print != print) continue;
    // One place toward the front: the last way holds the stalest entry.
    if (w > 0) std::swap(set[w], set[w - 1]);
    return &set[w > 0 ? w - 1 : 0];
  }
  std::move_backward(set, set + kWays - 1, set + kWays);
  set[0] = Left{};
  set[0].print = print;
  inserted = true;
  return &set[0];
}

void CadoseAnomalyDetector::check(const Left& left, int cell, int& predicted,
                                  int& confirmed) const {
  // Every right semi-context (a cell prefix of j bits) that followed this
  // left semi-context is one prediction, counted once per distinct prefix.
  for (int j = 1; j <= bits_; ++j) {
    const int shift = bits_ - j;
    std::array<uint8_t, kMaxSuccessors> distinct{};
    int n = 0;
    int seen = 0;
    for (int s = 0; s < left.used; ++s) {
      const uint8_t p = uint8_t(left.cell[size_t(s)] >> shift);
      if (std::find(distinct.begin(), distinct.begin() + n, p) != distinct.begin() + n) continue;
      distinct[size_t(n++)] = p;
      if (p == (cell >> shift)) ++seen;
    }
    predicted += n;
    confirmed += seen;
  }
}

bool CadoseAnomalyDetector::learn(Left& left, int cell, int limit) {
  for (int s = 0; s < left.used; ++s) {
    if (left.cell[size_t(s)] != cell) continue;
    if (++left.count[size_t(s)] == std::numeric_limits<uint16_t>::max())
      for (auto& c : left.count) c /= 2;  // keep the ranking, free the range
    return false;
  }
  size_t slot = left.used;
  if (left.used >= limit)
    slot = size_t(std::min_element(left.count.begin(), left.count.begin() + limit) -
                  left.count.begin());
  else
    ++left.used;
  left.cell[slot] = uint8_t(cell);
  left.count[slot] = 1;
  return true;
}

double CadoseAnomalyDetector::rested(double raw) {
  if (cfg_.rest_samples == 0) return raw;
  // Reported only above every raw score of the rest window before it.
  float peak = 0;
  for (int i = 1; i <= cfg_.rest_samples; ++i)
    peak = std::max(peak, rest_ring_[size_t((rest_head_ - i + kMaxRest) % kMaxRest)]);
  rest_ring_[size_t(rest_head_)] = float(raw);
  rest_head_ = (rest_head_ + 1) % kMaxRest;
  return raw > double(peak) ? raw : 0.0;
}

void CadoseAnomalyDetector::grow_range(double x) {
  if (std::isfinite(cfg_.range_lo) && std::isfinite(cfg_.range_hi)) {
    lo_ = cfg_.range_lo;
    hi_ = cfg_.range_hi;
    return;
  }
  if (frozen_) return;
  if (n_ == 0) lo_ = hi_ = x;
  lo_ = std::min(lo_, x);
  hi_ = std::max(hi_, x);
  if (cfg_.freeze_after > 0 && n_ + 1 >= cfg_.freeze_after) {
    const double widen = cfg_.freeze_margin * (hi_ - lo_);
    lo_ -= widen;
    hi_ += widen;
    frozen_ = true;
  }
  // The anchored grid only coarsens: a cell keeps its meaning until the
  // range outgrows it.
  if (anchored()) level_ = std::max(level_, level_for_range());
}

int CadoseAnomalyDetector::learn_grid(double x, int level, int* predicted, int* confirmed) {
  // Low bits of the cell: see Left::cell.
  const int cell = int(uint8_t(uint64_t(cell_at(x, level))));
  const int available = int(std::min<int64_t>(n_, left_length_));
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ uint64_t(int64_t(level));
  int new_contexts = 0;
  for (int k = 0; k < available; ++k) {
    const double v = recent_[size_t((head_ - 1 - k + kMaxLeftLength) % kMaxLeftLength)];
    h = mix(h ^ (uint64_t(cell_at(v, level)) << 8 | uint64_t(k + 1)));
    bool inserted = false;
    Left* left = find_or_insert(h, inserted);
    if (!inserted && predicted) check(*left, cell, *predicted, *confirmed);
    new_contexts += learn(*left, cell, successors_) ? 1 : 0;
  }
  return new_contexts;
}

double CadoseAnomalyDetector::update(double x) {
  if (std::isnan(x)) return 0.0;
  x = std::clamp(x, -1e100, 1e100);
  grow_range(x);
  // Left semi-contexts of orders 1..k over the past samples, on today's
  // grid: each active one predicts what followed it, then learns x. The
  // stretched grid has one level (0); the anchored one also learns level + 1.
  const int level = anchored() ? level_ : 0;
  int predicted = 0;
  int confirmed = 0;
  const int new_contexts = learn_grid(x, level, &predicted, &confirmed);
  if (anchored() && cfg_.learn_coarser && level < kCoarsestLevel)
    learn_grid(x, level + 1, nullptr, nullptr);
  const int available = int(std::min<int64_t>(n_, left_length_));
  recent_[size_t(head_)] = x;
  head_ = (head_ + 1) % kMaxLeftLength;
  ++n_;
  last_raw_ = predicted > 0 ? 1.0 - double(confirmed) / double(predicted) : (n_ > 1 ? 1.0 : 0.0);
  if (cfg_.score_new_contexts && available > 0)
    last_raw_ = 0.5 * (last_raw_ + double(new_contexts) / double(available));
  const double score = rested(last_raw_);
  return n_ <= cfg_.warmup_samples ? 0.0 : score;
}

}  // namespace kpulse::bench
