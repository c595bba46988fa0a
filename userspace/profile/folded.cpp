#include <sstream>

#include "profile/profile_formats.h"

namespace kpulse::profile {
namespace {

// Folded frames are separated by ';' and end at the last space before the
// count: a ';' inside a name would split it.
std::string clean(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (c == ';' || c == '\n') c = ':';
  return s;
}

}  // namespace

std::string folded_stack(const StackSample& s) {
  std::string out = clean(s.comm.empty() ? "[unknown]" : s.comm);
  for (const auto& f : s.frames) {
    out.push_back(';');
    out += clean(f.function);
    if (f.kernel) out += "_[k]";
  }
  return out;
}

std::string to_folded(const Profile& p) {
  std::map<std::string, uint64_t> stacks;
  for (const auto& s : p.samples) stacks[folded_stack(s)] += s.count;
  std::string out;
  for (const auto& [stack, count] : stacks) out += stack + " " + std::to_string(count) + "\n";
  return out;
}

std::map<std::string, uint64_t> parse_folded(const std::string& text, size_t* bad_lines) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string line;
  size_t bad = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto space = line.rfind(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size()) {
      ++bad;
      continue;
    }
    const std::string count = line.substr(space + 1);
    if (count.find_first_not_of("0123456789") != std::string::npos) {
      ++bad;
      continue;
    }
    out[line.substr(0, space)] += std::stoull(count);
  }
  if (bad_lines) *bad_lines = bad;
  return out;
}

}  // namespace kpulse::profile
