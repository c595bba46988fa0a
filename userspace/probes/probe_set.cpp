#include "probes/probe_set.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <sys/capability.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "probes/libbpf_log.h"
#include "probes/map_drain.h"

namespace kpulse::probes {
namespace {

bool wanted(const std::vector<std::string>& groups, const std::string& name) {
  return groups.empty() || std::find(groups.begin(), groups.end(), name) != groups.end();
}

template <class V>
void drain_cgroup_map(int fd, std::unordered_map<uint64_t, CgroupTotals>& out,
                      V CgroupTotals::*member, bool CgroupTotals::*flag) {
  drain_percpu<__u64, V>(fd, [&](const __u64& id, const std::vector<const V*>& per_cpu) {
    CgroupTotals& t = out[id];
    t.*flag = true;
    for (const V* v : per_cpu) add_u64_fields(t.*member, *v);
  });
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

  for (const GroupSpec& spec : builtin_groups(options.limits, options.per_process)) {
    GroupStatus status;
    if (!wanted(options.groups, spec.name)) {
      status.name = spec.name;
      status.reason = "disabled by configuration";
      report_.groups.push_back(status);
      continue;
    }
    auto g = std::make_unique<LoadedGroup>(spec, features_, status);
    report_.groups.push_back(status);
    groups_.push_back(std::move(g));
  }
  // The stack sampler costs more than the other groups together: it loads
  // (and is reported) only when named.
  if (std::find(options.groups.begin(), options.groups.end(), "profile") != options.groups.end()) {
    GroupStatus status;
    profiler_ = std::make_unique<profile::ProfileProbe>(options.profile, status);
    report_.groups.push_back(status);
  }

  if (const LoadedGroup* sched = group("sched"); sched && sched->active()) {
    exits_ = ring_buffer__new(
        sched->map_fd("kp_exits"),
        [](void* ctx, void* data, size_t size) -> int {
          if (size >= sizeof(kp_exit_event)) {
            auto* self = static_cast<ProbeSet*>(ctx);
            kp_exit_event e;
            std::memcpy(&e, data, sizeof e);
            std::lock_guard lock(self->exits_mutex_);
            if (self->pending_exits_.size() < 100000) self->pending_exits_.push_back(e);
          }
          return 0;
        },
        this, nullptr);
    if (exits_)
      exits_thread_ = std::thread([this] {
        // Started before a daemon drops its capabilities, which it does on
        // its main thread only (they are per thread); reading the ring
        // needs none, so this thread holds none.
        if (cap_t none = cap_init()) {
          cap_set_proc(none);
          cap_free(none);
        }
        pthread_setname_np(pthread_self(), "kpulse-exits");
        int epoll_fd = ring_buffer__epoll_fd(exits_);
        while (!stopping_.load()) {
          struct epoll_event ready[4];
          epoll_wait(epoll_fd, ready, 4, 100);
          std::lock_guard ring(ring_mutex_);
          ring_buffer__consume(exits_);
        }
      });
  }
}

ProbeSet::~ProbeSet() {
  stopping_ = true;
  if (exits_thread_.joinable()) exits_thread_.join();
  if (exits_) ring_buffer__free(exits_);
  for (auto& g : groups_) g->close();
  if (profiler_) profiler_->close();
}

profile::ProfileProbe* ProbeSet::profiler() const {
  return profiler_ && profiler_->active() ? profiler_.get() : nullptr;
}

const LoadedGroup* ProbeSet::group(const char* name) const {
  for (const auto& g : groups_)
    if (g->name() == name && g->active()) return g.get();
  return nullptr;
}

BpfTotals ProbeSet::drain() {
  BpfTotals t;
  const int ncpu = possible_cpus();
  if (const LoadedGroup* g = group("sched")) {
    t.sched = true;
    drain_cgroup_map(g->map_fd("kp_sched_cgroups"), t.cgroups, &CgroupTotals::sched,
                     &CgroupTotals::has_sched);
    drain_percpu<__u32, kp_sched_proc>(
        g->map_fd("kp_sched_procs"),
        [&](const __u32& tgid, const std::vector<const kp_sched_proc*>& per_cpu) {
          kp_sched_proc merged{};
          for (const auto* v : per_cpu) {
            merged.oncpu_ns += v->oncpu_ns;
            merged.voluntary += v->voluntary;
            merged.involuntary += v->involuntary;
            merged.major_faults += v->major_faults;
            if (v->cgroup_id) merged.cgroup_id = v->cgroup_id;
            if (v->comm[0]) std::memcpy(merged.comm, v->comm, sizeof merged.comm);
          }
          t.procs.emplace(tgid, merged);
        });
    t.cpus.assign(ncpu, kp_sched_cpu{});
    drain_percpu<__u32, kp_sched_cpu>(g->map_fd("kp_sched_cpus"),
                                      [&](const __u32&, const std::vector<const kp_sched_cpu*>& v) {
                                        for (int c = 0; c < ncpu; ++c) t.cpus[c] = *v[c];
                                      });
    if (exits_) {
      {
        // The thread may not have woken for exits just submitted (a loaded
        // or emulated machine): take them now.
        std::lock_guard ring(ring_mutex_);
        ring_buffer__consume(exits_);
      }
      std::lock_guard lock(exits_mutex_);
      t.exits.swap(pending_exits_);
    }
  }
  if (const LoadedGroup* g = group("block")) {
    t.block = true;
    drain_cgroup_map(g->map_fd("kp_block_cgroups"), t.cgroups, &CgroupTotals::block,
                     &CgroupTotals::has_block);
    drain_percpu<__u32, kp_block_stats>(
        g->map_fd("kp_block_disks"),
        [&](const __u32& dev, const std::vector<const kp_block_stats*>& per_cpu) {
          kp_block_stats& d = t.disks[dev];
          for (const auto* v : per_cpu) add_u64_fields(d, *v);
        });
  }
  if (const LoadedGroup* g = group("net")) {
    t.net = true;
    drain_cgroup_map(g->map_fd("kp_net_cgroups"), t.cgroups, &CgroupTotals::net,
                     &CgroupTotals::has_net);
    drain_map(g->map_fd("kp_listeners"), sizeof(kp_listener_key), sizeof(kp_listener_val), false,
              [&](const void* k, const void* v) {
                ListenerTotals l;
                std::memcpy(&l.key, k, sizeof l.key);
                std::memcpy(&l.val, v, sizeof l.val);
                t.listeners.push_back(l);
              });
    drain_percpu<__u32, __u64>(g->map_fd("kp_drop_reasons"),
                               [&](const __u32& reason, const std::vector<const __u64*>& per_cpu) {
                                 if (reason >= t.drop_reasons.size()) return;
                                 for (const auto* v : per_cpu) t.drop_reasons[reason] += *v;
                               });
  }
  if (const LoadedGroup* g = group("mem")) {
    t.mem = true;
    drain_cgroup_map(g->map_fd("kp_mem_cgroups"), t.cgroups, &CgroupTotals::mem,
                     &CgroupTotals::has_mem);
  }
  for (const auto& g : groups_) {
    if (!g->active()) continue;
    int fd = g->map_fd("kp_counters");
    t.events += sum_counter(fd, KP_CNT_EVENTS);
    t.map_full += sum_counter(fd, KP_CNT_MAP_FULL);
  }
  return t;
}

void ProbeSet::forget_cgroups(const std::vector<uint64_t>& ids) {
  static const char* kMaps[][2] = {{"sched", "kp_sched_cgroups"},
                                   {"block", "kp_block_cgroups"},
                                   {"net", "kp_net_cgroups"},
                                   {"mem", "kp_mem_cgroups"}};
  for (const auto& [group_name, map_name] : kMaps) {
    const LoadedGroup* g = group(group_name);
    if (!g) continue;
    int fd = g->map_fd(map_name);
    for (uint64_t id : ids) {
      __u64 key = id;
      bpf_map_delete_elem(fd, &key);
    }
  }
}

std::vector<std::pair<uint32_t, std::string>> ProbeSet::program_ids() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  for (const auto& g : groups_) {
    auto ids = g->program_ids();
    out.insert(out.end(), ids.begin(), ids.end());
  }
  if (profiler_) {
    auto ids = profiler_->program_ids();
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

}  // namespace kpulse::probes

namespace kpulse::probes {

std::vector<MapUsage> ProbeSet::map_usage() const {
  std::vector<MapUsage> out;
  for (const auto& g : groups_) {
    if (!g->active()) continue;
    struct bpf_map* map;
    bpf_object__for_each_map(map, g->object()) {
      auto type = bpf_map__type(map);
      if (type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_PERCPU_HASH) continue;
      MapUsage u{g->name(), bpf_map__name(map), 0, bpf_map__max_entries(map)};
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
