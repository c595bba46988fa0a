// Least privilege, in-process: after attach, drop to the daemon's kept set
// and check that draining the already-open BPF maps still yields data. This
// is the measurement behind needed_capabilities() keeping no BPF capability.
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"
#include "daemon/capabilities.h"
#include "engine/collector.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

std::string status_field(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0) return line.substr(name.size() + 1);
  return "";
}

uint64_t mask_of(std::initializer_list<cap_value_t> caps) {
  uint64_t m = 0;
  for (auto c : caps) m |= 1ull << c;
  return m;
}

// Runs in a forked child so the drop cannot affect the other tests of this
// binary; the child reports "" or what went wrong through a pipe.
std::string drop_and_drain() {
  engine::CollectorOptions o;
  o.interval = 300ms;
  o.probe_groups = {"sched"};
  engine::Collector collector(o);
  collector.next();

  config::Config cfg;
  std::string why = daemon::drop_capabilities_except(daemon::needed_capabilities(cfg));
  if (!why.empty()) return "drop failed: " + why;
  uint64_t expected = mask_of({CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE});
  for (const char* field : {"CapEff", "CapPrm", "CapBnd"})
    if (std::stoull(status_field(field), nullptr, 16) != expected)
      return std::string(field) + " is " + status_field(field);
  if (std::stoull(status_field("CapAmb"), nullptr, 16) != 0) return "ambient set not empty";
  if (std::stoi(status_field("NoNewPrivs")) != 1) return "NoNewPrivs not set";

  // A busy child makes context switches the sched probe must still count.
  Child burner("exec timeout 3 sh -c 'while :; do :; done'", nullptr);
  uint64_t waits = 0;
  for (int i = 0; i < 4; ++i) {
    model::Snapshot s = collector.next();
    const model::Component* host = s.host();
    if (!host) return "no host component";
    if (const auto* h = host->find_histogram(model::MetricId::SchedRunqLatency))
      waits += h->delta.count;
  }
  if (waits < 10)
    return "BPF sched data stopped flowing after the drop: " + std::to_string(waits) +
           " run-queue waits";
  return "";
}

TEST(DaemonCaps, MapsStillDrainAfterDroppingToTheKeptSet) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    std::string result;
    try {
      result = drop_and_drain();
    } catch (const std::exception& e) {
      result = std::string("exception: ") + e.what();
    }
    result = "done:" + result;
    (void)!write(fds[1], result.data(), result.size());
    _exit(0);
  }
  close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(got, "done:");
}

TEST(DaemonCaps, TuningKeepsItsCapabilitiesOnlyWhenApplying) {
  config::Config cfg;
  EXPECT_EQ(daemon::needed_capabilities(cfg).size(), 2u);
  cfg.tuning.enabled = true;
  EXPECT_EQ(daemon::needed_capabilities(cfg).size(), 2u);  // dry run applies nothing
  cfg.tuning.dry_run = false;
  auto caps = daemon::needed_capabilities(cfg);
  EXPECT_NE(std::find(caps.begin(), caps.end(), "cap_sys_admin"), caps.end());
  EXPECT_NE(std::find(caps.begin(), caps.end(), "cap_net_admin"), caps.end());
}

}  // namespace
}  // namespace kpulse::testing
