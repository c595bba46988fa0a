// The quota tuner on a fake cgroup tree: a cgroup throttled in most periods
// on a host with idle CPUs gets a raise whose evidence and expected gain are
// numbers, also where the cgroup has no usage figure (a v1 cgroup in the cpu
// hierarchy but not in cpuacct printed "using nan CPU", "nan -> ~nan").
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

namespace fs = std::filesystem;
using model::ComponentKind;
using model::MetricId;

class CpuQuotaTunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("kpulse-cpuq-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "q");
    std::ofstream(root_ / "q" / "cpu.max") << "10000 100000\n";  // 0.1 CPU
  }
  void TearDown() override { fs::remove_all(root_); }

  // /q throttled in 120 of 124 periods on a host 30% busy.
  std::vector<Proposal> propose(bool with_usage) {
    model::Snapshot s;
    s.interval_s = 1;
    model::Component host;
    host.kind = ComponentKind::Host;
    host.id = "host";
    host.set_gauge(MetricId::CpuUtilization, 0.3);
    s.components.push_back(host);
    model::Component q;
    q.kind = ComponentKind::Cgroup;
    q.id = "/q";
    q.parent = "/";
    q.set_gauge(MetricId::CgCpuQuota, 0.1);
    q.set_counter(MetricId::CgCpuPeriods, 124, 124);
    q.set_counter(MetricId::CgCpuThrottledPeriods, 120, 120);
    q.set_counter(MetricId::CgCpuThrottledTime, 3, 0.4);
    if (with_usage) q.set_gauge(MetricId::CpuUtilization, 0.1);
    s.components.push_back(q);
    std::deque<model::Snapshot> history{s};
    TunerOptions o;
    o.cgroup_root = root_.string();
    TuneContext ctx{history, o};
    return make_cpu_quota_tuner()->propose(ctx);
  }
  fs::path root_;
};

TEST_F(CpuQuotaTunerTest, ACgroupWithoutAUsageFigureIsTakenAtItsQuotaNotNan) {
  for (bool with_usage : {true, false}) {
    const auto p = propose(with_usage);
    ASSERT_EQ(p.size(), 1u) << with_usage;
    EXPECT_EQ(p[0].evidence.find("nan"), std::string::npos) << p[0].evidence;
    EXPECT_EQ(p[0].expected_gain.find("nan"), std::string::npos) << p[0].expected_gain;
    EXPECT_NE(p[0].evidence.find("using " + std::string(with_usage ? "" : "about ") + "0.10 CPU"),
              std::string::npos)
        << p[0].evidence;
  }
}

}  // namespace
}  // namespace kpulse::tune
