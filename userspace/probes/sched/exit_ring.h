// The sched group's exit records (one per task that exits), read from their
// ring buffer continuously by a thread of their own: a fork storm would
// overflow the ring between two drains.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "probes/bpf_totals.h"

struct ring_buffer;

namespace kpulse::probes {

class ExitRing {
 public:
  // Starts reading the ring buffer map `map_fd`; inactive if that fails.
  explicit ExitRing(int map_fd);
  ~ExitRing();
  ExitRing(const ExitRing&) = delete;
  ExitRing& operator=(const ExitRing&) = delete;

  // The exits read since the last call, including any submitted just before.
  std::vector<kp_exit_event> take();

 private:
  void run();

  struct ring_buffer* ring_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex pending_mutex_;
  std::vector<kp_exit_event> pending_;
  // Serialises ring_buffer__consume between the thread and take(), which
  // consumes too so that an exit submitted before it is never left behind.
  std::mutex ring_mutex_;
};

}  // namespace kpulse::probes
