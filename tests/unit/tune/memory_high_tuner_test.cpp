// The memory.high tuner on fake cgroup trees: a reclaim stall and a thrashing
// page cache (refaults with no stall, as on a fast disk) each get a bounded
// step, judged by what triggered it; a cgroup that streams new data, refaults
// little or is below its limit is left alone; the closed loop keeps a step
// that stops the refaults and reverts one that does not.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tune/controller.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

namespace fs = std::filesystem;
using model::ComponentKind;
using model::MetricId;

constexpr double kMiB = 1048576;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}

// What one interval of the cgroup /kp looked like (rates per second).
struct Load {
  double charged = 64 * kMiB;
  double limit = 64 * kMiB;  // memory.high (v2) or limit_in_bytes (v1)
  double refault_bytes = 0;  // re-read evicted page cache
  double read_bytes = 0;     // all block reads; NaN = not known
  double stall = 0;          // PSI memory some, s/s
};

class MemoryHighTunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("kpulse-memhigh-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // cgroup2 alone, memory.high the knob.
  fs::path make_v2(const std::string& high) {
    fs::create_directories(root_ / "kp");
    std::ofstream(root_ / "cgroup.controllers") << "cpu memory\n";
    std::ofstream(root_ / "kp" / "memory.high") << high << "\n";
    v2_ = true;
    return root_ / "kp" / "memory.high";
  }
  // This host's layout: cgroup2 at unified/ without controllers, memory on
  // v1, where limit_in_bytes is the knob.
  fs::path make_hybrid(const std::string& limit) {
    fs::create_directories(root_ / "unified" / "kp");
    std::ofstream(root_ / "unified" / "cgroup.controllers") << "\n";
    fs::path v1 = root_ / "memory";
    fs::create_directories(v1 / "kp");
    std::ofstream(v1 / "tasks") << "";
    std::ofstream(v1 / "kp" / "memory.limit_in_bytes") << limit << "\n";
    v2_ = false;
    return v1 / "kp" / "memory.limit_in_bytes";
  }
  model::Snapshot snapshot(const Load& l) {
    model::Snapshot s;
    s.interval_s = 1;
    model::Component c;
    c.kind = ComponentKind::Cgroup;
    c.id = "/kp";
    c.parent = "/";
    c.set_gauge(MetricId::CgMemCurrent, l.charged);
    c.set_gauge(v2_ ? MetricId::CgMemHigh : MetricId::CgMemMax, l.limit);
    const double pages = l.refault_bytes / static_cast<double>(::sysconf(_SC_PAGESIZE));
    refaults_ += pages;
    c.set_counter(MetricId::CgMemRefaults, refaults_, pages);
    if (!std::isnan(l.read_bytes)) {
      reads_ += l.read_bytes;
      c.set_counter(MetricId::CgIoReadBytes, reads_, l.read_bytes);
    }
    stall_ += l.stall;
    c.set_counter(MetricId::PsiMemorySome, stall_, l.stall);
    s.components.push_back(c);
    return s;
  }
  std::vector<Proposal> propose(const Load& l, TunerOptions o = {}) {
    o.cgroup_root = root_.string();
    if (o.memory_high_max == 0) o.memory_high_max = 1024 * kMiB;
    history_.push_back(snapshot(l));
    TuneContext ctx{history_, o};
    return tuner_->propose(ctx);
  }
  static Load thrashing() {
    Load l;
    l.refault_bytes = 50 * kMiB;  // 78% of the charge per second
    l.read_bytes = 55 * kMiB;     // 91% of the reads are re-reads
    l.stall = 0.01;               // under the 5% stall trigger
    return l;
  }
  fs::path root_;
  bool v2_ = true;
  double refaults_ = 0, reads_ = 0, stall_ = 0;
  std::deque<model::Snapshot> history_;
  std::unique_ptr<Tuner> tuner_ = make_memory_high_tuner();
};

