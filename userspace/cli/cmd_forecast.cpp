// `kpulse forecast`: forecast a metric series given as `timestamp,value` CSV
// (a file or stdin); one line "point lo80 hi80 lo95 hi95" per future step.
// The logic is analytics::forecast_csv (unit-tested there).
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "analytics/forecast_csv.h"
#include "cli/commands.h"
#include "cli/user_files.h"

namespace kpulse::cli {
namespace {

struct ForecastArgs {
  int horizon = 168;
  std::string input = "-";
  std::optional<double> limit;
  analytics::ForecastCsvLayout layout;
};

int run_forecast(const ForecastArgs& a) {
  drop_privileges_for_user_files();
  std::ifstream file;
  if (a.input != "-") {
    file.open(a.input);
    if (!file) {
      std::cerr << a.input << ": cannot open\n";
      return 1;
    }
  }
  std::istream& in = a.input == "-" ? std::cin : file;
  // The forecast lines go to stdout unchanged; the capacity note to stderr.
  return analytics::forecast_csv_laid_out(in, std::cout, a.horizon, a.layout, a.limit, std::cerr,
                                          std::cerr, a.input);
}

}  // namespace

void register_forecast(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "forecast", "Forecast a metric series (CSV timestamp,value) with 80/95 % intervals");
  auto args = std::make_shared<ForecastArgs>();
  // Evaluation harnesses set FORECAST_HORIZON and may append the CSV path.
  app->add_option("--horizon,-n", args->horizon, "Steps to forecast (the input's own step)")
      ->envname("FORECAST_HORIZON")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app->add_option("--input,-i,input", args->input, "CSV file, or - for stdin")
      ->capture_default_str();
  app->add_option("--limit", args->limit,
                  "Capacity limit: also report (on stderr) when the forecast reaches it");
  app->add_flag("--timestamps", args->layout.timestamps,
                "First column: each step's time (UTC ISO 8601), one input step apart after the "
                "last row");
  app->add_flag("--header", args->layout.header, "Print a first line naming the columns");
  reg.push_back({app, [args] { return run_forecast(*args); }});
}

}  // namespace kpulse::cli
