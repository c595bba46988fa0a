// Table layout decisions exposed for tests: which columns fit a width, and
// how a row's name cell reads.
#pragma once

#include <string>
#include <vector>

#include "tui/columns.h"
#include "tui/frame.h"
#include "tui/table.h"

namespace kpulse::tui {

// Columns of `view` that fit in `width` (dropping the least important first),
// in display order; `name_width` receives the name column's width.
// The sort column, when the view has it, is always kept: sorting by a
// column the table does not show reads as a random order.
std::vector<ColumnId> fit_columns(View view, int width, int& name_width,
                                  ColumnId sort = ColumnId::Name);
// The name cell: tree guides and the cgroup leaf (tree) or path (flat), or
// "comm [pid]" for a process.
std::string row_label(const TableRow& row, bool tree, const Glyphs& g);

}  // namespace kpulse::tui
