// Loads the real probes on this kernel, drives real workloads, and checks
// that the figures land on the right component.
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "collect/cgroup_layout.h"
#include "engine/collector.h"
#include "model/clock.h"
#include "model/listeners_exits.h"
#include "probes/kernel_features.h"
#include "probes/probe_set.h"
#include "tcp_peer.h"
#include "test_env.h"
#include "udp_peer.h"

namespace kpulse::testing {
namespace {

using model::ComponentKind;
using model::MetricId;
using namespace std::chrono_literals;

engine::Collector make_collector(std::vector<std::string> groups = {}) {
  engine::CollectorOptions o;
  o.interval = 1000ms;
  o.probe_groups = std::move(groups);
  o.max_processes = 2000;
  return engine::Collector(o);
}

const model::HistogramSample* histogram(const model::Snapshot& s, ComponentKind kind,
                                        const std::string& id, MetricId metric) {
  const model::Component* c = s.find(kind, id);
  return c ? c->find_histogram(metric) : nullptr;
}

TEST(ProbesIntegration, AllGroupsAttachOnThisKernel) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  auto collector = make_collector();
  for (const auto& g : collector.probes().groups) {
    EXPECT_TRUE(g.active) << g.name << ": " << g.reason;
    for (const auto& h : g.hooks) {
      if (h.attached) {
        EXPECT_FALSE(h.rung.empty()) << g.name << "/" << h.hook;
      }
    }
  }
}

// A task's wait on a run queue, as the kernel's schedstat counts it.
double run_delay_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  double run_ns = 0, delay_ns = 0;
  in >> run_ns >> delay_ns;
  return delay_ns * 1e-9;
}

// Where the kernel keeps each task's enqueue stamp (sched_info.last_queued),
// sched_switch measures run-queue delay from it (the wakeup hooks only mark
// the clock), and a
// cgroup's delay is what the kernel counts for its tasks (/proc/PID/schedstat),
// also across migrations (the kernel restarts the stamp on the new queue;
// sched_migrate_task adds the old queue's part), not a second clock's
// approximation.
TEST(ProbesIntegration, SchedSwitchReadsTheKernelsRunQueueStamps) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  if (!features.has_field("task_struct", "sched_info.last_queued"))
    GTEST_SKIP() << "kernel without CONFIG_SCHED_INFO";
  TestCgroup cg("rqstamps");
  auto collector = make_collector({"sched"});
  for (const auto& g : collector.probes().groups) {
    if (g.name != "sched") continue;
    for (const auto& h : g.hooks) EXPECT_TRUE(h.attached) << h.hook << ": " << h.error;
    ASSERT_FALSE(g.reads.empty());
    EXPECT_NE(g.reads[0].find("sched_info.last_queued"), std::string::npos) << g.reads[0];
  }
  // Three busy loops on two CPUs queue behind each other, and the load
  // balancer moves them while they wait. Stopped around both drains, so
  // both sides start and stop counting at the same points, whatever the
  // drains' timing.
  std::vector<std::unique_ptr<Child>> hogs;
  for (int i = 0; i < 3; ++i) hogs.push_back(std::make_unique<Child>("while :; do :; done", &cg));
  auto stopped_delay = [&] {
    for (const auto& h : hogs) EXPECT_EQ(::kill(h->pid(), SIGSTOP), 0);
    std::this_thread::sleep_for(300ms);  // each has left its CPU for good
    double sum = 0;
    for (const auto& h : hogs) sum += run_delay_s(h->pid());
    return sum;
  };
  std::this_thread::sleep_for(300ms);  // each is in the cgroup and running
  const double kernel_before = stopped_delay();
  collector.collect_now();
  for (const auto& h : hogs) ASSERT_EQ(::kill(h->pid(), SIGCONT), 0);
  std::this_thread::sleep_for(1500ms);
  const double kernel = stopped_delay() - kernel_before;
  model::Snapshot snap = collector.collect_now();
  const model::Component* c = snap.find(ComponentKind::Cgroup, cg.path());
  ASSERT_NE(c, nullptr);
  const auto* h = c->find_histogram(MetricId::SchedRunqLatency);
  ASSERT_NE(h, nullptr);
  const double kpulse = double(h->delta.sum_ns) * 1e-9;
  EXPECT_GT(kernel, 0.05);  // they did wait
  EXPECT_NEAR(kpulse, kernel, 0.05 * kernel + 0.02)
      << "kpulse's samples " << h->total.count << ", this interval " << h->delta.count;
}

