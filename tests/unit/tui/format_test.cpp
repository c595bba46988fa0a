#include "tui/format.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::tui {
namespace {

TEST(FormatBytes, BinaryUnitsWithOneDecimalBelowTen) {
  EXPECT_EQ(format_bytes(0), "0");
  EXPECT_EQ(format_bytes(512), "512");
  EXPECT_EQ(format_bytes(1536), "1.5K");
  EXPECT_EQ(format_bytes(153 * 1024), "153K");
  EXPECT_EQ(format_bytes(3.2 * 1024 * 1024), "3.2M");
  EXPECT_EQ(format_bytes(16.0 * (1ull << 30)), "16G");
  EXPECT_EQ(format_bytes(NAN), "-");
}

TEST(FormatBytes, RoundsUpIntoTheNextUnitInsteadOfPrintingFourDigits) {
  EXPECT_EQ(format_bytes(1023.7), "1.0K");
  EXPECT_EQ(format_bytes(1024.0 * 1023.9), "1.0M");
}

TEST(FormatCount, DecimalUnits) {
  EXPECT_EQ(format_count(950), "950");
  EXPECT_EQ(format_count(1500), "1.5k");
  EXPECT_EQ(format_count(12'000), "12k");
  EXPECT_EQ(format_count(3'200'000), "3.2M");
  EXPECT_EQ(format_count(2.5), "2.5");
  EXPECT_EQ(format_count(NAN), "-");
}

TEST(FormatDuration, PicksTheUnitThatKeepsThreeDigits) {
  EXPECT_EQ(format_duration_ns(850), "850ns");
  EXPECT_EQ(format_duration_ns(1'234), "1.2us");
  EXPECT_EQ(format_duration_ns(12'345), "12us");
  EXPECT_EQ(format_duration_ns(3.4e6), "3.4ms");
  EXPECT_EQ(format_duration_ns(250e6), "250ms");
  EXPECT_EQ(format_duration_ns(2.1e9), "2.1s");
  EXPECT_EQ(format_duration_ns(303e9), "5m03s");
  EXPECT_EQ(format_duration_ns(7500e9), "2h05m");
  EXPECT_EQ(format_duration_s(0.5), "500ms");
  EXPECT_EQ(format_duration_ns(NAN), "-");
}

TEST(FormatPercent, RatioToPercent) {
  EXPECT_EQ(format_percent(0), "0.0%");
  EXPECT_EQ(format_percent(0.425), "42.5%");
  EXPECT_EQ(format_percent(2.5), "250%");
  EXPECT_EQ(format_percent(NAN), "-");
}

TEST(FormatUptime, SecondsMinutesDays) {
  EXPECT_EQ(format_uptime(45), "45s");
  EXPECT_EQ(format_uptime(3 * 3600 + 7 * 60), "03:07");
  EXPECT_EQ(format_uptime(3 * 86400 + 4 * 3600 + 12 * 60), "3d 04:12");
}

TEST(Truncate, CutsWithEllipsisToTheExactWidth) {
  EXPECT_EQ(truncate("postgres", 10), "postgres");
  EXPECT_EQ(truncate("postgres: writer", 8), "postgre…");
  EXPECT_EQ(display_width(truncate("postgres: writer", 8)), 8);
  EXPECT_EQ(truncate("postgres", 4, "~"), "pos~");
  EXPECT_EQ(truncate("abc", 0), "");
}

TEST(Truncate, NeverSplitsAMultibyteGlyph) {
  // "é" is two bytes; cutting inside it would print garbage.
  std::string t = truncate("ééééé", 3);
  EXPECT_EQ(t, "éé…");
  EXPECT_EQ(display_width(t), 3);
}

TEST(TruncateLeft, KeepsThePathsLeaf) {
  EXPECT_EQ(truncate_left("/system.slice/nginx.service", 16), "…e/nginx.service");
  EXPECT_EQ(display_width(truncate_left("/system.slice/nginx.service", 16)), 16);
  EXPECT_EQ(truncate_left("/a", 16), "/a");
}

TEST(Fit, PadsToWidthLeftOrRight) {
  EXPECT_EQ(fit_left("ab", 4), "ab  ");
  EXPECT_EQ(fit_right("ab", 4), "  ab");
  EXPECT_EQ(fit_right("abcdef", 4, "~"), "abc~");
}

TEST(DisplayWidth, CountsGlyphsNotBytes) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("█▌"), 2);
  EXPECT_EQ(display_width("├─x"), 3);
}

}  // namespace
}  // namespace kpulse::tui
