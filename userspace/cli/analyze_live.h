// `kpulse analyze` without --series: runs the collector for a while and
// analyses every snapshot as it arrives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/engine_options.h"

namespace kpulse::cli {

struct LiveAnalyzeOptions {
  double duration_s = 60;          // 0: until interrupted
  bool json = false;               // one JSON document at the end instead of text
  std::vector<std::string> scope;  // component key prefixes to watch ("cgroup:/app")
  bool quiet = false;              // no live alert lines (text mode)
  std::shared_ptr<EngineFlags> engine = std::make_shared<EngineFlags>();
};

int run_analyze_live(const LiveAnalyzeOptions& opt);

}  // namespace kpulse::cli
