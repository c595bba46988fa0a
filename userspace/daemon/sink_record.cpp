// The recorder as a daemon sink (record/recorder.h).
#include "daemon/sinks.h"

#include <fmt/format.h>

#include "record/recorder.h"

namespace kpulse::daemon {
namespace {

class RecordSink : public SnapshotSink {
 public:
  explicit RecordSink(const config::Config& c) : recorder_(options(c)) {}
  [[nodiscard]] std::string name() const override { return "record"; }
  void consume(const model::Snapshot& s) override { recorder_.append(s); }
  void flush() override { recorder_.flush(); }
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
    o.retention.full_days = static_cast<int>(c.record.full_days);
    o.retention.minute_days = static_cast<int>(c.record.minute_days);
    o.retention.hour_days = static_cast<int>(c.record.hour_days);
    o.retention.max_total_bytes = static_cast<uint64_t>(c.record.max_total_mb) << 20;
    return o;
  }
  record::Recorder recorder_;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_record_sink(const config::Config& config) {
  return std::make_unique<RecordSink>(config);
}

}  // namespace kpulse::daemon
