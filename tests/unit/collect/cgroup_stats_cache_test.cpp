// What CgroupStatsReader remembers between intervals: kept descriptors,
// limits re-read every few intervals, idle cgroups re-read less often, and a
// new cgroup under an old path read fresh.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "collect/cgroup_stats.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

std::string cpu_stat(uint64_t usage_usec) {
  return "usage_usec " + std::to_string(usage_usec) + "\nuser_usec 0\nsystem_usec 0\n";
}

std::string pressure(uint64_t total) {
  return "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + std::to_string(total) +
         "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
}

struct Fixture {
  testing::TempTree t;
  Fixture() {
    t.write("cgroup.controllers", "cpu memory\n");
    write("a", 1000000, 4096, "100");
  }
  void write(const std::string& dir, uint64_t usage_usec, uint64_t memory, const std::string& max,
             uint64_t psi_total = 10) const {
    t.write(dir + "/cgroup.controllers", "cpu memory\n");
    t.write(dir + "/cpu.stat", cpu_stat(usage_usec));
    t.write(dir + "/memory.current", std::to_string(memory) + "\n");
    t.write(dir + "/memory.max", max + "\n");
    t.write(dir + "/cpu.pressure", pressure(psi_total));
  }
  [[nodiscard]] CgroupStatsReader reader(CgroupStatsOptions o = kept()) const {
    return CgroupStatsReader(detect_cgroup_layout(t.root()), o);
  }
  static CgroupStatsOptions kept() {
    CgroupStatsOptions o;
    o.kept_fds = 64;
    return o;
  }
};

std::string pressure_avg(double avg10, uint64_t total) {
  char b[160];
  std::snprintf(b, sizeof b,
                "some avg10=%.2f avg60=0.00 avg300=0.00 total=%llu\n"
                "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
                avg10, static_cast<unsigned long long>(total));
  return b;
}

model::Component read(CgroupStatsReader& r, const std::string& path, CgroupActivity activity,
                      uint64_t id = 7) {
  auto c = make_cgroup_component(path, id);
  EXPECT_TRUE(r.read(path, c, nullptr, activity));
  return c;
}

TEST(CgroupStatsCache, BusyCgroupRereadsItsKeptFilesAndSeesNewValues) {
  Fixture f;
  auto r = f.reader();
  auto c = read(r, "/a", CgroupActivity::Busy);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.0);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 10e-6);
  const size_t kept = r.kept_fds();
  EXPECT_GE(kept, 3u);  // cpu.stat, memory.current, cpu.pressure at least

  f.write("a", 2500000, 8192, "100", 20);  // rewritten in place: the kept descriptors see it
  r.end_interval();
  c = read(r, "/a", CgroupActivity::Busy);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 2.5);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 8192);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 20e-6);
  EXPECT_EQ(r.kept_fds(), kept);  // no new descriptors for the same files
}

TEST(CgroupStatsCache, LimitsAreRereadWithinLimitsEveryIntervals) {
  Fixture f;
  auto r = f.reader();
  EXPECT_EQ(read(r, "/a", CgroupActivity::Busy).value(MetricId::CgMemMax), 100);
  f.write("a", 1000000, 4096, "200");
  // Within the interval of the last read the remembered limit stands.
  EXPECT_EQ(read(r, "/a", CgroupActivity::Busy).value(MetricId::CgMemMax), 100);
  unsigned seen_after = 0;
  for (unsigned i = 1; i <= CgroupStatsOptions{}.limits_every && !seen_after; ++i) {
    r.end_interval();
    if (read(r, "/a", CgroupActivity::Busy).value(MetricId::CgMemMax) == 200) seen_after = i;
  }
  EXPECT_GT(seen_after, 0u) << "the new limit never showed";
}

