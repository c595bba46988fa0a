// The Prometheus endpoint and OTLP push as a daemon sink
// (exporters/export_pipeline.h).
#include "daemon/sinks.h"

#include "daemon/log.h"
#include "exporters/export_settings.h"

namespace kpulse::daemon {
namespace {

class ExportSink : public SnapshotSink {
 public:
  ExportSink(const config::Config& c, std::shared_ptr<EventQueue> events)
      : pipeline_(options(c)), events_(std::move(events)) {}
  [[nodiscard]] std::string name() const override { return "export"; }
  void consume(const model::Snapshot& s) override {
    pipeline_.push(s);
    send_events();
  }
  void flush() override {
    send_events();
    pipeline_.flush(std::chrono::seconds(5));
  }

 private:
  // The same resolution as `kpulse export`: [export.*] over the OTEL_*
  // variables (from the service's environment) over the defaults.
  static exporters::ExportOptions options(const config::Config& c) {
    exporters::ExportChoices ch;
    if (c.prometheus.enabled) ch.prometheus_listen = c.prometheus.listen;
    ch.otlp = c.otlp.enabled;
    ch.otlp_endpoint = c.otlp.endpoint;
    if (c.otlp.interval_s > 0)
      ch.export_interval =
          std::chrono::milliseconds(static_cast<int64_t>(c.otlp.interval_s * 1000));
    if (!c.otlp.temporality.empty())
      ch.temporality = c.otlp.temporality == "delta" ? exporters::Temporality::Delta
                                                     : exporters::Temporality::Cumulative;
    if (!c.otlp.compression.empty()) ch.gzip = c.otlp.compression == "gzip";
    ch.histograms = c.otlp.histograms == "explicit" ? exporters::HistogramForm::Explicit
                                                    : exporters::HistogramForm::Exponential;
    ch.cardinality.processes = exporters::parse_process_export(c.exporting.processes)
                                   .value_or(exporters::ProcessExport::Off);
    ch.cardinality.top_processes = c.exporting.top_processes;
    ch.cardinality.cgroup_depth = c.exporting.cgroup_depth;
    ch.cardinality.cgroup_allow = c.exporting.cgroup_allow;
    exporters::ResolvedExport r = exporters::resolve_export(ch, exporters::process_env());
    for (const auto& w : r.warnings) log_line(LogLevel::Warning, "export: " + w);
    return std::move(r.options);
  }
  void send_events() {
    if (!events_) return;
    auto batch = events_->take();
    pipeline_.push_events(batch);
  }
  exporters::ExportPipeline pipeline_;
  std::shared_ptr<EventQueue> events_;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_export_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events) {
  return std::make_unique<ExportSink>(config, std::move(events));
}

}  // namespace kpulse::daemon
