#include "collect/net_interfaces.h"

#include <gtest/gtest.h>
#include <net/if.h>

#include <algorithm>
#include <cmath>

#include "collect/link_stats.h"
#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

void write_if(const testing::TempTree& t, const std::string& name, int ifindex, int base) {
  const std::string d = "class/net/" + name;
  t.write(d + "/ifindex", std::to_string(ifindex) + "\n");
  const char* stats[] = {"rx_bytes",   "tx_bytes",   "rx_packets", "tx_packets",
                         "rx_dropped", "tx_dropped", "rx_errors",  "tx_errors"};
  for (int i = 0; i < 8; ++i)
    t.write(d + "/statistics/" + stats[i], std::to_string(base + i) + "\n");
}

TEST(Interfaces, ReadsStatisticsSortedByName) {
  testing::TempTree t;
  write_if(t, "lo", 1, 100);
  write_if(t, "eth0", 2, 200);
  t.write("class/net/bonding_masters", "\n");
  Problems problems;
  auto ifs = read_interfaces(t.root(), &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(ifs.size(), 2u);
  EXPECT_EQ(ifs[0].id, "eth0");
  EXPECT_EQ(ifs[0].kind, model::ComponentKind::Interface);
  EXPECT_EQ(ifs[0].kernel_id, 2u);
  EXPECT_EQ(ifs[0].value(MetricId::IfRxBytes), 200);
  EXPECT_EQ(ifs[0].value(MetricId::IfTxBytes), 201);
  EXPECT_EQ(ifs[0].value(MetricId::IfRxPackets), 202);
  EXPECT_EQ(ifs[0].value(MetricId::IfTxPackets), 203);
  EXPECT_EQ(ifs[0].value(MetricId::IfRxDrops), 204);
  EXPECT_EQ(ifs[0].value(MetricId::IfTxDrops), 205);
  EXPECT_EQ(ifs[0].value(MetricId::IfRxErrors), 206);
  EXPECT_EQ(ifs[0].value(MetricId::IfTxErrors), 207);
  EXPECT_EQ(ifs[1].id, "lo");
}

TEST(Interfaces, MissingStatisticAndBadValue) {
  testing::TempTree t;
  t.write("class/net/eth0/ifindex", "3\n");
  t.write("class/net/eth0/statistics/rx_bytes", "garbage\n");
  t.write("class/net/eth0/statistics/tx_bytes", "5\n");
  Problems problems;
  auto ifs = read_interfaces(t.root(), &problems);
  ASSERT_EQ(ifs.size(), 1u);
  EXPECT_EQ(ifs[0].find(MetricId::IfRxBytes), nullptr);
  EXPECT_EQ(ifs[0].value(MetricId::IfTxBytes), 5);
  ASSERT_EQ(problems.messages().size(), 1u);
  EXPECT_NE(problems.messages()[0].find("rx_bytes:1: expected a number"), std::string::npos);
}

TEST(Interfaces, ParsesProcNetDev) {
  const char* text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo:  1000      10    0    0    0     0          0         0     1000      10    0    "
      "0    0     0       0          0\n"
      "veth0@if5: 52 3 1 2 0 0 0 0 64 4 5 6 0 0 0 0\n";
  auto rows = parse_net_dev(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "lo");
  EXPECT_EQ(rows[0].rx_bytes, 1000u);
  EXPECT_EQ(rows[1].name, "veth0@if5");
  EXPECT_EQ(rows[1].rx_packets, 3u);
  EXPECT_EQ(rows[1].rx_errors, 1u);
  EXPECT_EQ(rows[1].rx_drops, 2u);
  EXPECT_EQ(rows[1].tx_bytes, 64u);
  EXPECT_EQ(rows[1].tx_packets, 4u);
  EXPECT_EQ(rows[1].tx_errors, 5u);
  EXPECT_EQ(rows[1].tx_drops, 6u);
}

TEST(Interfaces, RealSysHasLoopback) {
  auto ifs = read_interfaces("/sys");
  auto it = std::find_if(ifs.begin(), ifs.end(), [](auto& c) { return c.id == "lo"; });
  ASSERT_NE(it, ifs.end());
  EXPECT_EQ(it->kernel_id, ::if_nametoindex("lo"));
  EXPECT_FALSE(std::isnan(it->value(MetricId::IfRxBytes)));
}

// The engine reads its own namespace's interfaces from one netlink dump:
// the same interfaces, ifindexes and counters as sysfs (both come from
// dev_get_stats). Counters only grow, so each netlink value lies between a
// sysfs read before and one after it.
TEST(Interfaces, NetlinkDumpMatchesSysfs) {
  const auto before = read_interfaces("/sys");
  const auto dumped = read_link_stats();
  const auto after = read_interfaces("/sys");
  ASSERT_TRUE(dumped.has_value());
  ASSERT_EQ(dumped->size(), before.size());
  ASSERT_EQ(after.size(), before.size()) << "an interface came or went meanwhile";
  const MetricId counters[] = {MetricId::IfRxBytes,   MetricId::IfTxBytes, MetricId::IfRxPackets,
                               MetricId::IfTxPackets, MetricId::IfRxDrops, MetricId::IfTxDrops,
                               MetricId::IfRxErrors,  MetricId::IfTxErrors};
  for (size_t i = 0; i < before.size(); ++i) {
    const auto& d = (*dumped)[i];
    EXPECT_EQ(d.id, before[i].id);
    EXPECT_EQ(d.name, before[i].name);
    EXPECT_EQ(d.kernel_id, before[i].kernel_id) << d.id;
    EXPECT_EQ(d.kind, model::ComponentKind::Interface);
    for (MetricId m : counters) {
      EXPECT_GE(d.value(m), before[i].value(m)) << d.id << " " << int(m);
      EXPECT_LE(d.value(m), after[i].value(m)) << d.id << " " << int(m);
    }
  }
}

}  // namespace
}  // namespace kpulse::collect
