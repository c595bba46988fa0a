// pprof output, encoded by hand from profile.proto's published field numbers
// (github.com/google/pprof/proto/profile.proto); proto/pprof_profile.proto
// holds the same definitions for readers and the tests.
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>

#include "exporters/gzip.h"
#include "profile/profile_formats.h"

namespace kpulse::profile {
namespace {

// Minimal protobuf wire encoding: varints and length-delimited fields.
class Writer {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void tag(int field, int wire_type) { varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void uint_field(int field, uint64_t v) {
    if (!v) return;  // proto3 default: omitted
    tag(field, 0);
    varint(v);
  }
  void bytes_field(int field, const std::string& b) {
    tag(field, 2);
    varint(b.size());
    out_ += b;
  }
  void packed(int field, const std::vector<uint64_t>& values) {
    Writer w;
    for (uint64_t v : values) w.varint(v);
    bytes_field(field, w.str());
  }
  [[nodiscard]] const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// Field numbers of profile.proto.
enum ProfileField {
  kSampleType = 1,
  kSample = 2,
  kMapping = 3,
  kLocation = 4,
  kFunction = 5,
  kStringTable = 6,
  kTimeNanos = 9,
  kDurationNanos = 10,
  kPeriodType = 11,
  kPeriod = 12,
  kComment = 13,
};
enum ValueTypeField { kVtType = 1, kVtUnit = 2 };
enum SampleField { kSampleLocationId = 1, kSampleValue = 2, kSampleLabel = 3 };
enum LabelField { kLabelKey = 1, kLabelStr = 2, kLabelNum = 3 };
enum MappingField { kMappingId = 1, kMappingFilename = 5, kMappingHasFunctions = 7 };
enum LocationField { kLocationId = 1, kLocationMappingId = 2, kLocationLine = 4 };
enum LineField { kLineFunctionId = 1 };
enum FunctionField { kFunctionId = 1, kFunctionName = 2, kFunctionSystemName = 3 };

class Strings {
 public:
  Strings() { index(""); }  // string_table[0] must be ""
  uint64_t index(const std::string& s) {
    auto [it, inserted] = ids_.emplace(s, table_.size());
    if (inserted) table_.push_back(s);
    return it->second;
  }
  [[nodiscard]] const std::vector<std::string>& table() const { return table_; }

 private:
  std::map<std::string, uint64_t> ids_;
  std::vector<std::string> table_;
};

std::string value_type(Strings& st, const char* type, const char* unit) {
  Writer w;
  w.uint_field(kVtType, st.index(type));
  w.uint_field(kVtUnit, st.index(unit));
  return w.str();
}

std::string label(Strings& st, const char* key, const std::string& str, uint64_t num) {
  Writer w;
  w.uint_field(kLabelKey, st.index(key));
  if (!str.empty()) w.uint_field(kLabelStr, st.index(str));
  w.uint_field(kLabelNum, num);
  return w.str();
}

}  // namespace

std::string to_pprof(const Profile& p, int64_t time_nanos) {
  Strings st;
  Writer prof;
  const bool off_cpu = p.mode == ProfileMode::OffCpu;
  // Off-CPU counts are already nanoseconds: one value, period 1 ns.
  const char* period_kind = off_cpu ? "off_cpu" : "cpu";
  if (!off_cpu) prof.bytes_field(kSampleType, value_type(st, "samples", "count"));
  prof.bytes_field(kSampleType, value_type(st, period_kind, "nanoseconds"));
  const uint64_t period = off_cpu ? 1 : p.frequency_hz ? 1'000'000'000ULL / p.frequency_hz : 0;

  std::map<std::string, uint64_t> mappings;                            // module -> id
  std::map<std::tuple<std::string, std::string>, uint64_t> locations;  // (function, module)
  std::map<std::string, uint64_t> functions;                           // name -> id
  Writer mapping_w, location_w, function_w;
  auto location_of = [&](const Frame& f) {
    auto key = std::make_tuple(f.function, f.module);
    if (auto it = locations.find(key); it != locations.end()) return it->second;
    uint64_t mapping_id = 0;
    if (!f.module.empty()) {
      auto [m, added] = mappings.emplace(f.module, mappings.size() + 1);
      mapping_id = m->second;
      if (added) {
        Writer w;
        w.uint_field(kMappingId, mapping_id);
        w.uint_field(kMappingFilename, st.index(f.module));
        w.uint_field(kMappingHasFunctions, 1);
        mapping_w.bytes_field(kMapping, w.str());
      }
    }
    auto [fn, fn_added] = functions.emplace(f.function, functions.size() + 1);
    if (fn_added) {
      Writer w;
      w.uint_field(kFunctionId, fn->second);
      w.uint_field(kFunctionName, st.index(f.function));
      w.uint_field(kFunctionSystemName, st.index(f.function));
      function_w.bytes_field(kFunction, w.str());
    }
    uint64_t id = locations.size() + 1;
    locations.emplace(key, id);
    Writer line;
    line.uint_field(kLineFunctionId, fn->second);
    Writer w;
    w.uint_field(kLocationId, id);
    w.uint_field(kLocationMappingId, mapping_id);
    w.bytes_field(kLocationLine, line.str());
    location_w.bytes_field(kLocation, w.str());
    return id;
  };

  for (const auto& s : p.samples) {
    std::vector<uint64_t> ids;  // leaf first, as pprof wants
    for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it) ids.push_back(location_of(*it));
    Writer w;
    w.packed(kSampleLocationId, ids);
    if (off_cpu)
      w.packed(kSampleValue, {s.count});
    else
      w.packed(kSampleValue, {s.count, s.count * period});
    w.bytes_field(kSampleLabel, label(st, "pid", "", s.pid));
    w.bytes_field(kSampleLabel, label(st, "comm", s.comm, 0));
    if (!s.cgroup.empty()) w.bytes_field(kSampleLabel, label(st, "cgroup", s.cgroup, 0));
    prof.bytes_field(kSample, w.str());
  }
  std::string body = prof.str() + mapping_w.str() + location_w.str() + function_w.str();
  Writer tail;
  const std::string comment =
      off_cpu
          ? "kpulse profile: off-CPU time (sched_switch), from blocking to running again"
          : "kpulse profile: " + p.event + " at " + std::to_string(p.frequency_hz) + " Hz per CPU";
  const uint64_t comment_id = st.index(comment);
  for (const auto& s : st.table()) tail.bytes_field(kStringTable, s);
  tail.uint_field(kTimeNanos, static_cast<uint64_t>(time_nanos));
  tail.uint_field(kDurationNanos, static_cast<uint64_t>(p.duration_s * 1e9));
  tail.bytes_field(kPeriodType, value_type(st, period_kind, "nanoseconds"));
  tail.uint_field(kPeriod, period);
  tail.uint_field(kComment, comment_id);
  return exporters::gzip_compress(body + tail.str());
}

}  // namespace kpulse::profile
