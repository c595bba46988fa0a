#include "tui/terminal.h"

#include <curses.h>
#include <langinfo.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "tui/keys.h"

namespace kpulse::tui {
namespace {

volatile std::sig_atomic_t g_quit = 0;
// Set while ncurses owns the terminal, so a fatal signal knows to restore it.
volatile std::sig_atomic_t g_screen_active = 0;

void on_quit_signal(int) {
  g_quit = 1;
}

void on_fatal_signal(int sig) {
  // endwin is not formally async-signal-safe, but the alternative is leaving
  // the user's terminal in raw mode with the alternate screen; htop and top
  // make the same trade.
  if (g_screen_active) {
    g_screen_active = 0;
    endwin();
  }
  static const char msg[] = "kpulse top: fatal signal, terminal restored\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

enum Pair : short { kTitle = 1, kHeader, kSorted, kSelected, kGood, kWarn, kCrit, kKey };

chtype attr_for(Style s, bool color) {
  if (!color) {
    switch (s) {
      case Style::Normal:
        return A_NORMAL;
      case Style::Dim:
        return A_DIM;
      case Style::Title:
        return A_BOLD;
      case Style::TableHeader:
        return A_REVERSE;
      case Style::SortedHeader:
        return A_BOLD | A_UNDERLINE;
      case Style::Selected:
        return A_REVERSE | A_BOLD;
      case Style::Good:
        return A_NORMAL;
      case Style::Warn:
        return A_BOLD;
      case Style::Crit:
        return A_BOLD | A_UNDERLINE;
      case Style::Key:
        return A_BOLD;
    }
    return A_NORMAL;
  }
  switch (s) {
    case Style::Normal:
      return A_NORMAL;
    case Style::Dim:
      return A_DIM;
    case Style::Title:
      return COLOR_PAIR(kTitle) | A_BOLD;
    case Style::TableHeader:
      return COLOR_PAIR(kHeader);
    case Style::SortedHeader:
      return COLOR_PAIR(kSorted) | A_BOLD;
    case Style::Selected:
      return COLOR_PAIR(kSelected);
    case Style::Good:
      return COLOR_PAIR(kGood);
    case Style::Warn:
      return COLOR_PAIR(kWarn) | A_BOLD;
    case Style::Crit:
      return COLOR_PAIR(kCrit) | A_BOLD;
    case Style::Key:
      return COLOR_PAIR(kKey) | A_BOLD;
  }
  return A_NORMAL;
}

int translate(int ch) {
  // curses' key codes for the keys the views name.
  static constexpr std::pair<int, int> kKeys[] = {
      {KEY_UP, key::kUp},
      {KEY_DOWN, key::kDown},
      {KEY_LEFT, key::kLeft},
      {KEY_RIGHT, key::kRight},
      {KEY_PPAGE, key::kPageUp},
      {KEY_NPAGE, key::kPageDown},
      {KEY_HOME, key::kHome},
      {KEY_END, key::kEnd},
      {KEY_RESIZE, key::kResize},
      {KEY_ENTER, key::kEnter},
      {KEY_BACKSPACE, key::kBackspace},
  };
  for (const auto& [curses, ours] : kKeys)
    if (ch == curses) return ours;
  if (ch >= KEY_F(1) && ch <= KEY_F(12)) return key::f(ch - KEY_F(0));
  return ch;
}

}  // namespace

bool monochrome_requested() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return true;
  const char* term = std::getenv("TERM");
  return !term || !*term || std::strcmp(term, "dumb") == 0;
}

bool unicode_supported() {
  const char* cs = nl_langinfo(CODESET);
  if (!cs || std::strcmp(cs, "UTF-8") != 0) return false;
  const char* term = std::getenv("TERM");
  return !(term && (std::strcmp(term, "linux") == 0 || std::strcmp(term, "dumb") == 0));
}

struct Terminal::Impl {
  SCREEN* screen = nullptr;
};

Terminal::Terminal(const TerminalOptions& o) : impl_(std::make_unique<Impl>()) {
  FILE* out = o.out ? o.out : stdout;
  FILE* in = o.in ? o.in : stdin;
  std::string term = o.term;
  if (term.empty()) {
    const char* t = std::getenv("TERM");
    term = t && *t ? t : "dumb";
  }
  impl_->screen = newterm(term.c_str(), out, in);
  if (!impl_->screen)
    throw std::runtime_error("cannot initialise terminal '" + term +
                             "' (try TERM=xterm, or --batch)");
  set_term(impl_->screen);
  g_screen_active = 1;
  if (o.rows > 0 && o.cols > 0) resizeterm(o.rows, o.cols);
  cbreak();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  leaveok(stdscr, TRUE);
  color_ = o.color && has_colors();
  if (color_) {
    start_color();
    use_default_colors();
    init_pair(kTitle, COLOR_CYAN, -1);
    init_pair(kHeader, COLOR_BLACK, COLOR_GREEN);
    init_pair(kSorted, COLOR_BLACK, COLOR_CYAN);
    init_pair(kSelected, COLOR_BLACK, COLOR_CYAN);
    init_pair(kGood, COLOR_GREEN, -1);
    init_pair(kWarn, COLOR_YELLOW, -1);
    init_pair(kCrit, COLOR_RED, -1);
    init_pair(kKey, COLOR_WHITE, COLOR_BLACK);
  }
}

Terminal::~Terminal() {
  if (!impl_->screen) return;
  g_screen_active = 0;
  endwin();
  delscreen(impl_->screen);
}

void Terminal::draw(const Frame& frame) {
  // erase() only clears ncurses' buffer; the single doupdate() sends the
  // difference, so the screen never shows a half-drawn frame.
  werase(stdscr);
  const int rows = LINES, cols = COLS;
  for (size_t y = 0; y < frame.lines.size() && int(y) < rows; ++y) {
    const Line& line = frame.lines[y];
    wmove(stdscr, int(y), 0);
    for (const auto& span : line.spans) {
      wattrset(stdscr, attr_for(span.style, color_));
      waddnstr(stdscr, span.text.c_str(), int(span.text.size()));
    }
    if (line.fill != Style::Normal) {
      int cy, cx;
      getyx(stdscr, cy, cx);
      if (cy == int(y) && cx < cols) {
        wattrset(stdscr, attr_for(line.fill, color_));
        for (int x = cx; x < cols; ++x) waddch(stdscr, ' ');
      }
    }
  }
  wattrset(stdscr, A_NORMAL);
  wnoutrefresh(stdscr);
  doupdate();
}

int Terminal::read_key(int timeout_ms) {
  wtimeout(stdscr, timeout_ms);
  int ch = wgetch(stdscr);
  return ch == ERR ? -1 : translate(ch);
}

int Terminal::rows() const {
  return LINES;
}
int Terminal::cols() const {
  return COLS;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_quit_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
  struct sigaction fatal {};
  fatal.sa_handler = on_fatal_signal;
  sigemptyset(&fatal.sa_mask);
  fatal.sa_flags = SA_RESETHAND;
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(s, &fatal, nullptr);
}

bool quit_requested() {
  return g_quit != 0;
}

}  // namespace kpulse::tui
