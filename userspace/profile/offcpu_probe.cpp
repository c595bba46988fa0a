#include "profile/offcpu_probe.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kpulse_offcpu.skel.h"
#include "probes/libbpf_log.h"

namespace kpulse::profile {

OffCpuProbe::OffCpuProbe(const ProfileProbeOptions& options, probes::GroupStatus& status) {
  probes::ensure_libbpf_log_captured();
  status = {};
  status.name = "offcpu";
  probes::HookStatus hook;
  hook.hook = "sched_switch";
  hook.program = "kp_offcpu_switch";
  hook.rung = "tp_btf";
  auto fail = [&](std::string why) {
    hook.error = why;
    status.reason = std::move(why);
    status.hooks.push_back(hook);
    close();
  };

  probes::take_libbpf_log();
  skel_ = kpulse_offcpu__open();
  if (!skel_) {
    fail("cannot open BPF object: " + std::string(std::strerror(errno)));
    return;
  }
  skel_->rodata->kp_filter_tgid = options.tgid;
  skel_->rodata->kp_filter_cgroup = !options.cgroup_path.empty();
  bpf_map__set_max_entries(skel_->maps.kp_offcpu_stacks, options.max_stacks);
  bpf_map__set_max_entries(skel_->maps.kp_offcpu_counts, options.max_buckets);
  if (int err = kpulse_offcpu__load(skel_); err) {
    std::string log = probes::take_libbpf_log();
    fail("load failed (" + std::string(std::strerror(-err)) +
         "): " + probes::verifier_tail(log, "kp_offcpu_switch", 3));
    return;
  }
  if (!options.cgroup_path.empty()) {
    std::string why =
        set_cgroup_filter(bpf_map__fd(skel_->maps.kp_offcpu_cgroup), options.cgroup_path);
    if (!why.empty()) {
      fail(why);
      return;
    }
  }
  link_ = bpf_program__attach(skel_->progs.kp_offcpu_switch);
  if (!link_) {
    fail("attach to sched_switch: " + std::string(std::strerror(errno)));
    return;
  }
  hook.attached = true;
  status.hooks.push_back(hook);
  status.active = true;
}

OffCpuProbe::~OffCpuProbe() {
  close();
}

void OffCpuProbe::close() {
  if (link_) bpf_link__destroy(link_);
  link_ = nullptr;
  if (skel_) kpulse_offcpu__destroy(skel_);
  skel_ = nullptr;
}

std::vector<RawSample> OffCpuProbe::drain() {
  if (!skel_) return {};
  return drain_buckets(bpf_map__fd(skel_->maps.kp_offcpu_counts),
                       bpf_map__fd(skel_->maps.kp_offcpu_stacks), false);
}

uint64_t OffCpuProbe::dropped() const {
  return skel_ ? map_full_count(bpf_map__fd(skel_->maps.kp_counters)) : 0;
}

void drop_tracing_frames(StackSample& s) {
  // Frames run root first, kernel frames last: the innermost `__schedule`
  // is the last one of that name.
  auto it = std::find_if(s.frames.rbegin(), s.frames.rend(),
                         [](const Frame& f) { return f.kernel && f.function == "__schedule"; });
  if (it == s.frames.rend()) return;
  s.frames.erase(it.base(), s.frames.end());
}

}  // namespace kpulse::profile
