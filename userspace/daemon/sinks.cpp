#include "daemon/sinks.h"

namespace kpulse::daemon {

SinkSet make_sinks(const config::Config& config) {
  SinkSet set;
  auto add = [&set](const char* what, bool enabled, std::unique_ptr<SnapshotSink> sink) {
    if (!enabled) return;
    if (sink)
      set.sinks.push_back(std::move(sink));
    else
      set.notes.push_back(std::string(what) + ": enabled but not built into this binary");
  };
  add("record", config.record.enabled, config.record.enabled ? make_record_sink(config) : nullptr);
  bool exporting = config.prometheus.enabled || config.otlp.enabled;
  add("export", exporting, exporting ? make_export_sink(config) : nullptr);
  if (config.analytics.enabled)
    set.notes.push_back("analytics: the daemon does not run detectors yet (kpulse analyze does)");
  if (config.tuning.enabled) set.notes.push_back("tuning: enabled but not built into this binary");
  return set;
}

}  // namespace kpulse::daemon
