// The neighbour guard: a trial that helps its target must not do it at the
// neighbours' cost. Every snapshot of an experiment's baseline and evaluation
// windows is read for what the rest of the host gets: the other cgroups' CPU
// and run-queue latency (processes in the root cgroup included), the host's
// idle CPUs and its pressure (PSI). A neighbour made worse beyond the stated
// margins reverts the trial, whatever its own objective says.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/histogram.h"
#include "model/snapshot.h"
#include "tune/knob.h"

namespace kpulse::tune {

struct GuardMargins {
  // Neighbours' CPU may fall by at most this share (and at least min_cpus
  // counts as a fall) while the host has no idle CPU left to give.
  double cpu_loss = 0.10;
  double cpu_loss_min = 0.10;    // CPUs
  double saturated_idle = 0.25;  // CPUs idle at or below which the host is saturated
  // A neighbour cgroup's run-queue p99 may grow by at most this factor and
  // this many seconds (both must be exceeded), with enough wakeups to read it.
  double runq_ratio = 1.5;
  double runq_abs_s = 0.0005;
  double min_wakeups = 50;
  // Host PSI of the knob's resource (cpu, memory or io) may rise by at most
  // this many seconds stalled per second.
  double psi_rise = 0.10;
  // Idle CPUs the host must keep (--min-idle-cpu): a CPU trial that takes the
  // host below it from above is reverted.
  double min_idle_cpus = 0.25;
  double noise_sigmas = 2;  // a change must also exceed this many standard errors
};

// One snapshot, seen from outside the target cgroup (its subtree and
// ancestors excluded; "" = no cgroup target, everything is a neighbour).
struct GuardSample {
  double others_cpus = 0;  // host busy CPUs minus the target's
  double idle_cpus = 0;
  double psi_cpu = 0, psi_memory = 0, psi_io = 0;    // host, s/s
  std::map<std::string, model::Log2Histogram> runq;  // per neighbour cgroup
  bool valid = false;
};
GuardSample guard_sample(const model::Snapshot& s, const std::string& target_cgroup);

// nullopt when no neighbour is worse beyond the margins; else why (one line).
std::optional<std::string> neighbour_harm(KnobKind kind, const std::vector<GuardSample>& baseline,
                                          const std::vector<GuardSample>& evaluated,
                                          const GuardMargins& m);

}  // namespace kpulse::tune
