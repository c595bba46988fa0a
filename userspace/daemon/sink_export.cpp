// The Prometheus endpoint and OTLP push as a daemon sink
// (exporters/export_pipeline.h).
#include "daemon/sinks.h"

#include "exporters/export_pipeline.h"

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
