// The Prometheus endpoint and OTLP push as a daemon sink
// (exporters/export_pipeline.h).
#include "daemon/sinks.h"

#include "daemon/log.h"
#include "exporters/export_settings.h"
#include "exporters/http_access.h"

namespace kpulse::daemon {
namespace {

class ExportSink : public SnapshotSink {
 public:
  ExportSink(const config::Config& c, std::shared_ptr<EventQueue> events,
             std::shared_ptr<dashboard::Board> board)
      : board_(std::move(board)), pipeline_(options(c, board_.get())), events_(std::move(events)) {
    if (pipeline_.prometheus_port() < 0) return;
    // The port actually bound (prometheus.listen may ask for any free one).
    const auto address = exporters::parse_listen_address(c.prometheus.listen);
    const std::string url = fmt::format(
        "http{}://{}:{}", c.dashboard.tls_cert.empty() ? "" : "s",
        address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host,
        pipeline_.prometheus_port());
    const char* access = c.dashboard.token_file.empty() ? "no authentication" : "token required";
    if (c.prometheus.enabled)
      log(LogLevel::Info, "prometheus: serving {}/metrics ({})", url, access);
    if (board_) log(LogLevel::Notice, "dashboard: serving {}/ ({})", url, access);
  }
  [[nodiscard]] std::string name() const override { return "export"; }
  void consume(const model::Snapshot& s) override {
    pipeline_.push(s);
    send_events();
    report_delivery();
  }
  void flush() override {
    send_events();
    const bool drained = pipeline_.flush(std::chrono::seconds(5));
    pipeline_.stop_otlp();
    if (drained) return;
    const auto st = pipeline_.otlp_stats();
    log(LogLevel::Error,
        "export: OTLP data not delivered by shutdown ({} batches dropped in all){}",
        st ? st->dropped : 0, last_error_suffix());
  }
  [[nodiscard]] std::string status() const override {
    const auto st = pipeline_.otlp_stats();
    if (!st) return "";
    return fmt::format("otlp: {} sent, {} failed, {} dropped, {} retries{}", st->sent, st->failed,
                       st->dropped, st->retries, last_error_suffix());
  }

 private:
  // The same resolution as `kpulse export`: [export.*] over the OTEL_*
  // variables (from the service's environment) over the defaults.
  static exporters::ExportOptions options(const config::Config& c, dashboard::Board* board) {
    exporters::ExportChoices ch;
    if (c.prometheus.enabled) ch.prometheus_listen = c.prometheus.listen;
    ch.otlp = c.otlp.enabled;
    ch.otlp_endpoint = c.otlp.endpoint;
    if (c.otlp.interval_s > 0)
      ch.export_interval =
          std::chrono::milliseconds(static_cast<int64_t>(c.otlp.interval_s * 1000));
    if (!c.otlp.temporality.empty())
      ch.temporality = c.otlp.temporality == "delta" ? exporters::Temporality::Delta
                                                     : exporters::Temporality::Cumulative;
    if (!c.otlp.compression.empty()) ch.gzip = c.otlp.compression == "gzip";
    ch.histograms = c.otlp.histograms == "explicit" ? exporters::HistogramForm::Explicit
                                                    : exporters::HistogramForm::Exponential;
    ch.cardinality.processes = exporters::parse_process_export(c.exporting.processes)
                                   .value_or(exporters::ProcessExport::Off);
    ch.cardinality.top_processes = c.exporting.top_processes;
    ch.cardinality.cgroup_depth = c.exporting.cgroup_depth;
    ch.cardinality.cgroup_allow = c.exporting.cgroup_allow;
    exporters::ResolvedExport r = exporters::resolve_export(ch, exporters::process_env());
    for (const auto& w : r.warnings) log_line(LogLevel::Warning, "export: " + w);
    add_listener(c, board, r.options);
    return std::move(r.options);
  }
  // The dashboard on the Prometheus listener, and who may use that listener.
  static void add_listener(const config::Config& c, dashboard::Board* board,
                           exporters::ExportOptions& o) {
    exporters::ListenerOptions& l = o.listener;
    l.serve_metrics = c.prometheus.enabled;
    if (!c.dashboard.token_file.empty()) {
      l.access.token = exporters::read_token_file(c.dashboard.token_file);
      l.access.basic_user = c.dashboard.user;
    }
    l.tls_cert = c.dashboard.tls_cert;
    l.tls_key = c.dashboard.tls_key;
    if (!board) return;
    const auto address = exporters::parse_listen_address(c.prometheus.listen);
    if (!is_loopback(address.host) && !l.access.required())
      throw std::runtime_error("dashboard: listening on " + c.prometheus.listen +
                               " (beyond loopback) needs dashboard.token_file");
    o.prometheus = address;
    l.routes = board->routes();
  }
  static bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
  }
  // A receiver that is down or refusing is said once when it starts and once
  // when deliveries come back, not only counted in the status line.
  void report_delivery() {
    const auto st = pipeline_.otlp_stats();
    if (!st) return;
    const uint64_t trouble = st->failed + st->retries + st->dropped;
    if (!failing_ && trouble > trouble_seen_) {
      failing_ = true;
      log(LogLevel::Warning, "export: OTLP delivery failing, retrying{}", last_error_suffix());
    } else if (failing_ && st->sent > sent_seen_ && trouble == trouble_seen_) {
      failing_ = false;
      log(LogLevel::Notice, "export: OTLP delivery recovered");
    }
    trouble_seen_ = trouble;
    sent_seen_ = st->sent;
  }
  [[nodiscard]] std::string last_error_suffix() const {
    const std::string e = pipeline_.otlp_last_error();
    return e.empty() ? "" : "; last error: " + e;
  }
  void send_events() {
    if (!events_) return;
    auto batch = events_->take();
    pipeline_.push_events(batch);
  }
  // Declared first, so it outlives the listener whose routes call it.
  std::shared_ptr<dashboard::Board> board_;
  exporters::ExportPipeline pipeline_;
  std::shared_ptr<EventQueue> events_;
  bool failing_ = false;
  uint64_t trouble_seen_ = 0, sent_seen_ = 0;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_export_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events,
                                               std::shared_ptr<dashboard::Board> board) {
  return std::make_unique<ExportSink>(config, std::move(events), std::move(board));
}

}  // namespace kpulse::daemon
