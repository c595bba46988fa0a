#include "collect/kept_file.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kpulse::collect {

bool FdBudget::take() {
  if (used_ >= limit_) return false;
  ++used_;
  return true;
}

void FdBudget::give_back() {
  if (used_ > 0) --used_;
}

size_t raise_fd_limit_for_kept_files(size_t reserve) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  // RLIM_INFINITY is not a real bound; nobody has that many descriptors.
  const size_t soft = rl.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : size_t(rl.rlim_cur);
  return soft > reserve ? soft - reserve : 0;
}

bool pread_all(int fd, std::string& out) {
  out.clear();
  if (out.capacity() < 4096) out.reserve(4096);
  size_t used = 0;
  for (;;) {
    if (out.size() < used + 4096) out.resize(std::max(used + 4096, 2 * out.size()));
    const size_t want = out.size() - used;
    ssize_t n = ::pread(fd, out.data() + used, want, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      out.clear();
      return false;
    }
    used += static_cast<size_t>(n);
    // kernfs (seq_file) and regular files fill the buffer while there is text
    // left, so a short read is the end: saves the read that returns 0.
    if (n == 0 || static_cast<size_t>(n) < want) break;
  }
  out.resize(used);
  return true;
}

KeptFile& KeptFile::operator=(KeptFile&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    budget_ = o.budget_;
    o.fd_ = -1;
  }
  return *this;
}

void KeptFile::close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (budget_) budget_->give_back();
  budget_ = nullptr;
}

bool KeptFile::read(const std::string& path, std::string& out, FdBudget& budget, bool* reopened) {
  if (fd_ >= 0) {
    if (pread_all(fd_, out)) return true;
    close();  // ENODEV: the file's cgroup was removed (perhaps recreated since)
    if (reopened) *reopened = true;
  }
  const bool keep = budget.take();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (keep) budget.give_back();
    if (errno == EMFILE || errno == ENFILE) budget.shrink_to_used();
    out.clear();
    return false;
  }
  const bool ok = pread_all(fd, out);
  if (ok && keep) {
    fd_ = fd;
    budget_ = &budget;
    return true;
  }
  ::close(fd);
  if (keep) budget.give_back();
  return ok;
}

}  // namespace kpulse::collect
