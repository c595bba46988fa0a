#include "probes/kernel_features.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "probes/libbpf_log.h"

namespace kpulse::probes {
namespace {

// C spelling of a BTF type, enough for telling "struct task_struct *" from "int".
std::string type_name(const struct btf* btf, __u32 id) {
  const struct btf_type* t = btf__type_by_id(btf, id);
  while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_typedef(t))) {
    if (btf_is_typedef(t)) return btf__name_by_offset(btf, t->name_off);
    t = btf__type_by_id(btf, t->type);
  }
  if (!t) return "void";
  if (btf_is_ptr(t)) return type_name(btf, t->type) + " *";
  if (btf_is_struct(t)) return std::string("struct ") + btf__name_by_offset(btf, t->name_off);
  return btf__name_by_offset(btf, t->name_off);
}

// The type behind typedefs and qualifiers.
const struct btf_type* resolved(const struct btf* btf, __u32 id) {
  const struct btf_type* t = btf__type_by_id(btf, id);
  while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_typedef(t)))
    t = btf__type_by_id(btf, t->type);
  return t;
}

// Type id of member `name` of struct/union `t`, looking into anonymous
// members too; 0 when absent.
__u32 member_type(const struct btf* btf, const struct btf_type* t, const std::string& name) {
  if (!t || !btf_is_composite(t)) return 0;
  const struct btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i) {
    const char* n = btf__name_by_offset(btf, m[i].name_off);
    if (n && name == n) return m[i].type;
    if (n && *n) continue;
    if (__u32 inner = member_type(btf, resolved(btf, m[i].type), name)) return inner;
  }
  return 0;
}

}  // namespace

KernelFeatures::KernelFeatures() {
  struct utsname u {};
  if (uname(&u) == 0) release_ = u.release;
  // libbpf's own line about a missing BTF goes to its log, not to stderr:
  // the error below says it, with what to do.
  ensure_libbpf_log_captured();
  btf_ = btf__load_vmlinux_btf();
  if (!btf_) {
    const int err = errno;
    // libbpf says ESRCH ("No such process") when it found no BTF file at all.
    const std::string why = err == ESRCH || err == ENOENT
                                ? "/sys/kernel/btf/vmlinux does not exist"
                                : "/sys/kernel/btf/vmlinux: " + std::string(strerror(err));
    btf_error_ = "cannot load kernel BTF: " + why +
                 " (kpulse's BPF programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y); "
                 "use --no-bpf for /proc and cgroupfs data only";
  }
  // The kprobe PMU exists whenever the kernel can attach kprobes; checking it
  // needs neither tracefs nor debugfs to be mounted.
  kprobes_ = std::filesystem::exists("/sys/bus/event_source/devices/kprobe/type");
  cgroup2_root_ = find_cgroup2_mount();
}

KernelFeatures::~KernelFeatures() {
  btf__free(btf_);
}

bool KernelFeatures::has_tracepoint(const std::string& name) const {
  return btf_ && btf__find_by_name_kind(btf_, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF) > 0;
}

bool KernelFeatures::has_function(const std::string& name) const {
  return btf_ && btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_FUNC) > 0;
}

std::optional<std::string> KernelFeatures::tracepoint_arg_type(const std::string& name,
                                                               int index) const {
  if (!btf_) return std::nullopt;
  int id = btf__find_by_name_kind(btf_, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF);
  if (id <= 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(btf_, btf__type_by_id(btf_, id)->type);  // pointer
  if (!t || !btf_is_ptr(t)) return std::nullopt;
  t = btf__type_by_id(btf_, t->type);  // func proto
  if (!t || !btf_is_func_proto(t)) return std::nullopt;
  // Parameter 0 is the tracepoint's private `void *`.
  if (index + 1 >= btf_vlen(t)) return std::nullopt;
  return type_name(btf_, btf_params(t)[index + 1].type);
}

std::optional<std::string> KernelFeatures::enum_name(const std::string& enum_type,
                                                     long long value) const {
  if (!btf_) return std::nullopt;
  int id = btf__find_by_name_kind(btf_, enum_type.c_str(), BTF_KIND_ENUM);
  if (id <= 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(btf_, id);
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); ++i)
    if (e[i].val == value) return std::string(btf__name_by_offset(btf_, e[i].name_off));
  return std::nullopt;
}

