#include "collect/cgroup_files.h"

#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

namespace {

// Calls fn(key, value) for each "key value" line of a flat-keyed file
// (cpu.stat, memory.events, v1 cpu.stat, memory.oom_control).
template <typename Fn>
void for_each_kv(std::string_view text, const std::string& file, Problems* problems, Fn fn) {
  FieldReader lines(text);
  while (lines.next()) {
    const auto& f = lines.fields();
    std::optional<uint64_t> v;
    if (f.size() == 2) v = parse_u64(f[1]);
    if (!v) {
      report(problems, file, lines.line_no(), "expected 'key number'");
      continue;
    }
    fn(f[0], *v);
  }
}

}  // namespace

namespace {

// A counter of a flat-keyed file: its key, and what divides the value into
// the catalog's unit.
struct KeyedCounter {
  std::string_view key;
  MetricId id;
  double divisor;
};

void parse_keyed_counters(std::string_view text, const std::string& file,
                          std::span<const KeyedCounter> wanted, model::Component& out,
                          Problems* problems) {
  for_each_kv(text, file, problems, [&](std::string_view k, uint64_t v) {
    for (const auto& w : wanted)
      if (k == w.key) out.set_counter(w.id, static_cast<double>(v) / w.divisor, 0);
  });
}

}  // namespace

void parse_cpu_stat_v2(std::string_view text, const std::string& file, model::Component& out,
                       Problems* problems) {
  static constexpr KeyedCounter kWanted[] = {{"usage_usec", MetricId::CgCpuUsage, 1e6},
                                             {"nr_periods", MetricId::CgCpuPeriods, 1},
                                             {"nr_throttled", MetricId::CgCpuThrottledPeriods, 1},
                                             {"throttled_usec", MetricId::CgCpuThrottledTime, 1e6}};
  parse_keyed_counters(text, file, kWanted, out, problems);
}

void parse_cpu_stat_v1(std::string_view text, const std::string& file, model::Component& out,
                       Problems* problems) {
  static constexpr KeyedCounter kWanted[] = {{"nr_periods", MetricId::CgCpuPeriods, 1},
                                             {"nr_throttled", MetricId::CgCpuThrottledPeriods, 1},
                                             {"throttled_time", MetricId::CgCpuThrottledTime, 1e9}};
  parse_keyed_counters(text, file, kWanted, out, problems);
}

void parse_oom_kills(std::string_view text, const std::string& file, model::Component& out,
                     Problems* problems) {
  static constexpr KeyedCounter kWanted[] = {{"oom_kill", MetricId::MemOomKills, 1}};
  parse_keyed_counters(text, file, kWanted, out, problems);
}

// Only the page-cache refaults are kept (nothing else in memory.stat is in
// the catalog). v2's fields and v1's total_* ones cover the children too,
// as the limit they are charged against does. Before 5.9 there was a single
// "workingset_refault" (then only file pages had shadow entries).
void parse_refaults(std::string_view text, const std::string& file, std::string_view prefix,
                    model::Component& out, Problems* problems) {
  double file_refaults = model::kNaN, old_name = model::kNaN;
  for_each_kv(text, file, problems, [&](std::string_view k, uint64_t v) {
    if (!k.starts_with(prefix)) return;
    k.remove_prefix(prefix.size());
    if (k == "workingset_refault_file")
      file_refaults = static_cast<double>(v);
    else if (k == "workingset_refault")
      old_name = static_cast<double>(v);
  });
  const double refaults = std::isnan(file_refaults) ? old_name : file_refaults;
  if (!std::isnan(refaults)) out.set_counter(MetricId::CgMemRefaults, refaults, 0);
}

// "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
void parse_io_stat(std::string_view text, const std::string& file, model::Component& out,
                   Problems* problems) {
  double rbytes = 0, wbytes = 0;
  FieldReader lines(text);
  while (lines.next()) {
    const auto& f = lines.fields();
    for (size_t i = 1; i < f.size(); ++i) {
      auto eq = f[i].find('=');
      if (eq == std::string_view::npos) continue;
      auto key = f[i].substr(0, eq);
      if (key != "rbytes" && key != "wbytes") continue;
      auto v = parse_u64(f[i].substr(eq + 1));
      if (!v) {
        report(problems, file, lines.line_no(), "bad number");
        continue;
      }
      (key == "rbytes" ? rbytes : wbytes) += static_cast<double>(*v);
    }
  }
  out.set_counter(MetricId::CgIoReadBytes, rbytes, 0);
  out.set_counter(MetricId::CgIoWriteBytes, wbytes, 0);
}

// "8:0 Read 4096" ... "Total 123". The throttle file counts every bio (the
// non-throttle one only CFQ/BFQ I/O).
void parse_blkio_service_bytes(std::string_view text, const std::string& file,
                               model::Component& out, Problems* problems) {
  double r = 0, w = 0;
  FieldReader lines(text);
  while (lines.next()) {
    const auto& f = lines.fields();
    if (f.size() != 3) continue;  // "Total N"
    if (f[1] != "Read" && f[1] != "Write") continue;
    auto v = parse_u64(f[2]);
    if (!v) {
      report(problems, file, lines.line_no(), "bad number");
      continue;
    }
    (f[1] == "Read" ? r : w) += static_cast<double>(*v);
  }
  out.set_counter(MetricId::CgIoReadBytes, r, 0);
  out.set_counter(MetricId::CgIoWriteBytes, w, 0);
}

void parse_cpu_max(std::string_view text, const std::string& file, model::Component& out,
                   Problems* problems) {
  std::vector<std::string_view> f;
  split_ws(trim(text), f);
  if (f.size() != 2) {
    report(problems, file, 1, "expected '<quota|max> <period>'");
  } else if (f[0] != "max") {
    auto quota = parse_u64(f[0]), period = parse_u64(f[1]);
    if (quota && period && *period > 0)
      out.set_gauge(MetricId::CgCpuQuota,
                    static_cast<double>(*quota) / static_cast<double>(*period));
    else
      report(problems, file, 1, "bad quota or period");
  }
}

void parse_memory_limit(std::string_view text, const std::string& file, MetricId id,
                        bool absent_when_zero, model::Component& out, Problems* problems) {
  auto t = trim(text);
  if (t == "max") return;
  auto v = parse_u64(t);
  if (!v) {
    report(problems, file, 1, "expected a number or 'max'");
    return;
  }
  if (absent_when_zero && *v == 0) return;
  out.set_gauge(id, static_cast<double>(*v));
}

}  // namespace kpulse::collect
