// Everything one `kpulse export` (or the daemon) runs per snapshot: self
// metrics, the Prometheus endpoint and the OTLP stream, behind one push().
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "exporters/cardinality.h"
#include "exporters/export_event.h"
#include "exporters/interval_merge.h"
#include "exporters/otlp_encoder.h"
#include "exporters/otlp_sender.h"
#include "exporters/prometheus_server.h"
#include "exporters/self_metrics.h"

namespace kpulse::exporters {

struct ExportOptions {
  std::optional<ListenAddress> prometheus;  // serve /metrics there
  ListenerOptions listener;                 // what else it serves, who may, TLS
  std::optional<SenderOptions> otlp;        // push OTLP/HTTP
  KeyValues resource;                       // see resource.h
  // OTLP is pushed once per export interval with the collection intervals in
  // between merged (interval_merge.h); 0 pushes every snapshot.
  std::chrono::milliseconds export_interval{0};
  HistogramForm histograms = HistogramForm::Exponential;
  CardinalityOptions cardinality;
};

class ExportPipeline {
 public:
  // Throws std::runtime_error when the Prometheus address cannot be bound.
  explicit ExportPipeline(ExportOptions options);

  // Sends its event components (exited tasks) as OTLP log records, limits
  // the snapshot's cardinality, adds kpulse's own export counters,
  // publishes it for Prometheus and queues it for the next OTLP push (sent
  // once the export interval has passed). Never waits for the network.
  void push(model::Snapshot snapshot);
  void push_events(std::span<const ExportEvent> events);
  // Sends what the export interval still holds, then gives queued OTLP
  // batches up to `timeout` to go out.
  bool flush(std::chrono::milliseconds timeout);

  // After the last flush(): stops OTLP delivery (OtlpSender::stop()), so the
  // stats and summary() count what was abandoned as dropped.
  void stop_otlp();

  [[nodiscard]] std::optional<ExportStats> otlp_stats() const;
  // The last OTLP delivery error ("" while deliveries succeed).
  [[nodiscard]] std::string otlp_last_error() const;
  [[nodiscard]] int prometheus_port() const { return prometheus_ ? prometheus_->port() : -1; }
  // What is served and where it is sent, for humans at the start: one line
  // per exporter ("prometheus: serving http://127.0.0.1:9464/metrics"), no
  // counters (a start line with "0 scrapes" reads as an exporter doing nothing).
  [[nodiscard]] std::string endpoints() const;
  // Counters for humans at the end: one line per exporter.
  [[nodiscard]] std::string summary() const;

 private:
  ExportOptions options_;
  std::unique_ptr<PrometheusServer> prometheus_;
  std::unique_ptr<OtlpSender> sender_;
  std::unique_ptr<OtlpMetricsEncoder> encoder_;
  SelfMetrics self_;
  IntervalMerger pending_;
  CommTotals comm_totals_;  // --processes comm: counters that only grow
  int64_t last_push_ns_ = 0;
  void send_pending();
};

}  // namespace kpulse::exporters
