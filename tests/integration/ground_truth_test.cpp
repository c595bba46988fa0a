// Ground truth: for each metric family with a kernel counterpart, a real
// workload runs while kpulse collects one interval, and kpulse's figure is
// compared with the kernel's own counter over the same interval. The
// comparison and its tolerance are verify/checks.cpp's, the ones `kpulse
// verify` prints: one definition of each check. Each test also asserts that
// the workload moved the kernel's counter enough for the comparison to mean
// something.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "engine/collector.h"
#include "ground_truth_checks.h"
#include "tcp_peer.h"
#include "test_env.h"
#include "workloads.h"
#include "verify/interval.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
using model::ComponentKind;

TEST(GroundTruth, HostAndPerCpuTimeMatchProcStat) {
  auto collector = make_collector(false);  // /proc/stat needs no BPF
  Child hog([] { return spin(2, 3.5); }, nullptr);
  std::this_thread::sleep_for(200ms);
  auto r = measure(collector);
  expect_check(r, "cpu", "host", 0.2);  // two spinning threads for 2 s
  for (const auto& c : r.snapshot.components)
    if (c.kind == ComponentKind::Cpu) expect_check(r, "cpu.per_cpu", c.id, 0);
  EXPECT_EQ(hog.wait(30s), 0);
}

TEST(GroundTruth, CgroupCpuMatchesCpuStatUsage) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("gt-cpu");
  auto collector = make_collector();
  Child hog([] { return spin(1, 3.5); }, &cg);
  std::this_thread::sleep_for(200ms);
  auto r = measure(collector);
  expect_check(r, "cgroup.cpu", cg.path(), 0.05);
  EXPECT_EQ(hog.wait(30s), 0);
}

// The run-queue delay kpulse measures for a cgroup equals the growth of its
// threads' schedstat run_delay (the kernel's own per-task sum).
TEST(GroundTruth, CgroupRunqDelayMatchesTasksSchedstat) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("gt-runq");
  // The probes are loaded before the hog starts: on a busy host loading them
  // took longer than the hog lived, and the interval then saw no threads.
  auto collector = make_collector();
  // More runnable threads than CPUs: they wait for each other.
  const int threads = int(std::thread::hardware_concurrency()) + 2;
  Child hog([threads] { return spin(threads, 6.0); }, &cg);
  std::this_thread::sleep_for(400ms);  // every thread started: the set stays fixed
  auto r = measure(collector);
  expect_check(r, "cgroup.runq_delay", cg.path(), 0.05);
  EXPECT_EQ(hog.wait(30s), 0);
}

TEST(GroundTruth, DiskOpsBytesBusyAndInflightMatchDiskstats) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LoopDevice loop(64);
  auto collector = make_collector();
  const std::string& dev = loop.device();
  Child io([dev] { return direct_io(dev, 8, 3.5); }, nullptr);
  std::this_thread::sleep_for(200ms);
  auto r = measure(collector);
  expect_check(r, "disk.ops", loop.name(), 100);
  expect_check(r, "disk.bytes", loop.name(), 100 * 4096);
  expect_check(r, "disk.busy", loop.name(), 0.1);
  expect_check(r, "disk.inflight", loop.name(), 0);
  expect_check(r, "block.ops", loop.name(), 100);
  expect_check(r, "block.bytes", loop.name(), 100 * 4096);
  EXPECT_EQ(io.wait(30s), 0);
}

// Why: block.inflight was BPF's issues minus completions, and grew without
// bound (274 while /sys/block/vda/inflight read "0 0") because a requeued
// request is issued twice and completed once. It is the kernel's own count.
TEST(GroundTruth, InflightComesBackToTheKernelsCountAfterIo) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LoopDevice loop(64);
  auto collector = make_collector();
  const std::string& dev = loop.device();
  collector.collect_now();
  Child io([dev] { return direct_io(dev, 32, 3.0); }, nullptr);
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(1s);
    collector.collect_now();
  }
  EXPECT_EQ(io.wait(30s), 0);
  std::this_thread::sleep_for(300ms);
  auto r = measure(collector, 500ms);
  const verify::CheckResult* c = verify::find(r.results, "disk.inflight", loop.name());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kernel, 0) << describe(*c);  // the I/O is over
  EXPECT_EQ(c->kpulse, 0) << describe(*c);
}

