// /proc/diskstats → Disk components, and the dev_t → name lookup the BPF
// block probes need.
//
// Which devices become components (the rule):
//   - whole disks (sda, nvme0n1, vda, dm-0, md0, ...) and loop devices: always;
//   - partitions (sysfs has <dev>/partition): only when they have had I/O;
//     their I/O is also in their disk's line, so do not sum them;
//   - ram* devices: only when they have had I/O.
// "Had I/O" means reads + writes completed > 0. Partition detection uses
// <sys_root>/class/block/<name>/partition; when sysfs has no entry for the
// device, a name heuristic is used (sdaN, nvme0n1pN, mmcblk0pN, vdaN, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// The kernel's internal dev_t encoding, MKDEV(major, minor) =
// (major << 20) | minor. This is what BPF programs build from
// disk->major and disk->first_minor (and what bio->bi_bdev->bd_dev holds).
// It differs from glibc's makedev(), which /proc and stat() use.
constexpr uint64_t kernel_dev(unsigned major, unsigned minor) {
  return (static_cast<uint64_t>(major) << 20) | (minor & 0xfffffu);
}
constexpr unsigned kernel_dev_major(uint64_t dev) {
  return static_cast<unsigned>(dev >> 20);
}
constexpr unsigned kernel_dev_minor(uint64_t dev) {
  return static_cast<unsigned>(dev & 0xfffff);
}

struct DiskReadResult {
  std::vector<model::Component> disks;  // kind Disk, id = name, detail "maj:min"
  // Every device in the file (partitions and idle devices included), keyed by
  // kernel_dev(): the names BPF-side dev_t values resolve to.
  std::unordered_map<uint64_t, std::string> names;
};

// Reads <proc_root>/diskstats. Returns false when the file cannot be read.
bool read_diskstats(const std::string& proc_root, const std::string& sys_root, DiskReadResult& out,
                    Problems* problems = nullptr);

// Keeps the dev_t → name map from the last read, for the engine's BPF side.
class DiskNames {
 public:
  explicit DiskNames(std::string proc_root = "/proc", std::string sys_root = "/sys",
                     std::chrono::milliseconds min_reread = std::chrono::seconds(1))
      : proc_root_(std::move(proc_root)), sys_root_(std::move(sys_root)), min_reread_(min_reread) {}
  // Replaces the map (e.g. with DiskReadResult::names after each read).
  void update(std::unordered_map<uint64_t, std::string> names) { names_ = std::move(names); }
  // Name for a kernel dev_t; on a miss re-reads diskstats (a disk may have
  // appeared since; at most once per min_reread, so a stream of lookups for
  // an unknown device stays cheap) and returns "maj:min" when still unknown.
  std::string name(uint64_t kernel_dev_value);

 private:
  std::string proc_root_, sys_root_;
  std::chrono::milliseconds min_reread_;
  std::unordered_map<uint64_t, std::string> names_;
  std::optional<std::chrono::steady_clock::time_point> last_reread_;
};

// Whether a device name looks like a partition (used when sysfs cannot say).
bool looks_like_partition(std::string_view name);

}  // namespace kpulse::collect
