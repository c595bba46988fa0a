#include "profile/kernel_symbols.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <string_view>

namespace kpulse::profile {

namespace {

// The whole file in one buffer: /proc/kallsyms is ~5 MiB of short lines, and
// reading it in large chunks and splitting in place costs a fraction of a
// line-by-line stdio read.
std::string read_all(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  constexpr size_t kChunk = 1 << 20;
  size_t used = 0;
  for (;;) {
    text.resize(used + kChunk);
    ssize_t n = ::read(fd, text.data() + used, kChunk);
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return text;
}

}  // namespace

KernelSymbols::KernelSymbols(const std::string& path) {
  const std::string text = read_all(path);
  // Module symbols come grouped by module: remember the last one's name.
  std::string_view last_module;
  uint32_t last_module_offset = std::numeric_limits<uint32_t>::max();
  symbols_.reserve(text.size() / 40);
  names_.reserve(text.size() / 2);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    // "ffffffff81000000 T _stext" or "... t name\t[module]"
    size_t space = line.find(' ');
    if (space == std::string_view::npos || line.size() < space + 4) continue;
    uint64_t addr = 0;
    if (std::from_chars(line.data(), line.data() + space, addr, 16).ec != std::errc{} || !addr)
      continue;
    char type = line[space + 1];
    // Text symbols only: samples land in code.
    if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
    std::string_view rest = line.substr(space + 3);
    size_t tab = rest.find('\t');
    std::string_view name = rest.substr(0, tab);
    uint32_t module = std::numeric_limits<uint32_t>::max();
    if (tab != std::string_view::npos) {
      std::string_view m = rest.substr(tab + 1);
      if (!m.empty() && m.front() == '[') m.remove_prefix(1);
      if (!m.empty() && m.back() == ']') m.remove_suffix(1);
      if (m != last_module || last_module_offset == std::numeric_limits<uint32_t>::max()) {
        last_module = m;
        last_module_offset = static_cast<uint32_t>(names_.size());
        names_.append(m).push_back('\0');
      }
      module = last_module_offset;
    }
    symbols_.push_back({addr, static_cast<uint32_t>(names_.size()), module});
    names_.append(name).push_back('\0');
  }
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
