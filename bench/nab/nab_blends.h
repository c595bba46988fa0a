// The models of issues 20j-20m, composed in the bench from the shipped
// learners (analytics::AnomalyDetector's baseline, ContextAnomalyDetector)
// and the CAD OSE-style one (cadose.h). None of them is used by kpulse: none
// met the keep rule (BENCHMARKS.md "Issue 20 (20j)", "(20k)", "(20l)",
// "(20m)", "(20n)"; 20m's lost on fresh check corpora, and cadmax, the best
// full CV, lost to the blend on average over 20 fresh ones in 20n).
#pragma once

#include <optional>
#include <string_view>

#include "analytics/anomaly_context.h"
#include "analytics/anomaly_detector.h"
#include "nab/cadose.h"
#include "nab/score_rarity.h"

namespace kpulse::bench {

enum class BenchBlend {
  kBlendParts,   // mean(baseline, context): must equal the shipped "blend"
  kCadose,       // the CAD OSE-style learner alone
  kBlendCadose,  // mean(baseline, cadose)
  kBlend3,       // mean(baseline, context, cadose)
  kBlendMax,     // mean(baseline, max(context, cadose))
  // 20l: no mean, so neither learner's confident score is halved.
  kCadMax,               // max(cadose, baseline)
  kCadMaxRarity,         // max(rarity of cadose's score in its own past, baseline)
  kCadRelease,           // cadose, its rest released (new episode) by a baseline alarm
  kCadReleaseMaxRarity,  // both: max(rarity of released cadose, baseline)
  // 20m: each learner on the scale of its own alarm threshold, so the max lets
  // cadose's confident alarms and the blend's agreement alarms both pass:
  // max(cadose_scale * cadose, other), cadose_scale ~ blend threshold / cadose
  // threshold, fitted inside each CV fold (a --grid axis) like the threshold.
  kCadBlend,     // max(s * cadose, mean(baseline, context))      (the shipped blend)
  kCadRelBlend,  // max(s * cadose released by a baseline alarm, the blend)
  kCadAgree,     // max(s * cadose, min(baseline, context))       (explicit agreement)
};
// "blend_parts", "cadose", "blendcad", "blend3", "blendmax", "cadmax",
// "cadmaxq", "cadrel", "cadrelmaxq", "cadblend", "cadrelblend", "cadagree";
// nullopt otherwise.
std::optional<BenchBlend> bench_blend_named(std::string_view name);

class BlendScorer {
 public:
  // `config` gives the baseline's and the context learner's settings (its
  // model field is ignored). `cadose_scale` multiplies cadose's score in the
  // 20m models (the other models ignore it).
  BlendScorer(BenchBlend blend, const analytics::AnomalyDetectorConfig& config,
              const CadoseConfig& cadose, double cadose_scale = 1.0);
  // As analytics::AnomalyDetector::update: a learner still in its warm-up
  // abstains from a mean; a NaN time reaches no learner but the baseline.
  double update(double t_unix, double value);

  // A baseline score at least this high starts a new cadose episode (the
  // release models): rarer than about 1 in 100 of the baseline's own history
  // (x3 for its three channels), 2 of its 4 decades; fixed before the runs.
  static constexpr double kReleaseLevel = 0.5;

 private:
  double mean_or_max(double baseline, double context, double cadose) const;

  BenchBlend blend_;
  double cadose_scale_;
  analytics::AnomalyDetector baseline_;
  analytics::ContextAnomalyDetector context_;
  CadoseAnomalyDetector cadose_;
  ScoreRarity cadose_rarity_;  // on the baseline's history half-life and decades
};

}  // namespace kpulse::bench
