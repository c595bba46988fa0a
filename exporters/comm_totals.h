// Counters of `--processes comm` series that only grow.
//
// A comm's sum over its live processes falls whenever one of them exits (or
// leaves the snapshot's bounded process list): Prometheus reads that as a
// counter reset and OTLP cumulative consumers as a restart, so rate() counts
// the survivors' whole lifetime again as new. Instead, a comm's counter is its
// processes' sum when the comm is first seen, and from then on grows by its
// processes' per-interval deltas: what exiting processes had counted stays in
// it. A comm missing from some snapshots (its only process exited, a short
// command run now and then) keeps its totals for kKeepAbsentNs, so it resumes
// where it was; absent longer, it is forgotten and starts over as a new
// series would.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::exporters {

class CommTotals {
 public:
  // 10 min: past Prometheus' 5 min lookback.
  static constexpr int64_t kKeepAbsentNs = 600'000'000'000;

  // `comms`: one component per command name (the sums) of the snapshot taken
  // at `time_ns`, rewritten in place: counters' values and histograms' totals
  // carried on from the comm's last snapshot.
  void carry(std::vector<model::Component>& comms, int64_t time_ns);

  [[nodiscard]] size_t tracked() const { return kept_.size(); }

 private:
  struct Kept {
    std::vector<model::Sample> counters;
    std::vector<model::HistogramSample> histograms;
    int64_t seen_ns = 0;  // the last snapshot that listed the comm
  };
  std::unordered_map<std::string, Kept> kept_;
};

}  // namespace kpulse::exporters
