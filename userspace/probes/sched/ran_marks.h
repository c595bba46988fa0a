// The processes that got a CPU since the last look, from the sched group's
// kp_sched_ran array (BPF stores the tgid of each task getting a CPU in a
// slot chosen by a hash of it). The engine reads /proc only for these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kpulse::probes {

class RanMarks {
 public:
  // Maps the array (BPF_F_MMAPABLE); empty marks if that fails.
  explicit RanMarks(int map_fd);
  ~RanMarks();
  RanMarks(const RanMarks&) = delete;
  RanMarks& operator=(const RanMarks&) = delete;

  [[nodiscard]] bool mapped() const { return slots_ != nullptr; }
  // The tgids marked since the previous call, each slot emptied as it is
  // read (an atomic swap: a mark BPF makes meanwhile is kept for next time).
  std::vector<uint32_t> take();

 private:
  uint64_t* slots_ = nullptr;  // one tgid per slot (8 bytes: array values are aligned)
  size_t bytes_ = 0;
};

}  // namespace kpulse::probes
