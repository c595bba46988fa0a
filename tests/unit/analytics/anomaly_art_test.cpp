#include "analytics/anomaly_art.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

ArtDetectorConfig no_rest() {
  ArtDetectorConfig c;
  c.rest_samples = 0;
  return c;
}

// A noisy daily-like wave: 48 samples a period, amplitude 10, noise 0.3.
struct Wave {
  std::mt19937 rng{7};
  std::normal_distribution<double> noise{0.0, 0.3};
  double operator()(int i) { return 50.0 + 10.0 * std::sin(2 * M_PI * i / 48.0) + noise(rng); }
};

TEST(ArtAnomalyDetector, WarmUpIsQuietAndScoresStayInUnitRange) {
  ArtAnomalyDetector d;
  Wave wave;
  for (int i = 0; i < 3000; ++i) {
    const double s = d.update(i % 700 == 699 ? 1e6 : wave(i));
    ASSERT_GE(s, 0.0);
    ASSERT_LE(s, 1.0);
    if (i < ArtDetectorConfig{}.warmup_samples) {
      EXPECT_EQ(s, 0.0) << i;
      EXPECT_EQ(d.warm(), false);
    }
  }
  EXPECT_TRUE(d.warm());
  EXPECT_EQ(d.update(std::numeric_limits<double>::quiet_NaN()), 0.0);
  EXPECT_LE(d.update(std::numeric_limits<double>::infinity()), 1.0);
}

TEST(ArtAnomalyDetector, ALearnedShapeResonatesAndAnUnseenShapeFoundsACategory) {
  ArtAnomalyDetector d(no_rest());
  Wave wave;
  int i = 0;
  for (; i < 48 * 20; ++i) d.update(wave(i));
  const auto founded = d.founded();
  // Another period of the same wave: every window joins a known category.
  double most = 0;
  for (int end = i + 48; i < end; ++i) most = std::max(most, d.update(wave(i)));
  EXPECT_EQ(most, 0.0);
  EXPECT_EQ(d.founded(), founded);
  // A dip inside the range (no new extreme) in a place the wave never goes.
  EXPECT_EQ(d.update(wave(i) - 18.0), 1.0);
}

TEST(ArtAnomalyDetector, RestSilencesAnEpisodesAftermathButNotAWiderEpisode) {
  ArtAnomalyDetector d;  // rest 120 samples
  // A clean wave: after a few periods every window is known.
  auto wave = [](int i) { return 50.0 + 10.0 * std::sin(2 * M_PI * i / 48.0); };
  int i = 0;
  for (; i < 48 * 10; ++i) d.update(wave(i));
  EXPECT_EQ(d.update(wave(i++) + 30.0), 1.0);  // a spike: news
  // The spike passing through the window founds more categories, silenced.
  double aftermath = 0;
  for (int end = i + 20; i < end; ++i) aftermath = std::max(aftermath, d.update(wave(i)));
  EXPECT_EQ(aftermath, 0.0);
  // A spike far beyond the range the episode was judged on is a new episode.
  EXPECT_EQ(d.update(wave(i) + 500.0), 1.0);
}

TEST(ArtAnomalyDetector, MemoryIsBoundedAndForgottenShapesAreNewsAgain) {
  ArtDetectorConfig c = no_rest();
  c.categories = 2;
  c.window = 1;  // a window is one value: one category per level
  c.warmup_samples = 4;
  ArtAnomalyDetector d(c);
  // The score of the first sample at a level held for 20 samples.
  auto hold = [&](double level) {
    const double first = d.update(level);
    for (int k = 1; k < 20; ++k) d.update(level);
    return first;
  };
  hold(0);
  hold(100);
  EXPECT_EQ(hold(0), 0.0);  // both levels are known
  hold(100);
  EXPECT_EQ(hold(200), 1.0);  // founds a category in place of level 0's
  EXPECT_EQ(hold(100), 0.0);
  EXPECT_EQ(hold(0), 1.0);  // forgotten: news again
  EXPECT_EQ(d.founded(), 4);
}

}  // namespace
}  // namespace kpulse::analytics
