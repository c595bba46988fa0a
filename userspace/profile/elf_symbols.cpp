#include "profile/elf_symbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace kpulse::profile {
namespace {

// An open ELF handle that closes itself.
struct ElfFile {
  int fd = -1;
  Elf* elf = nullptr;
  explicit ElfFile(const std::string& path) {
    static const bool initialised = elf_version(EV_CURRENT) != EV_NONE;
    if (!initialised) return;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf && elf_kind(elf) != ELF_K_ELF) {
      elf_end(elf);
      elf = nullptr;
    }
  }
  ~ElfFile() {
    if (elf) elf_end(elf);
    if (fd >= 0) ::close(fd);
  }
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
};

std::string hex(const unsigned char* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(digits[p[i] >> 4]);
    s.push_back(digits[p[i] & 15]);
  }
  return s;
}

std::string build_id_of(Elf* elf) {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t off = 0, name_off = 0, desc_off = 0;
    GElf_Nhdr nh;
    while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
      const char* base = static_cast<const char*>(data->d_buf);
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
          std::memcmp(base + name_off, "GNU", 4) == 0)
        return hex(reinterpret_cast<const unsigned char*>(base + desc_off), nh.n_descsz);
    }
  }
  return {};
}

}  // namespace

std::string read_build_id(const std::string& path) {
  ElfFile f(path);
  return f.elf ? build_id_of(f.elf) : std::string();
}

ElfSymbols::ElfSymbols(const std::string& path) {
  if (!load_symbols(path, true)) return;
  // Stripped binaries keep their full symbol table in a debug package.
  if (!build_id_.empty() && build_id_.size() > 2) {
    std::string debug =
        "/usr/lib/debug/.build-id/" + build_id_.substr(0, 2) + "/" + build_id_.substr(2) + ".debug";
    if (::access(debug.c_str(), R_OK) == 0) {
      ElfSymbols separate;
      if (separate.load_symbols(debug, false) && separate.symbols_.size() > symbols_.size()) {
        symbols_ = std::move(separate.symbols_);
        names_ = std::move(separate.names_);
      }
    }
  }
}

ElfSymbols ElfSymbols::from_image(std::string image) {
  ElfSymbols out;
  if (elf_version(EV_CURRENT) == EV_NONE) return out;
  Elf* elf = elf_memory(image.data(), image.size());
  if (elf && elf_kind(elf) == ELF_K_ELF) out.load_from(elf, true);
  if (elf) elf_end(elf);
  return out;
}

bool ElfSymbols::load_symbols(const std::string& path, bool want_segments) {
  ElfFile f(path);
  if (!f.elf) return false;
  load_from(f.elf, want_segments);
  return true;
}

void ElfSymbols::load_from(Elf* elf, bool want_segments) {
  build_id_ = build_id_of(elf);
  if (want_segments) {
    size_t n = 0;
    if (elf_getphdrnum(elf, &n) == 0)
      for (size_t i = 0; i < n; ++i) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, static_cast<int>(i), &ph) && ph.p_type == PT_LOAD)
          segments_.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz});
      }
  }
  // .symtab has the local (static) functions too; .dynsym only exports.
  Elf_Scn* chosen = nullptr;
  GElf_Shdr chosen_sh{};
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !chosen)) {
      chosen = scn;
      chosen_sh = sh;
    }
  }
  if (!chosen) return;
  Elf_Data* data = elf_getdata(chosen, nullptr);
  size_t count = chosen_sh.sh_entsize ? chosen_sh.sh_size / chosen_sh.sh_entsize : 0;
  for (size_t i = 0; data && i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || !sym.st_value)
      continue;
    const char* name = elf_strptr(elf, chosen_sh.sh_link, sym.st_name);
    if (!name || !*name) continue;
    symbols_.push_back({sym.st_value, sym.st_size, static_cast<uint32_t>(names_.size())});
    names_.append(name).push_back('\0');
  }
  std::sort(symbols_.begin(), symbols_.end(),
            [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
}

std::string_view ElfSymbols::function_at_offset(uint64_t offset) const {
  uint64_t vaddr = offset;
  for (const auto& s : segments_)
    if (offset >= s.offset && offset < s.offset + s.filesz) {
      vaddr = offset - s.offset + s.vaddr;
      break;
    }
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), vaddr,
                             [](uint64_t a, const Symbol& s) { return a < s.addr; });
  if (it == symbols_.begin()) return {};
  --it;
  // A sized symbol must contain the address; an unsized one (hand-written
  // assembly) is taken as reaching the next symbol.
  if (it->size && vaddr >= it->addr + it->size) return {};
  return std::string_view(names_.data() + it->name);
}

std::shared_ptr<const ElfSymbols> ElfCache::get(const std::string& open_path, dev_t dev,
                                                ino_t inode) {
  const std::string file_key = std::to_string(dev) + ":" + std::to_string(inode);
  std::string key;
  if (auto k = key_of_file_.find(file_key); k != key_of_file_.end()) {
    key = k->second;
  } else {
    std::string id = read_build_id(open_path);
    key = id.empty() ? "file:" + file_key : id;
    if (key_of_file_.size() > 65536) key_of_file_.clear();  // bound the index too
    key_of_file_.emplace(file_key, key);
  }
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->elf;
  }
  auto elf = std::make_shared<const ElfSymbols>(open_path);
  lru_.push_front({key, elf});
  by_key_[key] = lru_.begin();
  symbols_ += elf->size();
  while (symbols_ > max_symbols_ && lru_.size() > 1) {
    symbols_ -= lru_.back().elf->size();
    by_key_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return elf;
}

}  // namespace kpulse::profile
