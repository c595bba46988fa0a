#include "collect/disk_stats.h"

#include <sys/stat.h>

#include <cctype>

#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

namespace {

constexpr double kSectorBytes = 512;  // diskstats sectors are always 512 bytes

bool ends_in_digit(std::string_view s) {
  return !s.empty() && std::isdigit(s.back());
}

// Strips trailing digits, returning the prefix.
std::string_view strip_digits(std::string_view s) {
  while (!s.empty() && std::isdigit(s.back())) s.remove_suffix(1);
  return s;
}

enum class Partition { Yes, No, Unknown };

Partition sysfs_partition(const std::string& sys_root, std::string_view name) {
  std::string dir = sys_root + "/class/block/";
  dir += name;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Partition::Unknown;
  return ::stat((dir + "/partition").c_str(), &st) == 0 ? Partition::Yes : Partition::No;
}

// A loop device with no file bound (sysfs lists it, without loop/backing_file)
// is a free slot: loop0..loop7 exist on most hosts and would fill the disk
// view with zeros. Unknown when sysfs does not list the device.
bool unbound_loop(const std::string& sys_root, std::string_view name) {
  if (!name.starts_with("loop")) return false;
  std::string dir = sys_root + "/class/block/";
  dir += name;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return false;
  return ::stat((dir + "/loop/backing_file").c_str(), &st) != 0;
}

}  // namespace

bool looks_like_partition(std::string_view name) {
  if (!ends_in_digit(name)) return false;
  auto stem = strip_digits(name);
  // nvme0n1p2, mmcblk0p1, loop0p1: the partition number follows a 'p' that
  // follows a digit.
  if (stem.size() >= 2 && stem.back() == 'p' && std::isdigit(stem[stem.size() - 2])) return true;
  // sda1, vdb2, xvda1, hdc3: letters-only disk names followed by digits.
  for (std::string_view p : {"sd", "vd", "hd", "xvd"}) {
    if (stem.starts_with(p) && stem.size() > p.size()) {
      bool letters = true;
      for (char c : stem.substr(p.size())) letters &= std::islower(c) != 0;
      if (letters) return true;
    }
  }
  return false;
}

bool read_diskstats(const std::string& proc_root, const std::string& sys_root, DiskReadResult& out,
                    Problems* problems) {
  const std::string path = proc_root + "/diskstats";
  std::string buf;
  out.disks.clear();
  out.names.clear();
  if (!read_file(path, buf)) return false;
  FieldReader lines(buf);
  while (lines.next()) {
    const auto& f = lines.fields();
    // major minor name + 11 fields (kernels >= 2.6); 4.18 adds discards, 5.5 flushes.
    if (f.size() < 14) {
      report(problems, path, lines.line_no(), "expected at least 14 fields");
      continue;
    }
    auto major = parse_u64(f[0]), minor = parse_u64(f[1]);
    uint64_t v[11];
    bool ok = major && minor;
    for (int i = 0; ok && i < 11; ++i) {
      auto x = parse_u64(f[3 + i]);
      ok = x.has_value();
      if (ok) v[i] = *x;
    }
    if (!ok) {
      report(problems, path, lines.line_no(), "bad number");
      continue;
    }
    const std::string name(f[2]);
    const uint64_t kdev = kernel_dev(static_cast<unsigned>(*major), static_cast<unsigned>(*minor));
    out.names[kdev] = name;

    const bool had_io = v[0] + v[4] > 0;
    Partition part = sysfs_partition(sys_root, name);
    const bool is_partition =
        part == Partition::Yes || (part == Partition::Unknown && looks_like_partition(name));
    if ((is_partition || name.starts_with("ram")) && !had_io) continue;
    if (unbound_loop(sys_root, name)) continue;

    model::Component d;
    d.kind = model::ComponentKind::Disk;
    d.id = name;
    d.name = name;
    d.detail = std::to_string(*major) + ":" + std::to_string(*minor);
    d.kernel_id = kdev;
    d.set_counter(MetricId::DiskReadOps, static_cast<double>(v[0]), 0);
    d.set_counter(MetricId::DiskReadBytes, static_cast<double>(v[2]) * kSectorBytes, 0);
    d.set_counter(MetricId::DiskWriteOps, static_cast<double>(v[4]), 0);
    d.set_counter(MetricId::DiskWriteBytes, static_cast<double>(v[6]) * kSectorBytes, 0);
    d.set_counter(MetricId::DiskBusyTime, static_cast<double>(v[9]) / 1e3, 0);
    d.set_counter(MetricId::DiskWeightedIoTime, static_cast<double>(v[10]) / 1e3, 0);
    // The kernel's own in-flight count (the same one /sys/block/X/inflight
    // sums): requeued, merged and never-issued requests are already right in
    // it, where issues minus completions seen by BPF drift upward forever.
    d.set_gauge(MetricId::BlkInflight, static_cast<double>(v[8]));
    out.disks.push_back(std::move(d));
  }
  return true;
}

std::string DiskNames::name(uint64_t kdev) {
  auto it = names_.find(kdev);
  const auto now = std::chrono::steady_clock::now();
  if (it == names_.end() && (!last_reread_ || now - *last_reread_ >= min_reread_)) {
    last_reread_ = now;
    DiskReadResult r;
    if (read_diskstats(proc_root_, sys_root_, r)) names_ = std::move(r.names);
    it = names_.find(kdev);
  }
  if (it != names_.end()) return it->second;
  return std::to_string(kernel_dev_major(kdev)) + ":" + std::to_string(kernel_dev_minor(kdev));
}

}  // namespace kpulse::collect
