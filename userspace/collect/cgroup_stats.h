// Per-cgroup accounting and limits from cgroupfs → cgroup.* and psi.*
// metrics on a Cgroup component.
//
// cgroup v2 files are read from <v2_root><path>; on hybrid and v1 hosts the
// same relative path is also looked up under each v1 hierarchy, and v1 values
// fill whatever v2 did not provide (on hybrid hosts the cgroup2 tree usually
// has no controllers enabled, so only cpu.stat usage and PSI come from v2).
//
// Costs are bounded for hosts with thousands of cgroups: files read every
// interval stay open (pread from offset 0), limits are re-read every few
// intervals, and idle cgroups' counters less often (CgroupStatsOptions).
//
// Every file may be missing (controller not enabled, root cgroup, older
// kernel) or vanish mid-read (cgroup removed): such values are simply absent.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "collect/kept_file.h"
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

// What the caller knows of a cgroup's activity this interval.
enum class CgroupActivity {
  // Busy (or just appeared): read everything that is due now.
  Busy,
  // The caller watched it (BPF) and it did next to nothing since its CPU
  // figures were last read (cpu_read()): its counters are re-read every
  // idle_every intervals only, its CPU figures every idle_cpu_every.
  Idle,
  // Idle but for its CPU figures (its tasks waited in run queues, or ran a
  // little that added up since the last read): those are read now, the rest
  // as for Idle.
  CpuMoved,
  // Nobody watched (no BPF): CPU usage is read every interval, and a cgroup
  // whose usage moved counts as busy.
  Unknown,
};

struct CgroupStatsOptions {
  // Limits (cpu.max, cpu.weight, memory.min/low/high/max, v1 quota, shares,
  // limits) change only when someone reconfigures a cgroup, so they are re-read every this many
  // intervals (and on a cgroup's first read); a changed limit shows within that many seconds at a 1
  // s interval.
  unsigned limits_every = 10;
  // Which controllers a cgroup has (cgroup.controllers) and which v1
  // hierarchies hold it (a stat per hierarchy) change even more rarely
  // (a parent's subtree_control written, a controller delegated): re-checked
  // every this many intervals, and at once when a kept file shows the cgroup
  // was recreated (limits are re-read along).
  unsigned layout_every = 60;
  // An idle cgroup's counters (CPU, memory, pids, I/O, PSI) are re-read this
  // often; in between their last values are repeated, so their deltas are 0
  // and the next read carries the whole change. Idle means its tasks barely
  // ran, so the counters barely move meanwhile. Re-reads are spread over the
  // period by path, so cgroups created together do not re-read together.
  unsigned idle_every = 5;
  // An Idle cgroup's CPU figures (cpu.stat, cpu.pressure, v1 cpuacct.usage)
  // are re-read this often only: Idle says the caller (BPF, which sees every
  // context switch) saw its tasks neither run nor wait in run queues above
  // its bar since the last CPU read (engine/cgroup_activity.h: no running,
  // under 10 ms of waiting at a 1 s interval), which bounds how far these
  // counters moved. This period covers only what BPF cannot see; 30 like
  // quiet_pressure_every, the other figures BPF vouches for. A cpu.pressure
  // avg10 above 0 is re-read every idle_every (the average decays by itself).
  unsigned idle_cpu_every = 30;
  // memory.pressure and io.pressure of an idle cgroup that stayed idle and
  // "stall-quiet" since their last read (the caller saw no cause of a memory
  // or I/O stall: no block I/O, reclaim or major fault by its tasks), and
  // whose last reading showed no recent stall (some avg10 0 in both), are
  // re-read at the first idle re-read this many intervals after their last
  // read only, their values repeated in between: without a
  // cause their totals do not move and the averages stay 0. A stall whose
  // cause the caller cannot attribute (waiting on a page another cgroup reads
  // in, dirty-page throttling while a flusher writes back) shows within this
  // many intervals. Busy cgroups read both every interval.
  unsigned quiet_pressure_every = 30;
  // Descriptors the reader may keep open (files read every interval); 0 keeps
  // none (every read is open/read/close). See kept_file.h.
  size_t kept_fds = 0;
};

class CgroupStatsReader {
 public:
  explicit CgroupStatsReader(CgroupLayout layout, CgroupStatsOptions options = {});
  ~CgroupStatsReader();
  CgroupStatsReader(const CgroupStatsReader&) = delete;
  CgroupStatsReader& operator=(const CgroupStatsReader&) = delete;

