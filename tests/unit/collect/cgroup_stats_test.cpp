#include "collect/cgroup_stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collect/cgroup_resolver.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

constexpr const char* kSvc = "system.slice/web.service";

void write_v2_cgroup(const testing::TempTree& t, const std::string& dir) {
  t.write(dir + "/cgroup.controllers", "cpu io memory pids\n");
  t.write(dir + "/cpu.stat",
          "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
          "nr_periods 100\nnr_throttled 7\nthrottled_usec 350000\nnr_bursts 0\nburst_usec 0\n");
  t.write(dir + "/cpu.max", "50000 100000\n");
  t.write(dir + "/cpu.weight", "200\n");
  t.write(dir + "/memory.current", "104857600\n");
  t.write(dir + "/memory.min", "0\n");
  t.write(dir + "/memory.low", "1048576\n");
  t.write(dir + "/memory.high", "max\n");
  t.write(dir + "/memory.max", "536870912\n");
  t.write(dir + "/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
  t.write(dir + "/memory.stat",
          "anon 4096\nfile 1048576\nworkingset_refault_anon 7\nworkingset_refault_file 42\n"
          "workingset_activate_file 40\npgmajfault 3\n");
  t.write(dir + "/pids.current", "12\n");
  t.write(dir + "/io.stat",
          "8:0 rbytes=1000 wbytes=2000 rios=1 wios=2 dbytes=0 dios=0\n"
          "259:0 rbytes=30 wbytes=40 rios=3 wios=4 dbytes=0 dios=0\n");
  t.write(dir + "/cpu.pressure",
          "some avg10=1.00 avg60=0.50 avg300=0.10 total=1200000\n"
          "full avg10=0.50 avg60=0.20 avg300=0.05 total=600000\n");
  t.write(dir + "/memory.pressure",
          "some avg10=0.00 avg60=0.00 avg300=0.00 total=10\n"
          "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");
}

TEST(CgroupComponent, IdentityFromPath) {
  auto c = make_cgroup_component("/system.slice/web.service", 4242);
  EXPECT_EQ(c.kind, model::ComponentKind::Cgroup);
  EXPECT_EQ(c.id, "/system.slice/web.service");
  EXPECT_EQ(c.name, "web.service");
  EXPECT_EQ(c.parent, "/system.slice");
  EXPECT_EQ(c.kernel_id, 4242u);
  auto root = make_cgroup_component("/", 1);
  EXPECT_EQ(root.name, "/");
  EXPECT_EQ(root.parent, "");
}

TEST(CgroupStats, SharesMapLikeTheKernel) {
  EXPECT_EQ(cpu_shares_to_weight(1024), 100);  // both defaults
  EXPECT_EQ(cpu_shares_to_weight(2048), 200);
  EXPECT_EQ(cpu_shares_to_weight(2), 1);           // minimum shares → minimum weight
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000);  // maximum shares → maximum weight
  EXPECT_EQ(cpu_shares_to_weight(512), 50);
}

TEST(CgroupStats, ReadsV2Files) {
  testing::TempTree t;
  t.write("cgroup.controllers", "cpu io memory pids\n");
  write_v2_cgroup(t, kSvc);
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  auto c = make_cgroup_component("/system.slice/web.service", 1);
  Problems problems;
  ASSERT_TRUE(reader.read("/system.slice/web.service", c, &problems));
  EXPECT_TRUE(problems.empty());
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 2.5);
  EXPECT_EQ(c.value(MetricId::CgCpuPeriods), 100);
  EXPECT_EQ(c.value(MetricId::CgCpuThrottledPeriods), 7);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuThrottledTime), 0.35);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuQuota), 0.5);
  EXPECT_EQ(c.value(MetricId::CgCpuWeight), 200);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 104857600);
  EXPECT_EQ(c.find(MetricId::CgMemMin), nullptr);  // 0 = no protection
  EXPECT_EQ(c.value(MetricId::CgMemLow), 1048576);
  EXPECT_EQ(c.find(MetricId::CgMemHigh), nullptr);  // "max"
  EXPECT_EQ(c.value(MetricId::CgMemMax), 536870912);
  EXPECT_EQ(c.value(MetricId::MemOomKills), 1);
  EXPECT_EQ(c.value(MetricId::CgMemRefaults), 42);  // file pages only
  EXPECT_EQ(c.value(MetricId::CgPids), 12);
  EXPECT_EQ(c.value(MetricId::CgIoReadBytes), 1030);
  EXPECT_EQ(c.value(MetricId::CgIoWriteBytes), 2040);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 1.2);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuFull), 0.6);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSomeAvg10), 0.01);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiMemoryFull), 5e-6);
  EXPECT_EQ(c.find(MetricId::PsiIoSome), nullptr);  // io.pressure absent
}

