// Frame build and ncurses render with 1,000 table rows (issue target: under
// 5 ms per frame). The 10-row runs are the same-run baseline: the difference
// is what the table's size costs.
#include <cstdio>
#include <stdexcept>

#include <benchmark/benchmark.h>

#include "tests/support/synthetic_source.h"
#include "tui/frame_builder.h"
#include "tui/terminal.h"

namespace kpulse::tui {
namespace {

using synthetic::SyntheticOptions;
using synthetic::SyntheticSource;

constexpr int kWidth = 200, kHeight = 60;

// Two consecutive snapshots of a host with `rows` table rows (one cgroup per
// four processes), so successive frames differ like a live screen's do.
struct Fixture {
  explicit Fixture(int rows) {
    SyntheticOptions o;
    o.cpus = 16;
    o.cgroups = rows / 5;
    o.processes = rows - o.cgroups;
    SyntheticSource src(o);
    for (auto& s : snaps) {
      s = *src.next();
      history.add(s);
    }
  }
  FrameInput input(int i) {
    FrameInput in;
    in.snapshot = &snaps[i % 2];
    in.history = &history;
    in.source = "synthetic";
    in.glyphs = &unicode_glyphs();
    return in;
  }
  model::Snapshot snaps[2];
  History history;
};

void BM_FrameBuild(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  UiState ui;
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(build_frame(f.input(i++), ui, kWidth, kHeight));
  state.counters["rows"] = double(ui.row_count);
}

void BM_FrameBuildTree(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  UiState ui;
  ui.tree = true;
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(build_frame(f.input(i++), ui, kWidth, kHeight));
}

// Batch mode formats every row, not one screenful.
void BM_FrameBuildBatchAllRows(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  UiState ui;
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(build_frame(f.input(i++), ui, kWidth, 0).text());
}

// Build plus ncurses draw and update, written to /dev/null as an
// xterm-256color would receive it.
void BM_BuildAndRender(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  FILE* out = std::fopen("/dev/null", "w");
  FILE* in = std::fopen("/dev/null", "r");
  if (!out || !in) throw std::runtime_error("cannot open /dev/null");
  {
    TerminalOptions to;
    to.out = out;
    to.in = in;
    to.term = "xterm-256color";
    to.rows = kHeight;
    to.cols = kWidth;
    Terminal term(to);
    UiState ui;
    int i = 0;
    for (auto _ : state) term.draw(build_frame(f.input(i++), ui, kWidth, kHeight));
  }
  std::fclose(out);
  std::fclose(in);
}

// Once per interval, not per frame: the detail view's sparkline history.
void BM_HistoryAdd(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  History h;
  int i = 0;
  for (auto _ : state) h.add(f.snaps[i++ % 2]);
}

BENCHMARK(BM_HistoryAdd)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FrameBuild)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FrameBuildTree)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FrameBuildBatchAllRows)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildAndRender)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kpulse::tui
