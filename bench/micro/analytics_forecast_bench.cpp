// Forecasting cost: 10,000 hourly series of 14 days, 7 days ahead (target:
// < 1 s in total). Baseline in the same run: the weekly seasonal naive
// forecast of the same series. Full mode (what `kpulse forecast` runs) and
// bulk mode (fewer candidates, one backtest origin) are both measured.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "analytics/forecast.h"

namespace {

constexpr int kSeries = 10'000, kHours = 14 * 24, kHorizon = 168;

const std::vector<std::vector<double>>& corpus() {
  static const auto data = [] {
    std::vector<std::vector<double>> all(kSeries, std::vector<double>(kHours));
    std::mt19937 rng(42);
    std::normal_distribution<double> noise(0, 1);
    for (int s = 0; s < kSeries; ++s) {
      const double level = 10 + s % 97, amp = 0.3 * level, weekend = (s % 3) * 0.1 * level;
      for (int t = 0; t < kHours; ++t)
        all[s][t] = std::max(0.0, level + amp * std::sin(2 * M_PI * t / 24) -
                                      ((t / 24) % 7 >= 5 ? weekend : 0) + 0.1 * level * noise(rng));
    }
    return all;
  }();
  return data;
}

void BM_BaselineSeasonalNaive10k(benchmark::State& state) {
  const auto& data = corpus();
  std::vector<double> out(kHorizon);
  for (auto _ : state) {
    for (const auto& y : data) {
      for (int h = 0; h < kHorizon; ++h) out[h] = y[kHours - 168 + h % 168];
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_BaselineSeasonalNaive10k)->Unit(benchmark::kMillisecond);

void BM_Forecast10k(benchmark::State& state) {
  const auto& data = corpus();
  kpulse::analytics::ForecastOptions opt;
  opt.horizon = kHorizon;
  opt.bulk = state.range(0) != 0;
  for (auto _ : state) {
    for (const auto& y : data) {
      auto f = kpulse::analytics::forecast_series(y, opt);
      benchmark::DoNotOptimize(f.point.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.SetLabel(opt.bulk ? "bulk" : "full");
}
BENCHMARK(BM_Forecast10k)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3);

// One long series through the full method (the CLI's work per call).
void BM_ForecastOne(benchmark::State& state) {
  const int hours = static_cast<int>(state.range(0));
  std::vector<double> y(hours);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 5);
  for (int t = 0; t < hours; ++t) y[t] = 100 + 40 * std::sin(2 * M_PI * t / 24) + noise(rng);
  kpulse::analytics::ForecastOptions opt;
  for (auto _ : state) {
    auto f = kpulse::analytics::forecast_series(y, opt);
    benchmark::DoNotOptimize(f.point.data());
  }
}
BENCHMARK(BM_ForecastOne)->Arg(336)->Arg(1248)->Arg(6192)->Unit(benchmark::kMillisecond);

}  // namespace
