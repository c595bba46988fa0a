// The CPU profiler on the real kernel: a workload with two known hot
// functions, a syscall loop, the same run under perf, and the output formats
// read back by independent readers.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../profile/pprof_read.h"
#include "profile/profile_formats.h"
#include "profile/profile_session.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

// High enough for a few hundred samples of a workload that gets a fraction
// of a CPU on a busy machine (the test is about accuracy, not cost).
constexpr uint32_t kTestFrequency = 499;

std::string workload(const std::string& mode, int seconds) {
  return std::string("exec ") + KPULSE_PROFILE_WORKLOAD + " " + mode + " " +
         std::to_string(seconds);
}

// The innermost user-space frame ("" when the sample has none).
std::string user_leaf(const profile::StackSample& s) {
  for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it)
    if (!it->kernel) return it->function;
  return "";
}

bool has_frame(const profile::StackSample& s, const std::string& function) {
  for (const auto& f : s.frames)
    if (f.function == function) return true;
  return false;
}

profile::Profile record(double seconds, const std::string& cgroup_dir = "", uint32_t pid = 0) {
  profile::SessionOptions o;
  o.duration_s = seconds;
  o.probe.frequency_hz = kTestFrequency;
  o.probe.cgroup_path = cgroup_dir;
  o.probe.tgid = pid;
  return profile::record_profile(o, nullptr);
}

TEST(ProfileIntegration, HotFunctionsGetTheirShareAttributedToTheirCgroupAndPid) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-prof-hot");
  Child child(workload("cpu", 60), &cg);
  std::this_thread::sleep_for(300ms);  // past exec and the dynamic loader
  // Host-wide, unfiltered: attribution comes from the samples themselves.
  profile::Profile p = record(8);
  cg.kill_all();

  uint64_t of_child = 0, alpha = 0, beta = 0, with_main = 0;
  for (const auto& s : p.samples) {
    const std::string leaf = user_leaf(s);
    const bool hot = leaf == "hot_alpha" || leaf == "hot_beta";
    if (hot) {
      EXPECT_EQ(s.pid, static_cast<uint32_t>(child.pid())) << leaf;
      EXPECT_EQ(s.cgroup, cg.path()) << leaf;
    }
    if (s.pid != static_cast<uint32_t>(child.pid())) continue;
    of_child += s.count;
    EXPECT_EQ(s.cgroup, cg.path());
    if (leaf == "hot_alpha") alpha += s.count;
    if (leaf == "hot_beta") beta += s.count;
    if (hot && has_frame(s, "main")) with_main += s.count;
  }
  ASSERT_GE(of_child, 100u) << "too few samples of the workload to judge";
  const double in_hot = double(alpha + beta) / of_child;
  const double alpha_share = double(alpha) / (alpha + beta);
  EXPECT_GE(in_hot, 0.90) << alpha << " + " << beta << " of " << of_child;
  EXPECT_NEAR(alpha_share, 2.0 / 3.0, 0.10) << alpha << " vs " << beta;
  // Frame pointers walk back to main: the callers are there too.
  EXPECT_GE(double(with_main) / (alpha + beta), 0.90);
  RecordProperty("samples", static_cast<int>(of_child));
  RecordProperty("alpha_share_permille", static_cast<int>(alpha_share * 1000));

  // The pprof output of the same run, decoded by protoc-generated code.
  auto pb = read_pprof(profile::to_pprof(p, 0));
  const auto& st = pb.string_table();
  std::map<uint64_t, std::string> fn, loc;
  for (const auto& f : pb.function()) fn[f.id()] = st[f.name()];
  for (const auto& l : pb.location()) loc[l.id()] = fn[l.line(0).function_id()];
  int64_t pprof_alpha = 0;
  for (const auto& s : pb.sample()) {
    int64_t pid = 0;
    for (const auto& l : s.label())
      if (st[l.key()] == "pid") pid = l.num();
    if (pid != child.pid()) continue;
    for (auto id : s.location_id())  // leaf first: the first user frame
      if (loc[id] == "hot_alpha") {
        pprof_alpha += s.value(0);
        break;
      }
  }
  EXPECT_EQ(pprof_alpha, static_cast<int64_t>(alpha));
}

