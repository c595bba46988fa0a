// One profiling run (on-CPU samples or off-CPU blocked time): sample, drain and symbolise every
// interval (so stacks of processes that exit during the run still resolve), merge, name cgroups.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>

#include "model/profile_data.h"
#include "probes/probe_status.h"
#include "profile/profile_probe.h"

namespace kpulse::profile {

struct SessionOptions {
  ProfileMode mode = ProfileMode::OnCpu;
  ProfileProbeOptions probe;  // off-CPU: the filters and map bounds only
  double duration_s = 10;
  std::chrono::milliseconds drain_interval{1000};
  size_t max_cached_symbols = 1'000'000;
};

// Runs until `duration_s` passes or `stop` returns true (polled every 50 ms).
// Throws std::runtime_error when the sampler cannot run here, with the reason
// `kpulse probes` would give; `status` receives the group's report.
Profile record_profile(const SessionOptions& options, const std::function<bool()>& stop,
                       probes::GroupStatus* status = nullptr);

// record_profile on a thread of its own, for a command that does other work
// meanwhile (live `kpulse analyze --profile`). `duration_s` still bounds it.
class BackgroundProfile {
 public:
  explicit BackgroundProfile(const SessionOptions& options);
  // Stops sampling and waits for the thread.
  ~BackgroundProfile();
  BackgroundProfile(const BackgroundProfile&) = delete;
  BackgroundProfile& operator=(const BackgroundProfile&) = delete;
  // Stops sampling; the profile, or record_profile's exception (the reason
  // the sampler cannot run here). Call once.
  Profile finish();

 private:
  std::atomic<bool> stop_{false};
  std::future<Profile> result_;
};

}  // namespace kpulse::profile
