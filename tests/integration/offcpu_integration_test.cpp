// Off-CPU profiling on the real kernel: a workload that blocks in two known
// functions, one twice as long as the other, in its own cgroup. The blocked
// time lands on those functions in that proportion, on the right cgroup and
// pid, through the library and through `kpulse profile --mode off-cpu`.
#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../profile/pprof_read.h"
#include "profile/profile_formats.h"
#include "profile/profile_session.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

std::string block_workload() {
  return std::string("exec ") + KPULSE_PROFILE_WORKLOAD + " block 60";
}

bool has_frame(const profile::StackSample& s, const std::string& function) {
  for (const auto& f : s.frames)
    if (f.function == function) return true;
  return false;
}

const profile::Frame* innermost_kernel_frame(const profile::StackSample& s) {
  return !s.frames.empty() && s.frames.back().kernel ? &s.frames.back() : nullptr;
}

TEST(OffCpuIntegration, BlockedTimeLandsOnTheBlockingFunctionsOfItsCgroupAndPid) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-offcpu");
  Child child(block_workload(), &cg);
  std::this_thread::sleep_for(300ms);  // past exec and the dynamic loader
  profile::SessionOptions o;
  o.mode = profile::ProfileMode::OffCpu;
  o.duration_s = 5;
  // Host-wide, unfiltered: attribution comes from the stamps themselves.
  profile::Profile p = profile::record_profile(o, nullptr);
  cg.kill_all();

  ASSERT_EQ(p.mode, profile::ProfileMode::OffCpu);
  uint64_t of_child = 0, in_long = 0, in_short = 0, in_nanosleep = 0, at_schedule = 0;
  for (const auto& s : p.samples) {
    const bool ours = has_frame(s, "wait_long") || has_frame(s, "wait_short");
    if (ours) {
      EXPECT_EQ(s.pid, static_cast<uint32_t>(child.pid()));
      EXPECT_EQ(s.cgroup, cg.path());
    }
    if (s.pid != static_cast<uint32_t>(child.pid())) continue;
    EXPECT_EQ(s.cgroup, cg.path());
    of_child += s.count;
    if (has_frame(s, "wait_long")) in_long += s.count;
    if (has_frame(s, "wait_short")) in_short += s.count;
    if (has_frame(s, "do_nanosleep")) in_nanosleep += s.count;
    if (const auto* k = innermost_kernel_frame(s); k && k->function == "__schedule")
      at_schedule += s.count;
  }
  // One thread blocked nearly all the time: its blocked nanoseconds are
  // close to the run's length (less the block open at each end).
  EXPECT_GE(static_cast<double>(of_child), 0.6 * p.duration_s * 1e9) << of_child;
  EXPECT_LE(static_cast<double>(of_child), 1.05 * p.duration_s * 1e9) << of_child;
  ASSERT_GT(in_long + in_short, 0u) << "no blocked time in wait_long or wait_short";
  EXPECT_GE(double(in_long + in_short) / of_child, 0.90) << in_long << " + " << in_short;
  EXPECT_NEAR(double(in_long) / (in_long + in_short), 2.0 / 3.0, 0.15)
      << in_long << " vs " << in_short;
  // The kernel side: the nanosleep path, cut where the scheduler was
  // entered (the tracing frames inside __schedule are dropped).
  EXPECT_GE(double(in_nanosleep) / of_child, 0.90);
  EXPECT_GE(double(at_schedule) / of_child, 0.90);
  RecordProperty("long_share_permille",
                 static_cast<int>(1000.0 * in_long / double(in_long + in_short)));
}

TEST(OffCpuIntegration, CommandFiltersOnTheCgroupAndWritesBlockedNanoseconds) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-offcpu-cli");
  Child child(block_workload(), &cg);
  std::this_thread::sleep_for(300ms);
  const std::string out = "/tmp/kpulse-offcpu-cli-" + std::to_string(getpid()) + ".pb.gz";
  int rc = run(std::string(KPULSE_BINARY) + " profile --mode off-cpu --duration 4 --cgroup " +
               cg.path() + " --format pprof -o " + out + " 2>/dev/null");
  cg.kill_all();
  std::string data = slurp(out);
  ::unlink(out.c_str());
  ASSERT_EQ(rc, 0);

  auto pb = read_pprof(data);
  const auto& st = pb.string_table();
  ASSERT_EQ(pb.sample_type_size(), 1);
  EXPECT_EQ(st[pb.sample_type(0).type()], "off_cpu");
  EXPECT_EQ(st[pb.sample_type(0).unit()], "nanoseconds");
  std::map<uint64_t, std::string> fn, loc;
  for (const auto& f : pb.function()) fn[f.id()] = st[f.name()];
  for (const auto& l : pb.location()) loc[l.id()] = fn[l.line(0).function_id()];
  int64_t total = 0, in_long = 0, in_short = 0;
  for (const auto& s : pb.sample()) {
    int64_t pid = 0;
    for (const auto& l : s.label())
      if (st[l.key()] == "pid") pid = l.num();
    // The kernel filter kept only the cgroup: its one process.
    EXPECT_EQ(pid, child.pid());
    total += s.value(0);
    for (auto id : s.location_id()) {
      if (loc[id] == "wait_long") in_long += s.value(0);
      if (loc[id] == "wait_short") in_short += s.value(0);
    }
  }
  EXPECT_GE(static_cast<double>(total), 0.6 * 4e9);
  ASSERT_GT(in_long + in_short, 0);
  EXPECT_NEAR(double(in_long) / double(in_long + in_short), 2.0 / 3.0, 0.15)
      << in_long << " vs " << in_short;
}

}  // namespace
}  // namespace kpulse::testing
