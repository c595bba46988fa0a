#include "cli/text_table.h"

#include <algorithm>

#include "tui/format.h"

namespace kpulse::cli {

TextTable::TextTable(std::vector<std::string> headers) {
  for (auto& h : headers) {
    bool left = !h.empty() && h[0] == '<';
    left_.push_back(left);
    headers_.push_back(left ? h.substr(1) : h);
  }
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  // Names are any user's to choose: no escape sequence or newline gets through.
  for (auto& cell : cells) cell = tui::printable(std::move(cell));
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::FILE* out, const std::string& title) const {
  if (rows_.empty()) return;
  std::vector<size_t> width(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::fprintf(out, "%s\n", title.c_str());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) s += "  ";
      std::string pad(width[i] - cells[i].size(), ' ');
      s += left_[i] ? cells[i] + (i + 1 == cells.size() ? "" : pad) : pad + cells[i];
    }
    std::fprintf(out, "  %s\n", s.c_str());
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
  std::fprintf(out, "\n");
}

}  // namespace kpulse::cli
