#include "analytics/anomaly_score_csv.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "analytics/anomaly_detector.h"
#include "analytics/series_csv.h"

namespace kpulse::analytics {

long score_series_csv(std::istream& in, std::ostream& out, const std::string& name,
                      std::ostream& warn, AnomalyModel model) {
  SeriesCsvReader reader(in, name);
  AnomalyDetectorConfig config;
  config.model = model;
  AnomalyDetector detector(config);
  SeriesRow row;
  long written = 0;
  double last_t = 0;
  std::string last_text;
  bool warned = false;
  while (reader.next(row)) {
    // The header comes with the first row: a file with none is an error
    // (as for `kpulse forecast`), not an answer with no rows.
    if (written == 0) out << "timestamp,value,anomaly_score\n";
    // Clocks step back (DST, NTP) and exporters repeat rows: the row is still
    // a sample, scored in file order. One warning says so; more would bury
    // the output of a long series with many steps.
    if (written > 0 && row.t_unix <= last_t && !warned) {
      warned = true;
      warn << name << ":" << reader.line_number() << ": warning: timestamp '" << row.timestamp_text
           << (row.t_unix == last_t ? "' repeats" : "' steps back from") << " the previous row's '"
           << last_text << "'; rows are scored in file order (later ones are not reported)\n";
    }
    last_t = row.t_unix;
    last_text = row.timestamp_text;
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
  if (written == 0) throw std::runtime_error(name + ": no data rows");
  return written;
}

}  // namespace kpulse::analytics
