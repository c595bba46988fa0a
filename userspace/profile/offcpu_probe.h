// The off-CPU probe group: time blocked by stack, from the scheduler's
// sched_switch hook (bpf/offcpu.bpf.c). Loaded only by `kpulse profile
// --mode off-cpu` (it runs on every context switch), never by the
// collecting commands. A host where it cannot load gets an inactive group
// with the reason.
#pragma once

#include <string>
#include <vector>

#include "probes/probe_status.h"
#include "model/profile_data.h"
#include "profile/profile_probe.h"

struct kpulse_offcpu;

namespace kpulse::profile {

class OffCpuProbe : public StackSource {
 public:
  // Uses the filters and map bounds of `options` (not the frequency).
  OffCpuProbe(const ProfileProbeOptions& options, probes::GroupStatus& status);
  ~OffCpuProbe() override;
  OffCpuProbe(const OffCpuProbe&) = delete;
  OffCpuProbe& operator=(const OffCpuProbe&) = delete;

  [[nodiscard]] bool active() const override { return link_ != nullptr; }
  // Buckets of nanoseconds blocked. The stacks stay in the kernel's map:
  // a task still blocked holds the id of its stack in its stamp, and
  // freeing the stack would let another one take the id.
  std::vector<RawSample> drain() override;
  [[nodiscard]] uint64_t dropped() const override;
  void close() override;

 private:
  struct kpulse_offcpu* skel_ = nullptr;
  struct bpf_link* link_ = nullptr;
};

// The kernel stack of a blocked task was taken inside the sched_switch
// tracepoint: its innermost frames are the tracing machinery (the BPF
// program, the tracepoint's iterator). Drops every kernel frame inside
// `__schedule`, so stacks end where the scheduler was entered, the same on
// every kernel. A stack without `__schedule` is left as it is.
void drop_tracing_frames(StackSample& s);

}  // namespace kpulse::profile
