#include "collect/filesystem_usage.h"

#include <gtest/gtest.h>

namespace kpulse::collect {
namespace {

TEST(Mountinfo, BlockDeviceMountsOncePerDeviceWritableOnly) {
  const std::string text =
      "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
      // A bind mount of the same filesystem counts once.
      "40 22 254:1 /srv /mnt/srv rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
      // Pseudo filesystems have no block device.
      "23 22 0:21 / /proc rw,nosuid - proc proc rw\n"
      "24 22 0:5 / /dev rw - devtmpfs udev rw\n"
      // Read-only images cannot fill up.
      "50 22 7:3 / /snap/core ro,nodev shared:9 - squashfs /dev/loop3 ro\n"
      // Spaces in mount points are escaped as \\040; optional fields vary.
      "51 22 7:4 / /mnt/my\\040disk rw master:3 shared:8 - xfs /dev/loop4 rw,attr2\n"
      "garbage line\n";
  const auto m = parse_mountinfo(text);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].major, 254u);
  EXPECT_EQ(m[0].minor, 1u);
  EXPECT_EQ(m[0].mount_point, "/");
  EXPECT_EQ(m[0].fstype, "ext4");
  EXPECT_EQ(m[1].mount_point, "/mnt/my disk");
  EXPECT_EQ(m[1].fstype, "xfs");
}

}  // namespace
}  // namespace kpulse::collect
