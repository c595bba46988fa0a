// Snapshots -> OTLP ExportMetricsServiceRequest; events -> ExportLogsServiceRequest.
#pragma once

#include <span>
#include <string>

#include "exporters/export_event.h"
#include "exporters/otlp_config.h"
#include "metrics_service.pb.h"
#include "logs_service.pb.h"
#include "model/snapshot.h"

namespace kpulse::exporters {

namespace otlp_metrics = opentelemetry::proto::collector::metrics::v1;
namespace otlp_logs = opentelemetry::proto::collector::logs::v1;

// How latency histograms travel. Exponential: OTLP ExponentialHistogram at
// scale 0 in nanoseconds, log2 slot i becoming bucket index i (only the
// occupied range is sent). Explicit: 35 explicit bounds in seconds, lossless
// but 36 buckets per point.
enum class HistogramForm { Exponential, Explicit };

struct OtlpEncoderOptions {
  Temporality temporality = Temporality::Cumulative;
  KeyValues resource;  // see resource.h
  HistogramForm histograms = HistogramForm::Exponential;
  // Start time of counters the kernel keeps since boot (/proc/stat CPU time,
  // disk and interface statistics); 0: the stream's start, as for the rest.
  uint64_t boot_time_ns = 0;
};

// Wall-clock time of the last boot (CLOCK_REALTIME - CLOCK_BOOTTIME).
uint64_t boot_time_ns();

// Whether the metric, read on that kind of component, counts since boot
// (the kernel's own counters) rather than since kpulse attached its probes.
bool counts_since_boot(const model::MetricInfo& metric, model::ComponentKind kind);

// Keeps the start time of cumulative series across snapshots, so one encoder
// belongs to one export stream.
class OtlpMetricsEncoder {
 public:
  explicit OtlpMetricsEncoder(OtlpEncoderOptions options);

  // One ResourceMetrics with one ScopeMetrics ("kpulse"); catalog metrics that
  // share a semantic-convention name become one Metric whose data points carry
  // the convention's attribute (cpu.mode=user, ...) and the component's.
  otlp_metrics::ExportMetricsServiceRequest encode(const model::Snapshot& snapshot);

  [[nodiscard]] const OtlpEncoderOptions& options() const { return options_; }

 private:
  OtlpEncoderOptions options_;
  uint64_t cumulative_start_ns_ = 0;
};

otlp_logs::ExportLogsServiceRequest encode_events(std::span<const ExportEvent> events,
                                                  const KeyValues& resource);

}  // namespace kpulse::exporters
