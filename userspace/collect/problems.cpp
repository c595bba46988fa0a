#include "collect/problems.h"

namespace kpulse::collect {

void Problems::add(std::string_view file, int line, std::string_view reason) {
  if (messages_.size() >= kMaxMessages) {
    ++dropped_;
    return;
  }
  std::string m(file);
  if (line > 0) {
    m += ':';
    m += std::to_string(line);
  }
  m += ": ";
  m += reason;
  messages_.push_back(std::move(m));
}

}  // namespace kpulse::collect
