#include "tune/knob.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

TEST(Knob, AllowlistCoversTheIssueKnobsWithSaneBounds) {
  for (const char* id :
       {"net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem", "net.core.rmem_max", "net.core.wmem_max", "cgroup.cpu.max",
        "cgroup.cpu.cfs_quota_us", "cgroup.cpu.weight", "cgroup.cpu.shares", "cgroup.memory.high",
        "cgroup.memory.limit_in_bytes", "block.read_ahead_kb", "block.nr_requests",
        "block.scheduler", "vm.dirty_background_ratio", "vm.dirty_ratio"})
    EXPECT_TRUE(knob_from_id(id).has_value()) << id;
  EXPECT_FALSE(knob_from_id("kernel.panic").has_value());
  EXPECT_FALSE(knob_from_id("net.ipv4.ip_forward").has_value());
  for (const auto& s : allowlist()) {
    if (s.kind != KnobKind::Scheduler) {
      EXPECT_LT(s.lo, s.hi) << s.id;
    }
  }
  EXPECT_TRUE(spec(KnobKind::DirtyRatio).host_wide);
  EXPECT_FALSE(spec(KnobKind::CpuMax).host_wide);
}

TEST(Knob, TargetsThatCouldEscapeTheAllowlistAreRefused) {
  EXPECT_THROW(knob_path({KnobKind::CpuMax, "/a/../../etc", 0}), std::invalid_argument);
  EXPECT_THROW(knob_path({KnobKind::CpuMax, "relative", 0}), std::invalid_argument);
  EXPECT_THROW(knob_path({KnobKind::ReadAheadKb, "../sda", 0}), std::invalid_argument);
  EXPECT_THROW(knob_path({KnobKind::ReadAheadKb, "sda/../../x", 0}), std::invalid_argument);
  EXPECT_EQ(knob_path({KnobKind::ReadAheadKb, "loop3", 0}), "/sys/block/loop3/queue/read_ahead_kb");
  EXPECT_EQ(knob_path({KnobKind::CpuMax, "/kp/app", 0}, "/cg"), "/cg/kp/app/cpu.max");
  EXPECT_EQ(knob_path({KnobKind::Somaxconn, "/var/run/netns/x", 1}),
            "/proc/sys/net/core/somaxconn");
}

TEST(Knob, ComposedValuesAreClampedToTheHardBounds) {
  // somaxconn: hard bounds 128..65535 whatever the caller asks for.
  EXPECT_EQ(compose_value(KnobKind::Somaxconn, "16", 5, 0, 1e9), "128");
  EXPECT_EQ(compose_value(KnobKind::Somaxconn, "16", 1e7, 0, 1e9), "65535");
  // The caller's tighter ceiling wins over the hard one.
  EXPECT_EQ(compose_value(KnobKind::Somaxconn, "16", 1e7, 0, 4096), "4096");
  // tcp_rmem keeps min/default and lowers the default under a smaller max.
  EXPECT_EQ(compose_value(KnobKind::TcpRmemMax, "4096 4096 4096", 8388608, 0, 1e12),
            "4096 4096 8388608");
  EXPECT_EQ(compose_value(KnobKind::TcpRmemMax, "4096 131072 6291456", 65536, 0, 1e12),
            "4096 65536 65536");
  // cpu.max keeps the period.
  EXPECT_EQ(compose_value(KnobKind::CpuMax, "20000 50000", 30000, 0, 1e12), "30000 50000");
  EXPECT_EQ(compose_value(KnobKind::CpuMax, "20000 100000", 10, 0, 1e12), "1000 100000");
  EXPECT_THROW(compose_value(KnobKind::Scheduler, "[none]", 1, 0, 1), std::invalid_argument);
}

TEST(Knob, NumericValuesParseEachFormat) {
  EXPECT_EQ(numeric_value(KnobKind::TcpWmemMax, "4096 16384 4194304"), 4194304);
  EXPECT_TRUE(std::isinf(numeric_value(KnobKind::CpuMax, "max 100000")));
  EXPECT_EQ(numeric_value(KnobKind::CpuMax, "20000 100000"), 20000);
  EXPECT_TRUE(std::isinf(numeric_value(KnobKind::MemoryHigh, "max")));
  EXPECT_TRUE(std::isinf(numeric_value(KnobKind::CfsQuota, "-1")));
  EXPECT_TRUE(std::isnan(numeric_value(KnobKind::TcpRmemMax, "4096")));
  EXPECT_TRUE(std::isnan(numeric_value(KnobKind::Somaxconn, "garbage")));
}