TEST_F(MemoryHighTunerTest, ThrashingWithoutAStallRaisesTheV1Limit) {
  make_hybrid("67108864");
  auto p = propose(thrashing());
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].scenario, "memory_high_thrashing");
  EXPECT_EQ(p[0].knob.kind, KnobKind::MemoryLimit);
  EXPECT_EQ(knob_path(p[0].knob, root_.string()),
            (root_ / "memory" / "kp" / "memory.limit_in_bytes").string());
  EXPECT_EQ(p[0].current_raw, "67108864");
  // Half the way to the workload's ceiling, 1.25 x (64 MiB charged + 50 MiB
  // re-read) = 142.5 MiB: 64 + 39.25 MiB.
  EXPECT_EQ(p[0].proposed_raw, "108265472");
  EXPECT_NE(p[0].evidence.find("re-reading evicted page cache at 50.0 MiB/s (78% of its "
                               "charge per second, 91% of its reads)"),
            std::string::npos)
      << p[0].evidence;
  // Judged by the refaults (lower is better), after the 39.25 MiB raise can
  // have refilled at 55 MiB/s: within one interval.
  EXPECT_FALSE(p[0].objective.higher_is_better);
  EXPECT_EQ(p[0].objective.name, "cgroup /kp page-cache refaults (pages/s)");
  EXPECT_DOUBLE_EQ(p[0].objective.sample(history_.back()),
                   50 * kMiB / static_cast<double>(::sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(p[0].settle_intervals, 1);
}

TEST_F(MemoryHighTunerTest, AStallKeepsTheStallObjectiveOnMemoryHigh) {
  make_v2("67108864");
  Load l;
  l.stall = 0.2;
  auto p = propose(l);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].scenario, "memory_high_stalls");
  EXPECT_EQ(p[0].knob.kind, KnobKind::MemoryHigh);
  // Stalls without refaults: the ceiling is twice the peak, +25% (160 MiB).
  EXPECT_EQ(p[0].proposed_raw, "117440512");
  EXPECT_EQ(p[0].objective.name, "cgroup /kp memory stall (s/s)");
  EXPECT_DOUBLE_EQ(p[0].objective.sample(history_.back()), 0.2);
  EXPECT_EQ(p[0].settle_intervals, 1);
}

TEST_F(MemoryHighTunerTest, RefaultsThatAreNotThrashingAreLeftAlone) {
  make_v2("67108864");
  Load l = thrashing();
  l.refault_bytes = 3 * kMiB;  // 4.7% of the charge per second: turns over in > 20 s
  l.read_bytes = 3 * kMiB;
  EXPECT_TRUE(propose(l).empty());
  l = thrashing();
  l.read_bytes = 120 * kMiB;  // re-reads are 42% of what it reads: mostly new data
  EXPECT_TRUE(propose(l).empty());
  l = thrashing();
  l.charged = l.limit = 8 * kMiB;
  l.refault_bytes = l.read_bytes = 0.9 * kMiB;  // 11% of the charge but under 1 MiB/s
  EXPECT_TRUE(propose(l).empty());
  l = thrashing();
  l.charged = 0.85 * l.limit;  // room left below the limit: the limit is not what evicts
  EXPECT_TRUE(propose(l).empty());
  // The boundary itself acts: exactly half of the reads, 5% of the charge.
  l = thrashing();
  l.refault_bytes = 0.05 * l.charged;
  l.read_bytes = 2 * l.refault_bytes;
  EXPECT_EQ(propose(l).size(), 1u);
}

TEST_F(MemoryHighTunerTest, WithoutAReadRateTheChargeAloneDecides) {
  make_v2("67108864");
  Load l = thrashing();
  l.read_bytes = std::nan("");
  auto p = propose(l);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].evidence.find("of its reads"), std::string::npos) << p[0].evidence;
  // Refilled at the refault rate alone: 39.25 MiB at 50 MiB/s.
  EXPECT_EQ(p[0].settle_intervals, 1);
  l.refault_bytes = 3 * kMiB;
  EXPECT_TRUE(propose(l).empty());
}

