// The newer tuners against the real kernel: each test builds the scenario
// (a SYN backlog below somaxconn with overflowing listeners in a namespace, a
// saturated loop device queue, a cgroup starved of CPU by a sibling, a busy
// namespace whose TCP maximum exceeds net.core.rmem_max), lets `kpulse tune
// --apply` put the knob on trial, stops it and checks the original is back.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
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

class TuneKnobsTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    make_state_dir("tune-knobs");
  }
  // `kpulse tune --apply` with a long evaluation window: the first change
  // stays on trial until the test stops it.
  std::unique_ptr<Child> start_tuner(const std::string& tuners, const std::string& scope,
                                     const std::string& extra = "",
                                     const std::string& prefix = "") {
    return std::make_unique<Child>(prefix + "exec " + kBin + " tune --apply --state-dir " + state_ +
                                       " --interval 0.5 --window 3 --eval-window 600 --tuners " +
                                       tuners + " --scope '" + scope + "' " + extra + " >" + log() +
                                       " 2>&1",
                                   nullptr);
  }
  // SIGINT: the step still on trial is unproven, so kpulse writes the original back.
  void stop_tuner(std::unique_ptr<Child>& t) {
    ::kill(t->pid(), SIGINT);
    EXPECT_EQ(t->wait(20s), 0) << read_trimmed(log());
    t.reset();
  }
  [[nodiscard]] std::string log() const { return state_ + "/log"; }
  [[nodiscard]] std::string journal() const { return read_trimmed(state_ + "/tune-journal.jsonl"); }
};

// Inside `netns`: a listener that never accepts (its backlog capped by
// somaxconn) and a client opening connections every few milliseconds, so the
// accept queue stays full and SYNs overflow every interval.
class OverflowingListener {
 public:
  explicit OverflowingListener(const std::string& netns) {
    thread_ = std::thread([this, netns] {
      int ns = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) return;
      ::close(ns);
      int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(18911);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l, 4096) != 0)
        return;
      ready_ = true;
      std::deque<int> clients;
      while (!stop_) {
        for (int i = 0; i < 10; ++i) {
          int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
          (void)::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);  // in progress
          clients.push_back(c);
        }
        // A bounded number of open clients: fds are limited, and the oldest
        // have either filled the queue already or been dropped.
        while (clients.size() > 600) {
          ::close(clients.front());
          clients.pop_front();
        }
        std::this_thread::sleep_for(20ms);
      }
      for (int c : clients) ::close(c);
      ::close(l);
    });
  }
  ~OverflowingListener() {
    stop_ = true;
    thread_.join();
  }
  [[nodiscard]] bool ready() const { return ready_; }

 private:
  std::atomic<bool> stop_{false}, ready_{false};
  std::thread thread_;
};

std::string ns_read(const VethNamespace& ns, const std::string& file) {
  std::string out;
  ns.exec("cat " + file, &out);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

std::string inode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "0";
  return std::to_string(st.st_ino);
}

TEST_F(TuneKnobsTest, SynBacklogFollowsSomaxconnInTheListenersNamespaceAndIsRestored) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  VethNamespace ns("kpsyn", "10.213.11.1", "10.213.11.2");
  std::string host_syn = read_trimmed("/proc/sys/net/ipv4/tcp_max_syn_backlog");
  ASSERT_EQ(ns.exec("sysctl -qw net.core.somaxconn=256 net.ipv4.tcp_max_syn_backlog=128"), 0);
  OverflowingListener load(ns.name());
  ASSERT_TRUE(wait_until([&] { return load.ready(); }, 5s));
  std::string key = "net.ipv4.tcp_max_syn_backlog@netns:" + inode_of("/var/run/netns/" + ns.name());
  auto tuner = start_tuner("syn_backlog", key);
  ASSERT_TRUE(wait_until(
      [&] { return ns_read(ns, "/proc/sys/net/ipv4/tcp_max_syn_backlog") != "128"; }, 90s))
      << read_trimmed(log());
  // One bounded step toward somaxconn: 128 + max(half the distance, 128) = 256.
  EXPECT_EQ(ns_read(ns, "/proc/sys/net/ipv4/tcp_max_syn_backlog"), "256");
  std::string j = journal();
  EXPECT_NE(j.find("\"original\":\"128\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"on_trial\""), std::string::npos) << j;
  EXPECT_TRUE(log_says("scenario=listen_overflows")) << read_trimmed(log());
  // Only the listener's namespace: the host's value never moved.
  EXPECT_EQ(read_trimmed("/proc/sys/net/ipv4/tcp_max_syn_backlog"), host_syn);
  stop_tuner(tuner);
  EXPECT_EQ(ns_read(ns, "/proc/sys/net/ipv4/tcp_max_syn_backlog"), "128");
  EXPECT_EQ(ns_read(ns, "/proc/sys/net/core/somaxconn"), "256") << "somaxconn is not this tuner's";
}