// A pipe ping-pong whose sides sleep between rounds: each wakeup lands on an
// idle CPU and preempts its idle task, the case where the kernel skips the
// run-queue clock update, so its stamps read the wait as 0. A real wait
// takes at least the wakeup's path (a microsecond or more), and
// libbpf-tools' runqlat, timing the same waits on its own clock over the
// same window, is the peer for where the host's median lies.
int ping_pong_with_sleeps(std::chrono::milliseconds run_for) {
  int to_partner[2], to_us[2];
  if (::pipe(to_partner) != 0 || ::pipe(to_us) != 0) return 2;
  const pid_t partner = ::fork();
  if (partner == 0) {
    char c = 0;
    while (::read(to_partner[0], &c, 1) == 1 && c != 'q')
      if (::write(to_us[1], &c, 1) != 1) break;
    ::_exit(0);
  }
  const auto end = std::chrono::steady_clock::now() + run_for;
  char c = 'x';
  while (std::chrono::steady_clock::now() < end) {
    if (::write(to_partner[1], &c, 1) != 1 || ::read(to_us[0], &c, 1) != 1) return 3;
    std::this_thread::sleep_for(1ms);
  }
  c = 'q';
  (void)!::write(to_partner[1], &c, 1);
  int status = 0;
  ::waitpid(partner, &status, 0);
  return 0;
}

// runqlat's histogram (lines "lo -> hi : count", in microseconds): the
// upper bound of the bucket holding the median, in ns; 0 when unreadable.
double runqlat_median_upper_ns(const std::string& text) {
  std::vector<std::pair<double, double>> buckets;  // (hi µs, count)
  std::istringstream in(text);
  std::string line;
  double total = 0;
  while (std::getline(in, line)) {
    double lo = 0, hi = 0, count = 0;
    if (std::sscanf(line.c_str(), " %lf -> %lf : %lf", &lo, &hi, &count) == 3) {
      buckets.emplace_back(hi + 1, count);
      total += count;
    }
  }
  double seen = 0;
  for (const auto& [hi, count] : buckets)
    if ((seen += count) >= total / 2 && total > 0) return hi * 1000;
  return 0;
}

TEST(ProbesIntegration, AWaitAfterAPreemptingWakeupIsTimedNotReadAsZero) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("rqwake");
  auto collector = make_collector({"sched"});
  const bool peer = ::access("/usr/sbin/runqlat", X_OK) == 0;
  const std::string peer_out = (std::filesystem::temp_directory_path() /
                                ("kpulse-test-runqlat-" + std::to_string(::getpid())))
                                   .string();
  std::unique_ptr<Child> runqlat;
  if (peer) {
    runqlat =
        std::make_unique<Child>("exec /usr/sbin/runqlat 3 1 > " + peer_out + " 2>&1", nullptr);
    std::this_thread::sleep_for(1500ms);  // loaded and attached (it prints when it is)
  }
  Child pingpong([] { return ping_pong_with_sleeps(4s); }, &cg);
  collector.collect_now();
  std::this_thread::sleep_for(3s);
  model::Snapshot snap = collector.collect_now();
  ASSERT_EQ(pingpong.wait(30s), 0);

  const auto* h = histogram(snap, ComponentKind::Cgroup, cg.path(), MetricId::SchedRunqLatency);
  ASSERT_NE(h, nullptr);
  ASSERT_GT(h->delta.count, 500u);
  uint64_t under_256ns = 0;  // no wakeup gets a task running that fast
  for (int slot = 0; slot < 8; ++slot) under_256ns += h->delta.slots[slot];
  EXPECT_LT(double(under_256ns), 0.02 * double(h->delta.count))
      << under_256ns << " of " << h->delta.count << " waits read under 256 ns; p50 "
      << h->delta.quantile_ns(0.5) << " ns";
  if (!peer) {
    std::cerr << "runqlat (libbpf-tools) not installed: the peer comparison is skipped\n";
    return;
  }
  ASSERT_EQ(runqlat->wait(30s), 0);
  const std::string peer_text = slurp(peer_out);
  std::filesystem::remove(peer_out);
  const double peer_median_hi = runqlat_median_upper_ns(peer_text);
  ASSERT_GT(peer_median_hi, 0) << peer_text;
  const auto* host = histogram(snap, ComponentKind::Host, "host", MetricId::SchedRunqLatency);
  ASSERT_NE(host, nullptr);
  // The same host median within a factor of 2 of runqlat's bucket
  // [hi/2, hi): log2 buckets, a window a few milliseconds apart.
  const double p50 = host->delta.quantile_ns(0.5);
  EXPECT_GT(p50, peer_median_hi / 4) << peer_text;
  EXPECT_LT(p50, peer_median_hi * 2) << peer_text;
}

