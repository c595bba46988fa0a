// Loads a NAB-layout corpus: <root>/data/<category>/<file>.csv series and
// <root>/labels/combined_windows.json label windows mapped to row indices.
#pragma once

#include <string>
#include <vector>

#include "analytics/anomaly_nab_score.h"
#include "analytics/series_csv.h"

namespace kpulse::bench {

struct NabFile {
  std::string name;  // "<category>/<file>.csv", as in the labels
  std::vector<analytics::SeriesRow> rows;
  std::vector<analytics::NabWindow> windows;
};

// Throws std::runtime_error naming the file and the problem (unreadable CSV,
// a label file that names a missing series, a window edge that is no row).
std::vector<NabFile> load_nab_corpus(const std::string& root);

// Profile name -> cost matrix, from <root>/config/profiles.json, in file order.
std::vector<std::pair<std::string, analytics::NabCostMatrix>> load_nab_profiles(
    const std::string& root);

}  // namespace kpulse::bench
