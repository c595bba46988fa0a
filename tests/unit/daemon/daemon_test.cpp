// The daemon loop and its sinks over a synthetic source: slow and failing
// sinks never hold up collection, queues drop the oldest, reloads apply live
// options and report the rest.
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/sink_worker.h"
#include "tests/support/synthetic_source.h"

namespace kpulse::daemon {
namespace {

using namespace std::chrono_literals;

// Records what it got; optionally sleeps or throws per snapshot.
class FakeSink : public SnapshotSink {
 public:
  FakeSink(std::string name, std::chrono::milliseconds delay = 0ms, bool throws = false)
      : name_(std::move(name)), delay_(delay), throws_(throws) {}
  [[nodiscard]] std::string name() const override { return name_; }
  void consume(const model::Snapshot& s) override {
    if (release_) release_->wait(false);
    std::this_thread::sleep_for(delay_);
    if (throws_) throw std::runtime_error("sink broke");
    std::lock_guard lock(mu_);
    seqs_.push_back(s.seq);
    last_seq_ = s.seq;
  }
  void reconfigure(const config::Config& c) override { reconfigured_level_ = c.daemon.log_level; }
  void flush() override { flushed_ = true; }
  [[nodiscard]] std::string status() const override {
    return "last seq " + std::to_string(last_seq_.load());
  }
  std::atomic<uint64_t> last_seq_{0};
  std::vector<uint64_t> seqs() {
    std::lock_guard lock(mu_);
    return seqs_;
  }

  std::atomic<bool>* release_ = nullptr;  // consume() blocks until it is true
  std::atomic<bool> flushed_{false};
  std::atomic<config::LogLevel> reconfigured_level_{config::LogLevel::Info};

 private:
  std::string name_;
  std::chrono::milliseconds delay_;
  bool throws_;
  std::mutex mu_;
  std::vector<uint64_t> seqs_;
};

// `pace` stands in for the collection interval.
Daemon::Source synthetic_source(std::chrono::milliseconds pace = 0ms) {
  auto synth = std::make_shared<synthetic::SyntheticSource>(synthetic::SyntheticOptions{});
  return [synth, pace](const std::function<bool()>& stop) -> std::optional<model::Snapshot> {
    if (stop()) return std::nullopt;
    std::this_thread::sleep_for(pace);
    return synth->next();
  };
}

// Stops after `n` snapshots.
std::function<bool()> after(Daemon& d, uint64_t n) {
  return [&d, n] {
    uint64_t seen = 0;
    for (const auto& [name, st] : d.sink_stats())
      seen = std::max(seen, st.consumed + st.dropped + st.queued);
    return seen >= n;
  };
}

TEST(SinkWorker, FullQueueDropsTheOldestAndNeverBlocks) {
  std::atomic<bool> release{false};
  auto sink = std::make_unique<FakeSink>("blocked");
  FakeSink* raw = sink.get();
  raw->release_ = &release;
  SinkWorker w(std::move(sink), 4);
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < 100; ++i) {
    auto s = std::make_shared<model::Snapshot>();
    s->seq = i;
    w.push(s);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  release = true;
  release.notify_all();
  w.stop();
  SinkStats st = w.stats();
  // One snapshot may have been taken by the worker before it blocked.
  EXPECT_GE(st.dropped, 95u);
  EXPECT_EQ(st.consumed + st.dropped, 100u);
  std::vector<uint64_t> got = raw->seqs();
  ASSERT_GE(got.size(), 4u);
  // What survives is the newest.
  EXPECT_EQ(got.back(), 99u);
  EXPECT_EQ(got[got.size() - 4], 96u);
  EXPECT_TRUE(raw->flushed_);
}

TEST(Daemon, SlowAndFailingSinksDoNotStallTheOthers) {
  set_log_level(config::LogLevel::Error);
  config::Config cfg;
  cfg.daemon.sink_queue_depth = 128;
  cfg.daemon.status_interval_s = 0;
  Daemon d(cfg, synthetic_source(2ms));
  auto fast = std::make_unique<FakeSink>("fast");
  FakeSink* fast_raw = fast.get();
  auto slow = std::make_unique<FakeSink>("slow", 10ms);
  FakeSink* slow_raw = slow.get();
  d.add_sink(std::move(fast));
  d.add_sink(std::move(slow));
  d.add_sink(std::make_unique<FakeSink>("broken", 0ms, true));

  const size_t target = 600;
  size_t slow_when_fast_done = 0;
  uint64_t collected = d.run([&] {
    if (fast_raw->seqs().size() < target) return false;
    slow_when_fast_done = slow_raw->seqs().size();
    return true;
  });
  EXPECT_GE(collected, target);
  // Collection kept pace with the fast sink while the slow one lagged far behind.
  EXPECT_LT(slow_when_fast_done, target / 2);
  auto stats = d.sink_stats();
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].second.dropped, 0u);
  EXPECT_GT(stats[1].second.dropped, 0u);
  EXPECT_EQ(stats[1].second.consumed + stats[1].second.dropped, collected);
  EXPECT_EQ(stats[2].second.failures, stats[2].second.consumed);
  EXPECT_GT(stats[2].second.failures, 0u);
}

