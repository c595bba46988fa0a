#include "tune/burst_phase.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

namespace kpulse::tune {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Onsets this recent say when the next one comes; older ones describe a
// workload that may have changed since.
constexpr size_t kMaxGaps = 8;
// A gap shorter than this share of the typical one is a burst split in two
// by a dip (or a spurious blip): it is joined with the gap after it.
constexpr double kSplitGap = 0.5;
// Gaps whose median absolute deviation exceeds this share of the period have
// no phase to act on.
constexpr double kMaxIrregularity = 0.3;
// One-sided 95% quantile of Student's t with `dof` degrees of freedom.
double t95(size_t dof) {
  static constexpr double kT[] = {6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860};
  return dof == 0 ? kT[0] : dof <= std::size(kT) ? kT[dof - 1] : 1.833;
}

// Being early costs unused quota only, but raised half the time is no longer
// a prediction.
constexpr double kMaxMargin = 0.5;

}  // namespace

std::optional<BurstPhase> next_burst(std::span<const double> onsets, double lead_s,
                                     double min_period_s) {
  if (onsets.size() < 3) return std::nullopt;
  size_t first = onsets.size() > kMaxGaps + 1 ? onsets.size() - kMaxGaps - 1 : 0;
  std::vector<double> raw;
  for (size_t i = first + 1; i < onsets.size(); ++i) raw.push_back(onsets[i] - onsets[i - 1]);
  const double typical = median(raw);
  if (!(typical > 0)) return std::nullopt;
  // A burst split in two by a dip is joined again. (A gap spanning a
  // burst the tracker missed stays one long gap: the median period shrugs
  // it off, the margin widens, which errs early. Dividing such gaps into
  // periods would fit almost any onsets onto some lattice.)
  std::vector<double> gaps;
  double pending = 0;
  for (double g : raw) {
    pending += g;
    if (pending < kSplitGap * typical) continue;
    gaps.push_back(pending);
    pending = 0;
  }
  if (gaps.size() < 2) return std::nullopt;
  BurstPhase b;
  b.gaps = static_cast<int>(gaps.size());
  b.period = median(gaps);
  if (!(b.period >= min_period_s)) return std::nullopt;
  std::vector<double> dev;
  double mean = 0;
  for (double g : gaps) {
    dev.push_back(std::fabs(g - b.period));
    mean += g / static_cast<double>(gaps.size());
  }
  if (median(dev) > kMaxIrregularity * b.period) return std::nullopt;
  // How early the next gap may end: the one-sided 95% prediction interval
  // of one more draw from the gaps seen (Student's t with n-1 degrees of
  // freedom, times sd * sqrt(1 + 1/n)). Wide after two gaps (t = 6.3), it
  // narrows as gaps accumulate; a strictly periodic workload gets about the
  // sampling resolution.
  double ss = 0;
  for (double g : gaps) ss += (g - mean) * (g - mean);
  const double n = static_cast<double>(gaps.size());
  const double sd = std::sqrt(ss / (n - 1));
  b.margin = std::min(kMaxMargin * b.period, t95(gaps.size() - 1) * sd * std::sqrt(1 + 1 / n));
  b.expected = onsets.back() + b.period;
  b.raise_at = b.expected - b.margin - lead_s;
  b.give_up_at = b.expected + std::max(b.margin + lead_s, b.period / 2);
  return b;
}

}  // namespace kpulse::tune
