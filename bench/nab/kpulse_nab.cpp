// kpulse_nab: runs the streaming anomaly detector over every series of a
// NAB-layout corpus and prints NAB scores per scoring profile (threshold
// chosen per profile over the whole corpus, as NAB does).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "analytics/anomaly_detector.h"
#include "analytics/anomaly_nab_score.h"
#include "nab/nab_blends.h"
#include "nab/nab_corpus.h"
#include "nab/nab_cv.h"

namespace {

using kpulse::analytics::NabSeries;

// The shipped detector's settings, or one of issues 20j-20m's bench-only models.
struct ModelSettings {
  kpulse::analytics::AnomalyDetectorConfig detector;
  std::optional<kpulse::bench::BenchBlend> blend;  // replaces detector.model when set
  kpulse::bench::CadoseConfig cadose;
  int cadose_new_contexts = 0;  // CadoseConfig::score_new_contexts
  int cadose_file_range = 0;    // fix the CAD grid to each file's range (look-ahead)
  int cadose_anchored = 1;      // CadoseConfig::anchored_grid (0: 20j's stretched grid)
  int cadose_coarser = 1;       // CadoseConfig::learn_coarser
  double cadose_scale = 1.0;    // BlendScorer's cadose_scale (20m's models)
};

template <typename Scorer>
NabSeries score_file(const kpulse::bench::NabFile& f, Scorer scorer) {
  NabSeries s{f.name, {}, f.windows};
  s.scores.reserve(f.rows.size());
  for (const auto& row : f.rows) s.scores.push_back(scorer.update(row.t_unix, row.value));
  return s;
}

std::vector<NabSeries> detect(const std::vector<kpulse::bench::NabFile>& files,
                              const ModelSettings& settings) {
  std::vector<NabSeries> out;
  for (const auto& f : files) {
    if (!settings.blend) {
      out.push_back(score_file(f, kpulse::analytics::AnomalyDetector(settings.detector)));
      continue;
    }
    auto cadose = settings.cadose;
    cadose.score_new_contexts = settings.cadose_new_contexts != 0;
    cadose.anchored_grid = settings.cadose_anchored != 0;
    cadose.learn_coarser = settings.cadose_coarser != 0;
    if (settings.cadose_file_range && !f.rows.empty()) {
      const auto [lo, hi] =
          std::minmax_element(f.rows.begin(), f.rows.end(),
                              [](const auto& a, const auto& b) { return a.value < b.value; });
      cadose.range_lo = lo->value;
      cadose.range_hi = hi->value;
    }
    out.push_back(score_file(f, kpulse::bench::BlendScorer(*settings.blend, settings.detector,
                                                           cadose, settings.cadose_scale)));
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
ModelSettings detector_config(const std::vector<std::string>& params) {
  ModelSettings settings;
  auto& c = settings.detector;
  auto& cad = settings.cadose;
  const std::map<std::string, double*> doubles = {
      {"level_rate", &c.level_rate},
      {"scale_rate", &c.scale_rate},
      {"clip_scales", &c.clip_scales},
      {"history_half_life", &c.history_half_life},
      {"cadose_margin", &settings.cadose.freeze_margin},
      {"cadose_scale", &settings.cadose_scale},
      {"full_score_decades", &c.full_score_decades},
      {"record_rise", &c.record_rise},
      {"incident_half_life", &c.incident_half_life},
      {"sustained_samples", &c.sustained_samples},
      {"volatility_samples", &c.volatility_samples},
      {"repeat_damping", &c.repeat_damping},
      {"repeat_half_life", &c.repeat_half_life},
      {"bin_seconds", &c.bin_seconds},
      {"season_rate", &c.season_rate},
  };
  const std::map<std::string, int*> ints = {{"warmup_samples", &c.warmup_samples},
                                            {"shift_samples", &c.shift_samples},
                                            {"context_bits", &c.context.value_bits},
                                            {"context_order", &c.context.context_order},
                                            {"context_rest", &c.context.rest_samples},
                                            {"context_warmup", &c.context.warmup_samples},
                                            {"context_slots", &c.context.table_slots},
                                            {"cadose_bits", &cad.value_bits},
                                            {"cadose_left", &cad.left_length},
                                            {"cadose_successors", &cad.successors},
                                            {"cadose_rest", &cad.rest_samples},
                                            {"cadose_warmup", &cad.warmup_samples},
                                            {"cadose_slots", &cad.table_slots},
                                            {"cadose_new", &settings.cadose_new_contexts},
                                            {"cadose_freeze", &cad.freeze_after},
                                            {"cadose_file_range", &settings.cadose_file_range},
                                            {"cadose_anchored", &settings.cadose_anchored},
                                            {"cadose_coarser", &settings.cadose_coarser}};
  for (const auto& p : params) {
    const auto eq = p.find('=');
    const std::string name = p.substr(0, eq);
    if (eq == std::string::npos) throw std::runtime_error("--param " + p + ": expected NAME=VALUE");
    const std::string value = p.substr(eq + 1);
    if (auto d = doubles.find(name); d != doubles.end()) {
      *d->second = std::stod(value);
    } else if (auto i = ints.find(name); i != ints.end()) {
      *i->second = std::stoi(value);
    } else if (auto m = kpulse::analytics::anomaly_model_named(value); name == "model" && m) {
      c.model = *m;
      settings.blend.reset();
    } else if (auto b = kpulse::bench::bench_blend_named(value); name == "model" && b) {
      settings.blend = *b;
    } else {
      std::string msg = "--param " + p;
      msg += ": unknown setting '";
      msg += name;
      msg += "'";
      throw std::runtime_error(msg);
    }
  }
  return settings;
}

// The grid's points: every combination of the --grid values, each on top of
// the --param overrides. No --grid: the one point of the overrides alone.
std::vector<std::vector<std::string>> grid_points(const std::vector<std::string>& base,
                                                  const std::vector<std::string>& grid) {
  std::vector<std::vector<std::string>> points{base};
  for (const auto& axis : grid) {
    const auto eq = axis.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error("--grid " + axis + ": expected NAME=V1,V2");
    std::vector<std::vector<std::string>> next;
    for (const auto& p : points) {
      size_t from = eq + 1;
      while (from <= axis.size()) {
        const size_t comma = std::min(axis.find(',', from), axis.size());
        auto q = p;
        q.push_back(axis.substr(0, eq + 1) + axis.substr(from, comma - from));
        next.push_back(std::move(q));
        from = comma + 1;
      }
    }
    points = std::move(next);
  }
  return points;
}

std::string label_of(const std::vector<std::string>& params) {
  std::string out;
  for (const auto& p : params) out += (out.empty() ? "" : " ") + p;
  return out.empty() ? "defaults" : out;
}

// Every point of the grid on top of `params`, scored over the corpus.
std::vector<kpulse::bench::NabCandidate> candidates_of(
    const std::vector<kpulse::bench::NabFile>& files, const std::vector<std::string>& params,
    const std::vector<std::string>& grid) {
  std::vector<kpulse::bench::NabCandidate> out;
  for (const auto& point : grid_points(params, grid))
    out.push_back({label_of(point), detect(files, detector_config(point))});
  return out;
}

void print_cross_validation(const std::string& profile, const kpulse::bench::NabCrossValidation& cv,
                            const kpulse::analytics::NabCostMatrix& cost) {
  using kpulse::analytics::nab_normalised;
  std::printf(
      "\nleave-one-category-out, profile %s (settings and threshold fitted on the other "
      "categories)\n",
      profile.c_str());
  std::printf("%-24s %5s %7s %10s %10s %4s %4s %4s  %s\n", "held-out category", "files", "windows",
              "in-sample", "cross-val", "TP", "FN", "FP", "chosen without it (threshold)");
  auto score = [&](double raw, int windows) {
    char buf[32];
    // No window: nothing to normalise; the raw cost of its false alarms.
    if (windows == 0)
      std::snprintf(buf, sizeof buf, "raw %.2f", raw);
    else
      std::snprintf(buf, sizeof buf, "%.2f", nab_normalised(raw, windows, cost));
    return std::string(buf);
  };
  for (const auto& f : cv.folds)
    std::printf("%-24s %5d %7d %10s %10s %4d %4d %4d  %s (%.4f)\n", f.category.c_str(), f.files,
                f.windows, score(f.in_sample_raw, f.windows).c_str(),
                score(f.cv_raw, f.windows).c_str(), f.cv.tp, f.cv.fn, f.cv.fp, f.cv_label.c_str(),
                f.cv_threshold);
  std::printf("%-24s %5s %7d %10.2f %10.2f   in-sample choice: %s (%.4f)\n", "pooled", "",
              cv.windows, nab_normalised(cv.in_sample_raw, cv.windows, cost),
              nab_normalised(cv.cv_raw, cv.windows, cost), cv.in_sample_label.c_str(),
              cv.in_sample_threshold);
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
  app.add_option(
      "--param", params,
      "Override a detector setting, NAME=VALUE (see AnomalyDetectorConfig); model= also "
      "takes issues 20j-20m's bench-only models (nab_blends.h), tuned by cadose_* (cadose.h)");
  std::vector<std::string> grid;
  app.add_option("--grid", grid,
                 "Candidate values of a setting, NAME=V1,V2,... (repeatable: every combination); "
                 "with --cv each fold picks the best candidate on its training categories");
  std::vector<std::string> max_params, max_grid;
  app.add_option("--max-param", max_params,
                 "With --cv: a second learner (as --param); score max(first, scale * second), "
                 "each side fitted alone in the fold and scale = the ratio of their thresholds");
  app.add_option("--max-grid", max_grid, "With --max-param: the second learner's grid (as --grid)");
  bool max_refit = false;
  app.add_flag("--max-refit", max_refit,
               "Refit the max's threshold in the fold (default: the first learner's threshold)");
  bool cv = false;
  app.add_flag("--cv", cv,
               "Leave-one-category-out cross-validation: fit settings and threshold on the other "
               "categories, score the left-out one");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto files = kpulse::bench::load_nab_corpus(root);
    const auto profiles = kpulse::bench::load_nab_profiles(root);
    if (cv) {
      const auto first = candidates_of(files, params, grid);
      const auto second = max_params.empty() && max_grid.empty()
                              ? std::vector<kpulse::bench::NabCandidate>{}
                              : candidates_of(files, max_params, max_grid);
      for (const auto& [name, cost] : profiles)
        print_cross_validation(name,
                               second.empty() ? kpulse::bench::nab_cross_validate(first, cost)
                                              : kpulse::bench::nab_cross_validate_scaled_max(
                                                    first, second, max_refit, cost),
                               cost);
      return 0;
    }
    if (!grid.empty() || !max_params.empty() || !max_grid.empty())
      throw std::runtime_error("--grid, --max-param and --max-grid need --cv");
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
