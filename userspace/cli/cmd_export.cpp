// `kpulse export`: collect every interval and serve/push the snapshots as
// Prometheus text and OTLP/HTTP until interrupted (or --duration).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "engine/collector.h"
#include "exporters/export_pipeline.h"
#include "exporters/otlp_config.h"
#include "exporters/resource.h"

namespace kpulse::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
  g_stop = true;
}

struct ExportArgs {
  std::string otlp;        // base endpoint; "" = only when OTEL_* variables name one
  std::string prometheus;  // listen address; "" = off
  double interval_s = 0;   // 0: OTEL_METRIC_EXPORT_INTERVAL if set, else 10 s
  std::string temporality;
  std::string compression;
  double duration_s = 0;  // 0: until SIGINT/SIGTERM
  bool no_bpf = false;
};

int run_export(const ExportArgs& a) {
  const auto env = exporters::process_env();
  exporters::OtlpConfig otlp = exporters::otlp_config_from_env(env);
  const bool env_endpoint =
      env("OTEL_EXPORTER_OTLP_ENDPOINT") || env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  if (!a.otlp.empty()) {
    // Accept the metrics URL itself too, a common slip.
    std::string base = a.otlp;
    if (base.ends_with("/v1/metrics"))
      base.resize(base.size() - std::string_view("/v1/metrics").size());
    otlp.metrics_url = exporters::signal_url(base, "/v1/metrics");
    otlp.logs_url = exporters::signal_url(base, "/v1/logs");
  }
  if (!a.temporality.empty())
    otlp.temporality = a.temporality == "delta" ? exporters::Temporality::Delta
                                                : exporters::Temporality::Cumulative;
  if (!a.compression.empty()) otlp.gzip = a.compression == "gzip";

  exporters::ExportOptions opts;
  if (!a.prometheus.empty()) opts.prometheus = exporters::parse_listen_address(a.prometheus);
  if (!a.otlp.empty() || env_endpoint) {
    opts.otlp.emplace();
    opts.otlp->config = otlp;
  }
  if (!opts.prometheus && !opts.otlp)
    throw UsageError(
        "export: nothing to do: give --otlp URL and/or --prometheus ADDR (or set "
        "OTEL_EXPORTER_OTLP_ENDPOINT)");
  opts.resource = exporters::resource_attributes({}, env, otlp.warnings);
  for (const auto& w : otlp.warnings) std::fprintf(stderr, "kpulse: warning: %s\n", w.c_str());

  std::chrono::milliseconds interval{10000};
  if (a.interval_s > 0)
    interval = std::chrono::milliseconds(static_cast<int64_t>(a.interval_s * 1000));
  else if (env("OTEL_METRIC_EXPORT_INTERVAL"))
    interval = otlp.export_interval;

  engine::CollectorOptions copts;
  copts.interval = interval;
  copts.enable_bpf = !a.no_bpf;
  engine::Collector collector(copts);
  exporters::ExportPipeline pipeline(std::move(opts));
  std::fputs(pipeline.summary().c_str(), stderr);

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  const auto start = std::chrono::steady_clock::now();
  while (!g_stop) {
    pipeline.push(collector.next());
    if (a.duration_s > 0 &&
        std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(a.duration_s))
      break;
  }
  pipeline.flush(otlp.timeout);
  std::fputs(pipeline.summary().c_str(), stdout);
  return 0;
}

}  // namespace

void register_export(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "export", "Export snapshots: Prometheus /metrics endpoint and/or OTLP/HTTP push");
  auto args = std::make_shared<ExportArgs>();
  app->add_option("--otlp", args->otlp,
                  "OTLP/HTTP base URL (e.g. http://localhost:4318); /v1/metrics and /v1/logs are "
                  "appended. OTEL_EXPORTER_OTLP_* variables also apply");
  app->add_option("--prometheus", args->prometheus,
                  "Serve Prometheus text on ADDR (127.0.0.1:9464; a non-loopback host must be "
                  "given explicitly)");
  duration_option(*app, "--interval", args->interval_s,
                  "Collection/export interval (default 10s; plain number: seconds)")
      ->check(CLI::PositiveNumber);
  app->add_option("--otlp-temporality", args->temporality, "cumulative (default) or delta")
      ->check(CLI::IsMember({"cumulative", "delta"}));
  app->add_option("--otlp-compression", args->compression, "gzip or none (default)")
      ->check(CLI::IsMember({"gzip", "none"}));
  duration_option(*app, "--duration", args->duration_s,
                  "Stop after this long (30s, 5m; default: run until SIGINT/SIGTERM)")
      ->check(CLI::PositiveNumber);
  app->add_flag("--no-bpf", args->no_bpf, "Collect from /proc and cgroupfs only (no privileges)");
  reg.push_back({app, [args] { return run_export(*args); }});
}

}  // namespace kpulse::cli
