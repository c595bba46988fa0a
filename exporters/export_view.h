// The few places where what kpulse keeps and what it exports differ, so that
// one exported name means one thing at every level.
#pragma once

#include "model/snapshot.h"

namespace kpulse::exporters {

// cpu.utilization is "CPUs used" on cgroups and processes in the model (the
// TUI and analytics want that), but a share 0..1 on the host and per CPU.
// Exported, it is a share everywhere: cgroup and process values are divided
// by the host's CPU count (the CPU components in the snapshot).
void utilization_as_share(model::Snapshot& snapshot);

}  // namespace kpulse::exporters
