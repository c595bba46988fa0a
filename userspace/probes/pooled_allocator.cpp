#include "probes/pooled_allocator.h"

#include <array>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace kpulse::probes {
namespace {

// Sizes of objects kept: one per map type using the allocator.
constexpr std::size_t kSizes = 4;

struct KeptArray {
  void* p = nullptr;
  std::size_t bytes = 0;
};

struct FreeLists {
  std::mutex mutex;
  std::array<KeptArray, 2> arrays{};        // [0] the last freed
  std::array<std::size_t, kSizes> bytes{};  // 0: unused
  std::array<std::vector<void*>, kSizes> blocks;

  // The list for `n` bytes, claiming an unused one; nullptr if none.
  std::vector<void*>* list_for(std::size_t n) {
    for (std::size_t i = 0; i < kSizes; ++i) {
      if (bytes[i] == n) return &blocks[i];
      if (bytes[i] == 0) {
        bytes[i] = n;
        return &blocks[i];
      }
    }
    return nullptr;
  }
};

FreeLists& free_lists() {
  // Leaked on purpose: a static map's nodes may be freed after any other
  // static is destroyed.
  static auto* lists = new FreeLists();
  return *lists;
}

}  // namespace

void* take_block(std::size_t bytes) {
  {
    FreeLists& f = free_lists();
    const std::lock_guard lock(f.mutex);
    if (std::vector<void*>* list = f.list_for(bytes); list && !list->empty()) {
      void* p = list->back();
      list->pop_back();
      return p;
    }
  }
  return ::operator new(bytes);
}

void give_block(void* p, std::size_t bytes) noexcept {
  {
    FreeLists& f = free_lists();
    const std::lock_guard lock(f.mutex);
    if (std::vector<void*>* list = f.list_for(bytes)) {
      try {
        list->push_back(p);
        return;
      } catch (const std::bad_alloc&) {  // no room to keep it: free it
      }
    }
  }
  ::operator delete(p);
}

void* take_array(std::size_t bytes) {
  {
    FreeLists& f = free_lists();
    const std::lock_guard lock(f.mutex);
    for (KeptArray& a : f.arrays)
      if (a.p && a.bytes == bytes) return std::exchange(a, {}).p;
  }
  return ::operator new(bytes);
}

void give_array(void* p, std::size_t bytes) noexcept {
  KeptArray evicted;
  {
    FreeLists& f = free_lists();
    const std::lock_guard lock(f.mutex);
    if (f.arrays[0].p && f.arrays[1].p) evicted = f.arrays[1];
    if (f.arrays[0].p) f.arrays[1] = f.arrays[0];
    f.arrays[0] = {p, bytes};
  }
  ::operator delete(evicted.p);  // null-safe
}

}  // namespace kpulse::probes
