#include "profile/symbolizer.h"

#include <cxxabi.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kpulse::profile {
namespace {

const char* const kUnknown = "[unknown]";

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (auto del = base.find(" (deleted)"); del != std::string::npos) base.erase(del);
  return base;
}

// The kernel maps one vDSO image into every process: read it from one.
ElfSymbols read_vdso(uint32_t pid, const Mapping& m) {
  std::string image(m.end - m.start, '\0');
  int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ElfSymbols::from_image({});
  ssize_t n = ::pread(fd, image.data(), image.size(), static_cast<off_t>(m.start));
  ::close(fd);
  image.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return ElfSymbols::from_image(std::move(image));
}

}  // namespace

std::string demangle(std::string_view name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return std::string(name);
  std::string mangled(name);
  int status = 0;
  char* out = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !out) return mangled;
  std::string result(out);
  std::free(out);
  return result;
}

const std::vector<Mapping>& Symbolizer::maps_of(uint32_t pid) {
  auto it = maps_.find(pid);
  if (it == maps_.end()) it = maps_.emplace(pid, read_executable_mappings(pid)).first;
  return it->second;
}

Frame Symbolizer::user_frame(uint32_t pid, const Mapping& m, uint64_t lookup_addr) {
  Frame f{kUnknown, {}, false};
  if (m.path == "[vdso]") {
    if (!vdso_ || !vdso_->size()) vdso_ = std::make_shared<const ElfSymbols>(read_vdso(pid, m));
    f.module = m.path;
    std::string_view name = vdso_->function_at_offset(lookup_addr - m.start);
    if (!name.empty()) f.function = std::string(name);
    return f;
  }
  if (m.path.empty() || m.path[0] == '[') {  // anonymous (JIT) or [vdso]
    f.module = m.path.empty() ? "[anon]" : m.path;
    return f;
  }
  f.module = basename_of(m.path);
  // map_files opens the very file mapped, even if deleted or in another
  // mount namespace (a container).
  char open_path[96];
  std::snprintf(open_path, sizeof open_path, "/proc/%u/map_files/%llx-%llx", pid,
                static_cast<unsigned long long>(m.start), static_cast<unsigned long long>(m.end));
  // Without CAP_SYS_ADMIN map_files is closed: go through the process's root.
  std::string path = open_path;
  if (::access(open_path, R_OK) != 0) path = "/proc/" + std::to_string(pid) + "/root" + m.path;
  auto elf = elf_.get(path, m.dev, m.inode);
  std::string_view name = elf->function_at_offset(lookup_addr - m.start + m.pgoff);
  if (!name.empty()) f.function = demangle(name);
  return f;
}

StackSample Symbolizer::resolve(const RawSample& raw) {
  StackSample s;
  s.cgroup_id = raw.cgroup_id;
  s.pid = raw.tgid;
  s.comm = raw.comm;
  s.count = raw.count;

  // User frames, leaf first as the kernel gives them. Every frame but the
  // leaf is a return address: look up the call instruction before it.
  std::vector<Frame> user;
  if (!raw.user_ips.empty()) {
    const auto& maps = maps_of(raw.tgid);
    for (size_t i = 0; i < raw.user_ips.size(); ++i) {
      uint64_t addr = raw.user_ips[i];
      const Mapping* m = find_mapping(maps, addr);
      if (!m && i > 0) {
        // A frame-pointer chain through code built without frame pointers
        // yields addresses outside any executable mapping: stop here.
        s.user_truncated = true;
        break;
      }
      if (!m) {
        user.push_back({kUnknown, maps.empty() ? "[exited]" : "", false});
        continue;
      }
      user.push_back(user_frame(raw.tgid, *m, i == 0 ? addr : addr - 1));
    }
    // Only the leaf: the walk could not leave it (no frame pointers, or the
    // helper kept no stack and the sampled IP is all there is).
    if (user.size() == 1) s.user_truncated = true;
    if (s.user_truncated) user.push_back({kUnknown, {}, false});
  }
  for (auto it = user.rbegin(); it != user.rend(); ++it) s.frames.push_back(std::move(*it));

  for (size_t i = raw.kernel_ips.size(); i-- > 0;) {
    uint64_t addr = raw.kernel_ips[i];
    auto hit = kernel_.lookup(i == 0 ? addr : addr - 1);
    Frame f{hit.function.empty() ? kUnknown : std::string(hit.function),
            hit.module.empty() ? "[kernel]" : "[" + std::string(hit.module) + "]", true};
    s.frames.push_back(std::move(f));
  }
  // Both stack reads failed and no IP was sampled: still a sample of this
  // process, in code nobody could name. A bare comm would read as a frame.
  if (s.frames.empty()) s.frames.push_back({kUnknown, {}, false});
  return s;
}

}  // namespace kpulse::profile
