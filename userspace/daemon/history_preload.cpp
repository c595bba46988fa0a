#include "daemon/history_preload.h"

#include <algorithm>
#include <system_error>

#include "record/reader.h"

namespace kpulse::daemon {

PreloadResult preload_history(analytics::Analyzer& analyzer, const std::filesystem::path& dir,
                              int64_t now_ns, int64_t lookback_s, int64_t full_s) {
  PreloadResult out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;

  constexpr int64_t kNs = 1'000'000'000;
  const int64_t from_ns = now_ns - lookback_s * kNs;
  // Where each finer tier takes over: the full tier only for the last
  // `full_s`, the minute tier from its own start, the hour tier before that.
  record::RecordingReader full(dir, record::Tier::Full);
  record::RecordingReader minute(dir, record::Tier::Minute);
  record::RecordingReader hour(dir, record::Tier::Hour);
  for (const auto* r : {&full, &minute, &hour})
    for (auto& w : r->warnings()) out.warnings.push_back(w);

  const int64_t full_from = std::max(from_ns, now_ns - full_s * kNs);
  auto start_of = [](const record::RecordingReader& r, int64_t fallback) {
    auto range = r.time_range();
    return range ? range->first_ns : fallback;
  };
  const int64_t full_start = std::max(full_from, start_of(full, now_ns + 1));
  const int64_t minute_start = std::max(from_ns, start_of(minute, full_start));

  auto feed = [&](const record::RecordingReader& r, int64_t from, int64_t to) {
    if (from > to) return;
    r.read(from, to, [&](record::RecordedSnapshot&& s) {
      if (out.snapshots == 0) out.first_ns = s.snapshot.time_ns;
      out.last_ns = s.snapshot.time_ns;
      analyzer.preload(s.snapshot);
      ++out.snapshots;
      return true;
    });
  };
  feed(hour, from_ns, minute_start - 1);
  feed(minute, minute_start, full_start - 1);
  feed(full, full_start, now_ns);
  return out;
}

}  // namespace kpulse::daemon
