// The output formats of `kpulse profile`.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "model/profile_data.h"

namespace kpulse::profile {

// One folded line's stack: "comm;root;...;leaf" (kernel frames end in "_[k]",
// the convention flame graph tools colour by).
std::string folded_stack(const StackSample& s);
// Brendan Gregg's folded format: one "stack count" line per distinct stack
// (count: samples, or nanoseconds blocked in an off-CPU profile).
std::string to_folded(const Profile& p);
// Parses folded text back into stack -> count (sums repeated stacks).
// Malformed lines are skipped and counted in `*bad_lines` when given.
std::map<std::string, uint64_t> parse_folded(const std::string& text, size_t* bad_lines = nullptr);

// pprof's profile.proto, gzip-compressed as pprof tools expect. Samples carry
// "pid", "comm" and "cgroup" labels; values are samples and CPU nanoseconds,
// or off-CPU nanoseconds.
std::string to_pprof(const Profile& p, int64_t time_nanos);

// A self-contained SVG flame graph (no scripts, no external resources).
std::string to_flamegraph_svg(const Profile& p, const std::string& title);

// Top functions by own and total samples (or blocked time), and the
// busiest processes.
std::string to_text(const Profile& p, size_t top_n);

// "123 samples", or off-CPU "12.3 ms blocked".
std::string amount_text(ProfileMode mode, uint64_t count);

}  // namespace kpulse::profile
