#include "record/segment_dir.h"

#include <algorithm>
#include <ctime>
#include <string>

namespace kpulse::record {

int64_t day_of(int64_t time_ns) {
  int64_t q = time_ns / kDayNs;
  return (time_ns % kDayNs != 0 && time_ns < 0) ? q - 1 : q;
}

std::optional<SegmentFile> parse_segment_name(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  // YYYY-MM-DD.<tier>.kpr, or .kpr.bad: set aside by the writer.
  const bool set_aside = name.ends_with(".kpr.bad");
  if (set_aside) name.resize(name.size() - 4);
  if (name.size() < 16 || !name.ends_with(".kpr") || name[4] != '-' || name[7] != '-' ||
      name[10] != '.')
    return std::nullopt;
  auto tier = tier_from_string(name.substr(11, name.size() - 15));
  if (!tier) return std::nullopt;
  std::tm tm{};
  try {
    tm.tm_year = std::stoi(name.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(name.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(name.substr(8, 2));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  SegmentFile f;
  f.path = path;
  f.tier = *tier;
  f.set_aside = set_aside;
  f.day = static_cast<int64_t>(timegm(&tm)) / 86400;
  return f;
}

std::vector<SegmentFile> list_segments(const std::filesystem::path& dir) {
  std::vector<SegmentFile> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto f = parse_segment_name(entry.path());
    if (!f) continue;
    std::error_code ec;
    f->bytes = entry.file_size(ec);
    out.push_back(std::move(*f));
  }
  std::sort(out.begin(), out.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.day != b.day ? a.day < b.day : a.tier < b.tier;
  });
  return out;
}

}  // namespace kpulse::record