TEST(CgroupStatsCache, IdleCgroupRepeatsItsValuesUntilDue) {
  Fixture f;
  auto r = f.reader();
  auto c = read(r, "/a", CgroupActivity::Idle);  // first read: everything
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.0);
  EXPECT_EQ(c.value(MetricId::CgMemMax), 100);

  f.write("a", 3000000, 8192, "100", 30);
  c = read(r, "/a", CgroupActivity::Idle);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.0);  // repeated, not re-read
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);
  EXPECT_EQ(c.value(MetricId::CgMemMax), 100);  // limits repeat too
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 10e-6);

  // The counters come back within idle_every intervals; the CPU figures
  // (BPF vouches for them) only every idle_cpu_every, at a phase of their own.
  const CgroupStatsOptions o;
  unsigned memory_after = 0, cpu_after = 0, cpu_reads = 0;
  for (unsigned i = 1; i <= 2 * o.idle_cpu_every; ++i) {
    r.end_interval();
    c = read(r, "/a", CgroupActivity::Idle);
    if (!memory_after && c.value(MetricId::CgMemCurrent) == 8192) memory_after = i;
    cpu_reads += r.cpu_read() ? 1 : 0;
    if (r.cpu_read() && !cpu_after) {
      cpu_after = i;
      EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 3.0);
      EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 30e-6);  // cpu.pressure goes with it
    } else if (!cpu_after) {
      EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.0);
      EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 10e-6);
    }
  }
  EXPECT_GT(memory_after, 0u) << "an idle cgroup's counters were never re-read";
  EXPECT_LE(memory_after, o.idle_every);
  EXPECT_GT(cpu_after, 0u) << "an idle cgroup's CPU figures were never re-read";
  EXPECT_LE(cpu_after, o.idle_cpu_every);
  EXPECT_EQ(cpu_reads, 2u) << "CPU figures re-read at ordinary idle re-reads";

  // Busy again: read at once.
  f.write("a", 4000000, 16384, "100");
  c = read(r, "/a", CgroupActivity::Busy);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 4.0);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 16384);
  EXPECT_TRUE(r.cpu_read());
}

// Waiting tasks move a cgroup's CPU figures, not its memory: only those are read.
TEST(CgroupStatsCache, CpuMovedRereadsTheCpuFiguresOnly) {
  Fixture f;
  auto r = f.reader();
  read(r, "/a", CgroupActivity::Idle);  // first read: everything
  f.write("a", 2000000, 8192, "100", 20);
  r.end_interval();
  auto c = read(r, "/a", CgroupActivity::CpuMoved);
  EXPECT_TRUE(r.cpu_read());
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 2.0);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 20e-6);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);  // repeated until due
}

// cpu.pressure's avg10 decays by itself once the waiting stops, so a reading
// above 0 is not repeated past the next idle re-read.
TEST(CgroupStatsCache, IdleCgroupWithRecentCpuPressureRereadsItWithTheCounters) {
  Fixture f;
  f.t.write("a/cpu.pressure", pressure_avg(2.5, 10));
  auto r = f.reader();
  auto c = read(r, "/a", CgroupActivity::Idle);
  EXPECT_NEAR(c.value(MetricId::PsiCpuSomeAvg10), 0.025, 1e-12);
  f.t.write("a/cpu.pressure", pressure_avg(0.5, 20));
  unsigned seen_after = 0;
  for (unsigned i = 1; i <= CgroupStatsOptions{}.idle_every && !seen_after; ++i) {
    r.end_interval();
    c = read(r, "/a", CgroupActivity::Idle);
    if (std::abs(c.value(MetricId::PsiCpuSomeAvg10) - 0.005) < 1e-12) seen_after = i;
  }
  EXPECT_GT(seen_after, 0u) << "a decaying cpu.pressure average was repeated";
}

model::Component read_w(CgroupStatsReader& r, CgroupActivity activity, bool cpu_wait_quiet) {
  auto c = make_cgroup_component("/a", 7);
  EXPECT_TRUE(r.read("/a", c, nullptr, activity, false, cpu_wait_quiet));
  return c;
}