// A loop device whose queue is kept full by fio at a high I/O depth.
class SaturatedLoop {
 public:
  SaturatedLoop(const std::string& scheduler, int nr_requests) : loop_(256) {
    // Direct I/O on the backing file: buffered, the loop completes requests
    // faster than fio refills the pool and the queue never stays full.
    run("losetup --direct-io=on " + loop_.device());
    const std::string q = "/sys/block/" + loop_.name() + "/queue/";
    // The loop device outlives the test (it is reused by the next one to
    // attach): its queue settings are put back in the destructor.
    original_scheduler_ = queue("scheduler");
    original_scheduler_ = original_scheduler_.substr(original_scheduler_.find('[') + 1);
    original_scheduler_ = original_scheduler_.substr(0, original_scheduler_.find(']'));
    original_nr_ = queue("nr_requests");
    std::ofstream(q + "scheduler") << scheduler;
    std::ofstream(q + "nr_requests") << nr_requests;
    load_ = std::make_unique<Child>("exec fio --name=sat --filename=" + loop_.device() +
                                        " --direct=1 --rw=randwrite --bs=4k --iodepth=64"
                                        " --ioengine=libaio --time_based --runtime=120 --thread"
                                        " >/dev/null 2>&1",
                                    nullptr);
  }
  ~SaturatedLoop() {
    // --thread: the job is a thread of this one process, so nothing outlives
    // the kill and holds the device open past losetup -d.
    ::kill(load_->pid(), SIGKILL);
    load_->wait(10s);
    // A scheduler switch can leave the tag depth behind what nr_requests
    // shows; writing another value first makes the kernel resize for real.
    const std::string q = "/sys/block/" + loop_.name() + "/queue/";
    std::ofstream(q + "scheduler") << original_scheduler_;
    std::ofstream(q + "nr_requests") << std::stol(original_nr_) - 1;
    std::ofstream(q + "nr_requests") << original_nr_;
  }
  [[nodiscard]] std::string name() const { return loop_.name(); }
  [[nodiscard]] std::string queue(const std::string& file) const {
    return read_trimmed("/sys/block/" + loop_.name() + "/queue/" + file);
  }

 private:
  LoopDevice loop_;
  std::unique_ptr<Child> load_;
  std::string original_scheduler_, original_nr_;
};

TEST_F(TuneKnobsTest, SaturatedLoopQueueGetsMoreRequestsAndTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("fio")) GTEST_SKIP() << "needs fio";
  SaturatedLoop disk("mq-deadline", 4);
  ASSERT_EQ(disk.queue("nr_requests"), "4");
  auto tuner = start_tuner("block_queue", "block.nr_requests@" + disk.name());
  ASSERT_TRUE(wait_until([&] { return disk.queue("nr_requests") != "4"; }, 90s))
      << read_trimmed(log());
  // 4 + (1024 - 4) / 2: half the distance to the default ceiling.
  EXPECT_EQ(disk.queue("nr_requests"), "514");
  EXPECT_TRUE(log_says("scenario=disk_queue_saturated")) << read_trimmed(log());
  stop_tuner(tuner);
  EXPECT_EQ(disk.queue("nr_requests"), "4") << read_trimmed(log());
  EXPECT_NE(disk.queue("scheduler").find("[mq-deadline]"), std::string::npos);
}

TEST_F(TuneKnobsTest, RotationalLoopWithoutASchedulerGetsMqDeadlineAndTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("fio")) GTEST_SKIP() << "needs fio";
  SaturatedLoop disk("none", 4);
  if (disk.queue("rotational") != "1") GTEST_SKIP() << "loop devices are not rotational here";
  ASSERT_NE(disk.queue("scheduler").find("[none]"), std::string::npos);
  auto tuner = start_tuner("block_queue", "block.scheduler@" + disk.name());
  ASSERT_TRUE(wait_until(
      [&] { return disk.queue("scheduler").find("[mq-deadline]") != std::string::npos; }, 90s))
      << read_trimmed(log());
  EXPECT_NE(journal().find("\"original\":\"none\""), std::string::npos) << journal();
  stop_tuner(tuner);
  EXPECT_NE(disk.queue("scheduler").find("[none]"), std::string::npos) << read_trimmed(log());
}

