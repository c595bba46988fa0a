// Ground truth for TCP retransmits: client and server run in two network
// namespaces joined by a veth pair, in one cgroup of their own, with
// nftables dropping some of their segments. Both namespaces' RetransSegs
// together count exactly what kpulse charges to that cgroup (the client's
// data, and the server's SYN-ACKs and FINs), whatever else the host runs
// (`kpulse verify` compares the host figures, which other namespaces coming
// and going disturb).
#include <bpf/bpf.h>
#include <unistd.h>

#include <chrono>
#include <functional>
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
#include "verify/kernel_counters.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
using model::ComponentKind;
using model::MetricId;

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
// `percent`% of the TCP segments to or from `port` at random. The table
// (kpulse_gt_<hook>) goes with the namespace, or with stop_dropping.
void drop_segments(const std::string& netns, const char* hook, const char* match, int percent) {
  const auto in_ns = [&netns](const std::string& cmd) {
    std::string out;
    ASSERT_EQ(run("ip netns exec " + netns + " " + cmd, &out), 0) << cmd << ": " << out;
  };
  const std::string table = std::string("inet kpulse_gt_") + hook;
  in_ns("nft add table " + table);
  in_ns("nft 'add chain " + table + " " + hook + " { type filter hook " + hook + " priority 0; }'");
  const std::string sample =
      percent < 100 ? " numgen random mod 100 '<' " + std::to_string(percent) : "";
  in_ns("nft add rule " + table + " " + hook + " " + match + sample + " drop");
}

void stop_dropping(const std::string& netns, const char* hook) {
  std::string out;
  const std::string cmd =
      "ip netns exec " + netns + " nft delete table inet kpulse_gt_" + std::string(hook);
  EXPECT_EQ(run(cmd, &out), 0) << cmd << ": " << out;
}

// kpulse's tcp.retransmits for `cg` against both namespaces' RetransSegs over
// one interval around `client` (run in ns.a(), in `cg`); `meanwhile` runs in
// the test while the client does.
//
// The interval starts before the first segment and ends once both sockets
// have closed and stopped retransmitting, so no retransmission falls
// between the kernel's count and kpulse's drain at either end (the kernel
// adds to RetransSegs before the tracepoint fires). A retransmission the
// kernel counted but could not send is charged at the socket's next one or
// at its close: on 6.1 the last ones of a connection wait for the close
// (kpulse stood 21 short once when this waited for a quiet count alone).
void expect_retransmits_match(
    const NamespacePair& ns, const TestCgroup& cg, unsigned port,
    const std::function<int()>& client_main, const std::function<void()>& meanwhile = [] {}) {
  const auto retrans_segs = [&ns] {
    return netns_retrans_segs(ns.a()) + netns_retrans_segs(ns.b());
  };
  const auto sockets_in_use = [&ns, port] {
    return netns_tcp_sockets_in_use(ns.a(), port) + netns_tcp_sockets_in_use(ns.b(), port);
  };
  auto collector = make_collector();
  const uint64_t at_start = retrans_segs();
  collector.collect_now();
  Child client(client_main, &cg, ns.a());
  meanwhile();
  EXPECT_EQ(client.wait(90s), 0);
  const uint64_t at_exit = retrans_segs();
  for (int waited = 0; waited < 600 && sockets_in_use() > 0; ++waited)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sockets_in_use(), 0) << "the test's connection did not close within a minute";
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
  EXPECT_GE(kpulse, low);
  EXPECT_LE(kpulse, high);
}

// Two namespaces 10.215.<n>.1 (client) and .2 (server), n from the pid.
std::string test_subnet() {
  return "10.215." + std::to_string(getpid() % 200) + ".";
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
// - On 6.1 the first of a socket's retransmissions, counted but not sent,
//   fell under the baseline of storage made at its first traced event:
//   vmtest stood 232 against 239 once. Each connection's total at its
//   start is now kept there.
//
// The client's namespace drops 10% of its outgoing segments (not the SYN:
// two lost SYNs cost the 3 s transfer, 1 run in 50 under load), the
// server's 3% of its incoming ones.
TEST(GroundTruth, TcpRetransmitsMatchRetransSegs) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("nft"));
  const std::string server_ip = test_subnet() + "2";
  NamespacePair ns("gt-rtx", test_subnet() + "1", server_ip);
  drop_segments(ns.b(), "input", "tcp dport 5203", 3);
  drop_segments(ns.a(), "output", "tcp dport 5203 'tcp flags & syn == 0'", 10);
  if (::testing::Test::HasFatalFailure()) return;
  TestCgroup cg("gt-rtx");
  Child server([] { return tcp_sink(5203); }, &cg, ns.b());
  std::this_thread::sleep_for(300ms);
  expect_retransmits_match(ns, cg, 5203, [&] { return tcp_send_for(server_ip, 5203, 3000ms); });
}

// A listener resends its SYN-ACK while the client's handshake ACK is lost:
// the kernel counts each in RetransSegs as it is sent, then gives the new
// socket a total_retrans that already holds them. kpulse charges them once,
// at the SYN-ACK (a start taken at the child's SYN_RECV birth, from 0,
// charged them again: 2 over in 3 of 3 runs).
TEST(GroundTruth, SynAcksResentDuringTheHandshakeAreCountedOnce) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("nft"));
  const std::string server_ip = test_subnet() + "2";
  NamespacePair ns("gt-syn", test_subnet() + "1", server_ip);
  // Everything but the SYN is lost on its way to the server for 2.5 s: the
  // SYN-ACK goes out again at 1 s (and the client's data with it), and the
  // connection is made by the first segment after.
  drop_segments(ns.b(), "input", "tcp dport 5204 'tcp flags & syn == 0'", 100);
  if (::testing::Test::HasFatalFailure()) return;
  TestCgroup cg("gt-syn");
  Child server([] { return tcp_sink(5204); }, &cg, ns.b());
  std::this_thread::sleep_for(300ms);
  const uint64_t synacks_before = netns_retrans_segs(ns.b());
  expect_retransmits_match(
      ns, cg, 5204, [&] { return tcp_send_for(server_ip, 5204, 4000ms); },
      [&] {
        std::this_thread::sleep_for(2500ms);
        stop_dropping(ns.b(), "input");
      });
  EXPECT_GE(netns_retrans_segs(ns.b()) - synacks_before, 1u) << "no SYN-ACK was sent again";
}

}  // namespace
}  // namespace kpulse::testing
