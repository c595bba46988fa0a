// The collector feeding the Analyzer in-process, scoped to the components a
// test owns: the alert and recommendation tests drive it on live workloads.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analytics/analyzer.h"
#include "engine/collector.h"

namespace kpulse::testing {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The collector and the analyzer, confined to the components a test owns so
// other work on this shared machine cannot answer for it.
class LiveAnalysis {
 public:
  // `read_knobs`: recommendations read this host's knobs; otherwise none is
  // readable (alert tests need no knob).
  explicit LiveAnalysis(std::vector<std::string> scope, bool read_knobs = false)
      : collector_(options()) {
    analytics::AnalyzerConfig cfg;
    cfg.bottleneck.scope = std::move(scope);
    if (!read_knobs)
      cfg.knobs = [](const analytics::Knob&) { return std::optional<std::string>(); };
    analyzer_ = std::make_unique<analytics::Analyzer>(cfg);
  }

  [[nodiscard]] const std::vector<analytics::Alert>& active() const { return last_.active_alerts; }
  [[nodiscard]] const analytics::AnalysisResult& last() const { return last_; }
  // The snapshot last() was computed from.
  [[nodiscard]] const model::Snapshot& last_snapshot() const { return snapshot_; }

  // What the last analysis saw, for a failing test's message: each watched
  // row's saturation and each bottleneck with its cause.
  [[nodiscard]] std::string describe_last() const {
    std::string out;
    for (const auto& row : last_.use)
      out += "\n  " + row.key + ": utilization " + std::to_string(row.utilization) +
             ", saturation " + std::to_string(row.saturation);
    for (const auto& b : last_.bottlenecks)
      out += "\n  bottleneck " + b.id + " (saturation " + std::to_string(b.saturation) +
             ", cause '" + b.cause + "')";
    return out.empty() ? "\n  (nothing watched)" : out;
  }

  // Feeds `intervals` snapshots; returns the alerts that fired meanwhile.
  std::vector<analytics::Alert> run(int intervals) {
    std::vector<analytics::Alert> fired;
    for (int i = 0; i < intervals; ++i)
      for (const auto& a : step().transitions)
        if (a.state == analytics::AlertState::Firing) fired.push_back(a);
    return fired;
  }

  struct Firing {
    analytics::Alert alert;
    double interval_end_s;  // snapshot time - onset
    double available_s;     // analysis done - onset
  };
  // Feeds snapshots until an alert matching `match` fires, for at most `limit`.
  std::optional<Firing> wait_for(int64_t onset_ns,
                                 const std::function<bool(const analytics::Alert&)>& match,
                                 int limit) {
    for (int i = 0; i < limit; ++i) {
      auto r = step();
      int64_t done = now_ns();
      for (const auto& a : r.transitions)
        if (a.state == analytics::AlertState::Firing && match(a))
          return Firing{a, double(r.time_ns - onset_ns) / 1e9, double(done - onset_ns) / 1e9};
    }
    return std::nullopt;
  }

 private:
  static engine::CollectorOptions options() {
    engine::CollectorOptions o;
    o.interval = std::chrono::milliseconds(1000);
    o.max_processes = 2000;
    return o;
  }
  analytics::AnalysisResult step() {
    snapshot_ = collector_.next();
    auto r = analyzer_->ingest(snapshot_);
    last_ = r;
    // KPULSE_ALERTS_TRACE=1 prints the watched USE rows: what a failing
    // scenario's signals actually read.
    if (std::getenv("KPULSE_ALERTS_TRACE"))
      for (const auto& row : r.use)
        for (const auto& s : row.signals)
          if (s.role != analytics::UseRole::Utilization || row.kind == model::ComponentKind::Cgroup)
            if (row.key.find("kpt-") != std::string::npos ||
                row.key.find("loop") != std::string::npos)
              std::printf("  %s %s=%.4g (limit %.4g)\n", row.key.c_str(), s.name.c_str(), s.value,
                          s.limit);
    for (const auto& b : r.bottlenecks)
      if (std::getenv("KPULSE_ALERTS_TRACE"))
        std::printf("  bottleneck %s sat %.2f score %.2f anomalous %d\n", b.id.c_str(),
                    b.saturation, b.score, int(b.anomalous));
    return r;
  }

  engine::Collector collector_;
  std::unique_ptr<analytics::Analyzer> analyzer_;
  analytics::AnalysisResult last_;
  model::Snapshot snapshot_;
};

}  // namespace kpulse::testing
