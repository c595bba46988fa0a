// Turns drained raw stacks into named frames: kernel frames from kallsyms,
// user frames from each mapping's ELF symbols. Must run while the sampled
// processes still exist (their /proc/PID/maps), i.e. at every drain.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/profile_data.h"
#include "profile/elf_symbols.h"
#include "profile/kernel_symbols.h"
#include "profile/process_maps.h"
#include "profile/profile_probe.h"

namespace kpulse::profile {

class Symbolizer {
 public:
  explicit Symbolizer(size_t max_cached_symbols = 1'000'000) : elf_(max_cached_symbols) {}

  // Call once per drain: process mappings are re-read on first use after it.
  void begin_drain() { maps_.clear(); }
  // The sample with named frames (cgroup path left for the caller).
  StackSample resolve(const RawSample& raw);

  [[nodiscard]] const ElfCache& elf_cache() const { return elf_; }
  [[nodiscard]] size_t kernel_symbols() const { return kernel_.size(); }

 private:
  const std::vector<Mapping>& maps_of(uint32_t pid);
  Frame user_frame(uint32_t pid, const Mapping& m, uint64_t lookup_addr);

  KernelSymbols kernel_;
  ElfCache elf_;
  std::shared_ptr<const ElfSymbols> vdso_;  // the same image in every process
  std::unordered_map<uint32_t, std::vector<Mapping>> maps_;
};

// "_ZN3foo3barEv" -> "foo::bar()"; other names unchanged.
std::string demangle(std::string_view name);

}  // namespace kpulse::profile