// Where cgroup2 is mounted (every host kpulse supports but pure v1), TCP bytes
// come from cgroup_skb programs on its root: they see only IP packets, so a
// Unix-socket or pipe storm runs no kpulse code for its bytes.
TEST(ProbesIntegration, TcpBytesComeFromCgroupSkbProgramsOnTheCgroup2Root) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  const std::string root = probes::find_cgroup2_mount();
  ASSERT_EQ(root, collect::detect_cgroup_layout().v2_root);
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount: tracepoints count TCP bytes";
  auto collector = make_collector({"net"});
  int seen = 0;
  for (const auto& g : collector.probes().groups)
    for (const auto& h : g.hooks)
      if (h.hook == "ip_send_bytes" || h.hook == "ip_recv_bytes") {
        ++seen;
        EXPECT_TRUE(h.attached) << h.hook << ": " << h.error;
        EXPECT_EQ(h.rung, "cgroup_skb") << h.hook << ": " << h.error;
      }
  EXPECT_EQ(seen, 2);
}

TEST(ProbesIntegration, CpuHogInItsCgroupShowsOnCpuTimeAndRunQueueLatency) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("cpuhog");
  auto collector = make_collector({"sched"});
  // Three busy loops on two CPUs: they must queue behind each other.
  const int hogs = 3;
  std::vector<std::unique_ptr<Child>> children;
  for (int i = 0; i < hogs; ++i)
    children.push_back(std::make_unique<Child>("while :; do :; done", &cg));
  collector.next();  // the interval in which they started
  model::Snapshot snap = collector.next();

  const model::Component* c = snap.find(ComponentKind::Cgroup, cg.path());
  ASSERT_NE(c, nullptr) << "cgroup " << cg.path() << " missing from snapshot";
  // On-CPU time is the kernel's own accounting of the cgroup (cpu.stat);
  // BPF counts none. How much the hogs get depends on what else this shared
  // machine runs, so that is not the oracle; a fair share of it is the floor.
  const double usage = c->delta(MetricId::CgCpuUsage);
  ASSERT_FALSE(std::isnan(usage)) << "cgroupfs cpu.stat missing for " << cg.path();
  EXPECT_GT(usage, 0.05 * snap.interval_s);  // they ran (the rest depends on the machine's load)
  EXPECT_TRUE(std::isnan(c->delta(MetricId::SchedOncpuTime)));
  const auto* h = c->find_histogram(MetricId::SchedRunqLatency);
  ASSERT_NE(h, nullptr);
  EXPECT_GT(h->delta.count, 10u);
  // Waiting behind another hog for a slice takes milliseconds, not microseconds.
  EXPECT_GT(h->delta.quantile_ns(0.99), 1e6);
  // The same waits are in the root (hierarchical roll-up), and each hog is
  // listed, read from /proc because BPF marked it as having run.
  const auto* root = histogram(snap, ComponentKind::Cgroup, "/", MetricId::SchedRunqLatency);
  ASSERT_NE(root, nullptr);
  EXPECT_GE(root->delta.count, h->delta.count);
  int hog_processes = 0;
  for (const auto& p : snap.components)
    if (p.kind == ComponentKind::Process && p.parent == cg.path()) {
      ++hog_processes;
      EXPECT_GT(p.delta(MetricId::ProcCpuTime), 0.01 * snap.interval_s) << p.id;
    }
  EXPECT_EQ(hog_processes, hogs);
  // Per-CPU run-queue latency saw the contention too.
  const auto* cpu0 = histogram(snap, ComponentKind::Cpu, "cpu0", MetricId::SchedRunqLatency);
  ASSERT_NE(cpu0, nullptr);
  EXPECT_GT(cpu0->delta.count, 0u);
}

TEST(ProbesIntegration, DirectIoToLoopDeviceCountsOpsBytesAndLatency) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LoopDevice loop(64);
  TestCgroup cg("dio");
  auto collector = make_collector({"block"});
  collector.collect_now();  // baseline
  const int mib = 32;
  Child writer("dd if=/dev/zero of=" + loop.device() + " bs=1M count=" + std::to_string(mib) +
                   " oflag=direct status=none && dd if=" + loop.device() +
                   " of=/dev/null bs=1M count=" + std::to_string(mib) + " iflag=direct status=none",
               &cg);
  ASSERT_EQ(writer.wait(60s), 0);
  model::Snapshot snap = collector.collect_now();

  const double bytes = mib * 1024.0 * 1024.0;
  const model::Component* disk = snap.find(ComponentKind::Disk, loop.name());
  ASSERT_NE(disk, nullptr) << loop.name();
  EXPECT_EQ(disk->delta(MetricId::BlkWriteBytes), bytes);
  EXPECT_EQ(disk->delta(MetricId::BlkReadBytes), bytes);
  const double ops = disk->delta(MetricId::BlkWriteOps) + disk->delta(MetricId::BlkReadOps);
  EXPECT_GE(ops, 2 * mib);  // at most 1 MiB per request here
  const auto* dev = disk->find_histogram(MetricId::BlkDeviceLatency);
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(double(dev->delta.count), ops);
  EXPECT_GT(dev->delta.quantile_ns(0.5), 1000);  // a 1 MiB copy takes more than 1 us
  EXPECT_EQ(disk->delta(MetricId::BlkErrors), 0);

  // The cgroup also read dd itself from the root disk when it started.
  const model::Component* c = snap.find(ComponentKind::Cgroup, cg.path());
  ASSERT_NE(c, nullptr);
  EXPECT_GE(c->delta(MetricId::BlkWriteBytes), bytes);
  EXPECT_LT(c->delta(MetricId::BlkWriteBytes), bytes + 4 * 1024 * 1024);
  EXPECT_GE(c->delta(MetricId::BlkReadBytes), bytes);
  EXPECT_LT(c->delta(MetricId::BlkReadBytes), bytes + 4 * 1024 * 1024);
}

