#include "tui/table.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/synthetic_source.h"
#include "tui/layout.h"

namespace kpulse::tui {
namespace {

using synthetic::SyntheticOptions;
using synthetic::SyntheticSource;

using model::ComponentKind;
using model::MetricId;

model::Component cgroup(std::string path, double cpu, double mem) {
  model::Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = path;
  c.name = path.substr(path.rfind('/') + 1);
  auto slash = path.rfind('/');
  c.parent = slash == 0 ? "" : path.substr(0, slash);
  if (!std::isnan(cpu)) c.set_gauge(MetricId::CpuUtilization, cpu);
  c.set_gauge(MetricId::CgMemCurrent, mem);
  return c;
}

model::Component process(std::string pid, std::string comm, std::string cg, double cpu) {
  model::Component p;
  p.kind = ComponentKind::Process;
  p.id = pid;
  p.name = comm;
  p.parent = cg;
  p.set_gauge(MetricId::CpuUtilization, cpu);
  return p;
}

model::Snapshot host() {
  model::Snapshot s;
  s.interval_s = 1;
  s.components = {cgroup("/system.slice", 0.5, 100),
                  cgroup("/system.slice/db.service", 0.4, 900),
                  cgroup("/system.slice/web.service", 0.1, 50),
                  cgroup("/user.slice", 0.9, 10),
                  cgroup("/idle.slice", NAN, 5),
                  process("42", "postgres", "/system.slice/db.service", 0.39),
                  process("7", "nginx", "/system.slice/web.service", 0.05)};
  model::Component cpu;
  cpu.kind = ComponentKind::Cpu;  // not a table row
  cpu.id = "cpu0";
  s.components.push_back(cpu);
  return s;
}

std::vector<std::string> ids(const std::vector<TableRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.component->id);
  return out;
}

TEST(Table, ListsOnlyCgroupsAndProcesses) {
  auto s = host();
  EXPECT_EQ(build_table(s, {}).size(), 7u);
}

TEST(Table, SortsByCpuDescendingWithAbsentValuesLast) {
  auto s = host();
  auto rows = ids(build_table(s, {ColumnId::CpuPct, true}));
  EXPECT_EQ(rows,
            (std::vector<std::string>{"/user.slice", "/system.slice", "/system.slice/db.service",
                                      "42", "/system.slice/web.service", "7", "/idle.slice"}));
  auto asc = ids(build_table(s, {ColumnId::CpuPct, false}));
  EXPECT_EQ(asc.front(), "7");
  EXPECT_EQ(asc.back(), "/idle.slice") << "absent metrics sort last in both directions";
}

TEST(Table, SortByAnotherColumnChangesTheOrder) {
  auto s = host();
  auto by_mem = ids(build_table(s, {ColumnId::Memory, true, "", false, false}));
  EXPECT_EQ(by_mem.front(), "/system.slice/db.service");
  auto by_name = ids(build_table(s, {ColumnId::Name, false, "", false, false}));
  EXPECT_EQ(by_name.front(), "/idle.slice");
}

TEST(Table, FilterHidesNonMatchingRowsCaseInsensitively) {
  auto s = host();
  auto rows = ids(build_table(s, {ColumnId::CpuPct, true, "DB"}));
  EXPECT_EQ(rows, (std::vector<std::string>{"/system.slice/db.service"}));
  EXPECT_TRUE(build_table(s, {ColumnId::CpuPct, true, "no-such-thing"}).empty());
}

TEST(Table, HidingProcessesLeavesCgroups) {
  auto s = host();
  for (const auto& r : build_table(s, {ColumnId::CpuPct, true, "", false, false}))
    EXPECT_EQ(r.component->kind, ComponentKind::Cgroup);
}

TEST(Table, TreePutsChildrenUnderParentsSortedAmongSiblings) {
  auto s = host();
  auto rows = build_table(s, {ColumnId::CpuPct, true, "", true});
  std::vector<std::pair<std::string, int>> got;
  for (const auto& r : rows) got.push_back({r.component->id, r.depth});
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{{"/user.slice", 0},
                                                           {"/system.slice", 0},
                                                           {"/system.slice/db.service", 1},
                                                           {"42", 2},
                                                           {"/system.slice/web.service", 1},
                                                           {"7", 2},
                                                           {"/idle.slice", 0}}));
}

TEST(Table, TreeLabelsIndentWithGuides) {
  auto s = host();
  auto rows = build_table(s, {ColumnId::CpuPct, true, "", true});
  const Glyphs& g = ascii_glyphs();
  EXPECT_EQ(row_label(rows[1], true, g), "system.slice");
  EXPECT_EQ(row_label(rows[2], true, g), "|-db.service");
  EXPECT_EQ(row_label(rows[3], true, g), "| `-postgres [42]");
  EXPECT_EQ(row_label(rows[4], true, g), "`-web.service");
  EXPECT_EQ(row_label(rows[5], true, g), "  `-nginx [7]");
  EXPECT_EQ(row_label(rows[2], false, g), "/system.slice/db.service");
}

TEST(Table, TreeFilterKeepsAncestorsAsContext) {
  auto s = host();
  auto rows = build_table(s, {ColumnId::CpuPct, true, "postgres", true});
  ASSERT_EQ(ids(rows),
            (std::vector<std::string>{"/system.slice", "/system.slice/db.service", "42"}));
  EXPECT_TRUE(rows[0].context_only);
  EXPECT_TRUE(rows[1].context_only);
  EXPECT_FALSE(rows[2].context_only);
}

TEST(Table, OrderIsStableForEqualValues) {
  model::Snapshot s;
  s.interval_s = 1;
  for (int i = 0; i < 20; ++i)
    s.components.push_back(cgroup("/c" + std::to_string(19 - i), 0.5, 1));
  auto a = ids(build_table(s, {}));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
}

TEST(Table, SyntheticHostTreeCoversEveryRow) {
  SyntheticOptions o;
  o.cgroups = 40;
  o.processes = 200;
  auto snap = SyntheticSource(o).at(3);
  auto flat = build_table(snap, {});
  auto tree = build_table(snap, {ColumnId::CpuPct, true, "", true});
  EXPECT_EQ(flat.size(), 240u);
  EXPECT_EQ(tree.size(), flat.size());
  int max_depth = 0;
  for (const auto& r : tree) max_depth = std::max(max_depth, r.depth);
  EXPECT_EQ(max_depth, 3);  // /user.slice/user-1000.slice/app-N.scope/<process>
}

}  // namespace
}  // namespace kpulse::tui
