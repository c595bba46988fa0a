#include "daemon/run_lock.h"

#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <string>

#include <fmt/format.h>

#include "record/private_dir.h"

namespace kpulse::daemon {

namespace {

// The system refuses this user the directory: it cannot write there, so it
// cannot disturb a daemon that does.
bool not_ours_to_write(int err) {
  return err == EACCES || err == EPERM || err == EROFS;
}

}  // namespace

RunLock::RunLock(const std::filesystem::path& dir) {
  try {
    record::ensure_private_dir(dir);
  } catch (const std::system_error& e) {
    if (!not_ours_to_write(e.code().value())) throw;
    unheld_reason_ = e.what();
    return;
  }
  const auto path = dir / "run.lock";
  std::string error;
  fd_ = record::open_private_file(path, error);
  if (fd_ < 0 && not_ours_to_write(errno)) {
    unheld_reason_ = error;
    return;
  }
  if (fd_ < 0) throw std::runtime_error(error);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK)
      throw std::runtime_error(fmt::format("{}: {}", path.string(), std::strerror(err)));
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    throw std::runtime_error(fmt::format(
        "another kpulse run (pid {}) is using the state directory {} (lock {}); stop it first",
        holder.empty() ? "unknown" : holder, dir.string(), path.string()));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message of a second daemon suffers.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace kpulse::daemon
