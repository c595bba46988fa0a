// Everything the user has chosen: view, sort, filter, tree, cursor. The key
// handler changes it; the frame builder reads it (and clamps the cursor).
#pragma once

#include <string>

#include "tui/columns.h"

namespace kpulse::tui {

enum class Mode : unsigned char { Table, Help, Detail, SortMenu, FilterInput, TimeInput };

struct UiState {
  View view = View::Overview;
  Mode mode = Mode::Table;
  ColumnId sort = ColumnId::CpuPct;
  bool descending = true;
  std::string filter;      // case-insensitive substring of id, name or command line
  std::string time_input;  // Mode::TimeInput: the time being typed (replay's go-to)
  bool tree = false;
  bool show_processes = true;
  bool paused = false;

  // Cursor over the table's rows. While `follow` is set the cursor tracks the
  // component with key `cursor_key` however the table re-sorts.
  int cursor = 0;
  int scroll = 0;
  std::string cursor_key;
  bool follow = false;

  int sort_menu_index = 0;  // in Mode::SortMenu, index into the view's columns
  int detail_scroll = 0;

  // Set by the frame builder for the key handler: table rows and visible rows.
  int row_count = 0;
  int page_rows = 1;

  std::string status;  // one-shot message for the status line
  bool quit = false;
};

}  // namespace kpulse::tui
