#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli/time_arg.h"
#include "record/dump_writer.h"

namespace kpulse::record {
namespace {

using cli::parse_time_arg;

constexpr int64_t kS = 1'000'000'000;

TEST(TimeArg, AcceptsEpochIsoAndRelativeForms) {
  const int64_t now = 1'764'000'000 * kS;
  EXPECT_EQ(parse_time_arg("1764000000", now), 1'764'000'000 * kS);
  EXPECT_EQ(parse_time_arg("1764000000.25", now), 1'764'000'000 * kS + kS / 4);
  EXPECT_EQ(parse_time_arg("2026-11-24T12:00:00Z", now), 1'795'521'600 * kS);
  EXPECT_EQ(parse_time_arg("2026-11-24 12:00", now), 1'795'521'600 * kS);
  EXPECT_EQ(parse_time_arg("2026-11-24T12:00:01.5Z", now), 1'795'521'601 * kS + kS / 2);
  EXPECT_EQ(parse_time_arg("2026-11-24", now), 1'795'478'400 * kS);
  EXPECT_EQ(parse_time_arg("-2h", now), now - 7200 * kS);
  EXPECT_EQ(parse_time_arg("-7d", now), now - 7 * 86400 * kS);
  EXPECT_EQ(parse_time_arg("now", now), now);
  for (const char* bad : {"", "yesterday", "-5x", "2026-13-45", "2026-11-24T25:00", "12abc"})
    EXPECT_THROW(parse_time_arg(bad, now), std::invalid_argument) << bad;
}

TEST(TimeArg, FormatsWithNanoseconds) {
  EXPECT_EQ(format_time_ns(1'763'985'601 * kS + 5), "2025-11-24T12:00:01.000000005Z");
  EXPECT_EQ(parse_time_arg(format_time_ns(1'763'985'601 * kS + 123456789), 0),
            1'763'985'601 * kS + 123456789);
}

model::Snapshot one() {
  model::Snapshot s;
  s.time_ns = 1'763'985'600 * kS;
  s.hostname = "h";
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.id = "/odd,name\"x";
  c.set_counter(model::MetricId::SchedOncpuTime, 12.5, 0.25);
  c.labeled.push_back({model::MetricId::NetDrops, "NO_SOCKET", 9, 1});
  model::HistogramSample h;
  h.id = model::MetricId::SchedRunqLatency;
  h.delta.record(100);
  h.total = h.delta;
  h.total.record(200);
  c.histograms.push_back(h);
  s.components.push_back(c);
  return s;
}

TEST(Dump, CsvHasOneRowPerSampleWithQuoting) {
  std::ostringstream out;
  write_csv_header(out);
  write_csv_rows(out, one());
  EXPECT_EQ(
      out.str(),
      "time,component_kind,component_id,metric,value,delta\n"
      "2025-11-24T12:00:00.000000000Z,cgroup,\"/odd,name\"\"x\",sched.oncpu_time,12.5,0.25\n"
      "2025-11-24T12:00:00.000000000Z,cgroup,\"/odd,name\"\"x\",net.drops{NO_SOCKET},9,1\n"
      "2025-11-24T12:00:00.000000000Z,cgroup,\"/odd,name\"\"x\",sched.runq_latency.count,2,1\n"
      "2025-11-24T12:00:00.000000000Z,cgroup,\"/"
      "odd,name\"\"x\",sched.runq_latency.sum_ns,300,100\n");
}

TEST(Dump, ValuesPrintWithoutArithmeticNoise) {
  EXPECT_EQ(dump_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(dump_number(1.3099999999999454), "1.31");
  EXPECT_EQ(dump_number(12.5), "12.5");
  EXPECT_EQ(dump_number(-0.25), "-0.25");
  EXPECT_EQ(dump_number(0), "0");
  EXPECT_EQ(dump_number(123456789012.0), "123456789012");
  // A byte counter stays exact, however large.
  EXPECT_EQ(dump_number(1234567890123456.0), "1234567890123456");
  EXPECT_EQ(dump_number(0.0001234), "0.0001234");
  // Real precision survives: 13 significant digits differ by far more than noise.
  EXPECT_EQ(dump_number(1234567.891234), "1234567.891234");
  EXPECT_EQ(dump_number(1e300), "1e+300");
  model::Snapshot s = one();
  s.components[0].samples[0].value = 0.1 + 0.2;
  std::ostringstream out;
  write_csv_rows(out, s);
  EXPECT_NE(out.str().find("sched.oncpu_time,0.3,0.25\n"), std::string::npos) << out.str();
}

TEST(Dump, JsonValuesPrintWithoutArithmeticNoiseToo) {
  model::Snapshot s = one();
  s.components[0].samples[0].value = 1.3099999999999454;
  s.components[0].samples[0].delta = 0.1 + 0.2;
  std::ostringstream out;
  write_json_line(out, s);
  EXPECT_EQ(out.str().find("1.3099999999999454"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("0.30000000000000004"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1.31"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0.3"), std::string::npos) << out.str();
}

TEST(Dump, JsonIsOneSnapshotPerLine) {
  std::ostringstream out;
  write_json_line(out, one());
  write_json_line(out, one());
  std::istringstream in(out.str());
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["hostname"], "h");
    ++lines;
  }
  EXPECT_EQ(lines, 2);
}

}  // namespace
}  // namespace kpulse::record
