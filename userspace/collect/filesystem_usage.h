// Filesystem usage per disk: every mounted block-device filesystem
// (/proc/self/mountinfo, statvfs) summed onto the Disk component it lives
// on, so forecasts can say when a disk's filesystems fill up.
//
// A partition's filesystem counts on the partition's component when that
// exists (partitions become components once they have had I/O), else on
// its parent disk. A device mounted several times (bind mounts, btrfs
// subvolumes) counts once.
#pragma once

#include <string>
#include <vector>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

struct MountedFilesystem {
  unsigned major = 0, minor = 0;
  std::string mount_point;
  std::string fstype;
};

// Block-device mounts from a mountinfo text, first mount per device.
std::vector<MountedFilesystem> parse_mountinfo(const std::string& text);

// Sets disk.fs.used and disk.fs.capacity on the matching components of
// `disks` (kind Disk, id = kernel device name).
void add_filesystem_usage(const std::string& proc_root, const std::string& sys_root,
                          std::vector<model::Component>& disks, Problems* problems = nullptr);

}  // namespace kpulse::collect
