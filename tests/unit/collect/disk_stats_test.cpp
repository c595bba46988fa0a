#include "collect/disk_stats.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "temp_tree.h"

namespace kpulse::collect {
namespace {

using model::MetricId;

// Kernel 6.x layout: 3 identity fields + 17 counters.
constexpr const char* kDiskstats =
    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "   7       1 loop1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "   1       1 ram1 5 0 40 1 0 0 0 0 0 1 1 0 0 0 0 0 0\n"
    "   8       0 sda 1000 10 64000 500 2000 20 128000 1500 3 2500 4000 0 0 0 0 50 60\n"
    "   8       1 sda1 900 10 60000 450 2000 20 128000 1500 0 2400 3900 0 0 0 0 0 0\n"
    "   8       2 sda2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    " 259       0 nvme0n1 10 0 80 1 0 0 0 0 0 1 1\n"
    " 259       1 nvme0n1p1 0 0 0 0 0 0 0 0 0 0 0\n"
    " 253       0 dm-0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

const model::Component* find(const DiskReadResult& r, std::string_view id) {
  auto it = std::find_if(r.disks.begin(), r.disks.end(), [&](auto& c) { return c.id == id; });
  return it == r.disks.end() ? nullptr : &*it;
}

TEST(KernelDev, MatchesTheKernelEncoding) {
  EXPECT_EQ(kernel_dev(8, 0), 8u << 20);
  EXPECT_EQ(kernel_dev(259, 3), (259u << 20) | 3u);
  EXPECT_EQ(kernel_dev_major(kernel_dev(259, 3)), 259u);
  EXPECT_EQ(kernel_dev_minor(kernel_dev(259, 3)), 3u);
}

TEST(PartitionNames, Heuristic) {
  EXPECT_TRUE(looks_like_partition("sda1"));
  EXPECT_TRUE(looks_like_partition("vdb12"));
  EXPECT_TRUE(looks_like_partition("nvme0n1p2"));
  EXPECT_TRUE(looks_like_partition("mmcblk0p1"));
  EXPECT_FALSE(looks_like_partition("sda"));
  EXPECT_FALSE(looks_like_partition("nvme0n1"));
  EXPECT_FALSE(looks_like_partition("loop0"));
  EXPECT_FALSE(looks_like_partition("dm-0"));
  EXPECT_FALSE(looks_like_partition("md127"));
}

TEST(Diskstats, AppliesTheDeviceRuleAndConvertsUnits) {
  testing::TempTree t;
  t.write("proc/diskstats", kDiskstats);
  // sysfs marks sda1/sda2 as partitions; nvme* has no sysfs entry (heuristic).
  t.mkdir("sys/class/block/sda");
  t.write("sys/class/block/sda1/partition", "1\n");
  t.write("sys/class/block/sda2/partition", "2\n");
  t.write("sys/class/block/loop0/loop/backing_file", "/var/tmp/image\n");
  t.mkdir("sys/class/block/loop1");
  DiskReadResult r;
  Problems problems;
  ASSERT_TRUE(read_diskstats(t.path("proc"), t.path("sys"), r, &problems));
  EXPECT_TRUE(problems.empty());

  std::vector<std::string> ids;
  for (auto& d : r.disks) ids.push_back(d.id);
  // loop0: bound to a file, kept though idle; loop1: no file bound (a free
  // slot) → skipped; ram0: idle → skipped; ram1: had I/O → kept;
  // sda1: partition with I/O → kept; sda2, nvme0n1p1: idle partitions → skipped.
  EXPECT_EQ(ids, (std::vector<std::string>{"loop0", "ram1", "sda", "sda1", "nvme0n1", "dm-0"}));

  const auto* sda = find(r, "sda");
  ASSERT_NE(sda, nullptr);
  EXPECT_EQ(sda->kind, model::ComponentKind::Disk);
  EXPECT_EQ(sda->detail, "8:0");
  EXPECT_EQ(sda->kernel_id, kernel_dev(8, 0));
  EXPECT_EQ(sda->value(MetricId::DiskReadOps), 1000);
  EXPECT_EQ(sda->value(MetricId::DiskReadBytes), 64000.0 * 512);
  EXPECT_EQ(sda->value(MetricId::DiskWriteOps), 2000);
  EXPECT_EQ(sda->value(MetricId::DiskWriteBytes), 128000.0 * 512);
  EXPECT_DOUBLE_EQ(sda->value(MetricId::DiskBusyTime), 2.5);
  EXPECT_DOUBLE_EQ(sda->value(MetricId::DiskWeightedIoTime), 4.0);
  EXPECT_EQ(sda->value(MetricId::BlkInflight), 3);  // field 9: the kernel's in-flight count

  // Old 14-field layout (pre-4.18) parses too.
  EXPECT_EQ(find(r, "nvme0n1")->value(MetricId::DiskReadBytes), 80.0 * 512);

  // The name map covers every device, skipped ones included.
  EXPECT_EQ(r.names.size(), 10u);
  EXPECT_EQ(r.names.at(kernel_dev(259, 1)), "nvme0n1p1");
}

TEST(Diskstats, ShortLineIsReported) {
  testing::TempTree t;
  t.write("diskstats", "8 0 sda 1 2 3\n   8       16 sdb 1 0 8 0 0 0 0 0 0 0 0\n");
  DiskReadResult r;
  Problems problems;
  ASSERT_TRUE(read_diskstats(t.root(), t.root(), r, &problems));
  ASSERT_EQ(problems.messages().size(), 1u);
  EXPECT_NE(problems.messages()[0].find(":1: expected at least 14 fields"), std::string::npos);
  ASSERT_EQ(r.disks.size(), 1u);
  EXPECT_EQ(r.disks[0].id, "sdb");
}

TEST(DiskNames, ResolvesAndRereadsOnMiss) {
  testing::TempTree t;
  t.write("diskstats", "   8       0 sda 1 0 8 0 0 0 0 0 0 0 0\n");
  DiskNames names(t.root(), t.root(), std::chrono::milliseconds(0));
  EXPECT_EQ(names.name(kernel_dev(8, 0)), "sda");
  // A disk that appears later is found by the re-read on miss.
  t.write("diskstats",
          "   8       0 sda 1 0 8 0 0 0 0 0 0 0 0\n   8      16 sdb 1 0 8 0 0 0 0 0 0 0 0\n");
  EXPECT_EQ(names.name(kernel_dev(8, 16)), "sdb");
  EXPECT_EQ(names.name(kernel_dev(9, 3)), "9:3");
}

TEST(DiskNames, RereadsAreRateLimited) {
  testing::TempTree t;
  t.write("diskstats", "   8       0 sda 1 0 8 0 0 0 0 0 0 0 0\n");
  DiskNames names(t.root(), t.root(), std::chrono::hours(1));
  EXPECT_EQ(names.name(kernel_dev(9, 3)), "9:3");  // miss: reads once
  t.write("diskstats",
          "   8       0 sda 1 0 8 0 0 0 0 0 0 0 0\n   8      16 sdb 1 0 8 0 0 0 0 0 0 0 0\n");
  EXPECT_EQ(names.name(kernel_dev(8, 16)), "8:16");  // within the limit: no re-read
  names.update({{kernel_dev(8, 16), "sdb"}});
  EXPECT_EQ(names.name(kernel_dev(8, 16)), "sdb");
}

TEST(Diskstats, RealProc) {
  DiskReadResult r;
  Problems problems;
  ASSERT_TRUE(read_diskstats("/proc", "/sys", r, &problems));
  EXPECT_TRUE(problems.empty());
  EXPECT_FALSE(r.names.empty());
  for (const auto& d : r.disks) EXPECT_EQ(r.names.at(d.kernel_id), d.id);
}

}  // namespace
}  // namespace kpulse::collect
