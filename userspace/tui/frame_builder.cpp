#include "tui/frame_builder.h"

#include <algorithm>

#include "tui/frame_parts.h"
#include "tui/table.h"

namespace kpulse::tui {
namespace {

// Keeps the cursor on the followed component, else on its index, and the
// cursor inside the visible page.
void place_cursor(UiState& s, const std::vector<TableRow>& rows, int page) {
  s.row_count = int(rows.size());
  s.page_rows = std::max(1, page);
  if (rows.empty()) {
    s.cursor = s.scroll = 0;
    return;
  }
  if (s.follow && !s.cursor_key.empty()) {
    for (size_t i = 0; i < rows.size(); ++i)
      if (rows[i].component->key() == s.cursor_key) {
        s.cursor = int(i);
        break;
      }
  }
  s.cursor = std::clamp(s.cursor, 0, int(rows.size()) - 1);
  s.cursor_key = rows[size_t(s.cursor)].component->key();
  if (s.cursor < s.scroll) s.scroll = s.cursor;
  if (s.cursor >= s.scroll + s.page_rows) s.scroll = s.cursor - s.page_rows + 1;
  s.scroll = std::clamp(s.scroll, 0, std::max(0, int(rows.size()) - s.page_rows));
}

}  // namespace

Frame build_frame(const FrameInput& in, UiState& state, int width, int height) {
  Frame f;
  f.width = width;
  f.height = height;
  auto& lines = f.lines;
  const bool batch = height <= 0;
  // Help takes the whole screen so every key fits at 80x24.
  if (state.mode != Mode::Help) parts::header(in, state, width, lines);
  // Lines left for the body, keeping one for the status bar.
  const int body = batch ? 1 << 20 : std::max(0, height - int(lines.size()) - 1);
  std::vector<Line> out;
  size_t table_rows = 0;

  const model::Snapshot* snap = in.snapshot;
  if (state.mode == Mode::Help) {
    parts::help(in, width, body, out);
  } else if (state.mode == Mode::Detail && snap) {
    const model::Component* c = nullptr;
    for (const auto& comp : snap->components)
      if (comp.key() == state.cursor_key) c = &comp;
    if (c) {
      parts::detail(in, *c, width, out);
      state.detail_scroll = std::clamp(state.detail_scroll, 0, std::max(0, int(out.size()) - 1));
      out.erase(out.begin() + 1,
                out.begin() + 1 + std::min<int>(state.detail_scroll, int(out.size()) - 1));
    } else {
      out.push_back(Line{}.add("the selected component is gone (Esc returns)", Style::Dim));
    }
  } else if (state.view == View::Alerts) {
    parts::alerts_view(in, width, out);
  } else if (state.view == View::Forecasts) {
    parts::forecasts_view(in, width, out);
  } else if (state.view == View::Profile) {
    parts::profile_view(in, state.cursor_key, width, out);
  } else if (snap) {
    parts::view_section(in, state.view, batch ? body : body / 2, out);
    TableOptions opts{state.sort, state.descending, state.filter, state.tree, state.show_processes};
    auto rows = build_table(*snap, opts);
    table_rows = rows.size();
    const int page = batch ? int(rows.size()) : body - int(out.size()) - 1;
    place_cursor(state, rows, page);
    if (state.mode == Mode::SortMenu)
      parts::sort_menu(state, width, body - int(out.size()), out);
    else
      parts::table(in, state, rows, batch ? 0 : state.scroll, batch ? int(rows.size()) : page,
                   width, out);
  }
  if (!batch && int(out.size()) > body) out.resize(size_t(body));
  for (auto& l : out) lines.push_back(std::move(l));
  if (!batch) {
    if (int(lines.size()) > height - 1) lines.resize(size_t(std::max(0, height - 1)));
    while (int(lines.size()) < height - 1) lines.emplace_back();
    lines.push_back(parts::status(in, state, width, table_rows));
  }
  for (auto& l : lines) parts::clip(l, width, *in.glyphs);
  return f;
}

}  // namespace kpulse::tui
