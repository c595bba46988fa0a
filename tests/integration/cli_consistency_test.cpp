// Commands agree on messages and exit status (docs/kpulse.md, EXIT STATUS:
// 1 for a runtime error such as missing privileges or no recording). Each
// case was found where one command said or returned something the others do
// not (a hostile-input sweep).
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "test_env.h"

namespace kpulse::testing {
namespace {

const std::string kBin = KPULSE_BINARY;

// An empty directory for one test, removed after it.
class EmptyDir {
 public:
  EmptyDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kpulse_cli_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~EmptyDir() { std::filesystem::remove_all(path_); }
  EmptyDir(const EmptyDir&) = delete;
  EmptyDir& operator=(const EmptyDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The start line printed the exit summary with every counter at 0
// ("prometheus: …/metrics, 0 scrapes"): a reader of the log thought the
// exporter had done nothing. It says what is served; the counters come at exit.
TEST(CliConsistency, ExportStartsByNamingTheEndpointAndEndsWithTheCounters) {
  const std::string cmd =
      kBin + " export --no-bpf --prometheus 127.0.0.1:0 --interval 0.2 --duration 0.5";
  std::string out;
  // run() adds 2>&1 to the whole command: the group keeps stderr alone.
  ASSERT_EQ(run("{ " + cmd + " 2>&1 >/dev/null; }", &out), 0) << out;
  EXPECT_NE(out.find("prometheus: serving http://127.0.0.1:"), std::string::npos) << out;
  EXPECT_EQ(out.find("scrapes"), std::string::npos) << "counters on the start line: " << out;
  ASSERT_EQ(run("{ " + cmd + " 2>/dev/null; }", &out), 0) << out;
  EXPECT_NE(out.find(" scrapes"), std::string::npos) << "no summary at exit: " << out;
}

// profile said "sampling for 1 s at 49 Hz…" and then that it lacked the
// privileges, and exited 3 (documented only for `probes`).
TEST(CliConsistency, ProfileWithoutPrivilegesSaysSoFirstAndExitsOne) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged user";
  ASSERT_TRUE(have_command("setpriv"));
  const std::string drop =
      "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all ";
  std::string out;
  EXPECT_EQ(run(drop + kBin + " profile --duration 1", &out), 1) << out;
  EXPECT_NE(out.find("CAP_BPF"), std::string::npos) << out;
  EXPECT_EQ(out.find("sampling for"), std::string::npos) << out;
}

// dump answered 0 ("no snapshots … for that range") where report and
// analyze refuse a reversed range, and 0 on a directory with no recording
// where report, replay and analyze exit 1.
TEST(CliConsistency, DumpRefusesAReversedRangeAsReportDoes) {
  EmptyDir dir;
  std::string out;
  EXPECT_EQ(run(kBin + " dump " + dir.path() + " --from now --to -1h", &out), 1) << out;
  EXPECT_NE(out.find("--from is after --to"), std::string::npos) << out;
  EXPECT_EQ(run(kBin + " report " + dir.path() + " --from now --to -1h -o /dev/null", &out), 1)
      << out;
  EXPECT_NE(out.find("--from is after --to"), std::string::npos) << out;
}

TEST(CliConsistency, DumpOfADirectoryWithNoRecordingFailsAsReplayDoes) {
  EmptyDir dir;
  std::string out;
  EXPECT_EQ(run(kBin + " dump " + dir.path(), &out), 1) << out;
  EXPECT_NE(out.find("no recording in " + dir.path()), std::string::npos) << out;
  EXPECT_EQ(run(kBin + " replay " + dir.path() + " --batch -n 1", &out), 1) << out;
}

// A count given as -1 wrapped to 2^64-1 and was taken (snapshot --processes
// was mended by 1bf96b4; profile --top and snapshot --top were not): usage
// errors (exit 2) with a short range, never DBL_MAX's 300 digits.
TEST(CliConsistency, ANegativeCountIsAUsageErrorWithAShortRange) {
  for (const char* args : {" profile --top -1", " snapshot --no-bpf --top -1",
                           " snapshot --no-bpf --processes -1", " top -n -1"}) {
    std::string out;
    EXPECT_EQ(run(kBin + args, &out), 2) << args << ": " << out;
    EXPECT_NE(out.find("Value -1 not in range 0 to "), std::string::npos) << args << ": " << out;
    EXPECT_LT(out.find('\n'), 120u) << args << ": " << out;
  }
  std::string out;
  EXPECT_EQ(run(kBin + " profile --duration 0", &out), 2) << out;
  EXPECT_NE(out.find("--duration: must be greater than 0, not 0"), std::string::npos) << out;
}

}  // namespace
}  // namespace kpulse::testing
