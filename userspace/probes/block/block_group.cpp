#include "probes/block/block_group.h"

#include <memory>
#include <string>
#include <unordered_map>

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
  [[nodiscard]] const char* cgroup_map() const override { return "kp_block_cgroups"; }

  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.block = true;
    drain_cgroup_map(g.map_fd("kp_block_cgroups"), t.cgroups, &CgroupTotals::block,
                     &CgroupTotals::has_block);
    drain_percpu<__u32, kp_block_stats>(
        g.map_fd("kp_block_disks"),
        [&](const __u32& dev, const std::vector<const kp_block_stats*>& per_cpu) {
          kp_block_stats& d = t.disks[dev];
          for (const auto* v : per_cpu) add_u64_fields(d, *v);
        });
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
};

}  // namespace

std::unique_ptr<ProbeGroup> make_block_group() {
  return std::make_unique<BlockGroup>();
}

}  // namespace kpulse::probes
