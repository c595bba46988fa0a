#include "exporters/export_pipeline.h"

namespace kpulse::exporters {

ExportPipeline::ExportPipeline(ExportOptions options) : options_(std::move(options)) {
  if (options_.prometheus) prometheus_ = std::make_unique<PrometheusServer>(*options_.prometheus);
  if (options_.otlp) {
    sender_ = std::make_unique<OtlpSender>(*options_.otlp);
    encoder_ = std::make_unique<OtlpMetricsEncoder>(
        OtlpEncoderOptions{options_.otlp->config.temporality, options_.resource});
  }
}

void ExportPipeline::push(model::Snapshot snapshot) {
  if (sender_) self_.apply(snapshot, sender_->stats());
  if (prometheus_) prometheus_->publish(snapshot);
  if (sender_) sender_->submit(Signal::Metrics, encoder_->encode(snapshot).SerializeAsString());
}

void ExportPipeline::push_events(std::span<const ExportEvent> events) {
  if (sender_ && !events.empty())
    sender_->submit(Signal::Logs, encode_events(events, options_.resource).SerializeAsString());
}

bool ExportPipeline::flush(std::chrono::milliseconds timeout) {
  return sender_ ? sender_->flush(timeout) : true;
}

std::optional<ExportStats> ExportPipeline::otlp_stats() const {
  if (!sender_) return std::nullopt;
  return sender_->stats();
}

std::string ExportPipeline::summary() const {
  std::string out;
  if (prometheus_)
    out += "prometheus: " + options_.prometheus->host + ":" + std::to_string(prometheus_->port()) +
           "/metrics, " + std::to_string(prometheus_->scrapes()) + " scrapes\n";
  if (sender_) {
    const ExportStats s = sender_->stats();
    out += "otlp: " + options_.otlp->config.metrics_url + ": submitted " +
           std::to_string(s.submitted) + ", sent " + std::to_string(s.sent) + ", failed " +
           std::to_string(s.failed) + ", dropped " + std::to_string(s.dropped) + ", retries " +
           std::to_string(s.retries) + ", rejected points " + std::to_string(s.rejected) +
           ", queued " + std::to_string(s.queued) + ", " + std::to_string(s.bytes_sent) +
           " bytes sent\n";
    if (const std::string e = sender_->last_error(); !e.empty())
      out += "otlp: last error: " + e + "\n";
  }
  return out;
}

}  // namespace kpulse::exporters
