#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "collect/cgroup_layout.h"
#include "collect/host_stats.h"
#include "collect/process_resolver.h"
#include "collect/process_stats.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

// A real /proc/PID/stat line whose comm contains ") (" to trip naive parsers.
std::string stat_line(uint32_t pid, const std::string& comm, uint64_t start) {
  return std::to_string(pid) + " (" + comm +
         ") S 1 4242 4242 0 -1 4194560 12345 0 67 0 250 150 0 0 20 0 9 0 " + std::to_string(start) +
         " 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

TEST(ProcStatParse, HandlesCommWithParensAndSpaces) {
  auto st = parse_proc_stat(stat_line(77, "we ird) (name", 555));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, 77u);
  EXPECT_EQ(st->comm, "we ird) (name");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1u);
  EXPECT_EQ(st->minflt, 12345u);
  EXPECT_EQ(st->majflt, 67u);
  EXPECT_EQ(st->utime_ticks, 250u);
  EXPECT_EQ(st->stime_ticks, 150u);
  EXPECT_EQ(st->threads, 9u);
  EXPECT_EQ(st->start_ticks, 555u);
  EXPECT_EQ(st->rss_pages, 2048u);
}

TEST(ProcStatParse, RejectsTruncatedText) {
  EXPECT_FALSE(parse_proc_stat("12 (x) S 1 2 3").has_value());
  EXPECT_FALSE(parse_proc_stat("garbage").has_value());
}

TEST(ProcessMetrics, ConvertsTicksAndPages) {
  auto st = *parse_proc_stat(stat_line(77, "x", 1));
  model::Component c;
  fill_process_metrics(st, c);
  EXPECT_DOUBLE_EQ(c.value(MetricId::ProcCpuTime), 400 / clock_ticks_per_second());
  EXPECT_EQ(c.value(MetricId::ProcThreads), 9);
  EXPECT_EQ(c.value(MetricId::ProcRss), 2048.0 * page_size_bytes());
  EXPECT_EQ(c.value(MetricId::VmMajorFaults), 67);
  EXPECT_EQ(c.value(MetricId::VmPageFaults), 12345 + 67);  // all faults, as vmstat's pgfault
}

TEST(ProcCgroup, PrefersTheCgroup2Line) {
  EXPECT_EQ(parse_proc_cgroup("9:name=systemd:/\n4:memory:/a/b\n0::/system.slice/x.service\n"),
            "/system.slice/x.service");
  EXPECT_EQ(parse_proc_cgroup("0::/odd:name\n"), "/odd:name");
  // v1-only hosts: fall back to the systemd hierarchy.
  EXPECT_EQ(parse_proc_cgroup("2:cpu:/c\n1:name=systemd:/user.slice\n"), "/user.slice");
  EXPECT_EQ(parse_proc_cgroup(""), "");
}

TEST(Cmdline, NulsBecomeSpacesAndLengthIsBounded) {
  using namespace std::string_literals;
  EXPECT_EQ(clean_cmdline("nginx\0-g\0daemon off;\0"s, 100), "nginx -g daemon off;");
  EXPECT_EQ(clean_cmdline("abcdef\0ghi\0"s, 8), "abcdef g");
  EXPECT_EQ(clean_cmdline(""s, 8), "");
}

void write_fake_process(const testing::TempTree& t, uint32_t pid, const std::string& comm,
                        uint64_t start, const std::string& cmdline, const std::string& cgroup) {
  const std::string d = std::to_string(pid);
  t.write(d + "/stat", stat_line(pid, comm, start));
  t.write(d + "/cmdline", cmdline);
  t.write(d + "/cgroup", "0::" + cgroup + "\n");
}

