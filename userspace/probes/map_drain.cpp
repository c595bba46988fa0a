#include "probes/map_drain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace kpulse::probes {
namespace {

constexpr uint32_t kBatch = 256;
// Batch buffers up to this size are kept between drains.
constexpr size_t kKeptBytes = size_t{4} << 20;

// A buffer that only grows, handed out without clearing (the kernel writes
// every byte the drain reads).
class ScratchBuffer {
 public:
  std::span<char> take(size_t n) {
    if (n > size_) {
      data_ = std::make_unique_for_overwrite<char[]>(n);
      size_ = n;
    }
    return {data_.get(), n};
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

struct DrainBuffers {
  ScratchBuffer keys, values;
  bool in_use = false;
};

class BufferClaim {
 public:
  explicit BufferClaim(DrainBuffers& b) : b_(b) { b_.in_use = true; }
  ~BufferClaim() { b_.in_use = false; }
  BufferClaim(const BufferClaim&) = delete;
  BufferClaim& operator=(const BufferClaim&) = delete;

 private:
  DrainBuffers& b_;
};

int drain_by_key(int fd, size_t key_size, size_t value_bytes,
                 const std::function<void(const void*, const void*)>& fn) {
  std::vector<char> key(key_size), next(key_size), value(value_bytes);
  int n = 0;
  void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    if (bpf_map_lookup_elem(fd, next.data(), value.data()) == 0) {
      fn(next.data(), value.data());
      ++n;
    }
    key.swap(next);
    prev = key.data();
  }
  return n;
}

}  // namespace

int possible_cpus() {
  // The kernel writes a per-CPU value for every possible CPU: a guess below
  // the real count lets it write past the buffer. The count needs a file
  // (/sys/devices/system/cpu/possible), so out of descriptors the old
  // fallback of 1 corrupted the heap on a 2-CPU host (kpulse probes under
  // ulimit -n 55 aborted in malloc). A failure throws instead, and is
  // retried at the next call; ProbeSet reads it before its maps take any
  // descriptor.
  static const int n = [] {
    const int v = libbpf_num_possible_cpus();
    if (v <= 0)
      throw std::runtime_error(
          "cannot read the possible CPUs (/sys/devices/system/cpu/possible): " +
          std::string(std::strerror(-v)));
    return v;
  }();
  return n;
}

int drain_map(int fd, size_t key_size, size_t value_size, bool per_cpu,
              const std::function<void(const void*, const void*)>& fn) {
  if (fd < 0) return -EBADF;
  const size_t stride = per_cpu ? ((value_size + 7) & ~size_t{7}) * possible_cpus() : value_size;
  // The batch buffers outlive the call: kp_sched_cgroups' values alone are
  // 160 KiB a batch on 2 CPUs, and allocating and zeroing them afresh was a
  // sixth of the drain at 1,000 cgroups. Not past kKeptBytes (many CPUs make
  // a batch megabytes, which would stay resident between drains), and a
  // drain from inside `fn` (none does) gets buffers of its own.
  thread_local DrainBuffers kept;
  DrainBuffers own;
  const bool keep = !kept.in_use && (key_size + stride) * kBatch <= kKeptBytes;
  DrainBuffers& buf = keep ? kept : own;
  const BufferClaim claim(buf);
  std::span<char> keys = buf.keys.take(key_size * kBatch);
  std::span<char> values = buf.values.take(stride * kBatch);
  // Batch cursors are opaque and at least key-sized; u64 covers hash maps.
  std::vector<char> in_batch(std::max<size_t>(key_size, 8)), out_batch(in_batch.size());
  bool first = true;
  int total = 0;
  for (;;) {
    __u32 count = kBatch;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int err = bpf_map_lookup_batch(fd, first ? nullptr : in_batch.data(), out_batch.data(),
                                   keys.data(), values.data(), &count, &opts);
    int saved = errno;
    for (__u32 i = 0; i < count; ++i) fn(keys.data() + i * key_size, values.data() + i * stride);
    total += int(count);
    if (err) {
      if (saved == ENOENT) return total;  // walked the whole map
      if (first && (saved == EINVAL || saved == ENOTSUP || saved == EOPNOTSUPP))
        return drain_by_key(fd, key_size, stride, fn);
      return -saved;
    }
    in_batch.swap(out_batch);
    first = false;
  }
}

}  // namespace kpulse::probes
