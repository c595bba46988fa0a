#include "engine/kept_file_budget.h"

#include <algorithm>

#include "collect/kept_file.h"

namespace kpulse::engine {
namespace {

// cgroupfs files read every interval stay open. Each pins a seq_file page in
// the kernel, so at most this many are kept (64 MiB of kernel memory at
// worst; ~4 per cgroup on hybrid hosts, up to 8 on v2 hosts with every
// controller), past which reads fall back to open/read.
constexpr size_t kMaxKeptCgroupFiles = 16384;

// At most this many /proc/PID/stat files, and at most an eighth of the
// descriptors left.
constexpr size_t kMaxKeptStatFiles = 1024;

}  // namespace

size_t kept_stat_files() {
  return std::min(kMaxKeptStatFiles, collect::raise_fd_limit_for_kept_files() / 8);
}

collect::CgroupStatsOptions cgroup_stats_options() {
  collect::CgroupStatsOptions o;
  const size_t room = collect::raise_fd_limit_for_kept_files();
  o.kept_fds = std::min(kMaxKeptCgroupFiles, room - kept_stat_files());
  return o;
}

}  // namespace kpulse::engine
