// Per-cgroup accounting and limits from cgroupfs → cgroup.* and psi.*
// metrics on a Cgroup component.
//
// cgroup v2 files are read from <v2_root><path>; on hybrid and v1 hosts the
// same relative path is also looked up under each v1 hierarchy, and v1 values
// fill whatever v2 did not provide (on hybrid hosts the cgroup2 tree usually
// has no controllers enabled, so only cpu.stat usage and PSI come from v2).
//
// Every file may be missing (controller not enabled, root cgroup, older
// kernel) or vanish mid-read (cgroup removed): such values are simply absent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "collect/cgroup_layout.h"
#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// A Cgroup component with identity filled in: id = path, name = leaf,
// parent = parent path, kernel_id = cgroup id.
model::Component make_cgroup_component(std::string_view path, uint64_t cgroup_id);

// v1 cpu.shares → cgroup v2 cpu.weight, the kernel's own conversion
// (cpu_weight_read_u64: shares * 100 / 1024, rounded), clamped to 1..10000.
double cpu_shares_to_weight(uint64_t shares);

// v1 memory limits report "unlimited" as PAGE_COUNTER_MAX * page size
// (9223372036854771712 on x86-64); anything this large means no limit.
inline constexpr uint64_t kV1UnlimitedThreshold = uint64_t{1} << 62;

class CgroupStatsReader {
 public:
  explicit CgroupStatsReader(CgroupLayout layout) : layout_(std::move(layout)) {}

  // Fills the metrics of the cgroup at `path` ("/" or "/a/b") into `out`.
  // Returns false when the cgroup exists in no hierarchy (e.g. removed).
  bool read(std::string_view path, model::Component& out, Problems* problems = nullptr);

  [[nodiscard]] const CgroupLayout& layout() const { return layout_; }

 private:
  bool read_v2(const std::string& dir, model::Component& out, Problems* problems);
  bool read_v1(std::string_view path, model::Component& out, Problems* problems);

  CgroupLayout layout_;
  std::string buf_;  // reused across files: this runs for every cgroup every interval
};

}  // namespace kpulse::collect
