// Traffic between two network namespaces never crosses kpulse's own, whose
// interfaces are all sysfs shows: the namespaces' interfaces are listed too.
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "collect/net_interfaces.h"
#include "collect/process_stats.h"
#include "engine/collector.h"
#include "report/series.h"
#include "tcp_peer.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

// Two namespaces joined by a veth pair of their own (no leg in ours).
class NamespacePair {
 public:
  NamespacePair() {
    const std::string id = std::to_string(getpid());
    a_ = "kpt-nsa-" + id;
    b_ = "kpt-nsb-" + id;
    const std::string suffix = std::to_string(getpid() % 100000);
    for (const std::string& cmd : {
             "ip netns add " + a_,
             "ip netns add " + b_,
             "ip link add kpa" + suffix + " netns " + a_ + " type veth peer name kpb" + suffix +
                 " netns " + b_,
             "ip -n " + a_ + " addr add 10.216.0.1/24 dev kpa" + suffix,
             "ip -n " + b_ + " addr add 10.216.0.2/24 dev kpb" + suffix,
             "ip -n " + a_ + " link set kpa" + suffix + " up",
             "ip -n " + b_ + " link set kpb" + suffix + " up",
             "ip -n " + a_ + " link set lo up",
             "ip -n " + b_ + " link set lo up",
         }) {
      std::string out;
      if (run(cmd, &out) != 0) throw std::runtime_error(cmd + ": " + out);
    }
  }
  ~NamespacePair() {
    run("ip netns del " + a_);
    run("ip netns del " + b_);
  }
  NamespacePair(const NamespacePair&) = delete;
  NamespacePair& operator=(const NamespacePair&) = delete;
  [[nodiscard]] const std::string& a() const { return a_; }
  [[nodiscard]] const std::string& b() const { return b_; }

 private:
  std::string a_, b_;
};

// Why: the report's network chart stayed flat during a 200 Mbit/s transfer
// between two network namespaces.
TEST(NetnsTraffic, TransferBetweenTwoNamespacesShowsInTheNetworkChart) {
  ASSERT_TRUE(have_command("ip"));
  NamespacePair pair;
  Child sink([] { return tcp_sink(5204); }, nullptr, pair.b());
  std::this_thread::sleep_for(300ms);
  engine::CollectorOptions o;
  o.enable_bpf = false;  // interface counters are the kernel's
  o.interval = 1000ms;
  engine::Collector collector(o);
  std::vector<model::Snapshot> snaps;
  snaps.push_back(collector.collect_now());
  // About 200 Mbit/s for 2 s: 50 MiB.
  Child sender([] { return tcp_send_all("10.216.0.2", 5204, std::size_t(50) << 20); }, nullptr,
               pair.a());
  for (int i = 0; i < 3; ++i) snaps.push_back(collector.next());
  EXPECT_EQ(sender.wait(60s), 0);
  snaps.push_back(collector.next());

  const report::SeriesGroup net = report::network_throughput(snaps);
  double busiest = 0;
  std::string which;
  for (const auto& s : net.series)
    for (const auto& p : s.points)
      if (p.value > busiest) {
        busiest = p.value;
        which = s.label;
      }
  // 50 MiB within 4 intervals: at least 5 MB/s in the busiest one.
  EXPECT_GT(busiest, 5e6) << "busiest series: " << which;
  EXPECT_NE(which.find("@kpt-ns"), std::string::npos) << which;
}

bool lists(const std::vector<model::Component>& comps, const std::string& id) {
  for (const auto& c : comps)
    if (c.id == id) return true;
  return false;
}

