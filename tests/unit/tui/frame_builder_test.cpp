#include "tui/frame_builder.h"

#include <ctime>

#include <gtest/gtest.h>

#include "tests/support/synthetic_source.h"
#include "tui/format.h"
#include "tui/keys.h"

namespace kpulse::tui {
namespace {

using synthetic::SyntheticOptions;
using synthetic::SyntheticSource;

constexpr char kEllipsisAscii[] = "~";

class FrameBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SyntheticOptions o;
    o.cgroups = 12;
    o.processes = 30;
    SyntheticSource src(o);
    for (int i = 0; i < 5; ++i) {
      snap = *src.next();
      history.add(snap);
    }
    in.snapshot = &snap;
    in.history = &history;
    in.source = "synthetic";
    in.glyphs = &ascii_glyphs();
  }
  Frame build(int w, int h) { return build_frame(in, state, w, h); }
  int row_of(const Frame& f, std::string_view needle) {
    for (size_t i = 0; i < f.lines.size(); ++i)
      if (f.lines[i].text().find(needle) != std::string::npos) return int(i);
    return -1;
  }

  model::Snapshot snap;
  History history;
  FrameInput in;
  UiState state;
};

TEST_F(FrameBuilderTest, EveryViewAndModeFillsTheScreenExactlyWithoutOverflow) {
  for (auto [w, h] : {std::pair{80, 24}, std::pair{200, 50}, std::pair{40, 10}}) {
    for (int v = 1; v <= kViewCount; ++v) {
      for (Mode m : {Mode::Table, Mode::Help, Mode::Detail, Mode::SortMenu, Mode::FilterInput}) {
        state = {};
        state.view = View(v);
        state.mode = m;
        Frame f = build(w, h);
        ASSERT_EQ(int(f.lines.size()), h) << w << "x" << h << " view " << v;
        for (const auto& l : f.lines) EXPECT_LE(l.width(), w) << l.text();
      }
    }
  }
}

// Any user names their processes: an escape sequence, a newline or a C1
// control (U+009B, CSI) in a name reached root's terminal raw.
TEST_F(FrameBuilderTest, ControlCharactersInANameAreShownAsQuestionMarks) {
  for (auto& c : snap.components)
    if (c.kind == model::ComponentKind::Process) c.name = "evil\x1b[31m\nname\xc2\x9b";
  Frame f = build(200, 50);
  EXPECT_GE(row_of(f, "evil?[31m?name?"), 0) << f.text();
  for (const auto& l : f.lines) {
    const std::string t = l.text();
    EXPECT_EQ(t.find_first_of("\x1b\n\x7f"), std::string::npos) << t;
    EXPECT_EQ(t.find("\xc2\x9b"), std::string::npos) << t;
  }
}

TEST(Printable, KeepsTextAndUtf8AndReplacesEachControlCharacterOnce) {
  EXPECT_EQ(printable("nginx: worker"), "nginx: worker");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe4\xb8\xad"), "caf\xc3\xa9 \xe4\xb8\xad");
  EXPECT_EQ(printable("a\tb\x7f\xc2\x85"
                      "c\xc2"),
            "a?b??c\xc2");  // a lone C2 is no control
}

TEST_F(FrameBuilderTest, HeaderShowsHostSourceLoadAndAgentCost) {
  Frame f = build(120, 30);
  std::string head = f.lines[0].text();
  EXPECT_NE(head.find("synthetic-host"), std::string::npos);
  EXPECT_NE(head.find("[synthetic]"), std::string::npos);
  EXPECT_NE(head.find("load "), std::string::npos);
  EXPECT_NE(head.find("1 Overview"), std::string::npos);
  EXPECT_NE(head.find("alerts -"), std::string::npos) << "no analytics: unknown, not zero";
  EXPECT_GE(row_of(f, "cpu3"), 1);
  EXPECT_GE(row_of(f, "Mem"), 1);
  EXPECT_GE(row_of(f, "PSI cpu"), 1);
  EXPECT_GE(row_of(f, "kpulse cpu"), 1);
}