TEST(ProcessResolver, CachesAndDetectsPidReuse) {
  using namespace std::string_literals;
  testing::TempTree t;
  write_fake_process(t, 100, "nginx", 1000, "nginx\0-g\0x\0"s, "/system.slice/nginx.service");
  ProcessResolver r(t.root());
  const ProcessInfo* p = r.lookup(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "nginx");
  EXPECT_EQ(p->cmdline, "nginx -g x");
  EXPECT_EQ(p->cgroup, "/system.slice/nginx.service");
  EXPECT_EQ(p->ppid, 1u);
  EXPECT_EQ(p->start_ticks, 1000u);
  EXPECT_DOUBLE_EQ(p->start_time_s, 1000 / clock_ticks_per_second());
  EXPECT_EQ(r.reads(), 1u);

  // Same process: served from the cache even though /proc changed.
  write_fake_process(t, 100, "bash", 2000, "bash\0"s, "/user.slice");
  EXPECT_EQ(r.lookup(100)->comm, "nginx");
  EXPECT_EQ(r.lookup(100, 1000)->comm, "nginx");
  EXPECT_EQ(r.reads(), 1u);
  // A different start time means the PID was reused: re-read.
  p = r.lookup(100, 2000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "bash");
  EXPECT_EQ(p->cgroup, "/user.slice");
  EXPECT_EQ(r.reads(), 2u);
}

TEST(ProcessResolver, KernelThreadAndVanishedProcess) {
  testing::TempTree t;
  write_fake_process(t, 2, "kthreadd", 1, "", "/");
  ProcessResolver r(t.root());
  EXPECT_EQ(r.lookup(2)->cmdline, "[kthreadd]");
  EXPECT_EQ(r.lookup(999), nullptr);
  EXPECT_EQ(r.size(), 1u);
  r.forget(2);
  EXPECT_EQ(r.size(), 0u);
}

TEST(ProcessResolver, EvictsIdleEntriesAndBoundsSize) {
  testing::TempTree t;
  for (uint32_t pid = 10; pid < 20; ++pid) write_fake_process(t, pid, "p", pid, "p", "/");
  ProcessResolver r(t.root(), {.idle_intervals = 2, .capacity = 5});
  for (uint32_t pid = 10; pid < 14; ++pid) ASSERT_NE(r.lookup(pid), nullptr);
  r.end_interval();
  EXPECT_EQ(r.size(), 4u);
  // Keep using 10 and 11 only; 12 and 13 go idle and are evicted.
  for (int i = 0; i < 3; ++i) {
    r.lookup(10);
    r.lookup(11);
    r.end_interval();
  }
  EXPECT_EQ(r.size(), 2u);
  // Over capacity: the least recently used are dropped first.
  for (uint32_t pid = 12; pid < 20; ++pid) r.lookup(pid);
  r.end_interval();
  EXPECT_EQ(r.size(), 5u);
  // 10 and 11 were the least recently used, so they went first.
  const size_t reads = r.reads();
  r.lookup(10);
  EXPECT_EQ(r.reads(), reads + 1);
}

// Kills the child and removes the cgroup even when an assertion returns early.
struct ChildCleanup {
  pid_t child = -1;
  std::string cg_dir;
  ~ChildCleanup() {
    if (child > 0) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
    }
    if (!cg_dir.empty()) ::rmdir(cg_dir.c_str());
  }
};

// Why: a process first seen between fork and exec kept its parent's name
// and command line for as long as it lived (the cache keyed on pid and start
// time only, and exec changes neither).
TEST(ProcessResolver, ExecAfterFirstSightIsNoticed) {
  ChildCleanup cleanup;
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c = 0;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(126);
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  cleanup.child = child;
  ::close(go[0]);
  ProcessResolver r("/proc");
  std::string buf;
  auto before = read_process(r, "/proc", static_cast<uint32_t>(child), buf);
  ASSERT_TRUE(before.has_value());
  EXPECT_NE(before->name, "sleep");  // still a copy of this test
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  std::optional<model::Component> after;
  for (int i = 0; i < 500; ++i) {
    after = read_process(r, "/proc", static_cast<uint32_t>(child), buf);
    if (after && after->detail == "sleep 30") break;
    ::usleep(10000);
  }
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->name, "sleep");
  EXPECT_EQ(after->detail, "sleep 30");
}

