#include "probes/sched/ran_marks.h"

#include <linux/types.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

extern "C" {
#include "kpulse_types.h"
}

namespace kpulse::probes {

RanMarks::RanMarks(int map_fd) {
  if (map_fd < 0) return;
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const size_t bytes = (KP_RAN_SLOTS * sizeof(uint64_t) + page - 1) / page * page;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  if (p == MAP_FAILED) return;
  slots_ = static_cast<uint64_t*>(p);
  bytes_ = bytes;
}

RanMarks::~RanMarks() {
  if (slots_) munmap(slots_, bytes_);
}

std::vector<uint32_t> RanMarks::take() {
  std::vector<uint32_t> out;
  if (!slots_) return out;
  for (size_t i = 0; i < KP_RAN_SLOTS; ++i) {
    std::atomic_ref<uint64_t> slot(slots_[i]);
    // Read first: most slots are empty, and a swap would dirty their lines.
    if (slot.load(std::memory_order_relaxed) == 0) continue;
    if (uint64_t tgid = slot.exchange(0, std::memory_order_relaxed))
      out.push_back(static_cast<uint32_t>(tgid));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kpulse::probes
