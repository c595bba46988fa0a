#include "probes/hook_ladder.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probes/libbpf_log.h"

namespace kpulse::probes {
namespace {

constexpr int kMaxLoadAttempts = 12;

// Writes `value` in the variable's own width (1 byte for bool, 8 for __u64).
bool set_rodata(struct bpf_object* obj, const std::string& var, uint64_t value) {
  struct bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    const char* name = bpf_map__name(map);
    if (bpf_map__is_internal(map) && std::strstr(name, ".rodata")) break;
  }
  if (!map) return false;
  const struct btf* btf = bpf_object__btf(obj);
  int sec_id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
  if (sec_id <= 0) return false;
  const struct btf_type* sec = btf__type_by_id(btf, sec_id);
  const struct btf_var_secinfo* vs = btf_var_secinfos(sec);
  for (int i = 0; i < btf_vlen(sec); ++i) {
    const struct btf_type* v = btf__type_by_id(btf, vs[i].type);
    if (var != btf__name_by_offset(btf, v->name_off)) continue;
    size_t size = 0;
    // libbpf 1.1 returns const, but before load this is the writable image
    // skeletons expose as skel->rodata.
    auto* data = static_cast<char*>(const_cast<void*>(bpf_map__initial_value(map, &size)));
    if (!data || vs[i].offset + vs[i].size > size) return false;
    if (vs[i].size == sizeof(bool)) {
      *reinterpret_cast<bool*>(data + vs[i].offset) = value != 0;
      return true;
    }
    if (vs[i].size != sizeof(uint64_t)) return false;
    std::memcpy(data + vs[i].offset, &value, sizeof value);
    return true;
  }
  return false;
}

// Tracing programs attach to the hook their section names; cgroup_skb ones to
// the cgroup2 root, where they run for the sockets of every cgroup below it.
struct bpf_link* attach(struct bpf_program* prog, Rung rung, const KernelFeatures& features) {
  if (rung != Rung::CgroupSkb) return bpf_program__attach(prog);
  int fd = ::open(features.cgroup2_root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct bpf_link* link = bpf_program__attach_cgroup(prog, fd);
  int err = errno;
  ::close(fd);  // the link holds the cgroup
  errno = err;
  return link;
}

struct Choice {
  const HookSpec* hook;
  size_t index = 0;   // candidate in use; == size() when none is left
  std::string error;  // why earlier candidates were dropped
};

void skip_unavailable(Choice& c, const KernelFeatures& features) {
  while (c.index < c.hook->candidates.size()) {
    const Candidate& cand = c.hook->candidates[c.index];
    if (cand.available(features)) return;
    if (!c.error.empty()) c.error += "; ";
    c.error += std::string(to_string(cand.rung)) + ": needs " + cand.requirement;
    ++c.index;
  }
}

void demote(Choice& c, const std::string& why, const KernelFeatures& features) {
  const Candidate& cand = c.hook->candidates[c.index];
  if (!c.error.empty()) c.error += "; ";
  c.error += std::string(to_string(cand.rung)) + " (" + cand.program + "): " + why;
  ++c.index;
  skip_unavailable(c, features);
}

// Hooks that still have a candidate to try.
size_t usable(const std::vector<Choice>& choices) {
  size_t n = 0;
  for (const auto& c : choices) n += c.index < c.hook->candidates.size();
  return n;
}

// The group's object, opened with each hook's chosen program set to load,
// the map bounds and the load-time knobs written; null (errno set) if the
// object cannot be opened.
struct bpf_object* open_object(const GroupSpec& spec, const KernelFeatures& features,
                               const std::vector<Choice>& choices) {
  size_t size = 0;
  const void* bytes = spec.elf_bytes(&size);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = spec.name.c_str());
  struct bpf_object* obj = bpf_object__open_mem(bytes, size, &opts);
  if (!obj) return nullptr;
  struct bpf_program* prog;
  bpf_object__for_each_program(prog, obj) bpf_program__set_autoload(prog, false);
  for (const auto& c : choices) {
    if (c.index >= c.hook->candidates.size()) continue;
    prog = bpf_object__find_program_by_name(obj, c.hook->candidates[c.index].program.c_str());
    if (prog) bpf_program__set_autoload(prog, true);
  }
  for (const auto& size : spec.map_sizes) {
    struct bpf_map* map = bpf_object__find_map_by_name(obj, size.map.c_str());
    if (map) bpf_map__set_max_entries(map, size.entries(features));
  }
  for (const auto& r : spec.rodata) set_rodata(obj, r.var, r.value(features));
  return obj;
}

// After a failed load: demotes every chosen program the verifier rejected
// (its log names them). False when it rejected none: the failure is not a
// program's (maps, BTF), so no other rung would load either.
bool demote_rejected(std::vector<Choice>& choices, const std::string& log,
                     const KernelFeatures& features) {
  const auto failed = failed_programs(log);
  bool demoted = false;
  for (auto& c : choices) {
    if (c.index >= c.hook->candidates.size()) continue;
    for (const auto& f : failed)
      if (f == c.hook->candidates[c.index].program) {
        demote(c, "verifier rejected it: " + verifier_tail(log, f), features);
        demoted = true;
        break;
      }
  }
  return demoted;
}

// Attaches hook by hook. On a failure that hook is demoted, the links made
// so far are destroyed and false is returned (the caller reloads).
bool attach_all(struct bpf_object* obj, std::vector<Choice>& choices,
                const KernelFeatures& features, std::vector<struct bpf_link*>& links) {
  for (auto& c : choices) {
    if (c.index >= c.hook->candidates.size()) continue;
    const Candidate& cand = c.hook->candidates[c.index];
    struct bpf_program* prog = bpf_object__find_program_by_name(obj, cand.program.c_str());
    struct bpf_link* link = prog ? attach(prog, cand.rung, features) : nullptr;
    if (!link) {
      int err = errno;
      demote(c, "attach failed: " + std::string(strerror(err)), features);
      for (auto* l : links) bpf_link__destroy(l);
      links.clear();
      return false;
    }
    links.push_back(link);
  }
  return true;
}

std::vector<HookStatus> hook_statuses(const std::vector<Choice>& choices, bool loaded) {
  std::vector<HookStatus> out;
  for (const auto& c : choices) {
    HookStatus hs;
    hs.hook = c.hook->hook;
    if (loaded && c.index < c.hook->candidates.size()) {
      hs.program = c.hook->candidates[c.index].program;
      hs.rung = to_string(c.hook->candidates[c.index].rung);
      hs.attached = true;
    }
    hs.error = c.error;
    out.push_back(std::move(hs));
  }
  return out;
}

}  // namespace

