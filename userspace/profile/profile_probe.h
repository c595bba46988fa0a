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

class ProfileProbe {
 public:
  // Loads and attaches; `status` reports the outcome like any probe group.
  ProfileProbe(const ProfileProbeOptions& options, probes::GroupStatus& status);
  ~ProfileProbe();
  ProfileProbe(const ProfileProbe&) = delete;
  ProfileProbe& operator=(const ProfileProbe&) = delete;

  [[nodiscard]] bool active() const { return !links_.empty(); }
  // "cycles" or "cpu-clock".
  [[nodiscard]] const std::string& event() const { return event_; }
  [[nodiscard]] uint32_t frequency_hz() const { return frequency_hz_; }
  // Reads and clears every bucket and the stacks they name.
  std::vector<RawSample> drain();
  // Samples refused because the bucket map was full (cumulative).
  [[nodiscard]] uint64_t dropped() const;
  [[nodiscard]] std::vector<std::pair<uint32_t, std::string>> program_ids() const;
  void close();

 private:
  struct kpulse_profile* skel_ = nullptr;
  std::vector<struct bpf_link*> links_;
  std::vector<int> perf_fds_;
  std::string event_;
  uint32_t frequency_hz_ = 0;
};

}  // namespace kpulse::profile
