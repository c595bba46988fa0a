// [export] and [export.otlp]: the nested section, its older name [otlp], and
// the values the exporters resolve against the OTEL_* variables.
#include <gtest/gtest.h>

#include "config/config.h"

namespace kpulse::config {
namespace {

TEST(ExportConfig, NestedSectionAndItsOlderName) {
  const Config c = parse_config(
      "[export]\nprocesses = \"top\"\ntop_processes = 5\ncgroup_depth = 2\n"
      "cgroup_allow = [\"/kubepods.slice\"]\n"
      "[export.otlp]\nenabled = true\nendpoint = \"https://gw:4318\"\ninterval = 30.0\n"
      "temporality = \"delta\"\ncompression = \"gzip\"\nhistograms = \"explicit\"\n",
      "t.toml");
  EXPECT_EQ(c.exporting.processes, "top");
  EXPECT_EQ(c.exporting.top_processes, 5);
  EXPECT_EQ(c.exporting.cgroup_depth, 2);
  EXPECT_EQ(c.exporting.cgroup_allow, std::vector<std::string>{"/kubepods.slice"});
  EXPECT_TRUE(c.otlp.enabled);
  EXPECT_EQ(c.otlp.endpoint, "https://gw:4318");
  EXPECT_EQ(c.otlp.interval_s, 30.0);
  EXPECT_EQ(c.otlp.temporality, "delta");
  EXPECT_EQ(c.otlp.compression, "gzip");
  EXPECT_EQ(c.otlp.histograms, "explicit");

  const Config old = parse_config("[otlp]\nenabled = true\nendpoint = \"http://c:4318\"\n", "t");
  EXPECT_TRUE(old.otlp.enabled);
  EXPECT_EQ(old.otlp.endpoint, "http://c:4318");
}

TEST(ExportConfig, DefaultsLeaveTheVariablesInCharge) {
  const Config c;
  EXPECT_FALSE(c.otlp.enabled);
  EXPECT_EQ(c.otlp.endpoint, "");
  EXPECT_EQ(c.otlp.interval_s, 0.0);
  EXPECT_EQ(c.otlp.histograms, "exponential");
  EXPECT_EQ(c.exporting.processes, "off");
  EXPECT_EQ(c.exporting.cgroup_depth, 4);
  // The defaults' text round-trips with the nested section in it.
  EXPECT_NE(default_config_text().find("[export.otlp]\n"), std::string::npos);
}

TEST(ExportConfig, BadValuesNameTheOption) {
  try {
    (void)parse_config("[export.otlp]\ntemporality = \"sometimes\"\n", "t.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("export.otlp.temporality"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)parse_config("[export]\nprocesses = \"all\"\n", "t"), ConfigError);
  EXPECT_THROW((void)parse_config("[export.otlp]\nbogus = 1\n", "t"), ConfigError);
  EXPECT_THROW((void)parse_config("[export.nope]\nenabled = true\n", "t"), ConfigError);
}

}  // namespace
}  // namespace kpulse::config
