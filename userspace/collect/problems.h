// Parse problems met while reading kernel files.
//
// Readers never stop at a malformed line: they skip it, record where and why
// here, and keep everything else they could read. The engine logs these (once
// per distinct message is enough) rather than failing an interval.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kpulse::collect {

class Problems {
 public:
  // `line` is 1-based; 0 means the whole file.
  void add(std::string_view file, int line, std::string_view reason);
  [[nodiscard]] const std::vector<std::string>& messages() const { return messages_; }
  [[nodiscard]] bool empty() const { return messages_.empty() && dropped_ == 0; }
  // Messages beyond the cap are counted, not stored, so a file gone bad cannot
  // grow memory without bound.
  [[nodiscard]] size_t dropped() const { return dropped_; }
  void clear() {
    messages_.clear();
    dropped_ = 0;
  }

  static constexpr size_t kMaxMessages = 64;

 private:
  std::vector<std::string> messages_;
  size_t dropped_ = 0;
};

// Null-safe forwarding so readers can take an optional Problems*.
inline void report(Problems* p, std::string_view file, int line, std::string_view reason) {
  if (p) p->add(file, line, reason);
}

}  // namespace kpulse::collect
