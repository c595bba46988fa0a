// libFuzzer target: `kpulse forecast` from its CSV input to the printed
// forecast (the input reader and the forecaster behind it).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "analytics/forecast_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks a horizon (1..64) and whether a limit is given.
  const int horizon = 1 + (data[0] & 0x3f);
  const bool with_limit = (data[0] & 0x40) != 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  std::ostringstream out, err;
  if (with_limit)
    kpulse::analytics::forecast_csv_with_limit(in, out, horizon, 100.0, err, err, "fuzz.csv");
  else
    kpulse::analytics::forecast_csv(in, out, horizon, err, "fuzz.csv");
  return 0;
}
