// Tells whether a cgroup tree changed (a cgroup made, removed or renamed)
// since it was last walked, so the engine walks it only then: a full walk of
// 1,000 cgroups costs an open and two getdents per cgroup, which every 5 s was
// a fifth of the engine's cgroup work while nothing changed.
//
// Cgroups are made and removed only by mkdir/rmdir/rename on cgroupfs (every
// mount of a hierarchy shares its inodes), and the VFS reports those through
// inotify on the parent directory. Every watched directory is one inotify
// watch, charged to the user's fs.inotify.max_user_watches, which other
// programs running as root share: at most a quarter of it is taken. Past
// that, or without inotify, the watch is "blind" and changed() always says
// yes, so the caller walks on its own schedule as before.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>

namespace kpulse::collect {

class CgroupTreeWatch {
 public:
  using Clock = std::chrono::steady_clock;
  // `max_watches` 0: a quarter of fs.inotify.max_user_watches.
  explicit CgroupTreeWatch(size_t max_watches = 0);
  ~CgroupTreeWatch();
  CgroupTreeWatch(const CgroupTreeWatch&) = delete;
  CgroupTreeWatch& operator=(const CgroupTreeWatch&) = delete;

  // Watches directory `dir` for subdirectories made, removed or renamed.
  // Called for each directory before its entries are read, so a cgroup made
  // meanwhile is either listed or reported. On failure the watch turns blind
  // until the next successful walk (begin_walk).
  void add(const std::string& dir);
  // Whether to walk now: the tree changed (or the watch is blind) and the
  // last walk is older than `min_age`, or it is older than `max_age` (for
  // what the watch cannot see), or there was none.
  bool walk_due(std::chrono::milliseconds min_age, std::chrono::milliseconds max_age);
  // A walk starts: what changed so far it will see; the watch can see again
  // if the walk adds every directory.
  void begin_walk();
  // The walk could not give every directory (cut short at its bound).
  void mark_blind() { blind_ = true; }
  // Whether a watched directory changed since the last call (events are
  // drained), or the watch is blind.
  bool changed();
  // Whether the tree may differ from what the last walk listed: a change was
  // reported since (drained now, kept for walk_due), the watch is blind, or
  // there was no walk. When not, an id the walk did not list is not in the
  // tree, and walking again could not name it.
  bool changed_since_walk();

  [[nodiscard]] bool blind() const { return blind_; }
  [[nodiscard]] size_t watches() const { return watches_.size(); }

 private:
  int fd_ = -1;
  size_t max_watches_;
  bool blind_ = true;
  bool change_pending_ = false;  // seen by changed(), held back by min_age
  std::optional<Clock::time_point> last_walk_;
  std::unordered_set<int> watches_;  // live watch descriptors
};

}  // namespace kpulse::collect
