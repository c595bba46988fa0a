// Text placed in HTML or SVG (XML) output, on a terminal or in a log line:
// names that any user chooses (process names, command lines, cgroup paths)
// are escaped for each the same way wherever they are shown.
#pragma once

#include <string>
#include <string_view>

namespace kpulse::model {

// Escapes &, <, >, " and ' so the text is safe in element content and in
// quoted attributes.
std::string escape_markup(std::string_view s);

// Text safe to send to a terminal or to write as one log line: C0 and C1
// control characters and DEL become '?', as ps shows them. Process names and
// command lines are any user's to choose; an escape sequence in one must not
// reach root's terminal, nor a newline break a table row or forge a log line.
std::string printable(std::string text);

}  // namespace kpulse::model
