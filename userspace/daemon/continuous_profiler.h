// Continuous low-rate CPU profiling for `kpulse run` ([profile] in the
// config): the profile group samples on-CPU stacks, a thread of its own
// drains and symbolises them every few seconds (while the processes still
// exist) and writes each window's busiest stacks into the recording
// (record/stack_log.h), where report, replay and analyze find them.
// Memory is bounded: distinct stacks per window, the symbol cache; disk by
// the stack log's hourly budget.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "config/config.h"
#include "engine/collector.h"
#include "profile/profile_probe.h"
#include "record/stack_log.h"

namespace kpulse::profile {
class Symbolizer;
}
namespace kpulse::collect {
class CgroupResolver;
}

namespace kpulse::daemon {

struct ContinuousProfilerOptions {
  profile::ProfileProbeOptions probe;
  std::chrono::milliseconds drain_interval{5000};
  std::chrono::milliseconds window{60'000};
  size_t max_stacks_per_window = 20'000;  // distinct stacks merged in memory
  size_t max_cached_symbols = 200'000;
  record::StackLogOptions log;
};

ContinuousProfilerOptions continuous_profiler_options(const config::Config& config);

class ContinuousProfiler {
 public:
  // Loads and attaches the sampler and reads the kernel's symbols: call
  // with the start's privileges. Throws std::runtime_error with the reason
  // (as `kpulse probes` gives it) when the sampler cannot run here.
  explicit ContinuousProfiler(const ContinuousProfilerOptions& options);
  // Starts draining on a thread of its own. Call after the daemon dropped
  // its capabilities: Linux keeps capabilities per thread, and a thread
  // started before the drop would keep them all.
  void start();
  // Stops sampling and writes the open window.
  ~ContinuousProfiler();
  ContinuousProfiler(const ContinuousProfiler&) = delete;
  ContinuousProfiler& operator=(const ContinuousProfiler&) = delete;

  [[nodiscard]] const engine::GroupStatus& group() const { return group_; }
  // "N windows, B bytes written, D dropped over budget".
  [[nodiscard]] std::string status() const;

 private:
  void loop();
  void drain();
  void write_window(int64_t end_ns);

  ContinuousProfilerOptions opt_;
  engine::GroupStatus group_;
  std::unique_ptr<profile::Symbolizer> symbolizer_;
  std::unique_ptr<profile::ProfileProbe> probe_;
  std::unique_ptr<collect::CgroupResolver> cgroups_;
  record::StackLogWriter writer_;

  std::unordered_map<std::string, profile::StackSample> window_;
  int64_t window_start_ns_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<uint64_t> windows_{0}, bytes_{0}, dropped_windows_{0}, write_errors_{0};
  std::thread thread_;
};

}  // namespace kpulse::daemon
