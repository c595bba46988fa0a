#include "udp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <new>
#include <thread>
#include <vector>

namespace kpulse::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

UdpTally* shared_udp_tally() {
  void* p =
      ::mmap(nullptr, sizeof(UdpTally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : new (p) UdpTally;
}

void release_udp_tally(UdpTally* t) {
  if (!t) return;
  t->~UdpTally();
  ::munmap(t, sizeof(UdpTally));
}

int udp_sink(int port, UdpTally* tally) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const sockaddr_in addr = loopback(port);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    tally->ready = -1;
    return 1;
  }
  timeval quiet{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &quiet, sizeof quiet);
  tally->ready = 1;
  std::vector<char> buf(65536);
  while (true) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) break;  // silence: the sender is gone
    if (n == 0) {
      ::close(fd);
      return 0;
    }
    tally->bytes += uint64_t(n);
    tally->datagrams += 1;
  }
  ::close(fd);
  return 1;
}

int udp_send(int port, int count, std::size_t size) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 1;
  const sockaddr_in addr = loopback(port);
  std::vector<char> payload(size, 'u');
  int status = 0;
  for (int i = 0; i < count && status == 0; ++i) {
    ssize_t n = ::sendto(fd, payload.data(), payload.size(), 0,
                         reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    if (n != ssize_t(size)) status = 1;
    // A burst of 32 datagrams (about 45 KB at 1,400 bytes) fits the default
    // receive buffer; the pause lets the sink drain it.
    if (i % 32 == 31) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (::sendto(fd, payload.data(), 0, 0, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) !=
      0)
    status = 1;
  ::close(fd);
  return status;
}

std::optional<uint64_t> udp_exchange(const TestCgroup& sender, const TestCgroup& receiver, int port,
                                     int count, std::size_t size, std::string& error) {
  UdpTally* tally = shared_udp_tally();
  if (!tally) {
    error = "no shared memory for the sink's tally";
    return std::nullopt;
  }
  std::optional<uint64_t> read;
  {
    Child sink([port, tally] { return udp_sink(port, tally); }, &receiver);
    for (int i = 0; i < 100 && tally->ready == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (tally->ready != 1) {
      error = "the sink could not bind 127.0.0.1:" + std::to_string(port);
    } else {
      Child client([port, count, size] { return udp_send(port, count, size); }, &sender);
      if (client.wait(std::chrono::seconds(60)) != 0)
        error = "the sender failed";
      else if (sink.wait(std::chrono::seconds(30)) != 0)
        error = "the sink never got the closing datagram";
      else
        read = tally->bytes.load();
    }
  }
  release_udp_tally(tally);
  return read;
}

}  // namespace kpulse::testing
