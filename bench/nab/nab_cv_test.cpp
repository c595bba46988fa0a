// nab_cross_validate_scaled_max (issue 20m): two learners on the scale of
// their own alarm thresholds.
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nab/nab_cv.h"

namespace kpulse::bench {
namespace {

using analytics::NabSeries;

constexpr size_t kRows = 1000;
constexpr size_t kFirstOnset = 410;   // inside window 1 (400-450)
constexpr size_t kSecondOnset = 710;  // inside window 2 (700-750)

NabSeries file(const std::string& name, double quiet, size_t onset, double peak) {
  NabSeries s{name, std::vector<double>(kRows, quiet), {{400, 450}, {700, 750}}};
  s.scores[onset] = peak;
  return s;
}

// Learner a finds the first window at 0.4 and is otherwise silent; learner b
// finds the second at 0.9 but hums at 0.5 everywhere: on a common raw scale
// b's hum would pass a's threshold, on the threshold scale it does not.
std::vector<NabCandidate> learner_a() {
  return {{"a", {file("x/1.csv", 0.0, kFirstOnset, 0.4), file("y/1.csv", 0.0, kFirstOnset, 0.4)}}};
}
std::vector<NabCandidate> learner_b() {
  return {
      {"b", {file("x/1.csv", 0.5, kSecondOnset, 0.9), file("y/1.csv", 0.5, kSecondOnset, 0.9)}}};
}

TEST(NabScaledMax, EitherAlarmFindsWhatEachLearnerFindsAloneWithoutTheOthersHum) {
  const auto cv = nab_cross_validate_scaled_max(learner_a(), learner_b(), false, {});
  ASSERT_EQ(cv.folds.size(), 2u);
  for (const auto& fold : cv.folds) {
    // Fitted on the other category: theta_a 0.4, theta_b 0.9, scale 0.4/0.9.
    EXPECT_DOUBLE_EQ(fold.cv_threshold, 0.4);
    EXPECT_NE(fold.cv_label.find("scale 0.4444"), std::string::npos) << fold.cv_label;
    EXPECT_EQ(fold.cv.tp, 2);
    EXPECT_EQ(fold.cv.fn, 0);
    EXPECT_EQ(fold.cv.fp, 0);
  }
  EXPECT_DOUBLE_EQ(cv.in_sample_threshold, 0.4);
}

TEST(NabScaledMax, RefitFitsTheMaxsOwnThresholdOnTheTrainingCategory) {
  const auto cv = nab_cross_validate_scaled_max(learner_a(), learner_b(), true, {});
  for (const auto& fold : cv.folds) {
    EXPECT_DOUBLE_EQ(fold.cv_threshold, 0.4);  // both onsets sit at 0.4 after scaling
    EXPECT_EQ(fold.cv.tp, 2);
  }
}

TEST(NabScaledMax, TakesTheSampleMaxAndRejectsDifferentCorpora) {
  const auto a = learner_a()[0].series;
  const auto b = learner_b()[0].series;
  const auto m = nab_scaled_max(a, b, 0.5);
  EXPECT_DOUBLE_EQ(m[0].scores[kFirstOnset], 0.4);
  EXPECT_DOUBLE_EQ(m[0].scores[kSecondOnset], 0.45);
  EXPECT_DOUBLE_EQ(m[0].scores[0], 0.25);
  EXPECT_THROW(nab_scaled_max(a, {b[0]}, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace kpulse::bench
