#include "nab/nab_corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kpulse::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

// NAB windows name rows by timestamp; the first row with that time is the edge.
size_t row_of(const NabFile& f, const std::string& text, const std::string& labels) {
  double t = 0;
  std::string reason;
  if (!analytics::parse_series_timestamp(text, t, reason))
    throw std::runtime_error(labels + ": " + f.name + ": " + reason);
  for (size_t i = 0; i < f.rows.size(); ++i)
    if (f.rows[i].t_unix == t) return i;
  throw std::runtime_error(labels + ": " + f.name + ": window edge " + text + " is not a row");
}

}  // namespace

std::vector<NabFile> load_nab_corpus(const std::string& root) {
  const fs::path labels_path = fs::path(root) / "labels" / "combined_windows.json";
  const json labels = read_json(labels_path);
  std::vector<NabFile> files;
  for (const auto& [name, windows] : labels.items()) {
    NabFile f;
    f.name = name;
    const fs::path csv = fs::path(root) / "data" / name;
    std::ifstream in(csv);
    if (!in)
      throw std::runtime_error(labels_path.string() + ": series " + csv.string() +
                               " cannot be opened");
    f.rows = analytics::read_series_csv(in, csv.string());
    for (const auto& w : windows) {
      if (!w.is_array() || w.size() != 2)
        throw std::runtime_error(labels_path.string() + ": " + name +
                                 ": window is not [start, end]");
      analytics::NabWindow win{row_of(f, w[0].get<std::string>(), labels_path.string()),
                               row_of(f, w[1].get<std::string>(), labels_path.string())};
      if (win.last < win.first)
        throw std::runtime_error(labels_path.string() + ": " + name +
                                 ": window ends before it starts");
      f.windows.push_back(win);
    }
    std::sort(f.windows.begin(), f.windows.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return files;
}

std::vector<std::pair<std::string, analytics::NabCostMatrix>> load_nab_profiles(
    const std::string& root) {
  const fs::path path = fs::path(root) / "config" / "profiles.json";
  const json profiles = read_json(path);
  std::vector<std::pair<std::string, analytics::NabCostMatrix>> out;
  for (const auto& [name, p] : profiles.items()) {
    try {
      const auto& m = p.at("CostMatrix");
      out.push_back({name,
                     {m.at("tpWeight").get<double>(), m.at("fpWeight").get<double>(),
                      m.at("fnWeight").get<double>()}});
    } catch (const json::exception& e) {
      throw std::runtime_error(path.string() + ": profile " + name + ": " + e.what());
    }
  }
  // Report in NAB's customary order, the standard profile first.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.first == "standard" && b.first != "standard";
  });
  return out;
}

}  // namespace kpulse::bench
