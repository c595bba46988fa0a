#include "probes/probe_set.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <stdexcept>

#include "probes/libbpf_log.h"
#include "probes/map_drain.h"

namespace kpulse::probes {
namespace {

bool wanted(const std::vector<std::string>& groups, const std::string& name) {
  return groups.empty() || std::find(groups.begin(), groups.end(), name) != groups.end();
}

uint64_t sum_counter(int fd, __u32 index) {
  std::vector<__u64> values(possible_cpus() + 1);
  if (bpf_map_lookup_elem(fd, &index, values.data()) != 0) return 0;
  uint64_t total = 0;
  for (int c = 0; c < possible_cpus(); ++c) total += values[c];
  return total;
}

}  // namespace

ProbeSet::ProbeSet(const ProbeSetOptions& options) {
  capture_libbpf_log();
  if (std::string why = missing_bpf_privileges(); !why.empty()) throw std::runtime_error(why);
  if (!features_.btf_available()) throw std::runtime_error(features_.btf_error());
  report_.features = features_.describe();
  (void)possible_cpus();  // read while descriptors are free: every drain sizes by it

  for (auto& group : registered_groups()) {
    GroupStatus status;
    if (!wanted(options.groups, group->name())) {
      status.name = group->name();
      status.reason = "disabled by configuration";
      report_.groups.push_back(status);
      continue;
    }
    auto programs = std::make_unique<LoadedGroup>(group->spec(options.limits, options.per_process),
                                                  features_, status);
    report_.groups.push_back(status);
    if (programs->active()) {
      group->start(*programs, features_);
      active_.push_back(group.get());
    }
    groups_.push_back({std::move(group), std::move(programs)});
  }
  // The stack sampler costs more than the other groups together: it loads
  // (and is reported) only when named.
  if (std::find(options.groups.begin(), options.groups.end(), "profile") != options.groups.end()) {
    GroupStatus status;
    profiler_ = std::make_unique<profile::ProfileProbe>(options.profile, status);
    report_.groups.push_back(status);
  }
}

ProbeSet::~ProbeSet() {
  for (auto& g : groups_) g.group->stop();
  for (auto& g : groups_) g.programs->close();
  if (profiler_) profiler_->close();
}

profile::ProfileProbe* ProbeSet::profiler() const {
  return profiler_ && profiler_->active() ? profiler_.get() : nullptr;
}

BpfTotals ProbeSet::drain() {
  BpfTotals t;
  // Buckets for as many cgroups as last time: the map is built afresh each
  // drain, and growing it entry by entry rehashed it ~10 times at 1,000.
  t.cgroups.reserve(cgroups_last_drain_);
  for (auto& g : groups_) {
    if (!g.programs->active()) continue;
    g.group->drain(*g.programs, t);
    int fd = g.programs->map_fd("kp_counters");
    t.events += sum_counter(fd, KP_CNT_EVENTS);
    t.map_full += sum_counter(fd, KP_CNT_MAP_FULL);
    t.untraced_waits += sum_counter(fd, KP_CNT_UNTRACED);
  }
  cgroups_last_drain_ = t.cgroups.size();
  return t;
}

void ProbeGroup::forget_cgroups(const LoadedGroup& loaded, const std::vector<uint64_t>& ids) {
  int fd = loaded.map_fd(cgroup_map());
  for (uint64_t id : ids) {
    __u64 key = id;
    bpf_map_delete_elem(fd, &key);
  }
}

void ProbeSet::forget_cgroups(const std::vector<uint64_t>& ids) {
  for (auto& g : groups_)
    if (g.programs->active()) g.group->forget_cgroups(*g.programs, ids);
}

std::vector<std::pair<uint32_t, std::string>> ProbeSet::program_ids() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  for (const auto& g : groups_) {
    auto ids = g.programs->program_ids();
    out.insert(out.end(), ids.begin(), ids.end());
  }
  if (profiler_) {
    auto ids = profiler_->program_ids();
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

std::vector<MapUsage> ProbeSet::map_usage() const {
  std::vector<MapUsage> out;
  for (const auto& g : groups_) {
    const LoadedGroup& loaded = *g.programs;
    if (!loaded.active()) continue;
    struct bpf_map* map;
    bpf_object__for_each_map(map, loaded.object()) {
      auto type = bpf_map__type(map);
      if (type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_PERCPU_HASH) continue;
      MapUsage u{loaded.name(), bpf_map__name(map), 0, bpf_map__max_entries(map)};
      std::vector<char> key(bpf_map__key_size(map)), next(key.size());
      void* prev = nullptr;
      int fd = bpf_map__fd(map);
      while (bpf_map_get_next_key(fd, prev, next.data()) == 0 && u.entries <= u.max_entries) {
        ++u.entries;
        key.swap(next);
        prev = key.data();
      }
      out.push_back(std::move(u));
    }
  }
  return out;
}

}  // namespace kpulse::probes