bool KernelFeatures::enum_value_exists(const std::string& enum_type,
                                       const std::string& name) const {
  if (!btf_) return false;
  int id = btf__find_by_name_kind(btf_, enum_type.c_str(), BTF_KIND_ENUM);
  if (id <= 0) return false;
  const struct btf_type* t = btf__type_by_id(btf_, id);
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); ++i)
    if (name == btf__name_by_offset(btf_, e[i].name_off)) return true;
  return false;
}

bool KernelFeatures::has_field(const std::string& type, const std::string& path) const {
  if (!btf_) return false;
  int id = btf__find_by_name_kind(btf_, type.c_str(), BTF_KIND_STRUCT);
  if (id <= 0) return false;
  const struct btf_type* t = btf__type_by_id(btf_, id);
  std::istringstream parts(path);
  for (std::string name; std::getline(parts, name, '.');) {
    __u32 member = member_type(btf_, t, name);
    if (!member) return false;
    t = resolved(btf_, member);
  }
  return true;
}

std::string find_cgroup2_mount(const std::string& mounts) {
  std::ifstream in(mounts);
  std::string device, dir, type;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    if (fields >> device >> dir >> type && type == "cgroup2") return dir;
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> KernelFeatures::describe() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("kernel", release_);
  out.emplace_back("btf", btf_ ? "yes (/sys/kernel/btf/vmlinux)" : "no: " + btf_error_);
  out.emplace_back("tp_btf", has_tracepoint("sched_switch") ? "yes" : "no");
  out.emplace_back("fentry", has_function("tcp_sendmsg") ? "yes (BTF functions present)" : "no");
  out.emplace_back("kprobes", kprobes_ ? "yes" : "no (no kprobe PMU)");
  std::ifstream lockdown("/sys/kernel/security/lockdown");
  std::string modes;
  if (std::getline(lockdown, modes)) {
    auto open = modes.find('['), close = modes.find(']');
    if (open != std::string::npos && close != std::string::npos)
      out.emplace_back(
          "lockdown",
          modes.substr(open + 1, close - open - 1) +
              (modes.find("[none]") == std::string::npos ? " (fentry/fexit may be refused)" : ""));
  }
  out.emplace_back("cgroup2", cgroup2_root_.empty() ? "not mounted (TCP bytes from tracepoints)"
                                                    : cgroup2_root_ + " (cgroup_skb programs)");
  out.emplace_back("block_io_start", has_tracepoint("block_io_start") ? "yes (6.5+)" : "no");
  out.emplace_back("tracefs", std::filesystem::exists("/sys/kernel/tracing/trace") ||
                                      std::filesystem::exists("/sys/kernel/debug/tracing/trace")
                                  ? "mounted"
                                  : "not mounted (not needed)");
  std::ifstream stats("/proc/sys/kernel/bpf_stats_enabled");
  int enabled = 0;
  if (stats >> enabled) out.emplace_back("bpf_stats_enabled", enabled ? "1" : "0");
  return out;
}

std::string missing_bpf_privileges() {
  // Root is checked too: in a container, or under a bounding set that took
  // them, root lacks CAP_BPF and libbpf's errors say nothing of that.
  cap_t caps = cap_get_proc();
  if (!caps) return "cannot read process capabilities";
  std::string missing;
  auto need = [&](cap_value_t cap, const char* name) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) != 0 || v != CAP_SET) {
      if (!missing.empty()) missing += ", ";
      missing += name;
    }
  };
  cap_flag_value_t admin = CAP_CLEAR;
  cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
  if (admin != CAP_SET) {
#ifdef CAP_BPF
    need(CAP_BPF, "CAP_BPF");
    need(CAP_PERFMON, "CAP_PERFMON");
#else
    need(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
#endif
  }
  cap_free(caps);
  if (missing.empty()) return {};
  if (geteuid() == 0)
    return "running as root without " + missing +
           " (a container or a capability bounding set took them): BPF programs cannot load; "
           "grant them to the container or service, or use --no-bpf for /proc and cgroupfs "
           "data only";
  return "needs root or " + missing +
         " to load its BPF programs (run with sudo, or grant them: setcap "
         "cap_bpf,cap_perfmon,cap_dac_read_search+ep $(command -v kpulse)); "
         "use --no-bpf for /proc and cgroupfs data only";
}

}  // namespace kpulse::probes
