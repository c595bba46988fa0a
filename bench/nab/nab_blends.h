// The models of issues 20j and 20k, composed in the bench from the shipped
// learners (analytics::AnomalyDetector's baseline, ContextAnomalyDetector) and
// the CAD OSE-style one (cadose.h). None of them is used by kpulse: none met
// the keep rule (BENCHMARKS.md "Issue 20 (20j)", "Issue 20 (20k)").
#pragma once

#include <optional>
#include <string_view>

#include "analytics/anomaly_context.h"
#include "analytics/anomaly_detector.h"
#include "nab/cadose.h"

namespace kpulse::bench {

enum class BenchBlend {
  kBlendParts,   // mean(baseline, context): must equal the shipped "blend"
  kCadose,       // the CAD OSE-style learner alone
  kBlendCadose,  // mean(baseline, cadose)
  kBlend3,       // mean(baseline, context, cadose)
  kBlendMax,     // mean(baseline, max(context, cadose))
};
// "blend_parts", "cadose", "blendcad", "blend3", "blendmax"; nullopt otherwise.
std::optional<BenchBlend> bench_blend_named(std::string_view name);

class BlendScorer {
 public:
  // `config` gives the baseline's and the context learner's settings (its
  // model field is ignored).
  BlendScorer(BenchBlend blend, const analytics::AnomalyDetectorConfig& config,
              const CadoseConfig& cadose);
  // As analytics::AnomalyDetector::update: a learner still in its warm-up
  // abstains from a mean; a NaN time reaches no learner but the baseline.
  double update(double t_unix, double value);

 private:
  BenchBlend blend_;
  analytics::AnomalyDetector baseline_;
  analytics::ContextAnomalyDetector context_;
  CadoseAnomalyDetector cadose_;
};

}  // namespace kpulse::bench
