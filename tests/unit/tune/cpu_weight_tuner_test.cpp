// The CPU-contention tuner on fake cgroup trees: cpu.weight on a cgroup2-only
// tree, cpu.shares on a hybrid one (cgroup2 at unified/, cpu on v1), the step
// toward the ceiling, and the closed loop journaling and putting back the
// original.
#include <unistd.h>

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

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}

model::Component cgroup(const std::string& id, const std::string& parent, double cpus) {
  model::Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = id;
  c.parent = parent;
  c.set_gauge(MetricId::CpuUtilization, cpus);
  return c;
}

// /kp/v waits `wait_ms` per wakeup while /kp/h uses 1.8 CPUs of a busy host.
model::Snapshot contention(double wait_ms, double* victim_total) {
  model::Snapshot s;
  s.interval_s = 1;
  model::Component host;
  host.kind = ComponentKind::Host;
  host.id = "host";
  host.set_gauge(MetricId::CpuUtilization, 1.0);
  s.components.push_back(host);
  s.components.push_back(cgroup("/kp", "/", 1.9));
  auto v = cgroup("/kp/v", "/kp", 0.1);
  model::HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  for (int i = 0; i < 100; ++i) h.delta.record(static_cast<uint64_t>(wait_ms * 1e6));
  h.total = h.delta;
  v.histograms.push_back(h);
  *victim_total += 0.1;
  v.set_counter(MetricId::CgCpuUsage, *victim_total, 0.1);
  s.components.push_back(v);
  s.components.push_back(cgroup("/kp/h", "/kp", 1.8));
  return s;
}

class CpuWeightTunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("kpulse-cpuw-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // cgroup2 alone, the cpu controller on it.
  fs::path make_v2() {
    fs::create_directories(root_ / "kp" / "v");
    fs::create_directories(root_ / "kp" / "h");
    std::ofstream(root_ / "cgroup.controllers") << "cpu memory\n";
    std::ofstream(root_ / "kp" / "v" / "cpu.weight") << "100\n";
    std::ofstream(root_ / "kp" / "h" / "cpu.weight") << "100\n";
    return root_ / "kp" / "v" / "cpu.weight";
  }
  // This host's layout: cgroup2 at unified/ without cpu, cpu on v1.
  fs::path make_hybrid() {
    fs::create_directories(root_ / "unified" / "kp" / "v");
    std::ofstream(root_ / "unified" / "cgroup.controllers") << "\n";
    fs::path v1 = root_ / "cpu,cpuacct";
    fs::create_directories(v1 / "kp" / "v");
    fs::create_directories(v1 / "kp" / "h");
    std::ofstream(v1 / "tasks") << "";
    std::ofstream(v1 / "kp" / "v" / "cpu.shares") << "1024\n";
    std::ofstream(v1 / "kp" / "h" / "cpu.shares") << "1024\n";
    return v1 / "kp" / "v" / "cpu.shares";
  }
  std::vector<Proposal> propose(double wait_ms, TunerOptions o = {}) {
    o.cgroup_root = root_.string();
    history_.push_back(contention(wait_ms, &total_));
    TuneContext ctx{history_, o};
    return tuner_->propose(ctx);
  }
  fs::path root_;
  std::deque<model::Snapshot> history_;
  double total_ = 0;
  std::unique_ptr<Tuner> tuner_ = make_cpu_weight_tuner();
};

TEST_F(CpuWeightTunerTest, RaisesTheVictimsCpuWeightOnCgroup2) {
  make_v2();
  auto p = propose(20);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].knob.kind, KnobKind::CpuWeight);
  EXPECT_EQ(p[0].knob.target, "/kp/v");
  EXPECT_EQ(p[0].current_raw, "100");
  EXPECT_EQ(p[0].proposed_raw, "200");  // toward 1000, at most double per step
  EXPECT_EQ(p[0].scenario, "cpu_contention");
  EXPECT_NE(p[0].evidence.find("/kp/h"), std::string::npos) << p[0].evidence;
}

TEST_F(CpuWeightTunerTest, UsesCpuSharesWhereTheCpuControllerIsOnV1) {
  make_hybrid();
  auto p = propose(20);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].knob.kind, KnobKind::CpuShares);
  EXPECT_EQ(knob_path(p[0].knob, root_.string()),
            (root_ / "cpu,cpuacct" / "kp" / "v" / "cpu.shares").string());
  EXPECT_EQ(p[0].proposed_raw, "2048");  // toward 10240, at most double per step
}

