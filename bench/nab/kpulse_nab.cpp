// kpulse_nab: runs the streaming anomaly detector over every series of a
// NAB-layout corpus and prints NAB scores per scoring profile (threshold
// chosen per profile over the whole corpus, as NAB does).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "analytics/anomaly_detector.h"
#include "analytics/anomaly_nab_score.h"
#include "nab/nab_corpus.h"

namespace {

using kpulse::analytics::NabSeries;

std::vector<NabSeries> detect(const std::vector<kpulse::bench::NabFile>& files,
                              const kpulse::analytics::AnomalyDetectorConfig& config) {
  std::vector<NabSeries> out;
  for (const auto& f : files) {
    kpulse::analytics::AnomalyDetector detector(config);
    NabSeries s{f.name, {}, f.windows};
    s.scores.reserve(f.rows.size());
    for (const auto& row : f.rows) s.scores.push_back(detector.update(row.t_unix, row.value));
    out.push_back(std::move(s));
  }
  return out;
}

void write_scores(const std::string& dir, const kpulse::bench::NabFile& f, const NabSeries& s) {
  const auto path = std::filesystem::path(dir) / f.name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  out << "timestamp,value,anomaly_score,label\n";
  size_t w = 0;
  for (size_t i = 0; i < f.rows.size(); ++i) {
    while (w < f.windows.size() && f.windows[w].last < i) ++w;
    const bool in = w < f.windows.size() && f.windows[w].first <= i;
    out << f.rows[i].timestamp_text << ',' << f.rows[i].value << ',' << s.scores[i] << ','
        << (in ? 1 : 0) << '\n';
  }
}

// The detector's tunables by name, so a sweep needs no rebuild.
kpulse::analytics::AnomalyDetectorConfig detector_config(const std::vector<std::string>& params) {
  kpulse::analytics::AnomalyDetectorConfig c;
  const std::map<std::string, double*> doubles = {
      {"level_rate", &c.level_rate},
      {"scale_rate", &c.scale_rate},
      {"clip_scales", &c.clip_scales},
      {"history_half_life", &c.history_half_life},
      {"full_score_decades", &c.full_score_decades},
      {"record_rise", &c.record_rise},
      {"incident_half_life", &c.incident_half_life},
      {"sustained_samples", &c.sustained_samples},
      {"volatility_samples", &c.volatility_samples},
      {"repeat_damping", &c.repeat_damping},
      {"repeat_half_life", &c.repeat_half_life},
      {"bin_seconds", &c.bin_seconds},
      {"season_rate", &c.season_rate},
      {"stall_ratio", &c.stall_ratio},
      {"stall_half_life", &c.stall_half_life},
      {"stall_min_run", &c.stall_min_run},
  };
  const std::map<std::string, int*> ints = {{"warmup_samples", &c.warmup_samples},
                                            {"shift_samples", &c.shift_samples}};
  for (const auto& p : params) {
    const auto eq = p.find('=');
    const std::string name = p.substr(0, eq);
    if (eq == std::string::npos) throw std::runtime_error("--param " + p + ": expected NAME=VALUE");
    const std::string value = p.substr(eq + 1);
    if (auto d = doubles.find(name); d != doubles.end()) {
      *d->second = std::stod(value);
    } else if (auto i = ints.find(name); i != ints.end()) {
      *i->second = std::stoi(value);
    } else {
      std::string msg = "--param " + p;
      msg += ": unknown setting '";
      msg += name;
      msg += "'";
      throw std::runtime_error(msg);
    }
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Score kpulse's streaming anomaly detector on a NAB-layout corpus"};
  std::string root = KPULSE_NAB_DEFAULT_DIR;
  std::string scores_dir;
  bool verbose = false;
  app.add_option("--data", root, "Corpus root (holds data/, labels/, config/)");
  app.add_option("--scores-dir", scores_dir, "Also write each series' scores as CSV here");
  app.add_flag("-v,--verbose", verbose, "Per-file results at each profile's threshold");
  std::vector<std::string> params;
  app.add_option("--param", params,
                 "Override a detector setting, NAME=VALUE (see AnomalyDetectorConfig)");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto files = kpulse::bench::load_nab_corpus(root);
    const auto profiles = kpulse::bench::load_nab_profiles(root);
    const auto series = detect(files, detector_config(params));
    if (!scores_dir.empty())
      for (size_t i = 0; i < files.size(); ++i) write_scores(scores_dir, files[i], series[i]);

    int windows = 0;
    size_t rows = 0;
    for (size_t i = 0; i < series.size(); ++i) {
      windows += kpulse::analytics::nab_scored_windows(series[i]);
      rows += files[i].rows.size();
    }
    std::printf("corpus %s: %zu files, %zu rows, %d windows\n", root.c_str(), files.size(), rows,
                windows);
    std::printf("%-20s %8s %10s %4s %4s %5s\n", "profile", "score", "threshold", "TP", "FN", "FP");
    for (const auto& [name, cost] : profiles) {
      const auto best = kpulse::analytics::nab_best_threshold(series, cost);
      std::printf("%-20s %8.2f %10.6f %4d %4d %5d\n", name.c_str(),
                  kpulse::analytics::nab_normalised(best.raw, windows, cost), best.threshold,
                  best.tp, best.fn, best.fp);
      if (!verbose) continue;
      for (const auto& s : series) {
        const auto r = kpulse::analytics::nab_score_series(s, cost, best.threshold);
        std::printf("    %-55s raw %7.3f  TP %d FN %d FP %3d\n", s.name.c_str(), r.raw, r.tp, r.fn,
                    r.fp);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse_nab: %s\n", e.what());
    return 1;
  }
  return 0;
}
