#include "nab/nab_blends.h"

#include <algorithm>
#include <cmath>

namespace kpulse::bench {
namespace {

analytics::AnomalyDetectorConfig baseline_only(analytics::AnomalyDetectorConfig c) {
  c.model = analytics::AnomalyModel::kBaseline;
  return c;
}

}  // namespace

std::optional<BenchBlend> bench_blend_named(std::string_view name) {
  if (name == "blend_parts") return BenchBlend::kBlendParts;
  if (name == "cadose") return BenchBlend::kCadose;
  if (name == "blendcad") return BenchBlend::kBlendCadose;
  if (name == "blend3") return BenchBlend::kBlend3;
  if (name == "blendmax") return BenchBlend::kBlendMax;
  return std::nullopt;
}

BlendScorer::BlendScorer(BenchBlend blend, const analytics::AnomalyDetectorConfig& config,
                         const CadoseConfig& cadose)
    : blend_(blend), baseline_(baseline_only(config)), context_(config.context), cadose_(cadose) {}

double BlendScorer::update(double t, double x) {
  const bool timed = std::isfinite(t);
  const double context = timed ? context_.update(x) : 0.0;
  const double cadose = timed ? cadose_.update(x) : 0.0;
  const double baseline = baseline_.update(t, x);
  if (blend_ == BenchBlend::kCadose) return cadose;
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
