// Delivers encoded OTLP requests over HTTP on its own thread.
//
// submit() only queues: a slow or absent receiver never blocks collection. The
// queue is bounded by batch count and bytes; when full, the oldest batch is
// dropped (newer data is worth more) and counted. The worker retries 429/502/
// 503/504 and connection failures with backoff, honouring Retry-After, up to
// RetryPolicy::max_attempts; then the batch is dropped and counted as failed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "exporters/backoff.h"
#include "exporters/otlp_config.h"

namespace kpulse::exporters {

enum class Signal : uint8_t { Metrics, Logs };

struct SenderOptions {
  OtlpConfig config;
  RetryPolicy retry;
  size_t max_queued_batches = 32;
  size_t max_queued_bytes = 16u << 20;
};

struct ExportStats {
  uint64_t submitted = 0;
  uint64_t sent = 0;        // accepted by the receiver (2xx)
  uint64_t failed = 0;      // rejected for good, or retries exhausted
  uint64_t dropped = 0;     // pushed out of a full queue, or abandoned at shutdown
  uint64_t retries = 0;     // re-sends after a retryable failure
  uint64_t bytes_sent = 0;  // request bodies as sent (after compression)
  // Data points / log records a receiver accepted the request for but dropped
  // (OTLP partial success); not retried, the spec says so.
  uint64_t rejected = 0;
  size_t queued = 0;
  // Batches that never reached the receiver: the self.export_dropped value.
  [[nodiscard]] uint64_t lost() const { return failed + dropped; }
};

class OtlpSender {
 public:
  explicit OtlpSender(SenderOptions options);
  // Stops without waiting for the queue: call flush() first to drain it.
  ~OtlpSender();
  // The same, callable before the stats are read for the last time: a request
  // in flight is cancelled (within about a second, not after the request
  // timeout), and what is still queued counts as dropped. Idempotent.
  void stop();
  OtlpSender(const OtlpSender&) = delete;
  OtlpSender& operator=(const OtlpSender&) = delete;

  // Queues a serialized request (uncompressed protobuf). Never waits for I/O.
  void submit(Signal signal, std::string body);
  // Waits until everything queued was delivered or given up, or `timeout`
  // passed; true when the queue drained.
  bool flush(std::chrono::milliseconds timeout);
  [[nodiscard]] ExportStats stats() const;
  // The last delivery error, for the CLI ("" when the last send succeeded).
  [[nodiscard]] std::string last_error() const;

 private:
  struct Batch {
    Signal signal;
    std::string body;
  };
  enum class Outcome { Sent, Retry, Fail };

  void run();
  Outcome send_once(const Batch& batch, std::chrono::milliseconds& retry_after);
  bool sleep_unless_stopping(std::chrono::milliseconds d);
  void set_error(std::string e);
  [[nodiscard]] const SignalSettings& settings(Signal signal) const;

  SenderOptions options_;
  std::string user_agent_;
  mutable std::mutex mu_;
  std::condition_variable wake_;     // worker: work or stop
  std::condition_variable drained_;  // flush(): queue empty and idle
  std::deque<Batch> queue_;
  size_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // read by libcurl's progress callback
  std::string last_error_;

  std::atomic<uint64_t> submitted_{0}, sent_{0}, failed_{0}, dropped_{0}, retries_{0},
      bytes_sent_{0}, rejected_{0};
  void* curl_ = nullptr;  // CURL*, owned by the worker thread
  std::thread worker_;
};

}  // namespace kpulse::exporters
