#include "cli/analyze_live.h"

#include <chrono>
#include <iostream>

#include "analytics/analyzer.h"
#include "cli/analysis_report.h"
#include "engine/collector.h"

namespace kpulse::cli {

int run_analyze_live(const LiveAnalyzeOptions& opt) {
  install_stop_handlers();
  engine::Collector collector(opt.engine->options());
  analytics::AnalyzerConfig cfg;
  cfg.bottleneck.scope = opt.scope;
  analytics::Analyzer analyzer(cfg);

  std::vector<analytics::Alert> history;
  analytics::AnalysisResult last;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (!stop_requested() && (opt.duration_s <= 0 || elapsed() < opt.duration_s)) {
    auto snap = collector.next([] { return stop_requested(); });
    if (!snap) break;
    last = analyzer.ingest(*snap);
    for (const auto& a : last.transitions) {
      history.push_back(a);
      if (!opt.json && !opt.quiet) print_transition(std::cout, a);
    }
    std::cout.flush();
  }
  if (opt.json)
    std::cout << report_json(last, history, elapsed()).dump(2) << "\n";
  else
    print_report(std::cout, last, history, elapsed());
  return 0;
}

}  // namespace kpulse::cli
