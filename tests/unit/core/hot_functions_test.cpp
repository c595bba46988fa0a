// The one-line answer to "where did this cgroup's CPU go".
#include <gtest/gtest.h>

#include "profile/hot_functions.h"

namespace kpulse::profile {
namespace {

StackSample at(const std::string& cgroup, const std::string& leaf, const std::string& module,
               uint64_t count) {
  StackSample s;
  s.cgroup = cgroup;
  s.count = count;
  s.frames = {{"main", "app", false}, {leaf, module, false}};
  return s;
}

TEST(HotFunctions, EachBusyCgroupNamesItsHottestInnermostFunction) {
  Profile p;
  p.samples = {at("/x", "compress_block", "libz.so.1", 62), at("/x", "crc32", "libz.so.1", 30),
               at("/x", "compress_block", "libz.so.1", 0), at("/y", "spin", "y", 5),
               at("/z", "wait", "z", 50)};
  auto hot = hot_functions(p, 2);
  ASSERT_EQ(hot.size(), 2u);  // the two busiest: /x, then /z
  EXPECT_EQ(hot[0].cgroup, "/x");
  EXPECT_EQ(hot[0].function, "compress_block");
  EXPECT_EQ(hot[0].module, "libz.so.1");
  EXPECT_EQ(hot[0].cgroup_samples, 92u);
  EXPECT_EQ(hot[1].cgroup, "/z");
  EXPECT_EQ(describe(hot[0]),
            "cgroup /x: 67% of its CPU in compress_block (libz.so.1), 62 of 92 samples");
  // Samples of stacks the recording did not keep still count in the share.
  std::map<std::string, uint64_t> totals{{"/x", 100}};
  hot = hot_functions(p, 1, &totals);
  EXPECT_DOUBLE_EQ(hot[0].share(), 0.62);
  auto stacks = top_stacks(p, "/x", 1);
  ASSERT_EQ(stacks.size(), 1u);
  EXPECT_EQ(stacks[0].count, 62u);
}

}  // namespace
}  // namespace kpulse::profile
