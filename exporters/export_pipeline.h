// Everything one `kpulse export` (or the daemon) runs per snapshot: self
// metrics, the Prometheus endpoint and the OTLP stream, behind one push().
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "exporters/export_event.h"
#include "exporters/otlp_encoder.h"
#include "exporters/otlp_sender.h"
#include "exporters/prometheus_server.h"
#include "exporters/self_metrics.h"

namespace kpulse::exporters {

struct ExportOptions {
  std::optional<ListenAddress> prometheus;  // serve /metrics there
  std::optional<SenderOptions> otlp;        // push OTLP/HTTP
  KeyValues resource;                       // see resource.h
};

class ExportPipeline {
 public:
  // Throws std::runtime_error when the Prometheus address cannot be bound.
  explicit ExportPipeline(ExportOptions options);

  // Adds kpulse's own export counters to the snapshot, then hands it to each
  // exporter. Never waits for the network.
  void push(model::Snapshot snapshot);
  void push_events(std::span<const ExportEvent> events);
  // Gives queued OTLP batches up to `timeout` to go out.
  bool flush(std::chrono::milliseconds timeout);

  [[nodiscard]] std::optional<ExportStats> otlp_stats() const;
  [[nodiscard]] int prometheus_port() const { return prometheus_ ? prometheus_->port() : -1; }
  // Counters for humans: one line per exporter.
  [[nodiscard]] std::string summary() const;

 private:
  ExportOptions options_;
  std::unique_ptr<PrometheusServer> prometheus_;
  std::unique_ptr<OtlpSender> sender_;
  std::unique_ptr<OtlpMetricsEncoder> encoder_;
  SelfMetrics self_;
};

}  // namespace kpulse::exporters
