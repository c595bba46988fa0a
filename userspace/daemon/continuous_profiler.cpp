#include "daemon/continuous_profiler.h"

#include <pthread.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "daemon/log.h"
#include "model/clock.h"
#include "probes/kernel_features.h"
#include "profile/symbolizer.h"

namespace kpulse::daemon {
namespace {}  // namespace

ContinuousProfilerOptions continuous_profiler_options(const config::Config& c) {
  ContinuousProfilerOptions o;
  o.probe.frequency_hz = static_cast<uint32_t>(c.profile.frequency_hz);
  o.window = std::chrono::milliseconds(static_cast<int64_t>(c.profile.window_s * 1000));
  o.drain_interval = std::min(o.drain_interval, o.window);
  profile::size_maps_for_drain(o.probe, std::chrono::duration<double>(o.drain_interval).count());
  o.log.dir = c.recording_dir();
  o.log.top_stacks = static_cast<size_t>(c.profile.top_stacks);
  o.log.max_bytes_per_hour = static_cast<uint64_t>(c.profile.max_mb_per_hour * 1024 * 1024);
  o.log.keep_days = static_cast<int>(c.record.full_days);
  return o;
}

ContinuousProfiler::ContinuousProfiler(const ContinuousProfilerOptions& options)
    : opt_(options), writer_(options.log) {
  group_.name = "profile";
  if (std::string why = probes::missing_bpf_privileges(); !why.empty())
    throw std::runtime_error(why);
  symbolizer_ = std::make_unique<profile::Symbolizer>(opt_.max_cached_symbols);
  probe_ = std::make_unique<profile::ProfileProbe>(opt_.probe, group_);
  if (!probe_->active()) throw std::runtime_error(group_.reason);
  const collect::CgroupLayout layout = collect::detect_cgroup_layout();
  cgroups_ = std::make_unique<collect::CgroupResolver>(layout.v2_root.empty() ? layout.walk_root()
                                                                              : layout.v2_root);
}

void ContinuousProfiler::start() {
  if (thread_.joinable()) return;
  window_start_ns_ = model::wall_clock_ns();
  thread_ = std::thread([this] { loop(); });
  // Named for ps, top and /proc/PID/task/TID/comm (at most 15 characters).
  pthread_setname_np(thread_.native_handle(), "kpulse-profile");
}

ContinuousProfiler::~ContinuousProfiler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  log(LogLevel::Info, "profile: {}", status());
}

std::string ContinuousProfiler::status() const {
  return fmt::format("{} windows, {} bytes written, {} dropped over the hourly budget, {} failed",
                     windows_.load(), bytes_.load(), dropped_windows_.load(), write_errors_.load());
}

void ContinuousProfiler::loop() {
  using Clock = std::chrono::steady_clock;
  auto window_end = Clock::now() + opt_.window;
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto next = std::min(Clock::now() + opt_.drain_interval, window_end);
    wake_.wait_until(lock, next, [this] { return stop_; });
    const bool stopping = stop_;
    lock.unlock();
    drain();
    if (stopping || Clock::now() >= window_end) {
      write_window(model::wall_clock_ns());
      window_end = Clock::now() + opt_.window;
    }
    lock.lock();
  }
  probe_->close();
}

void ContinuousProfiler::drain() {
  symbolizer_->begin_drain();
  for (const profile::RawSample& raw : probe_->drain()) {
    profile::StackSample s = symbolizer_->resolve(raw);
    s.cgroup = cgroups_->path(s.cgroup_id).value_or("");
    auto it = window_.find(profile::stack_key(s));
    if (it == window_.end() && window_.size() >= opt_.max_stacks_per_window) {
      // Past the bound a cgroup's further stacks merge into one: its total
      // stays right, the rarest shapes are lost.
      s.pid = 0;
      s.comm = "[other]";
      s.frames = {{"[other stacks]", "", false}};
      s.user_truncated = false;
      it = window_.find(profile::stack_key(s));
    }
    if (it == window_.end())
      window_.emplace(profile::stack_key(s), std::move(s));
    else
      it->second.count += s.count;
  }
}

void ContinuousProfiler::write_window(int64_t end_ns) {
  profile::Profile p;
  p.event = probe_->event();
  p.frequency_hz = probe_->frequency_hz();
  p.samples.reserve(window_.size());
  for (auto& [_, s] : window_) p.samples.push_back(std::move(s));
  window_.clear();
  const int64_t start_ns = window_start_ns_;
  window_start_ns_ = end_ns;
  try {
    const uint64_t before = writer_.bytes_written();
    if (!writer_.append(start_ns, end_ns, p)) {
      ++dropped_windows_;
      log(LogLevel::Warning,
          "profile: window dropped, the hourly budget of the stack log is spent");
      return;
    }
    if (!p.samples.empty()) ++windows_;
    bytes_ += writer_.bytes_written() - before;
  } catch (const std::exception& e) {
    ++write_errors_;
    log(LogLevel::Warning, "profile: cannot write the stack log: {}", e.what());
  }
}

}  // namespace kpulse::daemon
