// The Prometheus endpoint and OTLP push as a daemon sink
// (exporters/export_pipeline.h).
#include "daemon/sinks.h"

#include "exporters/export_pipeline.h"

namespace kpulse::daemon {
namespace {

class ExportSink : public SnapshotSink {
 public:
  explicit ExportSink(const config::Config& c) : pipeline_(options(c)) {}
  [[nodiscard]] std::string name() const override { return "export"; }
  void consume(const model::Snapshot& s) override { pipeline_.push(s); }
  void flush() override { pipeline_.flush(std::chrono::seconds(5)); }

 private:
  static exporters::ExportOptions options(const config::Config& c) {
    exporters::ExportOptions o;
    if (c.prometheus.enabled) o.prometheus = exporters::parse_listen_address(c.prometheus.listen);
    if (c.otlp.enabled) {
      o.otlp.emplace();
      std::string base = c.otlp.endpoint;
      while (!base.empty() && base.back() == '/') base.pop_back();
      o.otlp->config.metrics_url = base + "/v1/metrics";
      o.otlp->config.logs_url = base + "/v1/logs";
    }
    return o;
  }
  exporters::ExportPipeline pipeline_;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_export_sink(const config::Config& config) {
  return std::make_unique<ExportSink>(config);
}

}  // namespace kpulse::daemon
