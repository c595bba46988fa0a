// The profile probe group: a perf_event BPF program sampling on-CPU stacks on
// every CPU at a fixed frequency, and the drain that reads its maps.
// Loaded on its own (not through the hook ladder: it attaches to perf events,
// one per CPU). A host where perf_event_open fails gets an inactive group
// with the reason; it never affects the other groups.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "probes/probe_status.h"

struct kpulse_profile;
struct bpf_link;

namespace kpulse::profile {

// Default sampling frequency per CPU: off the multiples of the timer tick
// (100/250/1000 Hz) so sampling does not lock onto tick-driven work.
constexpr uint32_t kDefaultFrequencyHz = 49;

struct ProfileProbeOptions {
  uint32_t frequency_hz = kDefaultFrequencyHz;
  uint32_t tgid = 0;        // only this process; 0: all
  std::string cgroup_path;  // only this cgroup v2 subtree (absolute path); empty: all
  uint32_t max_stacks = 8192;
  uint32_t max_buckets = 16384;
  bool prefer_cycles = true;  // hardware cycles where the PMU exists, else cpu-clock
};

// Shrinks the map bounds of `o` to what one drain every `drain_s` seconds
// can fill at `o.frequency_hz` on the online CPUs: buckets for 4x the
// samples, a stack map 16x the stacks they can name (a stack whose hash
// lands on a taken slot is lost, so the map stays sparse), never above the
// defaults nor below 1024 / 4096. The kernel allocates and zeroes both maps
// whole at load (8 MiB for 8192 stacks), most of the sampler's start-up in
// a daemon at 19 Hz.
void size_maps_for_drain(ProfileProbeOptions& o, double drain_s);

// One bucket drained from the kernel, stacks as raw addresses (leaf first).
struct RawSample {
  uint64_t cgroup_id = 0;
  uint32_t tgid = 0;
  std::string comm;
  uint64_t count = 0;
  std::vector<uint64_t> kernel_ips;
  std::vector<uint64_t> user_ips;
  int kernel_stack_error = 0;  // helper's error when the kernel stack is missing
  int user_stack_error = 0;    // helper's error when the user stack is missing
};

// What a profiling session reads from: the on-CPU sampler below or the
// off-CPU scheduler hook (offcpu_probe.h). Both count into the same kind of
// kernel buckets (bpf/kpulse_profile.h).
class StackSource {
 public:
  virtual ~StackSource() = default;
  [[nodiscard]] virtual bool active() const = 0;
  // Reads and clears every bucket (RawSample::count: samples or nanoseconds).
  virtual std::vector<RawSample> drain() = 0;
  // Updates refused because the bucket map was full (cumulative).
  [[nodiscard]] virtual uint64_t dropped() const = 0;
  virtual void close() = 0;
};

class ProfileProbe : public StackSource {
 public:
  // Loads and attaches; `status` reports the outcome like any probe group.
  ProfileProbe(const ProfileProbeOptions& options, probes::GroupStatus& status);
  ~ProfileProbe() override;
  ProfileProbe(const ProfileProbe&) = delete;
  ProfileProbe& operator=(const ProfileProbe&) = delete;

  [[nodiscard]] bool active() const override { return !links_.empty(); }
  // "cycles" or "cpu-clock".
  [[nodiscard]] const std::string& event() const { return event_; }
  [[nodiscard]] uint32_t frequency_hz() const { return frequency_hz_; }
  // Reads and clears every bucket and the stacks they name.
  std::vector<RawSample> drain() override;
  [[nodiscard]] uint64_t dropped() const override;
  [[nodiscard]] std::vector<std::pair<uint32_t, std::string>> program_ids() const;
  void close() override;

 private:
  // Opens and attaches the sampling event; the reasons events failed ("" or
  // "; "-separated), links_ empty when none could be attached.
  std::string attach_sampling(const ProfileProbeOptions& options);

  struct kpulse_profile* skel_ = nullptr;
  std::vector<struct bpf_link*> links_;
  std::vector<int> perf_fds_;
  std::string event_;
  uint32_t frequency_hz_ = 0;
};

// Shared by both sources. Reads and removes every bucket of `counts_fd`
// (keys and values of bpf/kpulse_profile.h) with the stacks they name in
// `stacks_fd`; frees those stacks when `free_stacks`.
std::vector<RawSample> drain_buckets(int counts_fd, int stacks_fd, bool free_stacks);
// The KP_CNT_MAP_FULL counter of a group's kp_counters map, summed over CPUs.
uint64_t map_full_count(int counters_fd);
// Puts the cgroup directory `path` in slot 0 of a BPF_MAP_TYPE_CGROUP_ARRAY;
// "" on success, else the reason.
std::string set_cgroup_filter(int cgroup_array_fd, const std::string& path);

}  // namespace kpulse::profile
