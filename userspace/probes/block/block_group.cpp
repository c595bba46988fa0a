#include "probes/block/block_group.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <bpf/bpf.h>

#include "collect/disk_stats.h"
#include "probes/block/block_samples.h"
#include "probes/bpf_samples.h"
#include "probes/group_drain.h"

namespace kpulse::probes {
namespace {

using model::Component;
using model::ComponentKind;

class BlockGroup final : public ProbeGroup {
 public:
  [[nodiscard]] const char* name() const override { return "block"; }
  [[nodiscard]] GroupSpec spec(const MapLimits& limits, bool) const override {
    return block_spec(limits);
  }
  [[nodiscard]] const char* cgroup_map() const override { return "kp_block_io"; }

  // A completion counts in its CPU's cell of kp_block_cells, or in
  // kp_block_io where that cell counts another (disk, cgroup): the sums per
  // disk and per cgroup are made here.
  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.block = true;
    for (const auto& [dev, retired] : retired_disks_) add_u64_fields(t.disks[dev], retired);
    drain_percpu<kp_block_key, kp_block_stats>(
        g.map_fd("kp_block_io"),
        [&](const kp_block_key& key, const std::vector<const kp_block_stats*>& per_cpu) {
          for (const auto* v : per_cpu) add(t, key, *v);
        });
    for_each_taken_cell(g, [&](__u32, const kp_block_cell& cell) {
      if (!removed_.contains(cell.key.cgroup_id)) add(t, cell.key, cell.stats);
    });
  }

  // A removed cgroup's entries leave the map, but what they counted stays in
  // their disks' totals (kept here), so a disk's counters never go back. Its
  // cells (only their CPU may write them) are retired the same way and
  // named in kp_block_cells_retired, where their CPU takes them back for the
  // next pair that hashes there; until then the drain skips them.
  void forget_cgroups(const LoadedGroup& g, const std::vector<uint64_t>& ids) override {
    const std::unordered_set<uint64_t> gone(ids.begin(), ids.end());
    std::vector<kp_block_key> keys;
    const int fd = g.map_fd("kp_block_io");
    drain_percpu<kp_block_key, kp_block_stats>(
        fd, [&](const kp_block_key& key, const std::vector<const kp_block_stats*>& per_cpu) {
          if (!gone.contains(key.cgroup_id)) return;
          for (const auto* v : per_cpu) add_u64_fields(retired_disks_[key.dev], *v);
          keys.push_back(key);
        });
    for (auto& key : keys) bpf_map_delete_elem(fd, &key);
    retire_cells(g, gone);
  }

  void add_cgroup_samples(Component& c, const CgroupTotals& t,
                          const CgroupTotals& d) const override {
    if (t.has_block) add_block_samples(c, t.block, d.block);
  }
  void add_host_samples(Component& host, const CgroupTotals& t,
                        const CgroupTotals& d) const override {
    add_block_counters(host, t.block, d.block);
  }

  // Per disk; a disk /proc/diskstats did not list is added.
  void add_samples(const BpfTotals& t, SampleContext& out) override {
    for (const auto& [dev, now] : t.disks) {
      kp_block_stats before{};
      if (auto it = prev_disks_.find(dev); it != prev_disks_.end()) before = it->second;
      kp_block_stats d = subtract_u64_fields(now, before);
      Component* c = out.find(ComponentKind::Disk, uint64_t{dev});
      if (!c) {
        Component nc;
        nc.kind = ComponentKind::Disk;
        nc.name = nc.id = out.disk_names.name(dev);
        nc.kernel_id = dev;
        nc.detail = std::to_string(collect::kernel_dev_major(dev)) + ":" +
                    std::to_string(collect::kernel_dev_minor(dev));
        out.added.push_back(std::move(nc));
        c = &out.added.back();
      }
      add_block_samples(*c, now, d);
    }
    prev_disks_ = t.disks;
  }

 private:
  static constexpr __u64 kCellTaken = 1;  // kp_block_cell.state once its key is written

  void add(BpfTotals& t, const kp_block_key& key, const kp_block_stats& v) const {
    add_u64_fields(t.disks[key.dev], v);
    if (!key.cgroup_id) return;
    CgroupTotals& c = t.cgroups[key.cgroup_id];
    c.has_block = true;
    add_u64_fields(c.block, v);
  }

  // Calls fn(index, cell) for every CPU's taken cell, reading only the
  // indices kp_block_cells_used marks (a lookup per index, all CPUs at once).
  template <class Fn>
  static void for_each_taken_cell(const LoadedGroup& g, Fn&& fn) {
    for_each_used_cell<kp_block_cell>(g.map_fd("kp_block_cells_used"), g.map_fd("kp_block_cells"),
                                      [&](__u32 idx, const kp_block_cell& cell) {
                                        if (cell.state == kCellTaken) fn(idx, cell);
                                      });
  }

  void retire_cells(const LoadedGroup& g, const std::unordered_set<uint64_t>& gone) {
    const int retired_fd = g.map_fd("kp_block_cells_retired");
    std::unordered_set<uint64_t> in_cells;
    for_each_taken_cell(g, [&](__u32 idx, const kp_block_cell& cell) {
      const __u64 id = cell.key.cgroup_id;
      in_cells.insert(id);
      if (!gone.contains(id) || removed_.contains(id)) return;
      add_u64_fields(retired_disks_[cell.key.dev], cell.stats);
      bpf_map_update_elem(retired_fd, &idx, &id, BPF_ANY);
    });
    for (uint64_t id : gone)
      if (in_cells.contains(id)) removed_.insert(id);
    std::erase_if(removed_, [&](uint64_t id) { return !in_cells.contains(id); });
  }

  // Removed cgroups whose cells were retired and may still name them.
  std::unordered_set<uint64_t> removed_;
  std::unordered_map<uint32_t, kp_block_stats> prev_disks_;  // the previous drain's
  // What the entries of removed cgroups had counted, per disk.
  std::unordered_map<uint32_t, kp_block_stats> retired_disks_;
};

}  // namespace

std::unique_ptr<ProbeGroup> make_block_group() {
  return std::make_unique<BlockGroup>();
}

}  // namespace kpulse::probes
