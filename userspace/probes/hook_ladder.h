// One probe group (sched, block, net, mem): a BPF object whose hooks are each
// attached through the best rung of the hook ladder the kernel offers:
//   tp_btf -> raw_tp -> fentry -> kprobe
// (hooks that a cgroup_skb program on the cgroup2 root serves better list it
// first: it sees only the IP packets of sockets.)
// A group loads and attaches independently of the others; a program the
// verifier rejects is demoted to its next rung (or dropped) and the rest of
// the group keeps running.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "probes/probe_status.h"
#include "probes/kernel_features.h"

struct bpf_object;
struct bpf_link;

namespace kpulse::probes {

enum class Rung { CgroupSkb, TpBtf, RawTp, Fentry, Kprobe };
const char* to_string(Rung r);

struct Candidate {
  std::string program;  // BPF program name in the object
  Rung rung;
  // Whether the running kernel can host this program (checked before load).
  std::function<bool(const KernelFeatures&)> available;
  std::string requirement;  // said when unavailable, e.g. "tracepoint block_io_start"
  // The net group's byte hooks: this rung counts UDP payload as well as
  // TCP's. The rungs that see TCP only leave the UDP counters unset, since
  // a zero there would be a false figure.
  bool counts_udp = false;
};

struct HookSpec {
  std::string hook;                   // what it observes, e.g. "sched_switch"
  std::vector<Candidate> candidates;  // in order of preference
};

// A `const volatile` global of the program (bool or __u64), written before
// load from what the kernel offers.
struct RodataValue {
  std::string var;
  std::function<uint64_t(const KernelFeatures&)> value;
};

// A map's max_entries, fixed or from what the kernel offers.
struct MapSize {
  MapSize(std::string map_name, uint32_t fixed)
      : map(std::move(map_name)), entries([fixed](const KernelFeatures&) { return fixed; }) {}
  MapSize(std::string map_name, std::function<uint32_t(const KernelFeatures&)> by_kernel)
      : map(std::move(map_name)), entries(std::move(by_kernel)) {}
  std::string map;
  std::function<uint32_t(const KernelFeatures&)> entries;
};

struct GroupSpec {
  std::string name;
  const void* (*elf_bytes)(size_t*);  // the skeleton's embedded object
  std::vector<HookSpec> hooks;
  std::vector<MapSize> map_sizes;   // max_entries overrides
  std::vector<RodataValue> rodata;  // const volatile knobs
  // What the group reads from the kernel on this kernel (`kpulse probes`).
  std::function<std::vector<std::string>(const KernelFeatures&)> reads;
};

// Candidate helpers for the usual requirements.
Candidate tp_btf(std::string program, const std::string& tracepoint);
Candidate raw_tp(std::string program, const std::string& tracepoint);
Candidate fentry(std::string program, const std::string& function);
Candidate kprobe(std::string program, const std::string& function);
// A cgroup_skb/ingress or /egress program attached to the cgroup2 root.
Candidate cgroup_skb(std::string program);

class LoadedGroup {
 public:
  // Opens, loads and attaches; `status` says what happened hook by hook.
  // Never throws for kernel-side failures: an unusable group is inactive.
  LoadedGroup(const GroupSpec& spec, const KernelFeatures& features, GroupStatus& status);
  ~LoadedGroup();
  LoadedGroup(const LoadedGroup&) = delete;
  LoadedGroup& operator=(const LoadedGroup&) = delete;

  [[nodiscard]] bool active() const { return obj_ != nullptr && !links_.empty(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  // File descriptor of a map by name, or -1.
  [[nodiscard]] int map_fd(const char* map_name) const;
  [[nodiscard]] struct bpf_object* object() const { return obj_; }
  // BPF program ids and names (for `probes --cost`).
  [[nodiscard]] std::vector<std::pair<uint32_t, std::string>> program_ids() const;
  // The candidate `hook` attached through, or null (not attached, or no
  // such hook).
  [[nodiscard]] const Candidate* attached(const std::string& hook) const;
  // Detaches every link and frees the object.
  void close();

 private:
  std::string name_;
  struct bpf_object* obj_ = nullptr;
  std::vector<struct bpf_link*> links_;
  std::vector<std::pair<std::string, Candidate>> attached_;  // hook, its rung
};

}  // namespace kpulse::probes
