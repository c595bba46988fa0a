// kpulse_forecast_cli: `kpulse forecast` without the rest of kpulse, for
// evaluation harnesses. Usage: kpulse_forecast_cli [--horizon N] [FILE|-]
// (N defaults to $FORECAST_HORIZON, else 168). History CSV on stdin or FILE.
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
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--horizon" || a == "-n") && i + 1 < argc) {
      horizon = std::atoi(argv[++i]);
    } else if (a == "--input" && i + 1 < argc) {
      input = argv[++i];
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: %s [--horizon N] [--input FILE|-] [FILE]\n", argv[0]);
      return 0;
    } else {
      input = a;
    }
  }
  if (input == "-") return kpulse::analytics::forecast_csv(std::cin, std::cout, horizon);
  std::ifstream in(input);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", input.c_str());
    return 1;
  }
  return kpulse::analytics::forecast_csv(in, std::cout, horizon, std::cerr, input);
}
