#include "nab/nab_blends.h"

#include <algorithm>
#include <cmath>

namespace kpulse::bench {
namespace {

analytics::AnomalyDetectorConfig baseline_only(analytics::AnomalyDetectorConfig c) {
  c.model = analytics::AnomalyModel::kBaseline;
  return c;
}

bool releases(BenchBlend b) {
  return b == BenchBlend::kCadRelease || b == BenchBlend::kCadReleaseMaxRarity ||
         b == BenchBlend::kCadRelBlend;
}

bool ranks_cadose(BenchBlend b) {
  return b == BenchBlend::kCadMaxRarity || b == BenchBlend::kCadReleaseMaxRarity;
}

}  // namespace

std::optional<BenchBlend> bench_blend_named(std::string_view name) {
  if (name == "blend_parts") return BenchBlend::kBlendParts;
  if (name == "cadose") return BenchBlend::kCadose;
  if (name == "blendcad") return BenchBlend::kBlendCadose;
  if (name == "blend3") return BenchBlend::kBlend3;
  if (name == "blendmax") return BenchBlend::kBlendMax;
  if (name == "cadmax") return BenchBlend::kCadMax;
  if (name == "cadmaxq") return BenchBlend::kCadMaxRarity;
  if (name == "cadrel") return BenchBlend::kCadRelease;
  if (name == "cadrelmaxq") return BenchBlend::kCadReleaseMaxRarity;
  if (name == "cadblend") return BenchBlend::kCadBlend;
  if (name == "cadrelblend") return BenchBlend::kCadRelBlend;
  if (name == "cadagree") return BenchBlend::kCadAgree;
  return std::nullopt;
}

BlendScorer::BlendScorer(BenchBlend blend, const analytics::AnomalyDetectorConfig& config,
                         const CadoseConfig& cadose, double cadose_scale)
    : blend_(blend),
      cadose_scale_(cadose_scale),
      baseline_(baseline_only(config)),
      context_(config.context),
      cadose_(cadose),
      cadose_rarity_(config.history_half_life, config.full_score_decades) {}

double BlendScorer::update(double t, double x) {
  const bool timed = std::isfinite(t);
  // The baseline first: its alarm may start a new cadose episode before
  // cadose scores the same sample (both still past-only).
  const double baseline = baseline_.update(t, x);
  if (timed && releases(blend_) && baseline >= kReleaseLevel) cadose_.start_episode();
  const double context = timed ? context_.update(x) : 0.0;
  double cadose = timed ? cadose_.update(x) : 0.0;
  // Ranked over every timed sample, warm-up zeros included, so the rarity
  // is over the same past the learner had.
  if (timed && ranks_cadose(blend_)) cadose = cadose_rarity_.update(cadose);
  return mean_or_max(baseline, context, cadose);
}

double BlendScorer::mean_or_max(double baseline, double context, double cadose) const {
  switch (blend_) {
    case BenchBlend::kCadose:
    case BenchBlend::kCadRelease:
      return cadose;
    case BenchBlend::kCadMax:
    case BenchBlend::kCadMaxRarity:
    case BenchBlend::kCadReleaseMaxRarity:
      // A cadose still in its warm-up scores 0, so the baseline speaks alone.
      return std::max(baseline, cadose);
    default:
      break;
  }
  if (blend_ == BenchBlend::kCadBlend || blend_ == BenchBlend::kCadRelBlend ||
      blend_ == BenchBlend::kCadAgree) {
    // A learner in its warm-up scores 0 (cadose) or is left out (context),
    // as in the shipped blend.
    double other = baseline;
    if (context_.warm())
      other = blend_ == BenchBlend::kCadAgree ? std::min(baseline, context)
                                              : 0.5 * (baseline + context);
    return std::max(cadose_scale_ * cadose, other);
  }
  const bool with_context = blend_ != BenchBlend::kBlendCadose && context_.warm();
  const bool with_cadose = blend_ != BenchBlend::kBlendParts && cadose_.warm();
  if (blend_ == BenchBlend::kBlendMax) {
    if (!with_context && !with_cadose) return baseline;
    return 0.5 * (baseline + std::max(with_context ? context : 0.0, with_cadose ? cadose : 0.0));
  }
  double sum = baseline;
  int voices = 1;
  if (with_context) {
    sum += context;
    ++voices;
  }
  if (with_cadose) {
    sum += cadose;
    ++voices;
  }
  return sum / voices;
}

}  // namespace kpulse::bench
