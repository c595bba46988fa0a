// Predictive memory scaling against the real kernel: a cgroup whose memory
// presses on its limit for 3 s of every 8 s. `kpulse tune --apply
// --predictive` must learn the period from what it collects, raise the
// limit (memory.high on cgroup2, memory.limit_in_bytes on v1) to the
// configured ceiling before a peak, lower it after, and leave the original
// in place when it stops. And CPU bursts with a wandering period: the quota
// is lowered only once a burst's work is done.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  EXPECT_TRUE(log_says("scenario=predicted_memory_peak")) << log();
  // Lowered once the peak is over, back to exactly the original.
  ASSERT_TRUE(wait_until([&] { return cg.limit() == cg.original(); }, 30s)) << log();
  EXPECT_TRUE(log_says("lower knob=cgroup.memory.")) << log();
  ::kill(tuner->pid(), SIGINT);
  EXPECT_EQ(tuner->wait(20s), 0) << log();
  tuner.reset();
  EXPECT_EQ(cg.limit(), cg.original());
  std::string status;
  run(kBin + " tune --status --json --state-dir " + state_, &status);
  EXPECT_EQ(status.substr(0, 2), "[]") << status;
}

double thread_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Bursts of 0.6 CPU-seconds of work, ~5 s apart with the gaps wandering by
// up to 20%, under a 0.2 CPU quota: throttled a burst runs ~3 s, raised
// well under 1 s. The raise must come ahead of bursts and be lowered only
// once a burst's work is done, never because a predicted duration ran out
// (the field case: the quota lowered while the throttled burst still had
// seconds of work left).
TEST_F(TunePredictiveTest, ACpuRaiseIsLoweredOnlyOnceTheBurstsWorkIsDone) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  QuotaCgroup q("/kp-tune-pcpu-" + std::to_string(::getpid()), 20000);
  const std::string marks = state_ + "/bursts";
  Child load(
      [&] {
        if (!q.join()) return 126;
        const double gaps[] = {5, 6, 4.2, 5.5, 4.5, 5.8, 4.4, 5.2, 4.8, 5.6};
        auto next = std::chrono::steady_clock::now();
        std::ofstream out(marks);
        for (double g : gaps) {
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(g));
          std::this_thread::sleep_until(next);
          const int64_t t0 = wall_ns();
          const double start = thread_cpu_s();
          while (thread_cpu_s() - start < 0.6) {
          }
          out << t0 << " " << wall_ns() << std::endl;
        }
        return 0;
      },
      nullptr);
  auto tuner = std::make_unique<Child>("exec " + kBin + " tune --apply --state-dir " + state_ +
                                           " --interval 0.5 --tuners none --cpu-quota-max 1"
                                           " --predictive '" +
                                           q.rel() + "' >" + state_ + "/log 2>&1",
                                       nullptr);
  ASSERT_EQ(load.wait(std::chrono::seconds(150)), 0) << log();
  ::kill(tuner->pid(), SIGINT);
  EXPECT_EQ(tuner->wait(20s), 0) << log();
  tuner.reset();
  EXPECT_EQ(q.quota(), q.original()) << log();
  std::vector<std::pair<int64_t, int64_t>> bursts;
  std::ifstream in(marks);
  for (int64_t a = 0, b = 0; in >> a >> b;) bursts.emplace_back(a, b);
  ASSERT_EQ(bursts.size(), 10u);
  // Every lowering ("burst over") happened outside the bursts' work.
  int raises = 0, lowered = 0;
  std::istringstream journal(read_trimmed(state_ + "/tune-journal.jsonl"));
  for (std::string line; std::getline(journal, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["state"] == "on_trial") ++raises;
    if (j["state"] != "reverted" || j["why"].get<std::string>().rfind("burst over", 0) != 0)
      continue;
    ++lowered;
    const int64_t t = j["time_ns"].get<int64_t>();
    for (const auto& [a, b] : bursts)
      EXPECT_FALSE(t > a && t < b)
          << "lowered mid-burst at " << t << " in [" << a << ", " << b << "]\n"
          << log();
  }
  EXPECT_GE(raises, 2) << log();
  EXPECT_GE(lowered, 1) << log();
  EXPECT_EQ(log().find("lasting ~"), std::string::npos) << "no predicted durations" << log();
}

}  // namespace
}  // namespace kpulse::testing
