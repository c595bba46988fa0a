#include "tcp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

namespace kpulse::testing {
namespace {

sockaddr_in ipv4_address(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  return addr;
}

// The sink may still be starting (in another process): retry for 5 s.
int connect_with_retries(const sockaddr_in& addr) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return fd;
    close(fd);
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int tcp_sink(int port) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return 1;
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = ipv4_address("0.0.0.0", port);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 1) != 0)
    return 2;
  int conn = accept(listener, nullptr, nullptr);
  close(listener);
  if (conn < 0) return 3;
  std::vector<char> buffer(1 << 16);
  std::size_t total = 0;
  ssize_t n = 0;
  while ((n = read(conn, buffer.data(), buffer.size())) > 0) total += static_cast<std::size_t>(n);
  close(conn);
  return total > 0 ? 0 : 4;
}

int tcp_send_all(const std::string& ipv4, int port, std::size_t bytes) {
  return tcp_send_until(ipv4, port, bytes, std::chrono::steady_clock::time_point::max());
}

int tcp_send_for(const std::string& ipv4, int port, std::chrono::milliseconds duration) {
  return tcp_send_until(ipv4, port, std::numeric_limits<std::size_t>::max(),
                        std::chrono::steady_clock::now() + duration);
}

int tcp_send_until(const std::string& ipv4, int port, std::size_t bytes,
                   std::chrono::steady_clock::time_point deadline) {
  int fd = connect_with_retries(ipv4_address(ipv4, port));
  if (fd < 0) return 1;
  const std::vector<char> chunk(1 << 16, 'x');
  std::size_t sent = 0;
  while (sent < bytes && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = write(fd, chunk.data(), std::min(chunk.size(), bytes - sent));
    if (n <= 0) {
      close(fd);
      return 2;
    }
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  char c = 0;
  ssize_t n = read(fd, &c, 1);  // 0 once the sink has read everything and closed
  close(fd);
  return n == 0 ? 0 : 3;
}

}  // namespace kpulse::testing
