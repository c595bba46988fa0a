#include "probes/sched/sched_group.h"

#include <memory>
#include <string>
#include <unordered_set>

#include "collect/cgroup_resolver.h"
#include "model/clock.h"
#include "probes/bpf_samples.h"
#include "probes/group_drain.h"
#include "probes/sched/exit_ring.h"
#include "probes/sched/ran_marks.h"
#include "probes/sched/sched_samples.h"

namespace kpulse::probes {
namespace {

using model::ComponentKind;
using model::MetricId;

class SchedGroup final : public ProbeGroup {
 public:
  [[nodiscard]] const char* name() const override { return "sched"; }
  [[nodiscard]] GroupSpec spec(const MapLimits& limits, bool per_process) const override {
    return sched_spec(limits, per_process);
  }
  [[nodiscard]] const char* cgroup_map() const override { return "kp_sched_cgroups"; }

  void start(const LoadedGroup& loaded, const KernelFeatures& f) override {
    slices_known_ = sched_slices_known(f);
    exits_ = std::make_unique<ExitRing>(loaded.map_fd("kp_exits"));
    ran_ = std::make_unique<RanMarks>(loaded.map_fd("kp_sched_ran"));
  }
  void stop() override {
    exits_.reset();
    ran_.reset();
  }

  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.sched = true;
    t.sched_slices = slices_known_;
    drain_cgroup_map(g.map_fd("kp_sched_cgroups"), t.cgroups, &CgroupTotals::sched,
                     &CgroupTotals::has_sched);
    for_each_taken_cell(g, [&](__u32, const kp_sched_cell& cell) {
      if (removed_.contains(cell.cgroup_id)) return;
      CgroupTotals& c = t.cgroups[cell.cgroup_id];
      c.has_sched = true;
      add_u64_fields(c.sched, cell.stats);
    });
    if (ran_ && ran_->mapped()) {
      t.ran_marks = true;
      t.ran_tgids = ran_->take();
    }
    const int ncpu = possible_cpus();
    t.cpus.assign(ncpu, kp_sched_cpu{});
    drain_percpu<__u32, kp_sched_cpu>(g.map_fd("kp_sched_cpus"),
                                      [&](const __u32&, const std::vector<const kp_sched_cpu*>& v) {
                                        for (int c = 0; c < ncpu; ++c) t.cpus[c] = *v[c];
                                      });
    for (const auto& cpu : t.cpus) {
      t.events += cpu.switches;  // sched_switch counts its events here only
      if (cpu.running_cgroup != 0) {
        CgroupTotals& held = t.cgroups[cpu.running_cgroup];
        held.has_sched = true;
        ++held.cpus_held;
      }
    }
    if (exits_) t.exits = exits_->take();
  }

  // A removed cgroup's entries leave the hash; its cells (only their CPU may
  // write them) are named in kp_sched_cells_retired, where their CPU takes
  // them back for the next cgroup hashing there; until then the drain skips
  // them.
  void forget_cgroups(const LoadedGroup& g, const std::vector<uint64_t>& ids) override {
    ProbeGroup::forget_cgroups(g, ids);
    const std::unordered_set<uint64_t> gone(ids.begin(), ids.end());
    const int retired_fd = g.map_fd("kp_sched_cells_retired");
    std::unordered_set<uint64_t> in_cells;
    for_each_taken_cell(g, [&](__u32 idx, const kp_sched_cell& cell) {
      const __u64 id = cell.cgroup_id;
      in_cells.insert(id);
      if (gone.contains(id) && !removed_.contains(id))
        bpf_map_update_elem(retired_fd, &idx, &id, BPF_ANY);
    });
    for (uint64_t id : gone)
      if (in_cells.contains(id)) removed_.insert(id);
    std::erase_if(removed_, [&](uint64_t id) { return !in_cells.contains(id); });
  }

  void add_cgroup_samples(model::Component& c, const CgroupTotals& t,
                          const CgroupTotals& d) const override {
    if (t.has_sched) add_sched_samples(c, t.sched, d.sched);
  }
  // The host's run-queue histogram is the per-CPU ones' sum (add_samples);
  // its CPU time, switches and faults come from /proc/stat and /proc/vmstat.
  void add_host_samples(model::Component&, const CgroupTotals&,
                        const CgroupTotals&) const override {}

  void add_samples(const BpfTotals& t, SampleContext& out) override {
    add_cpu_samples(t, out);
    const int64_t to_wall = model::monotonic_to_wall_ns();
    for (const auto& e : t.exits) {
      model::ExitedTask x = to_exited_task(e, to_wall);
      x.cgroup = out.cgroups.path(e.cgroup_id).value_or("");
      out.exited.push_back(std::move(x));
    }
  }

 private:
  // Calls fn(index, cell) for every CPU's cell of kp_sched_cells naming a
  // cgroup (a switch-in counts there, or in kp_sched_cgroups where the
  // CPU's cell counts another cgroup).
  template <class Fn>
  static void for_each_taken_cell(const LoadedGroup& g, Fn&& fn) {
    for_each_used_cell<kp_sched_cell>(g.map_fd("kp_sched_cells_used"), g.map_fd("kp_sched_cells"),
                                      [&](__u32 idx, const kp_sched_cell& cell) {
                                        if (cell.cgroup_id != 0) fn(idx, cell);
                                      });
  }

  // Run-queue latency and length per CPU, the host's latency their sum.
  void add_cpu_samples(const BpfTotals& t, SampleContext& out) {
    kp_hist host_total{}, host_interval{};
    for (size_t cpu = 0; cpu < t.cpus.size(); ++cpu) {
      const kp_sched_cpu& now = t.cpus[cpu];
      kp_sched_cpu before{};
      if (cpu < prev_cpus_.size()) before = prev_cpus_[cpu];
      kp_sched_cpu d = subtract_u64_fields(now, before);
      add_u64_fields(host_total, now.runq_latency);
      add_u64_fields(host_interval, d.runq_latency);
      model::Component* c = out.find(ComponentKind::Cpu, "cpu" + std::to_string(cpu));
      if (!c) continue;  // possible but offline CPU
      add_histogram(*c, MetricId::SchedRunqLatency, now.runq_latency, d.runq_latency);
      if (d.switches > 0 && d.nr_running_sum > 0)
        c->set_gauge(MetricId::SchedRunqLength, double(d.nr_running_sum) / double(d.switches));
    }
    prev_cpus_ = t.cpus;
    if (out.host) add_histogram(*out.host, MetricId::SchedRunqLatency, host_total, host_interval);
  }

  std::unique_ptr<ExitRing> exits_;
  std::unique_ptr<RanMarks> ran_;
  // Removed cgroups whose cells were retired and may still name them.
  std::unordered_set<uint64_t> removed_;
  std::vector<kp_sched_cpu> prev_cpus_;  // the previous drain's, for deltas
  bool slices_known_ = false;
};

}  // namespace

std::unique_ptr<ProbeGroup> make_sched_group() {
  return std::make_unique<SchedGroup>();
}

}  // namespace kpulse::probes
