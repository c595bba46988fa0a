// `kpulse analyze --series FILE --anomaly-scores`: scores a `timestamp,value`
// CSV stream row by row with the streaming anomaly detector.
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace kpulse::analytics {

// Reads a series (see series_csv.h) and writes `timestamp,value,anomaly_score`,
// one row per input row as soon as it is read: the timestamp exactly as given,
// the value in shortest round-trip form, the score in [0, 1]. Each score uses
// only that row and earlier ones. Returns the number of rows written. Throws
// std::runtime_error("<name>:<line>: <reason>") on malformed input or a
// timestamp earlier than the one before; rows before it are already written.
long score_series_csv(std::istream& in, std::ostream& out, const std::string& name);

}  // namespace kpulse::analytics
