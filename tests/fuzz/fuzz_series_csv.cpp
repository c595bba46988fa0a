// libFuzzer target: the `timestamp,value` CSV reader behind `analyze
// --series` (rows streamed into anomaly scores).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "analytics/anomaly_score_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  try {
    kpulse::analytics::score_series_csv(in, out, "fuzz.csv");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
