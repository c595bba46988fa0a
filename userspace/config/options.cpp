#include "config/options.h"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace kpulse::config {
namespace {

// Accessors hand out a mutable reference; render() only reads through it.
template <class T>
using Field = T& (*)(Config&);

template <class T>
T& field(Field<T> f, const Config& c) {
  return f(const_cast<Config&>(c));
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string render_double(double v) {
  std::string s = fmt::format("{}", v);
  // TOML needs a '.' or exponent to keep the value a float.
  if (s.find_first_of(".eE") == std::string::npos && std::isfinite(v)) s += ".0";
  return s;
}

OptionSpec bool_option(std::string section, std::string key, std::string help, bool live,
                       Field<bool> f) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<bool>();
            if (!v) return "expected true or false";
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return std::string(field(f, c) ? "true" : "false"); }};
}

OptionSpec double_option(std::string section, std::string key, std::string help, bool live,
                         Field<double> f, double lo, double hi) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, lo, hi](const toml::node& n, Config& c) -> std::string {
            std::optional<double> v;
            if (n.is_floating_point())
              v = n.value_exact<double>();
            else if (n.is_integer())
              v = static_cast<double>(*n.value_exact<int64_t>());
            if (!v) return "expected a number";
            if (!(*v >= lo && *v <= hi)) return fmt::format("{} is outside {}..{}", *v, lo, hi);
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return render_double(field(f, c)); }};
}

OptionSpec int_option(std::string section, std::string key, std::string help, bool live,
                      Field<int64_t> f, int64_t lo, int64_t hi) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, lo, hi](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<int64_t>();
            if (!v) return "expected an integer";
            if (*v < lo || *v > hi) return fmt::format("{} is outside {}..{}", *v, lo, hi);
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return fmt::format("{}", field(f, c)); }};
}

// `check` returns "" or why the string is not acceptable.
OptionSpec string_option(std::string section, std::string key, std::string help, bool live,
                         Field<std::string> f,
                         std::function<std::string(const std::string&)> check = {}) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, check = std::move(check)](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<std::string>();
            if (!v) return "expected a string";
            if (check) {
              std::string why = check(*v);
              if (!why.empty()) return why;
            }
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return quote(field(f, c)); }};
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

OptionSpec string_list_option(std::string section, std::string key, std::string help, bool live,
                              Field<std::vector<std::string>> f, std::vector<std::string> allowed) {
  return {
      std::move(section),
      std::move(key),
      std::move(help),
      live,
      [f, allowed = std::move(allowed)](const toml::node& n, Config& c) -> std::string {
        const auto* arr = n.as_array();
        if (!arr) return "expected an array of strings";
        std::vector<std::string> out;
        for (const auto& item : *arr) {
          auto v = item.value_exact<std::string>();
          if (!v) return "expected an array of strings";
          // An empty `allowed` takes any string (paths).
          if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
            return fmt::format("unknown value \"{}\" (expected one of: {})", *v,
                               join(allowed, ", "));
          out.push_back(*v);
        }
        f(c) = std::move(out);
        return "";
      },
      [f](const Config& c) {
        std::vector<std::string> quoted;
        for (const auto& s : field(f, c)) quoted.push_back(quote(s));
        return "[" + join(quoted, ", ") + "]";
      }};
}

constexpr std::array<LogLevel, 5> kLevels{LogLevel::Debug, LogLevel::Info, LogLevel::Notice,
                                          LogLevel::Warning, LogLevel::Error};

OptionSpec log_level_option() {
  return {"daemon",
          "log_level",
          "Least severe message written to stderr (the journal under systemd):\n"
          "\"debug\", \"info\", \"notice\", \"warning\" or \"error\".",
          true,
          [](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<std::string>();
            if (!v) return "expected a string";
            for (LogLevel l : kLevels)
              if (*v == to_string(l)) {
                c.daemon.log_level = l;
                return "";
              }
            return fmt::format(
                "unknown log level \"{}\" (expected debug, info, notice, warning or error)", *v);
          },
          [](const Config& c) { return quote(std::string(to_string(c.daemon.log_level))); }};
}

// "host:port" with a numeric port; IPv6 hosts in brackets.
std::string check_listen(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    return fmt::format("\"{}\" is not host:port", s);
  for (size_t i = colon + 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return fmt::format("\"{}\" has a non-numeric port", s);
  // Digits only, but maybe more than a long holds (found by fuzzing).
  long port = 0;
  const auto [end, ec] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), port);
  // Port 0 takes any free port; the daemon logs the one it got.
  if (ec != std::errc() || end != s.data() + s.size() || port < 0 || port > 65535)
    return fmt::format("port {} is outside 0..65535", s.substr(colon + 1));
  return "";
}

std::string check_url(const std::string& s) {
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
    return fmt::format("\"{}\" is not an http:// or https:// URL", s);
  return "";
}

std::string check_absolute(const std::string& s) {
  if (s.empty() || s[0] != '/') return fmt::format("\"{}\" is not an absolute path", s);
  return "";
}

std::string check_absolute_or_empty(const std::string& s) {
  return s.empty() ? "" : check_absolute(s);
}

std::vector<OptionSpec> build_specs() {
  std::vector<OptionSpec> v;
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
  // [export]
  v.push_back(string_option(
      "export", "processes",
      "Per-process series: \"off\" (none), \"comm\" (summed per command name) or \"top\"\n"
      "(the top_processes busiest, with pid). Process ids churn: every new pid is a new series.",
      false, [](Config& c) -> std::string& { return c.exporting.processes; },
      [](const std::string& v) -> std::string {
        return v == "off" || v == "comm" || v == "top" ? ""
                                                       : "expected \"off\", \"comm\" or \"top\"";
      }));
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
      [](const std::string& v) -> std::string {
        return v.empty() || v == "cumulative" || v == "delta"
                   ? ""
                   : "expected \"cumulative\" or \"delta\"";
      }));
  v.push_back(string_option(
      "export.otlp", "compression",
      "\"gzip\" or \"none\"; \"\" uses OTEL_EXPORTER_OTLP_COMPRESSION.", false,
      [](Config& c) -> std::string& { return c.otlp.compression; },
      [](const std::string& v) -> std::string {
        return v.empty() || v == "gzip" || v == "none" ? "" : "expected \"gzip\" or \"none\"";
      }));
  v.push_back(string_option(
      "export.otlp", "histograms",
      "Latency histograms as \"exponential\" (OTLP ExponentialHistogram, scale 0, ns) or\n"
      "\"explicit\" (36 explicit buckets in seconds).",
      false, [](Config& c) -> std::string& { return c.otlp.histograms; },
      [](const std::string& v) -> std::string {
        return v == "exponential" || v == "explicit" ? ""
                                                     : "expected \"exponential\" or \"explicit\"";
      }));
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
      [](const std::string& v) -> std::string {
        return v == "keep" || v == "rollback" ? "" : "expected \"keep\" or \"rollback\"";
      }));
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
