// Does a recommendation's expected gain happen? Collects at 1 s through the
// Analyzer until it recommends a change to a knob under the given target (a
// cgroup path or a device name) with a numeric expected gain, then turns the
// knob between the recommended and the original value in alternating blocks
// (after, before, after, ...) so the shared host's drifting load falls on
// both sides alike, and prints the median of the signal the gain is stated
// on in each, beside the prediction. Restores the knob on exit.
// The workloads are the caller's (bench/analytics/recommend_outcome.sh).
//   kpulse_recommend_outcome [--scenario S] [--find N] [--block N] [--rounds N] TARGET
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "analytics/analyzer.h"
#include "engine/collector.h"

namespace an = kpulse::analytics;

namespace {

struct Options {
  std::string scenario;  // "" = any
  std::string target;    // cgroup path or device the knob belongs to
  int find = 60;         // ticks to wait for the recommendation
  int block = 15;        // ticks per block; the first 3 of each settle
  int rounds = 3;        // (after, before) pairs
};

constexpr int kSettle = 3;

bool write_file(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  if (!out) return false;
  out << value << '\n';
  out.flush();
  return static_cast<bool>(out);
}

// Writes where read_knob_from_host reads: the knob's path, or on a hybrid
// host the cgroup2 tree under /sys/fs/cgroup/unified.
bool write_knob(const an::Knob& k, const std::string& value) {
  if (write_file(k.path(), value)) return true;
  return k.kind == an::KnobKind::Cgroup && write_file(k.path("/sys/fs/cgroup/unified"), value);
}

// What undoes a recommendation: the value read before it, except for the
// per-device files, which read empty with no entry and take "MAJ:MIN 0"
// (v1 throttle) or "MAJ:MIN rbps=max wbps=max" (io.max) to remove one.
std::string original_value(const an::Recommendation& r) {
  if (!r.current_value.empty()) return r.current_value;
  const std::string dev = r.proposed_value.substr(0, r.proposed_value.find(' '));
  if (r.knob.name == "io.max") return dev + " rbps=max wbps=max";
  return dev + " 0";
}

bool matches(const an::Recommendation& r, const Options& o) {
  if (r.advice_only || !r.predicted) return false;
  if (!o.scenario.empty() && r.scenario != o.scenario) return false;
  const std::string& target = r.knob.kind == an::KnobKind::Block ? r.knob.device : r.knob.cgroup;
  return target == o.target || r.knob.device == o.target;
}

double signal_value(const an::AnalysisResult& a, const an::PredictedGain& p) {
  for (const auto& row : a.use)
    if (row.key == p.component)
      if (const auto* s = row.find(p.signal)) return s->value;
  return std::nan("");
}

double median(std::vector<double> v) {
  std::erase_if(v, [](double x) { return !std::isfinite(x); });
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

volatile std::sig_atomic_t g_stop = 0;

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--scenario" && has_value)
      o.scenario = argv[++i];
    else if (a == "--find" && has_value)
      o.find = std::atoi(argv[++i]);
    else if (a == "--block" && has_value)
      o.block = std::atoi(argv[++i]);
    else if (a == "--rounds" && has_value)
      o.rounds = std::atoi(argv[++i]);
    else if (o.target.empty() && a.rfind("--", 0) != 0)
      o.target = a;
    else
      return std::nullopt;
  }
  if (o.target.empty() || o.block <= kSettle || o.rounds < 1) return std::nullopt;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const auto opt = parse(argc, argv);
  if (!opt) {
    std::fprintf(stderr,
                 "usage: %s [--scenario S] [--find N] [--block N>3] [--rounds N] TARGET\n"
                 "  TARGET: the cgroup path (/kpt-x) or device (loop3) whose knob to check\n",
                 argv[0]);
    return 2;
  }
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });

  kpulse::engine::CollectorOptions co;
  co.interval = std::chrono::milliseconds(1000);
  kpulse::engine::Collector collector(co);
  an::AnalyzerConfig ac;
  ac.forecasting = false;
  an::Analyzer analyzer(ac);

  std::optional<an::Recommendation> rec;
  for (int t = 0; t < opt->find && !rec && !g_stop; ++t) {
    const auto result = analyzer.ingest(collector.next());
    for (const auto& r : result.recommendations)
      if (matches(r, *opt)) {
        rec = r;
        break;
      }
  }
  if (!rec) {
    std::printf(
        "[recommend-outcome] target=%s scenario=%s: no recommendation with a numeric gain "
        "in %d s\n",
        opt->target.c_str(), opt->scenario.c_str(), opt->find);
    return 1;
  }
  const an::PredictedGain& p = *rec->predicted;
  const std::string original = original_value(*rec);
  std::printf("[recommend-outcome] %s: %s %s -> %s\n  expected: %s\n", rec->id.c_str(),
              rec->knob.path().c_str(), original.c_str(), rec->proposed_value.c_str(),
              rec->expected_gain.c_str());

  std::vector<double> applied, restored;
  bool ok = true;
  std::printf("  block medians (changed/original):");
  for (int b = 0; b < 2 * opt->rounds && ok && !g_stop; ++b) {
    const bool apply = b % 2 == 0;
    ok = write_knob(rec->knob, apply ? rec->proposed_value : original);
    if (!ok) std::fprintf(stderr, "cannot write %s\n", rec->knob.path().c_str());
    std::vector<double> block;
    for (int t = 0; t < opt->block && ok && !g_stop; ++t) {
      const double v = signal_value(analyzer.ingest(collector.next()), p);
      if (t >= kSettle) block.push_back(v);
    }
    std::printf(" %s %.4g", apply ? "C" : "O", median(block));
    std::fflush(stdout);
    (apply ? applied : restored)
        .insert((apply ? applied : restored).end(), block.begin(), block.end());
  }
  std::printf("\n");
  if (!write_knob(rec->knob, original))
    std::fprintf(stderr, "could not restore %s to %s\n", rec->knob.path().c_str(),
                 original.c_str());
  if (!ok) return 1;

  const double before = median(restored), after = median(applied);
  // Raw SI values (s, ratio, count): the signal's own unit.
  auto f = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return std::string(buf);
  };
  std::printf("  %s of %s: at recommendation %s; predicted %s%s\n", p.signal.c_str(),
              p.component.c_str(), f(p.now).c_str(), p.at_most ? "at most " : "",
              f(p.expected).c_str());
  std::printf("  measured, medians of %d-s blocks x %d: original %s, changed %s\n", opt->block,
              opt->rounds, f(before).c_str(), f(after).c_str());
  // The ratio the model predicted against the one that happened, both
  // relative to the same run's original-value blocks.
  std::printf("[recommend-outcome-ratio] %s predicted %.3f measured %.3f\n", rec->id.c_str(),
              p.now > 0 ? p.expected / p.now : std::nan(""),
              before > 0 ? after / before : std::nan(""));
  return 0;
}
