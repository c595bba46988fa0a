#include "tune/knob.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "collect/cgroup_layout.h"
#include "tune/netns.h"

namespace kpulse::tune {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

const char* relative_file(KnobKind k) {
  switch (k) {
    case KnobKind::Somaxconn:
      return "/proc/sys/net/core/somaxconn";
    case KnobKind::TcpMaxSynBacklog:
      return "/proc/sys/net/ipv4/tcp_max_syn_backlog";
    case KnobKind::TcpRmemMax:
      return "/proc/sys/net/ipv4/tcp_rmem";
    case KnobKind::TcpWmemMax:
      return "/proc/sys/net/ipv4/tcp_wmem";
    case KnobKind::RmemMax:
      return "/proc/sys/net/core/rmem_max";
    case KnobKind::WmemMax:
      return "/proc/sys/net/core/wmem_max";
    case KnobKind::CpuMax:
      return "cpu.max";
    case KnobKind::CfsQuota:
      return "cpu.cfs_quota_us";
    case KnobKind::CpuWeight:
      return "cpu.weight";
    case KnobKind::CpuShares:
      return "cpu.shares";
    case KnobKind::MemoryHigh:
      return "memory.high";
    case KnobKind::MemoryLimit:
      return "memory.limit_in_bytes";
    case KnobKind::ReadAheadKb:
      return "read_ahead_kb";
    case KnobKind::NrRequests:
      return "nr_requests";
    case KnobKind::Scheduler:
      return "scheduler";
    case KnobKind::DirtyBackgroundRatio:
      return "/proc/sys/vm/dirty_background_ratio";
    case KnobKind::DirtyRatio:
      return "/proc/sys/vm/dirty_ratio";
  }
  return "";
}

std::vector<std::string> fields(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

void validate_cgroup(const std::string& t) {
  if (t.empty() || t[0] != '/')
    throw std::invalid_argument("cgroup path must start with '/': " + t);
  std::istringstream in(t);
  for (std::string part; std::getline(in, part, '/');)
    if (part == "..") throw std::invalid_argument("cgroup path may not contain '..': " + t);
}

void validate_disk(const std::string& t) {
  if (t.empty() || t == "." || t == ".." || !std::all_of(t.begin(), t.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      }))
    throw std::invalid_argument("not a block device name: " + t);
}

std::string long_str(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  return buf;
}

bool read_file(const std::string& path, std::string& raw, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  // One space between fields: tcp_rmem reads back tab-separated, and a
  // value must compare equal to what kpulse wrote.
  raw.clear();
  for (const auto& field : fields(ss.str())) raw += (raw.empty() ? "" : " ") + field;
  return true;
}

bool write_file(const std::string& path, const std::string& raw, std::string& error) {
  // O_TRUNC: sysfs, procfs and cgroupfs ignore it; a plain file (tests) needs it.
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, raw.data(), raw.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(raw.size())) {
    error = path + ": write \"" + raw + "\": " + std::strerror(n < 0 ? err : EIO);
    return false;
  }
  return true;
}

// Switching a device's I/O scheduler rebuilds its request tags: on 6.18
// nr_requests then reads back as the new elevator's default while the tag
// depth can stay at the old value (seen: nr_requests 4, switch to
// mq-deadline and back, nr_requests reads 128, at most 4 requests in
// flight), and writing the value it already shows changes nothing. So the
// depth from before the switch is written back after it, through a
// different value first so the kernel really resizes.
bool write_scheduler(const std::string& path, const std::string& raw, std::string& error) {
  const std::string nr_path = path.substr(0, path.rfind('/') + 1) + "nr_requests";
  std::string before;
  {
    std::ifstream in(nr_path);
    in >> before;
  }
  if (!write_file(path, raw, error)) return false;
  long depth = 0;
  try {
    depth = std::stol(before);
  } catch (const std::exception&) {
    return true;  // no readable nr_requests: nothing to keep
  }
  std::string ignored;
  write_file(nr_path, std::to_string(depth > 4 ? depth - 1 : depth + 1), ignored);
  if (!write_file(nr_path, std::to_string(depth), error)) {
    error = "scheduler switched, but restoring nr_requests " + before + " failed: " + error;
    return false;
  }
  return true;
}

}  // namespace

std::string active_scheduler(const std::string& raw) {
  auto open = raw.find('['), close = raw.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return raw;
  return raw.substr(open + 1, close - open - 1);
}

std::vector<std::string> available_schedulers(const std::string& raw) {
  std::vector<std::string> out;
  for (auto f : fields(raw)) {
    if (f.size() >= 2 && f.front() == '[' && f.back() == ']') f = f.substr(1, f.size() - 2);
    out.push_back(f);
  }
  return out;
}

