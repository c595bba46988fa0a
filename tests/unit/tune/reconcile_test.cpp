// Reconciling the tuners' proposals into one plan: relative knobs raised once
// per parent (raising every sibling cancels out), the latest proposal per
// knob, advice kept, and the contended resource each experiment occupies.
#include "tune/reconcile.h"

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

Proposal share(const std::string& cgroup, double severity, const std::string& to = "5632") {
  Proposal p;
  p.scenario = "cpu_contention";
  p.knob = {KnobKind::CpuShares, cgroup, 0};
  p.current_raw = "1024";
  p.proposed_raw = to;
  p.severity = severity;
  return p;
}

TEST(ReconcileTest, SiblingsRaisedTogetherCancelOutSoOnlyTheWorstOffKeepsItsRaise) {
  auto out = reconcile({share("/p/a", 0.010), share("/p/b", 0.060), share("/p/c", 0.020)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].knob.target, "/p/b");
}

TEST(ReconcileTest, RaisesUnderDifferentParentsAreIndependent) {
  auto out = reconcile({share("/p/a", 0.01), share("/q/a", 0.02), share("/top", 0.03)});
  EXPECT_EQ(out.size(), 3u);
}

TEST(ReconcileTest, TheLatestProposalPerKnobWins) {
  auto out = reconcile({share("/p/a", 0.01, "2048"), share("/p/a", 0.01, "4096")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].proposed_raw, "4096");
}

TEST(ReconcileTest, AbsoluteKnobsAndAdviceAreKept) {
  Proposal q;
  q.knob = {KnobKind::CfsQuota, "/p/a", 0};
  Proposal advice = share("/p/c", 0.5);
  advice.advice_only = true;
  auto out = reconcile({q, share("/p/b", 0.01), advice});
  EXPECT_EQ(out.size(), 3u);
}

TEST(ReconcileTest, EveryCpuKnobCompetesForTheCpusAndEveryLimitForMemory) {
  EXPECT_EQ(contended_resource({KnobKind::CpuMax, "/a", 0}), "cpu");
  EXPECT_EQ(contended_resource({KnobKind::CpuShares, "/b/c", 0}), "cpu");
  EXPECT_EQ(contended_resource({KnobKind::MemoryLimit, "/a", 0}), "memory");
  EXPECT_EQ(contended_resource({KnobKind::ReadAheadKb, "vda", 0}), "disk:vda");
  EXPECT_EQ(relative_group({KnobKind::CpuWeight, "/b/c", 0}), "/b");
  EXPECT_EQ(relative_group({KnobKind::CpuWeight, "/b", 0}), "/");
  EXPECT_EQ(relative_group({KnobKind::CpuMax, "/b/c", 0}), "");
}

}  // namespace
}  // namespace kpulse::tune
