#include "workloads.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

namespace kpulse::testing {

using namespace std::chrono_literals;

int spin(int threads, double seconds) {
  std::vector<std::thread> ts;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([end] {
      volatile uint64_t x = 0;
      while (std::chrono::steady_clock::now() < end) x = x + 1;
    });
  for (auto& t : ts) t.join();
  return 0;
}

int direct_io(const std::string& device, int threads, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&, i] {
      int fd = ::open(device.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
      void* buf = nullptr;
      if (fd < 0 || posix_memalign(&buf, 4096, 4096) != 0) {
        ++failures;
        if (fd >= 0) ::close(fd);
        return;
      }
      std::memset(buf, i, 4096);
      const auto blocks = uint64_t(::lseek(fd, 0, SEEK_END) / 4096);
      std::mt19937_64 rng{uint64_t(i)};
      for (uint64_t n = 0; std::chrono::steady_clock::now() < end; ++n) {
        const off_t at = off_t(rng() % blocks) * 4096;
        const ssize_t done = n % 2 ? ::pwrite(fd, buf, 4096, at) : ::pread(fd, buf, 4096, at);
        if (done != 4096) ++failures;
        if (n % 64 == 63) ::fdatasync(fd);  // flushes, as a filesystem sends them
      }
      std::free(buf);
      ::close(fd);
    });
  for (auto& t : ts) t.join();
  return failures == 0 ? 0 : 1;
}

int hold_memory(std::size_t mib, double seconds) {
  const std::size_t bytes = mib << 20;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  std::memset(p, 1, bytes);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  ::munmap(p, bytes);
  return 0;
}

MemoryCgroup::MemoryCgroup(const std::string& name) : v2_(name) {
  if (::access("/sys/fs/cgroup/memory", F_OK) == 0) {
    v1_dir_ = "/sys/fs/cgroup/memory" + v2_.path();
    ::mkdir(v1_dir_.c_str(), 0755);
    std::ofstream(v1_dir_ + "/memory.limit_in_bytes") << (1 << 30);
  } else {
    std::ofstream(v2_.dir() + "/memory.max") << (1 << 30);
  }
}

MemoryCgroup::~MemoryCgroup() {
  v2_.kill_all();
  if (v1_dir_.empty()) return;
  for (int i = 0; i < 50 && ::rmdir(v1_dir_.c_str()) != 0; ++i)
    std::this_thread::sleep_for(20ms);  // the killed tasks leave it shortly
}

void MemoryCgroup::join_v1() const {
  if (!v1_dir_.empty()) std::ofstream(v1_dir_ + "/cgroup.procs") << getpid();
}

}  // namespace kpulse::testing