const std::vector<KnobSpec>& allowlist() {
  static const std::vector<KnobSpec> table = {
      {KnobKind::Somaxconn, "net.core.somaxconn", TargetKind::Netns, 128, 65535, false},
      {KnobKind::TcpMaxSynBacklog, "net.ipv4.tcp_max_syn_backlog", TargetKind::Netns, 128, 65535,
       false},
      {KnobKind::TcpRmemMax, "net.ipv4.tcp_rmem", TargetKind::Netns, 64 * 1024, 64 * kMiB, false},
      {KnobKind::TcpWmemMax, "net.ipv4.tcp_wmem", TargetKind::Netns, 64 * 1024, 64 * kMiB, false},
      // Global: every namespace's sockets see them, so they need the opt-in.
      {KnobKind::RmemMax, "net.core.rmem_max", TargetKind::Host, 212992, 64 * kMiB, true},
      {KnobKind::WmemMax, "net.core.wmem_max", TargetKind::Host, 212992, 64 * kMiB, true},
      // Quota in µs per period; the effective ceiling (host CPUs) is applied by the tuner.
      {KnobKind::CpuMax, "cgroup.cpu.max", TargetKind::Cgroup, 1000, 1e9, false},
      {KnobKind::CfsQuota, "cgroup.cpu.cfs_quota_us", TargetKind::Cgroup, 1000, 1e9, false},
      {KnobKind::CpuWeight, "cgroup.cpu.weight", TargetKind::Cgroup, 1, 10000, false},
      {KnobKind::CpuShares, "cgroup.cpu.shares", TargetKind::Cgroup, 2, 262144, false},
      {KnobKind::MemoryHigh, "cgroup.memory.high", TargetKind::Cgroup, 16 * kMiB,
       1024 * 1024 * kMiB, false},
      {KnobKind::MemoryLimit, "cgroup.memory.limit_in_bytes", TargetKind::Cgroup, 16 * kMiB,
       1024 * 1024 * kMiB, false},
      {KnobKind::ReadAheadKb, "block.read_ahead_kb", TargetKind::Disk, 0, 8192, false},
      {KnobKind::NrRequests, "block.nr_requests", TargetKind::Disk, 4, 4096, false},
      {KnobKind::Scheduler, "block.scheduler", TargetKind::Disk, 0, 0, false},
      {KnobKind::DirtyBackgroundRatio, "vm.dirty_background_ratio", TargetKind::Host, 1, 50, true},
      {KnobKind::DirtyRatio, "vm.dirty_ratio", TargetKind::Host, 5, 80, true},
  };
  return table;
}

const KnobSpec& spec(KnobKind k) {
  for (const auto& s : allowlist())
    if (s.kind == k) return s;
  throw std::logic_error("knob kind missing from the allowlist");
}

std::optional<KnobKind> knob_from_id(const std::string& id) {
  for (const auto& s : allowlist())
    if (id == s.id) return s.kind;
  return std::nullopt;
}

std::string Knob::key() const {
  const KnobSpec& s = spec(kind);
  switch (s.target) {
    case TargetKind::Netns:
      return std::string(s.id) + "@netns:" + std::to_string(netns_inode);
    case TargetKind::Host:
      return s.id;
    case TargetKind::Cgroup:
    case TargetKind::Disk:
      return std::string(s.id) + "@" + target;
  }
  return s.id;
}

std::string Knob::resource() const {
  switch (spec(kind).target) {
    case TargetKind::Netns:
      return "netns:" + std::to_string(netns_inode);
    case TargetKind::Host:
      return "host";
    case TargetKind::Cgroup:
      return "cgroup:" + target;
    case TargetKind::Disk:
      return "disk:" + target;
  }
  return "";
}

std::string knob_path(const Knob& k, const std::string& cgroup_root) {
  const KnobSpec& s = spec(k.kind);
  switch (s.target) {
    case TargetKind::Netns:
    case TargetKind::Host:
      return relative_file(k.kind);
    case TargetKind::Cgroup: {
      validate_cgroup(k.target);
      auto layout = collect::detect_cgroup_layout(cgroup_root);
      // Hybrid hosts mount cgroup2 below the root; a bare tree is taken as v2.
      std::string base = layout.v2_root.empty() ? cgroup_root : layout.v2_root;
      if (k.kind == KnobKind::CfsQuota || k.kind == KnobKind::CpuShares ||
          k.kind == KnobKind::MemoryLimit) {
        base = layout.v1_dir(k.kind == KnobKind::MemoryLimit ? "memory" : "cpu");
        if (base.empty()) throw std::invalid_argument("no cgroup v1 hierarchy for " + k.id());
      }
      return base + (k.target == "/" ? "" : k.target) + "/" + relative_file(k.kind);
    }
    case TargetKind::Disk:
      validate_disk(k.target);
      return "/sys/block/" + k.target + "/queue/" + relative_file(k.kind);
  }
  return "";
}