TEST_F(FrameBuilderTest, NarrowTitleDropsClockAndUptimeBeforeLoadAndAlerts) {
  std::string wide = build(160, 30).lines[0].text();
  EXPECT_NE(wide.find("  up "), std::string::npos);
  std::string narrow = build(80, 24).lines[0].text();
  EXPECT_EQ(narrow.find("  up "), std::string::npos) << narrow;
  EXPECT_NE(narrow.find("load "), std::string::npos) << narrow;
  EXPECT_NE(narrow.find("alerts -"), std::string::npos) << narrow;
  EXPECT_EQ(narrow.find(kEllipsisAscii), std::string::npos) << "dropped whole, not cut";
}

TEST_F(FrameBuilderTest, LiveSourceIsNotLabelled) {
  in.source = "live";
  EXPECT_EQ(build(120, 30).lines[0].text().find("[live]"), std::string::npos);
}

TEST_F(FrameBuilderTest, AlertsCountAndList) {
  AnalysisView analysis;
  analysis.alerts = {{"critical", "cgroup:/system.slice/db.service", "run-queue p99 5ms", 0}};
  in.analysis = &analysis;
  state.view = View::Alerts;
  Frame f = build(100, 24);
  EXPECT_NE(f.lines[0].text().find("alerts 1"), std::string::npos);
  EXPECT_GE(row_of(f, "run-queue p99 5ms"), 0);
  in.analysis = nullptr;
  EXPECT_GE(row_of(build(100, 24), "no data yet"), 0);
  state.view = View::Forecasts;
  EXPECT_GE(row_of(build(100, 24), "no data yet"), 0);
}

TEST_F(FrameBuilderTest, AlertsViewListsTheTunersChangesInForce) {
  AnalysisView analysis;
  in.analysis = &analysis;
  state.view = View::Alerts;
  EXPECT_EQ(row_of(build(120, 24), "Tuning"), -1) << "no section without changes";
  analysis.tuning = {{"cgroup:/app cpu.max", "kept 20000 100000 -> 60000 100000  cpu_throttled"}};
  Frame f = build(120, 24);
  EXPECT_GE(row_of(f, "no active alerts"), 0);
  const int title = row_of(f, "Tuning: changes in force");
  ASSERT_GE(title, 0);
  EXPECT_GT(row_of(f, "kept 20000 100000 -> 60000"), title);
}

TEST_F(FrameBuilderTest, ForecastsViewListsEachWithItsLimitAndTrend) {
  AnalysisView analysis;
  analysis.forecast_status = "collecting history: 12 of 60 samples";
  in.analysis = &analysis;
  state.view = View::Forecasts;
  EXPECT_GE(row_of(build(160, 24), "collecting history: 12 of 60"), 0);

  ForecastItem mem;
  mem.component = "cgroup:/app.slice";
  mem.metric = "cgroup.memory.current";
  mem.now = "3.1 GiB";
  mem.peak = "3.9 GiB Tue 14:00 UTC";
  mem.runs_out = "memory.max in 4 d 2 h";
  mem.exhausts = true;
  mem.horizon = "7 d";
  for (int i = 0; i < 168; ++i) mem.point.push_back(3.1 + i * 0.005);
  analysis.forecasts = {mem};
  Frame f = build(160, 24);
  const int row = row_of(f, "cgroup:/app.slice");
  ASSERT_GE(row, 0);
  const std::string line = f.lines[size_t(row)].text();
  EXPECT_NE(line.find("memory.max in 4 d 2 h"), std::string::npos) << line;
  EXPECT_NE(line.find("3.1 GiB"), std::string::npos) << line;
  EXPECT_LE(display_width(line), 160);
  // A rising forecast: the sparkline ends higher than it starts.
  const std::string low(ascii_glyphs().spark[1]), high(ascii_glyphs().spark.back());
  EXPECT_LT(line.find(low), line.rfind(high)) << line;
  EXPECT_EQ(row_of(f, "collecting history"), -1);

  // Narrow terminals drop the sparkline, not the figures.
  const std::string narrow = build(120, 24).lines[size_t(row)].text();
  EXPECT_NE(narrow.find("memory.max in 4 d 2 h"), std::string::npos) << narrow;
  EXPECT_LE(display_width(narrow), 120);
}

