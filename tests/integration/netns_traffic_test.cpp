// Traffic between two network namespaces never crosses kpulse's own, whose
// interfaces are all sysfs shows: the namespaces' interfaces are listed too.
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "collect/net_interfaces.h"
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

}  // namespace
}  // namespace kpulse::testing