TEST(Daemon, ReloadAppliesLiveOptionsAndReportsTheRest) {
  set_log_level(config::LogLevel::Error);
  config::Config cfg;
  cfg.daemon.log_level = config::LogLevel::Error;
  config::Config next = cfg;
  next.report.cpu_saturation = 0.5;
  next.collection.interval_s = 10;
  Daemon d(cfg, synthetic_source(), [&next] { return next; });
  auto sink = std::make_unique<FakeSink>("s");
  FakeSink* raw = sink.get();
  d.add_sink(std::move(sink));
  auto restart = d.reload();
  EXPECT_EQ(restart, std::vector<std::string>{"collection.interval"});
  EXPECT_DOUBLE_EQ(d.config().report.cpu_saturation, 0.5);
  EXPECT_DOUBLE_EQ(d.config().collection.interval_s, 1.0);

  next.daemon.log_level = config::LogLevel::Warning;
  d.reload();
  EXPECT_EQ(log_level(), config::LogLevel::Warning);
  d.run([&] { return raw->reconfigured_level_ == config::LogLevel::Warning; });
  EXPECT_EQ(raw->reconfigured_level_, config::LogLevel::Warning);
}

TEST(Daemon, BadReloadKeepsTheRunningConfiguration) {
  set_log_level(config::LogLevel::Error);
  config::Config cfg;
  cfg.report.cpu_saturation = 0.7;
  Daemon d(cfg, synthetic_source(),
           []() -> config::Config { throw config::ConfigError("/x.toml", 3, "bad"); });
  EXPECT_TRUE(d.reload().empty());
  EXPECT_DOUBLE_EQ(d.config().report.cpu_saturation, 0.7);
}

TEST(Daemon, StatusLineCountsPerSink) {
  set_log_level(config::LogLevel::Error);
  Daemon d(config::Config{}, synthetic_source());
  d.add_sink(std::make_unique<FakeSink>("rec"));
  d.run(after(d, 5));
  std::string line = d.status_line();
  EXPECT_NE(line.find("rec: 5 consumed, 0 dropped, 0 failed, 0 queued"), std::string::npos) << line;
}

// A sink that cannot write out what it buffered at shutdown (the recorder
// with an unwritable directory) is reported, so `kpulse run` exits non-zero.
class FailingFlushSink : public FakeSink {
 public:
  FailingFlushSink() : FakeSink("rec") {}
  void flush() override { throw std::runtime_error("the last 4096 bytes could not be written"); }
};

TEST(Daemon, AFailedFinalFlushIsReported) {
  Daemon d(config::Config{}, synthetic_source());
  d.add_sink(std::make_unique<FakeSink>("ok"));
  EXPECT_FALSE(d.shutdown_lost_data());
  d.add_sink(std::make_unique<FailingFlushSink>());
  d.run(after(d, 3));
  EXPECT_TRUE(d.shutdown_lost_data());
  const auto stats = d.sink_stats();
  EXPECT_FALSE(stats[0].second.flush_failed);
  EXPECT_TRUE(stats[1].second.flush_failed);
}

}  // namespace
}  // namespace kpulse::daemon

namespace kpulse::daemon {
namespace {

// Outside the journal a log line carries its time (the docs show it).
TEST(Log, LinesCarryUtcTimeOutsideTheJournal) {
  const int64_t t = 1'764'936'601'123'456'789;  // 2025-12-05T12:10:01.123Z
  EXPECT_EQ(format_log_line(LogLevel::Info, "stopped", false, t),
            "2025-12-05T12:10:01.123Z kpulse: info: stopped\n");
  EXPECT_EQ(format_log_line(LogLevel::Warning, "x", true, t), "<4>x\n");
}

// Alert messages name processes and cgroups, which any user names: a process
// called "\n<0>..." must not forge a journal entry of its own, nor an escape
// sequence in one reach the terminal of whoever reads the log.
TEST(Log, ANameWithControlCharactersStaysOnItsLine) {
  const int64_t t = 1'764'936'601'123'456'789;
  const std::string message =
      "alert firing: top consumer \x1b[31mEVIL\n<0>forged [42], \xc2\x9b"
      "2J [43]";
  EXPECT_EQ(format_log_line(LogLevel::Error, message, true, t),
            "<3>alert firing: top consumer ?[31mEVIL?<0>forged [42], ?2J [43]\n");
  EXPECT_EQ(
      format_log_line(LogLevel::Error, message, false, t),
      "2025-12-05T12:10:01.123Z kpulse: error: alert firing: top consumer ?[31mEVIL?<0>forged "
      "[42], ?2J [43]\n");
}

// An inherited JOURNAL_STREAM does not make a redirected stderr the journal.
TEST(Log, JournalStreamMustNameTheFile) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  struct stat st {};
  ASSERT_EQ(fstat(fileno(f), &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  EXPECT_TRUE(journal_stream_is(mine.c_str(), fileno(f)));
  EXPECT_FALSE(journal_stream_is("1:2", fileno(f)));
  EXPECT_FALSE(journal_stream_is(nullptr, fileno(f)));
  std::fclose(f);
}

}  // namespace
}  // namespace kpulse::daemon