TEST_F(TuneKnobsTest, CpuStarvedCgroupGetsAHigherShareThenTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
  std::string parent = "/kp-tune-w-" + std::to_string(::getpid());
  // A large share for the parent: the hog must take most of the whole host,
  // whatever else runs on it.
  ShareCgroup p(parent, 10000);
  ShareCgroup victim(parent + "/victim", 10);
  ShareCgroup hog(parent + "/hog", 100);
  Child lh(hog.enter() + "exec stress-ng --cpu 4 --timeout 120", nullptr);
  Child lv(victim.enter() + "exec stress-ng --cpu 2 --timeout 120", nullptr);
  std::string knob = v2_cpu() ? "cgroup.cpu.weight@" : "cgroup.cpu.shares@";
  // kpulse with as large a share as the workloads', or they starve it.
  ShareCgroup tool(parent + "-tool", 10000);
  auto tuner = start_tuner("cpu_weight", knob + victim.rel(), "", tool.enter());
  ASSERT_TRUE(wait_until([&] { return victim.share() != victim.original(); }, 90s))
      << read_trimmed(log());
  // Toward the ceiling (weight 1000 / shares 10240), but a share at most
  // doubles in one step.
  EXPECT_EQ(victim.share(), v2_cpu() ? "20" : "204");
  EXPECT_TRUE(log_says("scenario=cpu_contention")) << read_trimmed(log());
  EXPECT_NE(journal().find("\"original\":\"" + victim.original() + "\""), std::string::npos)
      << journal();
  stop_tuner(tuner);
  EXPECT_EQ(victim.share(), victim.original()) << read_trimmed(log());
  EXPECT_EQ(hog.share(), hog.original()) << "the hog is never touched";
}

// The global maxima answer the host's own traffic, and only with the opt-in.
TEST_F(TuneKnobsTest, CoreReceiveMaximumFollowsTheHostsTcpMaximumWhenEnabledThenComesBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
  std::string original = read_trimmed("/proc/sys/net/core/rmem_max");
  std::istringstream tcp(read_trimmed("/proc/sys/net/ipv4/tcp_rmem"));
  double mn = 0, def = 0, tcp_max = 0;
  tcp >> mn >> def >> tcp_max;
  if (!(std::stod(original) < std::min(tcp_max, 16.0 * 1024 * 1024)))
    GTEST_SKIP() << "net.core.rmem_max " << original << " is not below tcp_rmem's maximum";
  // Loopback TCP in the host's namespace: thousands of segments, MB/s of data.
  Child load("exec stress-ng --sock 1 --timeout 120 >/dev/null 2>&1", nullptr);
  auto tuner = start_tuner("tcp_buffers", "net.core.rmem_max", "--allow-host-wide");
  ASSERT_TRUE(
      wait_until([&] { return read_trimmed("/proc/sys/net/core/rmem_max") != original; }, 90s))
      << read_trimmed(log());
  double now = std::stod(read_trimmed("/proc/sys/net/core/rmem_max"));
  EXPECT_GT(now, std::stod(original));
  EXPECT_LE(now, std::min(tcp_max, 16.0 * 1024 * 1024));
  EXPECT_TRUE(log_says("scenario=core_buffer_below_tcp_max")) << read_trimmed(log());
  EXPECT_TRUE(log_says("host namespace")) << read_trimmed(log());
  stop_tuner(tuner);
  EXPECT_EQ(read_trimmed("/proc/sys/net/core/rmem_max"), original) << read_trimmed(log());
}

// A SYN flood inside one namespace makes it carry many segments and few
// bytes: no buffer helps it, and a namespace's problem never reaches the
// host-global maxima, even with host-wide tuning enabled.
TEST_F(TuneKnobsTest, ASynFloodInANamespaceNeverProposesTheHostGlobalBufferMaxima) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  VethNamespace ns("kpflood", "10.213.13.1", "10.213.13.2");
  std::istringstream tcp(ns_read(ns, "/proc/sys/net/ipv4/tcp_rmem"));
  double mn = 0, def = 0, tcp_max = 0;
  tcp >> mn >> def >> tcp_max;
  if (!(std::stod(read_trimmed("/proc/sys/net/core/rmem_max")) < std::min(tcp_max, 16.0 * 1048576)))
    GTEST_SKIP() << "net.core.rmem_max is not below the namespace's tcp_rmem maximum";
  ASSERT_EQ(ns.exec("sysctl -qw net.core.somaxconn=128"), 0);
  OverflowingListener flood(ns.name());
  ASSERT_TRUE(wait_until([&] { return flood.ready(); }, 5s));
  std::string out;
  run(kBin + " tune --interval 1 --samples 6 --tuners tcp_buffers --allow-host-wide 2>&1", &out);
  // The host's own traffic may still propose them (other users of this
  // machine); the flooded namespace is never their evidence.
  EXPECT_EQ(out.find(ns.name()), std::string::npos) << out;
  EXPECT_EQ(out.find("TCP maximum") == std::string::npos ||
                out.find("of busy host namespace") != std::string::npos,
            true)
      << out;
}

}  // namespace
}  // namespace kpulse::testing
