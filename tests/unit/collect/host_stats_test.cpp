#include "collect/host_stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collect/pressure.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

constexpr const char* kProcStat =
    "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0\n"
    "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n"
    "cpu1 1335203 39536 527812 13348929 2720 0 5008 0 22983 0\n"
    "intr 1462898 15 0 0\n"
    "ctxt 3451233212\n"
    "btime 1700000000\n"
    "processes 1294751\n"
    "procs_running 3\n"
    "procs_blocked 1\n"
    "softirq 1 2 3\n";

TEST(ProcStat, ReadsHostAndPerCpuTimesInSeconds) {
  testing::TempTree t;
  t.write("stat", kProcStat);
  auto host = make_host_component();
  std::vector<model::Component> cpus;
  Problems problems;
  ASSERT_TRUE(read_proc_stat(t.root(), host, cpus, &problems));
  EXPECT_TRUE(problems.empty());
  const double hz = clock_ticks_per_second();
  EXPECT_DOUBLE_EQ(host.value(MetricId::CpuUser), 10132153 / hz);
  EXPECT_DOUBLE_EQ(host.value(MetricId::CpuIdle), 46828483 / hz);
  EXPECT_DOUBLE_EQ(host.value(MetricId::CpuSoftirq), 25195 / hz);
  EXPECT_DOUBLE_EQ(host.value(MetricId::CpuSteal), 0);
  EXPECT_EQ(host.delta(MetricId::CpuUser), 0);  // deltas are the engine's job
  EXPECT_EQ(host.value(MetricId::HostContextSwitches), 3451233212.0);
  EXPECT_EQ(host.value(MetricId::HostForks), 1294751);
  EXPECT_EQ(host.value(MetricId::HostProcsRunning), 3);
  EXPECT_EQ(host.value(MetricId::HostProcsBlocked), 1);

  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[1].id, "cpu1");
  EXPECT_EQ(cpus[1].kind, model::ComponentKind::Cpu);
  EXPECT_EQ(cpus[1].kernel_id, 1u);
  EXPECT_DOUBLE_EQ(cpus[1].value(MetricId::CpuSystem), 527812 / hz);
  EXPECT_DOUBLE_EQ(cpus[0].value(MetricId::CpuIowait), 6130 / hz);
}

TEST(ProcStat, BadLineIsReportedAndTheRestKept) {
  testing::TempTree t;
  t.write("stat",
          "cpu  1 2 3 4 5 6 7 8\n"
          "cpu0 1 2 x 4\n"
          "cpu1 1 2 3 4 5 6 7 8\n"
          "ctxt 99\n");
  auto host = make_host_component();
  std::vector<model::Component> cpus;
  Problems problems;
  ASSERT_TRUE(read_proc_stat(t.root(), host, cpus, &problems));
  ASSERT_EQ(problems.messages().size(), 1u);
  EXPECT_EQ(problems.messages()[0], t.path("stat") + ":2: bad per-CPU line");
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].id, "cpu1");
  EXPECT_EQ(host.value(MetricId::HostContextSwitches), 99);
}

TEST(Loadavg, ReadsThreeAverages) {
  testing::TempTree t;
  t.write("loadavg", "0.52 1.25 2.00 2/812 123456\n");
  auto host = make_host_component();
  ASSERT_TRUE(read_loadavg(t.root(), host));
  EXPECT_DOUBLE_EQ(host.value(MetricId::HostLoad1), 0.52);
  EXPECT_DOUBLE_EQ(host.value(MetricId::HostLoad5), 1.25);
  EXPECT_DOUBLE_EQ(host.value(MetricId::HostLoad15), 2.0);
}

TEST(Loadavg, GarbageIsReported) {
  testing::TempTree t;
  t.write("loadavg", "hello\n");
  auto host = make_host_component();
  Problems problems;
  EXPECT_FALSE(read_loadavg(t.root(), host, &problems));
  EXPECT_EQ(problems.messages().size(), 1u);
  EXPECT_TRUE(std::isnan(host.value(MetricId::HostLoad1)));
}

TEST(Uptime, ReadsSeconds) {
  testing::TempTree t;
  t.write("uptime", "12345.67 23456.78\n");
  auto host = make_host_component();
  ASSERT_TRUE(read_uptime(t.root(), host));
  EXPECT_DOUBLE_EQ(host.value(MetricId::HostUptime), 12345.67);
}

TEST(Meminfo, ComputesUsedLikeFree) {
  testing::TempTree t;
  t.write("meminfo",
          "MemTotal:       24000000 kB\n"
          "MemFree:         2000000 kB\n"
          "MemAvailable:   20000000 kB\n"
          "Buffers:          100000 kB\n"
          "Cached:          9000000 kB\n"
          "SwapCached:            0 kB\n"
          "Dirty:               124 kB\n"
          "Writeback:             8 kB\n"
          "SwapTotal:       1000000 kB\n"
          "SwapFree:         750000 kB\n"
          "SReclaimable:     400000 kB\n"
          "HugePages_Total:       0\n");
  auto host = make_host_component();
  ASSERT_TRUE(read_meminfo(t.root(), host));
  const double k = 1024;
  EXPECT_EQ(host.value(MetricId::MemTotal), 24000000 * k);
  EXPECT_EQ(host.value(MetricId::MemFree), 2000000 * k);
  EXPECT_EQ(host.value(MetricId::MemAvailable), 20000000 * k);
  EXPECT_EQ(host.value(MetricId::MemUsed), (24000000 - 2000000 - 100000 - 9000000 - 400000) * k);
  EXPECT_EQ(host.value(MetricId::MemDirty), 124 * k);
  EXPECT_EQ(host.value(MetricId::MemWriteback), 8 * k);
  EXPECT_EQ(host.value(MetricId::SwapTotal), 1000000 * k);
  EXPECT_EQ(host.value(MetricId::SwapUsed), 250000 * k);
}

