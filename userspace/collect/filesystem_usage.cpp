#include "collect/filesystem_usage.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "collect/text_file.h"

namespace kpulse::collect {
namespace {

namespace fs = std::filesystem;

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(oct, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool has_option(const std::string& options, const std::string& opt) {
  std::istringstream in(options);
  for (std::string o; std::getline(in, o, ',');)
    if (o == opt) return true;
  return false;
}

}  // namespace

std::vector<MountedFilesystem> parse_mountinfo(const std::string& text) {
  std::vector<MountedFilesystem> out;
  std::set<std::pair<unsigned, unsigned>> seen;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string id, parent, devno, root, mount_point, options;
    if (!(f >> id >> parent >> devno >> root >> mount_point >> options)) continue;
    std::string tok;
    while (f >> tok && tok != "-") {
    }  // optional fields end at "-"
    std::string fstype, source, super_options;
    if (!(f >> fstype >> source >> super_options)) continue;
    // A read-only filesystem cannot fill up (squashfs images, ISO mounts).
    if (has_option(options, "ro") || has_option(super_options, "ro")) continue;
    unsigned major = 0, minor = 0;
    if (std::sscanf(devno.c_str(), "%u:%u", &major, &minor) != 2) continue;
    if (major == 0) {
      // Anonymous device numbers (btrfs, overlay, tmpfs): a btrfs names its
      // block device as the source; pseudo filesystems name none.
      struct stat st {};
      if (source.rfind("/dev/", 0) != 0 || ::stat(source.c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
        continue;
      major = ::major(st.st_rdev);
      minor = ::minor(st.st_rdev);
    }
    if (!seen.insert({major, minor}).second) continue;
    out.push_back({major, minor, unescape(mount_point), fstype});
  }
  return out;
}

void add_filesystem_usage(const std::string& proc_root, const std::string& sys_root,
                          std::vector<model::Component>& disks, Problems* problems) {
  const std::string path = proc_root + "/self/mountinfo";
  const auto text = read_file(path);
  if (!text) {
    report(problems, path, 0, "cannot read");
    return;
  }
  std::map<std::string, std::pair<double, double>> per_disk;  // name -> used, capacity
  for (const auto& m : parse_mountinfo(*text)) {
    std::error_code ec;
    const fs::path dev = fs::path(sys_root) / "dev/block" /
                         (std::to_string(m.major) + ":" + std::to_string(m.minor));
    const fs::path real = fs::canonical(dev, ec);
    if (ec) continue;
    std::string name = real.filename();
    auto has_component = [&](const std::string& n) {
      for (const auto& d : disks)
        if (d.id == n) return true;
      return false;
    };
    // A partition without a component of its own counts on its disk.
    if (!has_component(name) && fs::exists(real / "partition", ec))
      name = real.parent_path().filename();
    if (!has_component(name)) continue;
    struct statvfs sv {};
    if (::statvfs(m.mount_point.c_str(), &sv) != 0 || sv.f_blocks == 0) continue;
    const double frsize = static_cast<double>(sv.f_frsize ? sv.f_frsize : sv.f_bsize);
    const double used = static_cast<double>(sv.f_blocks - sv.f_bfree) * frsize;
    const double avail = static_cast<double>(sv.f_bavail) * frsize;
    auto& [u, c] = per_disk[name];
    u += used;
    c += used + avail;
  }
  for (auto& d : disks) {
    auto it = per_disk.find(d.id);
    if (it == per_disk.end()) continue;
    d.set_gauge(model::MetricId::DiskFsUsed, it->second.first);
    d.set_gauge(model::MetricId::DiskFsCapacity, it->second.second);
  }
}

}  // namespace kpulse::collect
