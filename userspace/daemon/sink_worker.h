// Runs one SnapshotSink on its own thread behind a bounded queue. When the
// sink falls behind, the oldest queued snapshots are dropped (and counted):
// the collector's push() never blocks on a sink.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/sink.h"

namespace kpulse::daemon {

struct SinkStats {
  uint64_t consumed = 0;  // snapshots handed to the sink
  uint64_t dropped = 0;   // pushed out of a full queue
  uint64_t failures = 0;  // consume() or a control call threw
  size_t queued = 0;
  bool flush_failed = false;  // the final flush() threw: buffered data lost
};

class SinkWorker {
 public:
  SinkWorker(std::unique_ptr<SnapshotSink> sink, size_t queue_depth);
  // Stops (see stop()).
  ~SinkWorker();
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  // Never blocks on the sink: only on the queue's lock.
  void push(std::shared_ptr<const model::Snapshot> snapshot);
  // Runs `fn` on the sink's thread after what is queued (never dropped).
  void control(std::function<void(SnapshotSink&)> fn);
  // Finishes the queue, calls flush(), joins the thread. Idempotent.
  void stop();

  [[nodiscard]] SinkStats stats() const;
  [[nodiscard]] std::string name() const { return name_; }
  // The sink's status() as of its latest snapshot (read on its own thread).
  [[nodiscard]] std::string sink_status() const;

 private:
  struct Item {
    std::shared_ptr<const model::Snapshot> snapshot;  // or:
    std::function<void(SnapshotSink&)> control;
  };
  void loop();
  void run_guarded(const Item& item);

  std::unique_ptr<SnapshotSink> sink_;
  const std::string name_;
  const size_t depth_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  size_t queued_snapshots_ = 0;
  bool stopping_ = false;
  SinkStats stats_;
  std::string last_status_;  // sink_->status() after its latest item
  std::thread thread_;
};

}  // namespace kpulse::daemon
