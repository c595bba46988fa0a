#include "dashboard/recorded_window.h"

#include <algorithm>
#include <string>

#include "dashboard/recent_history.h"
#include "record/reader.h"

namespace kpulse::dashboard {

RecordedWindow read_recorded_window(const std::filesystem::path& dir, int64_t from_ns,
                                    int64_t to_ns, double interval_s, size_t max_points) {
  RecordedWindow out;
  const double step_full_ns = std::max(interval_s, 0.01) * 1e9;
  const struct {
    record::Tier tier;
    double step_ns;
  } tiers[] = {{record::Tier::Full, step_full_ns},
               {record::Tier::Minute, 60e9},
               {record::Tier::Hour, 3600e9}};
  const auto points = static_cast<double>(max_points);
  from_ns = std::max<int64_t>(from_ns, to_ns - static_cast<int64_t>(points * 3600e9));
  out.from_ns = from_ns;
  out.to_ns = to_ns;
  for (const auto& t : tiers) {
    const double expected = static_cast<double>(to_ns - from_ns) / t.step_ns;
    if (expected > points && t.tier != record::Tier::Hour) continue;
    record::RecordingReader reader(dir, t.tier);
    const auto range = reader.time_range();
    if (!range || range->last_ns < from_ns || range->first_ns > to_ns) continue;
    // Every k-th stored instant, so a window a little over the estimate
    // still fits.
    const auto stride = static_cast<size_t>(std::max(1.0, std::ceil(expected / points)));
    size_t seen = 0;
    reader.read(from_ns, to_ns, [&](record::RecordedSnapshot&& r) {
      if (seen++ % stride == 0) out.snapshots.push_back(thin_snapshot(r.snapshot));
      return out.snapshots.size() < max_points;
    });
    out.tier = std::string(record::to_string(t.tier));
    if (!out.snapshots.empty()) return out;
  }
  return out;
}

nlohmann::json recording_extent(const std::filesystem::path& dir) {
  nlohmann::json tiers = nlohmann::json::array();
  for (auto tier : {record::Tier::Full, record::Tier::Minute, record::Tier::Hour}) {
    try {
      record::RecordingReader reader(dir, tier);
      if (const auto r = reader.time_range())
        tiers.push_back({{"tier", std::string(record::to_string(tier))},
                         {"first_ns", r->first_ns},
                         {"last_ns", r->last_ns}});
    } catch (const record::RecordError&) {
      // No recording (yet): no tiers.
    }
  }
  return {{"tiers", std::move(tiers)}};
}

}  // namespace kpulse::dashboard
