// Function symbols of one ELF file (.symtab, else .dynsym; a separate debug
// file under /usr/lib/debug/.build-id/ when one is installed), and a bounded
// cache of them keyed by build-id, so one libc serves every process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

typedef struct Elf Elf;

namespace kpulse::profile {

class ElfSymbols {
 public:
  // Reads `path`; an unreadable or non-ELF file gives an empty table.
  explicit ElfSymbols(const std::string& path);
  // An ELF image already in memory (the [vdso] read out of a process).
  static ElfSymbols from_image(std::string image);

  // The function containing the file offset `offset` (as /proc/PID/maps
  // computes it: address - start + pgoff), or "" when none covers it.
  [[nodiscard]] std::string_view function_at_offset(uint64_t offset) const;
  [[nodiscard]] const std::string& build_id() const { return build_id_; }
  [[nodiscard]] size_t size() const { return symbols_.size(); }

 private:
  ElfSymbols() = default;
  struct Segment {
    uint64_t offset, vaddr, filesz;
  };
  struct Symbol {
    uint64_t addr, size;
    uint32_t name;  // offset in names_
  };
  bool load_symbols(const std::string& path, bool want_segments);
  void load_from(Elf* elf, bool want_segments);

  std::string build_id_;  // hex, "" when the file has none
  std::vector<Segment> segments_;
  std::vector<Symbol> symbols_;  // sorted by addr
  std::string names_;
};

// Reads the build-id note of an ELF file (hex), or "".
std::string read_build_id(const std::string& path);

class ElfCache {
 public:
  // At most `max_symbols` symbols in all cached files (least recently used
  // files go first); a single larger file is still loaded, then dropped.
  explicit ElfCache(size_t max_symbols = 1'000'000) : max_symbols_(max_symbols) {}

  // Symbols of the file `path` opened through `open_path` (e.g. a
  // /proc/PID/map_files entry); `dev`/`inode` identify it without reading.
  std::shared_ptr<const ElfSymbols> get(const std::string& open_path, dev_t dev, ino_t inode);
  [[nodiscard]] size_t files() const { return lru_.size(); }
  [[nodiscard]] size_t symbols() const { return symbols_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const ElfSymbols> elf;
  };
  size_t max_symbols_;
  size_t symbols_ = 0;
  std::list<Entry> lru_;  // front: most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
  // (dev, inode) -> build-id key, so a known file is not reopened per process.
  std::unordered_map<std::string, std::string> key_of_file_;
};

}  // namespace kpulse::profile
