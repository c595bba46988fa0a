// Off-CPU profiles in the output formats, the scheduler-frame trimming, and
// the kernel symbol table parsed from a kallsyms-shaped file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "../../profile/pprof_read.h"
#include "profile/kernel_symbols.h"
#include "profile/offcpu_probe.h"
#include "profile/profile_formats.h"

namespace kpulse::profile {
namespace {

Profile blocked_profile() {
  Profile p;
  p.mode = ProfileMode::OffCpu;
  p.event = "sched_switch";
  p.duration_s = 2;
  StackSample a;
  a.pid = 42;
  a.comm = "app";
  a.cgroup = "/x";
  a.count = 1'500'000'000;  // ns
  a.frames = {{"main", "app", false},
              {"wait_long", "app", false},
              {"do_nanosleep", "[kernel]", true},
              {"schedule", "[kernel]", true},
              {"__schedule", "[kernel]", true}};
  StackSample b = a;
  b.count = 500'000'000;
  b.frames[1].function = "wait_short";
  p.samples = {a, b};
  return p;
}

TEST(OffCpuFormats, PprofHasOneNanosecondValue) {
  auto pb = kpulse::testing::read_pprof(to_pprof(blocked_profile(), 0));
  const auto& st = pb.string_table();
  ASSERT_EQ(pb.sample_type_size(), 1);
  EXPECT_EQ(st[pb.sample_type(0).type()], "off_cpu");
  EXPECT_EQ(st[pb.sample_type(0).unit()], "nanoseconds");
  int64_t total = 0;
  for (const auto& s : pb.sample()) {
    ASSERT_EQ(s.value_size(), 1);
    total += s.value(0);
  }
  EXPECT_EQ(total, 2'000'000'000);
}

TEST(OffCpuFormats, TextNamesTheCallerOfTheSchedulerAndTheTimeBlocked) {
  const std::string text = to_text(blocked_profile(), 10);
  EXPECT_NE(text.find("2.000 s blocked"), std::string::npos) << text;
  // Every stack ends in __schedule: self time goes to its caller instead.
  EXPECT_NE(text.find("100.00% 100.00%  do_nanosleep"), std::string::npos) << text;
  EXPECT_NE(text.find("75.00%  wait_long"), std::string::npos) << text;
  EXPECT_NE(text.find("off%"), std::string::npos) << text;
  EXPECT_EQ(amount_text(ProfileMode::OffCpu, 2'500'000), "2.5 ms blocked");
}

TEST(OffCpuFormats, TracingFramesInsideScheduleAreDropped) {
  StackSample s;
  s.frames = {{"main", "app", false},
              {"do_nanosleep", "[kernel]", true},
              {"__schedule", "[kernel]", true},
              {"__traceiter_sched_switch", "[kernel]", true},
              {"bpf_prog_123_kp_offcpu_switch", "[bpf]", true}};
  drop_tracing_frames(s);
  ASSERT_EQ(s.frames.size(), 3u);
  EXPECT_EQ(s.frames.back().function, "__schedule");
  // No __schedule (an unnamed kernel): left as it is.
  StackSample t;
  t.frames = {{"main", "app", false}, {"[unknown]", "[kernel]", true}};
  drop_tracing_frames(t);
  EXPECT_EQ(t.frames.size(), 2u);
}

TEST(KernelSymbolsFile, ParsesTextSymbolsAndModules) {
  const std::string path = "/tmp/kpulse-kallsyms-" + std::to_string(getpid());
  {
    std::ofstream f(path);
    f << "ffffffff81000000 T _stext\n"
         "ffffffff81000100 t do_nanosleep\n"
         "ffffffff82000000 D some_data\n"
         "0000000000000000 A fixed_percpu_data\n"
         "ffffffffc0001000 t nft_do_chain\t[nf_tables]\n"
         "ffffffffc0002000 t nft_other\t[nf_tables]\n"
         "ffffffffc0003000 T veth_xmit\t[veth]\n"
         "ffffffff81000200 W weak_fn";  // no final newline
  }
  KernelSymbols k(path);
  ::unlink(path.c_str());
  EXPECT_EQ(k.size(), 6u);  // the data symbol and the zero address are skipped
  EXPECT_EQ(k.lookup(0xffffffff81000150).function, "do_nanosleep");
  EXPECT_EQ(k.lookup(0xffffffff81000150).module, "");
  EXPECT_EQ(k.lookup(0xffffffff81000250).function, "weak_fn");
  EXPECT_EQ(k.lookup(0xffffffffc0002010).function, "nft_other");
  EXPECT_EQ(k.lookup(0xffffffffc0002010).module, "nf_tables");
  EXPECT_EQ(k.lookup(0xffffffffc0003001).module, "veth");
  EXPECT_EQ(k.lookup(0x1000).function, "");
}

}  // namespace
}  // namespace kpulse::profile
