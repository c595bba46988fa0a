#include "nab/nab_cv.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace kpulse::bench {
namespace {

using analytics::NabSeries;

std::vector<NabSeries> pick(const std::vector<NabSeries>& all, const std::string& category,
                            bool inside) {
  std::vector<NabSeries> out;
  for (const auto& s : all)
    if ((nab_category(s.name) == category) == inside) out.push_back(s);
  return out;
}

// The candidate and threshold with the best total on `category`'s complement
// (or on everything when category is empty). Ties keep the earlier candidate.
std::pair<size_t, analytics::NabResult> fit(const std::vector<NabCandidate>& candidates,
                                            const std::string& category,
                                            const analytics::NabCostMatrix& cost) {
  size_t best = 0;
  analytics::NabResult best_result;
  for (size_t c = 0; c < candidates.size(); ++c) {
    const auto train =
        category.empty() ? candidates[c].series : pick(candidates[c].series, category, false);
    const auto r = analytics::nab_best_threshold(train, cost);
    if (c == 0 || r.raw > best_result.raw) {
      best = c;
      best_result = r;
    }
  }
  return {best, best_result};
}

analytics::NabResult score_at(const std::vector<NabSeries>& series, double threshold,
                              const analytics::NabCostMatrix& cost) {
  analytics::NabResult total;
  total.threshold = threshold;
  for (const auto& s : series) {
    const auto r = analytics::nab_score_series(s, cost, threshold);
    total.raw += r.raw;
    total.tp += r.tp;
    total.fn += r.fn;
    total.fp += r.fp;
  }
  return total;
}

}  // namespace

std::string nab_category(const std::string& name) {
  return name.substr(0, name.find('/'));
}

NabCrossValidation nab_cross_validate(const std::vector<NabCandidate>& candidates,
                                      const analytics::NabCostMatrix& cost) {
  if (candidates.empty()) throw std::invalid_argument("cross-validation needs a candidate");
  NabCrossValidation out;
  const auto [whole_best, whole] = fit(candidates, "", cost);
  out.in_sample_label = candidates[whole_best].label;
  out.in_sample_threshold = whole.threshold;
  out.in_sample_raw = whole.raw;
  std::map<std::string, int> categories;
  for (const auto& s : candidates[0].series) ++categories[nab_category(s.name)];
  for (const auto& [category, files] : categories) {
    NabFoldResult fold;
    fold.category = category;
    fold.files = files;
    for (const auto& s : pick(candidates[0].series, category, true))
      fold.windows += analytics::nab_scored_windows(s);
    fold.in_sample_raw =
        score_at(pick(candidates[whole_best].series, category, true), whole.threshold, cost).raw;
    const auto [chosen, trained] = fit(candidates, category, cost);
    fold.cv = score_at(pick(candidates[chosen].series, category, true), trained.threshold, cost);
    fold.cv_raw = fold.cv.raw;
    fold.cv_label = candidates[chosen].label;
    fold.cv_threshold = trained.threshold;
    out.windows += fold.windows;
    out.cv_raw += fold.cv_raw;
    out.folds.push_back(fold);
  }
  return out;
}

std::vector<analytics::NabSeries> nab_scaled_max(const std::vector<analytics::NabSeries>& a,
                                                 const std::vector<analytics::NabSeries>& b,
                                                 double scale) {
  if (a.size() != b.size()) throw std::invalid_argument("scaled max: different corpora");
  auto out = a;
  for (size_t f = 0; f < out.size(); ++f) {
    if (a[f].scores.size() != b[f].scores.size())
      throw std::invalid_argument("scaled max: different files");
    for (size_t i = 0; i < out[f].scores.size(); ++i)
      out[f].scores[i] = std::max(a[f].scores[i], scale * b[f].scores[i]);
  }
  return out;
}

namespace {

// The combined candidate fitted on `category`'s complement (all when empty):
// each side's candidate and threshold as that learner alone, then the max;
// `either` is a's threshold, where the max alarms when either side would.
struct ScaledMaxFit {
  NabCandidate candidate;
  double either = 0;
};

ScaledMaxFit scaled_max_fitted(const std::vector<NabCandidate>& a,
                               const std::vector<NabCandidate>& b, const std::string& category,
                               const analytics::NabCostMatrix& cost) {
  const auto [ia, ra] = fit(a, category, cost);
  const auto [ib, rb] = fit(b, category, cost);
  const double scale = rb.threshold > 0 ? ra.threshold / rb.threshold : 1.0;
  char buf[48];
  std::snprintf(buf, sizeof buf, " | scale %.4f", scale);
  return {
      {a[ia].label + " | " + b[ib].label + buf, nab_scaled_max(a[ia].series, b[ib].series, scale)},
      ra.threshold};
}

// The combined threshold: refitted on the training categories, or `either`.
double combined_threshold(const ScaledMaxFit& f, const std::string& category, bool refit,
                          const analytics::NabCostMatrix& cost) {
  if (!refit) return f.either;
  return fit({f.candidate}, category, cost).second.threshold;
}

}  // namespace

NabCrossValidation nab_cross_validate_scaled_max(const std::vector<NabCandidate>& a,
                                                 const std::vector<NabCandidate>& b, bool refit,
                                                 const analytics::NabCostMatrix& cost) {
  if (a.empty() || b.empty()) throw std::invalid_argument("scaled max needs two candidates");
  NabCrossValidation out;
  const auto whole = scaled_max_fitted(a, b, "", cost);
  out.in_sample_label = whole.candidate.label;
  out.in_sample_threshold = combined_threshold(whole, "", refit, cost);
  out.in_sample_raw = score_at(whole.candidate.series, out.in_sample_threshold, cost).raw;
  std::map<std::string, int> categories;
  for (const auto& s : a[0].series) ++categories[nab_category(s.name)];
  for (const auto& [category, files] : categories) {
    NabFoldResult fold;
    fold.category = category;
    fold.files = files;
    for (const auto& s : pick(a[0].series, category, true))
      fold.windows += analytics::nab_scored_windows(s);
    fold.in_sample_raw =
        score_at(pick(whole.candidate.series, category, true), out.in_sample_threshold, cost).raw;
    const auto trained = scaled_max_fitted(a, b, category, cost);
    fold.cv_threshold = combined_threshold(trained, category, refit, cost);
    fold.cv = score_at(pick(trained.candidate.series, category, true), fold.cv_threshold, cost);
    fold.cv_raw = fold.cv.raw;
    fold.cv_label = trained.candidate.label;
    out.windows += fold.windows;
    out.cv_raw += fold.cv_raw;
    out.folds.push_back(fold);
  }
  return out;
}

}  // namespace kpulse::bench