// The namespace list is kept between reads (listing stats every process's
// ns/net): a namespace made meanwhile still shows within the relist period,
// and one deleted is gone at the first read that finds it missing.
TEST(NetnsTraffic, KeptNamespaceListSeesNewNamespacesAndDropsDeletedOnes) {
  ASSERT_TRUE(have_command("ip"));
  const std::string name = "kpt-nsl-" + std::to_string(getpid());
  const std::string lo = "lo@" + name;
  constexpr unsigned kRelistEvery = 3;
  collect::OtherNetnsInterfaces reader(kRelistEvery);
  EXPECT_FALSE(lists(reader.read(), lo));
  std::string out;
  ASSERT_EQ(run("ip netns add " + name, &out), 0) << out;
  bool seen = false;
  for (unsigned i = 0; i < kRelistEvery && !seen; ++i) seen = lists(reader.read(), lo);
  run("ip netns del " + name);
  EXPECT_TRUE(seen) << lo << " not listed within " << kRelistEvery << " reads";
  EXPECT_FALSE(lists(reader.read(), lo));
  EXPECT_FALSE(lists(reader.read(), lo));
}

// A process alone in a namespace it made (no `ip netns` name): found through
// its /proc/PID/ns/net. Runs until killed.
int sleep_in_own_netns() {
  if (::unshare(CLONE_NEWNET) != 0) return 1;
  std::this_thread::sleep_for(120s);
  return 0;
}

// relist_from() takes its processes from the caller's listing of /proc (the
// engine's scan) instead of reading /proc again: a process's namespace shows
// at the first read after a listing that has it, and not from one that does
// not; one whose process exits is dropped at the next read.
TEST(NetnsTraffic, ListFromACallersPidsSeesAProcesssOwnNamespace) {
  collect::OtherNetnsInterfaces reader(1000);  // never relists by itself here
  reader.read();
  auto child = std::make_unique<Child>(sleep_in_own_netns, nullptr);
  const std::string lo = "lo@pid:" + std::to_string(child->pid());
  std::this_thread::sleep_for(300ms);  // unshared
  EXPECT_FALSE(lists(reader.read(), lo)) << "listed before any listing had its process";
  reader.relist_from({uint32_t(::getpid())});  // a listing without it
  EXPECT_FALSE(lists(reader.read(), lo));
  reader.relist_from(collect::list_pids());
  EXPECT_TRUE(lists(reader.read(), lo)) << lo << " not listed from /proc's PIDs";
  child.reset();  // killed and reaped: its namespace went with it
  EXPECT_FALSE(lists(reader.read(), lo));
}

// The engine lists other namespaces from its own /proc scan (every
// kProcessScanEvery = 5 intervals with the sched group's marks, each
// interval without): a namespace made by a process shows within 6
// snapshots (the scan after it started, then the next snapshot's read), and
// without BPF within 2 (listing every 5 reads by itself, it took up to 5).
TEST(NetnsTraffic, EngineListsAProcesssNewNamespaceWithinSixSnapshots) {
  for (bool bpf : {true, false}) {
    SCOPED_TRACE(bpf ? "with BPF" : "without BPF");
    if (bpf && !bpf_unavailable_reason().empty()) {
      if (bpf_required()) FAIL() << "KPULSE_REQUIRE_BPF=1 but " << bpf_unavailable_reason();
      continue;
    }
    engine::CollectorOptions o;
    o.enable_bpf = bpf;
    o.interval = 200ms;
    engine::Collector collector(o);
    collector.collect_now();
    collector.collect_now();
    Child child(sleep_in_own_netns, nullptr);
    const std::string lo = "lo@pid:" + std::to_string(child.pid());
    std::this_thread::sleep_for(300ms);
    int seen_at = 0;
    for (int i = 1; i <= 6 && !seen_at; ++i) {
      std::this_thread::sleep_for(50ms);
      if (collector.collect_now().find(model::ComponentKind::Interface, lo)) seen_at = i;
    }
    EXPECT_GT(seen_at, 0) << lo << " not listed within 6 snapshots";
    // Without marks the scan runs every snapshot, after the namespaces are
    // read: it lists the namespace at the first, the second shows it.
    if (!bpf) {
      EXPECT_LE(seen_at, 2) << "a scan each snapshot lists it for the next";
    }
  }
}

}  // namespace
}  // namespace kpulse::testing
