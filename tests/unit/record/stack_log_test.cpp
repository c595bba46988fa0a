// The daemon's stack log: what is written reads back merged, torn lines are
// skipped, windows are chosen by time, the hourly budget and the retention
// hold.
#include <gtest/gtest.h>

#include <fstream>

#include "record/stack_log.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::kSecond;
using testing::TempDir;

constexpr int64_t kT0 = 1'764'900'000 * kSecond;  // 2025-12-05T02:00Z

profile::StackSample sample(const std::string& cgroup, uint32_t pid, const std::string& leaf,
                            uint64_t count) {
  profile::StackSample s;
  s.cgroup = cgroup;
  s.pid = pid;
  s.comm = "work;er";  // a ';' must not split the frames
  s.count = count;
  s.frames = {
      {"main", "app", false}, {leaf, "libz.so.1", false}, {"do_syscall_64", "[kernel]", true}};
  return s;
}

profile::Profile window(uint64_t alpha, uint64_t beta) {
  profile::Profile p;
  p.samples = {sample("/app", 7, "compress_block", alpha), sample("/app", 7, "crc32", beta),
               sample("/", 1, "idle_loop", 3)};
  return p;
}

std::filesystem::path only_file(const std::filesystem::path& dir) {
  std::filesystem::path f;
  for (const auto& e : std::filesystem::directory_iterator(dir / "stacks")) f = e.path();
  return f;
}

TEST(StackLog, WindowsReadBackMergedWithFramesAndTotals) {
  TempDir dir;
  StackLogWriter w({dir.path()});
  ASSERT_TRUE(w.append(kT0, kT0 + 60 * kSecond, window(60, 20)));
  ASSERT_TRUE(w.append(kT0 + 60 * kSecond, kT0 + 120 * kSecond, window(40, 30)));
  RecordedProfile r = read_stack_log(dir.path(), INT64_MIN, INT64_MAX);
  EXPECT_EQ(r.windows, 2u);
  EXPECT_EQ(r.bad_lines, 0u);
  EXPECT_EQ(r.cgroup_samples["/app"], 150u);
  EXPECT_EQ(r.profile.total(), 156u);
  bool found = false;
  for (const auto& s : r.profile.samples)
    if (s.frames.size() == 3 && s.frames[1].function == "compress_block") {
      found = true;
      EXPECT_EQ(s.count, 100u);
      EXPECT_EQ(s.pid, 7u);
      EXPECT_EQ(s.comm, "work_er");
      EXPECT_EQ(s.frames[1].module, "libz.so.1");
      EXPECT_TRUE(s.frames[2].kernel);
      EXPECT_FALSE(s.frames[0].kernel);
    }
  EXPECT_TRUE(found);
  // Only the second window.
  r = read_stack_log(dir.path(), kT0 + 90 * kSecond, kT0 + 100 * kSecond);
  EXPECT_EQ(r.windows, 1u);
  EXPECT_EQ(r.cgroup_samples["/app"], 70u);
  // Before everything.
  EXPECT_EQ(read_stack_log(dir.path(), 0, kT0 - kSecond).windows, 0u);
}

TEST(StackLog, OnlyTheBusiestStacksAreKeptButCgroupTotalsStayWhole) {
  TempDir dir;
  StackLogWriter w({dir.path(), /*top_stacks=*/1});
  ASSERT_TRUE(w.append(kT0, kT0 + 60 * kSecond, window(60, 20)));
  RecordedProfile r = read_stack_log(dir.path(), INT64_MIN, INT64_MAX);
  ASSERT_EQ(r.profile.samples.size(), 1u);
  EXPECT_EQ(r.profile.samples[0].frames[1].function, "compress_block");
  EXPECT_EQ(r.cgroup_samples["/app"], 80u);
  EXPECT_EQ(r.cgroup_samples["/"], 3u);
}

TEST(StackLog, ATornLineIsSkippedAndTheNextWindowStartsOnItsOwnLine) {
  TempDir dir;
  StackLogWriter w({dir.path()});
  ASSERT_TRUE(w.append(kT0, kT0 + 60 * kSecond, window(60, 20)));
  {
    std::ofstream f(only_file(dir.path()), std::ios::app);
    f << "S\t" << kT0 << "\t" << kT0 + 60 * kSecond << "\t/app\t7\tworker\t5\tumain";  // torn
  }
  ASSERT_TRUE(w.append(kT0 + 60 * kSecond, kT0 + 120 * kSecond, window(40, 30)));
  RecordedProfile r = read_stack_log(dir.path(), INT64_MIN, INT64_MAX);
  EXPECT_EQ(r.bad_lines, 1u);
  EXPECT_EQ(r.windows, 2u);
  EXPECT_EQ(r.cgroup_samples["/app"], 150u);
}

