// kpulse_forecast_cli: `kpulse forecast` without the rest of kpulse, for
// evaluation harnesses. Usage: kpulse_forecast_cli [--horizon N] [FILE|-]
// (N defaults to $FORECAST_HORIZON, else 168). History CSV on stdin or FILE;
// --limit L also reports on stderr when the forecast reaches L.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "analytics/forecast_csv.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  int horizon = 168;
  if (const char* env = std::getenv("FORECAST_HORIZON")) horizon = std::atoi(env);
  std::string input = "-";
  bool have_limit = false;
  double limit = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--horizon" || a == "-n") && i + 1 < argc) {
      horizon = std::atoi(argv[++i]);
    } else if (a == "--limit" && i + 1 < argc) {
      have_limit = true;
      limit = std::atof(argv[++i]);
    } else if (a == "--input" && i + 1 < argc) {
      input = argv[++i];
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: %s [--horizon N] [--limit L] [--input FILE|-] [FILE]\n", argv[0]);
      return 0;
    } else {
      input = a;
    }
  }
  std::ifstream file;
  if (input != "-") {
    file.open(input);
    if (!file) {
      std::fprintf(stderr, "%s: cannot open\n", input.c_str());
      return 1;
    }
  }
  std::istream& in = input == "-" ? std::cin : file;
  if (have_limit)
    return kpulse::analytics::forecast_csv_with_limit(in, std::cout, horizon, limit, std::cerr,
                                                      std::cerr, input);
  return kpulse::analytics::forecast_csv(in, std::cout, horizon, std::cerr, input);
}