// cpu.pressure's totals grow only while tasks wait for a CPU: where the
// caller saw next to no waiting since its last read, a calm reading stands
// even when the CPU usage is read, for idle_cpu_every intervals at most.
TEST(CgroupStatsCache, CalmCpuPressureIsRepeatedWhileTheCallerSawNoWaiting) {
  Fixture f;
  auto r = f.reader();
  read_w(r, CgroupActivity::Busy, true);  // first read: everything
  EXPECT_TRUE(r.cpu_psi_read());
  f.write("a", 2000000, 8192, "100", 20);
  r.end_interval();
  auto c = read_w(r, CgroupActivity::Busy, true);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 2.0);    // running: read
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 10e-6);  // no waiting: repeated
  EXPECT_FALSE(r.cpu_psi_read());
  r.end_interval();
  c = read_w(r, CgroupActivity::CpuMoved, false);  // waited: read
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 20e-6);
  EXPECT_TRUE(r.cpu_psi_read());

  // Never past idle_cpu_every intervals since the last read.
  f.write("a", 3000000, 8192, "100", 30);
  const unsigned every = CgroupStatsOptions{}.idle_cpu_every;
  unsigned seen_after = 0;
  for (unsigned i = 1; i <= every && !seen_after; ++i) {
    r.end_interval();
    c = read_w(r, CgroupActivity::Busy, true);
    if (c.value(MetricId::PsiCpuSome) == 30e-6) seen_after = i;
  }
  EXPECT_EQ(seen_after, every);

  // A reading that is not calm (some avg10 above 0), or a caller that does
  // not watch (Unknown), reads it whenever it is due.
  f.t.write("a/cpu.pressure", pressure_avg(0.5, 40));
  r.end_interval();
  c = read_w(r, CgroupActivity::Busy, false);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 40e-6);
  f.t.write("a/cpu.pressure", pressure_avg(0, 50));
  r.end_interval();
  c = read_w(r, CgroupActivity::Busy, true);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 50e-6);
  f.write("a", 4000000, 8192, "100", 60);
  r.end_interval();
  c = read_w(r, CgroupActivity::Unknown, true);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 60e-6);
}

TEST(CgroupStatsCache, UnknownActivityRereadsCountersWhenCpuUsageMoves) {
  Fixture f;
  auto r = f.reader();
  read(r, "/a", CgroupActivity::Unknown);
  f.write("a", 1000000, 8192, "100");  // usage unchanged: taken as idle
  auto c = read(r, "/a", CgroupActivity::Unknown);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 4096);
  f.write("a", 1500000, 8192, "100");  // usage moved: everything due is read
  c = read(r, "/a", CgroupActivity::Unknown);
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 1.5);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 8192);
}

TEST(CgroupStatsCache, NewCgroupUnderTheSamePathIsReadFresh) {
  Fixture f;
  auto r = f.reader();
  auto c = read(r, "/a", CgroupActivity::Idle, 7);
  EXPECT_EQ(c.value(MetricId::CgMemMax), 100);
  // Removed and created again (new files, new inodes) with other values.
  std::filesystem::remove_all(f.t.path("a"));
  f.write("a", 5000, 1024, "300", 1);
  c = read(r, "/a", CgroupActivity::Idle, 8);  // a new id: nothing remembered applies
  EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 0.005);
  EXPECT_EQ(c.value(MetricId::CgMemCurrent), 1024);
  EXPECT_EQ(c.value(MetricId::CgMemMax), 300);
  EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 1e-6);
}

TEST(CgroupStatsCache, CgroupsNotReadInAnIntervalAreForgotten) {
  Fixture f;
  f.write("b", 1, 1, "max");
  auto r = f.reader();
  read(r, "/a", CgroupActivity::Busy);
  const size_t one = r.kept_fds();
  read(r, "/b", CgroupActivity::Busy);
  EXPECT_EQ(r.kept_fds(), 2 * one);
  r.end_interval();
  read(r, "/a", CgroupActivity::Busy);
  r.end_interval();  // /b was not read in the interval that just ended
  EXPECT_EQ(r.kept_fds(), one);
  r.end_interval();
  r.end_interval();
  EXPECT_EQ(r.kept_fds(), 0u);
}

TEST(CgroupStatsCache, WithoutKeptDescriptorsValuesAreTheSame) {
  Fixture f;
  CgroupStatsOptions none;  // kept_fds 0: open/read/close every time
  CgroupStatsOptions two = Fixture::kept();
  two.kept_fds = 2;  // runs out within the first cgroup
  for (const auto& o : {none, two}) {
    auto r = f.reader(o);
    f.write("a", 1000000, 4096, "100");
    read(r, "/a", CgroupActivity::Busy);
    EXPECT_LE(r.kept_fds(), o.kept_fds);
    f.write("a", 2000000, 8192, "100", 99);
    r.end_interval();
    auto c = read(r, "/a", CgroupActivity::Busy);
    EXPECT_DOUBLE_EQ(c.value(MetricId::CgCpuUsage), 2.0);
    EXPECT_EQ(c.value(MetricId::CgMemCurrent), 8192);
    EXPECT_DOUBLE_EQ(c.value(MetricId::PsiCpuSome), 99e-6);
  }
}

