// Predictive scaling on a fake cgroup tree: after two periods of peaks the
// CPU quota or memory.high is raised just before the next one and lowered
// after it, journaled.
#include "tune/predictive.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

namespace fs = std::filesystem;
using model::ComponentKind;
using model::MetricId;

constexpr double kMiB = 1048576;

class PredictiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpulse-pred-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cg" / "app");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& file, const std::string& v) {
    std::ofstream(dir_ / "cg" / "app" / file) << v;
  }
  std::string read(const std::string& file) {
    std::ifstream f(dir_ / "cg" / "app" / file);
    std::string v;
    std::getline(f, v);
    return v;
  }
  PredictiveOptions options() {
    PredictiveOptions o;
    o.scope = "/app";
    o.lead = 2;
    o.cgroup_root = (dir_ / "cg").string();
    return o;
  }
  // Runs `samples` snapshots of one cgroup built by `fill`; returns `file`'s
  // content after each.
  std::vector<std::string> run(PredictiveScaler& ps, int samples, const std::string& file,
                               const std::function<void(int, model::Component&)>& fill) {
    std::vector<std::string> seen;
    for (int i = 0; i < samples; ++i) {
      model::Snapshot s;
      s.interval_s = 1;
      model::Component c;
      c.kind = ComponentKind::Cgroup;
      c.id = "/app";
      fill(i, c);
      s.components.push_back(c);
      ps.step(s);
      seen.push_back(read(file));
    }
    return seen;
  }

  fs::path dir_;
  std::string log_;
  LogFn log_fn_ = [this](const std::string& s) { log_ += s + "\n"; };
};

TEST_F(PredictiveTest, RaisesTheQuotaAheadOfThePredictedBurstAndLowersAfter) {
  write("cpu.max", "20000 100000");
  Journal j((dir_ / "state").string());
  auto o = options();
  o.ceiling_cpus = 1.5;
  PredictiveScaler ps(j, o, log_fn_);
  double total = 0;
  // Bursts of 3 samples every 10 samples, starting at sample 2.
  auto seen = run(ps, 60, "cpu.max", [&](int i, model::Component& c) {
    double used = (i % 10 >= 2 && i % 10 < 5) ? 0.2 : 0.01;
    total += used;
    c.set_counter(MetricId::CgCpuUsage, total, used);
    c.set_gauge(MetricId::CgCpuQuota, 0.2);
  });
  // Raised before each predicted onset once two periods were seen, and
  // lowered again before the following quiet part ends.
  int raised_before_onset = 0;
  for (int i = 30; i < 60; ++i)
    if (i % 10 == 1 && seen[i] == "150000 100000") ++raised_before_onset;
  EXPECT_EQ(raised_before_onset, 3) << log_;
  for (int i = 30; i < 60; ++i)
    if (i % 10 == 8) EXPECT_EQ(seen[i], "20000 100000") << "sample " << i << "\n" << log_;
  ps.stop();
  EXPECT_EQ(read("cpu.max"), "20000 100000");
  auto changes = j.load();
  EXPECT_EQ(changes.size(), 3u);  // one per raise, each ended reverted
  for (const auto& c : changes) {
    EXPECT_EQ(c.state, ChangeState::Reverted) << c.id;
    EXPECT_EQ(c.scenario, "predicted_cpu_burst");
  }
}

// 40 MiB resident, pressing on the 64 MiB memory.high for samples 2-4 of
// every 10 (the peak is clipped at the limit, as the kernel does).
void memory_peaks(int i, model::Component& c, double high) {
  c.set_gauge(MetricId::CgMemCurrent, (i % 10 >= 2 && i % 10 < 5) ? 63.5 * kMiB : 40 * kMiB);
  c.set_gauge(MetricId::CgMemHigh, high);
}

TEST_F(PredictiveTest, RaisesMemoryHighToTheTunersCeilingAheadOfAPeakAndLowersAfter) {
  write("memory.high", std::to_string(long(64 * kMiB)));
  Journal j((dir_ / "state").string());
  auto o = options();
  o.cpu = false;
  o.tuner.memory_high_max = 256 * kMiB;  // --memory-high-max
  PredictiveScaler ps(j, o, log_fn_);
  auto seen = run(ps, 60, "memory.high",
                  [&](int i, model::Component& c) { memory_peaks(i, c, 64 * kMiB); });
  const std::string original = std::to_string(long(64 * kMiB));
  const std::string raised = std::to_string(long(256 * kMiB));
  int raised_before_onset = 0;
  for (int i = 30; i < 60; ++i) {
    if (i % 10 == 1 && seen[i] == raised) ++raised_before_onset;
    if (i % 10 == 8) EXPECT_EQ(seen[i], original) << "sample " << i << "\n" << log_;
  }
  EXPECT_EQ(raised_before_onset, 3) << log_;
  ps.stop();
  EXPECT_EQ(read("memory.high"), original);
  for (const auto& c : j.load()) {
    EXPECT_EQ(c.state, ChangeState::Reverted) << c.id;
    EXPECT_EQ(c.scenario, "predicted_memory_peak");
    EXPECT_EQ(c.knob.kind, KnobKind::MemoryHigh);
  }
}

TEST_F(PredictiveTest, WithoutAConfiguredCeilingMemoryMaxIsTheBound) {
  write("memory.high", std::to_string(long(64 * kMiB)));
  Journal j((dir_ / "state").string());
  auto o = options();
  o.cpu = false;
  PredictiveScaler ps(j, o, log_fn_);
  auto seen = run(ps, 40, "memory.high", [&](int i, model::Component& c) {
    memory_peaks(i, c, 64 * kMiB);
    c.set_gauge(MetricId::CgMemMax, 96 * kMiB);
  });
  EXPECT_EQ(seen[31], std::to_string(long(96 * kMiB))) << log_;
  ps.stop();
}

TEST_F(PredictiveTest, APeakWellInsideTheLimitIsLeftAlone) {
  const std::string high = std::to_string(long(1024 * kMiB));
  write("memory.high", high);
  Journal j((dir_ / "state").string());
  auto o = options();
  o.cpu = false;
  o.tuner.memory_high_max = 2048 * kMiB;
  PredictiveScaler ps(j, o, log_fn_);
  auto seen = run(ps, 60, "memory.high",
                  [&](int i, model::Component& c) { memory_peaks(i, c, 1024 * kMiB); });
  for (const auto& v : seen) EXPECT_EQ(v, high);
  EXPECT_TRUE(j.load().empty()) << log_;
}

TEST_F(PredictiveTest, MemoryThatStaysHighIsLoweredAPeriodAfterThePeak) {
  const std::string original = std::to_string(long(64 * kMiB));
  write("memory.high", original);
  Journal j((dir_ / "state").string());
  auto o = options();
  o.cpu = false;
  o.tuner.memory_high_max = 256 * kMiB;
  PredictiveScaler ps(j, o, log_fn_);
  // Periodic peaks until sample 31, then memory stays at the peak level.
  auto seen = run(ps, 60, "memory.high",
                  [&](int i, model::Component& c) { memory_peaks(i < 31 ? i : 3, c, 64 * kMiB); });
  EXPECT_EQ(seen[31], std::to_string(long(256 * kMiB))) << log_;
  EXPECT_EQ(seen.back(), original) << log_;
  EXPECT_NE(log_.find("memory still above"), std::string::npos) << log_;
}

}  // namespace
}  // namespace kpulse::tune
