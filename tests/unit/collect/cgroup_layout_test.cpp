#include "collect/cgroup_layout.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_tree.h"

namespace kpulse::collect {
namespace {

TEST(CgroupLayout, DetectsV2Only) {
  testing::TempTree t;
  t.write("cgroup.controllers", "cpu io memory pids\n");
  auto l = detect_cgroup_layout(t.root());
  EXPECT_EQ(l.mode, CgroupMode::V2);
  EXPECT_EQ(l.v2_root, t.root());
  EXPECT_TRUE(l.v1.empty());
  EXPECT_EQ(l.walk_root(), t.root());
}

TEST(CgroupLayout, DetectsHybrid) {
  testing::TempTree t;
  t.write("unified/cgroup.controllers", "\n");
  for (const char* c : {"cpu", "cpuacct", "memory", "pids", "blkio", "systemd"})
    t.write(std::string(c) + "/tasks", "1\n");
  auto l = detect_cgroup_layout(t.root());
  EXPECT_EQ(l.mode, CgroupMode::Hybrid);
  EXPECT_EQ(l.v2_root, t.path("unified"));
  EXPECT_EQ(l.v1_dir("memory"), t.path("memory"));
  EXPECT_EQ(l.v1_dir("cpuacct"), t.path("cpuacct"));
  EXPECT_EQ(l.v1_dir("name=systemd"), t.path("systemd"));
  EXPECT_EQ(l.v1_dir("freezer"), "");
  EXPECT_EQ(l.walk_root(), t.path("unified"));
}

TEST(CgroupLayout, DetectsV1WithCoMountedControllers) {
  testing::TempTree t;
  t.write("cpu,cpuacct/tasks", "1\n");
  std::filesystem::create_directory_symlink("cpu,cpuacct", t.path("cpu"));
  std::filesystem::create_directory_symlink("cpu,cpuacct", t.path("cpuacct"));
  t.write("memory/tasks", "1\n");
  t.mkdir("not-a-hierarchy");
  auto l = detect_cgroup_layout(t.root());
  EXPECT_EQ(l.mode, CgroupMode::V1);
  EXPECT_TRUE(l.v2_root.empty());
  // Either spelling works: the plain-name symlinks win over the co-mount dir.
  EXPECT_EQ(l.v1_dir("cpu"), t.path("cpu"));
  EXPECT_EQ(l.v1_dir("cpuacct"), t.path("cpuacct"));
  EXPECT_EQ(l.v1_dir("memory"), t.path("memory"));
  EXPECT_EQ(l.v1.count("not-a-hierarchy"), 0u);
  EXPECT_EQ(l.walk_root(), t.path("cpu"));
}

TEST(CgroupLayout, NothingMounted) {
  testing::TempTree t;
  EXPECT_EQ(detect_cgroup_layout(t.root()).mode, CgroupMode::None);
  EXPECT_EQ(detect_cgroup_layout(t.path("missing")).mode, CgroupMode::None);
}

TEST(CgroupLayout, RealMachineHasACgroup2Tree) {
  auto l = detect_cgroup_layout();
  EXPECT_NE(l.mode, CgroupMode::None);
  if (l.mode != CgroupMode::V1) {
    EXPECT_TRUE(std::filesystem::exists(l.v2_root + "/cgroup.controllers"));
  }
  if (l.mode == CgroupMode::Hybrid) {
    EXPECT_FALSE(l.v1_dir("memory").empty());
  }
}

}  // namespace
}  // namespace kpulse::collect
