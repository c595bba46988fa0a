// The thin ncurses layer: owns the screen, draws a Frame with one refresh,
// translates keys, and restores the terminal on every exit path (destructor,
// fatal signals).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "tui/frame.h"

namespace kpulse::tui {

struct TerminalOptions {
  bool color = true;  // false: monochrome (bold/reverse only)
  // Tests and benchmarks draw to a file instead of the controlling terminal.
  FILE* out = nullptr;     // default stdout
  FILE* in = nullptr;      // default stdin
  std::string term;        // default $TERM
  int rows = 0, cols = 0;  // force a size (0: the terminal's)
};

// True when colour should be off: NO_COLOR set (https://no-color.org), or TERM
// is dumb or unset.
bool monochrome_requested();
// True when the locale's charset is UTF-8 and TERM is not a console known to
// lack the glyphs.
bool unicode_supported();

// Whether stdout is a terminal whose terminfo entry can address the cursor
// (TERM=dumb cannot); when not, `kpulse top` prints plain frames instead.
// `width` receives the terminal's width when known, else 0.
bool full_screen_possible(int& width);

class Terminal {
 public:
  // Throws std::runtime_error when the terminal cannot be initialised.
  explicit Terminal(const TerminalOptions& options = {});
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Draws the frame into ncurses' buffer and updates the screen once.
  void draw(const Frame& frame);
  // The next key as a tui::key code, or -1 after `timeout_ms` without one.
  int read_key(int timeout_ms);
  [[nodiscard]] int rows() const;
  [[nodiscard]] int cols() const;
  [[nodiscard]] bool color() const { return color_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool color_ = false;
};

// Installs handlers so SIGINT/SIGTERM/SIGHUP ask the UI to quit (see
// quit_requested) and fatal signals restore the terminal before dying.
void install_signal_handlers();
bool quit_requested();

}  // namespace kpulse::tui
