// The host-wide writeback tuner against a real write storm: buffered writes
// to an ext4 file system on a loop device whose writes the block layer
// throttles to 20 MiB/s, under a tight vm.dirty_ratio, so writers stall in
// balance_dirty_pages(). kpulse must propose a vm.dirty_* step only when
// tuning.writeback is enabled, apply it with --apply, and put the values back.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "test_env.h"
#include "tune_state_test.h"

namespace kpulse::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;

// The v1 blkio hierarchy's root: throttling there covers the flusher threads,
// which write back every cgroup's dirty pages on a cgroup v1 host.
const char* const kRootThrottle = "/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device";

void write_file(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  f << value << '\n';
}

// A slow disk with a file system on it, the dirty limits set tight, and
// everything put back (sysctls, throttle, mount, loop device) on destruction.
class SlowWritebackDisk {
 public:
  SlowWritebackDisk() : loop_(1024) {
    dir_ = "/tmp/kpulse-wb-it-" + std::to_string(::getpid());
    fs::create_directories(dir_);
    std::string out;
    if (run("mkfs.ext4 -q -F " + loop_.device() + " && mount " + loop_.device() + " " + dir_,
            &out) != 0)
      throw std::runtime_error("mkfs/mount failed: " + out);
    mounted_ = true;
    run("lsblk -dno MAJ:MIN " + loop_.device() + " | tr -d ' \\n'", &majmin_);
    write_file(kRootThrottle, majmin_ + " " + std::to_string(20 << 20));
    throttled_ = true;
    bg_ = read_trimmed("/proc/sys/vm/dirty_background_ratio");
    ratio_ = read_trimmed("/proc/sys/vm/dirty_ratio");
    // dirty_ratio before dirty_background_ratio: the kernel rejects nothing
    // here, but keeping background < ratio at every step avoids its halving.
    write_file("/proc/sys/vm/dirty_background_ratio", "1");
    write_file("/proc/sys/vm/dirty_ratio", "2");
  }
  ~SlowWritebackDisk() {
    if (!ratio_.empty()) write_file("/proc/sys/vm/dirty_ratio", ratio_);
    if (!bg_.empty()) write_file("/proc/sys/vm/dirty_background_ratio", bg_);
    if (throttled_) write_file(kRootThrottle, majmin_ + " 0");
    if (mounted_) run("umount " + dir_);
    fs::remove_all(dir_);
  }
  SlowWritebackDisk(const SlowWritebackDisk&) = delete;
  SlowWritebackDisk& operator=(const SlowWritebackDisk&) = delete;
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] const std::string& original_ratio() const { return ratio_; }

  static std::string read_trimmed(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
  }

 private:
  LoopDevice loop_;
  std::string dir_, majmin_, bg_, ratio_;
  bool mounted_ = false, throttled_ = false;
};

class TuneWritebackTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("mkfs.ext4")) GTEST_SKIP() << "needs mkfs.ext4";
    if (!fs::exists(kRootThrottle))
      GTEST_SKIP() << "needs the cgroup v1 blkio hierarchy to throttle writeback (" << kRootThrottle
                   << ")";
    make_state_dir("tune-wb");
    write_file(state_ + "/writeback.toml", "[tuning]\nwriteback = true");
  }
};

TEST_F(TuneWritebackTest, WriteStormGetsADirtyLimitStepOnlyWhenEnabledAndTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  SlowWritebackDisk disk;
  // Rewrites 600 MiB in place, over and over: far more than the ~2% dirty
  // limit, written back at 20 MiB/s.
  Child writer("while :; do dd if=/dev/zero of=" + disk.dir() +
                   "/f bs=1M count=600 conv=notrunc status=none; done",
               nullptr);
  std::this_thread::sleep_for(5s);

  // Host-wide tuning is opt-in: without tuning.writeback no step is proposed.
  std::string out;
  const std::string no_config = state_ + "/empty.toml";
  write_file(no_config, "[tuning]");
  ASSERT_EQ(run(kBin + " tune --config " + no_config +
                    " --samples 4 --interval 1 --tuners writeback --state-dir " + state_ + " 2>&1",
                &out),
            0)
      << out;
  EXPECT_EQ(out.find("writeback_stalls"), std::string::npos) << out;

  // Enabled: the plan names the stall with its evidence and a dirty_ratio step.
  ASSERT_EQ(run(kBin + " tune --config " + state_ +
                    "/writeback.toml --samples 4 --interval 1 --tuners writeback --state-dir " +
                    state_ + " 2>&1",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("scenario: writeback_stalls"), std::string::npos) << out;
  EXPECT_NE(out.find("knob: vm.dirty_ratio"), std::string::npos) << out;
  EXPECT_NE(out.find("change: 2 -> "), std::string::npos) << out;
  EXPECT_EQ(SlowWritebackDisk::read_trimmed("/proc/sys/vm/dirty_ratio"), "2")
      << "a dry run wrote the knob";

  // --apply writes the step (journaled first) and rolls it back on exit.
  Child tuner(kBin + " tune --apply --config " + state_ +
                  "/writeback.toml --tuners writeback --interval 1 --window 3 --duration 25 "
                  "--on-exit rollback --state-dir " +
                  state_ + " >" + state_ + "/log 2>&1",
              nullptr);
  bool changed = false;
  for (auto end = std::chrono::steady_clock::now() + 30s;
       !changed && std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(200ms))
    changed = SlowWritebackDisk::read_trimmed("/proc/sys/vm/dirty_ratio") != "2";
  EXPECT_TRUE(changed) << slurp(state_ + "/log");
  EXPECT_NE(slurp(state_ + "/tune-journal.jsonl").find("dirty_ratio"), std::string::npos);
  EXPECT_EQ(tuner.wait(60s), 0) << slurp(state_ + "/log");
  // What the experiment concluded (kept or reverted) depends on the storm;
  // printed for the record, not asserted.
  std::istringstream log(slurp(state_ + "/log"));
  for (std::string line; std::getline(log, line);)
    if (line.find("dirty") != std::string::npos) std::printf("[writeback] %s\n", line.c_str());
  EXPECT_EQ(SlowWritebackDisk::read_trimmed("/proc/sys/vm/dirty_ratio"), "2")
      << slurp(state_ + "/log");
  EXPECT_EQ(SlowWritebackDisk::read_trimmed("/proc/sys/vm/dirty_background_ratio"), "1");
  EXPECT_NE(slurp(state_ + "/log").find("writeback_stalls"), std::string::npos)
      << slurp(state_ + "/log");
}

}  // namespace
}  // namespace kpulse::testing