TEST(Knob, StepsAreAFractionOfTheDistanceAndNeverOvershoot) {
  const KnobSpec& ra = spec(KnobKind::ReadAheadKb);
  EXPECT_EQ(step_toward(0, 4096, 0.5, 128, ra), 2048);
  EXPECT_EQ(step_toward(2048, 4096, 0.5, 128, ra), 3072);
  EXPECT_EQ(step_toward(4000, 4096, 0.5, 128, ra), 4096);  // min step capped at the bound
  EXPECT_EQ(step_toward(0, 1e9, 0.5, 128, ra), 4096);      // bound itself clamped (8192/2)
  EXPECT_EQ(step_toward(100, 0, 0.5, 1, ra), 50);          // downward too
}

TEST(Knob, HostWideKnobsNeedTheOptIn) {
  std::string err;
  EXPECT_FALSE(write_knob({KnobKind::DirtyRatio, "", 0}, "20", err, false));
  EXPECT_NE(err.find("--allow-host-wide"), std::string::npos);
}

TEST(Knob, ReadsAndWritesCgroupFilesUnderTheGivenRoot) {
  auto root = std::filesystem::temp_directory_path() / ("kpulse-knob-" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "kp");
  std::ofstream(root / "kp" / "cpu.max") << "20000 100000\n";
  Knob k{KnobKind::CpuMax, "/kp", 0};
  std::string raw, err;
  ASSERT_TRUE(read_knob(k, raw, err, root.string())) << err;
  EXPECT_EQ(raw, "20000 100000");
  ASSERT_TRUE(write_knob(k, "60000 100000", err, false, root.string())) << err;
  ASSERT_TRUE(read_knob(k, raw, err, root.string()));
  EXPECT_EQ(raw, "60000 100000");
  // Whitespace is normalised so a tab-separated read-back equals what was written.
  std::ofstream(root / "kp" / "cpu.max") << "60000\t100000\n";
  ASSERT_TRUE(read_knob(k, raw, err, root.string()));
  EXPECT_EQ(raw, "60000 100000");
  EXPECT_FALSE(read_knob({KnobKind::CpuMax, "/missing", 0}, raw, err, root.string()));
  EXPECT_NE(err.find("missing"), std::string::npos);
  std::filesystem::remove_all(root);
}

TEST(KnobTest, NoSingleStepPassesItsKnobsBound) {
  constexpr double MiB = 1048576;
  // 128 MiB toward a 12 GiB ceiling: one step at most doubles the limit.
  EXPECT_EQ(step_toward(128 * MiB, 12288 * MiB, 0.5, 16 * MiB, spec(KnobKind::MemoryLimit)),
            256 * MiB);
  // A large limit grows by at most 1 GiB per step.
  EXPECT_EQ(step_toward(4096 * MiB, 12288 * MiB, 0.5, 16 * MiB, spec(KnobKind::MemoryHigh)),
            5120 * MiB);
  // Shares at most double; a quota at most doubles or gains half a CPU.
  EXPECT_EQ(step_toward(1024, 10240, 0.5, 102, spec(KnobKind::CpuShares)), 2048);
  EXPECT_EQ(step_toward(20000, 200000, 0.5, 5000, spec(KnobKind::CfsQuota)), 70000);
  EXPECT_EQ(step_toward(100000, 200000, 0.5, 5000, spec(KnobKind::CpuMax)), 150000);
  // Knobs bounded by their ceiling alone keep the fraction of the distance.
  EXPECT_EQ(step_toward(0, 4096, 0.5, 128, spec(KnobKind::ReadAheadKb)), 2048);
}

// The kernel reads a memory limit back in whole pages: 97733632 written to
// memory.limit_in_bytes reads "97730560", which kpulse took for someone
// else's change and stopped managing its own step (scenario 5, v1).
TEST(KnobTest, MemoryLimitsAreComposedInWholePages) {
  const long page = ::sysconf(_SC_PAGESIZE);
  for (KnobKind k : {KnobKind::MemoryLimit, KnobKind::MemoryHigh}) {
    long v = std::stol(compose_value(k, "67108864", 97733632.0, 0, 1e12));
    EXPECT_EQ(v % page, 0) << v;
    EXPECT_LE(v, 97733632);
    EXPECT_GT(v, 97733632 - page);
  }
  // read_ahead_kb likewise: 4094 KiB reads back as 4092.
  EXPECT_EQ(std::stol(compose_value(KnobKind::ReadAheadKb, "4088", 4094, 0, 1e12)) % (page / 1024),
            0);
}

}  // namespace
}  // namespace kpulse::tune
