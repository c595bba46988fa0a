// What the running kernel offers, probed once at start: BTF, tracepoints and
// functions available as hooks, kprobe support, and our privileges.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

struct btf;

namespace kpulse::probes {

class KernelFeatures {
 public:
  // Loads /sys/kernel/btf/vmlinux; btf_available() says whether that worked.
  KernelFeatures();
  ~KernelFeatures();
  KernelFeatures(const KernelFeatures&) = delete;
  KernelFeatures& operator=(const KernelFeatures&) = delete;

  [[nodiscard]] bool btf_available() const { return btf_ != nullptr; }
  [[nodiscard]] const std::string& btf_error() const { return btf_error_; }
  // A tracepoint the kernel describes in BTF (btf_trace_<name>): usable by tp_btf and raw_tp.
  [[nodiscard]] bool has_tracepoint(const std::string& name) const;
  // A kernel function present in BTF: a candidate for fentry/fexit.
  [[nodiscard]] bool has_function(const std::string& name) const;
  // C type name of a tracepoint's first argument ("struct task_struct *", "int"),
  // for hooks whose arguments changed across kernel versions.
  [[nodiscard]] std::optional<std::string> tracepoint_arg_type(const std::string& name,
                                                               int index) const;
  // Name of a value of a kernel enum (e.g. skb_drop_reason), if the kernel has it.
  [[nodiscard]] std::optional<std::string> enum_name(const std::string& enum_type,
                                                     long long value) const;
  [[nodiscard]] bool enum_value_exists(const std::string& enum_type, const std::string& name) const;
  // Whether kernel struct `type` has the member at `path` ("sched_info.last_queued":
  // nested members, also inside anonymous unions): what a program's
  // bpf_core_field_exists() will say, known before load.
  [[nodiscard]] bool has_field(const std::string& type, const std::string& path) const;
  [[nodiscard]] bool kprobes_available() const { return kprobes_; }
  // Where cgroup2 is mounted ("" when it is not): cgroup_skb programs attach
  // to its root and then see the packets of every socket on the host.
  [[nodiscard]] const std::string& cgroup2_root() const { return cgroup2_root_; }
  [[nodiscard]] const std::string& kernel_release() const { return release_; }

  // Human-readable list for `kpulse probes`.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> describe() const;

 private:
  struct btf* btf_ = nullptr;
  std::string btf_error_;
  std::string release_;
  bool kprobes_ = false;
  std::string cgroup2_root_;
};

// The first cgroup2 mount point listed in `mounts` (a /proc/mounts file), or "".
std::string find_cgroup2_mount(const std::string& mounts = "/proc/mounts");

// Empty when we may load and attach BPF programs; otherwise a message naming
// what is missing (root, CAP_BPF, CAP_PERFMON, ...).
std::string missing_bpf_privileges();

}  // namespace kpulse::probes
