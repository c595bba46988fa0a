#include "cli/replay_profile.h"

#include <cmath>
#include <ctime>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "profile/hot_functions.h"
#include "profile/profile_formats.h"
#include "record/stack_log.h"

namespace kpulse::cli {
namespace {

constexpr size_t kCgroups = 10;
constexpr size_t kStacksPerCgroup = 3;

std::string utc_clock(int64_t ns) {
  const time_t t = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

tui::ProfileView replay_profile(const std::filesystem::path& recording_dir, int64_t at_ns) {
  tui::ProfileView view;
  const int64_t from_ns = at_ns - kReplayProfileSpanNs;
  const record::RecordedProfile recorded = record::read_stack_log(recording_dir, from_ns, at_ns);
  view.window =
      fmt::format("stacks recorded {} to {} UTC: {} profiling window{}", utc_clock(from_ns),
                  utc_clock(at_ns), recorded.windows, recorded.windows == 1 ? "" : "s");
  if (recorded.windows == 0) {
    view.status =
        "no recorded stacks in this minute (the daemon records them with [profile] enabled)";
    return view;
  }
  for (const auto& h :
       profile::hot_functions(recorded.profile, kCgroups, &recorded.cgroup_samples)) {
    tui::ProfileCgroup c;
    c.cgroup = h.cgroup;
    c.hot = profile::describe(h);
    for (const auto& s : profile::top_stacks(recorded.profile, h.cgroup, kStacksPerCgroup)) {
      const double share = h.cgroup_samples ? 100.0 * static_cast<double>(s.count) /
                                                  static_cast<double>(h.cgroup_samples)
                                            : 0.0;
      c.stacks.push_back({fmt::format("{:>3.0f}%", std::round(share)), profile::folded_stack(s)});
    }
    view.cgroups.push_back(std::move(c));
  }
  return view;
}

std::function<tui::ProfileView(const model::Snapshot&)> make_replay_profile(
    std::filesystem::path recording_dir) {
  struct Cache {
    std::optional<int64_t> at_ns;
    tui::ProfileView view;
  };
  auto cache = std::make_shared<Cache>();
  return [dir = std::move(recording_dir), cache](const model::Snapshot& s) {
    if (cache->at_ns != s.time_ns) {
      cache->view = replay_profile(dir, s.time_ns);
      cache->at_ns = s.time_ns;
    }
    return cache->view;
  };
}

}  // namespace kpulse::cli