TEST(ProcessResolver, RealChildInItsOwnCgroup) {
  // A child process we control: comm, cmdline, cgroup (when we can move it
  // into a fresh cgroup2 directory) and stats must match.
  ChildCleanup cleanup;
  auto layout = detect_cgroup_layout();
  std::string cg_rel;
  if (!layout.v2_root.empty()) {
    cg_rel = "/kpulse-collect-proc-" + std::to_string(::getpid());
    const std::string dir = layout.v2_root + cg_rel;
    if (::mkdir(dir.c_str(), 0755) == 0) cleanup.cg_dir = dir;
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  cleanup.child = child;
  if (!cleanup.cg_dir.empty()) std::ofstream(cleanup.cg_dir + "/cgroup.procs") << child << "\n";
  // Poll until the child has exec'd (comm changes from the test's name).
  ProcessResolver r("/proc");
  const ProcessInfo* p = nullptr;
  for (int i = 0; i < 500; ++i) {
    p = r.refresh(static_cast<uint32_t>(child));
    // Inside exec comm changes before the arguments are in place.
    if (p && p->comm == "sleep" && !p->cmdline_pending) break;
    ::usleep(10000);
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "sleep");
  EXPECT_EQ(p->cmdline, "sleep 30");
  EXPECT_EQ(p->ppid, static_cast<uint32_t>(::getpid()));
  if (!cleanup.cg_dir.empty()) {
    EXPECT_EQ(p->cgroup, cg_rel);
  }

  // Just after exec the new image has not run yet: the kernel's resident
  // count (per-CPU batched) can still read 0 until its first page faults.
  std::string buf;
  std::optional<model::Component> comp;
  for (int i = 0; i < 500; ++i) {
    comp = read_process(r, "/proc", static_cast<uint32_t>(child), buf);
    if (comp && comp->value(MetricId::ProcRss) > 0) break;
    ::usleep(10000);
  }
  ASSERT_TRUE(comp.has_value());
  EXPECT_EQ(comp->kind, model::ComponentKind::Process);
  EXPECT_EQ(comp->id, std::to_string(child));
  EXPECT_EQ(comp->kernel_id, static_cast<uint64_t>(child));
  EXPECT_EQ(comp->name, "sleep");
  EXPECT_EQ(comp->detail, "sleep 30");
  EXPECT_EQ(comp->parent, p->cgroup);
  EXPECT_GT(comp->value(MetricId::ProcRss), 0);
  EXPECT_EQ(comp->value(MetricId::ProcThreads), 1);

  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  cleanup.child = -1;
  EXPECT_FALSE(read_process(r, "/proc", static_cast<uint32_t>(child), buf).has_value());
}

TEST(ListPids, FindsNumericEntriesOnly) {
  testing::TempTree t;
  t.mkdir("1");
  t.mkdir("4242");
  t.mkdir("self");
  t.write("stat", "cpu 1 2 3 4\n");
  auto pids = list_pids(t.root());
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(pids, (std::vector<uint32_t>{1, 4242}));
  auto real = list_pids();
  EXPECT_NE(std::find(real.begin(), real.end(), static_cast<uint32_t>(::getpid())), real.end());
}

TEST(SelfStats, ReadsOwnCpuAndRss) {
  auto c = make_agent_component();
  EXPECT_EQ(c.kind, model::ComponentKind::Agent);
  EXPECT_EQ(c.id, "kpulse");
  ASSERT_TRUE(read_self(c));
  const double cpu0 = c.value(MetricId::SelfCpuTime);
  EXPECT_GT(c.value(MetricId::SelfRss), 1 << 20);
  // Burn ~50 ms of CPU; the reading must grow.
  const double hz = clock_ticks_per_second();
  volatile uint64_t x = 0;
  while (true) {
    for (int i = 0; i < 1000000; ++i) x = x + i;
    ASSERT_TRUE(read_self(c));
    if (c.value(MetricId::SelfCpuTime) - cpu0 >= 5 / hz) break;
  }
  EXPECT_GE(c.value(MetricId::SelfCpuTime), cpu0 + 5 / hz);
}

}  // namespace
}  // namespace kpulse::collect
