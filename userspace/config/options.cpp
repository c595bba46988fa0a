// The option table: every config option, section by section, in the order
// the default file lists them.
#include "config/options.h"

#include <vector>

#include "config/option_kinds.h"

namespace kpulse::config {
namespace {

// What is collected, and the daemon itself.
void collection_options(std::vector<OptionSpec>& v) {
  // [collection]
  v.push_back(double_option(
      "collection", "interval", "Seconds between snapshots (0.05..3600).", false,
      [](Config& c) -> double& { return c.collection.interval_s; }, 0.05, 3600));
  v.push_back(bool_option(
      "collection", "bpf",
      "Load the eBPF probes. false: /proc, cgroupfs and PSI only (needs no privileges).", false,
      [](Config& c) -> bool& { return c.collection.bpf; }));
  v.push_back(string_list_option(
      "collection", "probe_groups",
      "Probe groups to load: any of \"sched\", \"block\", \"net\", \"mem\"; [] loads all.", false,
      [](Config& c) -> std::vector<std::string>& { return c.collection.probe_groups; },
      {"sched", "block", "net", "mem"}));
  v.push_back(int_option(
      "collection", "max_processes", "Most processes kept per snapshot, busiest first.", false,
      [](Config& c) -> int64_t& { return c.collection.max_processes; }, 1, 100000));
  v.push_back(bool_option("collection", "include_idle_processes",
                          "Also keep processes that did nothing during the interval.", false,
                          [](Config& c) -> bool& { return c.collection.include_idle_processes; }));
  // [daemon]
  v.push_back(log_level_option());
  v.push_back(double_option(
      "daemon", "status_interval",
      "Seconds between status lines in the log (snapshots, drops per sink); 0 turns them off.",
      true, [](Config& c) -> double& { return c.daemon.status_interval_s; }, 0, 86400));
  v.push_back(int_option(
      "daemon", "sink_queue_depth",
      "Snapshots queued per consumer (recorder, exporters, ...). A slow consumer loses\n"
      "its oldest queued snapshots beyond this; collection never waits for it.",
      false, [](Config& c) -> int64_t& { return c.daemon.sink_queue_depth; }, 1, 100000));
  v.push_back(bool_option(
      "daemon", "drop_capabilities",
      "After the probes are attached, drop every capability the enabled features do not\n"
      "need (see docs/daemon.md). Turn off only to debug permission problems.",
      false, [](Config& c) -> bool& { return c.daemon.drop_capabilities; }));
  // [state]
  v.push_back(string_option(
      "state", "dir", "State directory (recordings live below it). Absolute path.", false,
      [](Config& c) -> std::string& { return c.state.dir; }, check_absolute));
}

// Recording and continuous profiling.
void storage_options(std::vector<OptionSpec>& v) {
  // [record]
  v.push_back(bool_option("record", "enabled", "Record snapshots to disk.", false,
                          [](Config& c) -> bool& { return c.record.enabled; }));
  v.push_back(string_option(
      "record", "dir", "Recording directory; \"\" means <state.dir>/recordings.", false,
      [](Config& c) -> std::string& { return c.record.dir; }, check_absolute_or_empty));
  v.push_back(int_option(
      "record", "full_days", "Days kept at full resolution.", false,
      [](Config& c) -> int64_t& { return c.record.full_days; }, 0, 3650));
  v.push_back(int_option(
      "record", "minute_days", "Days kept at 1-minute resolution.", false,
      [](Config& c) -> int64_t& { return c.record.minute_days; }, 0, 3650));
  v.push_back(int_option(
      "record", "hour_days", "Days kept at 1-hour resolution.", false,
      [](Config& c) -> int64_t& { return c.record.hour_days; }, 0, 36500));
  v.push_back(int_option(
      "record", "max_total_mb",
      "Cap on all recording files in MiB; the oldest full-resolution data goes first. 0: no cap.",
      false, [](Config& c) -> int64_t& { return c.record.max_total_mb; }, 0, 100'000'000));
  // [profile]
  v.push_back(
      bool_option("profile", "enabled",
                  "Sample on-CPU stacks all the time and keep each window's busiest stacks in the\n"
                  "recording (needs record.enabled) for report, replay and analyze.",
                  false, [](Config& c) -> bool& { return c.profile.enabled; }));
  v.push_back(int_option(
      "profile", "frequency",
      "Samples per second on each CPU; kept off the timer tick's multiples (19, 49, 99).", false,
      [](Config& c) -> int64_t& { return c.profile.frequency_hz; }, 1, 1000));
  v.push_back(double_option(
      "profile", "window", "Seconds of samples merged into one entry of the stack log.", false,
      [](Config& c) -> double& { return c.profile.window_s; }, 5, 3600));
  v.push_back(int_option(
      "profile", "top_stacks",
      "Stacks kept per window, busiest first (each cgroup's total is kept).", false,
      [](Config& c) -> int64_t& { return c.profile.top_stacks; }, 1, 100000));
  v.push_back(double_option(
      "profile", "max_mb_per_hour",
      "Stack log budget per hour in MiB; a window past it is dropped (and counted).", false,
      [](Config& c) -> double& { return c.profile.max_mb_per_hour; }, 0.01, 1024));
}

// The listener: Prometheus and the dashboard.
void serving_options(std::vector<OptionSpec>& v) {
  // [prometheus]
  v.push_back(bool_option("prometheus", "enabled", "Serve /metrics for Prometheus.", false,
                          [](Config& c) -> bool& { return c.prometheus.enabled; }));
  v.push_back(string_option(
      "prometheus", "listen",
      "Address to listen on, host:port (port 0: any free one, logged). Loopback by default:\n"
      "expose it deliberately.",
      false, [](Config& c) -> std::string& { return c.prometheus.listen; }, check_listen));
  // [dashboard]
  v.push_back(bool_option(
      "dashboard", "enabled",
      "Serve the live dashboard and its JSON API on prometheus.listen (docs/dashboard.md).", false,
      [](Config& c) -> bool& { return c.dashboard.enabled; }));
  v.push_back(int_option(
      "dashboard", "history",
      "Seconds of live history the dashboard keeps in memory for its charts.", false,
      [](Config& c) -> int64_t& { return c.dashboard.history_s; }, 60, 86400));
  v.push_back(string_option(
      "dashboard", "token_file",
      "File holding the access token (first line; not readable by others). With it every\n"
      "request on the listener, /metrics included, needs \"Authorization: Bearer TOKEN\" or\n"
      "basic auth as dashboard.user with the token as password. Required to serve the\n"
      "dashboard beyond loopback.",
      false, [](Config& c) -> std::string& { return c.dashboard.token_file; },
      check_absolute_or_empty));
  v.push_back(string_option(
      "dashboard", "user", "User name for basic auth (browsers prompt for it).", false,
      [](Config& c) -> std::string& { return c.dashboard.user; },
      [](const std::string& v) -> std::string {
        return v.empty() || v.find(':') != std::string::npos ? "expected a name without ':'" : "";
      }));
  v.push_back(string_option(
      "dashboard", "tls_cert",
      "PEM certificate (chain) file: with tls_key, the listener speaks HTTPS.", false,
      [](Config& c) -> std::string& { return c.dashboard.tls_cert; }, check_absolute_or_empty));
  v.push_back(string_option(
      "dashboard", "tls_key", "PEM private key file for tls_cert.", false,
      [](Config& c) -> std::string& { return c.dashboard.tls_key; }, check_absolute_or_empty));
}

// What the exporters send.
void export_options(std::vector<OptionSpec>& v) {
  // [export]
  v.push_back(string_option(
      "export", "processes",
      "Per-process series: \"off\" (none), \"comm\" (summed per command name) or \"top\"\n"
      "(the top_processes busiest, with pid). Process ids churn: every new pid is a new series.",
      false, [](Config& c) -> std::string& { return c.exporting.processes; },
      check_one_of({"off", "comm", "top"})));
  v.push_back(int_option(
      "export", "top_processes", "Processes exported with processes = \"top\".", false,
      [](Config& c) -> int64_t& { return c.exporting.top_processes; }, 1, 100000));
  v.push_back(int_option(
      "export", "cgroup_depth",
      "Leave out cgroups deeper than this below the root (/a/b is depth 2; 4 reaches\n"
      "Kubernetes containers).",
      false, [](Config& c) -> int64_t& { return c.exporting.cgroup_depth; }, 0, 1000));
  v.push_back(string_list_option(
      "export", "cgroup_allow",
      "Export only cgroups at or below these paths (e.g. [\"/kubepods.slice\"]); [] for all.",
      false, [](Config& c) -> std::vector<std::string>& { return c.exporting.cgroup_allow; }, {}));
  // [export.otlp]
  v.push_back(bool_option("export.otlp", "enabled", "Push metrics and events over OTLP/HTTP.",
                          false, [](Config& c) -> bool& { return c.otlp.enabled; }));
  v.push_back(string_option(
      "export.otlp", "endpoint",
      "OTLP/HTTP base URL (/v1/metrics, /v1/logs are appended); \"\" uses\n"
      "OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318. Headers, TLS files, timeout\n"
      "and the rest come from the OTEL_EXPORTER_OTLP_* variables (docs/exporters.md).",
      false, [](Config& c) -> std::string& { return c.otlp.endpoint; },
      [](const std::string& v) { return v.empty() ? std::string() : check_url(v); }));
  v.push_back(double_option(
      "export.otlp", "interval",
      "Seconds between pushes, separate from collection.interval: the snapshots in\n"
      "between are merged (counters summed, histograms merged). 0: OTEL_METRIC_EXPORT_INTERVAL,\n"
      "else 10.",
      false, [](Config& c) -> double& { return c.otlp.interval_s; }, 0, 86400));
  v.push_back(string_option(
      "export.otlp", "temporality",
      "\"cumulative\" or \"delta\"; \"\" uses OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE.",
      false, [](Config& c) -> std::string& { return c.otlp.temporality; },
      check_one_of({"cumulative", "delta"}, /*empty_ok=*/true)));
  v.push_back(string_option(
      "export.otlp", "compression",
      "\"gzip\" or \"none\"; \"\" uses OTEL_EXPORTER_OTLP_COMPRESSION.", false,
      [](Config& c) -> std::string& { return c.otlp.compression; },
      check_one_of({"gzip", "none"}, /*empty_ok=*/true)));
  v.push_back(string_option(
      "export.otlp", "histograms",
      "Latency histograms as \"exponential\" (OTLP ExponentialHistogram, scale 0, ns) or\n"
      "\"explicit\" (36 explicit buckets in seconds).",
      false, [](Config& c) -> std::string& { return c.otlp.histograms; },
      check_one_of({"exponential", "explicit"})));
}

// Analytics, the auto-tuner and report thresholds.
void judging_options(std::vector<OptionSpec>& v) {
  // [analytics]
  v.push_back(bool_option("analytics", "enabled",
                          "Run anomaly detection and forecasts over the stream.", false,
                          [](Config& c) -> bool& { return c.analytics.enabled; }));
  // [tuning]
  v.push_back(bool_option(
      "tuning", "enabled",
      "Run the auto-tuner. Keeps CAP_SYS_ADMIN and CAP_NET_ADMIN after start (sysctls).", false,
      [](Config& c) -> bool& { return c.tuning.enabled; }));
  v.push_back(bool_option("tuning", "dry_run", "Only recommend changes; apply nothing.", false,
                          [](Config& c) -> bool& { return c.tuning.dry_run; }));
  v.push_back(string_option(
      "tuning", "on_exit",
      "Kept changes when the daemon stops: \"keep\" or \"rollback\" (changes on trial are "
      "always reverted).",
      false, [](Config& c) -> std::string& { return c.tuning.on_exit; },
      check_one_of({"keep", "rollback"})));
  v.push_back(string_option(
      "tuning", "scope",
      "Only tune knobs whose key contains this (a cgroup path, a disk, \"netns:INODE\"); \"\" "
      "for all.",
      false, [](Config& c) -> std::string& { return c.tuning.scope; }));
  v.push_back(int_option(
      "tuning", "window", "Intervals measured before a change (the baseline).", false,
      [](Config& c) -> int64_t& { return c.tuning.window; }, 2, 600));
  v.push_back(int_option(
      "tuning", "eval_window",
      "Intervals measured after a change before keeping or reverting it; 0: same as window.", false,
      [](Config& c) -> int64_t& { return c.tuning.eval_window; }, 0, 3600));
  v.push_back(double_option(
      "tuning", "min_idle_cpus", "Idle host CPUs required before raising a cgroup's CPU quota.",
      false, [](Config& c) -> double& { return c.tuning.min_idle_cpus; }, 0, 4096));
  v.push_back(string_option(
      "tuning", "predictive",
      "Raise the CPU quota and memory.high of cgroups whose path contains this ahead of "
      "forecast periodic peaks, lower them after; \"\" for off.",
      false, [](Config& c) -> std::string& { return c.tuning.predictive; }));
  v.push_back(bool_option(
      "tuning", "writeback",
      "Let the auto-tuner change vm.dirty_background_ratio and vm.dirty_ratio on writeback "
      "stalls. Host-wide: every writer on the host is affected.",
      false, [](Config& c) -> bool& { return c.tuning.writeback; }));
  // [report]
  v.push_back(double_option(
      "report", "cpu_saturation", "Host CPU utilization (0..1) marked as saturated in reports.",
      true, [](Config& c) -> double& { return c.report.cpu_saturation; }, 0, 1));
  v.push_back(double_option(
      "report", "memory_saturation", "Share of memory used (0..1) marked as saturated in reports.",
      true, [](Config& c) -> double& { return c.report.memory_saturation; }, 0, 1));
  v.push_back(double_option(
      "report", "psi_saturation", "PSI some avg10 (0..1) marked as saturated in reports.", true,
      [](Config& c) -> double& { return c.report.psi_saturation; }, 0, 1));
  v.push_back(double_option(
      "report", "disk_saturation", "Disk utilization (0..1) marked as saturated in reports.", true,
      [](Config& c) -> double& { return c.report.disk_saturation; }, 0, 1));
}

std::vector<OptionSpec> build_specs() {
  std::vector<OptionSpec> v;
  collection_options(v);
  storage_options(v);
  serving_options(v);
  export_options(v);
  judging_options(v);
  return v;
}

}  // namespace

std::span<const OptionSpec> option_specs() {
  static const std::vector<OptionSpec> specs = build_specs();
  return specs;
}

std::span<const SectionSpec> section_specs() {
  static const std::vector<SectionSpec> sections{
      {"collection", "What is collected and how often (changes need a restart)."},
      {"daemon", "The daemon process itself."},
      {"state", "Where kpulse keeps its data."},
      {"record", "Recording snapshots to disk (read by kpulse replay, report and analytics)."},
      {"profile", "Continuous CPU profiling kept in the recording (off by default)."},
      {"prometheus", "Prometheus scrape endpoint."},
      {"dashboard", "Live web dashboard on the Prometheus listener (docs/dashboard.md)."},
      {"export", "What the exporters send: series count controls for a fleet (docs/exporters.md)."},
      {"export.otlp", "OpenTelemetry (OTLP/HTTP) push ([otlp] is read as an older name)."},
      {"analytics", "Anomaly detection and forecasting."},
      {"tuning", "The auto-tuner (off by default)."},
      {"report", "Thresholds used to mark bottlenecks in HTML reports."},
  };
  return sections;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Notice:
      return "notice";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

}  // namespace kpulse::config
