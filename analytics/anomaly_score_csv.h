// `kpulse analyze --series FILE --anomaly-scores`: scores a `timestamp,value`
// CSV stream row by row with the streaming anomaly detector.
#pragma once

#include <iostream>
#include <istream>
#include <ostream>
#include <string>

#include "analytics/anomaly_detector.h"

namespace kpulse::analytics {

// Reads a series (see series_csv.h) and writes `timestamp,value,anomaly_score`,
// one row per input row as soon as it is read: the timestamp exactly as given,
// the value in shortest round-trip form, the score in [0, 1]. Each score uses
// only that row and earlier ones. Rows are scored in file order: a timestamp
// that steps back or repeats (a clock step, a duplicated row) is a sample
// like any other, with one warning to `warn` for the first such row. Returns
// the number of rows written, the output's header coming with the first.
// Throws std::runtime_error("<name>:<line>: <reason>") on a malformed row
// (see series_csv.h: e.g. a value that is not a finite number within
// +-1e100), rows before it already written; and "<name>: no data rows" when
// the input holds only its header, as `kpulse forecast` says.
// `model` picks the learner (anomaly_detector.h).
long score_series_csv(std::istream& in, std::ostream& out, const std::string& name,
                      std::ostream& warn = std::cerr, AnomalyModel model = AnomalyModel::kBlend);

}  // namespace kpulse::analytics