TEST(ProfileIntegration, SyscallLoopShowsItsKernelPathInsideItsCgroup) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-prof-sys");
  Child child(workload("syscalls", 60), &cg);
  std::this_thread::sleep_for(300ms);
  profile::Profile p = record(6, cg.dir());
  cg.kill_all();

  uint64_t total = 0, in_syscall = 0, in_write = 0;
  for (const auto& s : p.samples) {
    EXPECT_EQ(s.pid, static_cast<uint32_t>(child.pid())) << "the cgroup filter let in " << s.comm;
    EXPECT_EQ(s.cgroup, cg.path());
    total += s.count;
    bool syscall = false, write = false;
    for (const auto& f : s.frames) {
      if (f.kernel && (f.function == "do_syscall_64" || f.function.rfind("entry_SYSCALL", 0) == 0))
        syscall = true;
      // libc's wrapper (__libc_write, __GI___libc_write) or the kernel's
      // ksys_write / vfs_write / write_null.
      if (f.function.find("write") != std::string::npos) write = true;
    }
    if (syscall) in_syscall += s.count;
    if (write) in_write += s.count;
  }
  ASSERT_GE(total, 100u);
  // A write(2) loop spends its time entering, running and leaving the
  // syscall; the samples show the kernel path under the syscall entry.
  EXPECT_GE(double(in_syscall) / total, 0.30) << in_syscall << " of " << total;
  EXPECT_GE(double(in_write) / total, 0.60) << in_write << " of " << total;
}

// perf's own view of the same process over the same seconds: the functions
// kpulse ranks first are the ones perf ranks first.
TEST(ProfileIntegration, PerfRecordNamesTheSameTopFunctions) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("perf")) {
    if (std::getenv("CI")) FAIL() << "perf (linux-perf) is missing on CI";
    GTEST_SKIP() << "perf not installed (linux-perf)";
  }
  TestCgroup cg("kpulse-prof-perf");
  Child child(workload("cpu", 60), &cg);
  std::this_thread::sleep_for(300ms);
  const std::string data = "/tmp/kpulse-prof-perf-" + std::to_string(getpid()) + ".data";
  std::string perf_out;
  std::thread perf([&] {
    run("perf record -q -F " + std::to_string(kTestFrequency) + " -g -p " +
        std::to_string(child.pid()) + " -o " + data + " -- sleep 6 >/dev/null 2>&1");
    run("perf report -i " + data + " --stdio --no-children --sort symbol 2>/dev/null", &perf_out);
  });
  profile::Profile p = record(6, "", static_cast<uint32_t>(child.pid()));
  perf.join();
  cg.kill_all();
  ::unlink(data.c_str());
  ::unlink((data + ".old").c_str());

  std::map<std::string, uint64_t> ours;
  uint64_t total = 0;
  for (const auto& s : p.samples) {
    ours[user_leaf(s)] += s.count;
    total += s.count;
  }
  ASSERT_GE(total, 100u);
  // perf report: "    66.20%  [.] hot_alpha"
  std::map<std::string, double> theirs;
  std::regex row(R"(^\s+([0-9.]+)%\s+\[[.k]\]\s+(\S+))");
  std::istringstream in(perf_out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) theirs[m[2]] += std::stod(m[1]);
  }
  ASSERT_FALSE(theirs.empty()) << perf_out;
  auto top2 = [](const auto& m) {
    std::vector<std::pair<double, std::string>> v;
    for (const auto& [k, n] : m) v.emplace_back(double(n), k);
    std::sort(v.rbegin(), v.rend());
    std::set<std::string> names;
    for (size_t i = 0; i < v.size() && i < 2; ++i) names.insert(v[i].second);
    return names;
  };
  EXPECT_EQ(top2(ours), top2(theirs)) << perf_out;
  EXPECT_EQ(top2(ours), (std::set<std::string>{"hot_alpha", "hot_beta"}));
  // And the shares agree within 10 points.
  EXPECT_NEAR(100.0 * ours["hot_alpha"] / total, theirs["hot_alpha"], 10.0) << perf_out;
}

