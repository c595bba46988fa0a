#include "collect/kept_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "temp_tree.h"

namespace kpulse::collect {
namespace {

TEST(KeptFile, RereadsTheSameDescriptorAndSeesNewContent) {
  testing::TempTree t;
  t.write("a", "first\n");
  FdBudget budget(4);
  KeptFile f;
  std::string out;
  ASSERT_TRUE(f.read(t.path("a"), out, budget));
  EXPECT_EQ(out, "first\n");
  EXPECT_TRUE(f.is_open());
  EXPECT_EQ(budget.used(), 1u);

  t.write("a", "second, longer than the first\n");  // same inode, truncated and rewritten
  bool reopened = false;
  ASSERT_TRUE(f.read(t.path("a"), out, budget, &reopened));
  EXPECT_EQ(out, "second, longer than the first\n");
  EXPECT_FALSE(reopened);
  EXPECT_EQ(budget.used(), 1u);

  t.write("a", "3\n");  // shorter: nothing of the old text may remain
  ASSERT_TRUE(f.read(t.path("a"), out, budget));
  EXPECT_EQ(out, "3\n");
}

TEST(KeptFile, ReadsFilesLargerThanOneBuffer) {
  testing::TempTree t;
  std::string big;
  for (int i = 0; i < 3000; ++i) big += "line " + std::to_string(i) + "\n";
  ASSERT_GT(big.size(), 3 * 4096u);
  t.write("big", big);
  FdBudget budget(1);
  KeptFile f;
  std::string out;
  ASSERT_TRUE(f.read(t.path("big"), out, budget));
  EXPECT_EQ(out, big);
  ASSERT_TRUE(f.read(t.path("big"), out, budget));  // again through the kept descriptor
  EXPECT_EQ(out, big);
}

TEST(KeptFile, OverBudgetStillReadsButKeepsNothing) {
  testing::TempTree t;
  t.write("a", "x\n");
  t.write("b", "y\n");
  FdBudget budget(1);
  KeptFile a, b;
  std::string out;
  ASSERT_TRUE(a.read(t.path("a"), out, budget));
  ASSERT_TRUE(b.read(t.path("b"), out, budget));
  EXPECT_EQ(out, "y\n");
  EXPECT_TRUE(a.is_open());
  EXPECT_FALSE(b.is_open());
  EXPECT_EQ(budget.used(), 1u);
  t.write("b", "z\n");
  ASSERT_TRUE(b.read(t.path("b"), out, budget));
  EXPECT_EQ(out, "z\n");

  a.close();  // gives its descriptor back: the next read may keep one
  EXPECT_EQ(budget.used(), 0u);
  ASSERT_TRUE(b.read(t.path("b"), out, budget));
  EXPECT_TRUE(b.is_open());
}

TEST(KeptFile, MissingFileReadsNothingAndHoldsNoBudget) {
  testing::TempTree t;
  FdBudget budget(2);
  KeptFile f;
  std::string out = "stale";
  EXPECT_FALSE(f.read(t.path("nope"), out, budget));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(f.is_open());
  EXPECT_EQ(budget.used(), 0u);
}

TEST(KeptFile, DestructionAndMoveKeepTheBudgetRight) {
  testing::TempTree t;
  t.write("a", "x\n");
  FdBudget budget(2);
  std::string out;
  {
    KeptFile f;
    ASSERT_TRUE(f.read(t.path("a"), out, budget));
    KeptFile g(std::move(f));
    // The moved-from state is what this checks.
    EXPECT_FALSE(f.is_open());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(g.is_open());
    EXPECT_EQ(budget.used(), 1u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(KeptFile, FdLimitIsRaisedToTheHardLimit) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  const size_t budget = raise_fd_limit_for_kept_files(100);
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, after.rlim_max);
  if (after.rlim_cur != RLIM_INFINITY) {
    EXPECT_EQ(budget, after.rlim_cur > 100 ? size_t(after.rlim_cur) - 100 : 0);
  }
  ::setrlimit(RLIMIT_NOFILE, &before);  // leave the test process as it was
}

}  // namespace
}  // namespace kpulse::collect
