// Recordings of every format version checked into the tree must stay readable
// by every later build. A new version adds its own fixture directory, written
// once by the build that introduces it and never regenerated after:
//   KPULSE_WRITE_GOLDEN=1 kpulse_record_tests --gtest_filter=Golden.*
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "model/listeners_exits.h"
#include "record/format.h"
#include "record/reader.h"
#include "record/recorder.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using model::MetricId;

std::filesystem::path golden_dir(uint32_t version) {
  return std::filesystem::path(KPULSE_SOURCE_DIR) / "tests/unit/record/data" /
         ("format_v" + std::to_string(version));
}

// Independent of the synthetic source so the fixture never drifts.
model::Snapshot golden_snapshot(uint64_t i) {
  model::Snapshot s;
  s.seq = i;
  s.time_ns = 1'767'225'600'000'000'000 + static_cast<int64_t>(i) * 1'000'000'000;  // 2026-01-01
  s.interval_s = 1.0;
  s.hostname = "golden";
  model::Component host;
  host.kind = model::ComponentKind::Host;
  host.id = "host";
  host.name = "golden";
  host.set_gauge(MetricId::CpuUtilization, 0.125 * static_cast<double>(i % 8));
  host.set_counter(MetricId::SchedOncpuTime, 1.5 * static_cast<double>(i), i ? 1.5 : 0);
  host.labeled.push_back({MetricId::NetDrops, "NO_SOCKET", static_cast<double>(i), i ? 1.0 : 0.0});
  model::HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  h.delta.record(1000 + i);
  h.total.slots[9] = i + 1;
  h.total.count = i + 1;
  h.total.sum_ns = 1000 * (i + 1) + i * (i + 1) / 2;
  host.histograms.push_back(h);
  s.components.push_back(host);
  model::Component proc;
  proc.kind = model::ComponentKind::Process;
  proc.id = "4242";
  proc.name = "worker";
  proc.parent = "/system.slice/worker.service";
  proc.detail = "/usr/bin/worker --threads 4";
  proc.kernel_id = 4242;
  proc.set_counter(MetricId::SchedOncpuTime, 0.001 * static_cast<double>(i * i),
                   0.001 * (2.0 * i - 1));
  s.components.push_back(proc);
  // Version-1 frames kept these in sections of their own; they decode into
  // the same components new recordings carry (listeners, then exits). The
  // exit has no exit time: the fixtures predate it, and it reads as unknown.
  s.components.push_back(
      model::to_component(model::Listener{.netns = 1, .address = "[::]:22", .backlog = 128}));
  if (i == 3)
    s.components.push_back(model::to_component(
        model::ExitedTask{.pid = 7, .tgid = 7, .comm = "sh", .cgroup = "/", .exit_code = 2}));
  return s;
}

TEST(Golden, WritesTheFixtureOnRequest) {
  if (!std::getenv("KPULSE_WRITE_GOLDEN"))
    GTEST_SKIP() << "set KPULSE_WRITE_GOLDEN=1 to regenerate";
  const auto dir = golden_dir(kFormatVersion);
  std::filesystem::remove_all(dir);
  RecorderOptions o;
  o.dir = dir;
  o.frames_per_block = 4;
  o.downsample = false;
  Recorder rec(o);
  for (uint64_t i = 0; i < 10; ++i) rec.append(golden_snapshot(i));
}

class GoldenVersion : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GoldenVersion, StaysReadable) {
  RecordingReader reader(golden_dir(GetParam()));
  EXPECT_TRUE(reader.warnings().empty());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(read[i], golden_snapshot(i)) << i;
}

// Version 1 kept listeners and exits in sections of their own; version 2
// writes them as catalog components.
INSTANTIATE_TEST_SUITE_P(Golden, GoldenVersion, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "Format" + std::to_string(info.param); });

TEST(Golden, EveryFormatVersionHasAFixture) {
  for (uint32_t v = 1; v <= kFormatVersion; ++v)
    EXPECT_TRUE(std::filesystem::is_directory(golden_dir(v))) << "no fixture for version " << v;
}

TEST(Golden, NewerVersionsAreRefusedWithAReason) {
  testing::TempDir dir;
  const auto src = golden_dir(kFormatVersion) / "2026-01-01.full.kpr";
  const auto dst = dir.path() / "2026-01-01.full.kpr";
  std::filesystem::copy_file(src, dst);
  {
    std::fstream f(dst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    const char v99[4] = {99, 0, 0, 0};
    f.write(v99, 4);
    // A newer writer's header carries a valid checksum (a stale one is a
    // damaged header, recovered by resynchronising: hostile_dir_test.cpp).
    uint32_t len = 0;
    f.seekg(12);
    f.read(reinterpret_cast<char*>(&len), 4);
    std::string head(16 + len, '\0');
    f.seekg(0);
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    const auto crc = static_cast<uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size())));
    f.seekp(static_cast<std::streamoff>(head.size()));
    f.write(reinterpret_cast<const char*>(&crc), 4);
  }
  RecordingReader reader(dir.path());
  EXPECT_FALSE(reader.time_range());
  ASSERT_EQ(reader.warnings().size(), 1u);
  EXPECT_NE(reader.warnings()[0].find("format version 99"), std::string::npos)
      << reader.warnings()[0];
}

}  // namespace
}  // namespace kpulse::record
