// Alerts as spans of time, from firing to resolved, gathered while the
// analytics run over a period after the fact (a report, a recorded window of
// the dashboard). Pending alerts that never fired are left out: they are the
// detectors' doubts, not findings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/alert.h"

namespace kpulse::analytics {

class AlertSpans {
 public:
  // Alerts already firing when the period starts (e.g. after a warm-up).
  void begin(const std::vector<Alert>& active);
  // One interval's state changes (AnalysisResult::transitions).
  void add(const std::vector<Alert>& transitions);
  // The spans, oldest first; ones still firing end at `end_ns`.
  [[nodiscard]] std::vector<Alert> finish(int64_t end_ns) const;

 private:
  void fired(const Alert& a);
  std::vector<Alert> spans_;
  std::map<std::string, size_t> open_;  // alert id -> index in spans_
};

}  // namespace kpulse::analytics