TEST(StackLog, AShortRangeReadsOnlyItsPartOfALongDay) {
  TempDir dir;
  StackLogWriter w({dir.path()});
  constexpr int64_t kMinute = 60 * kSecond;
  for (int64_t m = 0; m < 12 * 60; ++m) {
    ASSERT_TRUE(w.append(kT0 + m * kMinute, kT0 + (m + 1) * kMinute, window(60 + m % 7, 20)));
    if (m == 30) {
      // A damaged line hours before the range: a reader that scans the
      // whole day counts it.
      std::ofstream f(only_file(dir.path()), std::ios::app);
      f << "S\tdamaged\n";
    }
  }
  const int64_t from = kT0 + 600 * kMinute + kSecond;  // inside minute 600 only
  RecordedProfile r = read_stack_log(dir.path(), from, from + 30 * kSecond);
  EXPECT_EQ(r.bad_lines, 0u);
  EXPECT_EQ(r.windows, 1u);
  EXPECT_EQ(r.cgroup_samples["/app"], 60u + 600 % 7 + 20);
  EXPECT_EQ(read_stack_log(dir.path(), INT64_MIN, INT64_MAX).bad_lines, 1u);
}

TEST(StackLog, EveryRangeOfALongDayReadsTheWindowsOverlappingIt) {
  TempDir dir;
  StackLogWriter w({dir.path()});
  constexpr int64_t kMinute = 60 * kSecond;
  constexpr int64_t kWindows = 6 * 60;
  auto samples_of = [](int64_t m) { return uint64_t(10 + m % 13); };
  for (int64_t m = 0; m < kWindows; ++m) {
    profile::Profile p;
    p.samples = {sample("/app", 7, "compress_block", samples_of(m))};
    ASSERT_TRUE(w.append(kT0 + m * kMinute, kT0 + (m + 1) * kMinute, p));
  }
  for (int64_t from_s : {-90L, 0L, 59L, 61L, 3600L, 7261L, 12345L, 21500L, 21599L, 21660L}) {
    for (int64_t span_s : {0L, 1L, 60L, 600L, 5000L}) {
      const int64_t from = kT0 + from_s * kSecond, to = from + span_s * kSecond;
      uint64_t expected = 0;
      size_t windows = 0;
      for (int64_t m = 0; m < kWindows; ++m)
        if (kT0 + (m + 1) * kMinute >= from && kT0 + m * kMinute <= to) {
          expected += samples_of(m);
          ++windows;
        }
      RecordedProfile r = read_stack_log(dir.path(), from, to);
      EXPECT_EQ(r.windows, windows) << from_s << "+" << span_s;
      EXPECT_EQ(r.cgroup_samples["/app"], expected) << from_s << "+" << span_s;
    }
  }
}

TEST(StackLog, TheHourlyBudgetDropsWholeWindows) {
  TempDir dir;
  const size_t one = stack_log_lines(kT0, kT0 + 60 * kSecond, window(60, 20), 200).size();
  StackLogWriter w({dir.path(), 200, /*max_bytes_per_hour=*/one * 2 + one / 2});
  int written = 0;
  for (int i = 0; i < 10; ++i)
    written += w.append(kT0 + i * 60 * kSecond, kT0 + (i + 1) * 60 * kSecond, window(60, 20));
  EXPECT_EQ(written, 2);
  EXPECT_EQ(w.windows_dropped(), 8u);
  EXPECT_LE(w.bytes_written(), one * 2 + one / 2);
  // The next hour has its own budget.
  EXPECT_TRUE(w.append(kT0 + 3600 * kSecond, kT0 + 3660 * kSecond, window(1, 1)));
}

TEST(StackLog, DaysPastRetentionAreRemoved) {
  TempDir dir;
  StackLogWriter w({dir.path(), 200, 4u << 20, /*keep_days=*/2});
  constexpr int64_t kDay = 86400 * kSecond;
  for (int d = 0; d < 5; ++d)
    ASSERT_TRUE(w.append(kT0 + d * kDay, kT0 + d * kDay + kSecond, window(1, 1)));
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() / "stacks"))
    ++files;
  EXPECT_EQ(files, 2u);
  EXPECT_EQ(read_stack_log(dir.path(), INT64_MIN, INT64_MAX).windows, 2u);
}

}  // namespace
}  // namespace kpulse::record
