#include "collect/text_file.h"

#include <gtest/gtest.h>

#include "collect/problems.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

TEST(TextFile, ReadsWholeFileLargerThanOneChunk) {
  testing::TempTree t;
  std::string big(10000, 'x');
  big += "end";
  t.write("big", big);
  std::string out;
  ASSERT_TRUE(read_file(t.path("big"), out));
  EXPECT_EQ(out, big);
}

TEST(TextFile, MissingFileIsNotAnError) {
  testing::TempTree t;
  std::string out = "stale";
  EXPECT_FALSE(read_file(t.path("nope"), out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(read_u64_file(t.path("nope")).has_value());
}

TEST(TextFile, ParsesNumbersStrictly) {
  EXPECT_EQ(parse_u64(" 42\n"), 42u);
  EXPECT_FALSE(parse_u64("42x").has_value());
  EXPECT_FALSE(parse_u64("-1").has_value());
  EXPECT_FALSE(parse_u64("").has_value());
  EXPECT_EQ(parse_i64("-1"), -1);
  EXPECT_DOUBLE_EQ(*parse_double("0.53"), 0.53);
}

TEST(TextFile, SplitsOnRunsOfWhitespace) {
  std::vector<std::string_view> f;
  split_ws("  8  0 sda\t1 ", f);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[2], "sda");
  EXPECT_EQ(f[3], "1");
}

TEST(TextFile, LineReaderCountsLinesAndHandlesMissingFinalNewline) {
  LineReader r("a\nb\nc");
  std::string_view l;
  std::vector<std::string> got;
  while (r.next(l)) got.emplace_back(l);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.line_no(), 3);
}

TEST(TextFile, JoinPathHandlesRootAndSlashes) {
  EXPECT_EQ(join_path("/sys/fs/cgroup/", "/a/b"), "/sys/fs/cgroup/a/b");
  EXPECT_EQ(join_path("/sys/fs/cgroup", "/"), "/sys/fs/cgroup");
  EXPECT_EQ(join_path("/x", "y"), "/x/y");
}

TEST(Problems, NamesFileAndLineAndCapsStorage) {
  Problems p;
  p.add("/proc/stat", 3, "bad cpu line");
  ASSERT_EQ(p.messages().size(), 1u);
  EXPECT_EQ(p.messages()[0], "/proc/stat:3: bad cpu line");
  for (size_t i = 0; i < Problems::kMaxMessages + 5; ++i) p.add("f", 1, "x");
  EXPECT_EQ(p.messages().size(), Problems::kMaxMessages);
  EXPECT_EQ(p.dropped(), 6u);
}

}  // namespace
}  // namespace kpulse::collect
