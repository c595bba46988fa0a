// How many files the engine keeps open between intervals, split between
// cgroupfs files and running processes' /proc/PID/stat (collect/kept_file.h).
#pragma once

#include <cstddef>

#include "collect/cgroup_stats.h"

namespace kpulse::engine {

// /proc/PID/stat files of processes that run kept open (engine/process_list.h).
size_t kept_stat_files();

// The cgroup stats reader's options: its kept files get what the stat files
// leave of the descriptor budget.
collect::CgroupStatsOptions cgroup_stats_options();

}  // namespace kpulse::engine
