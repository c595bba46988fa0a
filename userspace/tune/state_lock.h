// One applying tuner per state directory: `kpulse tune --apply` and the
// daemon's tuning sink would otherwise judge each other's changes.
#pragma once

#include <string>

namespace kpulse::tune {

// Holds an exclusive flock on <dir>/tune.lock for its lifetime. Throws
// std::runtime_error naming the file when another process holds it.
class StateLock {
 public:
  explicit StateLock(const std::string& dir);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace kpulse::tune
