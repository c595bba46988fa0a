#include "profile/kernel_symbols.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

namespace kpulse::profile {

KernelSymbols::KernelSymbols(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return;
  std::map<std::string, uint32_t> modules;
  char line[512];
  while (std::fgets(line, sizeof line, f)) {
    char* end = nullptr;
    uint64_t addr = std::strtoull(line, &end, 16);
    if (!end || *end != ' ' || !addr) continue;
    char type = end[1];
    // Text symbols only: samples land in code.
    if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
    char* name = end + 3;
    size_t len = std::strcspn(name, "\t\n");
    uint32_t module = std::numeric_limits<uint32_t>::max();
    if (name[len] == '\t') {
      char* mod = name + len + 1;
      if (*mod == '[') ++mod;
      std::string m(mod, std::strcspn(mod, "]\n"));
      auto [it, inserted] = modules.emplace(m, 0);
      if (inserted) {
        it->second = static_cast<uint32_t>(names_.size());
        names_.append(m).push_back('\0');
      }
      module = it->second;
    }
    symbols_.push_back({addr, static_cast<uint32_t>(names_.size()), module});
    names_.append(name, len).push_back('\0');
  }
  std::fclose(f);
  std::stable_sort(symbols_.begin(), symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
}

KernelSymbols::Hit KernelSymbols::lookup(uint64_t addr) const {
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                             [](uint64_t a, const Symbol& s) { return a < s.addr; });
  if (it == symbols_.begin()) return {};
  --it;
  Hit h;
  h.function = std::string_view(names_.data() + it->name);
  if (it->module != std::numeric_limits<uint32_t>::max())
    h.module = std::string_view(names_.data() + it->module);
  return h;
}

}  // namespace kpulse::profile