TEST_F(FrameBuilderTest, DetailShowsThePatternForecastAndRecommendationOfThatComponent) {
  state.sort = ColumnId::Name;
  state.descending = false;
  state.show_processes = false;
  build(120, 60);  // the cursor lands on the first cgroup by name: /system.slice
  const model::Component* cg = snap.find(model::ComponentKind::Cgroup, "/system.slice");
  ASSERT_NE(cg, nullptr);
  AnalysisView analysis;
  analysis.patterns = {{cg->key(), "cpu-bound (90%): 1.8 CPUs"}, {"cgroup:/other", "idle"}};
  ForecastItem f;
  f.component = cg->key();
  f.summary = "memory.max (2 GiB) reached in 3 h";
  f.band = "in 7 d: 2.5 GiB (80% 2.2 GiB to 2.8 GiB, 95% 2.0 GiB to 3.0 GiB)";
  f.point = {1.0, 1.5, 2.0, 2.5};
  f.exhausts = true;
  analysis.forecasts = {f};
  analysis.recommendations = {{cg->key(), "cpu.weight 100 -> 400 (70%)"}};
  in.analysis = &analysis;
  state.mode = Mode::Detail;
  Frame frame = build(120, 60);
  EXPECT_GE(row_of(frame, "cpu-bound (90%)"), 0);
  EXPECT_EQ(row_of(frame, "idle"), -1);
  EXPECT_GE(row_of(frame, "reached in 3 h"), 0);
  EXPECT_GT(row_of(frame, "(80% 2.2 GiB to 2.8 GiB, 95%"), row_of(frame, "reached in 3 h"));
  EXPECT_GE(row_of(frame, "cpu.weight 100 -> 400"), 0);
  EXPECT_EQ(row_of(frame, "not connected"), -1);
}

TEST_F(FrameBuilderTest, ViewSectionsShowTheirTables) {
  state.view = View::Cpu;
  EXPECT_GE(row_of(build(120, 40), "run-queue latency"), 0);
  state.view = View::Disks;
  Frame disks = build(120, 40);
  EXPECT_GE(row_of(disks, "DEVICE"), 0);
  EXPECT_GE(row_of(disks, "nvme0n1"), 0);
  state.view = View::Network;
  Frame net = build(120, 40);
  EXPECT_GE(row_of(net, "IFACE"), 0);
  EXPECT_GE(row_of(net, "TCP retx"), 0);
  EXPECT_GE(row_of(net, "listen 0.0.0.0:80"), 0);
  state.view = View::Memory;
  Frame mem = build(120, 40);
  EXPECT_GE(row_of(mem, "RAM total"), 0);
  EXPECT_GE(row_of(mem, "HIGH"), 0);
}