TEST(CgroupStats, UnlimitedCpuMaxIsAbsent) {
  testing::TempTree t;
  t.write("cgroup.controllers", "cpu\n");
  t.write("a/cpu.max", "max 100000\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component c;
  ASSERT_TRUE(reader.read("/a", c));
  EXPECT_EQ(c.find(MetricId::CgCpuQuota), nullptr);
}

TEST(CgroupStats, MalformedValuesAreReportedOthersKept) {
  testing::TempTree t;
  t.write("cgroup.controllers", "cpu memory\n");
  t.write("a/cpu.stat", "usage_usec 1000000\nnr_periods lots\n");
  t.write("a/memory.max", "unbounded\n");
  t.write("a/memory.current", "4096\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component c;
  Problems problems;
  ASSERT_TRUE(reader.read("/a", c, &problems));
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.0);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);
  EXPECT_EQ(c.find(MetricId::CgMemMax), nullptr);
  ASSERT_EQ(problems.messages().size(), 2u);
  EXPECT_EQ(problems.messages()[0], t.path("a/cpu.stat") + ":2: expected 'key number'");
  EXPECT_EQ(problems.messages()[1], t.path("a/memory.max") + ":1: expected a number or 'max'");
}

// Hybrid: the unified tree only has core files (cpu.stat usage, PSI); the
// controllers' numbers come from the v1 hierarchies at the same path.
TEST(CgroupStats, HybridFillsFromV1WhatV2Lacks) {
  testing::TempTree t;
  t.write("unified/cgroup.controllers", "\n");
  t.write(std::string("unified/") + kSvc + "/cpu.stat",
          "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\n");
  t.write(std::string("unified/") + kSvc + "/io.pressure",
          "some avg10=2.00 avg60=0.00 avg300=0.00 total=42\n"
          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  for (const char* c : {"cpu", "cpuacct", "memory", "pids", "blkio"})
    t.write(std::string(c) + "/tasks", "1\n");
  const std::string svc = std::string("/") + kSvc;
  t.write("cpuacct" + svc + "/cpuacct.usage", "2999999999\n");
  t.write("cpu" + svc + "/cpu.stat", "nr_periods 50\nnr_throttled 5\nthrottled_time 250000000\n");
  t.write("cpu" + svc + "/cpu.cfs_quota_us", "150000\n");
  t.write("cpu" + svc + "/cpu.cfs_period_us", "100000\n");
  t.write("cpu" + svc + "/cpu.shares", "512\n");
  t.write("memory" + svc + "/memory.usage_in_bytes", "8192\n");
  t.write("memory" + svc + "/memory.limit_in_bytes", "9223372036854771712\n");
  t.write("memory" + svc + "/memory.soft_limit_in_bytes", "9223372036854771712\n");
  t.write("memory" + svc + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
  t.write("memory" + svc + "/memory.stat", "cache 8192\ntotal_workingset_refault_file 500\n");
  t.write("pids" + svc + "/pids.current", "3\n");
  t.write("blkio" + svc + "/blkio.throttle.io_service_bytes",
          "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
          "8:0 Total 12288\n8:16 Read 100\n8:16 Write 0\nTotal 12388\n");

  auto layout = detect_cgroup_layout(t.root());
  ASSERT_EQ(layout.mode, CgroupMode::Hybrid);
  CgroupStatsReader reader(layout);
  model::Component c;
  Problems problems;
  ASSERT_TRUE(reader.read(svc, c, &problems));
  EXPECT_TRUE(problems.empty());
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 3.0);  // v2 wins when both have it
  EXPECT_EQ(c.value(MetricId::CgCpuPeriods), 50);
  EXPECT_EQ(c.value(MetricId::CgCpuThrottledPeriods), 5);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuThrottledTime), 0.25);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuQuota), 1.5);
  EXPECT_EQ(c.value(MetricId::CgCpuWeight), 50);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 8192);
  EXPECT_EQ(c.find(MetricId::CgMemMax), nullptr);  // "unlimited" sentinel
  EXPECT_EQ(c.find(MetricId::CgMemLow), nullptr);
  EXPECT_EQ(c.value(MetricId::MemOomKills), 4);
  // memory.stat is read only where a memory limit is set.
  EXPECT_EQ(c.find(MetricId::CgMemRefaults), nullptr);
  EXPECT_EQ(c.value(MetricId::CgPids), 3);
  EXPECT_EQ(c.value(MetricId::CgIoReadBytes), 4196);
  EXPECT_EQ(c.value(MetricId::CgIoWriteBytes), 8192);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiIoSome), 42e-6);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiIoSomeAvg10), 0.02);
}