struct StallFixture : Fixture {
  StallFixture() { psi(0, 10); }
  void psi(double avg10, uint64_t total) const {
    t.write("a/cpu.pressure", pressure_avg(0, total));
    t.write("a/memory.pressure", pressure_avg(avg10, total));
    t.write("a/io.pressure", pressure_avg(avg10, total));
  }
};

// PSI totals are microseconds, reported in seconds.
bool shows_us(double seconds, uint64_t us) {
  return std::abs(seconds - double(us) / 1e6) < 1e-12;
}

model::Component read_q(CgroupStatsReader& r, CgroupActivity activity, bool stall_quiet) {
  auto c = make_cgroup_component("/a", 7);
  EXPECT_TRUE(r.read("/a", c, nullptr, activity, stall_quiet));
  return c;
}

// Intervals until memory.pressure shows `total` µs, reading the cgroup as
// `activity` every interval; 0 when it does not within `limit` intervals.
unsigned intervals_until(CgroupStatsReader& r, CgroupActivity activity, bool stall_quiet,
                         uint64_t total, unsigned limit) {
  for (unsigned i = 1; i <= limit; ++i) {
    r.end_interval();
    auto c = read_q(r, activity, stall_quiet);
    if (shows_us(c.value(MetricId::PsiMemorySome), total)) {
      // io.pressure goes with it.
      EXPECT_TRUE(shows_us(c.value(MetricId::PsiIoSome), total));
      return i;
    }
  }
  return 0;
}

TEST(CgroupStatsCache, QuietIdleCgroupRereadsMemoryAndIoPressureRarely) {
  StallFixture f;
  auto r = f.reader();
  auto c = read_q(r, CgroupActivity::Idle, true);  // first read: everything
  EXPECT_TRUE(shows_us(c.value(MetricId::PsiMemorySome), 10));
  f.psi(0, 20);
  const CgroupStatsOptions o;
  // Past the idle re-reads, up to the rare one.
  unsigned i = 1;
  for (; i <= o.quiet_pressure_every + o.idle_every; ++i) {
    r.end_interval();
    c = read_q(r, CgroupActivity::Idle, true);
    if (shows_us(c.value(MetricId::PsiMemorySome), 20)) break;
  }
  EXPECT_GT(i, o.idle_every) << "memory.pressure re-read at an ordinary idle re-read";
  // At the first idle re-read quiet_pressure_every intervals on.
  EXPECT_GE(i, o.quiet_pressure_every);
  EXPECT_LT(i, o.quiet_pressure_every + o.idle_every) << "memory.pressure never re-read";
  EXPECT_TRUE(shows_us(c.value(MetricId::PsiIoSome), 20));
}

TEST(CgroupStatsCache, AStallCauseOrARecentStallRereadsAtTheNextIdleRead) {
  StallFixture f;
  auto r = f.reader();
  read_q(r, CgroupActivity::Idle, true);
  f.psi(0, 20);
  // One interval with a cause (e.g. block I/O seen by BPF): the next due
  // idle re-read takes the new values.
  r.end_interval();
  read_q(r, CgroupActivity::Idle, false);
  EXPECT_GT(intervals_until(r, CgroupActivity::Idle, true, 20, CgroupStatsOptions{}.idle_every),
            0u);

  // A reading with a recent stall (avg10 > 0) is not repeated past the next
  // idle re-read either, cause or not.
  f.psi(1.5, 30);
  auto r2 = f.reader();
  read_q(r2, CgroupActivity::Idle, true);
  f.psi(1.0, 40);
  EXPECT_GT(intervals_until(r2, CgroupActivity::Idle, true, 40, CgroupStatsOptions{}.idle_every),
            0u);
}

TEST(CgroupStatsCache, BusyCgroupReadsMemoryAndIoPressureEveryInterval) {
  StallFixture f;
  auto r = f.reader();
  read_q(r, CgroupActivity::Busy, true);
  for (uint64_t total = 20; total < 60; total += 10) {
    f.psi(0, total);
    EXPECT_EQ(intervals_until(r, CgroupActivity::Busy, true, total, 1), 1u);
  }
}

}  // namespace
}  // namespace kpulse::collect
