// `kpulse forecast`: forecast a metric series given as `timestamp,value` CSV
// (a file or stdin); one line "point lo80 hi80 lo95 hi95" per future step.
// The logic is analytics::forecast_csv (unit-tested there).
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "analytics/forecast_csv.h"
#include "cli/commands.h"

namespace kpulse::cli {
namespace {

struct ForecastArgs {
  int horizon = 168;
  std::string input = "-";
};

int run_forecast(const ForecastArgs& a) {
  if (a.input == "-") return analytics::forecast_csv(std::cin, std::cout, a.horizon);
  std::ifstream in(a.input);
  if (!in) {
    std::cerr << a.input << ": cannot open\n";
    return 1;
  }
  return analytics::forecast_csv(in, std::cout, a.horizon, std::cerr, a.input);
}

}  // namespace

void register_forecast(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "forecast", "Forecast a metric series (CSV timestamp,value) with 80/95 % intervals");
  auto args = std::make_shared<ForecastArgs>();
  app->add_option("--horizon,-n", args->horizon, "Steps to forecast (the input's own step)")
      ->required()
      ->check(CLI::Range(1, 1'000'000));
  app->add_option("--input,-i", args->input, "CSV file, or - for stdin")->capture_default_str();
  reg.push_back({app, [args] { return run_forecast(*args); }});
}

}  // namespace kpulse::cli
