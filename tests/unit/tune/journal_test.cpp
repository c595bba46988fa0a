#include "tune/journal.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tune/restore.h"

namespace kpulse::tune {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kpulse-journal-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    cg_ = dir_ / "cg";
    std::filesystem::create_directories(cg_ / "kp");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Change change(const std::string& id, const std::string& orig, const std::string& written,
                ChangeState st) {
    Change c;
    c.id = id;
    c.knob = {KnobKind::Somaxconn, "", 7};
    c.original = orig;
    c.written = written;
    c.state = st;
    return c;
  }
  std::filesystem::path dir_, cg_;
};

TEST_F(JournalTest, LatestRecordPerIdWinsInFirstSeenOrder) {
  Journal j((dir_ / "state").string());
  j.append(change("a", "128", "256", ChangeState::OnTrial));
  j.append(change("b", "256", "512", ChangeState::OnTrial));
  j.append(change("a", "128", "256", ChangeState::Kept));
  auto all = j.load();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");
  EXPECT_EQ(all[0].state, ChangeState::Kept);
  EXPECT_EQ(all[1].state, ChangeState::OnTrial);
  EXPECT_EQ(all[0].undo_command(), "kpulse tune --undo a");
  // `tune --status` on another state directory: the undo must name it.
  EXPECT_EQ(all[0].undo_command("/var/lib/kpulse/"), "kpulse tune --undo a");
  EXPECT_EQ(all[0].undo_command("/tmp/st"), "kpulse tune --undo a --state-dir /tmp/st");
}

TEST_F(JournalTest, TornAndBadLinesAreReportedWithFileAndLineAndLoseNothingElse) {
  Journal j((dir_ / "state").string());
  j.append(change("a", "128", "256", ChangeState::OnTrial));
  {
    std::ofstream f(j.path(), std::ios::app);
    f << "{\"id\":\"x\",\"knob\":\"kernel.panic\",\"target\":\"\",\"original\":\"0\","
         "\"written\":\"1\",\"state\":\"kept\"}\n";
    f << "{\"id\":\"torn";  // a crash mid-append
  }
  std::vector<std::string> warnings;
  auto all = j.load(&warnings);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "a");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find(":2: unknown knob \"kernel.panic\""), std::string::npos);
  EXPECT_NE(warnings[1].find(":3: "), std::string::npos);
}

// Restores write what the journal says (host-wide knobs too), so a journal
// another user could have planted is refused, not obeyed: `tune --rollback`
// wrote a planted 8192 into a cgroup's memory.limit_in_bytes.
TEST_F(JournalTest, AStateDirectoryOthersCanWriteIsRefused) {
  std::filesystem::create_directories(dir_ / "pub");
  std::filesystem::permissions(dir_ / "pub", std::filesystem::perms(01777));
  try {
    Journal j((dir_ / "pub").string());
    ADD_FAILURE() << "accepted a directory of mode 1777";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("writable by group or others"), std::string::npos)
        << e.what();
  }
}

TEST_F(JournalTest, AJournalOthersCanWriteOrAnotherUserOwnsIsRefused) {
  Journal j((dir_ / "state").string());
  j.append(change("c1-1", "128", "4096", ChangeState::Kept));
  std::filesystem::permissions(j.path(), std::filesystem::perms(0666));
  EXPECT_THROW((void)j.load(), std::runtime_error);
  std::filesystem::permissions(j.path(), std::filesystem::perms(0600));
  EXPECT_EQ(j.load().size(), 1u);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(j.path().c_str(), 65534, 65534), 0);
    EXPECT_THROW((void)j.load(), std::runtime_error);
  }
}

// "No changes in force" is said only when there is no journal: one that
// cannot be read is an error, not an empty list.
TEST_F(JournalTest, AJournalThatCannotBeReadIsAnErrorNotNoChanges) {
  Journal j((dir_ / "state").string());
  EXPECT_TRUE(j.load().empty());  // none yet
  std::filesystem::create_directory(j.path());
  EXPECT_THROW((void)j.load(), std::runtime_error);
}

TEST_F(JournalTest, IdsAreUniqueAcrossInstances) {
  Journal j1((dir_ / "state").string());
  std::string a = j1.new_id();
  j1.append(change(a, "1", "2", ChangeState::Kept));
  Journal j2((dir_ / "state").string());
  EXPECT_NE(j2.new_id(), a);
}

// Undoing an older change while a newer one to the same knob is in force
// would restore a value from the middle of the stack: refused.
TEST_F(JournalTest, UndoRefusesToSkipANewerChangeToTheSameKnob) {
  Journal j((dir_ / "state").string());
  Change c1 = change("c1", "128", "1024", ChangeState::Kept);
  Change c2 = change("c2", "1024", "2048", ChangeState::Kept);
  j.append(c1);
  j.append(c2);
  std::vector<std::string> log;
  EXPECT_FALSE(undo_change(j, "c1", [&](const std::string& s) { log.push_back(s); }));
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("c2 changed the same knob later"), std::string::npos);
  EXPECT_FALSE(undo_change(j, "nope", [&](const std::string& s) { log.push_back(s); }));
  EXPECT_NE(log.back().find("no change with id nope"), std::string::npos);
}

}  // namespace
}  // namespace kpulse::tune