TEST(CgroupStats, V1OnlyWithUnlimitedQuotaAndRealLimit) {
  testing::TempTree t;
  for (const char* c : {"cpu", "cpuacct", "memory"}) t.write(std::string(c) + "/tasks", "1\n");
  t.write("cpuacct/x/cpuacct.usage", "1500000000\n");
  t.write("cpu/x/cpu.cfs_quota_us", "-1\n");
  t.write("cpu/x/cpu.cfs_period_us", "100000\n");
  t.write("memory/x/memory.limit_in_bytes", "1073741824\n");
  t.write("memory/x/memory.soft_limit_in_bytes", "536870912\n");
  t.write("memory/x/memory.stat",
          "cache 8192\nworkingset_refault_anon 0\nworkingset_refault_file 5\n"
          "hierarchical_memory_limit 1073741824\ntotal_cache 16384\n"
          "total_workingset_refault_anon 1\ntotal_workingset_refault_file 500\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component c;
  ASSERT_TRUE(reader.read("/x", c));
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.5);
  EXPECT_EQ(c.find(MetricId::CgCpuQuota), nullptr);
  EXPECT_EQ(c.value(MetricId::CgMemMax), 1073741824);
  EXPECT_EQ(c.value(MetricId::CgMemLow), 536870912);
  // The hierarchical count, as in v2's memory.stat: the limit covers the children too.
  EXPECT_EQ(c.value(MetricId::CgMemRefaults), 500);
  EXPECT_EQ(c.find(MetricId::CgPids), nullptr);  // no pids hierarchy
}

