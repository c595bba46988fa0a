// The tuner's judgement against real cgroups (issue 28's field cases):
//  - three starved siblings of one hog get one share raise, not three that
//    cancel out;
//  - a cgroup throttled by its own quota is diagnosed as quota throttling,
//    not contention, and offered its quota, not shares;
//  - a quota raise on a saturated host that takes the CPU from a neighbour
//    is reverted by the neighbour guard even with --min-idle-cpu 0.
// The competing cgroups sit under a parent with a large share, so the load
// other people put on this shared host does not decide who gets the CPUs.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "quota_cgroup.h"
#include "test_env.h"
#include "tune_state_test.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;

class TuneJudgementTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
    make_state_dir("tune-judge");
    parent_ = "/kp-tune-j-" + std::to_string(::getpid());
    tool_ = std::make_unique<ShareCgroup>(parent_ + "-tool", 10000);
  }
  void TearDown() override {
    TuneStateTest::TearDown();
    tool_.reset();
  }
  // kpulse itself runs in a cgroup with as large a share as the workloads'
  // parent, or they would starve the tool measuring them.
  [[nodiscard]] std::string tool() const { return tool_->enter(); }
  // The dry-run plan over `samples` one-second snapshots.
  std::string plan(const std::string& args, int samples = 8) {
    std::string out;
    run(tool() + kBin + " tune --interval 1 --samples " + std::to_string(samples) + " " + args +
            " 2>&1",
        &out);
    return out;
  }
  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  std::string parent_;
  std::unique_ptr<ShareCgroup> tool_;
};

std::string share_knob() {
  return v2_cpu() ? "cgroup.cpu.weight@" : "cgroup.cpu.shares@";
}

TEST_F(TuneJudgementTest, ThreeStarvedSiblingsOfOneHogGetOneShareRaiseNotThree) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ShareCgroup p(parent_, 10000);
  ShareCgroup hog(parent_ + "/hog", 100);
  ShareCgroup a(parent_ + "/a", 10), b(parent_ + "/b", 10), c(parent_ + "/c", 10);
  Child lh(hog.enter() + "exec stress-ng --cpu 4 --timeout 60", nullptr);
  Child la(a.enter() + "exec stress-ng --cpu 1 --timeout 60", nullptr);
  Child lb(b.enter() + "exec stress-ng --cpu 1 --timeout 60", nullptr);
  Child lc(c.enter() + "exec stress-ng --cpu 1 --timeout 60", nullptr);
  std::string out = plan("--tuners cpu_weight --scope " + parent_ + "/");
  // Raising every sibling's share leaves their ratios where they were.
  EXPECT_EQ(count(out, "knob: " + share_knob() + parent_ + "/"), 1) << out;
  EXPECT_NE(out.find("diagnosis: contention with siblings"), std::string::npos) << out;
  // Shares of the whole host, not of "the CPUs cgroups use".
  EXPECT_NE(out.find("of the host's"), std::string::npos) << out;
  EXPECT_EQ(out.find("CPUs cgroups use"), std::string::npos) << out;
  // The expected gain is a number: the share of the parent before and after.
  EXPECT_TRUE(std::regex_search(out, std::regex("share of .* under contention [0-9]+% -> [0-9]+%")))
      << out;
  EXPECT_EQ(hog.share(), hog.original()) << "a dry run writes nothing";
}

TEST_F(TuneJudgementTest, ACgroupThrottledByItsQuotaIsOfferedItsQuotaNotShares) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ShareCgroup p(parent_, 10000);
  QuotaCgroup q(parent_ + "/q", 10000);  // 0.1 CPU
  ShareCgroup hog(parent_ + "/hog", 100);
  Child lq(q.enter() + "exec stress-ng --cpu 2 --timeout 60", nullptr);
  Child lh(hog.enter() + "exec stress-ng --cpu 4 --timeout 60", nullptr);
  std::string out = plan("--tuners cpu_quota,cpu_weight --min-idle-cpu 0 --scope " + q.rel());
  const std::string quota_knob = v2_cpu() ? "cgroup.cpu.max@" : "cgroup.cpu.cfs_quota_us@";
  EXPECT_NE(out.find("knob: " + quota_knob + q.rel()), std::string::npos) << out;
  EXPECT_NE(out.find("diagnosis: quota throttling"), std::string::npos) << out;
  EXPECT_EQ(out.find("knob: " + share_knob() + q.rel()), std::string::npos) << out;
  EXPECT_EQ(out.find("contention with siblings"), std::string::npos) << out;
  EXPECT_EQ(q.quota(), q.original());
}

TEST_F(TuneJudgementTest, AQuotaRaiseThatTakesTheCpuFromANeighbourIsReverted) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ShareCgroup p(parent_, 10000);
  QuotaCgroup x(parent_ + "/x", 20000);  // 0.2 CPU
  ShareCgroup neighbour(parent_ + "/n", 100);
  Child lx(x.enter() + "exec stress-ng --cpu 1 --timeout 90", nullptr);
  // Enough runnable threads that the host has nothing idle.
  Child ln(neighbour.enter() + "exec stress-ng --cpu 3 --timeout 90", nullptr);
  const std::string log = state_ + "/log";
  Child tuner(tool() + "exec " + kBin + " tune --apply --state-dir " + state_ +
                  " --interval 0.5 --window 4 --min-idle-cpu 0 --tuners cpu_quota --scope " +
                  x.rel() + " >" + log + " 2>&1",
              nullptr);
  ASSERT_TRUE(wait_until([&] { return slurp(log).find(" reverted ") != std::string::npos; }, 60s))
      << slurp(log);
  ::kill(tuner.pid(), SIGINT);
  EXPECT_EQ(tuner.wait(20s), 0) << slurp(log);
  const std::string text = slurp(log);
  // Judged on its own CPU wait, not on the CPU the quota hands it, and the
  // neighbour's loss on a host with nothing idle is not a gain to keep.
  EXPECT_EQ(text.find(" kept "), std::string::npos) << text;
  EXPECT_NE(text.find("CPU wait"), std::string::npos) << text;
  if (text.find("better beyond noise") == std::string::npos) {  // the objective improved
    EXPECT_NE(text.find("neighbour guard"), std::string::npos) << text;
  }
  EXPECT_EQ(x.quota(), x.original()) << text;
}

}  // namespace
}  // namespace kpulse::testing
