// The writeback tuner reads the host's vm.dirty_* (read-only here) and acts
// only when writeback tuning is enabled; the controller still refuses to write
// the host-wide knobs without the opt-in. Nothing in this file writes them.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tune/controller.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

std::string host_value(const char* file) {
  std::ifstream f(file);
  std::string s;
  f >> s;
  return s;
}

// 3 GB dirty of 4 GB available, tasks stalled on I/O 60% of the time.
model::Snapshot stalled(double* psi_total) {
  model::Snapshot s;
  s.interval_s = 1;
  model::Component h;
  h.kind = ComponentKind::Host;
  h.id = "host";
  h.set_gauge(MetricId::MemDirty, 3e9);
  h.set_gauge(MetricId::MemWriteback, 0.1e9);
  h.set_gauge(MetricId::MemAvailable, 4e9);
  *psi_total += 0.6;
  h.set_counter(MetricId::PsiIoSome, *psi_total, 0.6);
  s.components.push_back(h);
  return s;
}

TEST(WritebackTuner, ProposesNothingUnlessEnabled) {
  double psi = 0;
  std::deque<model::Snapshot> hist{stalled(&psi)};
  TunerOptions o;
  auto t = make_writeback_tuner();
  EXPECT_TRUE(t->propose({hist, o}).empty());
  o.writeback = true;
  auto p = t->propose({hist, o});
  std::string bg = host_value("/proc/sys/vm/dirty_background_ratio");
  std::string dr = host_value("/proc/sys/vm/dirty_ratio");
  if (bg.empty() || dr.empty()) GTEST_SKIP() << "no /proc/sys/vm here";
  // 3.1 GB is over half of any dirty_ratio limit of 4 GB (at most 100%).
  // Already at the floor (5) and the ceiling (40): nothing left to do.
  if (std::stod(bg) <= 5 && std::stod(dr) >= 40) {
    EXPECT_TRUE(p.empty());
    return;
  }
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].scenario, "writeback_stalls");
  if (p[0].knob.kind == KnobKind::DirtyBackgroundRatio) {
    EXPECT_EQ(p[0].current_raw, bg);
    EXPECT_LT(std::stod(p[0].proposed_raw), std::stod(bg));
    EXPECT_LT(std::stod(p[0].proposed_raw), std::stod(dr));
  } else {
    EXPECT_EQ(p[0].knob.kind, KnobKind::DirtyRatio);
    EXPECT_EQ(p[0].current_raw, dr);
    EXPECT_GT(std::stod(p[0].proposed_raw), std::stod(dr));
  }
  EXPECT_TRUE(spec(p[0].knob.kind).host_wide);
}

TEST(WritebackTuner, TheControllerWritesNothingHostWideWithoutTheOptIn) {
  auto dir = std::filesystem::temp_directory_path() / ("kpulse-wb-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Journal j(dir.string());
  ControllerOptions co;
  co.baseline_window = 2;
  co.allow_host_wide = false;
  co.tuner.writeback = true;  // the tuner proposes; the controller must still refuse
  std::vector<std::unique_ptr<Tuner>> t;
  t.push_back(make_writeback_tuner());
  std::string log;
  Controller ctl(
      j, co, [&](const std::string& s) { log += s + "\n"; }, std::move(t));
  std::string before = host_value("/proc/sys/vm/dirty_background_ratio");
  double psi = 0;
  for (int i = 0; i < 5; ++i) ctl.step(stalled(&psi));
  EXPECT_EQ(ctl.running(), 0u) << log;
  EXPECT_TRUE(j.load().empty());
  EXPECT_EQ(host_value("/proc/sys/vm/dirty_background_ratio"), before);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kpulse::tune
