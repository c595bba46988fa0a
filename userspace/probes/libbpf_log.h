// Captures libbpf's diagnostics so a rejected program can be reported with
// the verifier's own words instead of being printed to the user's terminal.
#pragma once

#include <string>
#include <vector>

namespace kpulse::probes {

// Routes libbpf output into an in-memory buffer (call once, before any open).
// With `echo_debug` libbpf's debug lines also go to stderr.
void capture_libbpf_log(bool echo_debug = false);

// Installs the capture unless some caller already did (keeps its settings).
void ensure_libbpf_log_captured();

// Everything libbpf printed since the last call, and clears it.
std::string take_libbpf_log();

// Names of programs libbpf reported as failed to load in `log`.
std::vector<std::string> failed_programs(const std::string& log);

// The last `n` meaningful lines of the verifier log printed for `program`
// (or of the whole log when the program is not named in it).
std::string verifier_tail(const std::string& log, const std::string& program, int n = 4);

}  // namespace kpulse::probes
