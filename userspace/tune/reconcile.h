// One coherent plan per resource: the tuners propose independently, this
// reconciles their proposals before they are shown or applied.
//  - Relative knobs (cpu.weight / cpu.shares) divide a parent's CPU among
//    its children: raising several siblings at once cancels out, so one raise
//    per parent survives, the worst-off sibling's.
//  - Each proposal names the contended resource its experiment occupies; the
//    controller runs one experiment per contended resource at a time.
#pragma once

#include <string>
#include <vector>

#include "tune/proposal.h"

namespace kpulse::tune {

// What an experiment on this knob competes for: every CPU knob ("cpu": quotas
// and weights all hand out the host's CPUs), every memory limit ("memory"),
// else the knob's own resource (a disk, a netns, the host's sysctls).
std::string contended_resource(const Knob& k);

// The parent whose CPU a relative knob divides; "" for other knobs.
std::string relative_group(const Knob& k);

// Proposals in order, minus those that would cancel out or duplicate a knob:
// per knob the latest proposal, per relative group the most severe one. Advice
// items are kept (they change nothing).
std::vector<Proposal> reconcile(std::vector<Proposal> proposals);

}  // namespace kpulse::tune
