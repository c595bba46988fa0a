// The allowlist, and where each knob lives on this host (the file, inside
// the right cgroup hierarchy or block queue).
#include "tune/knob.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "collect/cgroup_layout.h"

namespace kpulse::tune {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

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

}  // namespace

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
       1024 * 1024 * kMiB, false, true},
      {KnobKind::MemoryLimit, "cgroup.memory.limit_in_bytes", TargetKind::Cgroup, 16 * kMiB,
       1024 * 1024 * kMiB, false, true},
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

}  // namespace kpulse::tune
