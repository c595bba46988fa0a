// kpulse_forecast_eval: scores kpulse's forecaster and the reference
// baselines on the forecasting data set with the project's protocol
// (shared/data/forecast/README.md): hourly means, rolling origins 24 h apart
// (at most 14, the last leaving exactly 168 h, each with >= 336 h history),
// 168 h ahead; MASE (scaled by the in-sample 24 h seasonal naive MAE),
// sMAPE, 80/95 % coverage and MSIS per series and averaged.
//
// kpulse is run through forecast_csv() on the same CSV text the CLI reads,
// or, with --command, through an external command fed on stdin.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/forecast.h"
#include "analytics/forecast_csv.h"
#include "analytics/forecast_input.h"
#include "bench/forecast/baselines.h"
#include "bench/forecast/scores.h"

namespace fs = std::filesystem;
using kpulse::bench::IntervalForecast;
using kpulse::bench::Scores;

namespace {

// The protocol; --horizon and --min-history relax it for short series
// (e.g. a 24 h check on 2-week NAB series), never for the reported table.
int kHorizon = 168, kMinHistory = 336;
constexpr int kMaxOrigins = 14, kOriginStep = 24;

struct Hourly {
  std::string name;
  int64_t start_hour = 0;  // unix hours
  std::vector<double> values;
};

Hourly load_hourly(const fs::path& file, const std::string& name) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  const auto rows = kpulse::analytics::read_timed_values(in, file.string());
  if (rows.empty()) throw std::runtime_error(file.string() + ": no rows");
  Hourly h;
  h.name = name;
  auto hour_of = [](double t) { return static_cast<int64_t>(std::floor(t / 3600)); };
  h.start_hour = hour_of(rows.front().t);
  const int64_t n = hour_of(rows.back().t) - h.start_hour + 1;
  std::vector<double> sum(n, 0.0);
  std::vector<int> cnt(n, 0);
  for (const auto& r : rows) {
    if (!std::isfinite(r.value)) continue;
    const int64_t i = hour_of(r.t) - h.start_hour;
    sum[i] += r.value;
    ++cnt[i];
  }
  h.values.resize(n);
  for (int64_t i = 0; i < n; ++i) h.values[i] = cnt[i] ? sum[i] / cnt[i] : NAN;
  return h;
}

std::string history_csv(const Hourly& s, int origin) {
  std::string csv = "timestamp,value\n";
  char line[64];
  for (int i = 0; i < origin; ++i) {
    if (!std::isfinite(s.values[i])) continue;
    std::snprintf(line, sizeof line, "%lld,%.17g\n", (long long)(s.start_hour + i) * 3600,
                  s.values[i]);
    csv += line;
  }
  return csv;
}

// Parses `horizon` lines of "point [lo80 hi80 lo95 hi95]".
bool parse_forecast(const std::string& text, IntervalForecast& f) {
  std::istringstream in(text);
  std::string line;
  f = {};
  while (std::getline(in, line) && static_cast<int>(f.point.size()) < kHorizon) {
    for (char& c : line)
      if (c == ',' || c == '\t') c = ' ';
    std::istringstream ls(line);
    std::vector<double> v;
    double x;
    while (ls >> x) v.push_back(x);
    if (v.empty()) continue;
    for (double e : v)
      if (!std::isfinite(e)) return false;
    if (v.size() < 5) v.resize(5, v[0]);
    f.point.push_back(v[0]);
    f.lo80.push_back(v[1]);
    f.hi80.push_back(v[2]);
    f.lo95.push_back(v[3]);
    f.hi95.push_back(v[4]);
  }
  return static_cast<int>(f.point.size()) == kHorizon;
}

bool run_kpulse(const std::string& csv, IntervalForecast& f) {
  std::istringstream in(csv);
  std::ostringstream out, err;
  if (kpulse::analytics::forecast_csv(in, out, kHorizon, err, "history") != 0) {
    std::fprintf(stderr, "kpulse forecast failed: %s", err.str().c_str());
    return false;
  }
  return parse_forecast(out.str(), f);
}

bool run_command(const std::string& command, const std::string& csv, IntervalForecast& f) {
  const fs::path tmp =
      fs::temp_directory_path() / ("kpulse_forecast_eval_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream o(tmp);
    o << csv;
  }
  const std::string cmd =
      "FORECAST_HORIZON=168 FORECAST_STEP_SECONDS=3600 " + command + " < '" + tmp.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string text;
  if (p) {
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, got);
  }
  const int rc = p ? ::pclose(p) : -1;
  fs::remove(tmp);
  return rc == 0 && parse_forecast(text, f);
}

