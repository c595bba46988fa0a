#include "probes/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <sstream>

namespace kpulse::probes {
namespace {

std::mutex g_mutex;
std::string g_buffer;
bool g_echo_debug = false;
constexpr size_t kMaxBuffer = 1 << 20;  // verifier logs can be large

int print_fn(enum libbpf_print_level level, const char* fmt, va_list args) {
  char line[4096];
  vsnprintf(line, sizeof line, fmt, args);
  if (g_echo_debug) std::fputs(line, stderr);
  if (level == LIBBPF_DEBUG) return 0;
  std::lock_guard lock(g_mutex);
  if (g_buffer.size() < kMaxBuffer) g_buffer += line;
  return 0;
}

}  // namespace

bool g_installed = false;

void capture_libbpf_log(bool echo_debug) {
  g_echo_debug = echo_debug;
  g_installed = true;
  libbpf_set_print(print_fn);
}

void ensure_libbpf_log_captured() {
  if (!g_installed) capture_libbpf_log(false);
}

std::string take_libbpf_log() {
  std::lock_guard lock(g_mutex);
  std::string out;
  out.swap(g_buffer);
  return out;
}

std::vector<std::string> failed_programs(const std::string& log) {
  // libbpf: "libbpf: prog 'NAME': failed to load: -13"
  std::vector<std::string> out;
  const std::string marker = "prog '";
  for (size_t pos = log.find(marker); pos != std::string::npos; pos = log.find(marker, pos + 1)) {
    size_t start = pos + marker.size();
    size_t end = log.find('\'', start);
    if (end == std::string::npos) break;
    size_t eol = log.find('\n', end);
    std::string rest = log.substr(end, eol == std::string::npos ? std::string::npos : eol - end);
    if (rest.find("failed to load") != std::string::npos ||
        rest.find("failed to resolve") != std::string::npos ||
        rest.find("failed to find") != std::string::npos) {
      std::string name = log.substr(start, end - start);
      bool seen = false;
      for (const auto& n : out) seen |= n == name;
      if (!seen) out.push_back(name);
    }
  }
  return out;
}

std::string verifier_tail(const std::string& log, const std::string& program, int n) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  std::string line;
  bool in_program = program.empty();
  while (std::getline(in, line)) {
    if (!program.empty() && line.find("prog '" + program + "'") != std::string::npos)
      in_program = true;
    if (!in_program) continue;
    if (line.find("-- BEGIN PROG LOAD LOG --") != std::string::npos ||
        line.find("-- END PROG LOAD LOG --") != std::string::npos || line.empty())
      continue;
    lines.push_back(line);
    if (!program.empty() && line.find("failed to load") != std::string::npos) break;
  }
  if (lines.empty()) {  // program not named: fall back to the whole log
    std::istringstream all(log);
    while (std::getline(all, line))
      if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  int first = std::max(0, int(lines.size()) - n);
  for (int i = first; i < int(lines.size()); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  return out;
}

}  // namespace kpulse::probes
