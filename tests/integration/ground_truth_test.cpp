// Ground truth: for each metric family with a kernel counterpart, a real
// workload runs while kpulse collects one interval, and kpulse's figure is
// compared with the kernel's own counter over the same interval. The
// comparison and its tolerance are verify/checks.cpp's, the ones `kpulse
// verify` prints: one definition of each check. Each test also asserts that
// the workload moved the kernel's counter enough for the comparison to mean
// something.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "collect/netns.h"
#include "engine/collector.h"
#include "ground_truth_checks.h"
#include "tcp_peer.h"
#include "test_env.h"
#include "workloads.h"
#include "verify/interval.h"
#include "verify/kernel_counters.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
using model::ComponentKind;
using model::MetricId;

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
  const std::string dev = loop.device();
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
  const std::string dev = loop.device();
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

// Runs the kernel skipped of programs whose name starts with `prefix`, because
// the program was already running on that CPU (bpf_prog_info.recursion_misses).
// Host-wide: another kpulse running beside the test adds its own (a printed
// diagnostic, not asserted on).
uint64_t recursion_misses(const std::string& prefix) {
  uint64_t misses = 0;
  for (__u32 id = 0; bpf_prog_get_next_id(id, &id) == 0;) {
    const int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
        std::string(info.name).starts_with(prefix.substr(0, sizeof(info.name) - 1)))
      misses += info.recursion_misses;
    close(fd);
  }
  return misses;
}

// RetransSegs of the named network namespace.
uint64_t netns_retrans_segs(const std::string& netns) {
  std::string snmp, error;
  if (!collect::run_in_netns(
          "/run/netns/" + netns, [&] { snmp = slurp("/proc/thread-self/net/snmp"); }, error))
    throw std::runtime_error(error);
  return verify::retrans_segs(snmp);
}

// TCP sockets of the named namespace to or from `port`, other than listeners
// and TIME-WAIT entries: a socket leaves this list once it has closed.
int netns_tcp_sockets_in_use(const std::string& netns, unsigned port) {
  std::string table, error;
  if (!collect::run_in_netns(
          "/run/netns/" + netns, [&] { table = slurp("/proc/thread-self/net/tcp"); }, error))
    throw std::runtime_error(error);
  constexpr unsigned kTimeWait = 0x06, kListen = 0x0A;
  std::istringstream lines(table);
  std::string line, slot, local, remote;
  int in_use = 0;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    unsigned state = 0;
    fields >> slot >> local >> remote >> std::hex >> state;
    const auto port_of = [](const std::string& a) {
      return std::stoul(a.substr(a.find(':') + 1), nullptr, 16);
    };
    if ((port_of(local) == port || port_of(remote) == port) && state != kTimeWait &&
        state != kListen)
      ++in_use;
  }
  return in_use;
}

// Adds an nftables table to `netns` whose one chain, on `hook`, drops
// `percent`% of the TCP segments to or from `port` at random.
void drop_segments(const std::string& netns, const char* hook, const char* match, int percent) {
  const auto in_ns = [&netns](const std::string& cmd) {
    std::string out;
    ASSERT_EQ(run("ip netns exec " + netns + " " + cmd, &out), 0) << cmd << ": " << out;
  };
  in_ns("nft add table inet kpulse_gt");
  in_ns(std::string("nft 'add chain inet kpulse_gt ") + hook + " { type filter hook " + hook +
        " priority 0; }'");
  in_ns(std::string("nft add rule inet kpulse_gt ") + hook + " " + match +
        " numgen random mod 100 '<' " + std::to_string(percent) + " drop");
}