// What a request carries between its hooks (its submitter's cgroup, the
// issue stamp) sits in a slot picked by its tag: the scheduler's tag on a
// queue with an I/O scheduler, the driver's on one without, so both must
// name the same slot at every hook. Two disks written at once from two
// cgroups, one with mq-deadline: each cgroup is charged exactly its disk's
// bytes (a request that lost its slot would be charged to no cgroup).
TEST(ProbesIntegration, RequestsOfTwoQueuesWithAndWithoutSchedulerKeepTheirCgroup) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LoopDevice plain(32), scheduled(32);
  const std::string sched_file = "/sys/block/" + scheduled.name() + "/queue/scheduler";
  std::ofstream(sched_file) << "mq-deadline";
  std::string schedulers;
  std::getline(std::ifstream(sched_file), schedulers);
  if (schedulers.find("[mq-deadline]") == std::string::npos)
    GTEST_SKIP() << "mq-deadline not available: " << schedulers;
  TestCgroup cg_plain("tag-plain"), cg_sched("tag-sched");
  auto collector = make_collector({"block"});
  collector.collect_now();  // baseline
  const int mib = 24;
  const auto writes = [&](const LoopDevice& loop) {
    return "dd if=/dev/zero of=" + loop.device() + " bs=1M count=" + std::to_string(mib) +
           " oflag=direct status=none";
  };
  Child a(writes(plain), &cg_plain), b(writes(scheduled), &cg_sched);
  ASSERT_EQ(a.wait(60s), 0);
  ASSERT_EQ(b.wait(60s), 0);
  model::Snapshot snap = collector.collect_now();

  const double bytes = mib * 1024.0 * 1024.0;
  for (const auto* loop : {&plain, &scheduled}) {
    const model::Component* disk = snap.find(ComponentKind::Disk, loop->name());
    ASSERT_NE(disk, nullptr) << loop->name();
    EXPECT_EQ(disk->delta(MetricId::BlkWriteBytes), bytes) << loop->name();
  }
  for (const auto* cg : {&cg_plain, &cg_sched}) {
    const model::Component* c = snap.find(ComponentKind::Cgroup, cg->path());
    ASSERT_NE(c, nullptr) << cg->path();
    // Its dd's own pages, read from the root disk when it started, aside.
    EXPECT_EQ(c->delta(MetricId::BlkWriteBytes), bytes) << cg->path();
  }
}

