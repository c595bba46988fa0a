// The recorder as a daemon sink (record/recorder.h). A full disk pauses
// recording (collection and export go on); the pause and the resume are
// each an alert: a log line and, with OTLP on, a `kpulse.recording` log
// record.
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/log.h"
#include "daemon/sinks.h"
#include "record/recorder.h"

namespace kpulse::daemon {
namespace {

class RecordSink : public SnapshotSink {
 public:
  RecordSink(const config::Config& c, std::shared_ptr<EventQueue> events)
      : recorder_(options(c)), events_(std::move(events)) {}
  [[nodiscard]] std::string name() const override { return "record"; }
  void consume(const model::Snapshot& s) override {
    recorder_.append(s);
    const record::RecorderStatus st = recorder_.status();
    if (st.state == last_state_) return;
    last_state_ = st.state;
    if (st.state == record::RecorderState::Paused) {
      alert(s.time_ns, exporters::EventSeverity::Error, "paused",
            fmt::format("recording paused: {}; {} bytes waiting, retrying each interval "
                        "(collection and export go on)",
                        st.last_error, st.backlog_bytes));
    } else {
      alert(s.time_ns, exporters::EventSeverity::Info, "resumed",
            fmt::format("recording resumed; {} blocks lost while paused", st.dropped_blocks));
    }
  }
  // Shutdown: the open 1 min and 1 h buckets too. What cannot be written
  // (an unwritable directory) fails the shutdown: the caller exits non-zero.
  void flush() override {
    recorder_.finish();
    const record::RecorderStatus st = recorder_.status();
    if (st.state == record::RecorderState::Paused || st.backlog_bytes > 0)
      throw std::runtime_error(
          fmt::format("the last {} bytes of recording could not be written: {}", st.backlog_bytes,
                      st.last_error));
  }
  [[nodiscard]] std::string status() const override {
    record::RecorderStatus st = recorder_.status();
    if (st.state == record::RecorderState::Paused)
      return fmt::format("paused: {}; {} bytes waiting", st.last_error, st.backlog_bytes);
    return fmt::format("{} bytes written", st.bytes_written);
  }

 private:
  static record::RecorderOptions options(const config::Config& c) {
    record::RecorderOptions o;
    o.dir = c.recording_dir();
    o.notice = [](const std::string& text) { log(LogLevel::Warning, "recording: {}", text); };
    o.retention.full_days = static_cast<int>(c.record.full_days);
    o.retention.minute_days = static_cast<int>(c.record.minute_days);
    o.retention.hour_days = static_cast<int>(c.record.hour_days);
    o.retention.max_total_bytes = static_cast<uint64_t>(c.record.max_total_mb) << 20;
    return o;
  }
  void alert(int64_t time_ns, exporters::EventSeverity severity, const char* state,
             const std::string& text) {
    log(severity == exporters::EventSeverity::Error ? LogLevel::Error : LogLevel::Notice, "{}",
        text);
    if (!events_) return;
    exporters::ExportEvent e;
    e.time_ns = time_ns;
    e.severity = severity;
    e.name = "kpulse.recording";
    e.body = text;
    e.attributes = {{"kpulse.recording.state", state}};
    events_->push(std::move(e));
  }

  record::Recorder recorder_;
  std::shared_ptr<EventQueue> events_;
  record::RecorderState last_state_ = record::RecorderState::Ok;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_record_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events) {
  return std::make_unique<RecordSink>(config, std::move(events));
}

}  // namespace kpulse::daemon
