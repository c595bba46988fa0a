#include "cli/analysis_warmup.h"

#include <system_error>

#include "daemon/history_preload.h"
#include "record/reader.h"

namespace kpulse::cli {

WarmupResult warm_up(analytics::Analyzer& analyzer, const std::filesystem::path& dir, int64_t at_ns,
                     int64_t warm_s) {
  WarmupResult out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  const int64_t from_ns = at_ns - warm_s * 1'000'000'000LL;
  // The forecaster's history stops where the warm-up starts: the window is
  // ingested whole (forecaster included), so nothing is counted twice.
  daemon::preload_history(analyzer, dir, from_ns - 1);
  record::RecordingReader full(dir, record::Tier::Full);
  full.read(from_ns, at_ns - 1, [&](record::RecordedSnapshot&& s) {
    out.last = analyzer.ingest(s.snapshot);
    ++out.snapshots;
    return true;
  });
  return out;
}

}  // namespace kpulse::cli
