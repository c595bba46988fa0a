// Turns the analytics recommendations (analytics/recommend.h) into tuner
// proposals: the recommended value becomes the target a bounded step moves
// toward, and the objective is chosen from the knob.
#pragma once

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
