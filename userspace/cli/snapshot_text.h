// The readable (non-JSON) rendering of one snapshot: a summary and one table
// per component kind.
#pragma once

#include <cstdio>

#include "model/snapshot.h"

namespace kpulse::cli {

struct TextOptions {
  size_t max_processes = 25;
  size_t max_cgroups = 60;
};

void print_snapshot_text(std::FILE* out, const model::Snapshot& snap, const TextOptions& opts);

}  // namespace kpulse::cli
