#include "collect/cgroup_resolver.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iterator>
#include <memory>
#include <set>

namespace kpulse::collect {

namespace {

// Depth-first walk using openat() so each level costs one open, and readdir's
// d_ino (kernfs reports the node id there, equal to st_ino) so no stat per
// cgroup is needed.
// `watch` (optional) is given each directory before its entries are read:
// `root` + `path` names it.
void walk(int dir_fd, const std::string& root, std::string& path, std::vector<CgroupEntry>& out,
          size_t max_count, CgroupTreeWatch* watch) {
  if (watch) watch->add(path == "/" ? root : root + path);
  DIR* d = ::fdopendir(dir_fd);
  if (!d) {
    ::close(dir_fd);
    return;
  }
  std::vector<std::pair<std::string, uint64_t>> children;
  while (dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
        continue;
    }
    children.emplace_back(std::string(n), e->d_ino);
  }
  for (auto& [name, ino] : children) {
    if (out.size() >= max_count) break;
    const size_t len = path.size();
    if (path != "/") path += '/';
    path += name;
    out.push_back({path, ino});
    int fd = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) walk(fd, root, path, out, max_count, watch);  // fd < 0: removed meanwhile
    path.resize(len);
  }
  ::closedir(d);
}

}  // namespace

std::vector<CgroupEntry> list_cgroups(const std::string& root, size_t max_count,
                                      CgroupTreeWatch* watch) {
  std::vector<CgroupEntry> out;
  if (max_count == 0) return out;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return out;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return out;
  }
  out.push_back({"/", static_cast<uint64_t>(st.st_ino)});
  std::string path = "/";
  walk(fd, root, path, out, max_count, watch);
  // Cut short: directories past the cut are not watched.
  if (watch && out.size() >= max_count) watch->mark_blind();
  return out;
}

std::vector<std::string> list_v1_cgroup_paths(const CgroupLayout& layout, size_t max_count,
                                              CgroupTreeWatch* watch) {
  V1Tree tree;
  walk_v1_tree(layout, tree, max_count, watch);
  std::set<std::string> paths;  // a cgroup in several hierarchies: once
  for (const auto& [dir, in_dir] : tree.paths) paths.insert(in_dir.begin(), in_dir.end());
  if (paths.size() >= max_count) {
    if (watch) watch->mark_blind();  // cut short
    paths.erase(std::next(paths.begin(), static_cast<std::ptrdiff_t>(max_count)), paths.end());
  }
  return {paths.begin(), paths.end()};
}

void walk_v1_tree(const CgroupLayout& layout, V1Tree& tree, size_t max_count,
                  CgroupTreeWatch* watch) {
  std::set<std::string> dirs;
  for (const auto& [controller, dir] : layout.v1) dirs.insert(dir);  // co-mounted: once
  if (watch) watch->begin_walk();
  tree.paths.clear();
  tree.complete = true;
  ++tree.walk;
  for (const auto& dir : dirs) {
    auto entries = list_cgroups(dir, max_count, watch);
    tree.complete &= entries.size() < max_count && !entries.empty();
    auto& paths = tree.paths[dir];
    for (auto& e : entries) paths.insert(std::move(e.path));
  }
}

std::optional<bool> V1Tree::holds(const std::string& dir, std::string_view path) const {
  if (!complete) return std::nullopt;
  auto it = paths.find(dir);
  if (it == paths.end()) return std::nullopt;
  return it->second.count(std::string(path)) > 0;
}

std::string cgroup_parent(std::string_view path) {
  if (path.empty() || path == "/") return {};
  auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

std::string cgroup_leaf(std::string_view path) {
  if (path == "/") return "/";
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

CgroupResolver::CgroupResolver(std::string cgroup2_root, CgroupResolverOptions options)
    : root_(std::move(cgroup2_root)), options_(options) {
  if (options_.watch_tree) watch_ = std::make_unique<CgroupTreeWatch>();
}

CgroupResolver::~CgroupResolver() = default;

std::optional<std::string> CgroupResolver::cached_path(uint64_t id) const {
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  if (auto it = removed_.find(id); it != removed_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> CgroupResolver::path(uint64_t id) {
  if (auto p = cached_path(id)) return p;
  if (root_.empty()) return std::nullopt;
  const auto now = Clock::now();
  if (last_walk_ && now - *last_walk_ < options_.min_walk_interval) return std::nullopt;
  if (!tree_may_have_changed()) return std::nullopt;
  refresh();
  return cached_path(id);
}

bool CgroupResolver::tree_may_have_changed() {
  return !last_walk_ || !watch_ || watch_->changed_since_walk();
}

void CgroupResolver::refresh_for_unknown_ids() {
  if (root_.empty()) return;
  if (tree_may_have_changed()) refresh();
}

void CgroupResolver::refresh() {
  last_walk_ = Clock::now();
  ++walks_;
  if (watch_) watch_->begin_walk();
  auto entries = list_cgroups(root_, options_.max_cgroups, watch_.get());
  std::unordered_map<uint64_t, std::string> fresh;
  fresh.reserve(entries.size());
  by_path_.clear();
  by_path_.reserve(entries.size());
  for (auto& e : entries) {
    by_path_.emplace(e.path, e.id);
    fresh.emplace(e.id, std::move(e.path));
  }
  removed_.clear();
  for (auto& [id, p] : by_id_)
    if (!fresh.count(id)) removed_.emplace(id, std::move(p));
  by_id_ = std::move(fresh);
}

void CgroupResolver::refresh_if_older(std::chrono::milliseconds max_age) {
  if (root_.empty()) return;
  if (!last_walk_ || Clock::now() - *last_walk_ >= max_age) refresh();
}

void CgroupResolver::refresh_if_changed(std::chrono::milliseconds min_age,
                                        std::chrono::milliseconds max_age) {
  if (root_.empty()) return;
  if (!watch_) return refresh_if_older(min_age);
  if (watch_->walk_due(min_age, max_age)) refresh();
}

std::optional<uint64_t> CgroupResolver::cached_id(const std::string& path) const {
  if (auto it = by_path_.find(path); it != by_path_.end()) return it->second;
  return std::nullopt;
}

std::optional<uint64_t> CgroupResolver::id_of(std::string_view path) const {
  if (root_.empty()) return std::nullopt;
  std::string full = root_;
  if (!path.empty() && path != "/") {
    if (path.front() != '/') full += '/';
    full += path;
  }
  struct stat st;
  if (::stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

}  // namespace kpulse::collect
