#include "collect/listener_collector.h"

#include <unordered_set>

namespace kpulse::collect {

bool ListenerCollector::collect(std::vector<model::Listener>& out, std::string& error,
                                bool resolve_all_owners) {
  out.clear();
  if (!dump_tcp_listeners(sockets_, error, proc_root_)) return false;

  // Forget owners of sockets that no longer exist (inodes can be reused).
  std::unordered_set<uint64_t> live;
  for (const auto& s : sockets_) live.insert(s.inode);
  std::erase_if(owners_, [&](const auto& kv) { return !live.count(kv.first); });

  std::unordered_set<uint64_t> wanted;
  for (const auto& s : sockets_)
    if ((resolve_all_owners || s.listener.queued > 0) && s.inode != 0 && !owners_.count(s.inode))
      wanted.insert(s.inode);
  if (!wanted.empty()) {
    ++scans_;
    auto found = find_socket_owners(wanted, proc_root_, limits_);
    for (auto& [ino, owner] : found) owners_[ino] = std::move(owner);
    // Not found (owned by no process, or past the scan's budget): remembered
    // as unknown, so an ownerless socket does not cost a scan every interval.
    for (uint64_t ino : wanted) owners_.try_emplace(ino);
  }

  out.reserve(sockets_.size());
  for (const auto& s : sockets_) {
    model::Listener l = s.listener;
    if (auto it = owners_.find(s.inode); it != owners_.end() && it->second.pid != 0) {
      l.pid = it->second.pid;
      l.comm = it->second.comm;
      if (processes_)
        if (const ProcessInfo* p = processes_->lookup(l.pid)) l.cgroup = p->cgroup;
    }
    out.push_back(std::move(l));
  }
  return true;
}

}  // namespace kpulse::collect
