#include "probes/mem/mem_group.h"

#include <memory>

#include "probes/group_drain.h"

namespace kpulse::probes {
namespace {

using model::Component;
using model::MetricId;

constexpr double kNs = 1e-9;

class MemGroup final : public ProbeGroup {
 public:
  [[nodiscard]] const char* name() const override { return "mem"; }
  [[nodiscard]] GroupSpec spec(const MapLimits& limits, bool) const override {
    return mem_spec(limits);
  }
  [[nodiscard]] const char* cgroup_map() const override { return "kp_mem_cgroups"; }

  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.mem = true;
    drain_cgroup_map(g.map_fd("kp_mem_cgroups"), t.cgroups, &CgroupTotals::mem,
                     &CgroupTotals::has_mem);
  }

  void add_cgroup_samples(Component& c, const CgroupTotals& t,
                          const CgroupTotals& d) const override {
    if (!t.has_mem) return;
    c.set_counter(MetricId::MemReclaimStall, double(t.mem.reclaim_ns) * kNs,
                  double(d.mem.reclaim_ns) * kNs);
    // cgroupfs (memory.events oom_kill) is authoritative and hierarchical;
    // BPF only fills in where the cgroup has no memory controller file to read.
    if (!c.find(MetricId::MemOomKills))
      c.set_counter(MetricId::MemOomKills, double(t.mem.oom_kills), double(d.mem.oom_kills));
  }
  // Reclaim only: the host's OOM kills come from /proc/vmstat.
  void add_host_samples(Component& host, const CgroupTotals& t,
                        const CgroupTotals& d) const override {
    host.set_counter(MetricId::MemReclaimStall, double(t.mem.reclaim_ns) * kNs,
                     double(d.mem.reclaim_ns) * kNs);
  }

  void add_samples(const BpfTotals&, SampleContext&) override {}
};

}  // namespace

std::unique_ptr<ProbeGroup> make_mem_group() {
  return std::make_unique<MemGroup>();
}

}  // namespace kpulse::probes