// Why: kpulse's retransmits disagreed with RetransSegs.
// - 5,399 against the kernel's 4,464 here, 1,386 against 1,183 in CI:
//   tcp_retransmit_skb on newer kernels also fires for attempts given up
//   before the kernel counts them (-EBUSY while the original still sits in a
//   host queue, frequent on a loaded host), and the host-wide comparison
//   summed whichever namespaces existed at each reading.
// - 45 to 90 short in about 1 run in 15 under `stress-ng --cpu 8` on 2 CPUs,
//   with no skipped program runs and no full map: counting the skb in hand
//   missed what the socket's own total_retrans had (bpf/net_retransmits.h).
// - On 6.1 the tracepoint fires only for retransmissions that were sent; the
//   kernel also counts those its own firewall then drops. The client's
//   namespace drops 10% of its outgoing segments, so on 6.1 (vmtest) the old
//   count fell short in every run.
//
// Client and server run in two namespaces joined by a veth pair, in one
// cgroup of their own; the server's namespace drops 3% of its incoming
// segments. Both namespaces' RetransSegs together count exactly what kpulse
// charges to that cgroup (the client's data, and the server's SYN-ACKs and
// FINs), whatever else the host runs (`kpulse verify` compares the host
// figures, which other namespaces coming and going disturb).
TEST(GroundTruth, TcpRetransmitsMatchRetransSegs) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("nft"));
  const int n = getpid() % 200;
  const std::string client_ip = "10.215." + std::to_string(n) + ".1";
  const std::string server_ip = "10.215." + std::to_string(n) + ".2";
  NamespacePair ns("gt-rtx", client_ip, server_ip);
  drop_segments(ns.b(), "input", "tcp dport 5203", 3);
  // Not the SYN: two lost SYNs cost the 3 s transfer (3 retransmits, 1 run
  // in 50 under load).
  drop_segments(ns.a(), "output", "tcp dport 5203 'tcp flags & syn == 0'", 10);
  if (::testing::Test::HasFatalFailure()) return;
  TestCgroup cg("gt-rtx");
  auto collector = make_collector();
  Child server([] { return tcp_sink(5203); }, &cg, ns.b());
  std::this_thread::sleep_for(300ms);
  const auto retrans_segs = [&ns] {
    return netns_retrans_segs(ns.a()) + netns_retrans_segs(ns.b());
  };
  // The interval starts before the first segment and ends once both sockets
  // have closed and stopped retransmitting, so no retransmission falls
  // between the kernel's count and kpulse's drain at either end (the kernel
  // adds to RetransSegs before the tracepoint fires). A retransmission the
  // kernel counted but could not send is charged at the socket's next one
  // or at its close: on 6.1 the last ones of a connection wait for the close
  // (kpulse stood 21 short once when this waited for a quiet count alone).
  const uint64_t at_start = retrans_segs();
  collector.collect_now();
  Child client([&] { return tcp_send_for(server_ip, 5203, 3000ms); }, &cg, ns.a());
  EXPECT_EQ(client.wait(90s), 0);
  const uint64_t at_exit = retrans_segs();
  for (int waited = 0;
       waited < 600 &&
       netns_tcp_sockets_in_use(ns.a(), 5203) + netns_tcp_sockets_in_use(ns.b(), 5203) > 0;
       ++waited)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(netns_tcp_sockets_in_use(ns.a(), 5203) + netns_tcp_sockets_in_use(ns.b(), 5203), 0)
      << "the test's connection did not close within a minute";
  uint64_t at_end = retrans_segs();
  for (int still = 0, waited = 0; still < 5 && waited < 100; ++waited) {
    std::this_thread::sleep_for(100ms);
    const uint64_t now = retrans_segs();
    still = now == at_end ? still + 1 : 0;
    at_end = now;
  }
  model::Snapshot snap = collector.collect_now();
  const uint64_t after_end = retrans_segs();
  const uint64_t skipped = recursion_misses("kp_tcp_retransmit");
  const model::Component* c = snap.find(ComponentKind::Cgroup, cg.path());
  ASSERT_NE(c, nullptr) << cg.path() << " is not in the snapshot";
  const double kpulse = c->delta(MetricId::TcpRetransmits);
  const double low = double(at_end - at_start), high = double(after_end - at_start);
  // What to look at when it fails: whether the retransmissions kpulse missed
  // were counted before the client exited, whether a map was full, and
  // whether the kernel skipped runs of the retransmit programs.
  const model::Component* agent = snap.find(ComponentKind::Agent, "kpulse");
  std::cout << "tcp.retransmits " << cg.path() << ": kpulse " << kpulse << ", kernel " << low
            << ".." << high << " (" << double(at_exit - at_start)
            << " when the client exited); BPF map-full events "
            << (agent ? agent->delta(MetricId::SelfMapFull) : -1)
            << ", retransmit program runs skipped " << skipped << '\n';
  EXPECT_GE(high, 20) << "too few retransmits to compare";
  // Where the tracepoint has no `err` (6.1) it skips a retransmission the
  // kernel counted but could not send; a socket's first one, missed so, is
  // under the baseline its storage starts from: at most one 64 KiB train
  // (45 segments) for each of the two sockets (vmtest: 232 against 239 once).
  const bool reports_err =
      slurp("/sys/kernel/tracing/events/tcp/tcp_retransmit_skb/format").find(" err;") !=
      std::string::npos;
  EXPECT_GE(kpulse, low - (reports_err ? 0 : 2 * 45));
  EXPECT_LE(kpulse, high);
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
