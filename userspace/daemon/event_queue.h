// Events (alerts, tuning actions) handed from the sink that produces them to
// the export sink, which sends them as OTLP log records. Each sink runs on
// its own thread, so the hand-over is a small locked, bounded queue: a
// stalled exporter costs old events (counted), never the producer's time.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "exporters/export_event.h"

namespace kpulse::daemon {

class EventQueue {
 public:
  explicit EventQueue(size_t capacity = 1024) : capacity_(capacity) {}

  void push(exporters::ExportEvent event) {
    std::lock_guard lock(mu_);
    if (events_.size() >= capacity_) {
      events_.pop_front();
      ++dropped_;
    }
    events_.push_back(std::move(event));
  }
  // Everything queued, oldest first.
  std::vector<exporters::ExportEvent> take() {
    std::lock_guard lock(mu_);
    std::vector<exporters::ExportEvent> out(std::make_move_iterator(events_.begin()),
                                            std::make_move_iterator(events_.end()));
    events_.clear();
    return out;
  }
  [[nodiscard]] size_t dropped() const {
    std::lock_guard lock(mu_);
    return dropped_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<exporters::ExportEvent> events_;
  size_t capacity_;
  size_t dropped_ = 0;
};

}  // namespace kpulse::daemon