// Each completion is counted once per (disk, cgroup); a disk's figures are
// the sums. A removed cgroup's entries are deleted, but what they counted
// must stay in the disk's totals: otherwise, once the cgroup is forgotten,
// the disk's counters go back, or vanish where its entries were the disk's
// only ones.
TEST(ProbesIntegration, ARemovedCgroupsIoStaysInItsDisksTotals) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LoopDevice loop(16);
  auto cg = std::make_unique<TestCgroup>("gone-io");
  auto collector = make_collector({"block"});
  collector.collect_now();  // baseline
  const std::string write_8mib =
      "dd if=/dev/zero of=" + loop.device() + " bs=1M count=8 oflag=direct status=none";
  {
    Child writer(write_8mib, cg.get());
    ASSERT_EQ(writer.wait(60s), 0);
  }
  const double bytes = 8 * 1024.0 * 1024.0;
  model::Snapshot snap = collector.collect_now();
  const model::Component* c = snap.find(ComponentKind::Cgroup, cg->path());
  ASSERT_NE(c, nullptr);
  EXPECT_GE(c->delta(MetricId::BlkWriteBytes), bytes);
  const model::Component* disk = snap.find(ComponentKind::Disk, loop.name());
  ASSERT_NE(disk, nullptr);
  const double total = disk->value(MetricId::BlkWriteBytes);
  EXPECT_GE(total, bytes);

  // The cgroup goes. The collector keeps naming a removed cgroup until its
  // next cgroup walk and forgets its BPF entries after that: 12 intervals,
  // with a cgroup made and removed twice so the tree changes (walks follow
  // changes of the tree, not only time).
  const std::string path = cg->path();
  cg.reset();
  int gone = 0;
  for (int i = 0; i < 12; ++i) {
    if (i == 2 || i == 7) TestCgroup nudge("walk-nudge");
    std::this_thread::sleep_for(1s);
    snap = collector.collect_now();
    if (!snap.find(ComponentKind::Cgroup, path)) ++gone;
    disk = snap.find(ComponentKind::Disk, loop.name());
    if (!disk) continue;  // no I/O this interval
    EXPECT_LT(disk->delta(MetricId::BlkWriteBytes), bytes) << "interval " << i;
    EXPECT_GE(disk->value(MetricId::BlkWriteBytes), total) << "interval " << i;
  }
  EXPECT_GE(gone, 2) << path << " is still listed";
  {
    Child writer(write_8mib, nullptr);
    ASSERT_EQ(writer.wait(60s), 0);
  }
  snap = collector.collect_now();
  disk = snap.find(ComponentKind::Disk, loop.name());
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(disk->delta(MetricId::BlkWriteBytes), bytes);
  EXPECT_EQ(disk->value(MetricId::BlkWriteBytes), total + bytes);
}

// A transfer that ends only when the receiver has read every byte: the
// sender shuts its side down and waits for the receiver to close. (iperf3's
// server stops reading when the test ends, so part of what its client wrote
// may never leave the send buffer; kpulse counts bytes as they go out.)
TEST(ProbesIntegration, LoopbackTcpTransferIsChargedToTheSendersCgroup) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup sender("tcpsend");
  TestCgroup receiver("tcprecv");
  const int port = 20000 + getpid() % 20000;
  Child server([port] { return tcp_sink(port); }, &receiver);
  std::this_thread::sleep_for(300ms);
  auto collector = make_collector({"net"});
  collector.collect_now();
  constexpr int kMib = 50;
  Child client([port] { return tcp_send_all("127.0.0.1", port, std::size_t(kMib) << 20); },
               &sender);
  ASSERT_EQ(client.wait(60s), 0);
  server.wait(10s);
  model::Snapshot snap = collector.collect_now();

  const double bytes = kMib * 1024.0 * 1024.0;
  const model::Component* s = snap.find(ComponentKind::Cgroup, sender.path());
  ASSERT_NE(s, nullptr);
  EXPECT_GE(s->delta(MetricId::TcpTxBytes), bytes);
  // Retransmissions count too: rare on loopback, a few percent on a busy host.
  EXPECT_LT(s->delta(MetricId::TcpTxBytes), bytes * 1.05);
  EXPECT_GE(s->delta(MetricId::TcpActiveOpens), 1);
  const auto* lat = s->find_histogram(MetricId::TcpConnectLatency);
  ASSERT_NE(lat, nullptr);
  EXPECT_GE(lat->delta.count, 1u);
  const model::Component* r = snap.find(ComponentKind::Cgroup, receiver.path());
  ASSERT_NE(r, nullptr);
  EXPECT_GE(r->delta(MetricId::TcpRxBytes), bytes);  // it read to the end
  EXPECT_LT(r->delta(MetricId::TcpRxBytes), bytes * 1.05);
  EXPECT_GE(r->delta(MetricId::TcpPassiveOpens), 1);
  EXPECT_LT(r->delta(MetricId::TcpTxBytes), bytes * 0.01);  // the receiver sent only ACKs
}

