// Predictive scaling on a fake cgroup tree: after two periods of bursts the
// quota is raised just before the next one and lowered after it, journaled.
#include "tune/predictive.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

namespace fs = std::filesystem;
using model::ComponentKind;
using model::MetricId;

TEST(Predictive, RaisesAheadOfThePredictedBurstAndLowersAfter) {
  fs::path dir = fs::temp_directory_path() / ("kpulse-pred-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "cg" / "app");
  std::ofstream(dir / "cg" / "app" / "cpu.max") << "20000 100000";
  auto quota = [&] {
    std::ifstream f(dir / "cg" / "app" / "cpu.max");
    std::string q;
    std::getline(f, q);
    return q;
  };
  Journal j((dir / "state").string());
  PredictiveOptions o;
  o.scope = "/app";
  o.ceiling_cpus = 1.5;
  o.lead = 2;
  o.cgroup_root = (dir / "cg").string();
  std::string log;
  PredictiveCpuScaler ps(j, o, [&](const std::string& s) { log += s + "\n"; });
  double total = 0;
  std::vector<std::string> seen;  // quota at each sample
  // Bursts of 3 samples every 10 samples, starting at sample 2.
  for (int i = 0; i < 60; ++i) {
    double used = (i % 10 >= 2 && i % 10 < 5) ? 0.2 : 0.01;
    model::Snapshot s;
    s.interval_s = 1;
    model::Component c;
    c.kind = ComponentKind::Cgroup;
    c.id = "/app";
    total += used;
    c.set_counter(MetricId::CgCpuUsage, total, used);
    c.set_gauge(MetricId::CgCpuQuota, 0.2);
    s.components.push_back(c);
    ps.step(s);
    seen.push_back(quota());
  }
  // Raised before each predicted onset once two periods were seen, and
  // lowered again before the following quiet part ends.
  int raised_before_onset = 0;
  for (int i = 30; i < 60; ++i)
    if (i % 10 == 1 && seen[i] == "150000 100000") ++raised_before_onset;
  EXPECT_GE(raised_before_onset, 2) << log;
  for (int i = 30; i < 60; ++i)
    if (i % 10 == 8) EXPECT_EQ(seen[i], "20000 100000") << "sample " << i << "\n" << log;
  ps.stop();
  EXPECT_EQ(quota(), "20000 100000");
  for (const auto& c : j.load()) EXPECT_EQ(c.state, ChangeState::Reverted) << c.id;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kpulse::tune
