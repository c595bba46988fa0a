#include "profile/profile_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "kpulse_profile.h"
#include "kpulse_profile.skel.h"
#include "kpulse_types.h"
#include "probes/libbpf_log.h"
#include "probes/map_drain.h"

namespace kpulse::profile {
namespace {

// CPUs listed in /sys/devices/system/cpu/online ("0-3,6").
std::vector<int> online_cpus() {
  std::vector<int> cpus;
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string text;
  std::getline(in, text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string part =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int lo = 0, hi = 0;
    if (std::sscanf(part.c_str(), "%d-%d", &lo, &hi) == 2)
      for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    else if (std::sscanf(part.c_str(), "%d", &lo) == 1)
      cpus.push_back(lo);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return cpus;
}

int open_sampling_event(uint32_t type, uint64_t config, uint32_t frequency, int cpu) {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = type;
  attr.config = config;
  attr.freq = 1;
  attr.sample_freq = frequency;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

std::vector<uint64_t> read_stack(int fd, int32_t id) {
  std::vector<uint64_t> ips;
  if (id < 0) return ips;
  uint64_t frames[KP_PROFILE_MAX_DEPTH] = {};
  uint32_t key = static_cast<uint32_t>(id);
  if (bpf_map_lookup_elem(fd, &key, frames) != 0) return ips;
  for (uint64_t ip : frames) {
    if (!ip) break;
    ips.push_back(ip);
  }
  return ips;
}

// A perf event the profiler samples on.
struct SamplingEvent {
  const char* name;
  uint32_t type;
  uint64_t config;
};

// Opens `e` on every CPU of `cpus` into `fds`; 0, or the errno of the first
// CPU that refused it (the fds opened so far are closed).
int open_on_cpus(const SamplingEvent& e, uint32_t frequency_hz, const std::vector<int>& cpus,
                 std::vector<int>& fds) {
  for (int cpu : cpus) {
    int fd = open_sampling_event(e.type, e.config, frequency_hz, cpu);
    if (fd < 0) {
      const int err = errno;
      for (int f : fds) ::close(f);
      fds.clear();
      return err;
    }
    fds.push_back(fd);
  }
  return 0;
}

void append_error(std::string& errors, const std::string& error) {
  if (!errors.empty()) errors += "; ";
  errors += error;
}

}  // namespace

void size_maps_for_drain(ProfileProbeOptions& o, double drain_s) {
  const double samples = o.frequency_hz * std::max<size_t>(online_cpus().size(), 1) * drain_s;
  auto pow2_within = [](double want, uint32_t lo, uint32_t hi) {
    uint32_t n = lo;
    while (n < hi && n < want) n *= 2;
    return n;
  };
  o.max_buckets = pow2_within(4 * samples, std::min<uint32_t>(1024, o.max_buckets), o.max_buckets);
  o.max_stacks = pow2_within(16 * samples, std::min<uint32_t>(4096, o.max_stacks), o.max_stacks);
}

ProfileProbe::ProfileProbe(const ProfileProbeOptions& options, probes::GroupStatus& status) {
  probes::ensure_libbpf_log_captured();
  status = {};
  status.name = "profile";
  probes::HookStatus hook;
  hook.hook = "cpu_sample";
  hook.program = "kp_profile";
  auto fail = [&](std::string why) {
    status.reason = std::move(why);
    status.hooks.push_back(hook);
    close();
  };

  probes::take_libbpf_log();
  skel_ = kpulse_profile__open();
  if (!skel_) {
    fail("cannot open BPF object: " + std::string(std::strerror(errno)));
    return;
  }
  skel_->rodata->kp_filter_tgid = options.tgid;
  skel_->rodata->kp_filter_cgroup = !options.cgroup_path.empty();
  bpf_map__set_max_entries(skel_->maps.kp_profile_stacks, options.max_stacks);
  bpf_map__set_max_entries(skel_->maps.kp_profile_counts, options.max_buckets);
  if (int err = kpulse_profile__load(skel_); err) {
    std::string log = probes::take_libbpf_log();
    fail("load failed (" + std::string(std::strerror(-err)) +
         "): " + probes::verifier_tail(log, "kp_profile", 3));
    return;
  }
  if (!options.cgroup_path.empty()) {
    std::string why =
        set_cgroup_filter(bpf_map__fd(skel_->maps.kp_profile_cgroup), options.cgroup_path);
    if (!why.empty()) {
      fail(why);
      return;
    }
  }

  const std::string errors = attach_sampling(options);
  hook.error = errors;
  if (links_.empty()) {
    fail("no sampling event could be attached: " + errors);
    return;
  }
  hook.rung = "perf_event " + event_;
  hook.attached = true;
  status.hooks.push_back(hook);
  status.active = true;
}

// Cycles count only where a PMU exists (not in most VMs); cpu-clock always.
// The first event that opens and attaches on every online CPU is kept.
std::string ProfileProbe::attach_sampling(const ProfileProbeOptions& options) {
  std::vector<SamplingEvent> events;
  if (options.prefer_cycles)
    events.push_back({"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES});
  events.push_back({"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK});
  std::string errors;
  const std::vector<int> cpus = online_cpus();
  for (const SamplingEvent& e : events) {
    std::vector<int> fds;
    if (int err = open_on_cpus(e, options.frequency_hz, cpus, fds); err || fds.empty()) {
      append_error(errors, std::string("perf_event_open(") + e.name +
                               "): " + (err ? std::strerror(err) : "no online CPU"));
      continue;
    }
    std::vector<struct bpf_link*> links;
    int err = 0;
    for (int fd : fds) {
      struct bpf_link* link = bpf_program__attach_perf_event(skel_->progs.kp_profile, fd);
      if (!link) {
        err = errno;
        break;
      }
      links.push_back(link);
    }
    if (err) {
      for (auto* l : links) bpf_link__destroy(l);
      for (int fd : fds) ::close(fd);
      append_error(errors, std::string("attach to ") + e.name + ": " + std::strerror(err));
      continue;
    }
    links_ = std::move(links);
    perf_fds_ = std::move(fds);
    event_ = e.name;
    frequency_hz_ = options.frequency_hz;
    break;
  }
  return errors;
}

ProfileProbe::~ProfileProbe() {
  close();
}

void ProfileProbe::close() {
  for (auto* l : links_) bpf_link__destroy(l);
  links_.clear();
  for (int fd : perf_fds_) ::close(fd);
  perf_fds_.clear();
  if (skel_) kpulse_profile__destroy(skel_);
  skel_ = nullptr;
}

std::vector<RawSample> ProfileProbe::drain() {
  if (!skel_) return {};
  // Free the stacks read: a long run would otherwise fill the stack map.
  return drain_buckets(bpf_map__fd(skel_->maps.kp_profile_counts),
                       bpf_map__fd(skel_->maps.kp_profile_stacks), true);
}

uint64_t ProfileProbe::dropped() const {
  return skel_ ? map_full_count(bpf_map__fd(skel_->maps.kp_counters)) : 0;
}

std::vector<RawSample> drain_buckets(int counts_fd, int stacks_fd, bool free_stacks) {
  std::vector<RawSample> out;
  std::vector<kp_profile_key> keys;
  kp_profile_key key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
  }
  std::set<int32_t> stack_ids;
  std::map<int32_t, std::vector<uint64_t>> stacks;
  for (const auto& k : keys) {
    kp_profile_value v{};
    // Atomic read-and-remove, so no sample lands between the two.
    if (bpf_map_lookup_and_delete_elem(counts_fd, &k, &v) != 0) {
      if (bpf_map_lookup_elem(counts_fd, &k, &v) != 0) continue;
      bpf_map_delete_elem(counts_fd, &k);
    }
    RawSample s;
    s.cgroup_id = k.cgroup_id;
    s.tgid = k.tgid;
    s.comm.assign(v.comm, strnlen(v.comm, sizeof v.comm));
    s.count = v.value;
    for (int32_t id : {k.kernel_stack, k.user_stack}) {
      if (id < 0 || stacks.count(id)) continue;
      stacks[id] = read_stack(stacks_fd, id);
      stack_ids.insert(id);
    }
    if (k.kernel_stack >= 0)
      s.kernel_ips = stacks[k.kernel_stack];
    else
      s.kernel_stack_error = -k.kernel_stack;
    if (k.user_stack >= 0) {
      s.user_ips = stacks[k.user_stack];
    } else {
      s.user_stack_error = -k.user_stack;
      if (k.user_ip) s.user_ips.push_back(k.user_ip);
    }
    out.push_back(std::move(s));
  }
  if (free_stacks)
    for (int32_t id : stack_ids) {
      uint32_t sid = static_cast<uint32_t>(id);
      bpf_map_delete_elem(stacks_fd, &sid);
    }
  return out;
}

uint64_t map_full_count(int counters_fd) {
  std::vector<uint64_t> values(probes::possible_cpus());
  uint32_t index = KP_CNT_MAP_FULL;
  if (bpf_map_lookup_elem(counters_fd, &index, values.data()) != 0) return 0;
  uint64_t total = 0;
  for (uint64_t v : values) total += v;
  return total;
}

std::string set_cgroup_filter(int cgroup_array_fd, const std::string& path) {
  int cg = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  uint32_t slot = 0;
  int err = cg < 0 ? errno : 0;
  if (cg >= 0 && bpf_map_update_elem(cgroup_array_fd, &slot, &cg, BPF_ANY) != 0) err = errno;
  if (cg >= 0) ::close(cg);
  if (err) return "cannot filter on cgroup " + path + ": " + std::strerror(err);
  return {};
}

std::vector<std::pair<uint32_t, std::string>> ProfileProbe::program_ids() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  if (!skel_) return out;
  struct bpf_prog_info info {};
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(skel_->progs.kp_profile), &info, &len) == 0)
    out.emplace_back(info.id, "kp_profile");
  return out;
}

}  // namespace kpulse::profile
