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
  const auto gone = [&](uint64_t inode) { return !live.count(inode); };
  std::erase_if(owners_, [&](const auto& kv) { return gone(kv.first); });
  std::erase_if(scanning_, gone);
  std::erase_if(joined_late_, gone);

  const bool scan_started = cursor_.resume_after_pid != 0;
  for (const auto& s : sockets_)
    if ((resolve_all_owners || s.listener.queued > 0) && s.inode != 0 && !owners_.count(s.inode) &&
        scanning_.insert(s.inode).second && scan_started)
      joined_late_.insert(s.inode);
  if (!scanning_.empty()) continue_owner_scan();

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

void ListenerCollector::continue_owner_scan() {
  ++scans_;
  std::unordered_map<uint64_t, SocketOwner> found;
  continue_socket_owner_scan(scanning_, found, cursor_, proc_root_, limits_);
  for (auto& [inode, owner] : found) {
    scanning_.erase(inode);
    joined_late_.erase(inode);
    owners_[inode] = std::move(owner);
  }
  if (!cursor_.complete) return;
  // A whole pass found no holder (a socket of an exited process, or one in
  // a /proc we cannot read): remembered as unknown, so an ownerless socket
  // does not cost a scan every interval. Late joiners get their own pass.
  for (uint64_t inode : scanning_)
    if (!joined_late_.count(inode)) owners_.try_emplace(inode);
  scanning_ = std::move(joined_late_);
  joined_late_.clear();
}

}  // namespace kpulse::collect
