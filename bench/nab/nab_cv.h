// Leave-one-category-out cross-validation of the anomaly detector on a
// NAB-layout corpus: for each category (the folder under data/), every
// setting (detector settings from a candidate grid, and the alarm threshold)
// is fitted on the other categories and the left-out one is scored with it.
// The pooled figure is the honest estimate of the score on files the
// settings were never fitted on.
#pragma once

#include <string>
#include <vector>

#include "analytics/anomaly_nab_score.h"

namespace kpulse::bench {

// One candidate setting of the detector (a point of the grid) and its scores
// for every file of the corpus, in corpus order.
struct NabCandidate {
  std::string label;  // e.g. "sustained_samples=6 stall_ratio=1.2"
  std::vector<analytics::NabSeries> series;
};

struct NabFoldResult {
  std::string category;
  int windows = 0;  // scored windows in the category
  int files = 0;
  double in_sample_raw = 0;  // settings and threshold fitted on the whole corpus
  double cv_raw = 0;         // settings and threshold fitted on the other categories
  analytics::NabResult cv;   // tp/fn/fp of the cross-validated run
  std::string cv_label;      // the candidate chosen without this category
  double cv_threshold = 0;
};

struct NabCrossValidation {
  std::vector<NabFoldResult> folds;  // one per category, in name order
  int windows = 0;
  std::string in_sample_label;  // the candidate best on the whole corpus
  double in_sample_threshold = 0;
  double in_sample_raw = 0;
  double cv_raw = 0;  // sum over the folds
};

// The category of "<category>/<file>.csv".
std::string nab_category(const std::string& name);

// Requires at least one candidate, each with the same files in the same order.
NabCrossValidation nab_cross_validate(const std::vector<NabCandidate>& candidates,
                                      const analytics::NabCostMatrix& cost);

// Issue 20m: max(a / theta_a, b / theta_b) of two learners, each on the scale
// of its own alarm threshold. Inside each fold, each side's candidate and
// threshold theta are fitted alone on the training categories (as
// nab_cross_validate would fit that learner alone); the combined score is
// max(b * theta_a / theta_b, a) (the same order, on a's scale). Its alarm
// threshold is theta_a (an alarm when either learner would alarm alone), or
// with `refit` fitted on the training categories too. No setting is added:
// the scale comes from the two fitted thresholds. Labels read "A | B | scale".
NabCrossValidation nab_cross_validate_scaled_max(const std::vector<NabCandidate>& a,
                                                 const std::vector<NabCandidate>& b, bool refit,
                                                 const analytics::NabCostMatrix& cost);

// max(a, scale * b) sample by sample; the same files in the same order.
std::vector<analytics::NabSeries> nab_scaled_max(const std::vector<analytics::NabSeries>& a,
                                                 const std::vector<analytics::NabSeries>& b,
                                                 double scale);

}  // namespace kpulse::bench
