#include "daemon/sink_worker.h"

#include <exception>

#include "daemon/log.h"

namespace kpulse::daemon {

SinkWorker::SinkWorker(std::unique_ptr<SnapshotSink> sink, size_t queue_depth)
    : sink_(std::move(sink)), name_(sink_->name()), depth_(queue_depth ? queue_depth : 1) {
  thread_ = std::thread([this] { loop(); });
}

SinkWorker::~SinkWorker() {
  stop();
}

void SinkWorker::push(std::shared_ptr<const model::Snapshot> snapshot) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (queued_snapshots_ >= depth_) {
      // Drop the oldest snapshot, keeping control items in order.
      for (auto it = queue_.begin(); it != queue_.end(); ++it)
        if (it->snapshot) {
          queue_.erase(it);
          --queued_snapshots_;
          ++stats_.dropped;
          break;
        }
    }
    queue_.push_back(Item{std::move(snapshot), {}});
    ++queued_snapshots_;
  }
  cv_.notify_one();
}

void SinkWorker::control(std::function<void(SnapshotSink&)> fn) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(Item{nullptr, std::move(fn)});
  }
  cv_.notify_one();
}

void SinkWorker::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    // A failed final flush loses data: logged here whatever the failure
    // count, and reported by stats() so the daemon exits non-zero.
    queue_.push_back(Item{nullptr, [this](SnapshotSink& s) {
                            try {
                              s.flush();
                            } catch (const std::exception& e) {
                              log(LogLevel::Error, "{}: at shutdown: {}", name_, e.what());
                              std::lock_guard lock(mu_);
                              stats_.flush_failed = true;
                            }
                          }});
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SinkStats SinkWorker::stats() const {
  std::lock_guard lock(mu_);
  SinkStats s = stats_;
  s.queued = queued_snapshots_;
  return s;
}

std::string SinkWorker::sink_status() const {
  std::lock_guard lock(mu_);
  return last_status_;
}

void SinkWorker::run_guarded(const Item& item) {
  try {
    if (item.snapshot)
      sink_->consume(*item.snapshot);
    else
      item.control(*sink_);
    return;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    // First failure and then every 100th, so a broken sink cannot flood the log.
    if (stats_.failures++ % 100 == 0)
      log(LogLevel::Error, "{}: {} (failures so far: {})", name_, e.what(), stats_.failures);
  } catch (...) {
    std::lock_guard lock(mu_);
    if (stats_.failures++ % 100 == 0) log(LogLevel::Error, "{}: unknown exception", name_);
  }
}

void SinkWorker::loop() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping and drained
      item = std::move(queue_.front());
      queue_.pop_front();
      if (item.snapshot) {
        --queued_snapshots_;
        ++stats_.consumed;
      }
    }
    run_guarded(item);
    // Asked here, on the sink's own thread, so sinks need no locking for it.
    std::string status = sink_->status();
    std::lock_guard lock(mu_);
    last_status_ = std::move(status);
  }
}

}  // namespace kpulse::daemon
