// cgroupfs files kept open between intervals (collect/kept_file.h) against
// real cgroups: a removed cgroup's descriptors fail, a cgroup recreated under
// the same path is read fresh, by the reader and by the whole engine.
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_stats.h"
#include "engine/collector.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using model::ComponentKind;
using model::MetricId;
using namespace std::chrono_literals;

uint64_t inode_of(const std::string& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Runs a CPU burner in `cg` for about `seconds`.
// Uses `cpu_seconds` of CPU in `cg`: CPU time, not wall time, so a loaded
// host that gives the child a small share still leaves the usage expected.
void burn(const TestCgroup& cg, double cpu_seconds) {
  Child c(
      [cpu_seconds] {
        timespec t{};
        do {
          for (int i = 0; i < 100000; ++i) asm volatile("");  // spin the compiler cannot drop
          ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        } while (double(t.tv_sec) + t.tv_nsec * 1e-9 < cpu_seconds);
        return 0;
      },
      &cg);
  c.wait(60s);
}

void recreate(const TestCgroup& cg) {
  cg.kill_all();
  ASSERT_EQ(::rmdir(cg.dir().c_str()), 0) << cg.dir();
  ASSERT_EQ(::mkdir(cg.dir().c_str(), 0755), 0) << cg.dir();
}

collect::CgroupStatsReader kept_reader() {
  collect::CgroupStatsOptions o;
  o.kept_fds = 256;
  return collect::CgroupStatsReader(collect::detect_cgroup_layout(), o);
}

TEST(CgroupKeptFilesIntegration, RecreatedCgroupIsReadFreshThroughReopenedFiles) {
  KPULSE_REQUIRE_BPF_OR_SKIP();  // root: creates cgroups
  TestCgroup cg("kept");
  burn(cg, 0.4);
  auto reader = kept_reader();
  const uint64_t id = inode_of(cg.dir());
  auto c = collect::make_cgroup_component(cg.path(), id);
  ASSERT_TRUE(reader.read(cg.path(), c));
  const double old_usage = c.value(MetricId::CgCpuUsage);
  ASSERT_GT(old_usage, 0.2);
  ASSERT_GT(reader.kept_fds(), 0u);

  recreate(cg);
  reader.end_interval();
  // The caller's id is stale (as when nobody walked the tree since): the
  // kept descriptors fail with ENODEV and are reopened on the new cgroup.
  auto fresh = collect::make_cgroup_component(cg.path(), id);
  ASSERT_TRUE(reader.read(cg.path(), fresh));
  EXPECT_EQ(reader.recreated(), 1u);
  EXPECT_LT(fresh.value(MetricId::CgCpuUsage), old_usage / 2);
  EXPECT_GT(reader.kept_fds(), 0u);
}

TEST(CgroupKeptFilesIntegration, RemovedCgroupReadsAsGoneAndClosesItsFiles) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  auto reader = kept_reader();
  std::string path;
  {
    TestCgroup cg("gone");
    path = cg.path();
    auto c = collect::make_cgroup_component(path, inode_of(cg.dir()));
    ASSERT_TRUE(reader.read(path, c));
    ASSERT_GT(reader.kept_fds(), 0u);
  }  // removed here
  reader.end_interval();
  auto c = collect::make_cgroup_component(path, 1);
  EXPECT_FALSE(reader.read(path, c));
  EXPECT_EQ(reader.kept_fds(), 0u);
}

// The engine end to end: after a cgroup is recreated under the same path,
// its component carries the new cgroup's id and CPU usage, not the old one's.
TEST(CgroupKeptFilesIntegration, EngineReportsTheRecreatedCgroupWithItsNewId) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("engine-kept");
  engine::CollectorOptions o;
  o.interval = 500ms;
  o.probe_groups = {"sched"};
  engine::Collector collector(o);
  burn(cg, 0.6);
  const uint64_t old_id = inode_of(cg.dir());
  double old_usage = NAN;
  for (int i = 0; i < 6 && std::isnan(old_usage); ++i) {
    auto s = collector.next();
    if (const auto* c = s.find(ComponentKind::Cgroup, cg.path()); c && c->kernel_id == old_id)
      old_usage = c->value(MetricId::CgCpuUsage);
  }
  ASSERT_GT(old_usage, 0.3);

  recreate(cg);
  const uint64_t new_id = inode_of(cg.dir());
  ASSERT_NE(new_id, old_id);
  const auto recreated_at = std::chrono::steady_clock::now();
  Child busy("timeout 4 sh -c 'while :; do :; done'", &cg);
  bool seen = false;
  for (int i = 0; i < 8 && !seen; ++i) {
    auto s = collector.next();
    const auto* c = s.find(ComponentKind::Cgroup, cg.path());
    if (!c || c->kernel_id != new_id) continue;
    seen = true;
    // The new cgroup's own usage: at most one CPU for the time since it was
    // made (the old one's total would come on top of that).
    const double since =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - recreated_at).count();
    EXPECT_LE(c->value(MetricId::CgCpuUsage), since + 0.05);
    EXPECT_GE(c->delta(MetricId::CgCpuUsage), 0);  // no jump back from the old total
  }
  EXPECT_TRUE(seen) << "the recreated cgroup never showed with its new id";
  busy.wait(10s);
}

// A cgroup removed and made again under its path between two snapshots, the
// new one using more CPU than the old one had: the interval's delta is all of
// the new cgroup's usage, not its excess over the old cgroup's total (which
// was the baseline while the component kept the old id or the old totals).
TEST(CgroupKeptFilesIntegration, RecreatedCgroupDeltaIsTheNewCgroupsWholeUsage) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("engine-reuse");
  engine::CollectorOptions o;
  o.interval = 500ms;
  o.probe_groups = {"sched"};
  engine::Collector collector(o);
  burn(cg, 0.3);
  const uint64_t old_id = inode_of(cg.dir());
  double old_usage = NAN;
  for (int i = 0; i < 6 && std::isnan(old_usage); ++i) {
    auto s = collector.next();
    if (const auto* c = s.find(ComponentKind::Cgroup, cg.path()); c && c->kernel_id == old_id)
      old_usage = c->value(MetricId::CgCpuUsage);
  }
  ASSERT_GT(old_usage, 0.2);

  recreate(cg);
  burn(cg, old_usage + 0.4);  // past the old total, so the counter does not go backwards
  const uint64_t new_id = inode_of(cg.dir());
  const auto s = collector.next();
  const auto* c = s.find(ComponentKind::Cgroup, cg.path());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kernel_id, new_id);
  const double usage = c->value(MetricId::CgCpuUsage);
  ASSERT_GT(usage, old_usage + 0.3);
  // All of it was used since the last snapshot, which saw the old cgroup.
  EXPECT_NEAR(c->delta(MetricId::CgCpuUsage), usage, 0.01);
}

}  // namespace
}  // namespace kpulse::testing
