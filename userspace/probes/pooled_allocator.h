// An allocator keeping freed blocks of a few sizes for reuse, for maps
// rebuilt every interval (BpfTotals::cgroups): each drain makes a node per
// cgroup (~1.4 KiB, past malloc's per-thread cache) and the engine frees the
// previous drain's, and at 1,000 cgroups malloc's bin upkeep for them was a
// fifth of the drain. A freed block goes on its size's free list and is
// handed out again as it is (a lock and a pop); the lists hold at most as
// many blocks as were alive at once (two drains' worth), never more.
#pragma once

#include <cstddef>
#include <new>

namespace kpulse::probes {

// A block of `bytes` (aligned for any type), from the free list when one
// of that size is there. Thread-safe. Up to 4 sizes are kept (one per map
// type using PooledAllocator); others always come from operator new.
void* take_block(std::size_t bytes);
// Puts a block from take_block(bytes) back.
void give_block(void* p, std::size_t bytes) noexcept;

// The same for arrays of any size: the last two freed are kept (a map
// freed and its successor made with as many buckets find one there).
void* take_array(std::size_t bytes);
void give_array(void* p, std::size_t bytes) noexcept;

// Stateless, so every instance is equal: containers move in O(1) between
// each other like the default allocator's.
template <class T>
struct PooledAllocator {
  static_assert(alignof(T) <= alignof(std::max_align_t));
  using value_type = T;
  // For a map's bucket array T is a node pointer, so this is sizeof(pointer) on purpose.
  static constexpr std::size_t kSize = sizeof(T);  // NOLINT(bugprone-sizeof-expression)
  PooledAllocator() = default;
  template <class U>
  PooledAllocator(const PooledAllocator<U>&) {}  // NOLINT: rebinding is implicit
  // Single objects (a map's nodes) from the free lists; arrays (its buckets:
  // as many each drain, so one size again and again) from the last freed.
  T* allocate(std::size_t n) {
    return static_cast<T*>(n == 1 ? take_block(kSize) : take_array(n * kSize));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n == 1)
      give_block(p, kSize);
    else
      give_array(p, n * kSize);
  }
  template <class U>
  bool operator==(const PooledAllocator<U>&) const {
    return true;
  }
};

}  // namespace kpulse::probes
