// sd_notify without libsystemd: datagrams reach the socket systemd names in
// $NOTIFY_SOCKET, filesystem or abstract; no socket is not an error.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "daemon/service_notify.h"

namespace kpulse::daemon {
namespace {

class NotifySocket {
 public:
  // `name` starting with '@' binds in the abstract namespace.
  explicit NotifySocket(const std::string& name) : name_(name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0;
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    close(fd_);
    if (name_[0] != '@') unlink(name_.c_str());
  }
  [[nodiscard]] bool bound() const { return bound_; }
  std::string receive() {
    char buf[256];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(ServiceNotify, SendsToAFilesystemSocket) {
  std::string path = "/tmp/kpulse_notify_test_" + std::to_string(getpid());
  NotifySocket sock(path);
  ASSERT_TRUE(sock.bound());
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(notify_service("READY=1\nSTATUS=collecting"));
  EXPECT_EQ(sock.receive(), "READY=1\nSTATUS=collecting");
  unsetenv("NOTIFY_SOCKET");
}

TEST(ServiceNotify, SendsToAnAbstractSocket) {
  std::string name = "@kpulse_notify_test_" + std::to_string(getpid());
  NotifySocket sock(name);
  ASSERT_TRUE(sock.bound());
  setenv("NOTIFY_SOCKET", name.c_str(), 1);
  EXPECT_TRUE(notify_service("STOPPING=1"));
  EXPECT_EQ(sock.receive(), "STOPPING=1");
  unsetenv("NOTIFY_SOCKET");
}

TEST(ServiceNotify, NoSocketIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(notify_service("READY=1"));
  setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  EXPECT_FALSE(notify_service("READY=1"));
  unsetenv("NOTIFY_SOCKET");
}

TEST(ServiceWatchdog, KicksAtHalfTheIntervalOnlyForItsOwnPid) {
  std::string path = "/tmp/kpulse_watchdog_test_" + std::to_string(getpid());
  NotifySocket sock(path);
  ASSERT_TRUE(sock.bound());
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  ServiceWatchdog dog;
  ASSERT_TRUE(dog.enabled());
  EXPECT_EQ(dog.interval().count(), 400000);
  dog.kick();
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");
  dog.kick();  // within half the interval: nothing sent
  usleep(250000);
  dog.kick();
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");

  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_FALSE(ServiceWatchdog().enabled());
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  EXPECT_FALSE(ServiceWatchdog().enabled());
  unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace kpulse::daemon
