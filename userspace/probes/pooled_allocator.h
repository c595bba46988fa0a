// An allocator drawing from one process-wide pool of fixed-size blocks, for
// maps rebuilt every interval (BpfTotals::cgroups): each drain makes a node
// per cgroup (~1.4 KiB) and the engine frees the previous drain's, and at
// 1,000 cgroups malloc's bin upkeep for them was a fifth of the drain. The
// pool hands freed blocks back out as they are (O(1), no search) and keeps
// them: what it holds is the peak number of nodes alive at once (two drains'
// worth), never more.
#pragma once

#include <cstddef>
#include <memory_resource>

namespace kpulse::probes {

// The pool (thread-safe; never destroyed, so maps in static storage may
// outlive any other static).
std::pmr::memory_resource& totals_pool();

// Stateless, so every instance is equal: containers move in O(1) between
// each other like the default allocator's.
template <class T>
struct PooledAllocator {
  using value_type = T;
  PooledAllocator() = default;
  template <class U>
  PooledAllocator(const PooledAllocator<U>&) {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) {
    return static_cast<T*>(totals_pool().allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t n) { totals_pool().deallocate(p, n * sizeof(T), alignof(T)); }
  template <class U>
  bool operator==(const PooledAllocator<U>&) const {
    return true;
  }
};

}  // namespace kpulse::probes
