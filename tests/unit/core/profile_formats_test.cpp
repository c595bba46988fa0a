// The profiler's output formats and symbol tables, on synthetic profiles and
// on this test binary's own ELF file.
#include <gtest/gtest.h>

#include <cstdint>

#include "../../profile/pprof_read.h"
#include "profile/elf_symbols.h"
#include "profile/process_maps.h"
#include "profile/profile_formats.h"
#include "profile/symbolizer.h"

namespace kpulse::profile {
namespace {

Profile sample_profile() {
  Profile p;
  p.event = "cpu-clock";
  p.frequency_hz = 49;
  p.duration_s = 2;
  StackSample a;
  a.pid = 42;
  a.comm = "app";
  a.cgroup = "/x";
  a.count = 30;
  a.frames = {{"main", "app", false},
              {"compress_block", "libz.so.1", false},
              {"asm_sysvec_apic_timer_interrupt", "[kernel]", true}};
  StackSample b = a;
  b.count = 12;
  b.frames = {{"main", "app", false}, {"parse;json", "app", false}};
  StackSample c;
  c.pid = 7;
  c.comm = "kworker/0:1";
  c.cgroup = "/";
  c.count = 5;
  c.frames = {{"worker_thread", "[kernel]", true}};
  p.samples = {a, b, c};
  return p;
}

TEST(ProfileFormats, FoldedRoundTrips) {
  Profile p = sample_profile();
  std::string text = to_folded(p);
  size_t bad = 1;
  auto parsed = parse_folded(text, &bad);
  EXPECT_EQ(bad, 0u);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed.at("app;main;compress_block;asm_sysvec_apic_timer_interrupt_[k]"), 30u);
  EXPECT_EQ(parsed.at("app;main;parse:json"), 12u);  // ';' in a name cannot split it
  EXPECT_EQ(parsed.at("kworker/0:1;worker_thread_[k]"), 5u);
  // Writing the parsed stacks again gives the same text.
  std::string again;
  for (const auto& [stack, n] : parsed) again += stack + " " + std::to_string(n) + "\n";
  EXPECT_EQ(again, text);
}

TEST(ProfileFormats, FoldedParserSkipsMalformedLines) {
  size_t bad = 0;
  auto parsed = parse_folded("a;b 3\nno-count\na;b 2\nx;y 1z\n\n", &bad);
  EXPECT_EQ(bad, 2u);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed.at("a;b"), 5u);
}

