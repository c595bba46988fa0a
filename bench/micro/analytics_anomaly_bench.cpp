// Cost of the streaming anomaly detector per sample, against the cost of
// merely generating the input (the baseline in the same run), on the two
// shapes it serves: 1-second live metrics and 5-minute recorded series.
#include <cmath>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "analytics/anomaly_detector.h"

namespace {

std::vector<double> make_series(size_t n, double step) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    const double day_phase = std::fmod(double(i) * step, 86400.0) / 86400.0;
    v[i] =
        50 + 20 * std::sin(6.283185307 * day_phase) + 3 * noise(rng) + (i % 5000 == 4999 ? 80 : 0);
  }
  return v;
}

// Baseline: walking the same input without scoring.
void BM_InputOnly(benchmark::State& state) {
  const auto v = make_series(100000, 1.0);
  for (auto _ : state) {
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) sum += v[i] + double(i);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(v.size()));
}
BENCHMARK(BM_InputOnly);

// Args: sampling step (s), and the model (0 baseline, 1 context, 2 blend).
void BM_DetectorPerPoint(benchmark::State& state) {
  const double step = double(state.range(0));
  const auto v = make_series(100000, step);
  kpulse::analytics::AnomalyDetectorConfig config;
  config.model = kpulse::analytics::AnomalyModel(state.range(1));
  for (auto _ : state) {
    kpulse::analytics::AnomalyDetector d(config);
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) sum += d.update(1.7e9 + double(i) * step, v[i]);
    benchmark::DoNotOptimize(sum);
  }
  // items/s inverted is ns per point.
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(v.size()));
}
BENCHMARK(BM_DetectorPerPoint)->ArgsProduct({{1, 300}, {0, 1, 2}})->Unit(benchmark::kMillisecond);

}  // namespace