TEST(Vmstat, ReadsFaultReclaimAndOomCounters) {
  testing::TempTree t;
  t.write("vmstat",
          "nr_free_pages 500000\n"
          "pgfault 987654321\n"
          "pgmajfault 4321\n"
          "pgscan_direct 77\n"
          "pgscan_direct_throttle 5\n"
          "pgsteal_direct 66\n"
          "oom_kill 2\n");
  auto host = make_host_component();
  ASSERT_TRUE(read_vmstat(t.root(), host));
  EXPECT_EQ(host.value(MetricId::VmPageFaults), 987654321);
  EXPECT_EQ(host.value(MetricId::VmMajorFaults), 4321);
  EXPECT_EQ(host.value(MetricId::VmPgscanDirect), 77);
  EXPECT_EQ(host.value(MetricId::VmPgstealDirect), 66);
  EXPECT_EQ(host.value(MetricId::MemOomKills), 2);
}

TEST(Vmstat, ReadsPageCacheRefaultsUnderEitherKernelsName) {
  testing::TempTree t;
  t.write("vmstat",
          "workingset_refault_anon 5\n"
          "workingset_refault_file 1234\n");
  auto host = make_host_component();
  ASSERT_TRUE(read_vmstat(t.root(), host));
  EXPECT_EQ(host.value(MetricId::VmRefaults), 1234);  // file pages only

  testing::TempTree old_kernel;
  old_kernel.write("vmstat", "workingset_refault 99\n");
  auto old_host = make_host_component();
  ASSERT_TRUE(read_vmstat(old_kernel.root(), old_host));
  EXPECT_EQ(old_host.value(MetricId::VmRefaults), 99);
}

TEST(Pressure, ReadsTotalsAndAvg10) {
  testing::TempTree t;
  t.write("pressure/cpu",
          "some avg10=0.53 avg60=0.30 avg300=0.12 total=3615129\n"
          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  t.write("pressure/io",
          "some avg10=12.50 avg60=1.00 avg300=0.10 total=2000000\n"
          "full avg10=10.00 avg60=1.00 avg300=0.10 total=1500000\n");
  // no pressure/memory: e.g. a kernel built without it
  auto host = make_host_component();
  EXPECT_EQ(read_host_pressure(t.root(), host), 2);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiCpuSome), 3.615129);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiCpuFull), 0);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiCpuSomeAvg10), 0.0053);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiIoSome), 2.0);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiIoFull), 1.5);
  EXPECT_DOUBLE_EQ(host.value(MetricId::PsiIoSomeAvg10), 0.125);
  EXPECT_EQ(host.find(MetricId::PsiMemorySome), nullptr);
}

TEST(Pressure, MalformedLineIsReported) {
  model::Component c;
  Problems problems;
  EXPECT_FALSE(parse_pressure("some avg10=1.0\n", PsiResource::Memory, c, "f", &problems));
  EXPECT_EQ(problems.messages().size(), 1u);
}

TEST(HostReaders, MissingTreeLeavesComponentEmpty) {
  testing::TempTree t;
  auto host = make_host_component();
  std::vector<model::Component> cpus;
  Problems problems;
  read_host(t.root(), host, cpus, &problems);
  EXPECT_TRUE(host.samples.empty());
  EXPECT_TRUE(cpus.empty());
  EXPECT_TRUE(problems.empty());
}

// Smoke test against the real /proc: plausible values, no parse problems.
TEST(HostReaders, RealProc) {
  auto host = make_host_component();
  std::vector<model::Component> cpus;
  Problems problems;
  read_host("/proc", host, cpus, &problems);
  EXPECT_TRUE(problems.empty()) << problems.messages()[0];
  EXPECT_GE(cpus.size(), 1u);
  EXPECT_GT(host.value(MetricId::CpuUser) + host.value(MetricId::CpuSystem), 0);
  EXPECT_GT(host.value(MetricId::MemTotal), 64.0 * 1024 * 1024);
  EXPECT_GT(host.value(MetricId::MemUsed), 0);
  EXPECT_LT(host.value(MetricId::MemUsed), host.value(MetricId::MemTotal));
  EXPECT_GT(host.value(MetricId::HostUptime), 0);
  EXPECT_GT(host.value(MetricId::HostContextSwitches), 0);
  EXPECT_GT(host.value(MetricId::VmPageFaults), 0);
  EXPECT_FALSE(std::isnan(host.value(MetricId::HostLoad1)));
}

}  // namespace
}  // namespace kpulse::collect
