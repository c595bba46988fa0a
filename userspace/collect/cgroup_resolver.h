// Cgroup id → path resolution, for the cgroup ids BPF programs record
// (bpf_get_current_cgroup_id() is the inode number of the task's cgroup2
// directory).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_watch.h"

namespace kpulse::collect {

struct CgroupEntry {
  std::string path;  // relative to the cgroup root: "/", "/system.slice/x.service"
  uint64_t id = 0;   // directory inode
  bool operator==(const CgroupEntry&) const = default;
};

// The most cgroups a walk lists by default.
inline constexpr size_t kMaxCgroups = 100000;

// Walks the cgroup tree under `root` depth-first (parents before children).
// Stops after `max_count` entries (so a host with a runaway number of cgroups
// cannot stall an interval). Directories removed during the walk are skipped.
// `watch` (optional) is given every directory walked (CgroupTreeWatch).
std::vector<CgroupEntry> list_cgroups(const std::string& root, size_t max_count = kMaxCgroups,
                                      CgroupTreeWatch* watch = nullptr);

// Every cgroup path ("/", "/a/b") of the v1 hierarchies in `layout`
// (controllers and name=systemd), each once, at most `max_count`. On hybrid
// and v1 hosts a cgroup may exist in a v1 hierarchy only (e.g. a memory
// cgroup a job runner made), out of the cgroup2 tree's sight.
std::vector<std::string> list_v1_cgroup_paths(const CgroupLayout& layout,
                                              size_t max_count = kMaxCgroups,
                                              CgroupTreeWatch* watch = nullptr);

// The cgroups of each v1 hierarchy as of one walk, so that where a cgroup
// sits in them is looked up instead of a stat per hierarchy (the stats
// reader's layout checks: a failing stat of a cgroup2-only path in each of
// five hierarchies, for every cgroup every minute and for v1-only ones every
// interval).
struct V1Tree {
  // Hierarchy directory (a mount, co-mounted controllers once) → cgroup paths.
  std::map<std::string, std::unordered_set<std::string>> paths;
  // Every hierarchy was listed to the end (not cut at max_count): only then
  // does a path missing from `paths` say the cgroup is not there.
  bool complete = false;
  uint64_t walk = 0;  // numbers the walks: a new one may say something new
  // Whether `path` is a cgroup of the hierarchy at `dir`; nullopt when the
  // tree cannot tell (incomplete, or `dir` not walked).
  [[nodiscard]] std::optional<bool> holds(const std::string& dir, std::string_view path) const;
};
// Walks every v1 hierarchy of `layout` into `tree` (its walk number + 1).
void walk_v1_tree(const CgroupLayout& layout, V1Tree& tree, size_t max_count = kMaxCgroups,
                  CgroupTreeWatch* watch = nullptr);

// Parent path of a cgroup path ("/a/b" → "/a", "/a" → "/", "/" → "").
std::string cgroup_parent(std::string_view path);
// Last component ("/a/b" → "b", "/" → "/").
std::string cgroup_leaf(std::string_view path);

struct CgroupResolverOptions {
  // A miss triggers a full walk at most this often; lookups of unknown ids in
  // between return nullopt. BPF data for a cgroup created just now resolves on
  // the next interval.
  std::chrono::milliseconds min_walk_interval{1000};
  size_t max_cgroups = kMaxCgroups;
  // Watch the tree for cgroups made or removed (CgroupTreeWatch), so that
  // refresh_if_changed walks only after a change.
  bool watch_tree = false;
};

// Not thread-safe: one engine thread owns it.
class CgroupResolver {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CgroupResolver(std::string cgroup2_root, CgroupResolverOptions options = {});
  ~CgroupResolver();
  CgroupResolver(const CgroupResolver&) = delete;
  CgroupResolver& operator=(const CgroupResolver&) = delete;

  // Path for a cgroup id. On a miss re-walks the tree (rate-limited), unless
  // the watch (options.watch_tree) saw no cgroup made, removed or renamed
  // since the last walk: that walk listed every cgroup there is, so a walk
  // now could not name the id either (a cgroup removed before it, or one
  // outside the tree, e.g. of a container's host).
  std::optional<std::string> path(uint64_t id);
  // BPF named ids the last walk did not list: walks now (not rate-limited, so
  // a task that lived and died within an interval is named by its cgroup),
  // unless the watch vouches that the tree did not change since that walk.
  void refresh_for_unknown_ids();
  // Path for an id without ever walking.
  [[nodiscard]] std::optional<std::string> cached_path(uint64_t id) const;
  // Whether cached_path(id) has a path (without copying it).
  [[nodiscard]] bool knows(uint64_t id) const { return by_id_.count(id) || removed_.count(id); }
  // Id of a path, by stat() (one syscall; see cached_id for the cheap form).
  [[nodiscard]] std::optional<uint64_t> id_of(std::string_view path) const;
  // Id of a path as of the last walk, without a syscall; nullopt when the
  // path was not there then. Stale for a cgroup removed and recreated since
  // (the caller notices, e.g. through failing kept files, and refreshes).
  [[nodiscard]] std::optional<uint64_t> cached_id(const std::string& path) const;
  // Walks now regardless of the rate limit.
  void refresh();
  // Walks when the last walk is older than `max_age` (or there was none): a
  // cgroup nothing asks about (idle, or no BPF) still shows up that soon.
  void refresh_if_older(std::chrono::milliseconds max_age);
  // With options.watch_tree: walks when the tree changed since the last walk
  // and that walk is older than `min_age`, and in any case once it is older
  // than `max_age` (for what the watch cannot see). Without a watch, or when
  // it is blind (out of inotify watches): refresh_if_older(min_age).
  void refresh_if_changed(std::chrono::milliseconds min_age, std::chrono::milliseconds max_age);
  // Whether cached_id() may be stale: the watch saw a cgroup made, removed or
  // renamed since the last walk (or it is blind, or there is none), so a
  // path may now name another cgroup than the walk found there.
  [[nodiscard]] bool ids_may_be_stale() { return tree_may_have_changed(); }
  // Every cgroup of the last walk, path to id.
  [[nodiscard]] const std::unordered_map<std::string, uint64_t>& paths() const { return by_path_; }

  [[nodiscard]] size_t size() const { return by_id_.size(); }
  [[nodiscard]] size_t walks() const { return walks_; }
  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  // Whether a walk now could list a cgroup the last walk did not.
  bool tree_may_have_changed();

  std::string root_;
  CgroupResolverOptions options_;
  std::unordered_map<uint64_t, std::string> by_id_;
  // Cgroups that disappeared at the last walk: BPF maps may still hold their
  // data for one more interval, so their names are kept one walk longer.
  std::unordered_map<uint64_t, std::string> removed_;
  std::unordered_map<std::string, uint64_t> by_path_;  // the last walk, inverted
  std::optional<Clock::time_point> last_walk_;
  size_t walks_ = 0;
  std::unique_ptr<CgroupTreeWatch> watch_;
};

}  // namespace kpulse::collect
