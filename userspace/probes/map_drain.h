// Reads whole BPF maps per interval with the batch API (one syscall per
// batch instead of two per key), falling back to key-by-key iteration on
// kernels or map types without batch support.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace kpulse::probes {

// Number of possible CPUs: the stride of per-CPU map values. Throws
// std::runtime_error when it cannot be read (never guesses).
int possible_cpus();

// Calls `fn(key, values)` for every entry. For per-CPU maps `values` holds
// possible_cpus() values, each `value_size` rounded up to 8 bytes.
// Returns the number of entries, or -errno.
int drain_map(int map_fd, size_t key_size, size_t value_size, bool per_cpu,
              const std::function<void(const void* key, const void* values)>& fn);

// Typed convenience: values already split per CPU.
template <class K, class V>
int drain_percpu(int map_fd,
                 const std::function<void(const K&, const std::vector<const V*>&)>& fn) {
  const int ncpu = possible_cpus();
  const size_t stride = (sizeof(V) + 7) & ~size_t{7};
  std::vector<const V*> per_cpu(ncpu);
  return drain_map(map_fd, sizeof(K), sizeof(V), true, [&](const void* k, const void* vals) {
    for (int c = 0; c < ncpu; ++c)
      per_cpu[c] = reinterpret_cast<const V*>(static_cast<const char*>(vals) + c * stride);
    fn(*static_cast<const K*>(k), per_cpu);
  });
}

}  // namespace kpulse::probes
