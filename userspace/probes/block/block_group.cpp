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

  // kp_block_io holds one entry per (disk, cgroup): the sums per disk and
  // per cgroup are made here.
  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.block = true;
    for (const auto& [dev, retired] : retired_disks_) add_u64_fields(t.disks[dev], retired);
    drain_percpu<kp_block_key, kp_block_stats>(
        g.map_fd("kp_block_io"),
        [&](const kp_block_key& key, const std::vector<const kp_block_stats*>& per_cpu) {
          kp_block_stats& d = t.disks[key.dev];
          CgroupTotals* c = nullptr;
          if (key.cgroup_id) {
            c = &t.cgroups[key.cgroup_id];
            c->has_block = true;
          }
          for (const auto* v : per_cpu) {
            add_u64_fields(d, *v);
            if (c) add_u64_fields(c->block, *v);
          }
        });
  }

  // A removed cgroup's entries leave the map, but what they counted stays in
  // their disks' totals (kept here), so a disk's counters never go back.
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
  std::unordered_map<uint32_t, kp_block_stats> prev_disks_;  // the previous drain's
  // What the entries of removed cgroups had counted, per disk.
  std::unordered_map<uint32_t, kp_block_stats> retired_disks_;
};

}  // namespace

std::unique_ptr<ProbeGroup> make_block_group() {
  return std::make_unique<BlockGroup>();
}

}  // namespace kpulse::probes
