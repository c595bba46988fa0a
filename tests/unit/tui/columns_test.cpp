#include "tui/columns.h"

#include <cmath>
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "tui/layout.h"

namespace kpulse::tui {
namespace {

using model::MetricId;

int total_width(const std::vector<ColumnId>& cols, int name_w) {
  int w = name_w;
  for (ColumnId c : cols)
    if (c != ColumnId::Name) w += column(c).width + 1;
  return w;
}

TEST(FitColumns, At80ColumnsKeepsTheMostImportantAndFits) {
  for (int v = 1; v <= 5; ++v) {
    int name_w = 0;
    auto cols = fit_columns(View(v), 80, name_w);
    EXPECT_LE(total_width(cols, name_w), 80) << "view " << v;
    EXPECT_GE(name_w, 16) << "view " << v;
    EXPECT_EQ(cols.front(), ColumnId::Name);
  }
  int name_w = 0;
  auto cols = fit_columns(View::Overview, 80, name_w);
  std::set<ColumnId> got(cols.begin(), cols.end());
  EXPECT_TRUE(got.count(ColumnId::CpuPct));
  EXPECT_TRUE(got.count(ColumnId::Memory));
  EXPECT_TRUE(got.count(ColumnId::RunqP99));
  EXPECT_FALSE(got.count(ColumnId::Tasks));
  EXPECT_LT(cols.size(), view_columns(View::Overview).size()) << "80 columns cannot hold them all";
}

// Sorting by MLIM at 80 columns sorted by a column the table did not show.
TEST(FitColumns, TheSortColumnIsAlwaysShown) {
  int name_w = 0;
  auto plain = fit_columns(View::Overview, 80, name_w);
  ASSERT_EQ(std::count(plain.begin(), plain.end(), ColumnId::MemLimit), 0)
      << "MLIM is among the first dropped at 80 columns";
  auto sorted = fit_columns(View::Overview, 80, name_w, ColumnId::MemLimit);
  EXPECT_EQ(std::count(sorted.begin(), sorted.end(), ColumnId::MemLimit), 1);
  EXPECT_LE(total_width(sorted, name_w), 80);
  EXPECT_EQ(sorted.front(), ColumnId::Name);
}

TEST(FitColumns, At200ColumnsShowsEveryColumnInViewOrder) {
  int name_w = 0;
  auto cols = fit_columns(View::Overview, 200, name_w);
  auto all = view_columns(View::Overview);
  EXPECT_EQ(std::vector<ColumnId>(all.begin(), all.end()), cols);
  EXPECT_LE(total_width(cols, name_w), 200);
  EXPECT_GE(name_w, 40);
}

TEST(FitColumns, NarrowTerminalStillShowsNames) {
  int name_w = 0;
  auto cols = fit_columns(View::Overview, 30, name_w);
  EXPECT_LE(total_width(cols, name_w), 30);
  EXPECT_GE(name_w, 16);
}

TEST(Columns, SpecTableIsIndexedByColumnId) {
  for (int i = 0; i <= int(ColumnId::Tasks); ++i) EXPECT_EQ(int(column(ColumnId(i)).id), i);
}

TEST(Columns, HeadersAreUniqueWithinAView) {
  for (int v = 1; v <= 5; ++v) {
    std::set<std::string_view> seen;
    for (ColumnId c : view_columns(View(v))) EXPECT_TRUE(seen.insert(column(c).header).second);
  }
}

TEST(ColumnValue, CountersBecomePerSecondRates) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.set_counter(MetricId::BlkReadBytes, 1e9, 4e6);
  EXPECT_DOUBLE_EQ(column_value(ColumnId::IoBytes, c, 2.0), 2e6);
  EXPECT_TRUE(std::isnan(column_value(ColumnId::NetBytes, c, 2.0)));
  EXPECT_EQ(format_column(ColumnId::NetBytes, column_value(ColumnId::NetBytes, c, 2.0)), "-");
}

TEST(ColumnValue, IoBytesFallsBackToCgroupfsWithoutBpf) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.set_counter(MetricId::CgIoReadBytes, 1e9, 1024);
  c.set_counter(MetricId::CgIoWriteBytes, 1e9, 1024);
  EXPECT_DOUBLE_EQ(column_value(ColumnId::IoBytes, c, 1.0), 2048);
}

TEST(ColumnValue, RunQueueQuantilesComeFromTheIntervalsHistogram) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  model::HistogramSample h{MetricId::SchedRunqLatency, {}, {}};
  for (int i = 0; i < 90; ++i) h.delta.record(3'000);      // slot 11: [2048, 4096)
  for (int i = 0; i < 10; ++i) h.delta.record(5'000'000);  // 10% near 5 ms
  for (int i = 0; i < 1000; ++i) h.total.record(1);        // the cumulative total must be ignored
  c.histograms.push_back(h);
  double p50 = column_value(ColumnId::RunqP50, c, 1.0);
  double p99 = column_value(ColumnId::RunqP99, c, 1.0);
  EXPECT_GE(p50, 2048);
  EXPECT_LT(p50, 4096);
  EXPECT_GE(p99, double(1 << 22));  // inside the 5 ms slot [4.19 ms, 8.39 ms)
  EXPECT_LT(p99, double(1 << 23));
}

TEST(ColumnValue, MemoryAgainstTheLowestLimit) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.set_gauge(MetricId::CgMemCurrent, 900);
  c.set_gauge(MetricId::CgMemMax, 2000);
  EXPECT_DOUBLE_EQ(column_value(ColumnId::MemOfLimit, c, 1), 0.45);
  c.set_gauge(MetricId::CgMemHigh, 1000);
  EXPECT_DOUBLE_EQ(column_value(ColumnId::MemLimit, c, 1), 1000);
  EXPECT_DOUBLE_EQ(column_value(ColumnId::MemOfLimit, c, 1), 0.9);
  EXPECT_EQ(format_column(ColumnId::MemOfLimit, 0.9), "90.0%");
}

TEST(ColumnValue, ProcessMemoryIsRss) {
  model::Component p;
  p.kind = model::ComponentKind::Process;
  p.set_gauge(MetricId::ProcRss, 3 * 1024 * 1024);
  EXPECT_EQ(format_column(ColumnId::Memory, column_value(ColumnId::Memory, p, 1)), "3.0M");
}

}  // namespace
}  // namespace kpulse::tui
