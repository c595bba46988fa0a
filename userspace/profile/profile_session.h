// One profiling run: sample, drain and symbolise every interval (so stacks of
// processes that exit during the run still resolve), merge, name cgroups.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "probes/probe_status.h"
#include "profile/profile_data.h"
#include "profile/profile_probe.h"

namespace kpulse::profile {

struct SessionOptions {
  ProfileProbeOptions probe;
  double duration_s = 10;
  std::chrono::milliseconds drain_interval{1000};
  size_t max_cached_symbols = 1'000'000;
};

// Runs until `duration_s` passes or `stop` returns true (polled every 50 ms).
// Throws std::runtime_error when the sampler cannot run here, with the reason
// `kpulse probes` would give; `status` receives the group's report.
Profile record_profile(const SessionOptions& options, const std::function<bool()>& stop,
                       probes::GroupStatus* status = nullptr);

}  // namespace kpulse::profile
