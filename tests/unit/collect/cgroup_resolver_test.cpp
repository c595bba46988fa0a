#include "collect/cgroup_resolver.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <cstring>
#include <map>
#include <vector>

#include "collect/cgroup_layout.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

uint64_t inode_of(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

TEST(CgroupPaths, ParentAndLeaf) {
  EXPECT_EQ(cgroup_parent("/a/b"), "/a");
  EXPECT_EQ(cgroup_parent("/a"), "/");
  EXPECT_EQ(cgroup_parent("/"), "");
  EXPECT_EQ(cgroup_leaf("/a/b.service"), "b.service");
  EXPECT_EQ(cgroup_leaf("/"), "/");
}

TEST(ListCgroups, WalksParentsBeforeChildrenAndSkipsFiles) {
  testing::TempTree t;
  t.mkdir("system.slice/ssh.service");
  t.mkdir("user.slice");
  t.write("system.slice/cgroup.procs", "1\n");
  auto all = list_cgroups(t.root());
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], (CgroupEntry{"/", inode_of(t.root())}));
  std::map<std::string, uint64_t> by_path;
  for (size_t i = 0; i < all.size(); ++i) {
    by_path[all[i].path] = all[i].id;
    if (all[i].path != "/") {
      // The parent was listed earlier.
      auto parent = cgroup_parent(all[i].path);
      EXPECT_TRUE(by_path.count(parent)) << all[i].path;
    }
  }
  EXPECT_EQ(by_path.at("/system.slice/ssh.service"), inode_of(t.path("system.slice/ssh.service")));
  EXPECT_EQ(by_path.at("/user.slice"), inode_of(t.path("user.slice")));
}

TEST(ListCgroups, StopsAtTheBound) {
  testing::TempTree t;
  for (int i = 0; i < 10; ++i) t.mkdir("c" + std::to_string(i));
  EXPECT_EQ(list_cgroups(t.root(), 4).size(), 4u);
  EXPECT_TRUE(list_cgroups(t.root(), 0).empty());
  EXPECT_TRUE(list_cgroups(t.path("missing")).empty());
}

TEST(CgroupResolver, ResolvesIdsAndRateLimitsWalksOnMiss) {
  testing::TempTree t;
  t.mkdir("a/b");
  CgroupResolver r(t.root(), {.min_walk_interval = std::chrono::hours(1)});
  const uint64_t ab = inode_of(t.path("a/b"));
  EXPECT_EQ(r.path(ab), "/a/b");
  EXPECT_EQ(r.path(inode_of(t.root())), "/");
  EXPECT_EQ(r.walks(), 1u);
  // A cgroup created after the walk is not found until the rate limit allows
  // another walk; the miss must not walk again.
  t.mkdir("a/c");
  const uint64_t ac = inode_of(t.path("a/c"));
  EXPECT_EQ(r.path(ac), std::nullopt);
  EXPECT_EQ(r.walks(), 1u);
  r.refresh();
  EXPECT_EQ(r.path(ac), "/a/c");
  EXPECT_EQ(r.id_of("/a/c"), ac);
  EXPECT_EQ(r.id_of("/"), inode_of(t.root()));
  EXPECT_EQ(r.id_of("/nope"), std::nullopt);
}

TEST(CgroupResolver, MissWalksAgainOnceTheIntervalPassed) {
  testing::TempTree t;
  CgroupResolver r(t.root(), {.min_walk_interval = std::chrono::milliseconds(0)});
  EXPECT_EQ(r.path(12345678), std::nullopt);
  t.mkdir("late");
  EXPECT_EQ(r.path(inode_of(t.path("late"))), "/late");
  EXPECT_EQ(r.walks(), 2u);
}

TEST(CgroupResolver, RemovedCgroupStillResolvesForOneMoreWalk) {
  testing::TempTree t;
  t.mkdir("gone");
  CgroupResolver r(t.root());
  const uint64_t id = inode_of(t.path("gone"));
  r.refresh();
  std::filesystem::remove(t.path("gone"));
  r.refresh();
  EXPECT_EQ(r.cached_path(id), "/gone");
  r.refresh();
  EXPECT_EQ(r.cached_path(id), std::nullopt);
}

// The cgroup id BPF sees is the kernfs node id, which the kernel also
// exposes as the cgroup directory's file handle (what systemd and bpftool
// use). Check the resolver agrees with it on a real cgroup.
uint64_t cgroup_id_from_handle(const std::string& path) {
  struct {
    file_handle fh;
    uint64_t id;
  } h = {};
  h.fh.handle_bytes = sizeof(uint64_t);
  int mount_id = 0;
  if (::name_to_handle_at(AT_FDCWD, path.c_str(), &h.fh, &mount_id, 0) != 0) return 0;
  uint64_t id = 0;
  std::memcpy(&id, h.fh.f_handle, sizeof id);
  return id;
}

class RealCgroup : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_ = detect_cgroup_layout();
    if (layout_.v2_root.empty()) GTEST_SKIP() << "no cgroup2 mount";
    rel_ = "/kpulse-collect-test-" + std::to_string(::getpid());
    dir_ = layout_.v2_root + rel_;
    if (::mkdir(dir_.c_str(), 0755) != 0)
      GTEST_SKIP() << "cannot create " << dir_ << " (not root?)";
    created_ = true;
  }
  void TearDown() override {
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) ::rmdir(it->c_str());
    if (created_) ::rmdir(dir_.c_str());
  }
  // Makes cgroup `name` under the test's cgroup (removed at the end); its id.
  uint64_t make_child(const std::string& name) {
    const std::string d = dir_ + "/" + name;
    if (::mkdir(d.c_str(), 0755) != 0) return 0;
    children_.push_back(d);
    return cgroup_id_from_handle(d);
  }
  CgroupLayout layout_;
  std::string rel_, dir_;
  std::vector<std::string> children_;  // in creation order
  bool created_ = false;
};

