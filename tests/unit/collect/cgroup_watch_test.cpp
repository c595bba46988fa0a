// The cgroup tree watch: a walk's directories are watched, so a cgroup made,
// removed or renamed anywhere in the tree makes the next walk due; without a
// change only the safety period does; out of watches it is blind (a walk is
// due on the caller's ordinary schedule).
#include "collect/cgroup_watch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "collect/cgroup_resolver.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

std::vector<CgroupEntry> walk(CgroupTreeWatch& w, const testing::TempTree& t) {
  w.begin_walk();
  return list_cgroups(t.root(), kMaxCgroups, &w);
}

TEST(CgroupTreeWatch, ChangesAnywhereInTheWalkedTreeAreReported) {
  testing::TempTree t;
  t.mkdir("system.slice/a.service");
  t.mkdir("user.slice");
  CgroupTreeWatch w;
  EXPECT_TRUE(w.walk_due(hours(1), hours(2))) << "never walked";
  walk(w, t);
  ASSERT_FALSE(w.blind());
  EXPECT_EQ(w.watches(), 4u);
  EXPECT_FALSE(w.changed());
  EXPECT_FALSE(w.walk_due(milliseconds(0), hours(1)));

  t.mkdir("system.slice/a.service/child");  // deep: its parent's watch reports it
  EXPECT_TRUE(w.walk_due(milliseconds(0), hours(1)));
  walk(w, t);
  EXPECT_FALSE(w.walk_due(milliseconds(0), hours(1)));

  std::filesystem::remove(t.path("system.slice/a.service/child"));
  EXPECT_TRUE(w.changed());
  EXPECT_FALSE(w.changed()) << "drained";
  std::filesystem::rename(t.path("user.slice"), t.path("user2.slice"));
  EXPECT_TRUE(w.changed());
  t.write("system.slice/cgroup.procs", "1\n");  // files are not cgroups
  EXPECT_FALSE(w.changed());
}

TEST(CgroupTreeWatch, AChangeWaitsForTheMinimumAgeAndIsNotForgotten) {
  testing::TempTree t;
  CgroupTreeWatch w;
  walk(w, t);
  t.mkdir("new");
  EXPECT_FALSE(w.walk_due(hours(1), hours(2)));  // too soon after the last walk
  EXPECT_FALSE(w.changed()) << "drained";
  EXPECT_TRUE(w.walk_due(milliseconds(0), hours(2))) << "the held-back change was lost";
}

TEST(CgroupTreeWatch, WithoutAChangeTheSafetyPeriodStillWalks) {
  testing::TempTree t;
  CgroupTreeWatch w;
  walk(w, t);
  EXPECT_FALSE(w.walk_due(milliseconds(0), hours(1)));
  EXPECT_TRUE(w.walk_due(milliseconds(0), milliseconds(0)));
}

TEST(CgroupTreeWatch, OutOfWatchesItIsBlindUntilAWalkFitsAgain) {
  testing::TempTree t;
  t.mkdir("a");
  t.mkdir("b");
  CgroupTreeWatch w(2);
  walk(w, t);  // three directories, two watches
  EXPECT_TRUE(w.blind());
  EXPECT_TRUE(w.changed());
  EXPECT_FALSE(w.walk_due(hours(1), hours(2))) << "blind: due on the ordinary schedule only";
  EXPECT_TRUE(w.walk_due(milliseconds(0), hours(2)));
  std::filesystem::remove(t.path("b"));
  walk(w, t);  // the removed directory's watch went with it
  EXPECT_FALSE(w.blind());
  EXPECT_FALSE(w.changed());
}

TEST(CgroupTreeWatch, ACutShortWalkLeavesItBlind) {
  testing::TempTree t;
  for (int i = 0; i < 5; ++i) t.mkdir("c" + std::to_string(i));
  CgroupTreeWatch w;
  w.begin_walk();
  list_cgroups(t.root(), 3, &w);
  EXPECT_TRUE(w.blind());
}

TEST(CgroupResolverWatch, WalksOnlyAfterAChange) {
  testing::TempTree t;
  t.mkdir("a");
  CgroupResolverOptions o;
  o.watch_tree = true;
  CgroupResolver r(t.root(), o);
  r.refresh_if_changed(milliseconds(0), hours(1));
  EXPECT_EQ(r.walks(), 1u);
  r.refresh_if_changed(milliseconds(0), hours(1));
  EXPECT_EQ(r.walks(), 1u) << "walked with nothing changed";
  t.mkdir("a/b");
  r.refresh_if_changed(milliseconds(0), hours(1));
  EXPECT_EQ(r.walks(), 2u);
  EXPECT_TRUE(r.cached_id("/a/b").has_value());
  std::filesystem::remove(t.path("a/b"));
  r.refresh_if_changed(milliseconds(0), hours(1));
  EXPECT_FALSE(r.cached_id("/a/b").has_value());
}

}  // namespace
}  // namespace kpulse::collect
