#include "tui/keys.h"

#include <set>

#include <gtest/gtest.h>

namespace kpulse::tui {
namespace {

TEST(KeyTable, NoKeyIsBoundTwice) {
  std::set<int> seen;
  for (const auto& b : key_table()) {
    for (int k : b.keys) {
      if (k != 0) {
        EXPECT_TRUE(seen.insert(k).second) << "key " << k << " bound twice";
      }
    }
  }
}

TEST(KeyTable, EveryBindingHasALabelAndHelp) {
  for (const auto& b : key_table()) {
    EXPECT_FALSE(b.label.empty());
    EXPECT_FALSE(b.help.empty());
    EXPECT_EQ(binding_for(b.keys[0]), &b);
  }
}

TEST(HandleKey, NumberKeysSwitchViews) {
  UiState s;
  handle_key(s, '3');
  EXPECT_EQ(s.view, View::Disks);
  handle_key(s, '7');
  EXPECT_EQ(s.view, View::Forecasts);
  handle_key(s, '8');
  EXPECT_EQ(s.view, View::Profile);
  handle_key(s, '1');
  EXPECT_EQ(s.view, View::Overview);
}

TEST(HandleKey, DirectSortKeysAreIdempotentAndRReverses) {
  UiState s;
  handle_key(s, 'M');
  EXPECT_EQ(s.sort, ColumnId::Memory);
  EXPECT_TRUE(s.descending);
  handle_key(s, 'r');
  EXPECT_FALSE(s.descending);
  handle_key(s, 'M');
  EXPECT_TRUE(s.descending) << "a direct key restores largest-first";
  handle_key(s, 'I');
  EXPECT_EQ(s.sort, ColumnId::IoBytes);
  handle_key(s, 'P');
  EXPECT_EQ(s.sort, ColumnId::CpuPct);
  handle_key(s, 'r');
  EXPECT_FALSE(s.descending);
}

TEST(HandleKey, AngleBracketsWalkTheViewsColumns) {
  UiState s;  // overview, sorted by CPU%
  handle_key(s, '>');
  EXPECT_EQ(s.sort, ColumnId::RunqP50);
  handle_key(s, '<');
  handle_key(s, '<');
  EXPECT_EQ(s.sort, ColumnId::Name);
  handle_key(s, '<');  // wraps to the last column
  EXPECT_EQ(s.sort, view_columns(View::Overview).back());
}

TEST(HandleKey, SortMenuPicksAColumn) {
  UiState s;
  handle_key(s, key::f(6));
  ASSERT_EQ(s.mode, Mode::SortMenu);
  handle_key(s, key::kDown);
  handle_key(s, key::kDown);
  handle_key(s, key::kEnter);
  EXPECT_EQ(s.mode, Mode::Table);
  EXPECT_EQ(s.sort, view_columns(View::Overview)[3]);
  handle_key(s, key::f(6));
  handle_key(s, key::kDown);
  handle_key(s, key::kEscape);
  EXPECT_EQ(s.sort, view_columns(View::Overview)[3]) << "Esc keeps the old sort";
}

TEST(HandleKey, FilterInputTakesTextUntilEnterAndEscClears) {
  UiState s;
  handle_key(s, '/');
  ASSERT_EQ(s.mode, Mode::FilterInput);
  for (char c : std::string("dbq")) handle_key(s, c);  // 'q' is text here, not quit
  EXPECT_FALSE(s.quit);
  handle_key(s, key::kBackspace);
  EXPECT_EQ(s.filter, "db");
  handle_key(s, key::kEnter);
  EXPECT_EQ(s.mode, Mode::Table);
  EXPECT_EQ(s.filter, "db");
  handle_key(s, '/');
  handle_key(s, key::kEscape);
  EXPECT_TRUE(s.filter.empty());
}

TEST(HandleKey, CursorStaysInsideTheTable) {
  UiState s;
  s.row_count = 5;
  s.page_rows = 3;
  handle_key(s, key::kUp);
  EXPECT_EQ(s.cursor, 0);
  handle_key(s, key::kPageDown);
  EXPECT_EQ(s.cursor, 3);
  handle_key(s, key::kPageDown);
  EXPECT_EQ(s.cursor, 4);
  handle_key(s, 'g');
  EXPECT_EQ(s.cursor, 0);
  handle_key(s, 'G');
  EXPECT_EQ(s.cursor, 4);
}

TEST(HandleKey, HelpTogglesAndAnyKeyLeavesIt) {
  UiState s;
  handle_key(s, 'h');
  EXPECT_EQ(s.mode, Mode::Help);
  handle_key(s, '2');
  EXPECT_EQ(s.mode, Mode::Table);
  EXPECT_EQ(s.view, View::Cpu);
  handle_key(s, key::f(1));
  EXPECT_EQ(s.mode, Mode::Help);
  handle_key(s, '?');
  EXPECT_EQ(s.mode, Mode::Table);
}

TEST(HandleKey, DetailOpensOnlyWithRowsAndEscReturns) {
  UiState s;
  handle_key(s, key::kEnter);
  EXPECT_EQ(s.mode, Mode::Table);
  s.row_count = 2;
  handle_key(s, key::kEnter);
  EXPECT_EQ(s.mode, Mode::Detail);
  handle_key(s, key::kEscape);
  EXPECT_EQ(s.mode, Mode::Table);
}

TEST(HandleKey, PagingInTheDetailScrollsItAndKeepsTheComponent) {
  UiState s;
  s.row_count = 40;
  s.page_rows = 10;
  s.cursor = 3;
  s.cursor_key = "cgroup:/a";
  handle_key(s, key::kEnter);
  ASSERT_EQ(s.mode, Mode::Detail);
  handle_key(s, key::kPageDown);
  EXPECT_EQ(s.mode, Mode::Detail);
  EXPECT_EQ(s.cursor_key, "cgroup:/a");
  EXPECT_EQ(s.cursor, 3);
  EXPECT_EQ(s.detail_scroll, 10);
  handle_key(s, key::kPageUp);
  EXPECT_EQ(s.detail_scroll, 0);
  handle_key(s, key::kEnd);
  EXPECT_GT(s.detail_scroll, 10);
  handle_key(s, key::kHome);
  EXPECT_EQ(s.detail_scroll, 0);
  EXPECT_EQ(s.cursor_key, "cgroup:/a");
}

TEST(HandleKey, QuitFromAnyModeButFilterInput) {
  for (Mode m : {Mode::Table, Mode::Help, Mode::Detail, Mode::SortMenu}) {
    UiState s;
    s.mode = m;
    EXPECT_EQ(handle_key(s, 'q'), Request::Quit);
    EXPECT_TRUE(s.quit);
  }
}

TEST(HandleKey, StepKeysAskTheSource) {
  UiState s;
  EXPECT_EQ(handle_key(s, '['), Request::StepBack);
  EXPECT_EQ(handle_key(s, ']'), Request::StepForward);
  EXPECT_EQ(handle_key(s, '{'), Request::JumpBack);
  EXPECT_EQ(handle_key(s, '}'), Request::JumpForward);
}

TEST(HandleKey, GoToTimeIsTypedThenRequested) {
  UiState s;
  s.filter = "db";
  EXPECT_EQ(handle_key(s, 'T'), Request::None);
  EXPECT_EQ(s.mode, Mode::TimeInput);
  for (char c : std::string("-10mx")) EXPECT_EQ(handle_key(s, c), Request::None);
  EXPECT_EQ(handle_key(s, key::kBackspace), Request::None);
  EXPECT_EQ(s.time_input, "-10m");
  EXPECT_EQ(s.filter, "db") << "typing a time does not touch the filter";
  EXPECT_EQ(handle_key(s, 'q'), Request::None) << "q is a character here, not quit";
  EXPECT_EQ(handle_key(s, key::kBackspace), Request::None);
  EXPECT_EQ(handle_key(s, key::kEnter), Request::GotoTime);
  EXPECT_EQ(s.mode, Mode::Table);
  EXPECT_EQ(s.time_input, "-10m");
  // Esc cancels; an empty entry asks for nothing.
  handle_key(s, 'T');
  EXPECT_EQ(handle_key(s, key::kEscape), Request::None);
  EXPECT_EQ(s.mode, Mode::Table);
  handle_key(s, 'T');
  EXPECT_EQ(handle_key(s, key::kEnter), Request::None);
}

}  // namespace
}  // namespace kpulse::tui