// A datagram workload moves its bytes outside TCP; before UDP was counted, a
// cgroup streaming datagrams showed no network use at all (and was labelled
// by its CPU). Every datagram the sender handed to the kernel leaves once;
// what reaches the sink's socket lies between what it read and what was sent.
TEST(ProbesIntegration, LoopbackUdpDatagramsAreChargedToTheSendersAndReceiversCgroups) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup sender("udpsend");
  TestCgroup receiver("udprecv");
  const int port = 20000 + (getpid() + 7) % 20000;
  auto collector = make_collector({"net"});
  collector.collect_now();
  constexpr int kDatagrams = 3000;
  constexpr std::size_t kSize = 1400;
  std::string error;
  const auto read_bytes = udp_exchange(sender, receiver, port, kDatagrams, kSize, error);
  ASSERT_TRUE(read_bytes.has_value()) << error;
  model::Snapshot snap = collector.collect_now();
  const double sent = double(kDatagrams) * double(kSize);
  const double read = double(*read_bytes);

  const model::Component* s = snap.find(ComponentKind::Cgroup, sender.path());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->delta(MetricId::UdpTxBytes), sent);
  EXPECT_EQ(s->delta(MetricId::UdpRxBytes), 0);
  EXPECT_EQ(s->delta(MetricId::TcpTxBytes), 0);  // datagrams are not TCP
  const model::Component* r = snap.find(ComponentKind::Cgroup, receiver.path());
  ASSERT_NE(r, nullptr);
  EXPECT_GE(r->delta(MetricId::UdpRxBytes), read);
  EXPECT_LE(r->delta(MetricId::UdpRxBytes), sent);
  EXPECT_GT(read, 0.5 * sent);  // the pacing kept most of them
  EXPECT_EQ(r->delta(MetricId::UdpTxBytes), 0);
  EXPECT_EQ(r->delta(MetricId::TcpRxBytes), 0);
  // The host sums its cgroups.
  const model::Component* host = snap.host();
  ASSERT_NE(host, nullptr);
  EXPECT_GE(host->delta(MetricId::UdpTxBytes), sent);
}

TEST(ProbesIntegration, PacketLossFromNftablesCausesRetransmitsInTheSendersCgroup) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("nft"));
  VethNamespace ns("loss", "10.213.7.1", "10.213.7.2");
  // Drop 3% of the data packets arriving in the namespace, at random.
  std::string out;
  ASSERT_EQ(ns.exec("nft add table inet kpulse_loss", &out), 0) << out;
  ASSERT_EQ(ns.exec("nft 'add chain inet kpulse_loss input { type filter hook input priority 0; }'",
                    &out),
            0)
      << out;
  ASSERT_EQ(ns.exec("nft add rule inet kpulse_loss input tcp dport 5201 numgen random mod 100 "
                    "'<' 3 drop",
                    &out),
            0)
      << out;
  Child server([] { return tcp_sink(5201); }, nullptr, ns.name());
  std::this_thread::sleep_for(400ms);
  TestCgroup sender("lossy");
  auto collector = make_collector({"net"});
  collector.collect_now();
  Child client([] { return tcp_send_all("10.213.7.2", 5201, std::size_t(20) << 20); }, &sender);
  ASSERT_EQ(client.wait(90s), 0);
  model::Snapshot snap = collector.collect_now();

  const model::Component* c = snap.find(ComponentKind::Cgroup, sender.path());
  ASSERT_NE(c, nullptr);
  EXPECT_GT(c->delta(MetricId::TcpRetransmits), 0);
  // Every byte left the sender, some twice (3% of data packets dropped).
  EXPECT_GE(c->delta(MetricId::TcpTxBytes), 20.0 * 1024 * 1024);
  EXPECT_LT(c->delta(MetricId::TcpTxBytes), 20.0 * 1024 * 1024 * 1.25);
  // The drops themselves are seen with their reason.
  const model::Component* host = snap.host();
  ASSERT_NE(host, nullptr);
  double netfilter = 0;
  for (const auto& l : host->labeled)
    if (l.id == MetricId::NetDrops && l.label == "netfilter_drop") netfilter = l.delta;
  EXPECT_GT(netfilter, 0);
}

TEST(ProbesIntegration, FloodedListenerWithTinyBacklogShowsAcceptQueueOverflows) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  auto collector = make_collector({"net"});
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);  // never accepted: the queue fills at once
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  collector.collect_now();

  std::vector<int> clients;
  for (int i = 0; i < 40; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // in progress
    clients.push_back(fd);
  }
  std::this_thread::sleep_for(1500ms);  // SYN retries hit the full queue again
  model::Snapshot snap = collector.collect_now();
  for (int fd : clients) close(fd);
  close(listener);

  const std::vector<model::Listener> listeners = model::listeners(snap);
  const model::Listener* found = nullptr;
  for (const auto& l : listeners)
    if (l.address == address) found = &l;
  ASSERT_NE(found, nullptr) << address << " not among the snapshot's listeners";
  EXPECT_EQ(found->backlog, 1u);
  EXPECT_GT(found->queued, found->backlog);  // the queue is over its limit: saturated
  const model::Component* host = snap.host();
  ASSERT_NE(host, nullptr);
  EXPECT_GT(host->delta(MetricId::TcpListenOverflows), 0);
}

