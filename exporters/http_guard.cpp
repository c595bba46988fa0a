#include "exporters/http_guard.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace kpulse::exporters {
namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd = -1;
  ino_t inode = 0;
  bool handling = false;    // between the request's arrival and its response
  Clock::time_point since;  // accepted, or the last response sent
};

int local_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

bool connected(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  return ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
}

ino_t socket_inode(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  return st.st_ino;
}

thread_local Connection* current = nullptr;

}  // namespace

struct HttpGuard::State {
  HttpLimits limits;
  std::atomic<int> port{-1};
  std::mutex mu;
  std::condition_variable cv;
  std::list<Connection> connections;  // accepted, not yet closed
  bool stopping = false;
  std::atomic<uint64_t> closed_slow{0};
  std::thread reaper;

  // The socket httplib just accepted (called on its accept thread, right
  // after accept(): the only connected socket on our port not yet known).
  // The scan holds the lock: a connection that finishes meanwhile closes its
  // socket before it takes the lock to forget it, so a scan without the lock
  // could see that socket open, then find it forgotten and take it for the
  // new one, leaving the real new connection unregistered and never evictable.
  std::list<Connection>::iterator register_new() {
    const int port_now = port.load();
    std::lock_guard lock(mu);
    std::vector<std::pair<int, ino_t>> found;
    if (DIR* d = ::opendir("/proc/self/fd")) {
      while (dirent* e = ::readdir(d)) {
        const int fd = std::atoi(e->d_name);
        if (fd <= 2 || fd == ::dirfd(d)) continue;
        const ino_t inode = socket_inode(fd);
        if (inode == 0 || local_port(fd) != port_now || !connected(fd)) continue;
        found.emplace_back(fd, inode);
      }
      ::closedir(d);
    }
    for (const auto& socket : found) {
      const ino_t inode = socket.second;
      const bool known = std::any_of(connections.begin(), connections.end(),
                                     [inode](const Connection& c) { return c.inode == inode; });
      if (!known)
        return connections.insert(connections.end(), {socket.first, inode, false, Clock::now()});
    }
    return connections.end();
  }

  // Shuts a connection down (its thread's blocked read returns and httplib
  // closes it); checks the inode so a reused descriptor is never touched.
  void shut(Connection& c) {
    if (c.fd >= 0 && socket_inode(c.fd) == c.inode) ::shutdown(c.fd, SHUT_RDWR);
    c.fd = -1;
    ++closed_slow;
  }

  // Over the limit: the connection waiting longest for its request goes.
  void make_room() {
    std::lock_guard lock(mu);
    if (connections.size() < limits.max_connections) return;
    Connection* oldest = nullptr;
    for (auto& c : connections)
      if (!c.handling && c.fd >= 0 && (!oldest || c.since < oldest->since)) oldest = &c;
    if (oldest) shut(*oldest);
  }

  void reap_loop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      cv.wait_for(lock, std::chrono::milliseconds(200));
      const auto now = Clock::now();
      for (auto& c : connections)
        if (!c.handling && c.fd >= 0 && now - c.since > limits.request_timeout) shut(c);
    }
  }
};

namespace {

// httplib's thread pool behind a door that registers each connection and
// makes room for it.
class GuardedQueue : public httplib::TaskQueue {
 public:
  GuardedQueue(std::shared_ptr<HttpGuard::State> state)
      : state_(std::move(state)), pool_(state_->limits.max_connections) {}
  void enqueue(std::function<void()> fn) override {
    state_->make_room();
    auto it = state_->register_new();
    pool_.enqueue([state = state_, it, fn = std::move(fn)] {
      Connection* conn = it == state->connections.end() ? nullptr : &*it;
      current = conn;
      fn();  // serves the connection, then closes its socket
      current = nullptr;
      if (conn) {
        std::lock_guard lock(state->mu);
        state->connections.erase(it);
      }
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  std::shared_ptr<HttpGuard::State> state_;
  httplib::ThreadPool pool_;
};

}  // namespace

HttpGuard::HttpGuard(httplib::Server& server, HttpLimits limits)
    : state_(std::make_shared<State>()) {
  state_->limits = limits;
  const auto write_s = std::chrono::duration_cast<std::chrono::microseconds>(limits.write_timeout);
  server.set_write_timeout(write_s.count() / 1'000'000, write_s.count() % 1'000'000);
  server.set_read_timeout(limits.request_timeout);
  server.set_keep_alive_timeout(std::max<time_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(limits.request_timeout).count()));
  server.new_task_queue = [state = state_] { return new GuardedQueue(state); };
  // The request has arrived: no deadline while it is handled and answered.
  server.set_pre_routing_handler([state = state_](const httplib::Request&, httplib::Response&) {
    if (current) {
      std::lock_guard lock(state->mu);
      current->handling = true;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Answered: a kept-alive connection has the same time for its next request.
  server.set_logger([state = state_](const httplib::Request&, const httplib::Response&) {
    if (current) {
      std::lock_guard lock(state->mu);
      current->handling = false;
      current->since = Clock::now();
    }
  });
  state_->reaper = std::thread([state = state_] { state->reap_loop(); });
}

HttpGuard::~HttpGuard() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  state_->reaper.join();
}

void HttpGuard::set_port(int port) {
  state_->port = port;
}

uint64_t HttpGuard::closed_slow() const {
  return state_->closed_slow;
}

}  // namespace kpulse::exporters
