// The cgroup roll-up: each cgroup's delta reaches every ancestor once per
// interval, totals only grow, and removed cgroups drop out. The tree is a
// real directory tree walked by the real resolver (ids are inode numbers).
#include "engine/cgroup_rollup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <vector>

#include "../collect/temp_tree.h"
#include "collect/cgroup_resolver.h"

namespace kpulse::engine {
namespace {

uint64_t inode_of(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

probes::CgroupTotals waited(uint64_t ns) {
  probes::CgroupTotals t;
  t.sched.runq_latency.sum_ns = ns;
  t.has_sched = true;
  return t;
}

// One interval: `deltas` are (cgroup id, own run-queue wait ns).
void interval(CgroupRollup& r, collect::CgroupResolver& cg,
              const std::vector<std::pair<uint64_t, uint64_t>>& deltas) {
  r.begin_interval();
  for (auto [id, ns] : deltas)
    if (auto* n = r.node_of(id, cg)) CgroupRollup::add(*n, waited(ns));
  r.end_interval();
}

uint64_t rolled(CgroupRollup& r, const std::string& path) {
  auto it = r.nodes().find(path);
  return it == r.nodes().end() ? ~uint64_t{0} : it->second.rolled.sched.runq_latency.sum_ns;
}
uint64_t this_interval(CgroupRollup& r, const std::string& path) {
  auto it = r.nodes().find(path);
  return it == r.nodes().end() ? ~uint64_t{0} : it->second.interval.sched.runq_latency.sum_ns;
}

TEST(CgroupRollup, DeltasReachEveryAncestorOnce) {
  collect::testing::TempTree t;
  t.mkdir("a/b/c");
  t.mkdir("a/d");
  t.mkdir("e");
  collect::CgroupResolver cg(t.root());
  CgroupRollup r;
  const uint64_t c = inode_of(t.path("a/b/c")), d = inode_of(t.path("a/d")),
                 a = inode_of(t.path("a")), e = inode_of(t.path("e"));
  interval(r, cg, {{c, 100}, {d, 10}, {a, 1}, {e, 1000}});
  EXPECT_EQ(this_interval(r, "/a/b/c"), 100u);
  EXPECT_EQ(this_interval(r, "/a/b"), 100u);  // never seen itself: created as an ancestor
  EXPECT_EQ(this_interval(r, "/a/d"), 10u);
  EXPECT_EQ(this_interval(r, "/a"), 111u);
  EXPECT_EQ(this_interval(r, "/e"), 1000u);
  EXPECT_EQ(this_interval(r, "/"), 1111u);
  EXPECT_EQ(rolled(r, "/"), 1111u);

  // Next interval: only d moved. Untouched nodes read 0 this interval and
  // keep their totals.
  interval(r, cg, {{d, 5}});
  EXPECT_EQ(this_interval(r, "/a/b/c"), 0u);
  EXPECT_EQ(this_interval(r, "/a/d"), 5u);
  EXPECT_EQ(this_interval(r, "/a"), 5u);
  EXPECT_EQ(this_interval(r, "/"), 5u);
  EXPECT_EQ(rolled(r, "/a/b/c"), 100u);
  EXPECT_EQ(rolled(r, "/a"), 116u);
  EXPECT_EQ(rolled(r, "/"), 1116u);

  // Components come out in path order (parents before children).
  std::vector<std::string> order;
  for (auto& [p, n] : r.nodes()) order.push_back(p);
  EXPECT_EQ(order, (std::vector<std::string>{"/", "/a", "/a/b", "/a/b/c", "/a/d", "/e"}));
}

TEST(CgroupRollup, RemovedCgroupsDropOutAndTotalsNeverGoBack) {
  collect::testing::TempTree t;
  t.mkdir("a/b");
  t.mkdir("a/c");
  collect::CgroupResolver cg(t.root(), {std::chrono::milliseconds(0), 100000});
  CgroupRollup r;
  const uint64_t b = inode_of(t.path("a/b")), c = inode_of(t.path("a/c"));
  interval(r, cg, {{b, 7}, {c, 3}});
  EXPECT_EQ(rolled(r, "/a"), 10u);

  // b removed: the resolver names it for one more walk, then it is unknown.
  std::filesystem::remove(t.path("a/b"));
  cg.refresh();
  cg.refresh();
  interval(r, cg, {{b, 1}, {c, 2}});
  EXPECT_EQ(this_interval(r, "/a"), 2u);  // b's late delta is not attributed
  EXPECT_EQ(rolled(r, "/a"), 12u);

  // The caller erases the node of a cgroup it found gone; the parent keeps
  // what the child contributed, and later intervals still roll up.
  r.erase(r.nodes().find("/a/b"));
  interval(r, cg, {{c, 4}});
  EXPECT_EQ(rolled(r, "/a"), 16u);
  EXPECT_EQ(rolled(r, "/"), 16u);
  EXPECT_EQ(r.nodes().count("/a/b"), 0u);
}

TEST(CgroupRollup, ARenameSeenByAWalkMovesLaterDeltas) {
  collect::testing::TempTree t;
  t.mkdir("old");
  t.mkdir("other");
  collect::CgroupResolver cg(t.root());
  CgroupRollup r;
  const uint64_t id = inode_of(t.path("old"));
  interval(r, cg, {{id, 1}});
  EXPECT_EQ(rolled(r, "/old"), 1u);
  std::filesystem::rename(t.path("old"), t.path("other/new"));
  cg.refresh();
  interval(r, cg, {{id, 2}});
  EXPECT_EQ(this_interval(r, "/other/new"), 2u);
  EXPECT_EQ(this_interval(r, "/other"), 2u);
  EXPECT_EQ(this_interval(r, "/old"), 0u);
}

}  // namespace
}  // namespace kpulse::engine
