// `kpulse profile --format text`: the functions where the samples land.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "profile/profile_formats.h"

namespace kpulse::profile {
namespace {

std::string frame_name(const Frame& f) {
  if (f.module.empty() || f.module == "[kernel]") return f.function;
  return f.function + " (" + f.module + ")";
}

// The frame a stack's time is "self" time of: the sampled function on-CPU;
// off-CPU, the function that entered the scheduler (do_nanosleep,
// pipe_read, futex_wait_queue, io_schedule's caller...), since every
// blocked stack ends in the scheduler itself.
const Frame* self_frame(const StackSample& s, ProfileMode mode) {
  if (s.frames.empty()) return nullptr;
  if (mode == ProfileMode::OnCpu) return &s.frames.back();
  for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it)
    if (!it->kernel || it->function.find("schedule") == std::string::npos) return &*it;
  return &s.frames.back();
}

template <class Map>
std::vector<std::pair<std::string, uint64_t>> top(const Map& m, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace

std::string to_text(const Profile& p, size_t top_n) {
  const uint64_t total = p.total();
  std::map<std::string, uint64_t> self, inclusive, processes;
  uint64_t truncated = 0;
  for (const auto& s : p.samples) {
    if (const Frame* f = self_frame(s, p.mode)) self[frame_name(*f)] += s.count;
    std::set<std::string> seen;  // recursion counts a function once per stack
    for (const auto& f : s.frames)
      if (seen.insert(frame_name(f)).second) inclusive[frame_name(f)] += s.count;
    char key[64];
    std::snprintf(key, sizeof key, "%u\t", s.pid);
    processes[key + s.comm + "\t" + (s.cgroup.empty() ? "?" : s.cgroup)] += s.count;
    if (s.user_truncated) truncated += s.count;
  }
  const bool off_cpu = p.mode == ProfileMode::OffCpu;
  std::string out;
  char buf[512];
  if (off_cpu)
    std::snprintf(buf, sizeof buf,
                  "%.3f s blocked over %.1f s (off-CPU: from blocking in the kernel to running "
                  "again, run-queue wait included; tasks still blocked at the end not counted)\n",
                  static_cast<double>(total) / 1e9, p.duration_s);
  else
    std::snprintf(buf, sizeof buf, "%llu samples over %.1f s (%s, %u Hz per CPU)\n",
                  static_cast<unsigned long long>(total), p.duration_s, p.event.c_str(),
                  p.frequency_hz);
  out += buf;
  if (p.dropped) {
    std::snprintf(buf, sizeof buf, "%llu %s dropped: the kernel's bucket map was full\n",
                  static_cast<unsigned long long>(p.dropped), off_cpu ? "blocks" : "samples");
    out += buf;
  }
  if (!total) return out;
  auto pct = [&](uint64_t n) { return 100.0 * n / total; };
  out += off_cpu ? "\nTop functions by total (self: the caller of the scheduler; total: anywhere "
                   "on the stack)\n"
                 : "\nTop functions (self: the sampled function; total: anywhere on the stack)\n";
  std::snprintf(buf, sizeof buf, "  %7s %7s  %s\n", "self%", "total%", "function");
  out += buf;
  // Off-CPU, self time gathers in the few kernel functions that wait (the
  // caller of the scheduler): rank by total, so the user code that waits
  // (a request handler, a lock's caller) shows up.
  for (const auto& [name, n] : top(off_cpu ? inclusive : self, top_n)) {
    std::snprintf(buf, sizeof buf, "  %6.2f%% %6.2f%%  ", pct(self[name]), pct(inclusive[name]));
    out += buf + name + "\n";
  }
  out += "\nTop processes\n";
  std::snprintf(buf, sizeof buf, "  %7s %8s  %-16s %s\n", off_cpu ? "off%" : "cpu%", "pid", "comm",
                "cgroup");
  out += buf;
  for (const auto& [key, n] : top(processes, top_n)) {
    auto t1 = key.find('\t'), t2 = key.find('\t', t1 + 1);
    std::snprintf(buf, sizeof buf, "  %6.2f%% %8s  %-16s %s\n", pct(n), key.substr(0, t1).c_str(),
                  key.substr(t1 + 1, t2 - t1 - 1).c_str(), key.substr(t2 + 1).c_str());
    out += buf;
  }
  if (truncated) {
    std::snprintf(buf, sizeof buf,
                  "\nNote: %.1f%% of the total has a user stack the frame-pointer walk could not "
                  "follow past the leaf (code built without frame pointers); their callers show "
                  "as [unknown].\n",
                  pct(truncated));
    out += buf;
  }
  return out;
}

std::string amount_text(ProfileMode mode, uint64_t count) {
  char buf[64];
  if (mode == ProfileMode::OffCpu)
    std::snprintf(buf, sizeof buf, "%.1f ms blocked", static_cast<double>(count) / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%llu samples", static_cast<unsigned long long>(count));
  return buf;
}

}  // namespace kpulse::profile
