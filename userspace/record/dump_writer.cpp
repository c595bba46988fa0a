#include "record/dump_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>

#include "model/snapshot_json.h"

namespace kpulse::record {
namespace {

// Within this relative distance a shorter decimal is the value: collected
// rates and ratios come out of subtractions and divisions whose last bits are
// rounding noise (1.3099999999999454 for 1.31), well below any precision
// a kernel counter or clock has.
constexpr double kNoise = 1e-12;
constexpr int64_t kSec = 1'000'000'000;

}  // namespace

double without_noise(double v) {
  if (!std::isfinite(v) || v == 0 || v == std::trunc(v)) return v;
  // The fewest significant digits that land within the noise of `v`.
  char buf[64];
  for (int digits = 1; digits <= 15; ++digits) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
    double back = 0;
    std::from_chars(buf, r.ptr, back);
    if (std::fabs(back - v) <= kNoise * std::fabs(v)) return back;
  }
  return v;
}

std::string format_time_ns(int64_t time_ns) {
  int64_t secs = time_ns / kSec, ns = time_ns % kSec;
  if (ns < 0) {
    ns += kSec;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
}

std::string dump_number(double v) {
  if (!std::isfinite(v) || v == 0) return fmt::format("{}", v);
  // Counters are integers: exact, whatever their size (2^53 and below).
  if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0)
    return fmt::format("{}", static_cast<int64_t>(v));
  // Shortest form of the rounded value (no exponent for ordinary magnitudes).
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, without_noise(v));
  return {buf, r.ptr};
}

namespace {

// RFC 4180 quoting, only when needed (cgroup paths and labels are free text).
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void row(std::ostream& out, const std::string& time, const model::Component& c,
         std::string_view metric, double value, double delta) {
  out << time << ',' << model::to_string(c.kind) << ',' << csv_field(c.id) << ','
      << csv_field(metric) << ',' << dump_number(value) << ',' << dump_number(delta) << '\n';
}

}  // namespace

void write_csv_header(std::ostream& out) {
  out << "time,component_kind,component_id,metric,value,delta\n";
}

void write_csv_rows(std::ostream& out, const model::Snapshot& s) {
  const std::string time = format_time_ns(s.time_ns);
  for (const auto& c : s.components) {
    for (const auto& smp : c.samples)
      row(out, time, c, model::info(smp.id).name, smp.value, smp.delta);
    for (const auto& l : c.labeled)
      row(out, time, c, fmt::format("{}{{{}}}", model::info(l.id).name, l.label), l.value, l.delta);
    for (const auto& h : c.histograms) {
      const auto name = model::info(h.id).name;
      row(out, time, c, fmt::format("{}.count", name), static_cast<double>(h.total.count),
          static_cast<double>(h.delta.count));
      row(out, time, c, fmt::format("{}.sum_ns", name), static_cast<double>(h.total.sum_ns),
          static_cast<double>(h.delta.sum_ns));
    }
  }
}

namespace {

// Every float of a JSON document without its rounding noise, as in the CSV.
void strip_noise(nlohmann::json& j) {
  if (j.is_number_float()) {
    j = without_noise(j.get<double>());
  } else if (j.is_structured()) {
    for (auto& child : j) strip_noise(child);
  }
}

}  // namespace

void write_json_line(std::ostream& out, const model::Snapshot& s) {
  auto j = model::to_json(s);
  strip_noise(j);
  out << j.dump() << '\n';
}

}  // namespace kpulse::record
