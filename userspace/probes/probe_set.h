// All probe groups of one kpulse process: loads the registered groups that
// were asked for, drains their maps into BpfTotals each interval, detaches
// everything on destruction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "probes/bpf_totals.h"
#include "probes/hook_ladder.h"
#include "probes/kernel_features.h"
#include "probes/probe_group.h"
#include "probes/probe_status.h"
#include "profile/profile_probe.h"

namespace kpulse::probes {

struct ProbeSetOptions {
  std::vector<std::string> groups;  // empty: all
  MapLimits limits;
  bool per_process = true;
  // The profile group loads only when named in `groups` (it is not cheap).
  profile::ProfileProbeOptions profile;
};

class ProbeSet {
 public:
  // Throws std::runtime_error when BPF cannot work at all here (privileges,
  // BTF); individual groups that fail are reported in report().
  explicit ProbeSet(const ProbeSetOptions& options);
  ~ProbeSet();
  ProbeSet(const ProbeSet&) = delete;
  ProbeSet& operator=(const ProbeSet&) = delete;

  // Reads every active group's maps (batch lookups) and their event counters.
  BpfTotals drain();
  // Removes per-cgroup entries of cgroups that no longer exist.
  void forget_cgroups(const std::vector<uint64_t>& ids);
  // The active groups, in registry order, which turn drains into samples.
  [[nodiscard]] const std::vector<ProbeGroup*>& active_groups() const { return active_; }

  [[nodiscard]] const ProbeReport& report() const { return report_; }
  [[nodiscard]] const KernelFeatures& features() const { return features_; }
  [[nodiscard]] std::vector<std::pair<uint32_t, std::string>> program_ids() const;
  [[nodiscard]] std::vector<MapUsage> map_usage() const;
  // The stack sampler, or null when it is not requested or not active.
  [[nodiscard]] profile::ProfileProbe* profiler() const;

 private:
  struct Loaded {
    std::unique_ptr<ProbeGroup> group;
    std::unique_ptr<LoadedGroup> programs;
  };

  KernelFeatures features_;
  ProbeReport report_;
  std::vector<Loaded> groups_;       // every group asked for
  std::vector<ProbeGroup*> active_;  // those whose programs attached
  std::unique_ptr<profile::ProfileProbe> profiler_;
  size_t cgroups_last_drain_ = 0;  // entries of the last drain's BpfTotals::cgroups
};

}  // namespace kpulse::probes
