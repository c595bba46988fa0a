#include <cmath>

#include <gtest/gtest.h>

#include "tune/controller.h"

namespace kpulse::tune {
namespace {

TEST(Judge, KeepsAClearImprovement) {
  auto v = judge({0.20, 0.21, 0.19, 0.20, 0.20}, {0.98, 0.99, 1.0, 0.97, 0.99}, true, 0.05, 2);
  EXPECT_TRUE(v.keep) << v.reason;
  EXPECT_NEAR(v.baseline, 0.2, 1e-9);
}

TEST(Judge, RevertsARegression) {
  auto v = judge({100, 101, 99, 100, 100}, {80, 82, 79, 81, 80}, true, 0.05, 2);
  EXPECT_FALSE(v.keep);
  EXPECT_NE(v.reason.find("not better"), std::string::npos);
}

TEST(Judge, RevertsAGainWithinTheNoise) {
  // +8% on average but the baseline swings ±40%: not proven.
  auto v = judge({60, 140, 70, 130, 100}, {150, 70, 140, 60, 120}, true, 0.05, 2);
  EXPECT_FALSE(v.keep) << v.reason;
  EXPECT_TRUE(v.inconclusive) << "over the minimum gain: more samples could decide";
}

TEST(Judge, ARegressionOrAGainBelowTheMinimumIsNotInconclusive) {
  EXPECT_FALSE(judge({100, 101, 99, 100, 100}, {80, 82, 79, 81, 80}, true, 0.05, 2).inconclusive);
  EXPECT_FALSE(judge({60, 140, 70, 130, 100}, {101, 99, 102, 98, 100}, true, 0.05, 2).inconclusive);
}

TEST(Judge, LooksAfterTheFirstAreHeldToAStricterBound) {
  EXPECT_EQ(sigmas_at_look(2, 1), 2);
  EXPECT_GT(sigmas_at_look(2, 2), 2);
  EXPECT_EQ(sigmas_at_look(2, 2), sigmas_at_look(2, 4));
}

TEST(Judge, RevertsAGainBelowTheMinimum) {
  auto v = judge({100, 100, 100, 100}, {102, 102, 102, 102}, true, 0.05, 2);
  EXPECT_FALSE(v.keep);
}

TEST(Judge, LowerIsBetterObjectives) {
  EXPECT_TRUE(judge({12, 15, 11, 14}, {0, 0, 0, 0}, false, 0.05, 2).keep);
  EXPECT_FALSE(judge({0, 0, 0, 0}, {0, 0, 0, 0}, false, 0.05, 2).keep);
  EXPECT_FALSE(judge({5, 5, 5}, {9, 9, 9}, false, 0.05, 2).keep);
}

TEST(Judge, UnmeasurableObjectiveIsNeverKept) {
  double nan = std::nan("");
  auto v = judge({nan, nan}, {1, 2}, true, 0.05, 2);
  EXPECT_FALSE(v.keep);
  EXPECT_EQ(v.reason, "objective not measurable");
}

}  // namespace
}  // namespace kpulse::tune
