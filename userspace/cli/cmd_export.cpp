// `kpulse export`: collect every interval and serve/push the snapshots as
// Prometheus text and OTLP/HTTP until interrupted (or --duration).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "config/option_kinds.h"
#include "engine/collector.h"
#include "exporters/export_settings.h"

namespace kpulse::cli {
namespace {

// Signals received: the first stops collecting, a second stops waiting for
// the OTLP receiver.
std::atomic<int> g_stop{0};
extern "C" void on_stop_signal(int) {
  g_stop.fetch_add(1);
}

struct ExportArgs {
  std::string otlp;              // base endpoint; "" = only when OTEL_* variables name one
  std::string prometheus;        // listen address; "" = off
  double interval_s = 0;         // collection; 0: 10 s (or the export interval if shorter)
  double export_interval_s = 0;  // 0: OTEL_METRIC_EXPORT_INTERVAL if set, else 10 s
  std::string temporality;
  std::string compression;
  std::string histograms = "exponential";
  std::string processes = "off";
  int64_t top_processes = 20;
  int64_t cgroup_depth = 4;
  std::vector<std::string> cgroup_allow;
  double duration_s = 0;  // 0: until SIGINT/SIGTERM
  bool no_bpf = false;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

int run_export(const ExportArgs& a) {
  exporters::ExportChoices choices;
  choices.prometheus_listen = a.prometheus;
  choices.otlp = !a.otlp.empty();
  choices.otlp_from_env_endpoint = true;
  choices.otlp_endpoint = a.otlp;
  if (!a.temporality.empty())
    choices.temporality = a.temporality == "delta" ? exporters::Temporality::Delta
                                                   : exporters::Temporality::Cumulative;
  if (!a.compression.empty()) choices.gzip = a.compression == "gzip";
  if (a.export_interval_s > 0) choices.export_interval = millis(a.export_interval_s);
  choices.histograms = a.histograms == "explicit" ? exporters::HistogramForm::Explicit
                                                  : exporters::HistogramForm::Exponential;
  choices.cardinality.processes =
      exporters::parse_process_export(a.processes).value_or(exporters::ProcessExport::Off);
  choices.cardinality.top_processes = a.top_processes;
  choices.cardinality.cgroup_depth = a.cgroup_depth;
  choices.cardinality.cgroup_allow = a.cgroup_allow;

  exporters::ResolvedExport resolved = exporters::resolve_export(choices, exporters::process_env());
  exporters::ExportOptions& opts = resolved.options;
  if (!opts.prometheus && !opts.otlp)
    throw UsageError(
        "export: nothing to do: give --otlp URL and/or --prometheus ADDR (or set "
        "OTEL_EXPORTER_OTLP_ENDPOINT)");
  for (const auto& w : resolved.warnings) std::fprintf(stderr, "kpulse: warning: %s\n", w.c_str());

  std::chrono::milliseconds interval =
      a.interval_s > 0 ? millis(a.interval_s) : exporters::kDefaultExportInterval;
  if (a.interval_s <= 0 && opts.otlp) interval = std::min(interval, opts.export_interval);
  const auto flush_timeout =
      opts.otlp ? opts.otlp->config.metrics.timeout : std::chrono::milliseconds(10000);

  engine::CollectorOptions copts;
  copts.interval = interval;
  copts.enable_bpf = !a.no_bpf;
  engine::Collector collector(copts);
  exporters::ExportPipeline pipeline(std::move(opts));
  std::fputs(pipeline.endpoints().c_str(), stderr);

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  const auto start = std::chrono::steady_clock::now();
  while (g_stop == 0) {
    pipeline.push(collector.next());
    if (a.duration_s > 0 &&
        std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(a.duration_s))
      break;
  }
  const auto give_up = std::chrono::steady_clock::now() + flush_timeout;
  while (!pipeline.flush(std::chrono::milliseconds(100)) && g_stop < 2 &&
         std::chrono::steady_clock::now() < give_up) {
  }
  pipeline.stop_otlp();  // what is still queued now counts as dropped
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
                  "appended. OTEL_EXPORTER_OTLP_* variables also apply")
      ->check(CLI::Validator(config::check_url, "URL"));  // as [export.otlp] endpoint
  app->add_option("--prometheus", args->prometheus,
                  "Serve Prometheus text on ADDR (127.0.0.1:9464; a non-loopback host must be "
                  "given explicitly)");
  duration_option(*app, "--interval", args->interval_s,
                  "Collection interval (default 10s, or the export interval when shorter; plain "
                  "number: seconds)")
      ->check(CLI::Range(0.05, 3600.0));  // as every collecting command
  duration_option(*app, "--export-interval", args->export_interval_s,
                  "OTLP push interval; the collection intervals in between are merged "
                  "(default OTEL_METRIC_EXPORT_INTERVAL, else 10s)")
      ->check(CLI::Range(0.05, 86400.0));
  app->add_option("--otlp-histograms", args->histograms,
                  "Latency histograms as OTLP exponential (default: scale 0, ns) or explicit "
                  "(36 buckets, s)")
      ->check(CLI::IsMember({"exponential", "explicit"}));
  app->add_option("--processes", args->processes,
                  "Per-process series: off (default), comm (summed per command name) or top "
                  "(the --top-processes busiest, with pid)")
      ->check(CLI::IsMember({"off", "comm", "top"}));
  app->add_option("--top-processes", args->top_processes,
                  "Processes exported with --processes top (default 20)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  app->add_option("--cgroup-depth", args->cgroup_depth,
                  "Leave out cgroups deeper than this below the root (default 4; /a/b is 2)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  app->add_option("--cgroup-allow", args->cgroup_allow,
                  "Export only cgroups at or below this path (repeatable; default: all)");
  app->add_option("--otlp-temporality", args->temporality, "cumulative (default) or delta")
      ->check(CLI::IsMember({"cumulative", "delta"}));
  app->add_option("--otlp-compression", args->compression, "gzip or none (default)")
      ->check(CLI::IsMember({"gzip", "none"}));
  duration_option(*app, "--duration", args->duration_s,
                  "Stop after this long (30s, 5m; default: run until SIGINT/SIGTERM)")
      ->check(positive());
  app->add_flag("--no-bpf", args->no_bpf, "Collect from /proc and cgroupfs only (no privileges)");
  reg.push_back({app, [args] { return run_export(*args); }});
}

}  // namespace kpulse::cli
