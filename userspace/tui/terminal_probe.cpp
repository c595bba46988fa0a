// Whether a full-screen UI is possible. Separate from terminal.cpp because
// <term.h> defines macros (columns, lines, ...) that collide with ordinary names.
// Our header first: it must not see <term.h>'s macros.
#include "tui/terminal.h"

#include <curses.h>
#include <term.h>
#include <unistd.h>

#include <cstdlib>

namespace kpulse::tui {

bool full_screen_possible(int& width) {
  width = 0;
  if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) return false;
  const char* term = std::getenv("TERM");
  if (!term || !*term) return false;
  int err = 0;
  TERMINAL* saved = cur_term;
  if (setupterm(const_cast<char*>(term), STDOUT_FILENO, &err) != OK) return false;
  char* cup = tigetstr(const_cast<char*>("cup"));
  int cols = tigetnum(const_cast<char*>("cols"));
  width = cols > 0 ? cols : 0;
  // terminfo answers (char*)-1 for a name that is not a string capability.
  const bool ok =
      cup != nullptr && cup != reinterpret_cast<char*>(-1);  // NOLINT(performance-no-int-to-ptr)
  del_curterm(set_curterm(saved));
  return ok;
}

}  // namespace kpulse::tui
