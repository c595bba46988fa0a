#include "collect/tcp_listeners.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "collect/text_file.h"

namespace kpulse::collect {

std::string format_endpoint(int family, const void* addr, uint16_t port) {
  char ip[INET6_ADDRSTRLEN] = {};
  if (!::inet_ntop(family, addr, ip, sizeof ip)) return {};
  std::string s;
  if (family == AF_INET6) {
    s = "[";
    s += ip;
    s += "]";
  } else {
    s = ip;
  }
  s += ':';
  s += std::to_string(port);
  return s;
}

uint64_t current_netns(const std::string& proc_root) {
  struct stat st;
  if (::stat((proc_root + "/self/ns/net").c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// One dump request for one address family; appends the listeners found.
bool dump_family(int fd, uint8_t family, uint64_t netns, std::vector<ListenerSocket>& out,
                 std::string& error) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg = {};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = family;
  msg.req.sdiag_family = family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = 1u << TCP_LISTEN;

  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    error = errno_text("sendto(sock_diag)");
    return false;
  }

  // Large enough for many messages per recv (each is ~100 bytes).
  std::vector<char> buf(32768);
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno_text("recv(sock_diag)");
      return false;
    }
    if (n == 0) {
      error = "sock_diag: unexpected end of stream";
      return false;
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return true;
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        error = std::string("sock_diag: ") + std::strerror(-e->error);
        return false;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) continue;
      auto* m = static_cast<inet_diag_msg*>(NLMSG_DATA(h));
      if (m->idiag_state != TCP_LISTEN) continue;
      ListenerSocket s;
      s.family = m->idiag_family;
      s.port = ntohs(m->id.idiag_sport);
      char ip[INET6_ADDRSTRLEN] = {};
      ::inet_ntop(s.family, m->id.idiag_src, ip, sizeof ip);
      s.ip = ip;
      s.inode = m->idiag_inode;
      s.listener.netns = netns;
      s.listener.address = format_endpoint(s.family, m->id.idiag_src, s.port);
      s.listener.queued = m->idiag_rqueue;
      s.listener.backlog = m->idiag_wqueue;
      out.push_back(std::move(s));
    }
  }
}

}  // namespace

bool dump_tcp_listeners(std::vector<ListenerSocket>& out, std::string& error,
                        const std::string& proc_root) {
  out.clear();
  error.clear();
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    error = errno_text("socket(NETLINK_SOCK_DIAG)");
    return false;
  }
  const uint64_t netns = current_netns(proc_root);
  bool ok =
      dump_family(fd, AF_INET, netns, out, error) && dump_family(fd, AF_INET6, netns, out, error);
  ::close(fd);
  if (!ok) out.clear();
  return ok;
}

void continue_socket_owner_scan(const std::unordered_set<uint64_t>& inodes,
                                std::unordered_map<uint64_t, SocketOwner>& found,
                                OwnerScanCursor& cursor, const std::string& proc_root,
                                OwnerScanLimits limits) {
  cursor.complete = false;
  if (inodes.empty()) {
    cursor = {.resume_after_pid = 0, .complete = true};
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + limits.budget;
  DIR* proc = ::opendir(proc_root.c_str());
  if (!proc) {
    cursor = {.resume_after_pid = 0, .complete = true};
    return;
  }
  size_t scanned = 0;
  char target[64];
  std::string path;
  bool cut = false;
  while (dirent* pe = ::readdir(proc)) {
    auto pid = parse_u64(pe->d_name);
    if (!pid || *pid <= cursor.resume_after_pid) continue;
    if (++scanned > limits.max_processes || std::chrono::steady_clock::now() > deadline) {
      cut = true;
      break;
    }
    cursor.resume_after_pid = *pid;
    const std::string fd_dir = proc_root + "/" + pe->d_name + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;  // exited, or not ours to read
    while (dirent* fe = ::readdir(fds)) {
      if (fe->d_name[0] == '.') continue;
      path = fd_dir + "/" + fe->d_name;
      ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string_view t(target, static_cast<size_t>(n));
      // "socket:[12345]"
      if (!t.starts_with("socket:[") || t.back() != ']') continue;
      auto ino = parse_u64(t.substr(8, t.size() - 9));
      if (!ino || !inodes.count(*ino) || found.count(*ino)) continue;
      SocketOwner o;
      o.pid = static_cast<uint32_t>(*pid);
      if (auto comm = read_first_line(proc_root + "/" + pe->d_name + "/comm")) o.comm = *comm;
      found.emplace(*ino, std::move(o));
    }
    ::closedir(fds);
    if (std::all_of(inodes.begin(), inodes.end(), [&](uint64_t i) { return found.count(i); })) {
      cut = false;  // nothing left to look for: as good as the end of /proc
      break;
    }
  }
  ::closedir(proc);
  if (!cut) cursor = {.resume_after_pid = 0, .complete = true};
}

std::unordered_map<uint64_t, SocketOwner> find_socket_owners(
    const std::unordered_set<uint64_t>& inodes, const std::string& proc_root,
    OwnerScanLimits limits) {
  std::unordered_map<uint64_t, SocketOwner> found;
  OwnerScanCursor cursor;
  continue_socket_owner_scan(inodes, found, cursor, proc_root, limits);
  return found;
}

namespace {

// /proc/net/netstat and /proc/net/snmp pair a header line with a value line:
//   TcpExt: SyncookiesSent ... ListenOverflows ListenDrops ...
//   TcpExt: 0 ... 3 3 ...
void scan_pairs(std::string_view text, std::string_view prefix,
                const std::vector<std::pair<std::string_view, int64_t*>>& wanted) {
  std::vector<std::string_view> names, values;
  LineReader lines(text);
  std::string_view line, header;
  bool have_header = false;
  while (lines.next(line)) {
    if (!line.starts_with(prefix)) {
      have_header = false;
      continue;
    }
    if (!have_header) {
      header = line;
      have_header = true;
      continue;
    }
    have_header = false;
    split_ws(header, names);
    split_ws(line, values);
    for (size_t i = 1; i < names.size() && i < values.size(); ++i)
      for (const auto& [name, slot] : wanted)
        if (names[i] == name)
          if (auto v = parse_i64(values[i])) *slot = *v;
  }
}

}  // namespace

bool read_tcp_counters(TcpHostCounters& out, const std::string& proc_root) {
  out = {};
  std::string buf;
  bool any = false;
  if (read_file(proc_root + "/net/netstat", buf)) {
    scan_pairs(buf, "TcpExt:",
               {{"ListenOverflows", &out.listen_overflows}, {"ListenDrops", &out.listen_drops}});
    any = true;
  }
  if (read_file(proc_root + "/net/snmp", buf)) {
    scan_pairs(buf, "Tcp:", {{"RetransSegs", &out.retrans_segs}});
    any = true;
  }
  return any;
}

}  // namespace kpulse::collect
