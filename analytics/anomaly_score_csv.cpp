#include "analytics/anomaly_score_csv.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "analytics/anomaly_detector.h"
#include "analytics/series_csv.h"

namespace kpulse::analytics {

long score_series_csv(std::istream& in, std::ostream& out, const std::string& name) {
  SeriesCsvReader reader(in, name);
  AnomalyDetector detector;
  SeriesRow row;
  long written = 0;
  double last_t = 0;
  out << "timestamp,value,anomaly_score\n";
  while (reader.next(row)) {
    if (written > 0 && row.t_unix < last_t)
      throw std::runtime_error(name + ":" + std::to_string(reader.line_number()) + ": timestamp '" +
                               row.timestamp_text + "' is earlier than the previous row's");
    last_t = row.t_unix;
    const double score = detector.update(row.t_unix, row.value);
    char value[32];
    auto res = std::to_chars(value, value + sizeof value, row.value);
    char score_text[16];
    std::snprintf(score_text, sizeof score_text, "%.6f", score);
    out << row.timestamp_text << ',' << std::string_view(value, size_t(res.ptr - value)) << ','
        << score_text << '\n';
    ++written;
    // Flush whenever the input has nothing more buffered, i.e. before the next
    // read may block: a live pipe sees each score at once, a file is not
    // flushed row by row.
    if (in.rdbuf()->in_avail() <= 0) out.flush();
  }
  out.flush();
  return written;
}

}  // namespace kpulse::analytics
