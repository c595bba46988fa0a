#include "probes/pooled_allocator.h"

namespace kpulse::probes {

std::pmr::memory_resource& totals_pool() {
  // Leaked on purpose: a static map's nodes may be freed after any other
  // static is destroyed.
  static auto* pool = new std::pmr::synchronized_pool_resource();
  return *pool;
}

}  // namespace kpulse::probes
