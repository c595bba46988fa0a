#include "tui/time_jump.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kpulse::tui {
namespace {

constexpr int64_t kS = 1'000'000'000;
// 2026-12-03 13:30:00 UTC.
constexpr int64_t kShown = 1'796'304'600LL * kS;

// A stand-in with the recorder's contract: Unix seconds, "-N{s,m,h}" back
// from now, anything else rejected.
int64_t parser(const std::string& text, int64_t now) {
  if (!text.empty() && text[0] == '-') {
    const long n = std::stol(text.substr(1, text.size() - 2));
    const char unit = text.back();
    const int64_t mult = unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
    return now - n * mult * kS;
  }
  size_t used = 0;
  const long long v = std::stoll(text, &used);
  if (used != text.size()) throw std::invalid_argument("not a time: " + text);
  return v * kS;
}

TEST(TimeJump, OffsetsAreFromTheShownTimeBothWays) {
  std::string err;
  EXPECT_EQ(resolve_goto("-10m", kShown, parser, err), kShown - 600 * kS);
  EXPECT_EQ(resolve_goto("+2h", kShown, parser, err), kShown + 7200 * kS);
  EXPECT_TRUE(err.empty());
}

TEST(TimeJump, ClockTimeIsOnTheShownDayInUtc) {
  std::string err;
  const int64_t midnight = kShown - (13 * 3600 + 30 * 60) * kS;
  EXPECT_EQ(resolve_goto("09:05", kShown, parser, err), midnight + (9 * 3600 + 5 * 60) * kS);
  EXPECT_EQ(resolve_goto("23:59:30", kShown, parser, err), midnight + (86400 - 30) * kS);
  // Not a clock: 25 h goes to the parser, which rejects it.
  EXPECT_FALSE(resolve_goto("25:00", kShown, parser, err));
  EXPECT_NE(err.find("not a time"), std::string::npos) << err;
}

TEST(TimeJump, AbsoluteFormsGoToTheParserAndErrorsAreReported) {
  std::string err;
  EXPECT_EQ(resolve_goto("1796300000", kShown, parser, err), 1'796'300'000LL * kS);
  EXPECT_FALSE(resolve_goto("soon", kShown, parser, err));
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace kpulse::tui
