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
    if (!s.frames.empty()) self[frame_name(s.frames.back())] += s.count;
    std::set<std::string> seen;  // recursion counts a function once per stack
    for (const auto& f : s.frames)
      if (seen.insert(frame_name(f)).second) inclusive[frame_name(f)] += s.count;
    char key[64];
    std::snprintf(key, sizeof key, "%u\t", s.pid);
    processes[key + s.comm + "\t" + (s.cgroup.empty() ? "?" : s.cgroup)] += s.count;
    if (s.user_truncated) truncated += s.count;
  }
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%llu samples over %.1f s (%s, %u Hz per CPU)\n",
                static_cast<unsigned long long>(total), p.duration_s, p.event.c_str(),
                p.frequency_hz);
  out += buf;
  if (p.dropped) {
    std::snprintf(buf, sizeof buf, "%llu samples dropped: the kernel's bucket map was full\n",
                  static_cast<unsigned long long>(p.dropped));
    out += buf;
  }
  if (!total) return out;
  auto pct = [&](uint64_t n) { return 100.0 * n / total; };
  out += "\nTop functions (self: the sampled function; total: anywhere on the stack)\n";
  std::snprintf(buf, sizeof buf, "  %7s %7s  %s\n", "self%", "total%", "function");
  out += buf;
  for (const auto& [name, n] : top(self, top_n)) {
    std::snprintf(buf, sizeof buf, "  %6.2f%% %6.2f%%  ", pct(n), pct(inclusive[name]));
    out += buf + name + "\n";
  }
  out += "\nTop processes\n";
  std::snprintf(buf, sizeof buf, "  %7s %8s  %-16s %s\n", "cpu%", "pid", "comm", "cgroup");
  out += buf;
  for (const auto& [key, n] : top(processes, top_n)) {
    auto t1 = key.find('\t'), t2 = key.find('\t', t1 + 1);
    std::snprintf(buf, sizeof buf, "  %6.2f%% %8s  %-16s %s\n", pct(n), key.substr(0, t1).c_str(),
                  key.substr(t1 + 1, t2 - t1 - 1).c_str(), key.substr(t2 + 1).c_str());
    out += buf;
  }
  if (truncated) {
    std::snprintf(buf, sizeof buf,
                  "\nNote: %.1f%% of samples have a user stack the frame-pointer walk could not "
                  "follow past the leaf (code built without frame pointers); their callers show "
                  "as [unknown].\n",
                  pct(truncated));
    out += buf;
  }
  return out;
}

}  // namespace kpulse::profile