// A thread's switches wait in its task storage and reach its process's entry
// in batches (bpf/sched.bpf.c, KP_FOLD_SWITCHES): at most 7 per thread may be
// late, and a thread that exits hands over everything it had pending.
// The sched group marks the processes that got a CPU; the engine reads
// /proc for those every interval and scans the rest only every few. A
// process that wakes from a long sleep and burns CPU between two scans is
// listed that interval with its fresh CPU time, not the last scan's.
TEST(ProbesIntegration, ProcessThatRanBetweenScansIsReadThatInterval) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  int go[2], done[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(done), 0);
  // Burns 300 ms of its own CPU time (however long the shared machine
  // makes that take), says so, and blocks.
  Child child(
      [&] {
        close(go[1]);
        close(done[0]);
        char c;
        if (read(go[0], &c, 1) != 1) return 1;
        struct timespec ts {};
        do {
          clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        } while (ts.tv_sec == 0 && ts.tv_nsec < 300'000'000);
        if (write(done[1], "d", 1) != 1) return 1;
        (void)read(go[0], &c, 1);  // until the test closes the pipe
        return 0;
      },
      nullptr);
  close(go[0]);
  close(done[1]);
  const pid_t pid = child.pid();
  auto collector = make_collector({"sched"});
  collector.collect_now();  // scans /proc
  collector.collect_now();  // not a scan interval (nor is the next)
  ASSERT_EQ(write(go[1], "g", 1), 1);
  char c;
  ASSERT_EQ(read(done[0], &c, 1), 1);
  model::Snapshot snap = collector.collect_now();
  close(go[1]);
  close(done[0]);
  EXPECT_EQ(child.wait(10s), 0);
  const model::Component* p = snap.find(ComponentKind::Process, std::to_string(pid));
  ASSERT_NE(p, nullptr) << "process " << pid << " not listed";
  // 300 ms of CPU, give or take the clock ticks /proc counts in.
  EXPECT_GT(p->delta(MetricId::ProcCpuTime), 0.2);
}

std::string describe_exits(const model::Snapshot& s) {
  std::string out;
  for (const auto& e : model::exited_tasks(s))
    out += e.comm + "(" + std::to_string(e.tgid) + ") in '" + e.cgroup + "'; ";
  return out;
}

TEST(ProbesIntegration, ShortLivedProcessIsCountedAtExit) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("short");
  auto collector = make_collector({"sched"});
  collector.collect_now();
  // Busy for a fraction of a second, then gone before the interval ends.
  const double spawned_s = double(model::wall_clock_ns()) * 1e-9;
  Child child("i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done", &cg);
  ASSERT_EQ(child.wait(30s), 0);
  const double reaped_s = double(model::wall_clock_ns()) * 1e-9;
  model::Snapshot snap = collector.collect_now();
  const std::vector<model::ExitedTask> exited = model::exited_tasks(snap);
  const model::ExitedTask* found = nullptr;
  for (const auto& e : exited)
    if (e.cgroup == cg.path()) found = &e;
  ASSERT_NE(found, nullptr) << "no exit record for " << cg.path() << " among " << exited.size()
                            << " exits: " << describe_exits(snap);
  EXPECT_EQ(found->comm, "sh");
  EXPECT_GT(found->cpu_time_s, 0.05);
  EXPECT_GE(found->lifetime_s, found->cpu_time_s * 0.9);
  // Its exit on the snapshot's wall clock (BPF stamps it on the monotonic
  // one): after it was started, before its parent saw it gone (1 ms of
  // slack for the two clocks' offset, read at another moment).
  EXPECT_GT(found->exit_time_s, spawned_s + found->lifetime_s - 1e-3);
  EXPECT_LT(found->exit_time_s, reaped_s + 1e-3);
  // Its waits stay in its cgroup after it is gone (its CPU time is in the
  // kernel's cpu.stat).
  const auto* h = histogram(snap, ComponentKind::Cgroup, cg.path(), MetricId::SchedRunqLatency);
  ASSERT_NE(h, nullptr);
  EXPECT_GT(h->delta.count, 0u);
}

