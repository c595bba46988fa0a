#include "tui/keys.h"

#include <algorithm>
#include <array>

namespace kpulse::tui {
namespace {

const std::array<KeyBinding, 36> kKeys{{
    {{'h', '?', key::f(1)}, "h ? F1", "help (this screen)", Action::Help, "Help"},
    {{'q', key::f(10)}, "q F10", "quit", Action::Quit, "Quit"},
    {{'1'}, "1", "view: overview", Action::ViewOverview},
    {{'2'}, "2", "view: CPU & scheduler", Action::ViewCpu},
    {{'3'}, "3", "view: disks", Action::ViewDisks},
    {{'4'}, "4", "view: network", Action::ViewNetwork},
    {{'5'}, "5", "view: memory", Action::ViewMemory},
    {{'6'}, "6", "view: alerts", Action::ViewAlerts},
    {{'7'}, "7", "view: forecasts", Action::ViewForecasts},
    {{'8'}, "8", "view: CPU profile (replay: recorded stacks)", Action::ViewProfile},
    {{key::f(6)}, "F6", "sort menu", Action::SortMenu, "Sort"},
    {{'<', ','}, "< ,", "sort by column to the left", Action::SortPrevColumn},
    {{'>', '.'}, "> .", "sort by column to the right", Action::SortNextColumn},
    {{'P'}, "P", "sort by CPU%", Action::SortCpu},
    {{'M'}, "M", "sort by memory", Action::SortMemory},
    {{'I'}, "I", "sort by block I/O bytes", Action::SortIo},
    {{'N'}, "N", "sort by network bytes", Action::SortNet},
    {{'r'}, "r", "reverse sort order", Action::InvertSort},
    {{'/', key::f(4)}, "/ F4", "filter rows (Esc clears)", Action::Filter, "Filter"},
    {{'t', key::f(5)}, "t F5", "cgroup tree on/off", Action::Tree, "Tree"},
    {{'c'}, "c", "show/hide processes", Action::ToggleProcesses},
    {{'F'}, "F", "follow the selected row", Action::Follow},
    {{key::kEnter, '\r'}, "Enter", "detail of the selected row", Action::Detail, "Detail"},
    {{key::kEscape, key::kBackspace}, "Esc", "back: close detail/help/menu", Action::Back},
    {{key::kUp, 'k'}, "Up k", "move up", Action::Up},
    {{key::kDown, 'j'}, "Down j", "move down", Action::Down},
    {{key::kPageUp}, "PgUp", "page up", Action::PageUp},
    {{key::kPageDown}, "PgDn", "page down", Action::PageDown},
    {{key::kHome, 'g'}, "Home g", "first row", Action::Home},
    {{key::kEnd, 'G'}, "End G", "last row", Action::End},
    {{' ', 'p'}, "Space p", "pause/resume updates", Action::Pause},
    {{'['}, "[", "replay: step back", Action::StepBack},
    {{']'}, "]", "replay: step forward", Action::StepForward},
    {{'{'}, "{", "replay: jump back 10 minutes", Action::JumpBack},
    {{'}'}, "}", "replay: jump forward 10 minutes", Action::JumpForward},
    {{'T'}, "T", "replay: go to a time (-1h, +10m, 13:05, ISO or Unix s)", Action::GotoTime},
}};

// Direct sort keys always give that column, largest first, so pressing one
// twice is harmless; `r` reverses.
void sort_by(UiState& s, ColumnId c) {
  s.sort = c;
  s.descending = c != ColumnId::Name;
  s.mode = Mode::Table;
}

// Sorting by a column the view does not show still works (it sorts the rows);
// the direct keys pick the view's closest column.
void sort_step(UiState& s, int dir) {
  auto cols = view_columns(s.view);
  auto it = std::find(cols.begin(), cols.end(), s.sort);
  int i = it == cols.end() ? 0 : int(it - cols.begin());
  i = (i + dir + int(cols.size())) % int(cols.size());
  s.sort = cols[size_t(i)];
  s.descending = s.sort != ColumnId::Name;
}

void move_cursor(UiState& s, int delta) {
  s.cursor = std::clamp(s.cursor + delta, 0, std::max(0, s.row_count - 1));
  s.cursor_key.clear();  // the builder refreshes it from the new position
}

// The sort actions; false for any other.
bool apply_sort(UiState& s, Action a) {
  switch (a) {
    case Action::SortMenu: {
      auto cols = view_columns(s.view);
      auto it = std::find(cols.begin(), cols.end(), s.sort);
      s.sort_menu_index = it == cols.end() ? 0 : int(it - cols.begin());
      s.mode = Mode::SortMenu;
      return true;
    }
    case Action::SortPrevColumn:
      sort_step(s, -1);
      return true;
    case Action::SortNextColumn:
      sort_step(s, +1);
      return true;
    case Action::SortCpu:
      sort_by(s, ColumnId::CpuPct);
      return true;
    case Action::SortMemory:
      sort_by(s, ColumnId::Memory);
      return true;
    case Action::SortIo:
      sort_by(s, ColumnId::IoBytes);
      return true;
    case Action::SortNet:
      sort_by(s, ColumnId::NetBytes);
      return true;
    case Action::InvertSort:
      s.descending = !s.descending;
      return true;
    default:
      return false;
  }
}

// The cursor movements; false for any other action.
bool apply_cursor(UiState& s, Action a) {
  switch (a) {
    case Action::Up:
      move_cursor(s, -1);
      return true;
    case Action::Down:
      move_cursor(s, +1);
      return true;
    case Action::PageUp:
      move_cursor(s, -std::max(1, s.page_rows));
      return true;
    case Action::PageDown:
      move_cursor(s, std::max(1, s.page_rows));
      return true;
    case Action::Home:
      move_cursor(s, -s.row_count);
      return true;
    case Action::End:
      move_cursor(s, s.row_count);
      return true;
    default:
      return false;
  }
}

Request apply(UiState& s, Action a) {
  if (apply_sort(s, a) || apply_cursor(s, a)) return Request::None;
  switch (a) {
    case Action::Quit:
      s.quit = true;
      return Request::Quit;
    case Action::Help:
      s.mode = s.mode == Mode::Help ? Mode::Table : Mode::Help;
      break;
    case Action::ViewOverview:
    case Action::ViewCpu:
    case Action::ViewDisks:
    case Action::ViewNetwork:
    case Action::ViewMemory:
    case Action::ViewAlerts:
    case Action::ViewForecasts:
    case Action::ViewProfile:
      s.view = static_cast<View>(int(a) - int(Action::ViewOverview) + 1);
      s.mode = Mode::Table;
      break;
    case Action::Filter:
      s.mode = Mode::FilterInput;
      break;
    case Action::Tree:
      s.tree = !s.tree;
      break;
    case Action::ToggleProcesses:
      s.show_processes = !s.show_processes;
      break;
    case Action::Follow:
      s.follow = !s.follow;
      s.status = s.follow ? "following the selected row" : "follow off";
      break;
    case Action::Detail:
      if (s.row_count > 0) {
        s.mode = Mode::Detail;
        s.detail_scroll = 0;
      }
      break;
    case Action::Back:
      s.mode = Mode::Table;
      break;
    case Action::Pause:
      s.paused = !s.paused;
      break;
    case Action::StepBack:
      return Request::StepBack;
    case Action::StepForward:
      return Request::StepForward;
    case Action::JumpBack:
      return Request::JumpBack;
    case Action::JumpForward:
      return Request::JumpForward;
    case Action::GotoTime:
      s.time_input.clear();
      s.mode = Mode::TimeInput;
      break;
    default:  // sort and cursor actions, applied above
      break;
  }
  return Request::None;
}

// Line editing shared by the filter and the time prompt: Backspace deletes,
// a printable character is appended.
void edit_line(std::string& text, int code) {
  if (code == key::kBackspace || code == 8) {
    if (!text.empty()) text.pop_back();
  } else if (code >= 32 && code < 127) {
    text.push_back(char(code));
  }
}

bool is_enter(int code) {
  return code == key::kEnter || code == '\r';
}

Request filter_key(UiState& s, int code) {
  if (is_enter(code)) {
    s.mode = Mode::Table;
  } else if (code == key::kEscape) {
    s.filter.clear();
    s.mode = Mode::Table;
  } else {
    edit_line(s.filter, code);
  }
  s.cursor = 0;
  return Request::None;
}

Request time_key(UiState& s, int code) {
  if (is_enter(code)) {
    s.mode = Mode::Table;
    return s.time_input.empty() ? Request::None : Request::GotoTime;
  }
  if (code == key::kEscape) {
    s.time_input.clear();
    s.mode = Mode::Table;
  } else {
    edit_line(s.time_input, code);
  }
  return Request::None;
}

Request sort_menu_key(UiState& s, int code) {
  auto cols = view_columns(s.view);
  int n = int(cols.size());
  if (code == key::kUp || code == 'k') {
    s.sort_menu_index = (s.sort_menu_index + n - 1) % n;
  } else if (code == key::kDown || code == 'j') {
    s.sort_menu_index = (s.sort_menu_index + 1) % n;
  } else if (is_enter(code)) {
    s.sort = cols[size_t(std::clamp(s.sort_menu_index, 0, n - 1))];
    s.descending = s.sort != ColumnId::Name;
    s.mode = Mode::Table;
  } else if (code == key::kEscape || code == key::f(6)) {
    s.mode = Mode::Table;
  } else if (code == 'q') {
    s.quit = true;
    return Request::Quit;
  }
  return Request::None;
}

// Scrolling the detail view; false when the key is not one of its own.
// Paging scrolls the detail: moving the table cursor underneath would lose
// the component shown ("the selected component is gone").
bool detail_key(UiState& s, int code) {
  const int page = std::max(1, s.page_rows);
  if (code == key::kUp || code == 'k')
    s.detail_scroll = std::max(0, s.detail_scroll - 1);
  else if (code == key::kDown || code == 'j')
    ++s.detail_scroll;
  else if (code == key::kPageDown)
    s.detail_scroll += page;
  else if (code == key::kPageUp)
    s.detail_scroll = std::max(0, s.detail_scroll - page);
  else if (code == key::kHome)
    s.detail_scroll = 0;
  else if (code == key::kEnd)
    s.detail_scroll = 1 << 20;  // the builder clamps it to the last line
  else if (is_enter(code))
    s.mode = Mode::Table;
  else
    return false;
  return true;
}

}  // namespace

std::span<const KeyBinding> key_table() {
  return kKeys;
}

const KeyBinding* binding_for(int code) {
  for (const auto& b : kKeys)
    if (code != 0 && std::find(b.keys.begin(), b.keys.end(), code) != b.keys.end()) return &b;
  return nullptr;
}

Request handle_key(UiState& s, int code) {
  if (code == key::kResize) return Request::None;
  switch (s.mode) {
    case Mode::FilterInput:
      return filter_key(s, code);
    case Mode::TimeInput:
      return time_key(s, code);
    case Mode::SortMenu:
      return sort_menu_key(s, code);
    case Mode::Detail:
      if (detail_key(s, code)) return Request::None;
      break;
    default:
      break;
  }
  const KeyBinding* b = binding_for(code);
  if (!b) return Request::None;
  if (s.mode == Mode::Help && b->action != Action::Quit && b->action != Action::Help) {
    s.mode = Mode::Table;  // any key leaves help, then acts
  }
  return apply(s, b->action);
}

}  // namespace kpulse::tui
