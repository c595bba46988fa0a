// A plain-text table with column widths fitted to the content.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace kpulse::cli {

class TextTable {
 public:
  // A header starting with '<' is left-aligned (the '<' is dropped).
  explicit TextTable(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  void print(std::FILE* out, const std::string& title) const;
  [[nodiscard]] bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> left_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kpulse::cli
