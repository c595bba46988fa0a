// Reading and writing a knob's file: sysctls inside the target's network
// namespace, cgroup and block-queue files directly, and the I/O scheduler
// with its request depth kept.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "tune/knob.h"
#include "tune/netns.h"

namespace kpulse::tune {
namespace {

bool read_file(const std::string& path, std::string& raw, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  // One space between fields: tcp_rmem reads back tab-separated, and a
  // value must compare equal to what kpulse wrote.
  raw.clear();
  for (const auto& field : value_fields(ss.str())) raw += (raw.empty() ? "" : " ") + field;
  return true;
}

bool write_file(const std::string& path, const std::string& raw, std::string& error) {
  // O_TRUNC: sysfs, procfs and cgroupfs ignore it; a plain file (tests) needs it.
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, raw.data(), raw.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(raw.size())) {
    error = path + ": write \"" + raw + "\": " + std::strerror(n < 0 ? err : EIO);
    return false;
  }
  return true;
}

// Switching a device's I/O scheduler rebuilds its request tags: on 6.18
// nr_requests then reads back as the new elevator's default while the tag
// depth can stay at the old value (seen: nr_requests 4, switch to
// mq-deadline and back, nr_requests reads 128, at most 4 requests in
// flight), and writing the value it already shows changes nothing. So the
// depth from before the switch is written back after it, through a
// different value first so the kernel really resizes.
bool write_scheduler(const std::string& path, const std::string& raw, std::string& error) {
  const std::string nr_path = path.substr(0, path.rfind('/') + 1) + "nr_requests";
  std::string before;
  {
    std::ifstream in(nr_path);
    in >> before;
  }
  if (!write_file(path, raw, error)) return false;
  long depth = 0;
  try {
    depth = std::stol(before);
  } catch (const std::exception&) {
    return true;  // no readable nr_requests: nothing to keep
  }
  std::string ignored;
  write_file(nr_path, std::to_string(depth > 4 ? depth - 1 : depth + 1), ignored);
  if (!write_file(nr_path, std::to_string(depth), error)) {
    error = "scheduler switched, but restoring nr_requests " + before + " failed: " + error;
    return false;
  }
  return true;
}

// The knob's file; false with `error` set for a target the allowlist refuses.
bool resolve_path(const Knob& k, const std::string& cgroup_root, std::string& path,
                  std::string& error) {
  try {
    path = knob_path(k, cgroup_root);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

// Runs a file operation inside the knob's network namespace; `error` says
// why entering it or the operation failed.
bool in_netns(const Knob& k, const std::function<bool(std::string& error)>& op,
              std::string& error) {
  bool ok = false;
  std::string inner;
  if (!run_in_netns(
          k.target, [&] { ok = op(inner); }, error))
    return false;
  if (!ok) error = inner;
  return ok;
}

}  // namespace

std::string active_scheduler(const std::string& raw) {
  auto open = raw.find('['), close = raw.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return raw;
  return raw.substr(open + 1, close - open - 1);
}

std::vector<std::string> available_schedulers(const std::string& raw) {
  std::vector<std::string> out;
  for (auto f : value_fields(raw)) {
    if (f.size() >= 2 && f.front() == '[' && f.back() == ']') f = f.substr(1, f.size() - 2);
    out.push_back(f);
  }
  return out;
}

bool read_knob(const Knob& k, std::string& raw, std::string& error,
               const std::string& cgroup_root) {
  std::string path;
  if (!resolve_path(k, cgroup_root, path, error)) return false;
  if (spec(k.kind).target != TargetKind::Netns) {
    if (!read_file(path, raw, error)) return false;
    // "none [mq-deadline] kyber" reads back as the active name alone: that is
    // what gets written and journaled, so a read-back compares equal.
    if (k.kind == KnobKind::Scheduler) raw = active_scheduler(raw);
    return true;
  }
  return in_netns(
      k, [&](std::string& inner) { return read_file(path, raw, inner); }, error);
}

bool write_knob(const Knob& k, const std::string& raw, std::string& error, bool allow_host_wide,
                const std::string& cgroup_root) {
  const KnobSpec& s = spec(k.kind);
  if (s.host_wide && !allow_host_wide) {
    error = std::string(s.id) + " is host-wide: enable it explicitly (--allow-host-wide)";
    return false;
  }
  std::string path;
  if (!resolve_path(k, cgroup_root, path, error)) return false;
  if (k.kind == KnobKind::Scheduler) return write_scheduler(path, raw, error);
  if (s.target != TargetKind::Netns) return write_file(path, raw, error);
  return in_netns(
      k, [&](std::string& inner) { return write_file(path, raw, inner); }, error);
}

}  // namespace kpulse::tune
