#include "tui/top_app.h"

#include <atomic>
#include <chrono>
#include <clocale>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "tui/keys.h"
#include "tui/terminal.h"

namespace kpulse::tui {
namespace {

int batch_width(const TopOptions& o) {
  if (o.width > 0) return o.width;
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w >= 40) return w;
  }
  return 160;
}

int run_batch(model::SnapshotSource& source, const TopOptions& o) {
  History history;
  UiState state;
  const int width = batch_width(o);
  for (int i = 0; o.iterations == 0 || i < o.iterations; ++i) {
    if (quit_requested()) break;
    auto snap = source.next();
    if (!snap) break;
    history.add(*snap);
    AnalysisView analysis;
    FrameInput in;
    in.snapshot = &*snap;
    in.history = &history;
    in.source = source.describe();
    in.glyphs = &ascii_glyphs();  // pipes and logs: plain ASCII
    if (o.analyze) {
      analysis = o.analyze(*snap);
      in.analysis = &analysis;
    }
    ProfileView profile;
    if (o.profile && state.view == View::Profile) {
      profile = o.profile(*snap);
      in.profile = &profile;
    }
    if (i > 0) std::fputs("\n", stdout);
    std::fputs(build_frame(in, state, width, 0).text().c_str(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

// Runs source.next() on its own thread so keys stay responsive while the
// collector waits for the end of its interval.
class Pump {
 public:
  explicit Pump(model::SnapshotSource& source) : source_(source), thread_([this] { loop(); }) {}
  ~Pump() {
    stop_ = true;
    thread_.join();
  }
  void set_paused(bool p) { paused_ = p; }
  // The newest snapshot since the last take, if any.
  std::optional<model::Snapshot> take() {
    std::lock_guard lock(mu_);
    return std::exchange(latest_, std::nullopt);
  }
  [[nodiscard]] bool ended() const { return ended_; }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  // Steps a seekable source (the pump does not pull while paused).
  std::optional<model::Snapshot> step(int delta) {
    std::lock_guard lock(source_mu_);
    return source_.step(delta);
  }
  std::optional<model::Snapshot> seek(int64_t time_ns) {
    std::lock_guard lock(source_mu_);
    return source_.seek(time_ns);
  }

 private:
  void loop() {
    while (!stop_) {
      if (paused_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      try {
        std::optional<model::Snapshot> s;
        {
          std::lock_guard lock(source_mu_);
          s = source_.next();
        }
        if (!s) {
          ended_ = true;
          return;
        }
        std::lock_guard lock(mu_);
        latest_ = std::move(s);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu_);
        error_ = e.what();
        ended_ = true;
        return;
      }
    }
  }

  model::SnapshotSource& source_;
  std::mutex mu_, source_mu_;
  std::optional<model::Snapshot> latest_;
  std::string error_;
  std::atomic<bool> stop_{false}, paused_{false}, ended_{false};
  std::thread thread_;
};

// The time a jump or go-to request lands on, or nullopt (status says why).
std::optional<int64_t> jump_target(Request r, UiState& state,
                                   const std::optional<model::Snapshot>& current,
                                   const TopOptions& o) {
  if (!current) return std::nullopt;
  constexpr int64_t kJumpNs = 600LL * 1'000'000'000;
  if (r == Request::JumpBack) return current->time_ns - kJumpNs;
  if (r == Request::JumpForward) return current->time_ns + kJumpNs;
  if (!o.parse_time) {
    state.status = "go-to needs a time parser";
    return std::nullopt;
  }
  std::string error;
  auto t = resolve_goto(state.time_input, current->time_ns, o.parse_time, error);
  if (!t) state.status = error;
  return t;
}

// What the screen shows: the current snapshot, the history behind its
// sparklines and its analysis.
struct Shown {
  History history;
  std::optional<model::Snapshot> current;
  AnalysisView analysis;

  void take(model::Snapshot s, const TopOptions& o) {
    current = std::move(s);
    history.add(*current);
    if (o.analyze) analysis = o.analyze(*current);
  }
};

// Builds and draws a frame (the builder keeps the cursor on its row: `state`).
void draw(Terminal& term, const Shown& shown, UiState& state, model::SnapshotSource& source,
          const Glyphs& glyphs, const TopOptions& o) {
  FrameInput in;
  in.snapshot = shown.current ? &*shown.current : nullptr;
  in.history = &shown.history;
  in.source = source.describe();
  in.glyphs = &glyphs;
  if (o.analyze) in.analysis = &shown.analysis;
  ProfileView profile;
  if (o.profile && shown.current && state.view == View::Profile) {
    profile = o.profile(*shown.current);
    in.profile = &profile;
  }
  term.draw(build_frame(in, state, term.cols(), term.rows()));
}

bool moves_in_time(Request r) {
  return r == Request::StepBack || r == Request::StepForward || r == Request::JumpBack ||
         r == Request::JumpForward || r == Request::GotoTime;
}

// Steps, jumps or goes to a time in a recording, pausing there.
void move_in_time(Request r, model::SnapshotSource& source, Pump& pump, UiState& state,
                  Shown& shown, const TopOptions& o) {
  if (!source.seekable()) {
    state.status = "moving in time needs a recording (kpulse replay)";
    return;
  }
  state.paused = true;
  pump.set_paused(true);
  std::optional<model::Snapshot> s;
  const bool jump = r != Request::StepBack && r != Request::StepForward;
  if (!jump) {
    s = pump.step(r == Request::StepBack ? -1 : 1);
  } else if (auto target = jump_target(r, state, shown.current, o)) {
    s = pump.seek(*target);
    if (!s) state.status = "no recorded snapshot there";
  }
  if (!s) return;
  // Sparklines across a jump would join unrelated moments.
  if (jump) shown.history = History{};
  shown.take(std::move(*s), o);
}

int run_interactive(model::SnapshotSource& source, const TopOptions& o) {
  Shown shown;
  UiState state;
  std::string error;
  int frames = 0;
  {
    Pump pump(source);
    TerminalOptions to;
    to.color = !o.no_color && !monochrome_requested();
    Terminal term(to);
    const Glyphs& glyphs = !o.ascii && unicode_supported() ? unicode_glyphs() : ascii_glyphs();
    bool dirty = true;
    bool reported_end = false;
    while (!state.quit && !quit_requested()) {
      if (auto s = pump.take()) {
        shown.take(std::move(*s), o);
        dirty = true;
        ++frames;
      }
      if (pump.ended() && !reported_end) {
        reported_end = true;
        error = pump.error();
        state.status = error.empty() ? "end of data" : "source failed: " + error;
        dirty = true;
      }
      if (dirty) {
        draw(term, shown, state, source, glyphs, o);
        dirty = false;
      }
      if (o.iterations > 0 && frames >= o.iterations) break;
      int k = term.read_key(50);
      if (k < 0) continue;
      state.status.clear();
      Request r = handle_key(state, k);
      if (moves_in_time(r)) move_in_time(r, source, pump, state, shown, o);
      pump.set_paused(state.paused);
      dirty = true;
    }
    // Terminal restored here (before the pump joins, which may wait for the
    // source's current interval to end).
  }
  if (!error.empty()) {
    std::fprintf(stderr, "kpulse top: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void add_top_options(CLI::App& app, TopOptions& o) {
  // DURATION: main.cpp's conventions make it accept 500ms, 2s, 5m.
  app.add_option("-d,--delay", o.delay_s, "Time between updates (500ms, 2s; plain number: seconds)")
      ->type_name("DURATION")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_flag("-b,--batch", o.batch, "Print plain-text frames to stdout (no terminal UI)");
  app.add_option("-n,--iterations", o.iterations, "Exit after this many frames (0: never)")
      ->check(CLI::Range(0, 100000000));  // NonNegativeNumber's message printed DBL_MAX
  app.add_option("--width", o.width, "Batch mode line width (default: $COLUMNS or 160)")
      ->check(CLI::Range(40, 1000));
  app.add_flag("--ascii", o.ascii, "ASCII meters and tree lines instead of Unicode");
  app.add_flag("--no-color", o.no_color, "Monochrome (also: NO_COLOR=1 or TERM=dumb)");
}

int run_top(model::SnapshotSource& source, const TopOptions& options) {
  if (options.batch) return run_batch(source, options);
  int columns = 0;
  if (!full_screen_possible(columns)) {
    // A pipe or a terminal without cursor addressing (TERM=dumb): plain
    // frames, like top -b, rather than escape-sequence garbage.
    std::fprintf(stderr, "kpulse top: not a full-screen terminal; printing plain frames\n");
    TopOptions batch = options;
    batch.batch = true;
    if (batch.width == 0 && columns >= 40) batch.width = columns;
    return run_batch(source, batch);
  }
  // LC_CTYPE only: ncurses needs the charset for wide glyphs, while numbers
  // keep the C locale's decimal point.
  std::setlocale(LC_CTYPE, "");
  install_signal_handlers();
  return run_interactive(source, options);
}

}  // namespace kpulse::tui
