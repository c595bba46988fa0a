#include "probes/sched/exit_ring.h"

#include <bpf/libbpf.h>
#include <pthread.h>
#include <sys/capability.h>
#include <sys/epoll.h>

#include <cstring>

namespace kpulse::probes {
namespace {

// Bound on exits kept between two drains (a fork storm drops the rest).
constexpr size_t kMaxPendingExits = 100000;

}  // namespace

ExitRing::ExitRing(int map_fd) {
  ring_ = ring_buffer__new(
      map_fd,
      [](void* ctx, void* data, size_t size) -> int {
        if (size >= sizeof(kp_exit_event)) {
          auto* self = static_cast<ExitRing*>(ctx);
          kp_exit_event e;
          std::memcpy(&e, data, sizeof e);
          std::lock_guard lock(self->pending_mutex_);
          if (self->pending_.size() < kMaxPendingExits) self->pending_.push_back(e);
        }
        return 0;
      },
      this, nullptr);
  if (ring_) thread_ = std::thread([this] { run(); });
}

ExitRing::~ExitRing() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (ring_) ring_buffer__free(ring_);
}

void ExitRing::run() {
  // Started before a daemon drops its capabilities, which it does on its
  // main thread only (they are per thread); reading the ring needs none, so
  // this thread holds none.
  if (cap_t none = cap_init()) {
    cap_set_proc(none);
    cap_free(none);
  }
  pthread_setname_np(pthread_self(), "kpulse-exits");
  int epoll_fd = ring_buffer__epoll_fd(ring_);
  while (!stopping_.load()) {
    struct epoll_event ready[4];
    epoll_wait(epoll_fd, ready, 4, 100);
    std::lock_guard ring(ring_mutex_);
    ring_buffer__consume(ring_);
  }
}

std::vector<kp_exit_event> ExitRing::take() {
  std::vector<kp_exit_event> out;
  if (!ring_) return out;
  {
    // The thread may not have woken for exits just submitted (a loaded or
    // emulated machine): take them now.
    std::lock_guard ring(ring_mutex_);
    ring_buffer__consume(ring_);
  }
  std::lock_guard lock(pending_mutex_);
  out.swap(pending_);
  return out;
}

}  // namespace kpulse::probes
