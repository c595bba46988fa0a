#include "profile/profile_session.h"

#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "probes/kernel_features.h"
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
  ProfileProbe probe(options.probe, st);
  if (!probe.active()) throw std::runtime_error("profile group inactive: " + st.reason);

  std::unordered_map<std::string, StackSample> buckets;
  auto drain = [&] {
    symbolizer.begin_drain();
    for (const RawSample& raw : probe.drain()) {
      StackSample s = symbolizer.resolve(raw);
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
  p.event = probe.event();
  p.frequency_hz = probe.frequency_hz();
  p.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
  p.dropped = probe.dropped();
  probe.close();

  const collect::CgroupLayout layout = collect::detect_cgroup_layout();
  collect::CgroupResolver cgroups(layout.v2_root.empty() ? layout.walk_root() : layout.v2_root);
  p.samples.reserve(buckets.size());
  for (auto& [_, s] : buckets) {
    s.cgroup = cgroups.path(s.cgroup_id).value_or("");
    p.samples.push_back(std::move(s));
  }
  return p;
}

}  // namespace kpulse::profile