TEST_F(MemoryHighTunerTest, TheSettleWaitIsBoundedAndAtLeastOneInterval) {
  make_v2("67108864");
  Load l = thrashing();
  l.refault_bytes = l.read_bytes = 10 * kMiB;  // the 16 MiB minimum step at 10 MiB/s
  auto p = propose(l);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].settle_intervals, 2);
  TunerOptions o;
  o.memory_high_max = 80 * kMiB;  // a 16 MiB step at 50 MiB/s refills within one interval
  p = propose(thrashing(), o);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].proposed_raw, "83886080");
  EXPECT_EQ(p[0].settle_intervals, 1);
}

class MemoryHighLoopTest : public MemoryHighTunerTest {
 protected:
  // Three thrashing intervals open a trial; `after` is what the cgroup does
  // under the raised limit during the one settle interval and the evaluation.
  std::string run(const Load& after, const fs::path& f, Journal& j) {
    ControllerOptions co;
    co.baseline_window = 3;
    co.eval_window = 3;
    co.tuner.cgroup_root = root_.string();
    co.tuner.memory_high_max = 96 * kMiB;  // one 32 MiB step: settles in one interval
    std::vector<std::unique_ptr<Tuner>> t;
    t.push_back(make_memory_high_tuner());
    std::string log;
    Controller ctl(
        j, co, [&](const std::string& s) { log += s + "\n"; }, std::move(t));
    Load before = thrashing();
    before.refault_bytes += 1 * kMiB;  // a little noise in the baseline
    ctl.step(snapshot(before));
    ctl.step(snapshot(thrashing()));
    before.refault_bytes -= 2 * kMiB;
    ctl.step(snapshot(before));
    ctl.step(snapshot(thrashing()));
    EXPECT_EQ(ctl.running(), 1u) << log;
    EXPECT_EQ(slurp(f), "83886080") << log;  // 64 MiB + 32 / 2 MiB
    for (int i = 0; i < 4; ++i) ctl.step(snapshot(after));
    // A step that neither helps nor hurts walks on: the next one's trial.
    for (int i = 0; i < 4 && ctl.running() > 0; ++i) ctl.step(snapshot(after));
    EXPECT_EQ(ctl.running(), 0u) << log;
    return log;
  }
};

TEST_F(MemoryHighLoopTest, ARaiseThatStopsTheRefaultsIsKept) {
  fs::path f = make_hybrid("67108864");
  Journal j((root_ / "state").string());
  Load after = thrashing();
  after.charged = 80 * kMiB;
  after.limit = 80 * kMiB;
  after.refault_bytes = 0.5 * kMiB;  // served from memory now
  after.read_bytes = 0.5 * kMiB;
  std::string log = run(after, f, j);
  EXPECT_NE(log.find("trial scenario=memory_high_thrashing"), std::string::npos) << log;
  EXPECT_NE(log.find(" kept knob=cgroup.memory.limit_in_bytes@/kp"), std::string::npos) << log;
  EXPECT_EQ(slurp(f), "83886080");
  ASSERT_FALSE(j.load().empty());
  EXPECT_EQ(j.load().back().state, ChangeState::Kept);
}

// A file far larger than any limit: the refaults stay at every step. The
// first step (64 -> 80 MiB) neither helps nor hurts, so the limit walks on to
// the workload's ceiling (96 MiB); that one does not pay either, and every
// step goes back, newest first, to the value before kpulse began.
TEST_F(MemoryHighLoopTest, ARaiseThatLeavesTheRefaultsWalksToTheCeilingThenAllIsReverted) {
  fs::path f = make_hybrid("67108864");
  Journal j((root_ / "state").string());
  Load after = thrashing();
  after.charged = after.limit = 80 * kMiB;
  std::string log = run(after, f, j);
  EXPECT_NE(log.find(" no gain yet knob=cgroup.memory.limit_in_bytes@/kp 67108864 -> 83886080"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" reverted knob=cgroup.memory.limit_in_bytes@/kp 100663296 -> 83886080"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" reverted knob=cgroup.memory.limit_in_bytes@/kp 83886080 -> 67108864"),
            std::string::npos)
      << log;
  EXPECT_EQ(slurp(f), "67108864");
  EXPECT_EQ(j.load().back().state, ChangeState::Reverted);
}