TEST(ProfileIntegration, CommandWritesFoldedStacksOfOneProcess) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-prof-cli");
  Child child(workload("cpu", 60), &cg);
  std::this_thread::sleep_for(300ms);
  const std::string out = "/tmp/kpulse-prof-cli-" + std::to_string(getpid()) + ".folded";
  int rc = run(std::string(KPULSE_BINARY) + " profile --duration 4 --frequency 499 --pid " +
               std::to_string(child.pid()) + " --format folded -o " + out + " 2>/dev/null");
  cg.kill_all();
  std::string text = slurp(out);
  ::unlink(out.c_str());
  ASSERT_EQ(rc, 0);
  size_t bad = 1;
  auto stacks = profile::parse_folded(text, &bad);
  EXPECT_EQ(bad, 0u);
  ASSERT_FALSE(stacks.empty());
  uint64_t total = 0, hot = 0;
  for (const auto& [stack, n] : stacks) {
    EXPECT_EQ(stack.rfind("kpulse_profile_;", 0), 0u) << stack;  // comm is cut at 15
    total += n;
    if (stack.find(";main;hot_alpha") != std::string::npos ||
        stack.find(";main;hot_beta") != std::string::npos)
      hot += n;
  }
  EXPECT_GE(double(hot) / total, 0.90) << text;
}

// The pprof file read by the reference reader, `go tool pprof` (Debian's
// golang-go): the same two functions on top, in their proportion.
TEST(ProfileIntegration, GoToolPprofReadsThePprofOutput) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  if (!have_command("go")) {
    if (std::getenv("CI")) FAIL() << "go (golang-go) is missing on CI";
    GTEST_SKIP() << "go not installed (golang-go)";
  }
  TestCgroup cg("kpulse-prof-pprof");
  Child child(workload("cpu", 60), &cg);
  std::this_thread::sleep_for(300ms);
  const std::string out = "/tmp/kpulse-prof-pprof-" + std::to_string(getpid()) + ".pb.gz";
  int rc = run(std::string(KPULSE_BINARY) + " profile --duration 4 --frequency 499 --pid " +
               std::to_string(child.pid()) + " --format pprof -o " + out + " 2>/dev/null");
  cg.kill_all();
  ASSERT_EQ(rc, 0);
  std::string top;
  rc = run("HOME=/tmp go tool pprof -top -nodecount=10 " + out + " 2>&1", &top);
  ::unlink(out.c_str());
  ASSERT_EQ(rc, 0) << top;
  // "     1.23s 66.20% 66.20%      1.30s 70.00%  hot_alpha": flat is the
  // innermost frame (a kernel function when an interrupt was running), cum
  // everything under the function.
  std::regex row(R"(^\s*\S+\s+([0-9.]+)%\s+[0-9.]+%\s+\S+\s+([0-9.]+)%\s+(\S+))");
  std::vector<std::string> by_flat;
  std::map<std::string, double> cum;
  std::istringstream in(top);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    by_flat.push_back(m[3]);
    cum[m[3]] = std::stod(m[2]);
  }
  ASSERT_GE(by_flat.size(), 2u) << top;
  std::set<std::string> first_two{by_flat[0], by_flat[1]};
  EXPECT_EQ(first_two, (std::set<std::string>{"hot_alpha", "hot_beta"})) << top;
  const double alpha = cum["hot_alpha"], beta = cum["hot_beta"];
  EXPECT_GE(alpha + beta, 90.0) << top;
  EXPECT_NEAR(alpha / (alpha + beta), 2.0 / 3.0, 0.10) << top;
}

TEST(ProfileIntegration, ProbesListsTheGroupOnlyWhenAsked) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  std::string out;
  ASSERT_EQ(run(std::string(KPULSE_BINARY) + " probes --groups sched,profile --json", &out), 0)
      << out;
  EXPECT_NE(out.find("\"perf_event "), std::string::npos) << out;
  ASSERT_EQ(run(std::string(KPULSE_BINARY) + " probes --groups sched --json", &out), 0);
  EXPECT_EQ(out.find("\"perf_event "), std::string::npos) << out;
}

}  // namespace
}  // namespace kpulse::testing
