#include "nab/nab_cv.h"

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

}  // namespace kpulse::bench
