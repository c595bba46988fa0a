// `kpulse dump DIR`: a recording as CSV rows or JSON lines, for scripts.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/time_arg.h"
#include "cli/user_files.h"
#include "model/clock.h"
#include "record/dump_writer.h"
#include "record/reader.h"

namespace kpulse::cli {
namespace {

struct DumpArgs {
  std::string dir;
  std::string from, to;
  std::string format = "csv";
  std::string tier = "full";
};

int run(DumpArgs a) {
  drop_privileges_for_user_files();
  a.dir = recording_dir_of(a.dir);
  const int64_t now = model::wall_clock_ns();
  const int64_t from = a.from.empty() ? INT64_MIN : parse_time_arg(a.from, now);
  const int64_t to = a.to.empty() ? INT64_MAX : parse_time_arg(a.to, now);
  // As report and analyze: a reversed range or a directory without a
  // recording is an error, not an empty dump.
  if (from > to) throw std::runtime_error("dump: --from is after --to");
  record::RecordingReader reader(a.dir, *record::tier_from_string(a.tier));
  // Skipped blocks go to stderr so the data on stdout stays clean.
  auto print_warnings = [&reader] {
    for (const auto& w : reader.warnings())
      std::fprintf(stderr, "kpulse dump: warning: %s\n", w.c_str());
  };
  if (!reader.time_range()) {
    print_warnings();  // why a damaged recording holds nothing
    throw std::runtime_error("dump: no recording in " + a.dir +
                             (a.tier == "full" ? "" : " at tier " + a.tier));
  }
  std::ios::sync_with_stdio(false);
  if (a.format == "csv") record::write_csv_header(std::cout);
  size_t n = 0;
  reader.read(from, to, [&](record::RecordedSnapshot&& r) {
    if (a.format == "csv")
      record::write_csv_rows(std::cout, r.snapshot);
    else
      record::write_json_line(std::cout, r.snapshot);
    ++n;
    return static_cast<bool>(std::cout);
  });
  std::cout.flush();
  print_warnings();
  if (n == 0)
    std::fprintf(stderr, "kpulse dump: no snapshots in %s for that range\n", a.dir.c_str());
  return 0;
}

}  // namespace

void register_dump(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand("dump", "Print a recording as CSV rows or JSON lines");
  auto args = std::make_shared<DumpArgs>();
  app->add_option("dir", args->dir,
                  "Recording directory, or the state directory holding recordings/ (e.g. "
                  "/var/lib/kpulse)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app->add_option("--from", args->from,
                  "Start time: Unix seconds, UTC ISO 8601 or relative (-2h); default: the start");
  app->add_option("--to", args->to, "End time (same forms); default: the end");
  app->add_option("--format", args->format,
                  "csv: time,component_kind,component_id,metric,value,delta per sample; "
                  "json: one snapshot per line")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  app->add_flag_callback(
      "--json", [args] { args->format = "json"; }, "Same as --format json");
  app->add_option("--tier", args->tier, "Resolution: full, 1m or 1h (gauge means)")
      ->check(CLI::IsMember({"full", "1m", "1h"}))
      ->capture_default_str();
  reg.push_back({app, [args] { return run(*args); }});
}

}  // namespace kpulse::cli
