// Filesystem usage on a real mount: an ext4 filesystem on a loop device,
// 48 MiB written into it, and the collector's disk.fs.used for that loop
// device grows by that much while disk.fs.capacity stays what statvfs says.
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/collector.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

namespace fs = std::filesystem;
using model::ComponentKind;
using model::MetricId;

// Mounted for the test's lifetime; unmounted (lazily if busy) after.
class Mount {
 public:
  Mount(const std::string& device, const std::string& dir) : dir_(dir) {
    fs::create_directories(dir_);
    ok_ = run("mkfs.ext4 -q -F " + device + " && mount " + device + " " + dir_) == 0;
  }
  ~Mount() {
    run("umount " + dir_ + " || umount -l " + dir_);
    fs::remove(dir_);
  }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::string dir_;
  bool ok_ = false;
};

double fs_value(const model::Snapshot& s, const std::string& disk, MetricId id) {
  const model::Component* c = find_component(s, ComponentKind::Disk, disk);
  return c ? c->value(id) : std::nan("");
}

TEST(FilesystemUsage, WritesOnAMountedLoopDeviceShowOnItsDisk) {
  if (geteuid() != 0 || !have_command("mkfs.ext4")) GTEST_SKIP() << "needs root and mkfs.ext4";
  LoopDevice loop(256);
  const std::string dir = "/tmp/kpulse-fs-" + std::to_string(getpid());
  Mount mount(loop.device(), dir);
  ASSERT_TRUE(mount.ok());

  engine::CollectorOptions o;
  o.enable_bpf = false;
  o.interval = std::chrono::milliseconds(200);
  engine::Collector collector(o);
  const model::Snapshot before = collector.next();
  const double used0 = fs_value(before, loop.name(), MetricId::DiskFsUsed);
  const double cap0 = fs_value(before, loop.name(), MetricId::DiskFsCapacity);
  ASSERT_TRUE(std::isfinite(used0)) << "no disk.fs.used on " << loop.name();
  struct statvfs sv {};
  ASSERT_EQ(statvfs(dir.c_str(), &sv), 0);
  const double expect_cap = static_cast<double>(sv.f_blocks - sv.f_bfree + sv.f_bavail) *
                            static_cast<double>(sv.f_frsize);
  EXPECT_NEAR(cap0, expect_cap, 1 << 20);

  ASSERT_EQ(run("dd if=/dev/zero of=" + dir + "/fill bs=1M count=48 conv=fsync status=none"), 0);
  const model::Snapshot after = collector.next();
  const double grew = fs_value(after, loop.name(), MetricId::DiskFsUsed) - used0;
  EXPECT_NEAR(grew / (1 << 20), 48, 2);
  EXPECT_NEAR(fs_value(after, loop.name(), MetricId::DiskFsCapacity), cap0, 1 << 20);
}

}  // namespace
}  // namespace kpulse::testing
