#include "record/retention.h"

#include <algorithm>
#include <system_error>
#include <vector>

namespace kpulse::record {

uint64_t apply_retention_policy(const std::filesystem::path& dir, const RetentionPolicy& policy,
                                int64_t now,
                                const std::function<bool(const SegmentFile&)>& in_use) {
  std::vector<SegmentFile> segs;
  try {
    segs = list_segments(dir);
  } catch (const std::exception&) {
    return 0;
  }
  const int days[kTiers] = {policy.full_days, policy.minute_days, policy.hour_days};
  uint64_t deleted = 0;
  auto remove = [&](const SegmentFile& s) {
    std::error_code ec;
    if (std::filesystem::remove(s.path, ec)) ++deleted;
  };
  std::vector<SegmentFile> kept;
  uint64_t total = 0;
  for (const auto& s : segs) {
    const int64_t age_limit = days[static_cast<int>(s.tier)];
    if (!in_use(s) && (s.day + 1) * kDayNs <= now - age_limit * kDayNs) {
      remove(s);
    } else {
      kept.push_back(s);
      total += s.bytes;
    }
  }
  if (policy.max_total_bytes == 0 || total <= policy.max_total_bytes) return deleted;
  // Over the size cap: finest tier first, oldest day first.
  std::stable_sort(kept.begin(), kept.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.tier != b.tier ? a.tier < b.tier : a.day < b.day;
  });
  for (const auto& s : kept) {
    if (total <= policy.max_total_bytes) break;
    if (in_use(s)) continue;
    remove(s);
    total -= s.bytes;
  }
  return deleted;
}

}  // namespace kpulse::record
