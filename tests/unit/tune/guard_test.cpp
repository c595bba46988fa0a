// The neighbour guard on synthetic windows: CPU taken from the neighbours
// while the host has none idle, a neighbour's run-queue p99 growing past the
// margins, host pressure rising; and the same changes within the margins
// (or with idle CPU to spare) let through.
#include "tune/guard.h"

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

GuardSample sample(double others, double idle, double runq_ms = 0, double psi_cpu = 0) {
  GuardSample g;
  g.valid = true;
  g.others_cpus = others;
  g.idle_cpus = idle;
  g.psi_cpu = psi_cpu;
  if (runq_ms > 0)
    for (int i = 0; i < 40; ++i) g.runq["/svc"].record(static_cast<uint64_t>(runq_ms * 1e6));
  return g;
}

std::vector<GuardSample> window(int n, double others, double idle, double runq_ms = 0,
                                double psi = 0) {
  std::vector<GuardSample> v;
  for (int i = 0; i < n; ++i) v.push_back(sample(others + 0.01 * (i % 2), idle, runq_ms, psi));
  return v;
}

TEST(GuardTest, CpuTakenFromNeighboursOnASaturatedHostIsHarm) {
  GuardMargins m;
  m.min_idle_cpus = 0;  // as with --min-idle-cpu 0
  auto harm = neighbour_harm(KnobKind::CfsQuota, window(5, 1.8, 0.0), window(5, 1.0, 0.0), m);
  ASSERT_TRUE(harm.has_value());
  EXPECT_NE(harm->find("1.80 -> 1.00 CPUs"), std::string::npos) << *harm;
}

TEST(GuardTest, NeighboursUsingLessWhileCpusSitIdleIsNotHarm) {
  GuardMargins m;
  // They gave the CPU up (idle stays high): nobody took it from them.
  EXPECT_FALSE(neighbour_harm(KnobKind::CfsQuota, window(5, 1.0, 1.0), window(5, 0.5, 0.9), m));
}

TEST(GuardTest, ALossWithinTheMarginIsNotHarm) {
  GuardMargins m;
  EXPECT_FALSE(neighbour_harm(KnobKind::CpuMax, window(5, 1.80, 0.0), window(5, 1.75, 0.0), m));
}

TEST(GuardTest, ANeighboursRunQueueP99GrowingPastBothMarginsIsHarm) {
  GuardMargins m;
  auto harm = neighbour_harm(KnobKind::CfsQuota, window(5, 1, 1, 0.05), window(5, 1, 1, 2.0), m);
  ASSERT_TRUE(harm.has_value());
  EXPECT_NE(harm->find("/svc"), std::string::npos) << *harm;
  // x40 but +0.2 ms only: below the absolute margin.
  EXPECT_FALSE(neighbour_harm(KnobKind::CfsQuota, window(5, 1, 1, 0.005), window(5, 1, 1, 0.2), m));
}

TEST(GuardTest, HostIdleFallingBelowTheConfiguredMinimumIsHarm) {
  GuardMargins m;
  m.min_idle_cpus = 0.25;
  auto harm = neighbour_harm(KnobKind::CfsQuota, window(5, 1, 0.9), window(5, 1, 0.1), m);
  ASSERT_TRUE(harm.has_value());
  EXPECT_NE(harm->find("--min-idle-cpu"), std::string::npos) << *harm;
}

TEST(GuardTest, PressureIsCheckedForTheKnobsOwnResource) {
  GuardMargins m;
  auto base = window(5, 1, 1, 0, 0.05), eval = window(5, 1, 1, 0, 0.40);
  EXPECT_TRUE(neighbour_harm(KnobKind::CpuWeight, base, eval, m));
  // CPU pressure says nothing about a network knob.
  EXPECT_FALSE(neighbour_harm(KnobKind::Somaxconn, base, eval, m));
}

}  // namespace
}  // namespace kpulse::tune