TEST(GroundTruth, InterfaceCountersMatchProcNetDevAlsoInsideANetns) {
  ASSERT_TRUE(have_command("ip"));
  const int n = getpid() % 200;
  const std::string a_ip = "10.214." + std::to_string(n) + ".1";
  const std::string b_ip = "10.214." + std::to_string(n) + ".2";
  VethNamespace ns("gt-if", a_ip, b_ip);
  auto collector = make_collector(false);  // interface counters need no BPF
  Child server([] { return tcp_sink(5202); }, nullptr, ns.name());
  std::this_thread::sleep_for(300ms);
  Child client([b_ip] { return tcp_send_all(b_ip, 5202, std::size_t(400) << 20); }, nullptr);
  std::this_thread::sleep_for(100ms);
  auto r = measure(collector);
  EXPECT_EQ(client.wait(60s), 0);
  const std::string inside = interface_inside(r, ns.name());
  ASSERT_FALSE(inside.empty()) << "no interface of " << ns.name() << " was listed";
  expect_check(r, "interface.bytes", inside, 1 << 20);
  expect_check(r, "interface.packets", inside, 100);
  for (const auto& c : verify::family(r.results, "interface.bytes"))
    EXPECT_NE(c.status, verify::Status::Fail) << describe(c);
}

TEST(GroundTruth, CgroupMemoryMatchesMemoryCurrent) {
  MemoryCgroup cg("gt-mem");
  Child holder(
      [&cg] {
        cg.join_v1();
        return hold_memory(200, 6);
      },
      &cg.v2());
  std::this_thread::sleep_for(1500ms);  // allocated and asleep
  auto collector = make_collector(false);
  auto r = measure(collector, 1000ms);
  expect_check(r, "cgroup.memory", cg.path(), 64.0 * (1 << 20));  // part may sit in zram
}

TEST(GroundTruth, MajorFaultsMatchVmstat) {
  auto collector = make_collector(false);
  // Major faults: map a file whose pages were dropped from the page cache.
  const std::string file = "/var/tmp/kpulse-gt-fault-" + std::to_string(getpid());
  ASSERT_EQ(run("dd if=/dev/urandom of=" + file + " bs=1M count=32 status=none"), 0);
  Child faulter(
      [file] {
        int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return 1;
        ::fdatasync(fd);
        const size_t len = size_t(32) << 20;
        for (int round = 0; round < 20; ++round) {
          ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
          void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, 0);
          if (p == MAP_FAILED) return 1;
          ::madvise(p, len, MADV_RANDOM);
          volatile char sum = 0;
          for (size_t off = 0; off < len; off += 4096) sum = sum + static_cast<char*>(p)[off];
          ::munmap(p, len);
          std::this_thread::sleep_for(100ms);
        }
        ::close(fd);
        return 0;
      },
      nullptr);
  std::this_thread::sleep_for(100ms);
  auto r = measure(collector);
  EXPECT_EQ(faulter.wait(60s), 0);
  ::unlink(file.c_str());
  expect_check(r, "memory.major_faults", "host", 100);
}

TEST(GroundTruth, PressureTotalsMatchPressureFiles) {
  if (::access("/proc/pressure/cpu", R_OK) != 0) GTEST_SKIP() << "no PSI on this kernel";
  auto collector = make_collector(false);
  // More runnable threads than CPUs: some always wait, so cpu.some moves.
  const int threads = int(std::thread::hardware_concurrency()) + 2;
  Child hog([threads] { return spin(threads, 3.5); }, nullptr);
  std::this_thread::sleep_for(200ms);
  auto r = measure(collector);
  expect_check(r, "psi", "cpu.some", 0.2);
  for (const auto& c : verify::family(r.results, "psi"))
    EXPECT_EQ(c.status, verify::Status::Pass) << describe(c);
  EXPECT_EQ(hog.wait(30s), 0);
}

}  // namespace
}  // namespace kpulse::testing