TEST_F(CpuWeightTunerTest, StepsAreBoundedAndStopAtTheCeiling) {
  fs::path f = make_v2();
  TunerOptions o;
  o.cpu_weight_max = 300;
  o.step_fraction = 0.25;
  EXPECT_EQ(propose(20, o)[0].proposed_raw, "150");  // 100 + 200 / 4
  std::ofstream(f) << "295\n";
  EXPECT_EQ(propose(20, o)[0].proposed_raw, "300");  // min step 10, capped at 300
  std::ofstream(f) << "300\n";
  EXPECT_TRUE(propose(20, o).empty());
  // A ceiling above the hard bound (10000) is clamped to it; one step at
  // most doubles the weight, whatever the step fraction.
  o.cpu_weight_max = 1e9;
  o.step_fraction = 1;
  std::ofstream(f) << "100\n";
  EXPECT_EQ(propose(20, o)[0].proposed_raw, "200");
  std::ofstream(f) << "9000\n";
  EXPECT_EQ(propose(20, o)[0].proposed_raw, "10000");
}

TEST_F(CpuWeightTunerTest, AVictimThrottledByItsOwnQuotaIsTheQuotasNotContention) {
  make_v2();
  history_.push_back(contention(20, &total_));
  for (auto& c : history_.back().components)
    if (c.id == "/kp/v") {
      c.set_gauge(MetricId::CgCpuQuota, 0.1);
      c.set_counter(MetricId::CgCpuPeriods, 124, 124);
      c.set_counter(MetricId::CgCpuThrottledPeriods, 120, 120);
    }
  TunerOptions o;
  o.cgroup_root = root_.string();
  TuneContext ctx{history_, o};
  EXPECT_TRUE(tuner_->propose(ctx).empty());
}

TEST_F(CpuWeightTunerTest, SharesAreOfTheWholeHostAndStateTheGainRelativeToTheSiblings) {
  make_v2();
  auto p = propose(20);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].diagnosis, "contention with siblings");
  EXPECT_NE(p[0].evidence.find("of the host's"), std::string::npos) << p[0].evidence;
  // /kp/v at 100 against /kp/h at 100: half of /kp, two thirds after 200.
  EXPECT_NE(p[0].expected_gain.find("under contention 50% -> 67%"), std::string::npos)
      << p[0].expected_gain;
}

TEST_F(CpuWeightTunerTest, ShortWaitsOrAnIdleHostAreNoContention) {
  make_v2();
  EXPECT_TRUE(propose(1).empty());  // 1 ms p99 under the 5 ms threshold
  history_.clear();
  history_.push_back(contention(20, &total_));
  for (auto& c : history_.back().components)
    if (c.kind == ComponentKind::Host) c.set_gauge(MetricId::CpuUtilization, 0.5);
  TunerOptions o;
  o.cgroup_root = root_.string();
  TuneContext ctx{history_, o};
  EXPECT_TRUE(tuner_->propose(ctx).empty());
}

TEST_F(CpuWeightTunerTest, TheLoopJournalsTheOriginalAndPutsItBack) {
  fs::path f = make_hybrid();
  Journal j((root_ / "state").string());
  ControllerOptions co;
  co.baseline_window = 3;
  co.eval_window = 50;
  co.tuner.cgroup_root = root_.string();
  std::vector<std::unique_ptr<Tuner>> t;
  t.push_back(make_cpu_weight_tuner());
  std::string log;
  Controller ctl(
      j, co, [&](const std::string& s) { log += s + "\n"; }, std::move(t));
  for (int i = 0; i < 4; ++i) ctl.step(contention(20, &total_));
  ASSERT_EQ(ctl.running(), 1u) << log;
  EXPECT_EQ(slurp(f), "2048");
  auto changes = j.load();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].original, "1024");
  EXPECT_EQ(changes[0].written, "2048");
  EXPECT_EQ(changes[0].state, ChangeState::OnTrial);
  EXPECT_EQ(changes[0].knob.id(), "cgroup.cpu.shares");
  ctl.abandon_trials("test over");
  EXPECT_EQ(slurp(f), "1024");
  EXPECT_EQ(j.load()[0].state, ChangeState::Reverted);
  // The hog's share is never touched.
  EXPECT_EQ(slurp(root_ / "cpu,cpuacct" / "kp" / "h" / "cpu.shares"), "1024");
}

}  // namespace
}  // namespace kpulse::tune
