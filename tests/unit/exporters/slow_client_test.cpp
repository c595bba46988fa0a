// Slow HTTP clients (slowloris: one header line every so often, never
// finishing the request) against the Prometheus endpoint: real sockets,
// real scrapes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "exporters/prometheus_server.h"

namespace kpulse::exporters {
namespace {

using namespace std::chrono_literals;

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Clients that start a request and then send one header line every `every`.
class Slowloris {
 public:
  Slowloris(int port, int n, std::chrono::milliseconds every) {
    for (int i = 0; i < n; ++i) {
      const int fd = connect_to(port);
      if (fd < 0) continue;
      const std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
      (void)!::send(fd, start.data(), start.size(), MSG_NOSIGNAL);
      fds_.push_back(fd);
    }
    thread_ = std::thread([this, every] {
      int line = 0;
      while (!stop_) {
        std::this_thread::sleep_for(every);
        const std::string h = "X-Slow-" + std::to_string(line++) + ": 1\r\n";
        for (int fd : fds_)
          if (::send(fd, h.data(), h.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) ++send_failures_;
      }
    });
  }
  ~Slowloris() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
  }
  [[nodiscard]] size_t connected() const { return fds_.size(); }
  // How many of the connections the server has closed (EOF or reset).
  [[nodiscard]] size_t closed_by_server() const {
    size_t n = 0;
    for (int fd : fds_) {
      pollfd p{fd, POLLIN, 0};
      char c;
      if (::poll(&p, 1, 0) == 1 && ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) <= 0) ++n;
    }
    return n;
  }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<int> send_failures_{0};
  std::thread thread_;
};

bool scrape(int port) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(3s);
  cli.set_read_timeout(3s);
  auto res = cli.Get("/metrics");
  return res && res->status == 200;
}

TEST(SlowClients, EightSlowlorisConnectionsDoNotStopScrapes) {
  PrometheusServer server({"127.0.0.1", 0});
  Slowloris slow(server.port(), 8, 1000ms);
  ASSERT_EQ(slow.connected(), 8u);
  std::this_thread::sleep_for(300ms);  // all eight are being served
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(scrape(server.port())) << "scrape " << i;
}

TEST(SlowClients, ARequestThatNeverCompletesIsCutAtItsDeadline) {
  HttpLimits limits;
  limits.request_timeout = 1000ms;
  PrometheusServer server({"127.0.0.1", 0}, limits);
  Slowloris slow(server.port(), 3, 300ms);  // well inside any per-read timeout
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (slow.closed_by_server() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(slow.closed_by_server(), 3u);
  EXPECT_GE(server.slow_clients_closed(), 3u);
  EXPECT_TRUE(scrape(server.port()));
}

TEST(SlowClients, MoreSlowClientsThanTheLimitStillLetScrapesThrough) {
  HttpLimits limits;
  limits.max_connections = 4;
  limits.request_timeout = 60s;  // eviction, not the deadline, must make room
  PrometheusServer server({"127.0.0.1", 0}, limits);
  Slowloris slow(server.port(), 12, 500ms);
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(scrape(server.port())) << "scrape " << i;
  EXPECT_GE(server.slow_clients_closed(), 8u);
}

// A burst of connections (a fleet's scrapers, a browser's requests) must not
// overflow the listen queue: a dropped SYN is retried after 1 s, then 3 s, so
// a burst that takes a second or more to connect means the queue overflowed
// (Debian's compiled cpp-httplib listens with a backlog of 5).
TEST(SlowClients, ABurstOfConnectionsIsQueuedWithoutDroppedSyns) {
  PrometheusServer server({"127.0.0.1", 0});
  const auto start = std::chrono::steady_clock::now();
  Slowloris burst(server.port(), 48, 1000ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(burst.connected(), 48u);
  EXPECT_LT(took, 900ms) << "connecting 48 clients took "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << " ms: SYNs were dropped and retransmitted";
}

TEST(SlowClients, KeptAliveScrapesStillWork) {
  PrometheusServer server({"127.0.0.1", 0});
  httplib::Client cli("127.0.0.1", server.port());
  cli.set_keep_alive(true);
  for (int i = 0; i < 5; ++i) {
    auto res = cli.Get("/metrics");
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(server.scrapes(), 5u);
  EXPECT_EQ(server.slow_clients_closed(), 0u);
}

}  // namespace
}  // namespace kpulse::exporters
