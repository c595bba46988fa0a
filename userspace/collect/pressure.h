// Pressure stall information (PSI) files: /proc/pressure/{cpu,memory,io} for
// the host and <cgroup>/{cpu,memory,io}.pressure for a cgroup. Both share one
// format:
//   some avg10=0.53 avg60=0.30 avg300=0.12 total=3615129
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
#pragma once

#include <string>
#include <string_view>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

enum class PsiResource { Cpu, Memory, Io };

// Parses one pressure file's text into psi.<resource>.{some,full} (cumulative
// seconds, from total= microseconds) and psi.<resource>.some_avg10 (ratio
// 0..1, from the percentage). Returns false when nothing usable was found.
bool parse_pressure(std::string_view text, PsiResource resource, model::Component& out,
                    std::string_view file_for_errors = "", Problems* problems = nullptr);

// Reads the three pressure files in `dir` named "<prefix>cpu<suffix>" etc.
// Missing files (kernel without PSI, psi=0 boot option, a cgroup without the
// controller) are skipped silently. Returns how many files were read.
int read_pressure_files(const std::string& dir, std::string_view prefix, std::string_view suffix,
                        model::Component& out, Problems* problems = nullptr);

// Host PSI from <proc_root>/pressure/.
inline int read_host_pressure(const std::string& proc_root, model::Component& host,
                              Problems* problems = nullptr) {
  return read_pressure_files(proc_root + "/pressure", "", "", host, problems);
}

}  // namespace kpulse::collect