// Scenario 5: a 192 MiB random reader refaulted as much under 128 MiB as under
// 64 and not at all under 256. The first step must not end the walk; the step
// that covers the working set keeps both.
TEST_F(MemoryHighLoopTest, AStepThatPaysOnlyOnceTheLimitCoversTheWorkingSetKeepsTheWalk) {
  fs::path f = make_hybrid("67108864");
  Journal j((root_ / "state").string());
  ControllerOptions co;
  co.baseline_window = 3;
  co.eval_window = 3;
  co.tuner.cgroup_root = root_.string();
  co.tuner.memory_high_max = 96 * kMiB;
  std::vector<std::unique_ptr<Tuner>> t;
  t.push_back(make_memory_high_tuner());
  std::string log;
  Controller ctl(
      j, co, [&](const std::string& s) { log += s + "\n"; }, std::move(t));
  for (int i = 0; i < 4; ++i) ctl.step(snapshot(thrashing()));
  ASSERT_EQ(slurp(f), "83886080") << log;
  Load partial = thrashing();  // 80 MiB: no better
  partial.charged = partial.limit = 80 * kMiB;
  for (int i = 0; i < 8 && slurp(f) == "83886080"; ++i) ctl.step(snapshot(partial));
  ASSERT_EQ(slurp(f), "100663296") << "the walk's second step" << log;
  Load covered = thrashing();  // 96 MiB holds it: served from memory
  covered.charged = covered.limit = 96 * kMiB;
  covered.refault_bytes = covered.read_bytes = 0.5 * kMiB;
  for (int i = 0; i < 8 && ctl.running() > 0; ++i) ctl.step(snapshot(covered));
  EXPECT_EQ(slurp(f), "100663296") << log;
  auto changes = j.load();
  ASSERT_GE(changes.size(), 2u);
  int kept = 0;
  for (const auto& c : changes) kept += c.state == ChangeState::Kept;
  EXPECT_EQ(kept, 2) << "both steps of the walk are kept" << log;
  EXPECT_EQ(log.find(" reverted knob="), std::string::npos) << log;
}

// The field case: 128 MiB thrashing on a 24 GiB host with no configured
// ceiling (so half the RAM, 12 GiB). One step once went to ~6 GiB; now the
// workload's ceiling and the knob's bound (at most double) decide.
TEST_F(MemoryHighTunerTest, ALimitAtMostDoublesPerStepTowardTheWorkloadsCeiling) {
  make_hybrid("134217728");
  Load l = thrashing();
  l.charged = l.limit = 128 * kMiB;
  l.refault_bytes = l.read_bytes = 100 * kMiB;
  TunerOptions o;
  o.cgroup_root = root_.string();
  for (int i = 0; i < 5; ++i) {
    auto s = snapshot(l);
    model::Component host;
    host.kind = ComponentKind::Host;
    host.id = "host";
    host.set_gauge(MetricId::MemTotal, 24576 * kMiB);
    host.set_gauge(MetricId::MemAvailable, 20480 * kMiB);
    s.components.push_back(host);
    history_.push_back(s);
  }
  TuneContext ctx{history_, o};
  auto p = tuner_->propose(ctx);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].proposed_raw, "268435456");  // 256 MiB, not ~6 GiB
  EXPECT_EQ(p[0].diagnosis, "memory limit pressure: page-cache refaults");
  // 128 MiB peak + 500 MiB re-read over 5 intervals, +25%: 785 MiB.
  EXPECT_NE(p[0].evidence.find("workload ceiling 785 MiB"), std::string::npos) << p[0].evidence;
  EXPECT_NE(p[0].expected_gain.find("MiB/s"), std::string::npos) << p[0].expected_gain;
}

}  // namespace
}  // namespace kpulse::tune
