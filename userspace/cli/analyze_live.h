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
  // Recording whose history warms the forecaster first; "" for none. The
  // default is the daemon's recording directory when it exists.
  std::string history = "/var/lib/kpulse/recordings";
  // Sample on-CPU stacks meanwhile (the profile group) and name each busy
  // cgroup's hot function in the report, as --recording does from the
  // daemon's recorded stacks.
  bool profile = false;
  uint32_t profile_hz = 49;
  std::shared_ptr<EngineFlags> engine = std::make_shared<EngineFlags>();
};

int run_analyze_live(const LiveAnalyzeOptions& opt);

// `kpulse analyze --recording DIR [--from T --to T]`: the same analysis over
// recorded snapshots, as fast as they decode, then the same report.
struct RecordingAnalyzeOptions {
  std::string dir;
  std::string from, to;  // report::parse_time_arg forms; empty: the whole recording
  bool json = false;
  bool quiet = false;
  std::vector<std::string> scope;
};
int run_analyze_recording(const RecordingAnalyzeOptions& opt);

}  // namespace kpulse::cli