TEST(ProbesIntegration, ForkChurnLeavesNoEntriesBehind) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  auto collector = make_collector({"sched"});
  auto entries = [&] {
    unsigned n = 0;
    bool seen = false;
    for (const auto& u : collector.map_usage())
      if (u.map.starts_with("kp_sched")) {
        n += u.entries;
        seen = true;
      }
    return seen ? n : ~0u;
  };
  auto processes_alive = [] {
    size_t alive = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc"))
      alive += std::isdigit(static_cast<unsigned char>(e.path().filename().string()[0])) != 0;
    return alive;
  };
  // kp_sched_cgroups holds an entry per cgroup whose per-CPU cell another
  // cgroup holds: a host running many cgroups (a scale benchmark beside the
  // tests) may keep one per cgroup, which is no leak.
  auto cgroups_present = [] {
    size_t n = 0;
    std::error_code ec;
    const std::string root = collect::detect_cgroup_layout().v2_root;
    for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end;
         it.increment(ec))
      n += it->is_directory(ec);
    return n + 1;
  };
  const unsigned before = entries();
  ASSERT_NE(before, ~0u);
  // Enough processes that an entry left per process would stand far above
  // the bound below: three times it, at least 300. A fixed 3000 took most of
  // the vmtest guest's 15 minutes under QEMU's emulation, where a fork costs
  // a hundred times more and the guest runs a few dozen processes.
  const size_t forks = std::max<size_t>(300, 3 * (processes_alive() + cgroups_present() + 50));
  Child churn("for i in $(seq " + std::to_string(forks) + "); do /bin/true; done", nullptr);
  ASSERT_EQ(churn.wait(120s), 0);
  model::Snapshot snap = collector.collect_now();
  // The processes ran and exited; no map keeps an entry per process (the
  // marks of which ran are a fixed array). What remains is bounded by the
  // processes alive now (others start and stop on a shared machine) and the
  // cgroups there are, far below the number that exited.
  const size_t alive = processes_alive(), cgroups = cgroups_present();
  EXPECT_LT(entries(), alive + cgroups + 50)
      << "before " << before << ", alive " << alive << ", cgroups " << cgroups;
  EXPECT_GE(model::exited_tasks(snap).size(), forks * 29 / 30)
      << forks << " forks";  // each reported at exit
}

// The cell index sched.bpf.c gives a cgroup id in kp_sched_cells.
uint32_t sched_cell_index(uint64_t cgroup_id) {
  return uint32_t((cgroup_id * 0x9E3779B97F4A7C15ULL) >> (64 - 8));
}

uint64_t cgroup_dir_id(const std::string& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 ? st.st_ino : 0;
}

// `sleeps` sleeps of 1 ms on CPU 0: at least that many switch-ins there.
int sleep_on_cpu0(int sleeps) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof(one), &one) != 0) return 1;
  for (int i = 0; i < sleeps; ++i) usleep(1000);
  return 0;
}

// A cgroup's switch-ins count in a per-CPU cell picked by hashing its id
// (kp_sched_cgroups only where the cell counts another cgroup). Once a
// removed cgroup is forgotten it is no longer reported, and the next cgroup
// hashing to its cell takes the cell back with counts from zero, not the
// removed one's.
TEST(ProbesIntegration, ARemovedCgroupsSchedCellsGoToTheNextCgroupFromZero) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::ProbeSetOptions options;
  options.groups = {"sched"};
  probes::ProbeSet set(options);
  auto gone = std::make_unique<TestCgroup>("cell-gone");
  const uint64_t gone_id = cgroup_dir_id(gone->dir());
  {
    Child sleeper([] { return sleep_on_cpu0(300); }, gone.get());
    ASSERT_EQ(sleeper.wait(60s), 0);
  }
  probes::BpfTotals t = set.drain();
  ASSERT_TRUE(t.cgroups.contains(gone_id));
  // Most of the 300 wakeups: one CI run on a busy host counted 299 (likely a
  // sleep whose timer fired while the sleeper was preempted before it got to
  // schedule(), so it never switched out).
  const uint64_t gone_count = t.cgroups[gone_id].sched.runq_latency.count;
  EXPECT_GE(gone_count, 270u);

  gone.reset();
  set.forget_cgroups({gone_id});
  t = set.drain();
  EXPECT_FALSE(t.cgroups.contains(gone_id)) << "a forgotten cgroup is still reported";

  // Cgroup ids are never reused: make cgroups until one hashes to its cell.
  std::unique_ptr<TestCgroup> next;
  uint64_t next_id = 0;
  for (int i = 0; i < 8192 && !next; ++i) {
    auto c = std::make_unique<TestCgroup>("cell-next" + std::to_string(i));
    const uint64_t id = cgroup_dir_id(c->dir());
    if (sched_cell_index(id) != sched_cell_index(gone_id)) continue;
    next = std::move(c);
    next_id = id;
  }
  ASSERT_NE(next, nullptr) << "no cgroup hashed to the removed one's cell";
  {
    Child sleeper([] { return sleep_on_cpu0(100); }, next.get());
    ASSERT_EQ(sleeper.wait(60s), 0);
  }
  t = set.drain();
  ASSERT_TRUE(t.cgroups.contains(next_id));
  const auto count = t.cgroups[next_id].sched.runq_latency.count;
  // Most of the 100 wakeups (one CI run on a busy host counted 99, as
  // above). What this test is about is the upper bound: the removed
  // cgroup's count or more would be its counts carried over.
  EXPECT_GE(count, 90u);
  EXPECT_LT(count, gone_count) << "the removed cgroup's counts were carried over";
  EXPECT_FALSE(t.cgroups.contains(gone_id));
}

}  // namespace
}  // namespace kpulse::testing
