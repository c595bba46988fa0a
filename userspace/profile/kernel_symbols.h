// Kernel text symbols from /proc/kallsyms, modules included ("[nf_tables]").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kpulse::profile {

class KernelSymbols {
 public:
  // Reads `path` (default /proc/kallsyms). Addresses hidden by kptr_restrict
  // (all zero) leave the table empty: frames then resolve to "[unknown]".
  explicit KernelSymbols(const std::string& path = "/proc/kallsyms");

  struct Hit {
    std::string_view function;
    std::string_view module;  // "" for the core kernel
  };
  // The symbol covering `addr`, or nullopt-like empty function.
  [[nodiscard]] Hit lookup(uint64_t addr) const;
  [[nodiscard]] size_t size() const { return symbols_.size(); }

 private:
  struct Symbol {
    uint64_t addr;
    uint32_t name;    // offset in names_
    uint32_t module;  // offset in names_, or UINT32_MAX
  };
  std::vector<Symbol> symbols_;
  std::string names_;  // NUL-separated
};

}  // namespace kpulse::profile