TEST_F(RealCgroup, ResolvesTheIdTheKernelReports) {
  const uint64_t id = cgroup_id_from_handle(dir_);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(id, inode_of(dir_));
  CgroupResolver r(layout_.v2_root, {.min_walk_interval = std::chrono::milliseconds(0)});
  EXPECT_EQ(r.path(id), rel_);
  EXPECT_EQ(r.id_of(rel_), id);
  EXPECT_EQ(r.path(cgroup_id_from_handle(layout_.v2_root)), "/");
}

// An id the last walk did not list costs no walk while inotify saw no cgroup
// made, removed or renamed since (the walk listed every cgroup there was):
// BPF naming a cgroup outside the tree walked it every interval. The
// resolver is rooted at the test's own cgroup, so no other process's cgroups
// change its tree.
constexpr uint64_t kNoSuchCgroup = ~uint64_t{0} - 1;

TEST_F(RealCgroup, AMissWalksOnlyAfterTheTreeChanged) {
  CgroupResolver r(dir_, {.min_walk_interval = std::chrono::milliseconds(0), .watch_tree = true});
  ASSERT_EQ(r.path(cgroup_id_from_handle(dir_)), "/");
  ASSERT_EQ(r.walks(), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.path(kNoSuchCgroup), std::nullopt);
  EXPECT_EQ(r.walks(), 1u) << "walked although nothing changed";

  // A cgroup made after the walk (and after the misses): its id is named.
  const uint64_t late = make_child("late");
  ASSERT_NE(late, 0u);
  EXPECT_EQ(r.path(late), "/late");
  EXPECT_EQ(r.walks(), 2u);
  EXPECT_EQ(r.path(kNoSuchCgroup), std::nullopt);
  EXPECT_EQ(r.walks(), 2u);
  // Made two levels down, under a directory the last walk did not watch.
  const uint64_t parent = make_child("p");
  const uint64_t deep = make_child("p/deep");
  ASSERT_NE(deep, 0u);
  EXPECT_EQ(r.path(deep), "/p/deep");
  EXPECT_EQ(r.path(parent), "/p");
  EXPECT_EQ(r.walks(), 3u);
}

TEST_F(RealCgroup, UnknownIdsOfAnIntervalWalkOnlyAfterTheTreeChanged) {
  CgroupResolver r(dir_, {.watch_tree = true});
  r.refresh_for_unknown_ids();
  EXPECT_EQ(r.walks(), 1u) << "the first walk";
  r.refresh_for_unknown_ids();
  EXPECT_EQ(r.walks(), 1u) << "walked although nothing changed";
  const uint64_t late = make_child("late");
  ASSERT_NE(late, 0u);
  EXPECT_FALSE(r.knows(late));
  // Not rate-limited (the walk 0 s ago does not hold it back): a task that
  // lived and died within the interval is named by its cgroup.
  r.refresh_for_unknown_ids();
  EXPECT_EQ(r.walks(), 2u);
  EXPECT_EQ(r.cached_path(late), "/late");
  // Removed: named one more walk (BPF may hold its last counts), then not,
  // and the removal itself was a change (one walk), not a walk per interval.
  ::rmdir(children_.back().c_str());
  children_.pop_back();
  r.refresh_for_unknown_ids();
  EXPECT_EQ(r.walks(), 3u);
  EXPECT_EQ(r.cached_path(late), "/late");
  r.refresh();
  EXPECT_EQ(r.cached_path(late), std::nullopt);
  r.refresh_for_unknown_ids();
  r.refresh_for_unknown_ids();
  EXPECT_EQ(r.walks(), 4u);
}

// The v1 walk on the real kernel (hybrid and v1 hosts): a cgroup made in one
// v1 hierarchy is listed in that hierarchy only, and gone after a walk once
// removed.
TEST(V1Tree, RealV1HierarchyListsACgroupMadeThere) {
  const CgroupLayout layout = detect_cgroup_layout();
  const std::string memory = layout.v1_dir("memory");
  if (memory.empty()) GTEST_SKIP() << "no v1 memory hierarchy";
  const std::string rel = "/kpulse-v1tree-test-" + std::to_string(::getpid());
  const std::string dir = memory + rel;
  if (::mkdir(dir.c_str(), 0755) != 0) GTEST_SKIP() << "cannot create " << dir;
  V1Tree tree;
  walk_v1_tree(layout, tree);
  EXPECT_TRUE(tree.complete);
  EXPECT_EQ(tree.holds(memory, rel), true);
  EXPECT_EQ(tree.holds(memory, "/"), true);
  for (const auto& [controller, hierarchy] : layout.v1) {
    if (hierarchy == memory) continue;
    EXPECT_EQ(tree.holds(hierarchy, rel), false) << hierarchy;
  }
  ::rmdir(dir.c_str());
  walk_v1_tree(layout, tree);
  EXPECT_EQ(tree.holds(memory, rel), false);
  EXPECT_EQ(tree.walk, 2u);
}

}  // namespace
}  // namespace kpulse::collect
