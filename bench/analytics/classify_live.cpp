// Workload classification accuracy on cgroups that something else has set
// running: each argument names a cgroup (as kpulse keys it) and the class a
// user expects of it. Collects at 1 s; once the classifier's window has
// filled, labels every cgroup every 2 s, then prints the misses with their
// evidence, the confusion matrix and the share labelled right. The method is
// the integration tests' (analytics_workload_test.cpp), so figures compare;
// the workloads are the caller's (bench/analytics/third_set.sh).
//   kpulse_classify_live [--set NAME] [--ticks N] [--warmup N] NAME:CLASS:/cgroup/path...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analytics/workload_classifier.h"
#include "engine/collector.h"

namespace an = kpulse::analytics;

namespace {

struct Labelled {
  std::string name, expected, cgroup;
};

// "NAME:CLASS:/path": the path may itself hold colons, the name and class not.
Labelled parse_labelled(const std::string& arg) {
  const auto a = arg.find(':');
  const auto b = a == std::string::npos ? a : arg.find(':', a + 1);
  if (b == std::string::npos) throw std::invalid_argument("want NAME:CLASS:/cgroup, got " + arg);
  Labelled l{arg.substr(0, a), arg.substr(a + 1, b - a - 1), arg.substr(b + 1)};
  bool known = false;
  for (int c = 0; c <= int(an::WorkloadClass::Periodic); ++c)
    known = known || l.expected == an::to_string(an::WorkloadClass(c));
  if (!known) throw std::invalid_argument("unknown class " + l.expected);
  return l;
}

void print_confusion(const std::map<std::string, std::map<std::string, int>>& confusion,
                     const std::string& set) {
  std::vector<std::string> classes;
  for (int c = 0; c <= int(an::WorkloadClass::Periodic); ++c)
    classes.emplace_back(an::to_string(an::WorkloadClass(c)));
  std::printf("[workload-confusion] %s; rows: expected, columns: got\n%-14s", set.c_str(), "");
  for (const auto& c : classes) std::printf(" %13s", c.c_str());
  std::printf("\n");
  for (const auto& want : classes) {
    auto row = confusion.find(want);
    if (row == confusion.end()) continue;
    std::printf("%-14s", want.c_str());
    for (const auto& got : classes) {
      auto n = row->second.find(got);
      std::printf(" %13d", n == row->second.end() ? 0 : n->second);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string set = "live set";
  int ticks = 70, warmup = 30;
  std::vector<Labelled> labelled;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--set" && i + 1 < argc)
        set = argv[++i];
      else if (a == "--ticks" && i + 1 < argc)
        ticks = std::atoi(argv[++i]);
      else if (a == "--warmup" && i + 1 < argc)
        warmup = std::atoi(argv[++i]);
      else
        labelled.push_back(parse_labelled(a));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse_classify_live: %s\n", e.what());
    return 2;
  }
  if (labelled.empty()) {
    std::fprintf(stderr, "usage: %s [--set NAME] [--ticks N] [--warmup N] NAME:CLASS:/cgroup...\n",
                 argv[0]);
    return 2;
  }

  kpulse::engine::CollectorOptions o;
  o.interval = std::chrono::milliseconds(1000);
  o.max_processes = 2000;  // the per-process figures (RSS, faults) of every workload
  kpulse::engine::Collector collector(o);
  an::WorkloadClassifier classifier;
  // The same snapshots through the classifier without its longer history
  // (the window's period search alone): what that history adds, on one run.
  an::WorkloadConfig window_only_cfg;
  window_only_cfg.long_bins = 0;
  an::WorkloadClassifier window_only(window_only_cfg);
  std::map<std::string, std::map<std::string, int>> confusion;  // [expected][got]
  std::map<std::string, std::map<std::string, int>> per_workload;
  std::map<std::string, std::vector<double>> periods;  // of the periodic labels
  int right = 0, total = 0, window_only_right = 0;
  for (int t = 0; t < ticks; ++t) {
    const auto snap = collector.next();
    classifier.update(snap);
    window_only.update(snap);
    if (t < warmup || t % 2) continue;
    for (const auto& l : labelled) {
      const auto p = classifier.classify("cgroup:" + l.cgroup);
      const std::string got(an::to_string(p.cls));
      ++confusion[l.expected][got];
      ++per_workload[l.name][got];
      if (p.cls == an::WorkloadClass::Periodic) periods[l.name].push_back(p.period_s);
      ++total;
      right += got == l.expected;
      window_only_right +=
          an::to_string(window_only.classify("cgroup:" + l.cgroup).cls) == l.expected;
      if (got != l.expected)
        std::printf("  t=%d %s: %s (want %s) %s\n", t, l.name.c_str(), got.c_str(),
                    l.expected.c_str(), p.evidence.c_str());
    }
  }
  std::printf("[workload-labels] %s; per workload\n", set.c_str());
  for (const auto& l : labelled) {
    std::printf("  %-12s want %-13s got", l.name.c_str(), l.expected.c_str());
    for (const auto& [got, n] : per_workload[l.name]) std::printf(" %s x%d", got.c_str(), n);
    if (auto& ps = periods[l.name]; !ps.empty()) {
      std::sort(ps.begin(), ps.end());
      std::printf(" (period %.0f-%.0f s, median %.0f s)", ps.front(), ps.back(), ps[ps.size() / 2]);
    }
    std::printf("\n");
  }
  print_confusion(confusion, set);
  std::printf("[workload-accuracy] %s %d/%d = %.1f%%\n", set.c_str(), right, total,
              total ? 100.0 * right / total : 0.0);
  std::printf("[workload-accuracy] %s, window only (no longer history) %d/%d = %.1f%%\n",
              set.c_str(), window_only_right, total,
              total ? 100.0 * window_only_right / total : 0.0);
  return 0;
}
