// Turns the analytics recommendations (analytics/recommend.h, when that
// library provides them) into tuner proposals: the recommended value becomes
// the target a bounded step moves toward, and the objective is chosen from
// the knob. Built only where analytics/recommend.h exists.
#pragma once

#if __has_include("analytics/recommend.h")
#define KPULSE_TUNE_HAS_RECOMMENDATIONS 1

#include <optional>
#include <string>

#include "analytics/recommend.h"
#include "tune/proposal.h"
#include "tune/tuners.h"

namespace kpulse::tune {

// nullopt when the knob is outside kpulse's allowlist, unreadable, not
// numeric (scheduler), or already at the recommended value.
std::optional<Proposal> from_recommendation(const analytics::Recommendation& r,
                                            const TunerOptions& options);

}  // namespace kpulse::tune

#endif
