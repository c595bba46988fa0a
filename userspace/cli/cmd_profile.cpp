// `kpulse profile`: on-CPU stack sampling (or off-CPU blocked time by stack)
// for a while, written as folded stacks, pprof, an SVG flame graph or a text
// summary.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/engine_options.h"
#include "collect/cgroup_layout.h"
#include "probes/kernel_features.h"
#include "profile/profile_formats.h"
#include "profile/profile_session.h"

namespace kpulse::cli {
namespace {

struct ProfileFlags {
  double duration_s = 10;
  std::string cgroup;
  uint32_t pid = 0;
  uint32_t frequency_hz = profile::kDefaultFrequencyHz;
  std::string format = "text";
  std::string output;
  size_t top = 20;
  std::string event = "auto";
  std::string mode = "on-cpu";
};

// "/system.slice/x.service" is taken under the cgroup2 mount; a path that is
// already inside the mount is used as given.
std::string cgroup_dir(const std::string& arg, std::string* error) {
  const std::string root = collect::detect_cgroup_layout().v2_root;
  if (root.empty()) {
    *error = "--cgroup needs a cgroup2 mount (none found)";
    return {};
  }
  if (arg.rfind(root + "/", 0) == 0 || arg == root) return arg;
  return root + (arg.empty() || arg[0] != '/' ? "/" : "") + arg;
}

int run_profile(const ProfileFlags& flags) {
  // Before anything is announced: "sampling for 10 s" followed by "needs
  // root" read as if sampling had started.
  if (const std::string why = probes::missing_bpf_privileges(); !why.empty()) {
    std::fprintf(stderr, "kpulse: %s\n", why.c_str());
    return 1;
  }
  profile::SessionOptions o;
  const bool off_cpu = flags.mode == "off-cpu";
  o.mode = off_cpu ? profile::ProfileMode::OffCpu : profile::ProfileMode::OnCpu;
  o.duration_s = flags.duration_s;
  o.probe.frequency_hz = flags.frequency_hz;
  o.probe.tgid = flags.pid;
  o.probe.prefer_cycles = flags.event == "auto";
  if (!flags.cgroup.empty()) {
    std::string error;
    o.probe.cgroup_path = cgroup_dir(flags.cgroup, &error);
    if (!error.empty()) {
      std::fprintf(stderr, "kpulse: %s\n", error.c_str());
      return 2;
    }
    if (::access(o.probe.cgroup_path.c_str(), F_OK) != 0) {
      std::fprintf(stderr, "kpulse: no cgroup %s\n", o.probe.cgroup_path.c_str());
      return 2;
    }
  }
  if (flags.pid && ::kill(static_cast<pid_t>(flags.pid), 0) != 0 && errno == ESRCH) {
    std::fprintf(stderr, "kpulse: no process %u\n", flags.pid);
    return 2;
  }
  install_stop_handlers();
  if (flags.format != "pprof" || !flags.output.empty()) {
    if (off_cpu)
      std::fprintf(stderr, "kpulse: recording blocked time for %.0f s (Ctrl-C ends early)\n",
                   flags.duration_s);
    else
      std::fprintf(stderr, "kpulse: sampling for %.0f s at %u Hz per CPU (Ctrl-C ends early)\n",
                   flags.duration_s, flags.frequency_hz);
  }
  profile::Profile p;
  try {
    p = profile::record_profile(o, [] { return stop_requested(); });
  } catch (const std::exception& e) {
    // A runtime error, as for every command (3 is `probes`' own status).
    std::fprintf(stderr, "kpulse: %s\n", e.what());
    return 1;
  }

  std::string out;
  if (flags.format == "folded") {
    out = profile::to_folded(p);
  } else if (flags.format == "pprof") {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    out = profile::to_pprof(p, std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() -
                                   static_cast<int64_t>(p.duration_s * 1e9));
  } else if (flags.format == "svg") {
    std::string title = off_cpu
                            ? "kpulse profile: off-CPU, " + profile::amount_text(p.mode, p.total())
                            : "kpulse profile: " + std::to_string(p.total()) + " samples, " +
                                  p.event + " at " + std::to_string(p.frequency_hz) + " Hz";
    if (!flags.cgroup.empty()) title += ", cgroup " + flags.cgroup;
    if (flags.pid) title += ", pid " + std::to_string(flags.pid);
    out = profile::to_flamegraph_svg(p, title);
  } else {
    out = profile::to_text(p, flags.top);
  }
  if (flags.output.empty() || flags.output == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::ofstream file(flags.output, std::ios::binary | std::ios::trunc);
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!file) {
    std::fprintf(stderr, "kpulse: cannot write %s\n", flags.output.c_str());
    return 1;
  }
  std::fprintf(stderr, "kpulse: %s written to %s\n",
               profile::amount_text(p.mode, p.total()).c_str(), flags.output.c_str());
  return 0;
}

}  // namespace

void register_profile(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand("profile",
                                  "Sample on-CPU stacks (kernel and user), or off-CPU blocked "
                                  "time by stack, and write a flame graph or profile");
  auto flags = std::make_shared<ProfileFlags>();
  app->add_option("--duration", flags->duration_s, "Seconds to sample")
      ->capture_default_str()
      ->check(positive());
  app->add_option("--cgroup", flags->cgroup,
                  "Only this cgroup and its descendants (path under the cgroup2 mount)");
  app->add_option("--pid", flags->pid, "Only this process (thread group id)");
  app->add_option("--frequency", flags->frequency_hz,
                  "Samples per second per CPU (49 avoids the timer tick's multiples)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app->add_option("--format", flags->format, "Output format")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "folded", "pprof", "svg"}));
  app->add_option("-o,--output", flags->output, "Write to FILE instead of standard output");
  app->add_option("--top", flags->top, "Rows in the text format's tables")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1000000}));  // "-1" wrapped to 2^64-1 unchecked
  app->add_option("--event", flags->event,
                  "Sampling clock: auto (hardware cycles where the CPU has a PMU, else "
                  "cpu-clock) or cpu-clock")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu-clock"}));
  app->add_option("--mode", flags->mode,
                  "on-cpu: where the CPU time goes (sampling); off-cpu: where tasks block, "
                  "valued in time blocked (a scheduler hook on every context switch; "
                  "--frequency and --event do not apply)")
      ->capture_default_str()
      ->check(CLI::IsMember({"on-cpu", "off-cpu"}));
  app->footer(
      "Formats: text (top functions and processes), folded (flamegraph.pl / speedscope input), "
      "pprof (gzipped profile.proto, for `go tool pprof`), svg (a self-contained flame graph). "
      "Off-CPU values are nanoseconds blocked (folded counts; pprof off_cpu/nanoseconds).\n"
      "User stacks are walked through frame pointers: callers of code built without them show as "
      "[unknown]. Exit status 3 when sampling cannot run here (the reason is printed).");
  reg.push_back({app, [flags] { return run_profile(*flags); }});
}

}  // namespace kpulse::cli
