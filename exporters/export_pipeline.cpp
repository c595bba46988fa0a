#include "exporters/export_pipeline.h"

#include "exporters/component_events.h"
#include "exporters/export_view.h"

namespace kpulse::exporters {

ExportPipeline::ExportPipeline(ExportOptions options) : options_(std::move(options)) {
  if (options_.prometheus)
    prometheus_ = std::make_unique<PrometheusServer>(*options_.prometheus, options_.listener);
  if (options_.otlp) {
    sender_ = std::make_unique<OtlpSender>(*options_.otlp);
    encoder_ = std::make_unique<OtlpMetricsEncoder>(OtlpEncoderOptions{
        options_.otlp->config.temporality, options_.resource, options_.histograms, boot_time_ns()});
  }
}

void ExportPipeline::push(model::Snapshot snapshot) {
  push_events(component_events(snapshot));
  limit_cardinality(snapshot, options_.cardinality, &comm_totals_);
  utilization_as_share(snapshot);
  if (sender_) self_.apply(snapshot, sender_->stats());
  if (prometheus_) prometheus_->publish(snapshot);
  if (!sender_) return;
  const int64_t now = snapshot.time_ns;
  if (last_push_ns_ == 0) last_push_ns_ = now;
  pending_.add(std::move(snapshot));
  // The clock going backwards (a wall-clock step) sends at once.
  const int64_t since = now - last_push_ns_;
  if (since < 0 || since >= std::chrono::nanoseconds(options_.export_interval).count()) {
    send_pending();
    last_push_ns_ = now;
  }
}

void ExportPipeline::send_pending() {
  if (pending_.empty()) return;
  sender_->submit(Signal::Metrics, encoder_->encode(pending_.take()).SerializeAsString());
}

void ExportPipeline::push_events(std::span<const ExportEvent> events) {
  if (sender_ && !events.empty())
    sender_->submit(Signal::Logs, encode_events(events, options_.resource).SerializeAsString());
}

bool ExportPipeline::flush(std::chrono::milliseconds timeout) {
  if (!sender_) return true;
  send_pending();
  return sender_->flush(timeout);
}

void ExportPipeline::stop_otlp() {
  if (sender_) sender_->stop();
}

std::string ExportPipeline::otlp_last_error() const {
  return sender_ ? sender_->last_error() : std::string();
}

std::optional<ExportStats> ExportPipeline::otlp_stats() const {
  if (!sender_) return std::nullopt;
  return sender_->stats();
}

std::string ExportPipeline::endpoints() const {
  std::string out;
  if (prometheus_) {
    const bool tls = !options_.listener.tls_cert.empty() && !options_.listener.tls_key.empty();
    out += std::string("prometheus: serving http") + (tls ? "s" : "") + "://" +
           options_.prometheus->host + ":" + std::to_string(prometheus_->port()) + "/metrics\n";
  }
  if (sender_) {
    const auto every = options_.export_interval.count();
    out += "otlp: pushing to " + options_.otlp->config.metrics.url +
           (every <= 0          ? std::string(" every interval")
            : every % 1000 == 0 ? " every " + std::to_string(every / 1000) + "s"
                                : " every " + std::to_string(every) + "ms") +
           "\n";
  }
  return out;
}

std::string ExportPipeline::summary() const {
  std::string out;
  if (prometheus_)
    out += "prometheus: " + options_.prometheus->host + ":" + std::to_string(prometheus_->port()) +
           "/metrics, " + std::to_string(prometheus_->scrapes()) + " scrapes\n";
  if (sender_) {
    const ExportStats s = sender_->stats();
    out += "otlp: " + options_.otlp->config.metrics.url + ": submitted " +
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
