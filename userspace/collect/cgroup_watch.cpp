#include "collect/cgroup_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "collect/text_file.h"

namespace kpulse::collect {

namespace {

constexpr uint32_t kTreeEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR;

size_t default_max_watches() {
  std::string text;
  if (!read_file("/proc/sys/fs/inotify/max_user_watches", text)) return 0;
  const auto v = parse_u64(trim(text));
  return v ? static_cast<size_t>(*v / 4) : 0;
}

}  // namespace

CgroupTreeWatch::CgroupTreeWatch(size_t max_watches)
    : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
      max_watches_(max_watches ? max_watches : default_max_watches()) {}

CgroupTreeWatch::~CgroupTreeWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void CgroupTreeWatch::add(const std::string& dir) {
  if (fd_ < 0 || blind_) return;
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), kTreeEvents);
  if (wd < 0) {
    // Removed meanwhile: its parent's watch reports that. Anything else
    // (the user's watches used up): blind.
    if (errno != ENOENT && errno != ENOTDIR) blind_ = true;
    return;
  }
  // The same directory again gives the same descriptor: only a new one counts.
  if (watches_.count(wd)) return;
  if (watches_.size() >= max_watches_) {
    ::inotify_rm_watch(fd_, wd);
    blind_ = true;
    return;
  }
  watches_.insert(wd);
}

bool CgroupTreeWatch::changed() {
  if (fd_ < 0) return true;
  bool any = false;
  alignas(inotify_event) std::array<char, 8192> buf;
  for (;;) {
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t off = 0; off < n;) {
      inotify_event ev;
      std::memcpy(&ev, buf.data() + off, sizeof ev);
      if (ev.mask & IN_IGNORED)
        watches_.erase(ev.wd);  // its directory is gone (reported to the parent too)
      // A subdirectory is a cgroup (files come and go with controllers, made
      // by the kernel, not reported); an overflow lost events.
      any |= (ev.mask & (IN_ISDIR | IN_Q_OVERFLOW)) != 0;
      off += static_cast<ssize_t>(sizeof ev + ev.len);
    }
  }
  return any || blind_;
}

bool CgroupTreeWatch::walk_due(std::chrono::milliseconds min_age,
                               std::chrono::milliseconds max_age) {
  change_pending_ |= changed();
  if (!last_walk_) return true;
  const auto age = Clock::now() - *last_walk_;
  return (change_pending_ && age >= min_age) || age >= max_age;
}

bool CgroupTreeWatch::changed_since_walk() {
  change_pending_ |= changed();
  return change_pending_ || blind_ || !last_walk_;
}

void CgroupTreeWatch::begin_walk() {
  (void)changed();  // drained: the walk sees what these events reported
  change_pending_ = false;
  blind_ = fd_ < 0;
  last_walk_ = Clock::now();
}

}  // namespace kpulse::collect
