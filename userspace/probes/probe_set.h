// All probe groups of one kpulse process: loads them, drains their maps into
// BpfTotals each interval, detaches everything on destruction.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "probes/probe_status.h"
#include "probes/bpf_totals.h"
#include "probes/group_specs.h"
#include "probes/kernel_features.h"
#include "probes/probe_group.h"
#include "profile/profile_probe.h"

struct ring_buffer;

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

  // Reads every map (batch lookups) and the exit ring buffer.
  BpfTotals drain();
  // Removes per-cgroup entries of cgroups that no longer exist.
  void forget_cgroups(const std::vector<uint64_t>& ids);

  [[nodiscard]] const ProbeReport& report() const { return report_; }
  [[nodiscard]] const KernelFeatures& features() const { return features_; }
  [[nodiscard]] std::vector<std::pair<uint32_t, std::string>> program_ids() const;
  [[nodiscard]] std::vector<MapUsage> map_usage() const;
  // The stack sampler, or null when it is not requested or not active.
  [[nodiscard]] profile::ProfileProbe* profiler() const;

 private:
  const LoadedGroup* group(const char* name) const;

  KernelFeatures features_;
  ProbeReport report_;
  std::vector<std::unique_ptr<LoadedGroup>> groups_;
  std::unique_ptr<profile::ProfileProbe> profiler_;
  // Exit records are consumed continuously by their own thread: a fork storm
  // would overflow the ring buffer between two drains.
  struct ring_buffer* exits_ = nullptr;
  std::thread exits_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex exits_mutex_;
  std::vector<struct kp_exit_event> pending_exits_;
  // Serialises ring_buffer__consume between that thread and drain(), which
  // consumes too so that an exit submitted before it is never left behind.
  std::mutex ring_mutex_;
};

}  // namespace kpulse::probes
