// The memory.high tuner against a real thrashing page cache: a cgroup limited
// to 64 MiB reads a 192 MiB file at random, 4 KiB at a time (what
// bench/scenarios/05_memory_limit.sh measures), so most of its reads re-read
// pages its limit evicted moments ago. `kpulse tune --apply` must put the
// limit on trial, give the refault rate it read from memory.stat in its
// rationale, and write the original back when stopped.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
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
constexpr long kLimit = 64L << 20;

// A cgroup with a memory limit (memory.high on cgroup2, limit_in_bytes in the
// v1 memory hierarchy on hybrid hosts) and fio thrashing its page cache in it.
// Its processes, directories and the data file go on destruction.
class ThrashingCgroup {
 public:
  explicit ThrashingCgroup(const std::string& rel, long limit = kLimit) : rel_(rel) {
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
      dirs_ = {"/sys/fs/cgroup" + rel};
      knob_ = dirs_[0] + "/memory.high";
    } else {
      dirs_ = {"/sys/fs/cgroup/unified" + rel, "/sys/fs/cgroup/memory" + rel};
      knob_ = dirs_[1] + "/memory.limit_in_bytes";
    }
    for (auto& d : dirs_) fs::create_directory(d);
    std::ofstream(knob_) << limit;
    file_ = "/var/tmp/kpulse-mem-it-" + std::to_string(::getpid());
    // Written past the page cache, so every page is first read inside the cgroup.
    run("dd if=/dev/urandom of=" + file_ + " bs=1M count=192 oflag=direct status=none");
    std::string enter;
    for (auto& d : dirs_) enter += "echo $$ > " + d + "/cgroup.procs; ";
    load_ = std::make_unique<Child>(
        enter + "exec fio --name=thrash --filename=" + file_ +
            " --rw=randread --bs=4k --size=192M --norandommap --randrepeat=0 --time_based"
            " --runtime=300 --ioengine=psync --thread >/dev/null 2>&1",
        nullptr);
  }
  ~ThrashingCgroup() {
    // --thread: the job is a thread of this one process, so nothing else is left.
    ::kill(load_->pid(), SIGKILL);
    load_->wait(10s);
    for (auto& d : dirs_) {
      std::ifstream procs(d + "/cgroup.procs");
      for (pid_t p; procs >> p;) ::kill(p, SIGKILL);
    }
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it)
      for (int i = 0; i < 100 && ::rmdir(it->c_str()) != 0 && errno != ENOENT; ++i)
        std::this_thread::sleep_for(20ms);
    fs::remove(file_);
  }
  ThrashingCgroup(const ThrashingCgroup&) = delete;
  ThrashingCgroup& operator=(const ThrashingCgroup&) = delete;
  [[nodiscard]] std::string limit() const { return read_trimmed(knob_); }
  [[nodiscard]] const std::string& rel() const { return rel_; }

 private:
  std::string rel_, knob_, file_;
  std::vector<std::string> dirs_;
  std::unique_ptr<Child> load_;
};

class TuneMemoryTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("fio")) GTEST_SKIP() << "needs fio";
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers")
            ? read_trimmed("/sys/fs/cgroup/cgroup.subtree_control").find("memory") ==
                  std::string::npos
            : !fs::exists("/sys/fs/cgroup/memory/memory.stat"))
      GTEST_SKIP() << "needs the memory controller";
    make_state_dir("tune-mem");
  }
};

TEST_F(TuneMemoryTest, ThrashingCgroupGetsAHigherLimitForItsRefaultsThenTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ThrashingCgroup cg("/kp-tune-mem-" + std::to_string(::getpid()));
  const std::string log = state_ + "/log";
  // A long evaluation window: the step stays on trial until the test stops it.
  Child tuner("exec " + kBin + " tune --apply --state-dir " + state_ +
                  " --interval 0.5 --window 3 --eval-window 600 --tuners memory_high"
                  " --memory-high-max 1073741824 --scope '@" +
                  cg.rel() + "' >" + log + " 2>&1",
              nullptr);
  ASSERT_TRUE(wait_until([&] { return cg.limit() != std::to_string(kLimit); }, 90s))
      << read_trimmed(log);
  // Toward the workload's ceiling (its peak plus what it re-read, within the
  // 1 GiB bound), and one step at most doubles the limit: 64 -> at most 128 MiB.
  EXPECT_GT(std::stod(cg.limit()), double(kLimit));
  EXPECT_LE(std::stod(cg.limit()), 2.0 * kLimit);
  // The rationale gives the refault rate memory.stat showed: random reads of
  // three times the limit re-read evicted pages far above the 1 MiB/s floor.
  const std::string mark = "re-reading evicted page cache at ";
  EXPECT_TRUE(log_says("scenario=memory_high_"));
  const std::string text = read_trimmed(log);
  auto at = text.find(mark);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_GE(std::stod(text.substr(at + mark.size())), 1.0) << text;
  EXPECT_NE(text.find("scenario=memory_high_"), std::string::npos) << text;
  EXPECT_NE(read_trimmed(state_ + "/tune-journal.jsonl")
                .find("\"original\":\"" + std::to_string(kLimit) + "\""),
            std::string::npos);
  ::kill(tuner.pid(), SIGINT);
  EXPECT_EQ(tuner.wait(20s), 0) << read_trimmed(log);
  EXPECT_EQ(cg.limit(), std::to_string(kLimit)) << read_trimmed(log);
}

// The case from the field: 128 MiB thrashing, no --memory-high-max, so the
// configured ceiling is half the host's RAM. One step once went 128 MiB ->
// ~6 GiB; now it is bounded by the knob's step bound (at most double) and by
// a ceiling derived from the workload (its peak plus what it re-read).
TEST_F(TuneMemoryTest, ALimitGrowsAtMostDoubleInOneStepTowardTheWorkloadsCeiling) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  constexpr long kSmall = 128L << 20;
  ThrashingCgroup cg("/kp-tune-mem-step-" + std::to_string(::getpid()), kSmall);
  const std::string log = state_ + "/log";
  Child tuner("exec " + kBin + " tune --apply --state-dir " + state_ +
                  " --interval 0.5 --window 3 --eval-window 600 --tuners memory_high --scope '@" +
                  cg.rel() + "' >" + log + " 2>&1",
              nullptr);
  ASSERT_TRUE(wait_until([&] { return cg.limit() != std::to_string(kSmall); }, 90s))
      << read_trimmed(log);
  const double now = std::stod(cg.limit());
  EXPECT_GT(now, double(kSmall));
  EXPECT_LE(now, 2.0 * kSmall) << read_trimmed(log);
  EXPECT_NE(read_trimmed(log).find("workload ceiling"), std::string::npos) << read_trimmed(log);
  ::kill(tuner.pid(), SIGINT);
  EXPECT_EQ(tuner.wait(20s), 0) << read_trimmed(log);
  EXPECT_EQ(cg.limit(), std::to_string(kSmall)) << read_trimmed(log);
}

}  // namespace
}  // namespace kpulse::testing
