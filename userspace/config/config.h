// The daemon's configuration (`kpulse run --config FILE`): typed values with
// defaults, loaded from TOML. Every option is declared once in options.cpp
// with its documentation, default and whether SIGHUP can change it live.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kpulse::config {

inline constexpr const char* kDefaultConfigPath = "/etc/kpulse/kpulse.toml";

enum class LogLevel { Debug, Info, Notice, Warning, Error };

struct CollectionConfig {
  double interval_s = 1.0;
  bool bpf = true;
  std::vector<std::string> probe_groups;  // empty: all
  int64_t max_processes = 500;
  bool include_idle_processes = false;
};

struct DaemonConfig {
  LogLevel log_level = LogLevel::Info;
  double status_interval_s = 60;  // 0: no periodic status line
  int64_t sink_queue_depth = 32;  // snapshots buffered per sink before dropping
  bool drop_capabilities = true;
};

struct StateConfig {
  std::string dir = "/var/lib/kpulse";
};

struct RecordConfig {
  bool enabled = true;
  std::string dir;  // empty: <state.dir>/recordings
  int64_t full_days = 3;
  int64_t minute_days = 40;
  int64_t hour_days = 400;
  int64_t max_total_mb = 4096;  // 0: no cap
};

// [profile]: continuous CPU profiling kept in the recording (docs/profiling.md).
struct ProfileConfig {
  bool enabled = false;
  int64_t frequency_hz = 19;  // samples per second per CPU
  double window_s = 60;       // stacks are merged and written once per window
  int64_t top_stacks = 200;   // stack lines kept per window, busiest first
  double max_mb_per_hour = 4;
};

struct PrometheusConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1:9464";
};

// [dashboard]: the live web page on the prometheus.listen listener
// (docs/dashboard.md). Access and TLS settings apply to that whole listener,
// /metrics included.
struct DashboardConfig {
  bool enabled = false;
  int64_t history_s = 3600;     // live history kept in memory for the charts
  std::string token_file;       // "": no authentication (refused beyond loopback)
  std::string user = "kpulse";  // basic-auth user name; the password is the token
  std::string tls_cert;         // PEM files: both set serves HTTPS
  std::string tls_key;
};

// [export]: what is exported, for the Prometheus endpoint and OTLP alike.
struct ExportConfig {
  std::string processes = "off";  // "off", "comm" or "top"
  int64_t top_processes = 20;
  int64_t cgroup_depth = 4;
  std::vector<std::string> cgroup_allow;  // empty: every cgroup within the depth
};

// [export.otlp] (also read from the older [otlp] section). Empty or unset
// values fall back to the OTEL_EXPORTER_OTLP_* variables, then the defaults.
struct OtlpConfig {
  bool enabled = false;
  std::string endpoint;     // base URL; "" = OTEL_EXPORTER_OTLP_ENDPOINT or localhost:4318
  double interval_s = 0;    // push interval; 0 = OTEL_METRIC_EXPORT_INTERVAL, else 10 s
  std::string temporality;  // "", "cumulative", "delta"
  std::string compression;  // "", "gzip", "none"
  std::string histograms = "exponential";  // or "explicit"
};

struct AnalyticsConfig {
  bool enabled = true;
};

struct TuningConfig {
  bool enabled = false;
  bool dry_run = true;  // recommend only; apply nothing
  // What happens to kept changes when the daemon stops: "keep" them in force
  // or "rollback" to the originals. Changes still on trial are always
  // reverted (and, after a crash, on the next start).
  std::string on_exit = "keep";
  // Only knobs whose key contains this ("" = all): a cgroup path, a disk,
  // "netns:INODE".
  std::string scope;
  int64_t window = 5;           // baseline window, in intervals
  int64_t eval_window = 0;      // evaluation window, in intervals; 0: same as window
  double min_idle_cpus = 0.25;  // idle host CPUs required before raising a CPU quota
  // Predictive scaling for cgroups whose path contains this ("" = off): CPU
  // quota and memory.high raised ahead of forecast periodic peaks.
  std::string predictive;
  // vm.dirty_background_ratio / vm.dirty_ratio are host-wide: the writeback
  // tuner acts only when this is set.
  bool writeback = false;
};

// Thresholds above which the report marks a resource as saturated (until the
// analytics alerts supply their own findings).
struct ReportConfig {
  double cpu_saturation = 0.90;     // host cpu.utilization, 0..1
  double memory_saturation = 0.90;  // memory.used / memory.total
  double psi_saturation = 0.20;     // psi.*.some_avg10, 0..1
  double disk_saturation = 0.90;    // disk.utilization, 0..1
};

struct Config {
  CollectionConfig collection;
  DaemonConfig daemon;
  StateConfig state;
  RecordConfig record;
  ProfileConfig profile;
  PrometheusConfig prometheus;
  DashboardConfig dashboard;
  ExportConfig exporting;
  OtlpConfig otlp;
  AnalyticsConfig analytics;
  TuningConfig tuning;
  ReportConfig report;

  // record.dir, or its default under state.dir.
  [[nodiscard]] std::string recording_dir() const;
};

// A configuration problem, always with where it is: "file:line: reason"
// (line 0 when the problem is the file itself).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string reason);
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string reason_;
};

// Parses TOML text; `file` names it in errors. Missing options keep their
// defaults; unknown sections or keys, wrong types and out-of-range values
// are errors. Throws ConfigError.
Config parse_config(std::string_view text, const std::string& file);
// Reads and parses a file. Throws ConfigError, also when the path is not a
// regular file (a directory, a FIFO, /dev/zero) or is implausibly large.
Config load_config(const std::string& path);
// Every problem of a file, not only the first (`kpulse config check`);
// empty when load_config() would succeed.
std::vector<ConfigError> check_config_file(const std::string& path);

// A complete config file with every option at its default, each preceded by
// its documentation; parse_config() of it yields Config{}.
std::string default_config_text();

// Options whose values differ between `a` and `b`, as "section.key".
std::vector<std::string> changed_options(const Config& a, const Config& b);
// `next` with every restart-only option set back to its value in `running`:
// what a reload actually applies.
Config merge_live_options(const Config& running, const Config& next);
// Whether SIGHUP can apply a change of this option without a restart.
bool live_option(const std::string& dotted_key);

std::string_view to_string(LogLevel level);

}  // namespace kpulse::config
