#include "analytics/alert_spans.h"

namespace kpulse::analytics {

void AlertSpans::fired(const Alert& a) {
  if (open_.contains(a.id)) return;
  open_[a.id] = spans_.size();
  spans_.push_back(a);
}

void AlertSpans::begin(const std::vector<Alert>& active) {
  for (const auto& a : active)
    if (a.state == AlertState::Firing) fired(a);
}

void AlertSpans::add(const std::vector<Alert>& transitions) {
  for (const auto& a : transitions) {
    if (a.state == AlertState::Firing) {
      fired(a);
    } else if (a.state == AlertState::Resolved) {
      // The resolved copy carries the evidence at the peak and the end.
      if (auto it = open_.find(a.id); it != open_.end()) {
        spans_[it->second] = a;
        open_.erase(it);
      }
    }
  }
}

std::vector<Alert> AlertSpans::finish(int64_t end_ns) const {
  std::vector<Alert> out = spans_;
  for (const auto& [id, index] : open_) out[index].resolved_ns = end_ns;
  return out;
}

}  // namespace kpulse::analytics
