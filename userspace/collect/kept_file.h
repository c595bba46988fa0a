// A file kept open between reads and re-read with pread(2) from offset 0.
//
// The engine reads the same cgroupfs files for every cgroup every interval;
// open + read + read + close per file was most of its CPU time (path walk and
// kernfs open on each). kernfs regenerates a file's text on a read at offset
// 0, so one pread on a descriptor kept open returns fresh values.
//
// Each kept descriptor also pins kernel memory (the seq_file page, ~4 KiB), so
// only files read every interval are worth keeping, and an FdBudget bounds how
// many are held; past it reads fall back to open/read/close.
//
// A removed cgroup's open files fail with ENODEV: a kept descriptor that fails
// is closed and the path opened again once, so a cgroup removed and recreated
// under the same path is read fresh, and one that is gone reads as missing.
#pragma once

#include <cstddef>
#include <string>

namespace kpulse::collect {

// How many descriptors kept files may hold together. Not thread-safe.
class FdBudget {
 public:
  explicit FdBudget(size_t limit) : limit_(limit) {}
  bool take();
  void give_back();
  // The process ran out of descriptors (EMFILE/ENFILE): keep no more than now.
  void shrink_to_used() { limit_ = used_; }
  [[nodiscard]] size_t used() const { return used_; }
  [[nodiscard]] size_t limit() const { return limit_; }

 private:
  size_t limit_;
  size_t used_ = 0;
};

// Raises RLIMIT_NOFILE's soft limit to the hard one and returns how many
// descriptors kept files may use: the new soft limit less `reserve` for
// everything else the process opens (BPF maps and links, sockets, /proc).
size_t raise_fd_limit_for_kept_files(size_t reserve = 1024);

class KeptFile {
 public:
  KeptFile() = default;
  ~KeptFile() { close(); }
  KeptFile(KeptFile&& o) noexcept : fd_(o.fd_), budget_(o.budget_) { o.fd_ = -1; }
  KeptFile& operator=(KeptFile&& o) noexcept;
  KeptFile(const KeptFile&) = delete;
  KeptFile& operator=(const KeptFile&) = delete;

  // Reads the whole file at `path` into `out` (replacing it). Uses the kept
  // descriptor when there is one, else opens `path` and keeps the descriptor
  // when `budget` allows. Returns false when the file is missing or cannot be
  // read (out is then empty). `reopened` is set when a kept descriptor had
  // failed and the path opened again (e.g. the cgroup was recreated).
  bool read(const std::string& path, std::string& out, FdBudget& budget, bool* reopened = nullptr);
  void close();
  [[nodiscard]] bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  FdBudget* budget_ = nullptr;
};

// Reads all of `fd` from offset 0 into `out`; false on a read error.
bool pread_all(int fd, std::string& out);

}  // namespace kpulse::collect
