// Runs engine::Collector at a fixed interval and reports what it costs: CPU
// time per interval (user+sys, from getrusage), RSS, and the map drain time
// the engine measures itself (agent component, self.drain_time). Stands in for
// `kpulse run` in bench/run until the daemon exists, and doubles as "kpulse
// attached" during the end-to-end runs (--intervals 0: until SIGTERM).
//
// Output: one JSON object on stdout at exit.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/collector.h"
#include "model/snapshot.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// VmRSS / VmHWM in bytes from /proc/self/status.
double status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0)
      return std::strtod(line.c_str() + field.size() + 1, nullptr) * 1024;
  return 0;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / double(v.size());
}

double max_of(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

}  // namespace

int main(int argc, char** argv) {
  int intervals = 10;
  int interval_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--intervals")
      intervals = std::atoi(argv[i + 1]);
    else if (a == "--interval-ms")
      interval_ms = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--intervals N (0: until SIGTERM)] [--interval-ms MS]\n",
                   argv[0]);
      return 2;
    }
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  kpulse::engine::CollectorOptions opts;
  opts.interval = std::chrono::milliseconds(interval_ms);
  try {
    kpulse::engine::Collector collector(opts);
    std::fprintf(stderr, "engine_driver: probes loaded\n");
    std::vector<double> cpu, drain, collect_wall;
    size_t components = 0;
    // The first interval only sets the baseline; it is not counted.
    auto stop = [] { return g_stop != 0; };
    if (!collector.next(stop)) return 0;
    double cpu0 = cpu_seconds();
    for (int i = 0; (intervals == 0 || i < intervals) && !g_stop; ++i) {
      auto snap = collector.next(stop);
      if (!snap) break;
      double cpu1 = cpu_seconds();
      cpu.push_back(cpu1 - cpu0);
      cpu0 = cpu1;
      components = snap->components.size();
      for (const auto& c : snap->components)
        if (c.kind == kpulse::model::ComponentKind::Agent) {
          double d = c.value(kpulse::model::MetricId::SelfDrainTime);
          if (d == d) drain.push_back(d);
        }
    }
    nlohmann::json j = {
        {"intervals", cpu.size()},
        {"interval_s", interval_ms / 1000.0},
        {"components", components},
        {"cpu_s_per_interval_median", median(cpu)},
        {"cpu_s_per_interval_max", max_of(cpu)},
        // Work done every few intervals (walks, idle re-reads) moves the mean, not the median.
        {"cpu_s_per_interval_mean", mean(cpu)},
        {"core_fraction_median", median(cpu) / (interval_ms / 1000.0)},
        {"drain_s_median", median(drain)},
        {"drain_s_max", max_of(drain)},
        {"rss_bytes", status_bytes("VmRSS")},
        {"rss_peak_bytes", status_bytes("VmHWM")},
    };
    std::printf("%s\n", j.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_driver: %s\n", e.what());
    return 1;
  }
  return 0;
}
