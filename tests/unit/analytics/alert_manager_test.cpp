#include "analytics/alert.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

Bottleneck hot(const std::string& component, double saturation, double score, bool anomalous) {
  Bottleneck b;
  b.rule = "cpu-saturation";
  b.component = component;
  b.id = b.rule + ":" + component;
  b.saturation = saturation;
  b.score = score;
  b.anomalous = anomalous;
  b.evidence.push_back(
      {component, "runq_latency_p99", 0.05, 0.002, 0.02, score, {model::Unit::Seconds}});
  return b;
}

constexpr int64_t kSec = 1'000'000'000;

TEST(AlertManager, PendingThenFiringAfterTwoIntervalsThenResolvedAfterFiveClear) {
  AlertManager m;
  auto b = hot("cgroup:/a", 1.5, 0.6, true);
  auto t1 = m.update(1 * kSec, {b});
  ASSERT_EQ(t1.size(), 1u);
  EXPECT_EQ(t1[0].state, AlertState::Pending);
  EXPECT_EQ(t1[0].start_ns, 1 * kSec);
  b.anomalous = false;  // the detector adopted the new level: still held
  auto t2 = m.update(2 * kSec, {b});
  ASSERT_EQ(t2.size(), 1u);
  EXPECT_EQ(t2[0].state, AlertState::Firing);
  EXPECT_EQ(t2[0].firing_ns, 2 * kSec);
  EXPECT_EQ(t2[0].id, "cpu-saturation:cgroup:/a");
  for (int i = 3; i < 7; ++i) EXPECT_TRUE(m.update(i * kSec, {}).empty()) << i;
  ASSERT_EQ(m.active().size(), 1u);
  auto t7 = m.update(7 * kSec, {});
  ASSERT_EQ(t7.size(), 1u);
  EXPECT_EQ(t7[0].state, AlertState::Resolved);
  EXPECT_EQ(t7[0].start_ns, 1 * kSec);
  EXPECT_EQ(t7[0].resolved_ns, 7 * kSec);
  EXPECT_TRUE(m.active().empty());
  EXPECT_EQ(m.resolved().size(), 1u);
}

TEST(AlertManager, HysteresisKeepsAFlappingSignalOneAlert) {
  AlertManager m;
  auto b = hot("disk:sda", 1.2, 0.6, true);
  m.update(1 * kSec, {b});
  m.update(2 * kSec, {b});
  // On, off, on...: never five clear intervals in a row.
  for (int i = 3; i < 30; ++i) {
    auto t = m.update(i * kSec, i % 2 ? std::vector<Bottleneck>{} : std::vector<Bottleneck>{b});
    EXPECT_TRUE(t.empty()) << i;
  }
  ASSERT_EQ(m.active().size(), 1u);
  EXPECT_EQ(m.active()[0].state, AlertState::Firing);
}

TEST(AlertManager, OneIntervalBlipNeverFires) {
  AlertManager m;
  m.update(1 * kSec, {hot("cgroup:/a", 1.5, 0.6, true)});
  EXPECT_TRUE(m.update(2 * kSec, {}).empty());
  EXPECT_TRUE(m.active().empty());
  EXPECT_TRUE(m.resolved().empty());
}

TEST(AlertManager, OverwhelmingEvidenceFiresAtOnce) {
  AlertManager m;
  auto t = m.update(1 * kSec, {hot("cgroup:/a", 10, 0.95, true)});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state, AlertState::Firing);
}

TEST(AlertManager, OverItsLimitButNotSustainedIsNotNews) {
  AlertManager m;
  for (int i = 1; i < 10; ++i)
    EXPECT_TRUE(m.update(i * kSec, {hot("host:host", 4, 0.1, false)}).empty());
  EXPECT_TRUE(m.active().empty());
}

TEST(AlertManager, SustainedSaturationFiresAtOnceOnTheLimitPathAndEscalates) {
  AlertManager m;
  auto b = hot("host:host", 3.6, 0.1, false);
  b.sustained = true;  // the detector already counted its intervals
  auto t = m.update(1 * kSec, {b});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state, AlertState::Firing);
  EXPECT_EQ(t[0].basis, AlertBasis::Limit);
  EXPECT_TRUE(m.update(2 * kSec, {b}).empty());  // still chronic: no news
  b.anomalous = true;                            // now also unusual for the host
  t = m.update(3 * kSec, {b});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state, AlertState::Firing);
  EXPECT_EQ(t[0].basis, AlertBasis::Baseline);
  EXPECT_EQ(t[0].start_ns, 1 * kSec);
}

TEST(AlertManager, SeverityIsTheWorstSeenAndSummaryNamesTheCause) {
  AlertManager m;
  auto b = hot("cgroup:/a", 1.5, 0.6, true);
  b.cause = "cgroup:/hog";
  b.cause_processes = {"stress-ng [42]"};
  b.cause_share = 0.9;
  m.update(1 * kSec, {b});
  b.severity = Severity::Critical;
  m.update(2 * kSec, {b});
  b.severity = Severity::Warning;
  m.update(3 * kSec, {b});
  auto a = m.active();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::Critical);
  EXPECT_NE(a[0].summary.find("top consumer stress-ng [42] in /hog (90% of the host's CPU use)"),
            std::string::npos)
      << a[0].summary;
  EXPECT_NE(a[0].summary.find("runq_latency_p99 50.0 ms vs baseline 2.0 ms"), std::string::npos)
      << a[0].summary;
}

}  // namespace
}  // namespace kpulse::analytics