  // Fills the metrics of the cgroup at `path` ("/" or "/a/b") into `out`.
  // Returns false when the cgroup exists in no hierarchy (e.g. removed).
  // `out.kernel_id` identifies the cgroup: a different id under a known path
  // is a new cgroup, and nothing remembered about the old one is used.
  // `activity` decides what is re-read now and what repeats the last values
  // (CgroupActivity, CgroupStatsOptions).
  // `stall_quiet`: the caller saw no cause of a memory or I/O stall by the
  // cgroup's tasks this interval (CgroupStatsOptions::quiet_pressure_every;
  // heeded for Idle and CpuMoved cgroups only).
  // `cpu_wait_quiet`: the caller saw the cgroup's tasks wait in run queues
  // less than its bar since cpu.pressure was last read (cpu_psi_read()): its
  // "some" and "full" totals grow only while tasks wait for a CPU, so a calm
  // reading (some avg10 0) is repeated then, up to idle_cpu_every intervals,
  // even where the CPU usage is read (running does not move it). Heeded
  // where the caller watches (not Unknown).
  bool read(std::string_view path, model::Component& out, Problems* problems = nullptr,
            CgroupActivity activity = CgroupActivity::Busy, bool stall_quiet = false,
            bool cpu_wait_quiet = false);
  // Where a cgroup sits in the v1 hierarchies is looked up in `tree` (kept
  // current by the caller's walks; nullptr: none) instead of a stat per
  // hierarchy, and checked again after each new walk as well as with the
  // layout. Where the tree cannot tell (cut short), the stats are made.
  void use_v1_tree(const V1Tree* tree) { v1_tree_ = tree; }
  // Ends an interval: ages what was read, and closes what is remembered of
  // cgroups not read since the previous call (they left the caller's set).
  void end_interval();

  // Cgroups whose kept files failed and were reopened (removed and recreated
  // under the same path, so the caller's path → id mapping is stale).
  [[nodiscard]] uint64_t recreated() const { return recreated_; }
  // Whether the last read() read the CPU figures afresh (rather than
  // repeating them): the caller's measure of activity since then restarts.
  [[nodiscard]] bool cpu_read() const { return cpu_read_; }
  // Whether the last read() read cpu.pressure afresh: the caller's measure
  // of waiting since then restarts.
  [[nodiscard]] bool cpu_psi_read() const { return cpu_psi_read_; }
  [[nodiscard]] size_t kept_fds() const { return budget_.used(); }
  [[nodiscard]] const CgroupLayout& layout() const { return layout_; }

 private:
  struct Entry;
  // Which groups of figures a read() reads afresh (the others repeat).
  struct Due {
    bool layout = false, limits = false, counters = false, cpu = false;
  };
  Entry& entry_for(std::string_view path, uint64_t identity);
  [[nodiscard]] Due due_now(const Entry& e, CgroupActivity activity) const;
  [[nodiscard]] uint64_t read_at(const std::optional<uint64_t>& last, std::string_view path,
                                 unsigned every) const;
  // Reads cgroup2 cpu.stat (when due) and finds the cgroup's v1 directories
  // (dir_ is its cgroup2 one); whether it is in the cgroup2 tree, nullopt
  // when it is in no hierarchy. A recreated or re-laid-out cgroup makes more
  // of `due` due.
  std::optional<bool> locate(std::string_view path, Entry& e, Due& due, model::Component& out,
                             Problems* problems);
  // Reads <dir>/<name> into buf_ (path_ holds the path), through the
  // entry's kept descriptor `kept_slot` unless it is -1.
  bool fetch(const std::string& dir, const char* name, Entry& e, int kept_slot);
  // Finds the cgroup's v1 directories; whether any changed.
  bool probe_v1(std::string_view path, Entry& e);
  void read_controllers(const std::string& dir, Entry& e);
  void read_v1_cpu_usage(Entry& e, model::Component& out);
  void read_memory_stat(bool v2, Entry& e, model::Component& out, Problems* problems);
  void read_v2_counters(const std::string& dir, Entry& e, model::Component& out,
                        Problems* problems);
  void read_v2_limits(const std::string& dir, Entry& e, model::Component& out, Problems* problems);
  void read_v1_counters(Entry& e, model::Component& out, Problems* problems);
  void read_v1_limits(Entry& e, model::Component& out, Problems* problems);

  CgroupLayout layout_;
  CgroupStatsOptions options_;
  const V1Tree* v1_tree_ = nullptr;
  // Each v1 controller's hierarchy directory ("" when not mounted), by
  // cgroup_stats_detail::V1Controller: looked up once, not per probe.
  std::array<std::string, 5> v1_bases_;
  FdBudget budget_;
  // Looked up by string_view (heterogeneous lookup).
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view p) const { return std::hash<std::string_view>{}(p); }
  };
  std::unordered_map<std::string, std::unique_ptr<Entry>, PathHash, std::equal_to<>> entries_;
  uint64_t interval_ = 0;
  uint64_t recreated_ = 0;
  bool cpu_read_ = false;
  bool cpu_psi_read_ = false;
  std::string buf_;   // reused across files: this runs for every cgroup every interval
  std::string path_;  // likewise, the file path being read
  std::string dir_;   // the cgroup's cgroup2 directory, during read()
};

}  // namespace kpulse::collect
