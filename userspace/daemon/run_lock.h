// One `kpulse run` per state directory: two daemons on one directory would
// interleave blocks in each other's segments and judge each other's tuning.
#pragma once

#include <filesystem>
#include <string>

namespace kpulse::daemon {

// Creates `dir` if needed (mode 0750, record/private_dir.h), then holds an
// exclusive flock on <dir>/run.lock, which holds the owner's pid, for its
// lifetime. Throws std::runtime_error naming the directory and the pid of
// the daemon holding it, or why the directory is refused. A directory this
// user may not write at all (an unprivileged run) is not locked: held() is
// false and unheld_reason() says why.
class RunLock {
 public:
  explicit RunLock(const std::filesystem::path& dir);
  [[nodiscard]] bool held() const { return fd_ >= 0; }
  [[nodiscard]] const std::string& unheld_reason() const { return unheld_reason_; }
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
  std::string unheld_reason_;
};

}  // namespace kpulse::daemon