const char* to_string(Rung r) {
  switch (r) {
    case Rung::CgroupSkb:
      return "cgroup_skb";
    case Rung::TpBtf:
      return "tp_btf";
    case Rung::RawTp:
      return "raw_tp";
    case Rung::Fentry:
      return "fentry";
    case Rung::Kprobe:
      return "kprobe";
  }
  return "?";
}

Candidate tp_btf(std::string program, const std::string& tracepoint) {
  return {std::move(program), Rung::TpBtf,
          [tp = tracepoint](const KernelFeatures& f) { return f.has_tracepoint(tp); },
          "tracepoint " + tracepoint};
}

Candidate raw_tp(std::string program, const std::string& tracepoint) {
  return {std::move(program), Rung::RawTp,
          [tp = tracepoint](const KernelFeatures& f) { return f.has_tracepoint(tp); },
          "tracepoint " + tracepoint};
}

Candidate fentry(std::string program, const std::string& function) {
  return {std::move(program), Rung::Fentry,
          [fn = function](const KernelFeatures& f) { return f.has_function(fn); },
          "BTF function " + function};
}

Candidate kprobe(std::string program, const std::string& /*function*/) {
  return {std::move(program), Rung::Kprobe,
          [](const KernelFeatures& f) { return f.kprobes_available(); }, "kprobe support"};
}

Candidate cgroup_skb(std::string program) {
  return {std::move(program), Rung::CgroupSkb,
          [](const KernelFeatures& f) { return !f.cgroup2_root().empty(); }, "a cgroup2 mount"};
}

LoadedGroup::LoadedGroup(const GroupSpec& spec, const KernelFeatures& features, GroupStatus& status)
    : name_(spec.name) {
  ensure_libbpf_log_captured();
  status = {};
  status.name = spec.name;
  if (spec.reads) status.reads = spec.reads(features);
  std::vector<Choice> choices;
  for (const auto& h : spec.hooks) {
    choices.push_back({&h, 0, {}});
    skip_unavailable(choices.back(), features);
  }

  // Each failed load or attach demotes a hook to its next rung and retries.
  int last_load_error = 0;
  for (int attempt = 0; attempt < kMaxLoadAttempts; ++attempt) {
    if (usable(choices) == 0) {
      // Rungs demoted by failed loads were not missing from the kernel: say
      // why they failed (EPERM without CAP_PERFMON, EMFILE out of files).
      status.reason = last_load_error == 0 ? "no hook of this group is available on this kernel"
                                           : "no rung of this group would load (last error: " +
                                                 std::string(strerror(last_load_error)) + ")";
      break;
    }
    take_libbpf_log();
    struct bpf_object* obj = open_object(spec, features, choices);
    if (!obj) {
      status.reason = "cannot open BPF object: " + std::string(strerror(errno));
      break;
    }
    if (int err = bpf_object__load(obj); err) {
      std::string log = take_libbpf_log();
      bpf_object__close(obj);
      last_load_error = -err;
      if (demote_rejected(choices, log, features)) continue;
      status.reason =
          "load failed (" + std::string(strerror(-err)) + "): " + verifier_tail(log, "", 3);
      break;
    }
    std::vector<struct bpf_link*> links;
    if (!attach_all(obj, choices, features, links)) {
      bpf_object__close(obj);
      continue;
    }
    obj_ = obj;
    links_ = std::move(links);
    for (const auto& c : choices)
      if (c.index < c.hook->candidates.size())
        attached_.emplace_back(c.hook->hook, c.hook->candidates[c.index]);
    break;
  }

  status.hooks = hook_statuses(choices, obj_ != nullptr);
  status.active = active();
  if (!status.active && status.reason.empty()) status.reason = "no hook could be attached";
}

LoadedGroup::~LoadedGroup() {
  close();
}

void LoadedGroup::close() {
  for (auto* l : links_) bpf_link__destroy(l);
  links_.clear();
  attached_.clear();
  if (obj_) bpf_object__close(obj_);
  obj_ = nullptr;
}

const Candidate* LoadedGroup::attached(const std::string& hook) const {
  for (const auto& [h, candidate] : attached_)
    if (h == hook) return &candidate;
  return nullptr;
}

int LoadedGroup::map_fd(const char* map_name) const {
  if (!obj_) return -1;
  struct bpf_map* map = bpf_object__find_map_by_name(obj_, map_name);
  return map ? bpf_map__fd(map) : -1;
}

std::vector<std::pair<uint32_t, std::string>> LoadedGroup::program_ids() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  if (!obj_) return out;
  struct bpf_program* prog;
  bpf_object__for_each_program(prog, obj_) {
    int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    struct bpf_prog_info info {};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
      out.emplace_back(info.id, bpf_program__name(prog));
  }
  return out;
}

}  // namespace kpulse::probes