TEST(ProfileFormats, PprofDecodesWithTheProtoDefinitions) {
  Profile p = sample_profile();
  auto pb = kpulse::testing::read_pprof(to_pprof(p, 1'700'000'000'000'000'000));
  const auto& st = pb.string_table();
  ASSERT_GT(st.size(), 0);
  EXPECT_EQ(st[0], "");
  ASSERT_EQ(pb.sample_type_size(), 2);
  EXPECT_EQ(st[pb.sample_type(0).type()], "samples");
  EXPECT_EQ(st[pb.sample_type(1).unit()], "nanoseconds");
  EXPECT_EQ(pb.period(), 1'000'000'000 / 49);
  EXPECT_EQ(pb.time_nanos(), 1'700'000'000'000'000'000);
  ASSERT_EQ(pb.sample_size(), 3);

  std::map<uint64_t, std::string> function_name;
  for (const auto& f : pb.function()) function_name[f.id()] = st[f.name()];
  std::map<uint64_t, std::string> location_function;
  for (const auto& l : pb.location()) {
    ASSERT_EQ(l.line_size(), 1);
    location_function[l.id()] = function_name.at(l.line(0).function_id());
  }
  const auto& s0 = pb.sample(0);
  ASSERT_EQ(s0.location_id_size(), 3);
  EXPECT_EQ(location_function.at(s0.location_id(0)), "asm_sysvec_apic_timer_interrupt");  // leaf
  EXPECT_EQ(location_function.at(s0.location_id(2)), "main");
  EXPECT_EQ(s0.value(0), 30);
  EXPECT_EQ(s0.value(1), 30 * (1'000'000'000 / 49));
  std::map<std::string, std::string> labels;
  for (const auto& l : s0.label())
    labels[st[l.key()]] = l.str() ? st[l.str()] : std::to_string(l.num());
  EXPECT_EQ(labels["pid"], "42");
  EXPECT_EQ(labels["comm"], "app");
  EXPECT_EQ(labels["cgroup"], "/x");
}

TEST(ProfileFormats, SvgNamesEveryFrameAndIsComplete) {
  std::string svg = to_flamegraph_svg(sample_profile(), "t <1>");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("t &lt;1&gt;"), std::string::npos);
  for (const char* name : {"compress_block", "worker_thread [k]", "parse;json", "kworker/0:1"})
    EXPECT_NE(svg.find(name), std::string::npos) << name;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

TEST(ProfileFormats, TextRanksFunctionsBySelfSamples) {
  std::string text = to_text(sample_profile(), 10);
  auto first = text.find("asm_sysvec_apic_timer_interrupt");
  auto second = text.find("parse;json (app)");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second);
  EXPECT_NE(text.find("63.83%"), std::string::npos) << text;  // 30 of 47
}

TEST(ProcessMaps, KeepsExecutableMappingsOnly) {
  auto maps = parse_executable_mappings(
      "55d0c0000000-55d0c0001000 r--p 00000000 fe:01 1234 /usr/bin/app\n"
      "55d0c0001000-55d0c0005000 r-xp 00001000 fe:01 1234 /usr/bin/app\n"
      "7f0000000000-7f0000010000 r-xp 00000000 00:00 0 \n"
      "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n");
  ASSERT_EQ(maps.size(), 3u);
  EXPECT_EQ(maps[0].path, "/usr/bin/app");
  EXPECT_EQ(maps[0].pgoff, 0x1000u);
  EXPECT_EQ(maps[0].inode, 1234u);
  EXPECT_EQ(maps[1].path, "");
  EXPECT_EQ(maps[2].path, "[vdso]");
  EXPECT_EQ(find_mapping(maps, 0x55d0c0002000), &maps[0]);
  EXPECT_EQ(find_mapping(maps, 0x55d0c0000800), nullptr);
}

}  // namespace

// Not static and not inlined: this binary's symbol table names it.
__attribute__((noinline)) int profile_test_marker_function(int x) {
  return x * 3 + 1;
}

namespace {

TEST(ElfSymbols, ResolvesAFunctionOfThisBinary) {
  auto addr = reinterpret_cast<uint64_t>(&profile_test_marker_function);
  auto maps = read_executable_mappings(static_cast<uint32_t>(getpid()));
  const Mapping* m = find_mapping(maps, addr);
  ASSERT_NE(m, nullptr);
  ElfSymbols elf("/proc/self/exe");
  EXPECT_GT(elf.size(), 100u);
  EXPECT_EQ(elf.build_id().size(), 40u);  // GNU ld's default sha1 build-id
  std::string name = demangle(elf.function_at_offset(addr + 2 - m->start + m->pgoff));
  EXPECT_EQ(name, "kpulse::profile::profile_test_marker_function(int)");
}

TEST(Symbolizer, MarksAStackCutShortAsUnknown) {
  auto addr = reinterpret_cast<uint64_t>(&profile_test_marker_function);
  Symbolizer sym;
  RawSample raw;
  raw.tgid = static_cast<uint32_t>(getpid());
  raw.comm = "t";
  raw.count = 1;
  raw.user_ips = {addr + 1, 0x10};  // the second "frame" is no code at all
  StackSample s = sym.resolve(raw);
  EXPECT_TRUE(s.user_truncated);
  ASSERT_EQ(s.frames.size(), 2u);
  EXPECT_EQ(s.frames[0].function, "[unknown]");
  EXPECT_EQ(s.frames[1].function, "kpulse::profile::profile_test_marker_function(int)");
  EXPECT_FALSE(s.frames[1].kernel);
}

// Seen in the 6.1 guest: a sample whose kernel and user stacks both failed
// (helper error, no sampled IP) came out as the bare comm, a stack with no
// frame at all. It must read as unknown code, like perf's "[unknown]".
TEST(Symbolizer, ASampleWithNoStackAtAllIsOneUnknownFrame) {
  Symbolizer sym;
  RawSample raw;
  raw.tgid = static_cast<uint32_t>(getpid());
  raw.comm = "t";
  raw.count = 3;
  raw.kernel_stack_error = 14;  // EFAULT
  raw.user_stack_error = 14;
  StackSample s = sym.resolve(raw);
  ASSERT_EQ(s.frames.size(), 1u);
  EXPECT_EQ(s.frames[0].function, "[unknown]");
  EXPECT_EQ(folded_stack(s), "t;[unknown]");
}

}  // namespace
}  // namespace kpulse::profile