bool read_knob(const Knob& k, std::string& raw, std::string& error,
               const std::string& cgroup_root) {
  std::string path;
  try {
    path = knob_path(k, cgroup_root);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  if (spec(k.kind).target != TargetKind::Netns) {
    if (!read_file(path, raw, error)) return false;
    // "none [mq-deadline] kyber" reads back as the active name alone: that is
    // what gets written and journaled, so a read-back compares equal.
    if (k.kind == KnobKind::Scheduler) raw = active_scheduler(raw);
    return true;
  }
  bool ok = false;
  std::string inner;
  if (!run_in_netns(
          k.target, [&] { ok = read_file(path, raw, inner); }, error))
    return false;
  if (!ok) error = inner;
  return ok;
}

bool write_knob(const Knob& k, const std::string& raw, std::string& error, bool allow_host_wide,
                const std::string& cgroup_root) {
  const KnobSpec& s = spec(k.kind);
  if (s.host_wide && !allow_host_wide) {
    error = std::string(s.id) + " is host-wide: enable it explicitly (--allow-host-wide)";
    return false;
  }
  std::string path;
  try {
    path = knob_path(k, cgroup_root);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  if (k.kind == KnobKind::Scheduler) return write_scheduler(path, raw, error);
  if (s.target != TargetKind::Netns) return write_file(path, raw, error);
  bool ok = false;
  std::string inner;
  if (!run_in_netns(
          k.target, [&] { ok = write_file(path, raw, inner); }, error))
    return false;
  if (!ok) error = inner;
  return ok;
}

double numeric_value(KnobKind k, const std::string& raw) {
  auto f = fields(raw);
  if (f.empty()) return std::nan("");
  try {
    switch (k) {
      case KnobKind::TcpRmemMax:
      case KnobKind::TcpWmemMax:
        return f.size() == 3 ? std::stod(f[2]) : std::nan("");
      case KnobKind::CpuMax:
        return f[0] == "max" ? kInf : std::stod(f[0]);
      case KnobKind::CfsQuota:
        return f[0] == "-1" ? kInf : std::stod(f[0]);
      case KnobKind::MemoryHigh:
      case KnobKind::MemoryLimit:
        return f[0] == "max" ? kInf : std::stod(f[0]);
      case KnobKind::Scheduler:
        return std::nan("");
      default:
        return std::stod(f[0]);
    }
  } catch (const std::exception&) {
    return std::nan("");
  }
}

std::string compose_value(KnobKind k, const std::string& current, double value, double lo,
                          double hi) {
  const KnobSpec& s = spec(k);
  if (k == KnobKind::Scheduler) throw std::invalid_argument("block.scheduler is not numeric");
  lo = std::max(lo, s.lo);
  hi = std::min(hi, s.hi);
  if (!(lo <= hi)) throw std::invalid_argument(std::string(s.id) + ": empty bounds");
  double v = std::clamp(value, lo, hi);
  auto f = fields(current);
  switch (k) {
    case KnobKind::TcpRmemMax:
    case KnobKind::TcpWmemMax: {
      if (f.size() != 3) throw std::invalid_argument("unexpected tcp_[rw]mem value: " + current);
      // The default may not exceed the max: lower it with the max if needed.
      double def = std::min(std::stod(f[1]), v);
      double mn = std::min(std::stod(f[0]), def);
      return long_str(mn) + " " + long_str(def) + " " + long_str(v);
    }
    case KnobKind::CpuMax: {
      std::string period = f.size() >= 2 ? f[1] : "100000";
      return long_str(v) + " " + period;
    }
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit: {
      // The kernel keeps memory limits in whole pages and reads back the
      // rounded value: a limit written off a page boundary would read back
      // as someone else's change, and kpulse would let go of its own step.
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      double pages = std::floor(v / page) * page;
      return long_str(pages >= lo ? pages : std::ceil(lo / page) * page);
    }
    case KnobKind::ReadAheadKb: {
      // Kept in pages as well (read back as pages x 4 KiB).
      const double page_kb = static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024;
      return long_str(std::max(lo, std::floor(v / page_kb) * page_kb));
    }
    default:
      return long_str(v);
  }
}

double max_step(KnobKind kind, double current) {
  const double cur = std::max(current, 0.0);
  switch (kind) {
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit:
      // At most double, at most 1 GiB: a limit grows in judged steps.
      return std::min(std::max(cur, 16 * kMiB), 1024 * kMiB);
    case KnobKind::CpuMax:
    case KnobKind::CfsQuota:
      // At most double, or half a CPU at the default 100 ms period.
      return std::max(cur, 50000.0);
    case KnobKind::CpuWeight:
      return std::max(cur, 10.0);  // a share at most doubles per step
    case KnobKind::CpuShares:
      return std::max(cur, 102.0);
    default:
      return std::numeric_limits<double>::infinity();
  }
}

double step_toward(double current, double bound, double fraction, double min_step,
                   const KnobSpec& s) {
  bound = std::clamp(bound, s.lo, s.hi);
  double dist = bound - current;
  if (dist == 0) return current;
  double step = std::max(std::abs(dist) * fraction, min_step);
  step = std::min({step, std::abs(dist), max_step(s.kind, current)});
  double next = current + (dist > 0 ? step : -step);
  return std::clamp(next, s.lo, s.hi);
}

}  // namespace kpulse::tune
