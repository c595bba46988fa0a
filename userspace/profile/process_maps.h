// The executable mappings of one process, from /proc/PID/maps.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kpulse::profile {

struct Mapping {
  uint64_t start = 0, end = 0, pgoff = 0;
  dev_t dev = 0;
  ino_t inode = 0;
  std::string path;  // as the process sees it; "[vdso]", "" for anonymous
};

// Executable mappings sorted by address; empty when the process is gone.
std::vector<Mapping> read_executable_mappings(uint32_t pid);
// Parses the text of a maps file (exposed for tests).
std::vector<Mapping> parse_executable_mappings(const std::string& text);
// The mapping containing `addr`, or null.
const Mapping* find_mapping(const std::vector<Mapping>& maps, uint64_t addr);

}  // namespace kpulse::profile
