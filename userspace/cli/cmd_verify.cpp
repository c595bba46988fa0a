// `kpulse verify`: collect one interval and compare each metric family with
// the kernel's own counters over the same interval (verify/checks.h).
#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/engine_options.h"
#include "cli/text_table.h"
#include "verify/interval.h"

namespace kpulse::cli {
namespace {

struct VerifyFlags {
  double duration_s = 5;
  bool all = false;  // every compared component, not only the worst per family
};

std::string number(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "-";
  if (unit == "s") return fmt::format("{:.3f}s", v);
  if (unit == "bytes") return fmt::format("{:.0f}B", v);
  return fmt::format("{:.0f}", v);
}

// How far past its tolerance a result is (above 1: failed).
double severity(const verify::CheckResult& r) {
  const double allowed = r.allowed;
  const double diff = std::fabs(r.difference());
  if (!std::isfinite(diff)) return INFINITY;
  return allowed > 0 ? diff / allowed : diff;
}

int run_verify(const EngineFlags& engine_flags, const VerifyFlags& flags) {
  install_stop_handlers();
  engine::Collector collector(engine_flags.options());
  warn_failed_groups(collector);
  const auto duration = std::chrono::milliseconds(std::llround(flags.duration_s * 1000));
  auto result = verify::run_interval(collector, duration, stop_requested);
  if (!result) return 130;

  TextTable t({"<FAMILY", "<COMPONENT", "KPULSE", "KERNEL", "DIFF", "ALLOWED", "<RESULT", "N"});
  int failed = 0;
  for (const auto& name : verify::kFamilies) {
    auto rows = verify::family(result->results, name);
    size_t compared = 0, family_failed = 0;
    for (const auto& r : rows) {
      compared += r.status != verify::Status::Skip;
      family_failed += r.status == verify::Status::Fail;
    }
    failed += int(family_failed);
    auto add = [&](const verify::CheckResult& r) {
      if (r.status == verify::Status::Skip) {
        t.add_row({r.family, r.note, "-", "-", "-", "-", "SKIP", "0"});
        return;
      }
      t.add_row({r.family, r.component, number(r.kpulse, r.unit), number(r.kernel, r.unit),
                 number(r.difference(), r.unit), number(r.allowed, r.unit),
                 std::string(verify::to_string(r.status)), std::to_string(compared)});
    };
    if (flags.all) {
      for (const auto& r : rows) add(r);
      continue;
    }
    // The worst component of the family, and every failure.
    const verify::CheckResult* worst = nullptr;
    for (const auto& r : rows)
      if (r.status != verify::Status::Skip &&
          (!worst || severity(r) > severity(*worst) ||
           (severity(r) == severity(*worst) && std::fabs(r.kernel) > std::fabs(worst->kernel))))
        worst = &r;
    if (!worst) {
      add(rows.front());
      continue;
    }
    add(*worst);
    for (const auto& r : rows)
      if (r.status == verify::Status::Fail && &r != worst) add(r);
  }
  t.print(stdout, fmt::format("kpulse verify: {:.1f} s interval, kpulse's figures vs the "
                              "kernel's counters (N: components compared)",
                              result->snapshot.interval_s));
  if (failed > 0) {
    std::printf("%d check(s) FAILED\n", failed);
    return 1;
  }
  std::printf("all checks passed\n");
  return 0;
}

}  // namespace

void register_verify(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "verify", "Compare kpulse's figures with the kernel's own counters over one interval");
  auto engine_flags = std::make_shared<EngineFlags>();
  auto flags = std::make_shared<VerifyFlags>();
  add_engine_flags(*app, engine_flags);
  duration_option(*app, "--duration", flags->duration_s,
                  "Length of the compared interval, 0.2s to 1h (default 5s; plain number: "
                  "seconds)")
      ->check(CLI::Range(0.2, 3600.0));
  app->add_flag("--all", flags->all,
                "Print every compared component (default: the worst per family and failures)");
  app->footer(
      "Per metric family (CPU time, cgroup CPU and run-queue delay, disk "
      "ops/bytes/busy/in-flight,\n"
      "interface bytes/packets in every network namespace, TCP retransmits, cgroup memory, major\n"
      "faults, PSI): kpulse's value, the kernel's (/proc, /sys, cgroupfs), the difference, the\n"
      "tolerance and PASS/FAIL/SKIP. Exit status 1 when a check fails.\n"
      "Needs root (or CAP_BPF + CAP_PERFMON) unless --no-bpf.\n"
      "Examples:\n  kpulse verify\n  kpulse verify --duration 10 --all");
  reg.push_back({app, [engine_flags, flags] { return run_verify(*engine_flags, *flags); }});
}

}  // namespace kpulse::cli
