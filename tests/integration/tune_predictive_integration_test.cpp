// Predictive memory scaling against the real kernel: a cgroup whose memory
// presses on its limit for 3 s of every 8 s. `kpulse tune --apply
// --predictive` must learn the period from what it collects, raise the
// limit (memory.high on cgroup2, memory.limit_in_bytes on v1) to the
// configured ceiling before a peak, lower it after, and leave the original
// in place when it stops.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "quota_cgroup.h"
#include "test_env.h"
#include "tune_state_test.h"

namespace kpulse::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;
constexpr long kLimit = 64L << 20, kCeiling = 256L << 20;

// A cgroup with a memory limit in whichever hierarchy holds the memory
// controller; removed (its processes killed) at the end.
class MemoryCgroup {
 public:
  explicit MemoryCgroup(const std::string& rel) : rel_(rel) {
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
      dirs_ = {"/sys/fs/cgroup" + rel};
      file_ = dirs_[0] + "/memory.high";
      std::ofstream("/sys/fs/cgroup/cgroup.subtree_control") << "+memory";
    } else {
      dirs_ = {"/sys/fs/cgroup/unified" + rel, "/sys/fs/cgroup/memory" + rel};
      file_ = dirs_[1] + "/memory.limit_in_bytes";
    }
    for (auto& d : dirs_) fs::create_directory(d);
    std::ofstream(file_) << kLimit;
    original_ = limit();
  }
  ~MemoryCgroup() {
    for (auto& d : dirs_)
      for (int i = 0; i < 50; ++i) {
        std::ifstream procs(d + "/cgroup.procs");
        bool any = false;
        for (pid_t p; procs >> p; any = true) ::kill(p, SIGKILL);
        if (!any) break;
        std::this_thread::sleep_for(20ms);
      }
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it)
      for (int i = 0; i < 100 && ::rmdir(it->c_str()) != 0 && errno != ENOENT; ++i)
        std::this_thread::sleep_for(20ms);
  }
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;
  [[nodiscard]] std::string enter() const {
    std::string s;
    for (auto& d : dirs_) s += "echo $$ > " + d + "/cgroup.procs; ";
    return s;
  }
  [[nodiscard]] std::string limit() const { return read_trimmed(file_); }
  [[nodiscard]] const std::string& original() const { return original_; }
  [[nodiscard]] const std::string& rel() const { return rel_; }

 private:
  std::string rel_, file_, original_;
  std::vector<std::string> dirs_;
};

class TunePredictiveTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
    make_state_dir("tune-pred");
  }
  [[nodiscard]] std::string log() const { return read_trimmed(state_ + "/log"); }
};

TEST_F(TunePredictiveTest, MemoryLimitRaisedAheadOfAForecastPeakThenPutBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  MemoryCgroup cg("/kp-tune-pred-" + std::to_string(::getpid()));
  ASSERT_EQ(cg.original(), std::to_string(kLimit));
  // 56 MiB kept touched for 3 s, starting on every multiple of 8 s of the
  // clock; near nothing in between.
  Child load(cg.enter() +
                 "while :; do sleep $(( 8 - $(date +%s) % 8 )); stress-ng --vm 1 --vm-bytes 56M "
                 "--vm-keep --timeout 3 >/dev/null 2>&1; done",
             nullptr);
  auto tuner = std::make_unique<Child>("exec " + kBin + " tune --apply --state-dir " + state_ +
                                           " --interval 1 --tuners none --memory-high-max " +
                                           std::to_string(kCeiling) + " --predictive '" + cg.rel() +
                                           "' >" + state_ + "/log 2>&1",
                                       nullptr);
  // Two periods to learn, then the raise comes before the next peak.
  ASSERT_TRUE(wait_until([&] { return cg.limit() == std::to_string(kCeiling); }, 90s)) << log();
  EXPECT_NE(log().find("scenario=predicted_memory_peak"), std::string::npos) << log();
  // Lowered once the peak is over, back to exactly the original.
  ASSERT_TRUE(wait_until([&] { return cg.limit() == cg.original(); }, 30s)) << log();
  EXPECT_NE(log().find("lower knob=cgroup.memory."), std::string::npos) << log();
  ::kill(tuner->pid(), SIGINT);
  EXPECT_EQ(tuner->wait(20s), 0) << log();
  tuner.reset();
  EXPECT_EQ(cg.limit(), cg.original());
  std::string status;
  run(kBin + " tune --status --json --state-dir " + state_, &status);
  EXPECT_EQ(status.substr(0, 2), "[]") << status;
}

}  // namespace
}  // namespace kpulse::testing