// At 120 columns the replay header dropped the time (the clock went first).
TEST_F(FrameBuilderTest, ReplayHeaderKeepsTheRecordedTimeAt120Columns) {
  in.source = "replay /var/lib/kpulse/a-rather-long-directory-name/recordings (1m)";
  for (int w : {120, 80}) {
    Frame f = build(w, 40);
    const std::string title = f.lines[0].text();
    EXPECT_NE(title.find("[replay"), std::string::npos) << title;
    std::time_t t = static_cast<std::time_t>(snap.time_ns / 1'000'000'000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    EXPECT_NE(title.find(when), std::string::npos) << w << ": " << title;
    EXPECT_LE(display_width(title), w) << title;
  }
}

TEST_F(FrameBuilderTest, HelpListsEveryKeyFromTheKeyTable) {
  state.mode = Mode::Help;
  Frame f = build(200, 60);
  std::string all = f.text();
  for (const auto& b : key_table()) {
    EXPECT_NE(all.find(std::string(b.label)), std::string::npos) << b.label;
    EXPECT_NE(all.find(std::string(b.help)), std::string::npos) << b.help;
  }
}

TEST_F(FrameBuilderTest, HelpAt80x24UsesColumnsToShowEveryKey) {
  state.mode = Mode::Help;
  Frame f = build(80, 24);
  for (const auto& b : key_table()) EXPECT_GE(row_of(f, std::string(b.label) + " "), 0) << b.label;
}

TEST_F(FrameBuilderTest, SortMenuKeepsTheHighlightedEntryVisibleAt80x24) {
  handle_key(state, key::f(6));
  handle_key(state, key::kUp);  // CPU% -> NAME
  handle_key(state, key::kUp);  // wraps to the last column
  Frame f = build(80, 24);
  const std::string last(column(view_columns(View::Overview).back()).header);
  int row = row_of(f, "  " + last + " ");
  ASSERT_GE(row, 0) << f.text();
  EXPECT_EQ(f.lines[size_t(row)].fill, Style::Selected);
}

TEST_F(FrameBuilderTest, SortedColumnIsMarkedAndSortChangesTheFirstRow) {
  Frame by_cpu = build(120, 30);
  int head = row_of(by_cpu, "NAME");
  ASSERT_GT(head, 0);
  std::string first_cpu = by_cpu.lines[size_t(head) + 1].text();
  bool marked = false;
  for (const auto& sp : by_cpu.lines[size_t(head)].spans)
    if (sp.style == Style::SortedHeader) marked = sp.text.find("CPU%") != std::string::npos;
  EXPECT_TRUE(marked);
  handle_key(state, 'M');
  Frame by_mem = build(120, 30);
  EXPECT_NE(by_mem.lines[size_t(head + 1)].text(), first_cpu);
}

TEST_F(FrameBuilderTest, FilterHidesRowsAndTreeIndents) {
  state.filter = "nginx";
  Frame f = build(120, 40);
  EXPECT_EQ(row_of(f, "postgres ["), -1);
  EXPECT_GE(row_of(f, "nginx ["), 0);
  state.filter.clear();
  state.tree = true;
  Frame t = build(120, 60);
  int parent = row_of(t, "system.slice ");
  ASSERT_GE(parent, 0);
  EXPECT_GE(row_of(t, "|-svc-"), 0);
}

TEST_F(FrameBuilderTest, CursorIsClampedAndHighlighted) {
  state.cursor = 10'000;
  Frame f = build(100, 24);
  EXPECT_EQ(state.cursor, state.row_count - 1);
  bool selected = false;
  for (const auto& l : f.lines) selected |= l.fill == Style::Selected;
  EXPECT_TRUE(selected) << "the table scrolls so the cursor row is visible";
}

TEST_F(FrameBuilderTest, FollowKeepsTheSameComponentAcrossResorts) {
  build(100, 24);
  state.cursor = 3;
  build(100, 24);
  const std::string followed = state.cursor_key;
  state.follow = true;
  handle_key(state, 'M');
  build(100, 24);
  EXPECT_EQ(state.cursor_key, followed);
  state.follow = false;
  handle_key(state, 'P');
  state.cursor = 3;
  build(100, 24);
  EXPECT_EQ(state.cursor, 3);
}

TEST_F(FrameBuilderTest, DetailShowsSparklinesLimitsAndHistograms) {
  state.sort = ColumnId::Name;
  state.descending = false;
  state.show_processes = false;
  build(120, 60);  // sets cursor_key to the first cgroup by name: /system.slice
  state.mode = Mode::Detail;
  Frame f = build(120, 60);
  EXPECT_GE(row_of(f, "Detail: cgroup /system.slice"), 0);
  EXPECT_GE(row_of(f, "limits cpu quota"), 0);
  EXPECT_GE(row_of(f, "cpu.utilization"), 0);
  EXPECT_GE(row_of(f, "sched.runq_latency  n="), 0);
}

TEST_F(FrameBuilderTest, BatchFrameHasEveryRowAndNoStatusBar) {
  Frame f = build_frame(in, state, 160, 0);
  int rows = 0;
  for (const auto& l : f.lines)
    if (l.text().find(" [10") != std::string::npos) ++rows;  // processes have pids 1000..1029
  EXPECT_EQ(rows, 30);
  EXPECT_EQ(row_of(f, "Help"), -1);
}

TEST_F(FrameBuilderTest, StatusBarDropsHintsBeforeTheStateSummary) {
  state.filter = "a";
  state.tree = true;
  for (int w : {60, 80, 120}) {
    std::string bar = build(w, 24).lines.back().text();
    EXPECT_NE(bar.find("rows"), std::string::npos) << w << ": " << bar;
    EXPECT_NE(bar.find("Help"), std::string::npos) << w << ": " << bar;
    EXPECT_LT(display_width(bar), w) << "the bottom-right cell stays free";
  }
  EXPECT_EQ(build(60, 24).lines.back().text().find("Detail"), std::string::npos);
  EXPECT_NE(build(120, 24).lines.back().text().find("Detail"), std::string::npos);
}

TEST_F(FrameBuilderTest, WaitingScreenBeforeTheFirstSnapshot) {
  in.snapshot = nullptr;
  Frame f = build(80, 24);
  EXPECT_EQ(f.lines.size(), 24u);
  EXPECT_GE(row_of(f, "waiting for the first snapshot"), 0);
}

TEST_F(FrameBuilderTest, UnicodeGlyphsKeepWidths) {
  in.glyphs = &unicode_glyphs();
  state.tree = true;
  Frame f = build(80, 24);
  for (const auto& l : f.lines) EXPECT_LE(display_width(l.text()), 80);
  EXPECT_NE(f.text().find("├─"), std::string::npos);
}

TEST_F(FrameBuilderTest, ProfileViewSaysLiveTopRecordsNoStacks) {
  state.view = View::Profile;
  Frame f = build(120, 30);
  EXPECT_NE(f.lines[0].text().find("8 CPU profile"), std::string::npos);
  EXPECT_GE(row_of(f, "no recorded stacks"), 1);
}

TEST_F(FrameBuilderTest, ProfileViewListsTheSelectedCgroupFirstWithItsStacks) {
  ProfileView p;
  p.window = "stacks recorded 12:03:00 to 12:04:00 UTC: 1 profiling window";
  p.cgroups = {{"/busy",
                "cgroup /busy: 70% of its CPU in spin (app), 70 of 100 samples",
                {{" 70%", "app;main;spin"}, {" 30%", "app;main;copy"}}},
               {"/db",
                "cgroup /db: 90% of its CPU in compress_block (libz.so.1), 9 of 10 samples",
                {{" 90%", "db;main;loop;handle_request;serialize;compress_block"}}}};
  in.profile = &p;
  state.view = View::Profile;
  state.cursor_key = "cgroup:/db";  // selected in a table view before pressing 8
  Frame f = build(120, 30);
  const int db = row_of(f, "cgroup /db: 90%");
  const int busy = row_of(f, "cgroup /busy: 70%");
  ASSERT_GE(db, 1);
  ASSERT_GE(busy, 1);
  EXPECT_LT(db, busy);
  EXPECT_EQ(row_of(f, "db;main;loop"), db + 1);
  EXPECT_EQ(row_of(f, "app;main;spin"), busy + 1);
  EXPECT_GE(row_of(f, "12:03:00 to 12:04:00"), 1);
  // A narrow screen keeps the leaf end of a stack, the function that ran.
  Frame narrow = build(40, 30);
  const int stack = row_of(narrow, "serialize;compress_block");
  ASSERT_GE(stack, 1);
  EXPECT_EQ(narrow.lines[size_t(stack)].text().find("db;main"), std::string::npos);
  EXPECT_NE(narrow.lines[size_t(stack)].text().find(" 90%"), std::string::npos) << "share kept";
}

}  // namespace
}  // namespace kpulse::tui