struct Method {
  std::string name;
  std::map<std::string, Scores> per_series;  // averaged over origins
};

void print_tables(const std::vector<Method>& methods, const std::vector<Hourly>& series,
                  const std::map<std::string, int>& origins) {
  auto mean_of = [&](const Method& m, auto field) {
    double s = 0;
    for (const auto& sr : series) s += field(m.per_series.at(sr.name));
    return s / series.size();
  };
  struct Col {
    const char* title;
    const char* fmt;
    double (*get)(const Scores&);
  };
  const Col cols[] = {
      {"MASE", "%.3f", [](const Scores& s) { return s.mase; }},
      {"sMAPE %", "%.1f", [](const Scores& s) { return s.smape; }},
      {"80 % coverage", "%.3f", [](const Scores& s) { return s.cover80; }},
      {"95 % coverage", "%.3f", [](const Scores& s) { return s.cover95; }},
      {"MSIS", "%.2f", [](const Scores& s) { return s.msis; }},
  };
  for (const auto& col : cols) {
    std::printf("\n%s\n\n| series | origins |", col.title);
    for (const auto& m : methods) std::printf(" %s |", m.name.c_str());
    std::printf("\n|---|---|");
    for (size_t i = 0; i < methods.size(); ++i) std::printf("---|");
    std::printf("\n");
    for (const auto& sr : series) {
      std::printf("| %s | %d |", sr.name.c_str(), origins.at(sr.name));
      for (const auto& m : methods) {
        std::printf(" ");
        std::printf(col.fmt, col.get(m.per_series.at(sr.name)));
        std::printf(" |");
      }
      std::printf("\n");
    }
    std::printf("| **mean** | |");
    for (const auto& m : methods) {
      std::printf(" **");
      std::printf(col.fmt, mean_of(m, col.get));
      std::printf("** |");
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = KPULSE_FORECAST_DATA;
  std::string command;
  bool verbose = false;
  bool bulk = false;  // also score the forecaster's bulk mode
  int gap_days = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc)
      data = argv[++i];
    else if (a == "--command" && i + 1 < argc)
      command = argv[++i];
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--bulk")
      bulk = true;
    else if (a == "--horizon" && i + 1 < argc)
      kHorizon = std::max(1, std::atoi(argv[++i]));
    else if (a == "--min-history" && i + 1 < argc)
      kMinHistory = std::max(1, std::atoi(argv[++i]));
    else if (a == "--gap-days" && i + 1 < argc)
      gap_days = std::max(0, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr,
                   "usage: %s [--data DIR] [--command CMD] [--bulk] [--verbose]\n"
                   "       [--horizon H (168)] [--min-history H (336)] [--gap-days D]\n"
                   "  DIR: a directory with manifest.json and data/*.csv (default %s)\n"
                   "  CMD: also score an external forecaster fed on stdin (run by /bin/sh)\n",
                   argv[0], KPULSE_FORECAST_DATA);
      return 2;
    }
  }
  // The series: from manifest.json, or every *.csv in DIR when it has none
  // (then a file that doesn't load is reported and skipped).
  std::vector<Hourly> series;
  try {
    std::ifstream mf(fs::path(data) / "manifest.json");
    if (mf) {
      const auto manifest = nlohmann::json::parse(mf);
      for (const auto& e : manifest.at("series"))
        series.push_back(load_hourly(fs::path(data) / e.at("file").get<std::string>(),
                                     e.at("name").get<std::string>()));
    } else {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(data))
        if (entry.path().extension() == ".csv") files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) try {
          series.push_back(load_hourly(f, f.stem().string()));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "skipped: %s\n", e.what());
        }
      if (series.empty())
        throw std::runtime_error("no manifest.json and no loadable *.csv in " + data);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse_forecast_eval: %s\n", e.what());
    return 1;
  }
  std::erase_if(series, [](const Hourly& s) {
    const bool short_series = static_cast<int>(s.values.size()) - kHorizon < kMinHistory;
    if (short_series)
      std::fprintf(stderr, "skipped: %s is too short for one origin\n", s.name.c_str());
    return short_series;
  });
  if (series.empty()) {
    std::fprintf(stderr, "kpulse_forecast_eval: no series long enough\n");
    return 1;
  }
  // A simulated outage: hours missing in a block ending 8 days before each
  // series' end, so the late origins see it in their history and earlier
  // ones in their target (the hidden set has a multi-day gap).
  if (gap_days > 0)
    for (auto& s : series) {
      const int n = static_cast<int>(s.values.size());
      for (int i = std::max(0, n - 8 * 24 - gap_days * 24); i < std::max(0, n - 8 * 24); ++i)
        s.values[i] = NAN;
    }

  std::vector<Method> methods{
      {"kpulse", {}}, {"snaive24", {}}, {"snaive168", {}}, {"hw24", {}}, {"hw168", {}}};
  if (bulk) methods.push_back({"kpulse-bulk", {}});
  if (!command.empty()) methods.push_back({"command", {}});
  std::map<std::string, int> origin_count;
  double kpulse_seconds = 0;
  int kpulse_runs = 0, failures = 0;
  for (const auto& s : series) {
    const int n = static_cast<int>(s.values.size());
    std::vector<int> origins;
    for (int k = 0; k < kMaxOrigins; ++k) {
      const int o = n - kHorizon - k * kOriginStep;
      if (o < kMinHistory) break;
      origins.push_back(o);
    }
    origin_count[s.name] = static_cast<int>(origins.size());
    std::vector<Scores> sums(methods.size());
    for (int o : origins) {
      const std::span<const double> hist(s.values.data(), o);
      const std::span<const double> actual(s.values.data() + o, kHorizon);
      const double scale = kpulse::bench::seasonal_naive_mae(hist, 24);
      bool nonneg = true;
      for (double v : hist)
        if (std::isfinite(v) && v < 0) nonneg = false;
      const std::string csv = history_csv(s, o);
      if (verbose) {
        kpulse::analytics::ForecastOptions fo;
        fo.horizon = kHorizon;
        const auto f = kpulse::analytics::forecast_series(hist, fo);
        std::string periods;
        for (int p : f.periods) periods += " " + std::to_string(p);
        std::fprintf(stderr, "%s @%d: periods[%s ] %s\n", s.name.c_str(), o, periods.c_str(),
                     f.method.c_str());
      }
      for (size_t mi = 0; mi < methods.size(); ++mi) {
        IntervalForecast f;
        bool ok = true;
        const std::string& name = methods[mi].name;
        if (name == "kpulse") {
          const auto t0 = std::chrono::steady_clock::now();
          ok = run_kpulse(csv, f);
          kpulse_seconds +=
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          ++kpulse_runs;
        } else if (name == "kpulse-bulk") {
          kpulse::analytics::ForecastOptions fo;
          fo.horizon = kHorizon;
          fo.bulk = true;
          const auto k = kpulse::analytics::forecast_series(hist, fo);
          f = {k.point, k.lo80, k.hi80, k.lo95, k.hi95};
        } else if (name == "command") {
          ok = run_command(command, csv, f);
        } else {
          const int m = name.ends_with("168") ? 168 : 24;
          f = name.starts_with("hw") ? kpulse::bench::holt_winters(hist, m, kHorizon)
                                     : kpulse::bench::seasonal_naive(hist, m, kHorizon);
          if (nonneg) kpulse::bench::clip_at_zero(f);
        }
        if (!ok) {
          ++failures;
          std::fprintf(stderr, "%s: %s failed at origin %d\n", s.name.c_str(), name.c_str(), o);
          continue;  // a failed origin scores nothing (it is reported above)
        }
        const Scores r = kpulse::bench::score(f, actual, scale);
        if (verbose)
          std::fprintf(stderr, "  %s @%d %s: MASE %.3f (scale %.4g)\n", s.name.c_str(), o,
                       name.c_str(), r.mase, scale);
        sums[mi].mase += r.mase / origins.size();
        sums[mi].smape += r.smape / origins.size();
        sums[mi].cover80 += r.cover80 / origins.size();
        sums[mi].cover95 += r.cover95 / origins.size();
        sums[mi].msis += r.msis / origins.size();
      }
    }
    for (size_t mi = 0; mi < methods.size(); ++mi) methods[mi].per_series[s.name] = sums[mi];
  }
  std::printf("kpulse_forecast_eval: %zu series from %s, horizon %d h\n", series.size(),
              data.c_str(), kHorizon);
  print_tables(methods, series, origin_count);
  std::printf("\nkpulse: %d forecasts, %.1f ms each on average (CSV parse + forecast)\n",
              kpulse_runs, kpulse_runs ? 1e3 * kpulse_seconds / kpulse_runs : 0.0);
  if (failures) std::printf("FAILED origins: %d\n", failures);
  return failures ? 1 : 0;
}
