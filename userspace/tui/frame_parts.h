// The frame builder's parts, each appending lines for one region.
#pragma once

#include <vector>

#include "tui/frame_builder.h"
#include "tui/table.h"

namespace kpulse::tui::parts {

// Title bar, CPU meters, memory/swap, PSI/disk/net totals, kpulse's own cost.
void header(const FrameInput& in, const UiState& state, int width, std::vector<Line>& out);
// The section a view shows above the table (per-CPU, disks, interfaces, memory);
// at most `max_lines`.
void view_section(const FrameInput& in, View view, int max_lines, std::vector<Line>& out);
// Alerts and forecasts views (no table).
void alerts_view(const FrameInput& in, int width, std::vector<Line>& out);
void forecasts_view(const FrameInput& in, int width, std::vector<Line>& out);
// Recorded stacks: per busy cgroup its hot function and busiest stacks; the
// cgroup of `selected` (a component key) first.
void profile_view(const FrameInput& in, const std::string& selected, int width,
                  std::vector<Line>& out);
// Table header and `rows` in [first, first + count), fitted to `width`.
void table(const FrameInput& in, const UiState& state, const std::vector<TableRow>& rows, int first,
           int count, int width, std::vector<Line>& out);
void help(const FrameInput& in, int width, int height, std::vector<Line>& out);
void sort_menu(const UiState& state, int width, int max_lines, std::vector<Line>& out);
void detail(const FrameInput& in, const model::Component& c, int width, std::vector<Line>& out);
Line status(const FrameInput& in, const UiState& state, int width, size_t rows);

// Fits a line to `width` columns: truncates the last spans that overflow.
void clip(Line& line, int width, const Glyphs& g);

}  // namespace kpulse::tui::parts
