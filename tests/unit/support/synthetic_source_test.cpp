#include "tests/support/synthetic_source.h"

#include <gtest/gtest.h>

namespace kpulse::synthetic {
namespace {

TEST(SyntheticSource, IsDeterministic) {
  SyntheticSource a({}), b({});
  EXPECT_EQ(*a.next(), *b.next());
  EXPECT_EQ(a.at(7), b.at(7));
  SyntheticOptions other;
  other.seed = 2;
  EXPECT_NE(SyntheticSource(other).at(7), a.at(7));
}

TEST(SyntheticSource, HasTheRequestedShape) {
  SyntheticOptions o;
  o.cpus = 3;
  o.cgroups = 9;
  o.processes = 17;
  auto s = SyntheticSource(o).at(0);
  int cpus = 0, cgroups = 0, procs = 0;
  for (const auto& c : s.components) {
    cpus += c.kind == model::ComponentKind::Cpu;
    cgroups += c.kind == model::ComponentKind::Cgroup;
    procs += c.kind == model::ComponentKind::Process;
  }
  EXPECT_EQ(cpus, 3);
  EXPECT_EQ(cgroups, 9);
  EXPECT_EQ(procs, 17);
  EXPECT_NE(s.host(), nullptr);
  EXPECT_NE(s.find(model::ComponentKind::Agent, "kpulse"), nullptr);
}

TEST(SyntheticSource, StepsAndSeeksInTime) {
  SyntheticSource s({});
  auto s0 = *s.next();
  auto s1 = *s.next();
  EXPECT_EQ(s1.seq, 1u);
  EXPECT_EQ(s.step(-1)->seq, 0u);
  EXPECT_EQ(s.step(-1)->seq, 0u) << "cannot step before the start";
  EXPECT_EQ(s.next()->seq, 1u) << "next continues after the stepped-to snapshot";
  EXPECT_EQ(s.seek(s0.time_ns + 5'000'000'000)->seq, 5u);
  EXPECT_EQ(s.next()->seq, 6u);
}

}  // namespace
}  // namespace kpulse::synthetic
