#include "analytics/period_search.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>

namespace kpulse::analytics {

namespace {

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

double stddev(const std::vector<double>& v, double m) {
  if (v.size() < 2) return 0;
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

std::vector<double> cpu_values(const std::vector<CpuReading>& w) {
  std::vector<double> cpu;
  cpu.reserve(w.size());
  for (const auto& s : w) cpu.push_back(s.cpu);
  return cpu;
}

// Sum of squared deviations from m: the autocorrelation's denominator, the
// same for every lag and every order of the same values.
double sum_squares(const std::vector<double>& v, double m) {
  double den = 0;
  for (double x : v) den += (x - m) * (x - m);
  return den;
}

// Autocorrelation of v at lag k (biased estimator, 0 for a flat series).
double acf(const std::vector<double>& v, size_t k, double m, double den) {
  double num = 0;
  for (size_t i = 0; i + k < v.size(); ++i) num += (v[i] - m) * (v[i + k] - m);
  return den > 0 ? num / den : 0;
}

// The series' ranks (ties share their mean rank): a cycle is about when the
// work runs, not how much CPU each busy phase got. On a contended host the
// busy phases get a varying share of a CPU, which blurs the autocorrelation
// of the values while their order (busy above idle) still repeats exactly.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> out(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) out[order[k]] = 0.5 * double(i + j);
    i = j + 1;
  }
  return out;
}

// Autocorrelations of v at lags 0 .. v.size() / 3 + 1.
std::vector<double> acfs(const std::vector<double>& v, double m, double den) {
  std::vector<double> r(v.size() / 3 + 2, 0.0);
  for (size_t k = 1; k < r.size(); ++k) r[k] = acf(v, k, m, den);
  return r;
}

// The lag (>= 2 samples, at most a third of the window so at least three
// cycles are seen) with the highest autocorrelation `r` (from acfs), if it is
// a local peak and the series anti-correlated with itself at some shorter
// lag: a cycle swings through its opposite phase on the way, a burst that
// merely lasts a few samples does not.
std::pair<size_t, double> best_period(const std::vector<double>& r) {
  size_t best = 0;
  double best_r = 0, trough = 1;
  for (size_t k = 2; k + 2 <= r.size(); ++k) {
    trough = std::min(trough, r[k - 1]);
    if (r[k] > best_r && trough < 0 && r[k] >= r[k - 1] && r[k] >= r[k + 1])
      best = k, best_r = r[k];
  }
  return {best, best_r};
}

// A series that repeats every P also repeats every 2P and 3P, and when P is
// not a whole number of samples a multiple can land nearer one and peak
// higher (a 60 s cycle on a 5.7 s grid: 10.5 lags, but 21.05). The period is
// the shortest: a peak near a half or a third of `lag` that is itself above
// the chance bound replaces it.
size_t fundamental(const std::vector<double>& r, size_t lag, double chance) {
  for (bool shorter = true; shorter;) {
    shorter = false;
    for (size_t d : {3, 2}) {
      const size_t centre = (lag + d / 2) / d;
      for (size_t k = std::max<size_t>(centre, 3) - 1; k <= centre + 1 && k < lag; ++k)
        if (r[k] > chance && r[k] >= r[k - 1] && r[k] >= r[k + 1] &&
            *std::min_element(r.begin() + 1, r.begin() + ptrdiff_t(k)) < 0) {
          lag = k, shorter = true;
          break;
        }
      if (shorter) break;
    }
  }
  return lag;
}

// How high the best autocorrelation of this series reaches by chance: the
// same values in random order (no cycle at all) searched over the same lags.
// The bound is the largest of kPermutations shuffles' best, so a cycle passes
// with a false-alarm rate of 1 / (kPermutations + 1), whatever the series'
// length (the fixed bound it replaces was too strict for short windows of
// noisy phases and meant nothing for long ones). Seeded: the same series
// always gets the same answer. Once a shuffle reaches `stop_at` (the
// candidate's own autocorrelation) the candidate has failed and the rest
// cannot change that: `exact` is cleared and the bound so far returned.
double chance_autocorrelation(const std::vector<double>& ranked, double m, double den,
                              double stop_at, bool& exact) {
  constexpr int kPermutations = 99;
  exact = true;
  if (!(den > 0)) return 0;
  // Ranks are multiples of 1/2 around a mean of (n - 1) / 2: doubled and
  // centred they are small integers, whose lag products sum exactly in any
  // order (four running sums cost what one did), and each ratio equals the
  // floating-point one bit for bit (both exact before the one division).
  std::vector<int32_t> v(ranked.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = int32_t(std::lround(2 * (ranked[i] - m)));
  auto lag_sum = [&](size_t k) {
    int64_t s[4] = {0, 0, 0, 0};
    const size_t n = v.size() - k;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (size_t j = 0; j < 4; ++j) s[j] += int64_t(v[i + j]) * v[i + j + k];
    for (; i < n; ++i) s[0] += int64_t(v[i]) * v[i + k];
    return s[0] + s[1] + s[2] + s[3];
  };
  const double den4 = 4 * den;
  std::mt19937 rng(0x6b70756c);
  int64_t best = 0;
  for (int p = 0; p < kPermutations; ++p) {
    std::shuffle(v.begin(), v.end(), rng);
    for (size_t k = 2; k <= v.size() / 3; ++k) best = std::max(best, lag_sum(k));
    if (double(best) / den4 >= stop_at && p + 1 < kPermutations) {
      exact = false;
      break;
    }
  }
  return double(best) / den4;
}

// The CPU series on a regular time grid (step: the median interval), each
// grid point taking the interval that covers it. A loaded host stretches its
// sampling intervals unevenly, which puts a fixed period at a varying number
// of samples and blurs its autocorrelation; on the grid it stays one lag.
std::vector<double> cpu_on_time_grid(const std::vector<CpuReading>& w, double nominal,
                                     double& step) {
  std::vector<double> dts;
  dts.reserve(w.size());
  for (const auto& s : w) dts.push_back(s.seconds > 0 ? s.seconds : nominal);
  std::vector<double> sorted = dts;
  std::nth_element(sorted.begin(), sorted.begin() + ptrdiff_t(sorted.size() / 2), sorted.end());
  step = sorted[sorted.size() / 2];
  std::vector<double> out;
  if (!(step > 0)) return out;
  double end = dts[0];  // end of interval i, from the window's start
  size_t i = 0;
  for (double t = 0.5 * step;; t += step) {
    while (i < w.size() && t >= end) {
      if (++i < w.size()) end += dts[i];
    }
    if (i == w.size()) break;
    out.push_back(w[i].cpu);
  }
  return out;
}

}  // namespace

double coefficient_of_variation(const std::vector<double>& v) {
  const double m = mean(v);
  return m > 0 ? stddev(v, m) / m : 0;
}

// Whether the cycle still runs (`only_current`) is asked of the values, not
// the ranks: an idle tail's noise spreads over half the ranks but stays far
// below the mean of a busy cycle.
Cycle search_cycle(const std::vector<CpuReading>& w, double nominal, bool only_current) {
  Cycle c;
  double step = nominal;
  const auto cpu = cpu_on_time_grid(w, nominal, step);
  const auto grid = ranks(cpu);
  const double m = mean(grid), den = sum_squares(grid, m);
  const auto r = acfs(grid, m, den);
  auto [lag, best_r] = best_period(r);
  if (lag == 0) return c;
  c.r = best_r;
  const double cm = mean(cpu);
  auto swings = [&](size_t k) {
    const auto last = cpu.end() - ptrdiff_t(k);
    return std::any_of(last, cpu.end(), [&](double x) { return x > cm; }) &&
           std::any_of(last, cpu.end(), [&](double x) { return x < cm; });
  };
  c.current = !only_current || swings(lag);
  if (c.current && coefficient_of_variation(cpu_values(w)) >= 0.3)
    c.chance = chance_autocorrelation(grid, m, den, best_r, c.exact);
  if (c.r > c.chance) {
    lag = fundamental(r, lag, c.chance);
    c.r = r[lag];
    c.current = !only_current || swings(lag);
  }
  c.period_s = double(lag) * step;
  return c;
}

CpuHistory::CpuHistory(int bin, int bins)
    : bin_(std::max(bin, 1)), max_bins_(size_t(std::max(bins, 1))) {}

void CpuHistory::add(double cpu, double interval_s) {
  open_.cpu += cpu * interval_s;
  open_.seconds += interval_s;
  if (++open_n_ < bin_) return;
  if (open_.seconds > 0) {
    open_.cpu /= open_.seconds;
    bins_.push_back(open_);
    if (bins_.size() > max_bins_) bins_.pop_front();
    ++completed_;
  }
  open_ = {};
  open_n_ = 0;
}

double CpuHistory::seconds() const {
  double s = 0;
  for (const auto& b : bins_) s += b.seconds;
  return s;
}

double CpuHistory::mean_cpu() const {
  // Time-weighted: the CPU-seconds of the history over its length.
  double cpu_s = 0, s = 0;
  for (const auto& b : bins_) cpu_s += b.cpu * b.seconds, s += b.seconds;
  return s > 0 ? cpu_s / s : 0;
}

const Cycle& CpuHistory::cycle() const {
  // The search again once a tenth of the history is new (every 10 bins, 30 s
  // at 1 s): one bin moves a 100-bin history's autocorrelation little, and
  // its permutation bound is the cost (99 shuffles x 32 lags x 100 bins).
  if (cycle_ && completed_ < searched_at_ + std::max<size_t>(max_bins_ / 10, 1)) {
    // In between, only whether the cycle still runs, on the new bins: its
    // last period swings across the history's mean (as search_cycle asks).
    if (cycle_->period_s > 0 && checked_at_ != completed_) {
      checked_at_ = completed_;
      const double m = mean_cpu();
      double span = 0;
      bool above = false, below = false;
      for (auto b = bins_.rbegin(); b != bins_.rend() && span < cycle_->period_s; ++b) {
        span += b->seconds;
        above = above || b->cpu > m;
        below = below || b->cpu < m;
      }
      cycle_->current = above && below;
    }
    return *cycle_;
  }
  std::vector<CpuReading> bins(bins_.begin(), bins_.end());
  cycle_ = search_cycle(bins, bins.empty() ? 0 : bins.front().seconds, true);
  searched_at_ = checked_at_ = completed_;
  return *cycle_;
}

}  // namespace kpulse::analytics
