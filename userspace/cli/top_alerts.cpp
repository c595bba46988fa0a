#include "cli/top_alerts.h"

#include <memory>
#include <string>

#include "analytics/analyzer.h"

namespace kpulse::cli {

std::function<std::vector<tui::AlertItem>(const model::Snapshot&)> make_top_alerts() {
  // The TUI copies the callback; every copy must feed the same detectors.
  auto analyzer = std::make_shared<analytics::Analyzer>();
  return [analyzer](const model::Snapshot& snap) {
    std::vector<tui::AlertItem> items;
    for (const auto& a : analyzer->ingest(snap).active_alerts) {
      tui::AlertItem item;
      item.severity = std::string(analytics::to_string(a.severity));
      item.component = a.component;
      // Pending alerts are shown too, marked, so a building problem is visible
      // an interval early.
      item.summary =
          a.state == analytics::AlertState::Pending ? "(pending) " + a.summary : a.summary;
      item.since_ns = a.start_ns;
      items.push_back(std::move(item));
    }
    return items;
  };
}

}  // namespace kpulse::cli
