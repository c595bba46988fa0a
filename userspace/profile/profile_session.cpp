#include "profile/profile_session.h"

#include <memory>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "probes/kernel_features.h"
#include "profile/offcpu_probe.h"
#include "profile/symbolizer.h"

namespace kpulse::profile {

Profile record_profile(const SessionOptions& options, const std::function<bool()>& stop,
                       probes::GroupStatus* status) {
  if (std::string why = probes::missing_bpf_privileges(); !why.empty())
    throw std::runtime_error(why);
  // Symbols first (reading kallsyms takes a while): sampling starts ready.
  Symbolizer symbolizer(options.max_cached_symbols);
  probes::GroupStatus local;
  probes::GroupStatus& st = status ? *status : local;
  const bool off_cpu = options.mode == ProfileMode::OffCpu;
  std::unique_ptr<StackSource> source;
  ProfileProbe* sampler = nullptr;
  if (off_cpu) {
    source = std::make_unique<OffCpuProbe>(options.probe, st);
  } else {
    ProfileProbeOptions sized = options.probe;
    size_maps_for_drain(sized, std::chrono::duration<double>(options.drain_interval).count());
    auto p = std::make_unique<ProfileProbe>(sized, st);
    sampler = p.get();
    source = std::move(p);
  }
  if (!source->active()) throw std::runtime_error(st.name + " group inactive: " + st.reason);

  std::unordered_map<std::string, StackSample> buckets;
  auto drain = [&] {
    symbolizer.begin_drain();
    for (const RawSample& raw : source->drain()) {
      StackSample s = symbolizer.resolve(raw);
      if (off_cpu) drop_tracing_frames(s);
      auto [it, inserted] = buckets.try_emplace(stack_key(s), s);
      if (!inserted) it->second.count += s.count;
    }
  };

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(options.duration_s));
  auto next_drain = start + options.drain_interval;
  while (Clock::now() < until && !(stop && stop())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Clock::now() >= next_drain) {
      drain();
      next_drain += options.drain_interval;
    }
  }
  drain();

  Profile p;
  p.mode = options.mode;
  p.event = sampler ? sampler->event() : "sched_switch";
  p.frequency_hz = sampler ? sampler->frequency_hz() : 0;
  p.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
  p.dropped = source->dropped();
  source->close();

  const collect::CgroupLayout layout = collect::detect_cgroup_layout();
  collect::CgroupResolver cgroups(layout.v2_root.empty() ? layout.walk_root() : layout.v2_root);
  p.samples.reserve(buckets.size());
  for (auto& [_, s] : buckets) {
    s.cgroup = cgroups.path(s.cgroup_id).value_or("");
    p.samples.push_back(std::move(s));
  }
  return p;
}

BackgroundProfile::BackgroundProfile(const SessionOptions& options)
    : result_(std::async(std::launch::async, [this, options] {
        return record_profile(options, [this] { return stop_.load(); });
      })) {}

BackgroundProfile::~BackgroundProfile() {
  stop_ = true;
  if (result_.valid()) result_.wait();
}

Profile BackgroundProfile::finish() {
  stop_ = true;
  return result_.get();
}

}  // namespace kpulse::profile