// Kernels before 5.9 have one workingset_refault (file pages only then); a
// memory.stat without any refault field, or a cgroup without a memory limit
// (memory.stat not read), leaves the metric absent.
TEST(CgroupStats, RefaultsUnderTheirOlderNameOrAbsent) {
  testing::TempTree t;
  t.write("cgroup.controllers", "memory\n");
  for (const char* d : {"old", "none", "unlimited"}) {
    t.write(std::string(d) + "/memory.high", "max\n");
    t.write(std::string(d) + "/memory.max", std::string(d) == "unlimited" ? "max\n" : "1048576\n");
    t.write(std::string(d) + "/memory.stat", "anon 4096\nworkingset_refault 9\n");
  }
  t.write("none/memory.stat", "anon 4096\nfile 8192\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component old_kernel, without, unlimited;
  Problems problems;
  ASSERT_TRUE(reader.read("/old", old_kernel, &problems));
  ASSERT_TRUE(reader.read("/none", without, &problems));
  ASSERT_TRUE(reader.read("/unlimited", unlimited, &problems));
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(old_kernel.value(MetricId::CgMemRefaults), 9);
  EXPECT_EQ(without.find(MetricId::CgMemRefaults), nullptr);
  EXPECT_EQ(unlimited.find(MetricId::CgMemRefaults), nullptr);
}

TEST(CgroupStats, RemovedCgroupReadsNothing) {
  testing::TempTree t;
  t.write("cgroup.controllers", "cpu\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component c;
  EXPECT_FALSE(reader.read("/gone", c));
  EXPECT_TRUE(c.samples.empty());
}

TEST(CgroupStats, RealRootCgroup) {
  CgroupStatsReader reader(detect_cgroup_layout());
  model::Component c;
  Problems problems;
  ASSERT_TRUE(reader.read("/", c, &problems));
  EXPECT_TRUE(problems.empty()) << problems.messages().front();
  EXPECT_GT(c.value(MetricId::CgCpuUsage), 0);
}

// Every cgroup on this host parses cleanly (races with removal are allowed:
// a cgroup gone mid-walk just reads nothing).
TEST(CgroupStats, RealTreeParsesCleanly) {
  auto layout = detect_cgroup_layout();
  auto cgroups = list_cgroups(layout.walk_root(), 500);
  ASSERT_FALSE(cgroups.empty());
  CgroupStatsReader reader(layout);
  Problems problems;
  for (const auto& cg : cgroups) {
    auto c = make_cgroup_component(cg.path, cg.id);
    reader.read(cg.path, c, &problems);
  }
  EXPECT_TRUE(problems.empty()) << problems.messages().front();
}

// Only controllers listed in cgroup.controllers have files worth opening
// (hybrid hosts enable none on the unified tree).
TEST(CgroupStats, SkipsControllersTheCgroupDoesNotHave) {
  testing::TempTree t;
  t.write("cgroup.controllers", "memory\n");
  t.write("a/cgroup.controllers", "memory\n");
  t.write("a/cpu.stat", "usage_usec 1000\n");  // core file: always read
  t.write("a/cpu.max", "10000 100000\n");      // stale file of a disabled controller
  t.write("a/memory.current", "4096\n");
  CgroupStatsReader reader(detect_cgroup_layout(t.root()));
  model::Component c;
  ASSERT_TRUE(reader.read("/a", c));
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 0.001);
  EXPECT_EQ(c.find(MetricId::CgCpuQuota), nullptr);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);
}

// Where a cgroup sits in the v1 hierarchies comes from the caller's walk
// (no stat per hierarchy), and is checked again after each new walk, not only
// at the layout re-check a minute later.
TEST(CgroupStats, V1HierarchiesFromTheCallersWalk) {
  testing::TempTree t;
  t.write("unified/cgroup.controllers", "\n");
  const std::string svc = std::string("/") + kSvc;
  t.write("unified" + svc + "/cpu.stat", "usage_usec 3000000\n");
  for (const char* c : {"cpu", "cpuacct", "memory", "pids", "blkio"})
    t.write(std::string(c) + "/tasks", "1\n");
  t.write("memory" + svc + "/memory.usage_in_bytes", "8192\n");
  auto layout = detect_cgroup_layout(t.root());
  ASSERT_EQ(layout.mode, CgroupMode::Hybrid);
  V1Tree tree;
  walk_v1_tree(layout, tree);
  ASSERT_TRUE(tree.complete);
  EXPECT_EQ(tree.holds(layout.v1_dir("memory"), svc), true);
  EXPECT_EQ(tree.holds(layout.v1_dir("pids"), svc), false);
  CgroupStatsReader reader(layout);
  reader.use_v1_tree(&tree);
  auto read = [&] {
    model::Component c;
    EXPECT_TRUE(reader.read(svc, c));
    reader.end_interval();
    return c;
  };
  EXPECT_EQ(read().value(MetricId::CgMemCurrent), 8192);

  // Joins the pids hierarchy: unseen until the caller's next walk, then read
  // at once (the layout re-check is 60 intervals away).
  t.write("pids" + svc + "/pids.current", "3\n");
  EXPECT_EQ(read().find(MetricId::CgPids), nullptr);
  walk_v1_tree(layout, tree);
  const auto after_walk = read();
  EXPECT_EQ(after_walk.value(MetricId::CgPids), 3);
  EXPECT_EQ(after_walk.value(MetricId::CgMemCurrent), 8192);

  // A walk cut short cannot say where a cgroup is not: the reader stats.
  t.write("blkio" + svc + "/blkio.throttle.io_service_bytes", "8:0 Read 100\nTotal 100\n");
  tree.complete = false;
  ++tree.walk;
  EXPECT_EQ(read().value(MetricId::CgIoReadBytes), 100);
}

}  // namespace
}  // namespace kpulse::collect
