// The one key table: every binding, its label for help, and its action. The
// help screen and the status bar are drawn from it, so they cannot drift.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "tui/ui_state.h"

namespace kpulse::tui {

// Key codes independent of ncurses (the renderer translates). Printable
// characters are their ASCII code.
namespace key {
inline constexpr int kEnter = '\n', kEscape = 27, kBackspace = 127;
inline constexpr int kUp = 0x10001, kDown = 0x10002, kLeft = 0x10003, kRight = 0x10004,
                     kPageUp = 0x10005, kPageDown = 0x10006, kHome = 0x10007, kEnd = 0x10008,
                     kResize = 0x10009;
constexpr int f(int n) {
  return 0x10100 + n;
}
}  // namespace key

enum class Action : unsigned char {
  Quit,
  Help,
  ViewOverview,
  ViewCpu,
  ViewDisks,
  ViewNetwork,
  ViewMemory,
  ViewAlerts,
  ViewForecasts,
  ViewProfile,
  SortMenu,
  SortPrevColumn,
  SortNextColumn,
  SortCpu,
  SortMemory,
  SortIo,
  SortNet,
  InvertSort,
  Filter,
  Tree,
  ToggleProcesses,
  Follow,
  Detail,
  Back,
  Up,
  Down,
  PageUp,
  PageDown,
  Home,
  End,
  Pause,
  StepBack,
  StepForward,
  JumpBack,
  JumpForward,
  GotoTime,
};

struct KeyBinding {
  std::array<int, 3> keys;  // unused slots are 0
  std::string_view label;   // as shown in help: "F6 <  >"
  std::string_view help;
  Action action;
  std::string_view hint = {};  // short word for the status bar; empty: not shown there
};

std::span<const KeyBinding> key_table();
// The action bound to `code`, if any.
const KeyBinding* binding_for(int code);

// What the key handler cannot decide itself: time travel needs the source.
// GotoTime: the typed time is in UiState::time_input.
enum class Request : unsigned char {
  None,
  Quit,
  StepBack,
  StepForward,
  JumpBack,
  JumpForward,
  GotoTime
};

// Applies one key press to the state (table, help, sort menu, filter input and
// detail modes each read keys differently).
Request handle_key(UiState& state, int code);

}  // namespace kpulse::tui
