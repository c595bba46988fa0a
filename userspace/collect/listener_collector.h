// Per-interval TCP listener collection: the sock_diag dump plus, when cheap,
// which process owns each listener.
//
// Owner lookup scans /proc/*/fd, so it runs only for listeners whose accept
// queue is non-empty (the ones worth explaining) or when asked for all, and
// its answers are cached by socket inode until the socket disappears. The
// scan is bounded per interval; one cut by its bound resumes where it stopped
// at the next interval, so on a loaded host an owner comes a few intervals
// late instead of never, and only a socket no process holds after a whole
// pass over /proc is remembered as ownerless.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/process_resolver.h"
#include "collect/tcp_listeners.h"
#include "model/snapshot.h"

namespace kpulse::collect {

class ListenerCollector {
 public:
  // `processes` (optional, not owned) fills Listener::cgroup for known owners.
  explicit ListenerCollector(std::string proc_root = "/proc", ProcessResolver* processes = nullptr,
                             OwnerScanLimits limits = {})
      : proc_root_(std::move(proc_root)), processes_(processes), limits_(limits) {}

  // Dumps listeners and fills owners. With resolve_all_owners the /proc scan
  // covers every listener (on demand, e.g. `kpulse listeners`), not only
  // those with a queue. Returns false and sets `error` when sock_diag fails.
  bool collect(std::vector<model::Listener>& out, std::string& error,
               bool resolve_all_owners = false);

  [[nodiscard]] size_t owner_scans() const { return scans_; }

 private:
  std::string proc_root_;
  ProcessResolver* processes_;
  OwnerScanLimits limits_;
  void continue_owner_scan();

  std::unordered_map<uint64_t, SocketOwner> owners_;  // by socket inode
  // The scan in progress: the inodes it looks for, and those that joined
  // after it had started (they need a pass of their own from the first pid).
  std::unordered_set<uint64_t> scanning_, joined_late_;
  OwnerScanCursor cursor_;
  std::vector<ListenerSocket> sockets_;
  size_t scans_ = 0;
};

}  // namespace kpulse::collect
