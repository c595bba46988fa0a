// The config file: defaults round-trip, and every class of bad input is
// reported with file, line and reason.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"
#include "config/options.h"

namespace kpulse::config {
namespace {

TEST(Config, DefaultTextParsesBackToDefaults) {
  Config parsed = parse_config(default_config_text(), "defaults.toml");
  EXPECT_TRUE(changed_options(parsed, Config{}).empty());
}

TEST(Config, DefaultTextDocumentsEveryOption) {
  std::string text = default_config_text();
  for (const auto& spec : option_specs()) {
    auto at = text.find("\n" + spec.key + " = ");
    ASSERT_NE(at, std::string::npos) << spec.dotted();
    // The line before each option is its documentation.
    auto comment = text.rfind("\n# ", at - 1);
    ASSERT_NE(comment, std::string::npos);
    EXPECT_EQ(text.find('\n', comment + 1), at) << spec.dotted() << " has no comment";
  }
}

TEST(Config, EmptyFileIsAllDefaults) {
  EXPECT_TRUE(changed_options(parse_config("", "empty.toml"), Config{}).empty());
}

TEST(Config, ValuesAreRead) {
  Config c = parse_config(R"(
[collection]
interval = 2
probe_groups = ["sched", "net"]
max_processes = 50
[daemon]
log_level = "debug"
[prometheus]
enabled = true
listen = "[::1]:9100"
[report]
cpu_saturation = 0.75
)",
                          "x.toml");
  EXPECT_DOUBLE_EQ(c.collection.interval_s, 2.0);
  EXPECT_EQ(c.collection.probe_groups, (std::vector<std::string>{"sched", "net"}));
  EXPECT_EQ(c.collection.max_processes, 50);
  EXPECT_EQ(c.daemon.log_level, LogLevel::Debug);
  EXPECT_TRUE(c.prometheus.enabled);
  EXPECT_EQ(c.prometheus.listen, "[::1]:9100");
  EXPECT_DOUBLE_EQ(c.report.cpu_saturation, 0.75);
  auto changed = changed_options(c, Config{});
  EXPECT_EQ(changed.size(), 7u);
}

TEST(Config, ChangedValuesRoundTripThroughRender) {
  Config c;
  c.collection.interval_s = 0.25;
  c.state.dir = "/srv/kp \"q\"";
  c.collection.probe_groups = {"mem"};
  c.daemon.log_level = LogLevel::Warning;
  std::string text;
  for (const auto& section : section_specs()) {
    text += "[" + section.name + "]\n";
    for (const auto& spec : option_specs())
      if (spec.section == section.name) text += spec.key + " = " + spec.render(c) + "\n";
  }
  EXPECT_TRUE(changed_options(parse_config(text, "r.toml"), c).empty());
}

TEST(Config, RecordingDirDefaultsUnderStateDir) {
  Config c;
  c.state.dir = "/srv/kpulse/";
  EXPECT_EQ(c.recording_dir(), "/srv/kpulse/recordings");
  c.record.dir = "/data/rec";
  EXPECT_EQ(c.recording_dir(), "/data/rec");
}

TEST(Config, LiveOptions) {
  EXPECT_TRUE(live_option("daemon.log_level"));
  EXPECT_TRUE(live_option("report.cpu_saturation"));
  EXPECT_FALSE(live_option("collection.interval"));
  EXPECT_FALSE(live_option("no.such"));
}

struct BadCase {
  const char* name;
  const char* text;
  int line;
  const char* reason_part;
};

class BadConfig : public testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, NamesFileLineAndReason) {
  const BadCase& c = GetParam();
  try {
    parse_config(c.text, "/etc/kpulse/test.toml");
    FAIL() << "accepted: " << c.text;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "/etc/kpulse/test.toml");
    EXPECT_EQ(e.line(), c.line) << e.what();
    EXPECT_NE(e.reason().find(c.reason_part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()),
              "/etc/kpulse/test.toml:" + std::to_string(c.line) + ": " + e.reason());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Classes, BadConfig,
    testing::Values(
        BadCase{"syntax", "[collection]\ninterval = = 1\n", 2, ""},
        BadCase{"unterminated_string", "[state]\ndir = \"/var/lib\n", 2, ""},
        BadCase{"duplicate_key", "[collection]\nbpf = true\nbpf = false\n", 3, ""},
        BadCase{"unknown_section", "[collection]\nbpf = true\n\n[colection]\n", 4,
                "unknown section [colection]"},
        BadCase{"unknown_key", "[daemon]\n\nlog_levle = \"info\"\n", 3,
                "unknown option \"log_levle\" in [daemon]"},
        BadCase{"section_not_table", "collection = 5\n", 1, "must be a section"},
        BadCase{"wrong_type_bool", "[collection]\nbpf = \"yes\"\n", 2,
                "collection.bpf: expected true or false"},
        BadCase{"wrong_type_number", "[collection]\n\ninterval = \"1s\"\n", 3,
                "collection.interval: expected a number"},
        BadCase{"wrong_type_int", "[collection]\nmax_processes = 1.5\n", 2, "expected an integer"},
        BadCase{"out_of_range", "[collection]\ninterval = 0.001\n", 2, "outside 0.05..3600"},
        BadCase{"negative_int", "[record]\nfull_days = -1\n", 2, "outside 0..3650"},
        BadCase{"bad_enum", "[daemon]\nlog_level = \"loud\"\n", 2, "unknown log level \"loud\""},
        BadCase{"bad_list_member", "[collection]\nprobe_groups = [\"sched\", \"disk\"]\n", 2,
                "unknown value \"disk\""},
        BadCase{"list_wrong_type", "[collection]\nprobe_groups = \"sched\"\n", 2,
                "expected an array of strings"},
        BadCase{"bad_listen", "[prometheus]\nlisten = \"localhost\"\n", 2, "is not host:port"},
        BadCase{"bad_port", "[prometheus]\nlisten = \"127.0.0.1:70000\"\n", 2, "outside 0..65535"},
        // Found by tests/fuzz/fuzz_config: more digits than a long holds threw out_of_range.
        BadCase{"huge_port", "[prometheus]\nlisten = \"0:43333333333333333333331333333\"\n", 2,
                "outside 0..65535"},
        BadCase{"relative_path", "[state]\ndir = \"var/lib/kpulse\"\n", 2,
                "is not an absolute path"},
        BadCase{"bad_url", "[otlp]\nendpoint = \"127.0.0.1:4318\"\n", 2, "not an http://"},
        BadCase{"url_without_host", "[export.otlp]\nendpoint = \"http://\"\n", 2, "names no host"},
        BadCase{"otlp_under_both_names", "[export.otlp]\nenabled = true\n[otlp]\nenabled = false\n",
                3, "both [otlp] and [export.otlp]"}),
    [](const testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(Config, MissingFileNamesFileAndReason) {
  try {
    load_config("/nonexistent/kpulse.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/kpulse.toml: cannot open: No such file or directory");
  }
}

// The configuration decides what the root daemon writes: one that another
// user owns or could have written was run without a word.
TEST(Config, AFileOthersCanWriteOrAnotherUserOwnsIsRefused) {
  auto path = std::filesystem::temp_directory_path() /
              ("kpulse_config_owner_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "[daemon]\nstatus_interval = 5\n";
  std::filesystem::permissions(path, std::filesystem::perms(0666));
  try {
    load_config(path);
    ADD_FAILURE() << "accepted mode 0666";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("writable by group or others (mode 0666)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(check_config_file(path).empty());
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  EXPECT_DOUBLE_EQ(load_config(path).daemon.status_interval_s, 5.0);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    EXPECT_THROW(load_config(path), ConfigError);
  }
  std::filesystem::remove(path);
}

TEST(Config, LoadsFromFile) {
  auto path = std::filesystem::temp_directory_path() / "kpulse_config_test.toml";
  {
    std::ofstream out(path);
    out << "[daemon]\nstatus_interval = 5\n[tuning]\nenabled = tru\n";
  }
  try {
    load_config(path);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.line(), 4);
  }
  {
    std::ofstream out(path);
    out << "[daemon]\nstatus_interval = 5\n";
  }
  EXPECT_DOUBLE_EQ(load_config(path).daemon.status_interval_s, 5.0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kpulse::config

namespace kpulse::config {
namespace {

TEST(Config, MergeLiveOptionsKeepsRestartOnlyValues) {
  Config running;
  Config next;
  next.daemon.log_level = LogLevel::Debug;  // live
  next.collection.interval_s = 5;           // restart
  next.collection.probe_groups = {"net"};   // restart
  next.report.psi_saturation = 0.5;         // live
  Config merged = merge_live_options(running, next);
  EXPECT_EQ(merged.daemon.log_level, LogLevel::Debug);
  EXPECT_DOUBLE_EQ(merged.report.psi_saturation, 0.5);
  EXPECT_DOUBLE_EQ(merged.collection.interval_s, 1.0);
  EXPECT_TRUE(merged.collection.probe_groups.empty());
}

}  // namespace
}  // namespace kpulse::config
